"""Known differences to put into a faithful port, each with exactly the findings it must cause.

An `Injection` is one deliberate edit of the port (`tests.sdkgen.Port`) on one type or field of a
spec, e.g. "drop field `notes` of `OrderItem`". `candidates(spec)` lists every injection that makes
sense for a spec; `compatible(chosen, spec)` keeps a set of them from interfering (no two on one place,
nothing on a type that is dropped); `inject(spec, injections)` returns the edited port and the
exact findings the audit must report: the injected ones plus the spec's inherent ones.

Injections name types by their spec name and reach them in the port only through `elixir_home`, so
they land on a renamed type wherever the port keeps it (tests.renames).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace

from tests.sdkgen import (
    ANY_MAP,
    EXTRA_VALUE,
    STRING_T,
    DefaultKind,
    DictType,
    ElixirHome,
    EnumSpec,
    ExList,
    ExMap,
    ExpectedFinding,
    ExRecord,
    ExText,
    ExType,
    ExUnion,
    ExValues,
    FieldType,
    ListType,
    LiteralAliasSpec,
    LiteralType,
    ModelSpec,
    NamedRef,
    Port,
    PortField,
    PortModule,
    PortStruct,
    ScalarAliasRef,
    ScalarAliasSpec,
    ScalarKind,
    ScalarType,
    Spec,
    SpecField,
    TypeSpec,
    UnionAliasSpec,
    UnionType,
    WireFunction,
    elixir_home,
    elixir_literal,
    elixir_type,
    inherent_findings,
    plan_port,
    referenced_names,
    type_references,
)
from tests.sdkgen import (
    port_field as faithful_port_field,
)

FOLD_TARGET = "extra_attributes"
"""The generic map a fold leaves in the port; no generated Python field has this name."""

PORT_ONLY_PREFIX = "PortOnly"


@dataclass(frozen=True)
class Injection:
    kind: str
    type_name: str
    fields: tuple[str, ...] = ()

    @property
    def field(self) -> str | None:
        return self.fields[0] if len(self.fields) == 1 else None

    def __str__(self) -> str:
        place = f"{self.type_name}.{'+'.join(self.fields)}" if self.fields else self.type_name
        return f"{self.kind}({place})"


_VALUE_EDITS: dict[str, tuple[bool, int, str, str]] = {
    # kind: (as atoms, values added (+1) or dropped (-1), rule, severity)
    "atoms": (True, 0, "atom-enum", "info"),
    "drop-type-value": (False, -1, "enum-value-mismatch", "P1"),
    "add-type-value": (False, 1, "enum-value-mismatch", "P3"),
    "atoms-drop-value": (True, -1, "enum-value-mismatch", "P1"),
    "atoms-add-value": (True, 1, "enum-value-mismatch", "P3"),
}


_CONVERTER_EDITS: dict[str, tuple[int, bool, tuple[tuple[str, str], ...]]] = {
    # kind: (values dropped from the type and its table, a catch-all clause, expected (rule, severity))
    "converter-table": (0, False, ()),
    "converter-drop-value": (1, False, (("enum-value-mismatch", "P1"),)),
    "converter-catch-all": (0, True, (("enum-catch-all", "P3"),)),
}
"""An enum module ported as atoms with `to_api`/`from_api` clauses that give each atom its wire string:
the values are compared as those strings."""


def _expected(rule: str, severity: str, injection: Injection, field: str | None = None) -> ExpectedFinding:
    return ExpectedFinding(rule, severity, injection.type_name, field)


# ---------------------------------------------------------------------------------------------
# Field injections: each is (does it apply to this field, how it edits the port field, findings)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldEdit:
    kind: str
    applies: Callable[[Spec, SpecField], bool]
    edit: Callable[[Spec, SpecField, PortField], PortField | None]
    findings: Callable[[SpecField], tuple[tuple[str, str], ...]]
    """(rule, severity) pairs, all on the injected field."""


def _is_model(spec: Spec, field_type: FieldType) -> bool:
    return isinstance(field_type, NamedRef) and isinstance(spec.named(field_type.name), ModelSpec)


def _value_set(spec: Spec, field_type: FieldType) -> tuple[str, ...] | None:
    """The values of an inline Literal (two or more) or of a referenced enum/Literal alias."""
    if isinstance(field_type, LiteralType) and len(field_type.values) >= 2:
        return field_type.values
    if isinstance(field_type, NamedRef):
        named = spec.named(field_type.name)
        if isinstance(named, EnumSpec | LiteralAliasSpec):
            return named.values
    return None


def _substitute_models(spec: Spec, field_type: FieldType, replacement: ExType) -> ExType | None:
    """The field's typespec with its model (bare, or in a list/dict) replaced; None when it has none."""
    match field_type:
        case NamedRef() if _is_model(spec, field_type):
            return replacement
        case ListType(item=item) if _is_model(spec, item):
            return ExList(replacement)
        case DictType(value=value) if _is_model(spec, value):
            return replacement if replacement == ANY_MAP else ExMap(replacement)
    return None


def _scalar_kind(spec: Spec, field_type: FieldType) -> ScalarKind | None:
    if isinstance(field_type, ScalarType):
        return field_type.kind
    if isinstance(field_type, ScalarAliasRef):
        alias = spec.named(field_type.name)
        assert isinstance(alias, ScalarAliasSpec)
        return alias.kind
    return None


_DATES = (ScalarKind.DATETIME, ScalarKind.DATE)
_WRONG_SCALAR = {
    ScalarKind.STR: "integer()",
    ScalarKind.INT: "String.t()",
    ScalarKind.BOOL: "integer()",
    ScalarKind.FLOAT: "String.t()",
}
_WIDENED = {ScalarKind.STR, ScalarKind.INT, ScalarKind.FLOAT, ScalarKind.BOOL, ScalarKind.DATETIME}


def _datetime_as_string(spec: Spec, spec_field: SpecField, port_field: PortField) -> PortField:
    field_type = spec_field.type
    if isinstance(field_type, DictType):
        return replace(port_field, type=ExMap(STRING_T))
    # `DateTime.t() | String.t()` admits a string just as much as `String.t()` does.
    admits_both = ExUnion((port_field.type, STRING_T))
    return replace(port_field, type=admits_both if len(spec_field.name) % 2 else STRING_T)


def _widened_container(spec_field: SpecField) -> ExType:
    return ExText("list()") if isinstance(spec_field.type, ListType) else ANY_MAP


def _changed_default(spec: Spec, spec_field: SpecField) -> str | None:
    default = spec_field.default
    assert default is not None
    value = default.value
    values = _value_set(spec, spec_field.type)
    if values is not None:
        return elixir_literal(next(v for v in values if v != value))
    if isinstance(value, bool):
        return elixir_literal(not value)
    if isinstance(value, int | float):
        return elixir_literal(value + 1)
    return elixir_literal(f"{value}_changed")


_PRESETS = {ScalarKind.STR: '"preset"', ScalarKind.INT: "7", ScalarKind.FLOAT: "0.5", ScalarKind.BOOL: "true"}
"""The port's default for a field Python requires (change-default on a required field)."""


def _default_edit(spec: Spec, spec_field: SpecField, port_field: PortField) -> PortField:
    """Python value -> another value; Python factory -> nil; Python required -> a value."""
    default = spec_field.default
    if default is None:
        kind = _scalar_kind(spec, spec_field.type)
        assert kind is not None
        return replace(port_field, enforced=False, default=_PRESETS[kind])
    if default.kind is DefaultKind.VALUE:
        return replace(port_field, default=_changed_default(spec, spec_field))
    return replace(port_field, default=None)


def _default_applies(spec: Spec, spec_field: SpecField) -> bool:
    default = spec_field.default
    if default is None:
        return _scalar_kind(spec, spec_field.type) in _PRESETS
    if default.kind is DefaultKind.VALUE:
        return not isinstance(spec_field.type, LiteralType) or len(spec_field.type.values) >= 2
    return default.kind in (DefaultKind.EMPTY_LIST, DefaultKind.EMPTY_DICT)


def _missing_field_severity(spec_field: SpecField) -> str:
    return "P0" if spec_field.required else "P1"


def _dropped_field_findings(spec_field: SpecField) -> tuple[tuple[str, str], ...]:
    if spec_field.discriminator_value is not None:
        return (("missing-literal", "P2"),)
    return (("missing-field", _missing_field_severity(spec_field)),)


def _union_without_a_member(spec: Spec, spec_field: SpecField, port_field: PortField) -> PortField:
    assert isinstance(spec_field.type, UnionType)
    # Generated inline unions are (plain scalar, model or datetime): the rest keeps the non-scalar.
    kept = spec_field.type.members[1]
    return replace(port_field, type=elixir_type(spec, kept, spec_field.name))


def _literal_values_edit(adding: bool) -> Callable[[Spec, SpecField, PortField], PortField]:
    def edit(spec: Spec, spec_field: SpecField, port_field: PortField) -> PortField:
        values = _value_set(spec, spec_field.type)
        assert values is not None
        written = (*values, EXTRA_VALUE) if adding else values[:-1]
        return replace(port_field, type=ExValues(written))

    return edit


def _holds_a_model_directly(spec: Spec, field_type: FieldType) -> bool:
    return _is_model(spec, field_type) or (isinstance(field_type, ListType) and _is_model(spec, field_type.item))


def _model_or(extra: ExType) -> Callable[[Spec, SpecField, PortField], PortField]:
    """The port accepts the model, or `extra` beside it (in the list, for a list of models)."""

    def edit(spec: Spec, spec_field: SpecField, port_field: PortField) -> PortField:
        if isinstance(port_field.type, ExList):
            return replace(port_field, type=replace(port_field.type, item=ExUnion((port_field.type.item, extra))))
        return replace(port_field, type=ExUnion((port_field.type, extra)))

    return edit


def _as_record(dropped_keys: int) -> Callable[[Spec, SpecField, PortField], PortField]:
    """The model's typespec replaced by a map with the model's keys (all but the last `dropped_keys`),
    each with the field's own typespec."""

    def edit(spec: Spec, spec_field: SpecField, port_field: PortField) -> PortField:
        assert isinstance(spec_field.type, NamedRef)
        model = spec.named(spec_field.type.name)
        assert isinstance(model, ModelSpec)
        fields = spec.all_fields(model)
        entries = tuple(
            (f.name, _typespec_with_nil(faithful_port_field(spec, model, f)), f.required)
            for f in fields[: len(fields) - dropped_keys]
        )
        return replace(port_field, type=ExRecord(entries, keyword_style=len(fields) % 2 == 0))

    return edit


def _typespec_with_nil(field: PortField) -> ExType:
    return ExUnion((field.type, ExText("nil"))) if field.nullable else field.type


def _model_with_fields(spec: Spec, field_type: FieldType, least: int) -> bool:
    """A model of at least `least` fields, none a discriminator (a map has no default to fix a tag) nor
    bytes (a record's bytes key is a `bytes-as-base64` of the field that holds the record)."""
    if not _is_model(spec, field_type):
        return False
    assert isinstance(field_type, NamedRef)
    model = spec.named(field_type.name)
    assert isinstance(model, ModelSpec)
    fields = spec.all_fields(model)
    return len(fields) >= least and all(f.discriminator_value is None and _injectable(f) for f in fields)


FIELD_EDITS: tuple[FieldEdit, ...] = (
    FieldEdit(
        "drop-field",
        lambda spec, f: True,
        lambda spec, f, p: None,
        _dropped_field_findings,
    ),
    FieldEdit(
        "omit-from-encoder",
        lambda spec, f: True,
        lambda spec, f, p: p,  # the struct-level edit happens in `_apply_field_edit`
        lambda f: (("missing-field", _missing_field_severity(f)),),
    ),
    FieldEdit(
        "flatten-model",
        lambda spec, f: _substitute_models(spec, f.type, STRING_T) is not None,
        lambda spec, f, p: replace(p, type=_substitute_models(spec, f.type, STRING_T) or p.type),
        lambda f: (("flattened-nesting", "P0"),),
    ),
    FieldEdit(
        "model-as-map",
        lambda spec, f: _substitute_models(spec, f.type, ANY_MAP) is not None,
        lambda spec, f, p: replace(p, type=_substitute_models(spec, f.type, ANY_MAP) or p.type),
        lambda f: (("untyped-container", "P1"),),
    ),
    FieldEdit(
        "datetime-as-string",
        lambda spec, f: _scalar_kind(spec, f.type) in _DATES
        or (isinstance(f.type, DictType) and _scalar_kind(spec, f.type.value) in _DATES),
        _datetime_as_string,
        lambda f: (("datetime-as-string", "P2"),),
    ),
    FieldEdit(
        "drop-value",
        lambda spec, f: _value_set(spec, f.type) is not None,
        _literal_values_edit(adding=False),
        lambda f: (("enum-value-mismatch", "P1"),),
    ),
    FieldEdit(
        "add-value",
        lambda spec, f: _value_set(spec, f.type) is not None,
        _literal_values_edit(adding=True),
        lambda f: (("enum-value-mismatch", "P3"),),
    ),
    FieldEdit(
        "widen-literal",
        lambda spec, f: _value_set(spec, f.type) is not None,
        lambda spec, f, p: replace(p, type=ExText("atom()") if len(f.name) % 3 == 0 else STRING_T),
        lambda f: (("literal-widened", "P3"),),
    ),
    FieldEdit(
        "widen-container",
        lambda spec, f: isinstance(f.type, ListType | DictType)
        and not _is_model(spec, f.type.item if isinstance(f.type, ListType) else f.type.value)
        and f.type != DictType(ScalarType(ScalarKind.ANY)),
        lambda spec, f, p: replace(p, type=_widened_container(f)),
        lambda f: (("constraint-widened", "P3"),),
    ),
    FieldEdit(
        "wrong-scalar",
        lambda spec, f: _scalar_kind(spec, f.type) in _WRONG_SCALAR,
        lambda spec, f, p: replace(p, type=ExText(_WRONG_SCALAR[_scalar_kind(spec, f.type) or ScalarKind.STR])),
        lambda f: (("type-mismatch", "P1"),),
    ),
    FieldEdit(
        "drop-union-member",
        lambda spec, f: isinstance(f.type, UnionType),
        _union_without_a_member,
        lambda f: (("union-mismatch", "P1"),),
    ),
    FieldEdit(
        "widen-union",
        lambda spec, f: _holds_a_model_directly(spec, f.type),
        _model_or(STRING_T),
        lambda f: (("union-widened", "P3"),),
    ),
    FieldEdit(
        "model-or-map",
        lambda spec, f: _holds_a_model_directly(spec, f.type),
        _model_or(ANY_MAP),
        lambda f: (("constraint-widened", "P3"),),
    ),
    FieldEdit(
        "model-as-record",
        lambda spec, f: _model_with_fields(spec, f.type, 1),
        _as_record(0),
        lambda f: (),
    ),
    FieldEdit(
        "record-without-a-key",
        lambda spec, f: _model_with_fields(spec, f.type, 2),
        _as_record(1),
        lambda f: (("type-mismatch", "P1"),),
    ),
    FieldEdit(
        "change-default",
        _default_applies,
        _default_edit,
        lambda f: (("default-mismatch", "P3"),),
    ),
    FieldEdit(
        "enforce-defaulted",
        lambda spec, f: not f.required,
        lambda spec, f, p: replace(p, enforced=True),
        lambda f: (("optionality-mismatch", "P1"),),
    ),
    FieldEdit(
        "add-nil",
        lambda spec, f: not f.optional,
        lambda spec, f, p: replace(p, nullable=True),
        lambda f: (("optionality-mismatch", "P3"),),
    ),
    FieldEdit(
        "remove-nil",
        lambda spec, f: f.optional,
        lambda spec, f, p: replace(p, nullable=False),
        lambda f: (("optionality-mismatch", "P3"),),
    ),
)
FIELD_EDITS_BY_KIND = {edit.kind: edit for edit in FIELD_EDITS}


@dataclass(frozen=True)
class WireEdit:
    """An edit of the port's own encoder or decoder on one field: its key renamed, or the field left out."""

    kind: str
    decoder: bool
    renames: bool

    def applies(self, model: ModelSpec) -> bool:
        function = model.decoder_function if self.decoder else model.encoder_function
        return function is not None

    def edit(self, function: WireFunction, spec_field: SpecField) -> WireFunction:
        if self.renames:
            # Neither the field's name nor its alias: a camelCase alias gains the suffix, still not snake.
            return function.renamed(spec_field.name, f"{spec_field.wire_name}_renamed")
        return function.without(spec_field.name)

    def findings(self, spec_field: SpecField) -> tuple[tuple[str, str], ...]:
        if self.renames:
            return (("wire-name-mismatch", "P0"),)
        if not self.decoder:
            return (("encoder-drops-field", "P1"),)
        if spec_field.discriminator_value is not None:
            # decoder-drops-field leaves out a one-value tag whose struct default is Python's: the port
            # keeps the tag's default (`port_field`), so a decoder that never reads it loses nothing.
            return ()
        return (("decoder-drops-field", "P1"),)


WIRE_EDITS: tuple[WireEdit, ...] = (
    WireEdit("rename-encoder-key", decoder=False, renames=True),
    WireEdit("rename-decoder-key", decoder=True, renames=True),
    WireEdit("drop-from-encoder", decoder=False, renames=False),
    WireEdit("drop-from-decoder", decoder=True, renames=False),
)
WIRE_EDITS_BY_KIND = {edit.kind: edit for edit in WIRE_EDITS}


def _injectable(spec_field: SpecField) -> bool:
    # Bytes fields already carry their inherent `bytes-as-base64` finding; they are left alone.
    return spec_field.type != ScalarType(ScalarKind.BYTES)


# ---------------------------------------------------------------------------------------------
# Candidates
# ---------------------------------------------------------------------------------------------


def _referenced_anywhere(spec: Spec) -> set[str]:
    return {name for typedef in spec.types for name in type_references(spec, typedef)}


def _droppable(spec: Spec, typedef: TypeSpec, referenced: set[str], hosts: set[str]) -> bool:
    """A dropped type must not take other types with it, nor break how others refer to it.

    References by module (`Name.t()`) still line up by name once the module is gone; a reference to
    a local type (`Host.name()`) does not, so a local type is only dropped when nothing uses it.
    """
    if isinstance(typedef, ScalarAliasSpec):
        return False
    if typedef.name in hosts:
        return False
    if isinstance(typedef, ModelSpec):
        return not any(isinstance(t, ModelSpec) and t.nested_in == typedef.name for t in spec.types)
    if isinstance(typedef, LiteralAliasSpec | UnionAliasSpec) and typedef.host is not None:
        return typedef.name not in referenced
    return True


def _fold_candidates(spec: Spec, model: ModelSpec) -> Iterator[Injection]:
    foldable = [f.name for f in spec.all_fields(model) if _injectable(f) and f.discriminator_value is None]
    if len(foldable) >= 2:
        yield Injection("fold-into-map", model.name, tuple(foldable[:2]))
    if len(foldable) >= 3:
        yield Injection("fold-into-map", model.name, tuple(foldable[-3:]))


def candidates(spec: Spec) -> list[Injection]:
    """Every injection that applies to `spec`, in a stable order."""
    referenced = _referenced_anywhere(spec)
    hosts = {t.host for t in spec.types if isinstance(t, LiteralAliasSpec | UnionAliasSpec) and t.host}
    found: list[Injection] = [Injection("extra-type", f"{PORT_ONLY_PREFIX}{i}") for i in (1, 2)]
    for typedef in spec.types:
        if _droppable(spec, typedef, referenced, hosts):
            found.append(Injection("drop-type", typedef.name))
        if isinstance(typedef, EnumSpec | LiteralAliasSpec):
            found.extend(Injection(kind, typedef.name) for kind in _VALUE_EDITS)
            if elixir_home(spec, typedef.name).local is None:
                # A module of its own: its converters cannot be read as another enum's.
                found.extend(Injection(kind, typedef.name) for kind in _CONVERTER_EDITS)
        if isinstance(typedef, UnionAliasSpec):
            found.append(Injection("drop-alias-member", typedef.name))
        if isinstance(typedef, ModelSpec):
            found.append(Injection("extra-field", typedef.name, ("port_only_a",)))
            found.append(Injection("extra-field", typedef.name, ("port_only_b",)))
            found.extend(_fold_candidates(spec, typedef))
            for spec_field in spec.all_fields(typedef):
                if not _injectable(spec_field):
                    continue
                found.extend(
                    Injection(edit.kind, typedef.name, (spec_field.name,))
                    for edit in FIELD_EDITS
                    if edit.applies(spec, spec_field)
                )
                found.extend(
                    Injection(edit.kind, typedef.name, (spec_field.name,))
                    for edit in WIRE_EDITS
                    if edit.applies(typedef)
                )
    return found


# ---------------------------------------------------------------------------------------------
# Interference
# ---------------------------------------------------------------------------------------------

_TYPE_LEVEL = frozenset({"drop-type", "drop-alias-member", *_VALUE_EDITS, *_CONVERTER_EDITS})


def _drops_a_plain_field(injection: Injection, spec: Spec) -> bool:
    """A dropped field other than a discriminator: a fold in the same type would count it as folded."""
    if injection.kind != "drop-field":
        return False
    return _spec_field(spec, injection.type_name, injection.fields[0]).discriminator_value is None


_LEAVE_THE_DECODER = frozenset({"drop-field", "fold-into-map", "drop-from-decoder"})
"""Injections that take their fields out of the port's decoder (a struct field gone is not read either)."""


def compatible(chosen: Sequence[Injection], spec: Spec) -> list[Injection]:
    """The chosen injections in order, leaving out any that would interfere with an earlier one:
    two on one field or on one enum/alias, anything on a dropped type, a fold next to a dropped field,
    and the last field a port's decoder reads taken out of it (a struct literal that reads no key is
    a constructor to the tool, not a decoder, so nothing it left out would be reported)."""
    kept: list[Injection] = []
    occupied: set[tuple[str, str | None]] = set()
    touched: set[str] = set()
    dropped: set[str] = set()
    folded: set[str] = set()
    with_dropped_fields: set[str] = set()
    # The fields each port decoder still reads, by model.
    decoder_reads = {m.name: {f.name for f in spec.all_fields(m)} for m in spec.models() if m.decoder_function}
    # The audit needs one Elixir type at least: the last module of the port is never dropped.
    modules_left = len(plan_port(spec).modules)
    for injection in chosen:
        name = injection.type_name
        type_level = injection.kind in _TYPE_LEVEL or not injection.fields
        places = {(name, None)} if type_level else {(name, f) for f in injection.fields}
        is_fold = injection.kind == "fold-into-map"
        drops_field = _drops_a_plain_field(injection, spec)
        unread = set(injection.fields) if injection.kind in _LEAVE_THE_DECODER else set()
        read = decoder_reads.get(name, set())
        if (
            places & occupied
            or name in dropped
            or (injection.kind == "drop-type" and name in touched)
            or (is_fold and (name in folded or name in with_dropped_fields))
            or (drops_field and name in folded)
            or (read and not read - unread)
        ):
            continue
        if injection.kind == "drop-type" and elixir_home(spec, name).local is None:
            if modules_left == 1:
                continue
            modules_left -= 1
        kept.append(injection)
        read -= unread
        occupied |= places
        touched.add(name)
        if injection.kind == "drop-type":
            dropped.add(name)
        if is_fold:
            folded.add(name)
        if drops_field:
            with_dropped_fields.add(name)
    return kept


# ---------------------------------------------------------------------------------------------
# Applying injections
# ---------------------------------------------------------------------------------------------


def _spec_field(spec: Spec, model_name: str, field_name: str) -> SpecField:
    model = spec.named(model_name)
    assert isinstance(model, ModelSpec)
    return next(f for f in spec.all_fields(model) if f.name == field_name)


def _edit_alias_target(port: Port, home: ElixirHome, change: Callable[[ExType], ExType | None]) -> Port:
    if home.local is not None:
        local = home.local
        return port.with_module(home.module, lambda module: module.with_local_type(local, change))

    def changed(module: PortModule) -> PortModule | None:
        assert module.own_type is not None
        target = change(module.own_type)
        return None if target is None else replace(module, own_type=target)

    return port.with_module(home.module, changed)


def _values_edit(kind: str) -> Callable[[ExType], ExType]:
    atoms, change_in_values, _, _ = _VALUE_EDITS[kind]

    def change(target: ExType) -> ExType:
        assert isinstance(target, ExValues)
        values = target.values
        if change_in_values > 0:
            values = (*values, EXTRA_VALUE)
        elif change_in_values < 0:
            values = values[:-1]
        return ExValues(values, atoms)

    return change


def _with_converters(port: Port, home: ElixirHome, dropped: int, catch_all: bool) -> Port:
    def changed(module: PortModule) -> PortModule:
        assert isinstance(module.own_type, ExValues)
        values = module.own_type.values[: len(module.own_type.values) - dropped]
        return replace(
            module,
            own_type=ExValues(values, atoms=True),
            converters=tuple((value, value) for value in values),
            catch_all=values[0] if catch_all else None,
        )

    return port.with_module(home.module, changed)


def _drop_alias_member(spec: Spec, alias: UnionAliasSpec) -> Callable[[ExType], ExType]:
    """Drops a member so that, if the union has a model, a model remains (else a model turned scalar
    would be flattened-nesting, not union-mismatch)."""
    has_model = [i for i, m in enumerate(alias.members) if _is_model(spec, m)]
    dropped = next(
        i for i in range(len(alias.members)) if not has_model or any(j != i for j in has_model)
    )

    def change(target: ExType) -> ExType:
        assert isinstance(target, ExUnion)
        kept = tuple(m for i, m in enumerate(target.members) if i != dropped)
        return kept[0] if len(kept) == 1 else ExUnion(kept)

    return change


def _apply(spec: Spec, port: Port, injection: Injection) -> tuple[Port, list[ExpectedFinding]]:
    kind, name = injection.kind, injection.type_name
    if kind == "extra-type":
        module = PortModule(
            f"{spec.elixir_root}.{name}",
            file=name.lower(),
            struct=PortStruct((PortField("note", STRING_T, nullable=True),)),
        )
        return port.added(module), [_expected("extra-type", "P3", injection)]
    home = elixir_home(spec, name)
    if kind == "drop-type":
        if home.local is not None or not isinstance(spec.named(name), ModelSpec):
            return _edit_alias_target(port, home, lambda _: None), [_expected("missing-type", "P1", injection)]
        return port.with_module(home.module, lambda _: None), [_expected("missing-type", "P1", injection)]
    if kind in _VALUE_EDITS:
        _, _, rule, severity = _VALUE_EDITS[kind]
        return _edit_alias_target(port, home, _values_edit(kind)), [_expected(rule, severity, injection)]
    if kind in _CONVERTER_EDITS:
        dropped, catch_all, findings = _CONVERTER_EDITS[kind]
        return _with_converters(port, home, dropped, catch_all), [_expected(r, s, injection) for r, s in findings]
    if kind == "drop-alias-member":
        alias = spec.named(name)
        assert isinstance(alias, UnionAliasSpec)
        edited = _edit_alias_target(port, home, _drop_alias_member(spec, alias))
        return edited, [_expected("union-mismatch", "P1", injection)]
    if kind == "extra-field":
        field_name = injection.fields[0]

        def with_extra(struct: PortStruct) -> PortStruct:
            return replace(struct, fields=(*struct.fields, PortField(field_name, STRING_T, nullable=True)))

        return port.with_struct(home.module, with_extra), [_expected("extra-field", "P3", injection, field_name)]
    if kind == "fold-into-map":
        return _fold(port, home, injection)
    if kind in WIRE_EDITS_BY_KIND:
        return _apply_wire_edit(spec, port, home, injection)
    return _apply_field_edit(spec, port, home, injection)


def _fold(port: Port, home: ElixirHome, injection: Injection) -> tuple[Port, list[ExpectedFinding]]:
    def folded(struct: PortStruct) -> PortStruct:
        kept = tuple(f for f in struct.fields if f.name not in injection.fields)
        return replace(struct, fields=(*kept, PortField(FOLD_TARGET, ANY_MAP, default="%{}")))

    expected = [_expected("folded-into-map", "P2", injection, field) for field in injection.fields]
    expected.append(_expected("extra-field", "P3", injection, FOLD_TARGET))
    return port.with_struct(home.module, folded), expected


def _apply_field_edit(
    spec: Spec, port: Port, home: ElixirHome, injection: Injection
) -> tuple[Port, list[ExpectedFinding]]:
    edit = FIELD_EDITS_BY_KIND[injection.kind]
    field_name = injection.fields[0]
    spec_field = _spec_field(spec, injection.type_name, field_name)

    def changed(struct: PortStruct) -> PortStruct:
        if injection.kind == "omit-from-encoder":
            return replace(struct, encoder_omits=(*struct.encoder_omits, field_name))
        return struct.with_field(field_name, lambda port_field: edit.edit(spec, spec_field, port_field))

    expected = [_expected(rule, severity, injection, field_name) for rule, severity in edit.findings(spec_field)]
    return port.with_struct(home.module, changed), expected


def _apply_wire_edit(
    spec: Spec, port: Port, home: ElixirHome, injection: Injection
) -> tuple[Port, list[ExpectedFinding]]:
    edit = WIRE_EDITS_BY_KIND[injection.kind]
    field_name = injection.fields[0]
    spec_field = _spec_field(spec, injection.type_name, field_name)

    def changed(struct: PortStruct) -> PortStruct:
        if edit.decoder:
            assert struct.from_wire is not None
            return replace(struct, from_wire=edit.edit(struct.from_wire, spec_field))
        assert struct.to_wire is not None
        return replace(struct, to_wire=edit.edit(struct.to_wire, spec_field))

    expected = [_expected(rule, severity, injection, field_name) for rule, severity in edit.findings(spec_field)]
    return port.with_struct(home.module, changed), expected


def _field_references(spec: Spec, typedef: TypeSpec) -> set[str]:
    """The names a type's fields (inherited ones too) or a union's members mention; a base is no field."""
    if isinstance(typedef, ModelSpec):
        return {name for f in spec.all_fields(typedef) for name in referenced_names(f.type)}
    if isinstance(typedef, UnionAliasSpec):
        return {name for member in typedef.members for name in referenced_names(member)}
    return set()


def _needed(spec: Spec, dropped: set[str]) -> set[str]:
    """The dropped types a kept type reaches through fields, directly or through other dropped types."""
    kept = [t for t in spec.types if t.name not in dropped and not isinstance(t, ScalarAliasSpec)]
    frontier = {name for t in kept for name in _field_references(spec, t)} & dropped
    needed: set[str] = set()
    while frontier:
        needed |= frontier
        frontier = {name for n in frontier for name in _field_references(spec, spec.named(n))} & dropped - needed
    return needed


def inject(spec: Spec, injections: Iterable[Injection]) -> tuple[Port, list[ExpectedFinding]]:
    """The port with every injection applied, and every finding the audit must report for it."""
    port = plan_port(spec)
    expected: list[ExpectedFinding] = []
    dropped: set[str] = set()
    for injection in injections:
        port, found = _apply(spec, port, injection)
        expected.extend(found)
        if injection.kind == "drop-type":
            dropped.add(injection.type_name)
    # A dropped type that nothing kept reaches is unported API surface, P2.
    needed = _needed(spec, dropped)
    expected = [
        replace(e, severity="P2") if e.rule == "missing-type" and e.type not in needed else e for e in expected
    ]
    expected.extend(inherent_findings(spec, dropped))
    return port, expected
