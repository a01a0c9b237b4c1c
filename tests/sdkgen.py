"""Generated SDK pairs: a neutral spec of an SDK, its pydantic package and its faithful Elixir port.

A `Spec` describes an SDK's types once, independently of either language: models with fields of
every shape the tool knows (scalars, datetimes, Literal/enum values, lists, dicts, nested models,
union aliases, discriminated unions, optional and defaulted fields, inheritance, scalar aliases,
pydantic wire aliases), enums, Literal aliases, union aliases and scalar aliases, spread over several
modules. A model may say that the port writes its own encoder (`to_api`) and/or decoder (`from_api`),
which use every field's wire name.

- `render_python(spec)` writes the reference SDK: a pydantic package with its own `_models.py` base
  class, one file per module, aliases imported between modules, `types/__init__.py` re-exporting.
- `plan_port(spec)` lays out the faithful Elixir port as a `Port` (modules, struct fields, typespecs,
  local types), and `render_port(port)` writes it. `render_elixir(spec)` is both in one call.
  Tests that need an unfaithful port edit the `Port` (drop a field, widen a typespec) before
  rendering it, so every deliberate difference is one small, visible change.

A faithful port audits with no finding at all, with one exception the tool cannot avoid: Elixir
has no bytes type, so every `bytes` field is a `bytes-as-base64` info finding
(`inherent_findings(spec)` lists them; `generate_spec(..., with_bytes=False)` leaves bytes out).

A spec may also say where the port keeps a type under another name (`renames`: another module
path, or a local type of a model that uses it) and which port-only modules share a type's name
without being it (`false_friends`); `tests.renames` draws both. `elixir_home` is the one place that
says where a type lives in the port, so references, injections and expectations all follow a rename.

Rendering choices that do not change the meaning (`integer()` or `non_neg_integer()`, `[x]` or
`list(x)`, `Optional[X]` or `X | None`) are drawn from a hash of the place they appear, so a spec
always renders to the same text.
"""

from __future__ import annotations

import random
import re
import zlib
from collections import Counter
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path

# ---------------------------------------------------------------------------------------------
# The neutral spec
# ---------------------------------------------------------------------------------------------


class ScalarKind(StrEnum):
    STR = "str"
    INT = "int"
    FLOAT = "float"
    BOOL = "bool"
    BYTES = "bytes"
    DATETIME = "datetime"
    DATE = "date"
    ANY = "any"


@dataclass(frozen=True)
class ScalarType:
    kind: ScalarKind


@dataclass(frozen=True)
class ScalarAliasRef:
    """A use of a scalar alias such as `ThingID = str` (inlined by the tool on both sides)."""

    name: str


@dataclass(frozen=True)
class LiteralType:
    """An inline `Literal[...]` of string values; one value makes a discriminator."""

    values: tuple[str, ...]


@dataclass(frozen=True)
class NamedRef:
    """A use of a named type of the spec: a model, enum, Literal alias or union alias."""

    name: str


@dataclass(frozen=True)
class ListType:
    item: FieldType


@dataclass(frozen=True)
class DictType:
    """`Dict[str, value]`."""

    value: FieldType


@dataclass(frozen=True)
class UnionType:
    """An inline `Union[...]` of at least two members."""

    members: tuple[FieldType, ...]


FieldType = ScalarType | ScalarAliasRef | LiteralType | NamedRef | ListType | DictType | UnionType


class DefaultKind(StrEnum):
    NONE = "none"
    VALUE = "value"
    EMPTY_LIST = "empty-list"
    EMPTY_DICT = "empty-dict"


DefaultValue = str | int | float | bool


@dataclass(frozen=True)
class FieldDefault:
    kind: DefaultKind
    value: DefaultValue | None = None


NONE_DEFAULT = FieldDefault(DefaultKind.NONE)
EMPTY_LIST_DEFAULT = FieldDefault(DefaultKind.EMPTY_LIST)
EMPTY_DICT_DEFAULT = FieldDefault(DefaultKind.EMPTY_DICT)


@dataclass(frozen=True)
class SpecField:
    """One model field. `optional` means the annotation admits None; `default` None means required."""

    name: str
    type: FieldType
    optional: bool = False
    default: FieldDefault | None = None
    alias: str | None = None
    """pydantic's `Field(alias=...)`: the key on the wire, which the port's own encoder and decoder use."""

    @property
    def required(self) -> bool:
        return self.default is None

    @property
    def wire_name(self) -> str:
        return self.alias or self.name

    @property
    def discriminator_value(self) -> str | None:
        if isinstance(self.type, LiteralType) and len(self.type.values) == 1:
            return self.type.values[0]
        return None


class StructStyle(StrEnum):
    DEFSTRUCT = "defstruct"
    TYPED_STRUCT = "typed-struct"


class EncoderStyle(StrEnum):
    NONE = "none"
    DERIVED = "derived"  # @derive Jason.Encoder
    DERIVED_ONLY = "derived-only"  # @derive {Jason.Encoder, only: [...every field...]} or except: []


class PythonForm(StrEnum):
    PYDANTIC = "pydantic"
    ALIAS_GENERATOR = "alias-generator"  # `model_config = ConfigDict(alias_generator=to_camel)`, inherited
    INIT_CLASS = "init-class"  # a plain class whose `__init__` stores its keyword arguments


@dataclass(frozen=True)
class ModelSpec:
    """A pydantic model. `fields` are its own; `base` names the model it extends.

    The port copies inherited fields into the struct; `nested_in` renders the port's module inside
    another model's module (`Acme.Types.Order.Address`). `encoder_function` and `decoder_function` name
    the port's own `to_api`/`from_api` pair (or `to_map`/`from_map`), each when the port writes one.
    """

    name: str
    module: str
    fields: tuple[SpecField, ...]
    base: str | None = None
    struct_style: StructStyle = StructStyle.DEFSTRUCT
    encoder: EncoderStyle = EncoderStyle.NONE
    nested_in: str | None = None
    encoder_function: str | None = None
    decoder_function: str | None = None
    python_form: PythonForm = PythonForm.PYDANTIC


@dataclass(frozen=True)
class EnumSpec:
    """`class Name(str, Enum)`; ported as a module whose `@type t` lists the values."""

    name: str
    module: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class LiteralAliasSpec:
    """`Name = Literal[...]`; ported as its own module, or as a local `@type` of the `host` model."""

    name: str
    module: str
    values: tuple[str, ...]
    host: str | None = None


@dataclass(frozen=True)
class UnionAliasSpec:
    """`Name = Union[...]`, tagged when `discriminator` names the members' Literal field."""

    name: str
    module: str
    members: tuple[FieldType, ...]
    discriminator: str | None = None
    host: str | None = None


@dataclass(frozen=True)
class ScalarAliasSpec:
    """`Name = str` in a module of its own; never a type of its own for the tool."""

    name: str
    module: str
    kind: ScalarKind


TypeSpec = ModelSpec | EnumSpec | LiteralAliasSpec | UnionAliasSpec | ScalarAliasSpec


@dataclass(frozen=True)
class ModuleSpec:
    """One Python module under `<package>/types/`. The flags only change spelling, never meaning."""

    name: str
    modern_typing: bool = False  # list[x], X | None instead of List[x], Optional[X]
    datetime_module_import: bool = False  # `import datetime` / `datetime.datetime`
    port_in_one_file: bool = False  # the port puts every module-level type of this module in one file


class RenameWay(StrEnum):
    """How the port renamed a type; the examples rename `OrderItem` or the Literal alias `OrderKind`."""

    NAMESPACE = "namespace"  # Root.Chat.OrderItem
    PATH = "path"  # Root.Order.Item
    PLURAL = "plural"  # Root.Orders.Item
    REPEATED = "repeated"  # Root.OrderItems.Item
    PREFIX_DROPPED = "prefix-dropped"  # Root.Item, Root.Chat.Item
    SUFFIX_DROPPED = "suffix-dropped"  # Root.Order
    SYNONYM = "synonym"  # Root.Order.Line, Root.PurchaseItem, Root.PurchaseLine
    LOCAL = "local"  # `@type kind` in the module of a model with a field of that type


@dataclass(frozen=True)
class PortRename:
    """Where the port keeps the spec type `name`: the module `path` (segments under the port's root),
    or the local type `local` of the module of the model `host`."""

    name: str
    way: RenameWay
    path: tuple[str, ...] = ()
    host: str | None = None
    local: str | None = None


class FriendKind(StrEnum):
    """What a false friend is instead of the type whose name it has."""

    ATOMS = "atoms"  # @type t :: :legacy | :unset
    UNION = "union"  # @type t :: String.t() | [String.t()]
    STRUCT = "struct"  # a struct of `legacy_*` fields


@dataclass(frozen=True)
class FalseFriend:
    """A port-only module at `path` (under the port's root) whose last segment is a spec type's name
    but whose kind or fields are others: it must never be taken for that type."""

    path: tuple[str, ...]
    kind: FriendKind


@dataclass(frozen=True)
class Spec:
    package: str
    modules: tuple[ModuleSpec, ...]
    types: tuple[TypeSpec, ...]
    renames: tuple[PortRename, ...] = ()
    false_friends: tuple[FalseFriend, ...] = ()
    _by_name: dict[str, TypeSpec] = field(default_factory=dict, init=False, repr=False, compare=False)
    _modules_by_name: dict[str, ModuleSpec] = field(default_factory=dict, init=False, repr=False, compare=False)
    _types_by_module: dict[str, list[TypeSpec]] = field(default_factory=dict, init=False, repr=False, compare=False)
    _renames_by_name: dict[str, PortRename] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_name.update({typedef.name: typedef for typedef in self.types})
        self._renames_by_name.update({rename.name: rename for rename in self.renames})
        self._modules_by_name.update({module.name: module for module in self.modules})
        for typedef in self.types:
            self._types_by_module.setdefault(typedef.module, []).append(typedef)

    def named(self, name: str) -> TypeSpec:
        return self._by_name[name]

    def module(self, name: str) -> ModuleSpec:
        return self._modules_by_name[name]

    def renamed(self, name: str) -> PortRename | None:
        return self._renames_by_name.get(name)

    def defined_in(self, module: str) -> list[TypeSpec]:
        return self._types_by_module.get(module, [])

    def models(self) -> Iterator[ModelSpec]:
        return (typedef for typedef in self.types if isinstance(typedef, ModelSpec))

    def generates_aliases(self, model: ModelSpec) -> bool:
        return generates_aliases(model, self._model)

    def all_fields(self, model: ModelSpec) -> tuple[SpecField, ...]:
        """Inherited fields first, then the model's own."""
        inherited = self.all_fields(self._model(model.base)) if model.base else ()
        return inherited + model.fields

    def _model(self, name: str) -> ModelSpec:
        typedef = self.named(name)
        assert isinstance(typedef, ModelSpec)
        return typedef

    @property
    def elixir_root(self) -> str:
        return f"{camel_case(self.package)}.Types"


def camel_case(snake: str) -> str:
    return "".join(part.capitalize() for part in snake.split("_"))


def snake_case(name: str) -> str:
    """`OrderItem2` -> `order_item2` (the tool's own rule for aligning local types)."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def _variant(place: str, choices: int) -> int:
    """A stable choice among `choices` spellings for one place of the source."""
    return zlib.crc32(place.encode()) % choices


def referenced_names(field_type: FieldType) -> Iterator[str]:
    """Named types and scalar aliases a field type mentions."""
    match field_type:
        case NamedRef(name=name) | ScalarAliasRef(name=name):
            yield name
        case ListType(item=inner) | DictType(value=inner):
            yield from referenced_names(inner)
        case UnionType(members=members):
            for member in members:
                yield from referenced_names(member)


def type_references(spec: Spec, typedef: TypeSpec) -> set[str]:
    """Every name a type's Python definition mentions (its base included)."""
    names: set[str] = set()
    if isinstance(typedef, ModelSpec):
        names.update(name for f in typedef.fields for name in referenced_names(f.type))
        if typedef.base:
            names.add(typedef.base)
    elif isinstance(typedef, UnionAliasSpec):
        names.update(name for member in typedef.members for name in referenced_names(member))
    return names


# ---------------------------------------------------------------------------------------------
# Python rendering
# ---------------------------------------------------------------------------------------------

_MODELS_PY = '''"""Base class of every model of the SDK."""

import pydantic


class BaseModel(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(populate_by_name=True, extra="allow")
'''


class _PythonModuleWriter:
    """Renders one module of the spec, collecting the imports its annotations need."""

    def __init__(self, spec: Spec, module: ModuleSpec) -> None:
        self.spec = spec
        self.module = module
        self.typing: set[str] = set()
        self.pydantic: set[str] = set()
        self.datetime: set[str] = set()
        self.local: dict[str, set[str]] = {}
        self.needs_base_model = False
        self.needs_enum = False
        self.needs_to_camel = False

    def _generic(self, typing_name: str, builtin: str, inner: str) -> str:
        if self.module.modern_typing:
            return f"{builtin}[{inner}]"
        self.typing.add(typing_name)
        return f"{typing_name}[{inner}]"

    def _use(self, name: str) -> str:
        owner = self.spec.named(name).module
        if owner != self.module.name:
            self.local.setdefault(owner, set()).add(name)
        return name

    def annotation(self, field_type: FieldType) -> str:
        match field_type:
            case ScalarType(kind=kind):
                return self._scalar(kind)
            case ScalarAliasRef(name=name) | NamedRef(name=name):
                return self._use(name)
            case LiteralType(values=values):
                self.typing.add("Literal")
                return f"Literal[{', '.join(repr(value) for value in values)}]"
            case ListType(item=item):
                return self._generic("List", "list", self.annotation(item))
            case DictType(value=value):
                return self._generic("Dict", "dict", f"str, {self.annotation(value)}")
            case UnionType(members=members):
                return self.union([self.annotation(member) for member in members])
        raise TypeError(field_type)

    def union(self, members: list[str]) -> str:
        if self.module.modern_typing:
            return " | ".join(members)
        self.typing.add("Union")
        return f"Union[{', '.join(members)}]"

    def _scalar(self, kind: ScalarKind) -> str:
        if kind is ScalarKind.ANY:
            self.typing.add("Any")
            return "Any"
        if kind in (ScalarKind.DATETIME, ScalarKind.DATE):
            if self.module.datetime_module_import:
                self.datetime.add("")
                return f"datetime.{kind.value}"
            self.datetime.add(kind.value)
            return kind.value
        return kind.value

    def optional(self, annotation: str) -> str:
        if self.module.modern_typing:
            return f"{annotation} | None"
        self.typing.add("Optional")
        return f"Optional[{annotation}]"

    def default(self, spec_field: SpecField, place: str) -> str:
        default = spec_field.default
        if default is None:
            return ""
        if default.kind is DefaultKind.NONE:
            return " = None"
        if default.kind is DefaultKind.VALUE:
            written = self._value(spec_field, default)
            if _variant(place, 4) == 0:
                self.pydantic.add("Field")
                return f" = Field(default={written})"
            return f" = {written}"
        self.pydantic.add("Field")
        return f" = Field(default_factory={_factory(default)})"

    def _value(self, spec_field: SpecField, default: FieldDefault) -> str:
        field_type = spec_field.type
        if isinstance(field_type, NamedRef) and isinstance(self.spec.named(field_type.name), EnumSpec):
            return f"{self._use(field_type.name)}.{str(default.value).upper()}"
        return repr(default.value)

    def aliased(self, spec_field: SpecField, annotation: str, alias: str, place: str) -> tuple[str, str]:
        """(annotation, default) of a field with a wire alias, in one of the spellings pydantic reads:
        `Field(alias=...)` as the default (positional or keyword default, or none), or in `Annotated`."""
        self.pydantic.add("Field")
        # `serialization_alias` names the key pydantic writes; the tool reads it as the wire name too.
        naming = f"{'serialization_alias' if _variant(place + '#alias', 4) == 0 else 'alias'}={alias!r}"
        default = spec_field.default
        spelling = _variant(place + "#field", 3)
        if default is None:
            if spelling == 0:
                self.typing.add("Annotated")
                return f"Annotated[{annotation}, Field({naming})]", ""
            return annotation, f" = Field({'..., ' if spelling == 1 else ''}{naming})"
        if default.kind in (DefaultKind.EMPTY_LIST, DefaultKind.EMPTY_DICT):
            return annotation, f" = Field(default_factory={_factory(default)}, {naming})"
        written = "None" if default.kind is DefaultKind.NONE else self._value(spec_field, default)
        if spelling == 0:
            self.typing.add("Annotated")
            return f"Annotated[{annotation}, Field({naming})]", f" = {written}"
        return annotation, f" = Field({written if spelling == 1 else f'default={written}'}, {naming})"

    def model(self, model: ModelSpec) -> str:
        if model.python_form is PythonForm.INIT_CLASS:
            return self.init_class(model)
        base = self._use(model.base) if model.base else "BaseModel"
        self.needs_base_model = self.needs_base_model or model.base is None
        lines = [f"class {model.name}({base}):"]
        if model.python_form is PythonForm.ALIAS_GENERATOR:
            self.pydantic.add("ConfigDict")
            self.needs_to_camel = True
            lines.append("    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)")
        generated = self.spec.generates_aliases(model)
        for spec_field in model.fields:
            annotation = self.annotation(spec_field.type)
            if spec_field.optional:
                annotation = self.optional(annotation)
            place = f"{model.name}.{spec_field.name}"
            if spec_field.alias is None or generated:
                default = self.default(spec_field, place)
            else:
                annotation, default = self.aliased(spec_field, annotation, spec_field.alias, place)
            lines.append(f"    {spec_field.name}: {annotation}{default}")
        if not model.fields:
            lines.append("    pass")
        return "\n".join(lines)

    def init_class(self, model: ModelSpec) -> str:
        """The model as a plain class: keyword-only `__init__` parameters stored in attributes. A list or
        dict default is the usual `None` normalised on the way in, which leaves the field optional."""
        parameters: list[str] = []
        stores: list[str] = []
        for spec_field in model.fields:
            annotation = self.annotation(spec_field.type)
            default = spec_field.default
            name = spec_field.name
            if default is not None and default.kind in (DefaultKind.EMPTY_LIST, DefaultKind.EMPTY_DICT):
                parameters.append(f"{name}: {self.optional(annotation)} = None")
                stores.append(f"self.{name} = {name} if {name} is not None else {_factory(default)}()")
                continue
            if spec_field.optional:
                annotation = self.optional(annotation)
            written = ""
            if default is not None:
                written = " = None" if default.kind is DefaultKind.NONE else f" = {self._value(spec_field, default)}"
            parameters.append(f"{name}: {annotation}{written}")
            stores.append(f"self.{name} = {name}")
        signature = ", ".join(["self", "*", *parameters])
        body = "\n".join(f"        {line}" for line in stores)
        return f"class {model.name}:\n    def __init__({signature}) -> None:\n{body}"

    def definition(self, typedef: TypeSpec) -> str:
        match typedef:
            case ModelSpec():
                return self.model(typedef)
            case EnumSpec(name=name, values=values):
                self.needs_enum = True
                members = "\n".join(f"    {value.upper()} = {value!r}" for value in values)
                return f"class {name}(str, Enum):\n{members}"
            case LiteralAliasSpec(name=name, values=values):
                return f"{self._alias_head(name)} = {self.annotation(LiteralType(values))}"
            case UnionAliasSpec(name=name, members=members, discriminator=discriminator):
                union = self.union([self.annotation(member) for member in members])
                if discriminator is not None:
                    self.typing.add("Annotated")
                    self.pydantic.add("Field")
                    union = f"Annotated[{union}, Field(discriminator={discriminator!r})]"
                return f"{self._alias_head(name)} = {union}"
            case ScalarAliasSpec(name=name, kind=kind):
                return f"{name} = {self._scalar(kind)}"
        raise TypeError(typedef)

    def _alias_head(self, name: str) -> str:
        if _variant(name, 2) == 0:
            self.typing.add("TypeAlias")
            return f"{name}: TypeAlias"
        return name

    def render(self, definitions: Sequence[TypeSpec]) -> str:
        body = "\n\n\n".join(self.definition(typedef) for typedef in definitions)
        imports: list[str] = []
        if "" in self.datetime:
            imports.append("import datetime")
        elif self.datetime:
            imports.append(f"from datetime import {', '.join(sorted(self.datetime))}")
        if self.needs_enum:
            imports.append("from enum import Enum")
        if self.typing:
            imports.append(f"from typing import {', '.join(sorted(self.typing))}")
        if self.pydantic:
            imports.append(f"\nfrom pydantic import {', '.join(sorted(self.pydantic))}")
        if self.needs_to_camel:
            imports.append("from pydantic.alias_generators import to_camel")
        if self.needs_base_model:
            imports.append("\nfrom .._models import BaseModel")
        for owner in sorted(self.local):
            imports.append(f"from .{owner} import {', '.join(sorted(self.local[owner]))}")
        head = "\n".join(imports) + "\n\n\n" if imports else ""
        return head + body + "\n"


def _factory(default: FieldDefault) -> str:
    return "list" if default.kind is DefaultKind.EMPTY_LIST else "dict"


def render_python(spec: Spec) -> dict[str, str]:
    """The reference SDK: relative path -> source."""
    package = spec.package
    files = {f"{package}/__init__.py": f'"""The {package} SDK."""\n'}
    if any(model.python_form is not PythonForm.INIT_CLASS for model in spec.models()):
        # A base no model extends would be a (field-less) type of its own.
        files[f"{package}/_models.py"] = _MODELS_PY
    exports: list[str] = []
    for module in spec.modules:
        definitions = spec.defined_in(module.name)
        files[f"{package}/types/{module.name}.py"] = _PythonModuleWriter(spec, module).render(definitions)
        names = ", ".join(f"{typedef.name} as {typedef.name}" for typedef in definitions)
        exports.append(f"from .{module.name} import {names}")
    files[f"{package}/types/__init__.py"] = "\n".join(exports) + "\n"
    return files


# ---------------------------------------------------------------------------------------------
# The port's layout
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExText:
    """A typespec written as is: `String.t()`, `integer()`, `map()`."""

    text: str


@dataclass(frozen=True)
class ExList:
    item: ExType
    as_call: bool = False  # list(x) instead of [x]


@dataclass(frozen=True)
class ExMap:
    """`%{String.t() => value}`."""

    value: ExType
    optional_key: bool = False


@dataclass(frozen=True)
class ExUnion:
    members: tuple[ExType, ...]


@dataclass(frozen=True)
class ExValues:
    """String literals `"a" | "b"`, or atoms `:a | :b`."""

    values: tuple[str, ...]
    atoms: bool = False


@dataclass(frozen=True)
class ExRef:
    """`Module.t()`, or a local type `Module.name()` (`name()` inside that module)."""

    module: str
    name: str = "t"


@dataclass(frozen=True)
class ExRecord:
    """A map with fixed atom keys, `%{required(:a) => A, optional(:b) => B}` or `%{a: A, b: B}`."""

    entries: tuple[tuple[str, ExType, bool], ...]
    """(key, value, required)"""
    keyword_style: bool = False


ExType = ExText | ExList | ExMap | ExUnion | ExValues | ExRef | ExRecord

STRING_T = ExText("String.t()")
ANY_MAP = ExText("map()")


@dataclass(frozen=True)
class PortField:
    """A struct field: `default` is Elixir source (None: a bare key, i.e. nil)."""

    name: str
    type: ExType
    enforced: bool = False
    nullable: bool = False
    default: str | None = None


class ReadStyle(StrEnum):
    """How the port's own decoder reads one key of the wire map."""

    ACCESS = "access"  # m["key"]
    MAP_GET = "map-get"  # Map.get(m, "key")
    FALLBACK = "fallback"  # m["key"] || m[:field], for a caller who passes atom keys
    HEAD_PATTERN = "head-pattern"  # def from_api(%{"key" => field} = m): only for a key always sent
    BOUND = "bound"  # field = Map.get(m, "key"), then `field: field` in the struct


@dataclass(frozen=True)
class WireEntry:
    """One struct field the port's own encoder writes, or its decoder reads, under `key`."""

    field: str
    key: str
    style: ReadStyle = ReadStyle.ACCESS


@dataclass(frozen=True)
class WireFunction:
    """The port's own encoder (`to_api`: a map literal of the struct's fields) or decoder (`from_api`:
    the module's struct literal of the map's keys). Entries of fields the struct no longer has are
    left out when rendering, as a port that dropped a field would not convert it either."""

    name: str
    entries: tuple[WireEntry, ...]

    def without(self, field: str) -> WireFunction:
        return replace(self, entries=tuple(entry for entry in self.entries if entry.field != field))

    def renamed(self, field: str, key: str) -> WireFunction:
        # A fallback reads the field's own name too, which is a wire name Python accepts: the renamed
        # key is read on its own so that nothing else rescues it.
        def rename(entry: WireEntry) -> WireEntry:
            if entry.field != field:
                return entry
            style = ReadStyle.ACCESS if entry.style is ReadStyle.FALLBACK else entry.style
            return replace(entry, key=key, style=style)

        return replace(self, entries=tuple(map(rename, self.entries)))


@dataclass(frozen=True)
class PortStruct:
    fields: tuple[PortField, ...]
    style: StructStyle = StructStyle.DEFSTRUCT
    encoder: EncoderStyle = EncoderStyle.NONE
    encoder_omits: tuple[str, ...] = ()
    to_wire: WireFunction | None = None
    from_wire: WireFunction | None = None

    def field_named(self, name: str) -> PortField:
        return next(port_field for port_field in self.fields if port_field.name == name)

    def with_field(self, name: str, change: Callable[[PortField], PortField | None]) -> PortStruct:
        """The struct with one field changed (or dropped when `change` returns None)."""
        changed = (change(f) if f.name == name else f for f in self.fields)
        return replace(self, fields=tuple(f for f in changed if f is not None))


@dataclass(frozen=True)
class PortModule:
    """One `defmodule`. `parent` nests it inside another module of the same file."""

    name: str
    file: str
    struct: PortStruct | None = None
    own_type: ExType | None = None
    local_types: tuple[tuple[str, ExType], ...] = ()
    parent: str | None = None
    use_aliases: bool = False
    converters: tuple[tuple[str, str], ...] = ()
    """(atom, wire string) pairs written as `to_api`/`from_api` clauses beside the module's atom enum."""
    catch_all: str | None = None
    """The atom a last `from_api(_)` clause turns every other wire value into."""

    def with_local_type(self, name: str, change: Callable[[ExType], ExType | None]) -> PortModule:
        changed = ((local, change(expr) if local == name else expr) for local, expr in self.local_types)
        return replace(self, local_types=tuple((n, e) for n, e in changed if e is not None))


@dataclass(frozen=True)
class Port:
    modules: tuple[PortModule, ...]

    def module(self, name: str) -> PortModule:
        return next(module for module in self.modules if module.name == name)

    def with_module(self, name: str, change: Callable[[PortModule], PortModule | None]) -> Port:
        changed = (change(m) if m.name == name else m for m in self.modules)
        return Port(tuple(m for m in changed if m is not None))

    def with_struct(self, name: str, change: Callable[[PortStruct], PortStruct]) -> Port:
        def changed(module: PortModule) -> PortModule:
            assert module.struct is not None
            return replace(module, struct=change(module.struct))

        return self.with_module(name, changed)

    def added(self, module: PortModule) -> Port:
        return Port((*self.modules, module))


@dataclass(frozen=True)
class ElixirHome:
    """Where a spec type lives in the port: a module, or a local type `local` of that module."""

    module: str
    local: str | None = None

    @property
    def ref(self) -> ExRef:
        return ExRef(self.module, self.local or "t")


def elixir_home(spec: Spec, name: str) -> ElixirHome:
    rename = spec.renamed(name)
    if rename is not None and rename.host is not None:
        return ElixirHome(elixir_home(spec, rename.host).module, rename.local)
    if rename is not None:
        return ElixirHome(".".join((spec.elixir_root, *rename.path)))
    typedef = spec.named(name)
    if isinstance(typedef, LiteralAliasSpec | UnionAliasSpec) and typedef.host is not None:
        return ElixirHome(elixir_home(spec, typedef.host).module, snake_case(name))
    if isinstance(typedef, ModelSpec) and typedef.nested_in is not None:
        return ElixirHome(f"{elixir_home(spec, typedef.nested_in).module}.{name}")
    return ElixirHome(f"{spec.elixir_root}.{name}")


_SCALAR_SPELLINGS: dict[ScalarKind, tuple[str, ...]] = {
    ScalarKind.STR: ("String.t()", "String.t()", "binary()"),
    ScalarKind.INT: ("integer()", "non_neg_integer()"),
    ScalarKind.FLOAT: ("float()", "number()"),
    ScalarKind.BOOL: ("boolean()",),
    ScalarKind.BYTES: ("binary()",),
    ScalarKind.DATETIME: ("DateTime.t()",),
    ScalarKind.DATE: ("Date.t()",),
    ScalarKind.ANY: ("term()", "any()"),
}


def scalar_typespec(kind: ScalarKind, place: str) -> ExText:
    spellings = _SCALAR_SPELLINGS[kind]
    return ExText(spellings[_variant(place, len(spellings))])


def elixir_type(spec: Spec, field_type: FieldType, place: str) -> ExType:
    """The faithful typespec of a field type; `place` only picks among equivalent spellings."""
    match field_type:
        case ScalarType(kind=kind):
            return scalar_typespec(kind, place)
        case ScalarAliasRef(name=name):
            alias = spec.named(name)
            assert isinstance(alias, ScalarAliasSpec)
            return scalar_typespec(alias.kind, place)
        case LiteralType(values=values):
            return ExValues(values)
        case NamedRef(name=name):
            return elixir_home(spec, name).ref
        case ListType(item=item):
            return ExList(elixir_type(spec, item, place + "[]"), as_call=_variant(place, 3) == 0)
        case DictType(value=ScalarType(kind=ScalarKind.ANY)):
            return ANY_MAP
        case DictType(value=value):
            return ExMap(elixir_type(spec, value, place + "{}"), optional_key=_variant(place, 4) == 0)
        case UnionType(members=members):
            return ExUnion(tuple(elixir_type(spec, m, f"{place}|{i}") for i, m in enumerate(members)))
    raise TypeError(field_type)


def elixir_default(default: FieldDefault | None) -> str | None:
    if default is None or default.kind is DefaultKind.NONE:
        return None
    if default.kind is DefaultKind.EMPTY_LIST:
        return "[]"
    if default.kind is DefaultKind.EMPTY_DICT:
        return "%{}"
    return elixir_literal(default.value)


def elixir_literal(value: DefaultValue | None) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    return repr(value)


def port_field(spec: Spec, model: ModelSpec, spec_field: SpecField) -> PortField:
    place = f"{model.name}.{spec_field.name}"
    discriminator = spec_field.discriminator_value
    if discriminator is not None and _variant(place, 2) == 0:
        # The usual port of a tag: a plain string that defaults to the tag's value.
        field_type: ExType = STRING_T
    else:
        field_type = elixir_type(spec, spec_field.type, place)
    return PortField(
        spec_field.name,
        field_type,
        enforced=spec_field.required,
        nullable=spec_field.optional,
        default=elixir_default(spec_field.default),
    )


def _read_style(spec_field: SpecField, place: str) -> ReadStyle:
    # A head pattern only matches a map that has the key: only a required field is read that way.
    styles = list(ReadStyle) if spec_field.required else [s for s in ReadStyle if s is not ReadStyle.HEAD_PATTERN]
    return styles[_variant(place + "#read", len(styles))]


def wire_functions(spec: Spec, model: ModelSpec) -> tuple[WireFunction | None, WireFunction | None]:
    """The faithful encoder and decoder of a model that has them: every field under its wire name."""
    fields = spec.all_fields(model)
    encoder = decoder = None
    if model.encoder_function is not None:
        encoder = WireFunction(model.encoder_function, tuple(WireEntry(f.name, f.wire_name) for f in fields))
    if model.decoder_function is not None:
        entries = tuple(
            WireEntry(f.name, f.wire_name, _read_style(f, f"{model.name}.{f.name}")) for f in fields
        )
        decoder = WireFunction(model.decoder_function, entries)
    return encoder, decoder


def _file_of(spec: Spec, typedef: TypeSpec) -> str:
    if spec.module(typedef.module).port_in_one_file:
        return typedef.module
    return snake_case(typedef.name)


def plan_port(spec: Spec) -> Port:
    """The faithful port of `spec`."""
    modules: list[PortModule] = []
    local_types: dict[str, list[tuple[str, ExType]]] = {}
    for typedef in spec.types:
        if isinstance(typedef, LiteralAliasSpec | UnionAliasSpec):
            home = elixir_home(spec, typedef.name)
            if home.local is not None:
                local_types.setdefault(home.module, []).append((home.local, _alias_target(spec, typedef)))
    for typedef in spec.types:
        if isinstance(typedef, ScalarAliasSpec):
            continue
        home = elixir_home(spec, typedef.name)
        if home.local is not None:
            continue
        module = PortModule(
            name=home.module,
            file=_file_of(spec, typedef),
            local_types=tuple(local_types.get(home.module, ())),
            use_aliases=_variant(typedef.name, 2) == 0,
        )
        if isinstance(typedef, ModelSpec):
            fields = tuple(port_field(spec, typedef, f) for f in spec.all_fields(typedef))
            to_wire, from_wire = wire_functions(spec, typedef)
            struct = PortStruct(fields, typedef.struct_style, typedef.encoder, to_wire=to_wire, from_wire=from_wire)
            parent = elixir_home(spec, typedef.nested_in).module if typedef.nested_in else None
            file = _file_of(spec, spec.named(typedef.nested_in)) if typedef.nested_in else module.file
            module = replace(module, struct=struct, parent=parent, file=file)
        else:
            module = replace(module, own_type=_alias_target(spec, typedef))
        modules.append(module)
    modules.extend(_false_friend(spec, friend) for friend in spec.false_friends)
    return Port(tuple(modules))


FRIEND_VALUES = ("legacy", "unset")
"""The values of an atom-enum false friend; no generated Literal or enum uses them."""


def _false_friend(spec: Spec, friend: FalseFriend) -> PortModule:
    files = "_".join(snake_case(segment) for segment in friend.path)
    module = PortModule(".".join((spec.elixir_root, *friend.path)), file=f"legacy_{files}")
    if friend.kind is FriendKind.ATOMS:
        return replace(module, own_type=ExValues(FRIEND_VALUES, atoms=True))
    if friend.kind is FriendKind.UNION:
        return replace(module, own_type=ExUnion((STRING_T, ExList(STRING_T))))
    legacy = (PortField("legacy_code", STRING_T, nullable=True), PortField("legacy_flag", ExText("boolean()")))
    return replace(module, struct=PortStruct(legacy))


def _alias_target(spec: Spec, typedef: EnumSpec | LiteralAliasSpec | UnionAliasSpec) -> ExType:
    if isinstance(typedef, UnionAliasSpec):
        return elixir_type(spec, UnionType(typedef.members), typedef.name)
    return ExValues(typedef.values)


# ---------------------------------------------------------------------------------------------
# Elixir rendering
# ---------------------------------------------------------------------------------------------


def _last_segment(module: str) -> str:
    return module.rsplit(".", 1)[-1]


class _ElixirModuleWriter:
    """Renders one module; top-level modules may `alias` the module-level types they use."""

    def __init__(self, module: PortModule, aliasable: frozenset[str]) -> None:
        self.module = module
        self.aliasable = aliasable
        self.aliased: set[str] = set()

    def typespec(self, expr: ExType) -> str:
        match expr:
            case ExText(text=text):
                return text
            case ExList(item=item, as_call=as_call):
                inner = self.typespec(item)
                return f"list({inner})" if as_call else f"[{inner}]"
            case ExMap(value=value, optional_key=optional_key):
                key = "optional(String.t())" if optional_key else "String.t()"
                return f"%{{{key} => {self.typespec(value)}}}"
            case ExUnion(members=members):
                return " | ".join(self.typespec(member) for member in members)
            case ExValues(values=values, atoms=atoms):
                return " | ".join(f":{value}" if atoms else f'"{value}"' for value in values)
            case ExRef(module=module, name=name):
                return f"{self._module_name(module, name)}{name}()"
            case ExRecord(entries=entries, keyword_style=True):
                return "%{" + ", ".join(f"{key}: {self.typespec(value)}" for key, value, _ in entries) + "}"
            case ExRecord(entries=entries):
                written = (
                    f"{'required' if required else 'optional'}(:{key}) => {self.typespec(value)}"
                    for key, value, required in entries
                )
                return "%{" + ", ".join(written) + "}"
        raise TypeError(expr)

    def _module_name(self, module: str, name: str) -> str:
        if module == self.module.name and name != "t":
            return ""
        if self.module.use_aliases and self.module.parent is None and module in self.aliasable:
            self.aliased.add(module)
            return f"{_last_segment(module)}."
        return f"{module}."

    def _nullable(self, port_field: PortField) -> str:
        written = self.typespec(port_field.type)
        return f"{written} | nil" if port_field.nullable else written

    def body(self) -> list[str]:
        lines: list[str] = []
        for local, expr in self.module.local_types:
            lines.append(f"  @type {local} :: {self.typespec(expr)}")
        if self.module.own_type is not None:
            lines.append(f"  @type t :: {self.typespec(self.module.own_type)}")
        for atom, wire in self.module.converters:
            lines.append(f'  def to_api(:{atom}), do: "{wire}"')
        for atom, wire in self.module.converters:
            lines.append(f'  def from_api("{wire}"), do: :{atom}')
        if self.module.catch_all is not None:
            lines.append(f"  def from_api(_), do: :{self.module.catch_all}")
        struct = self.module.struct
        if struct is not None:
            lines.extend(self._encoder(struct))
            if struct.style is StructStyle.TYPED_STRUCT:
                lines.extend(self._typed_struct(struct))
            else:
                lines.extend(self._defstruct(struct))
            present = {f.name for f in struct.fields}
            if struct.to_wire is not None:
                lines.extend(["", *self._to_wire(struct.to_wire, present)])
            if struct.from_wire is not None:
                lines.extend(["", *self._from_wire(struct.from_wire, present)])
        return lines

    def _encoder(self, struct: PortStruct) -> list[str]:
        if struct.encoder is EncoderStyle.DERIVED_ONLY or struct.encoder_omits:
            # `except:` and `only:` say the same thing; `except: []` keeps every field.
            if _variant(self.module.name + "#derive", 2) == 0:
                left_out = ", ".join(f":{name}" for name in struct.encoder_omits)
                return [f"  @derive {{Jason.Encoder, except: [{left_out}]}}"]
            sent = ", ".join(f":{f.name}" for f in struct.fields if f.name not in struct.encoder_omits)
            return [f"  @derive {{Jason.Encoder, only: [{sent}]}}"]
        if struct.encoder is EncoderStyle.DERIVED:
            return ["  @derive Jason.Encoder"]
        return []

    def _to_wire(self, function: WireFunction, present: Collection[str]) -> list[str]:
        place = f"{self.module.name}.{function.name}"
        struct = ("s", "struct")[_variant(place + "#arg", 2)]
        head = f"def {function.name}(%__MODULE__{{}} = {struct})"
        reads = (f"Map.get({struct}, :{{field}})", f"{struct}.{{field}}", f"{struct}.{{field}}")
        written = [
            f'"{entry.key}" => ' + reads[_variant(f"{place}.{entry.field}", 3)].format(field=entry.field)
            for entry in function.entries
            if entry.field in present
        ]
        spelling = _variant(place, 3)
        if spelling == 0:
            return [f"  {head}, do: %{{{', '.join(written)}}}"]
        lines = [f"  {head} do", "    %{", *_comma_separated(written, "      "), "    }"]
        if spelling == 1:
            # The usual way to leave unset fields out of a request: a nil is not sent at all.
            lines += ["    |> Enum.reject(fn {_k, v} -> is_nil(v) end)", "    |> Map.new()"]
        return [*lines, "  end"]

    def _from_wire(self, function: WireFunction, present: Collection[str]) -> list[str]:
        place = f"{self.module.name}.{function.name}"
        source = ("m", "attrs")[_variant(place + "#arg", 2)]
        entries = [entry for entry in function.entries if entry.field in present]
        pattern = [entry for entry in entries if entry.style is ReadStyle.HEAD_PATTERN]
        head = source
        if pattern:
            keys = ", ".join(f'"{entry.key}" => {entry.field}' for entry in pattern)
            # A map argument no body expression reads is not bound, as the compiler would warn.
            bound = any(entry.style is not ReadStyle.HEAD_PATTERN for entry in entries)
            head = f"%{{{keys}}}" + (f" = {source}" if bound else "")
        reads = {
            ReadStyle.ACCESS: '{m}["{key}"]',
            ReadStyle.MAP_GET: 'Map.get({m}, "{key}")',
            ReadStyle.FALLBACK: '{m}["{key}"] || {m}[:{field}]',
            ReadStyle.HEAD_PATTERN: "{field}",
            ReadStyle.BOUND: "{field}",
        }
        values = [
            f"{entry.field}: " + reads[entry.style].format(m=source, key=entry.key, field=entry.field)
            for entry in entries
        ]
        statements = [
            f'    {entry.field} = Map.get({source}, "{entry.key}")'
            for entry in entries
            if entry.style is ReadStyle.BOUND
        ]
        if not statements and _variant(place, 2) == 0:
            return [f"  def {function.name}({head}), do: %__MODULE__{{{', '.join(values)}}}"]
        struct = ["    %__MODULE__{", *_comma_separated(values, "      "), "    }"]
        return [f"  def {function.name}({head}) do", *statements, *struct, "  end"]

    def _defstruct(self, struct: PortStruct) -> list[str]:
        lines: list[str] = []
        enforced = [f":{f.name}" for f in struct.fields if f.enforced]
        if enforced:
            lines.append(f"  @enforce_keys [{', '.join(enforced)}]")
        keys = [f":{f.name}" for f in struct.fields if f.default is None]
        keys += [f"{f.name}: {f.default}" for f in struct.fields if f.default is not None]
        lines.append(f"  defstruct [{', '.join(keys)}]")
        specs = ",\n".join(f"          {f.name}: {self._nullable(f)}" for f in struct.fields)
        lines.append(f"\n  @type t :: %__MODULE__{{\n{specs}\n        }}")
        return lines

    def _typed_struct(self, struct: PortStruct) -> list[str]:
        """TypedStruct adds `| nil` to a field that is neither enforced nor defaulted (`default: nil`
        counts as a default), so the options below say exactly what the port field says."""
        lines = ["  typedstruct do"]
        for f in struct.fields:
            if f.enforced:
                options = ", enforce: true" + (f", default: {f.default}" if f.default is not None else "")
                written = self._nullable(f)
            elif f.default is not None:
                options = f", default: {f.default}"
                written = self._nullable(f)
            elif f.nullable:
                options = ""
                written = self.typespec(f.type)
            else:
                options = ", default: nil"
                written = self.typespec(f.type)
            lines.append(f"    field :{f.name}, {written}{options}")
        lines.append("  end")
        return lines


def _comma_separated(items: Sequence[str], indent: str) -> list[str]:
    """One item a line, as a multi-line map or struct literal is written."""
    return [f"{indent}{item}{',' if index < len(items) - 1 else ''}" for index, item in enumerate(items)]


def _render_module(
    module: PortModule, children: Mapping[str, list[PortModule]], aliasable: frozenset[str], depth: int
) -> list[str]:
    writer = _ElixirModuleWriter(module, aliasable)
    body = writer.body()
    for child in children.get(module.name, []):
        body.append("")
        body.extend(_render_module(child, children, aliasable, 1))
    head: list[str] = []
    if module.struct is not None and module.struct.style is StructStyle.TYPED_STRUCT:
        head.append("  use TypedStruct")
    by_parent: dict[str, list[str]] = {}
    for name in sorted(writer.aliased):
        parent, last = name.rsplit(".", 1)
        by_parent.setdefault(parent, []).append(last)
    head.extend(f"  alias {parent}.{{{', '.join(lasts)}}}" for parent, lasts in sorted(by_parent.items()))
    title = _last_segment(module.name) if depth else module.name
    lines = [f"defmodule {title} do", f'  @moduledoc "Port of {_last_segment(module.name)}."']
    lines.extend(["", *head] if head else [])
    lines.extend(["", *body, "end"])
    return ["  " * depth + line if line else line for line in lines]


def render_port(port: Port, package: str) -> dict[str, str]:
    """The port's `lib/` tree: relative path -> source."""
    # An alias names a module by its last segment: one that two modules share would be ambiguous.
    sharing = Counter(_last_segment(m.name) for m in port.modules)
    aliasable = frozenset(m.name for m in port.modules if m.parent is None and sharing[_last_segment(m.name)] == 1)
    children: dict[str, list[PortModule]] = {}
    files: dict[str, list[PortModule]] = {}
    for module in port.modules:
        if module.parent is not None:
            children.setdefault(module.parent, []).append(module)
        else:
            files.setdefault(module.file, []).append(module)
    rendered: dict[str, str] = {}
    for file, modules in files.items():
        blocks = ["\n".join(_render_module(module, children, aliasable, 0)) for module in modules]
        rendered[f"lib/{package}/types/{file}.ex"] = "\n\n".join(blocks) + "\n"
    return rendered


def render_elixir(spec: Spec) -> dict[str, str]:
    """The faithful Elixir port of `spec`: relative path -> source."""
    return render_port(plan_port(spec), spec.package)


@dataclass(frozen=True)
class ExpectedFinding:
    rule: str
    severity: str
    type: str
    field: str | None


def inherent_findings(spec: Spec, dropped: Collection[str] = ()) -> list[ExpectedFinding]:
    """What even a faithful port reports: `bytes-as-base64` for every bytes field (Elixir has no bytes)
    of a model the port did not drop, and `extra-type` for every false friend (named like a type, it is
    none of the spec's)."""
    bytes_fields = [
        ExpectedFinding("bytes-as-base64", "info", model.name, spec_field.name)
        for model in spec.models()
        if model.name not in dropped
        for spec_field in spec.all_fields(model)
        if spec_field.type == ScalarType(ScalarKind.BYTES)
    ]
    friends = [ExpectedFinding("extra-type", "P3", friend.path[-1], None) for friend in spec.false_friends]
    return bytes_fields + friends


def write_tree(root: Path, files: Mapping[str, str]) -> Path:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def write_pair(root: Path, spec: Spec, port: Port) -> tuple[Path, Path]:
    """The SDK and its port written below `root` (in py/ and ex/): the Python root and the Elixir root."""
    return write_tree(root / "py", render_python(spec)), write_tree(root / "ex", render_port(port, spec.package))


# ---------------------------------------------------------------------------------------------
# Random specs
# ---------------------------------------------------------------------------------------------

def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_TYPE_HEADS = _words(
    "Order Invoice Asset Render Print Shipping Billing Account Project Layer Canvas Palette Report "
    "Webhook Session Token Upload Review Proof Media Catalog Price Refund Member Team Quota Usage "
    "Device Region Archive"
)
_TYPE_TAILS = _words("Item Summary Request Response Detail Config Record Entry Spec Result Options Info Stats Batch")
_ENUM_TAILS = _words("Kind Mode State Level Phase Tier")
_UNION_TAILS = _words("Variant Payload Part Choice")
_ALIAS_TAILS = ("ID", "Ref", "Key")
_FIELD_WORDS = _words(
    "name label title count total amount width height status notes owner region price currency quantity "
    "priority weight score enabled archived created updated expires starts ends tags items entries labels "
    "source target parent summary detail reason code offset limit cursor page version revision locale "
    "channel color shape size scale ratio margin url path checksum payload body origin step stage rank"
)
_VALUE_WORDS = _words(
    "alpha beta gamma delta low medium high draft active paused closed small large north south east west "
    "red green blue queued running done failed"
)
_MODULE_WORDS = _words("orders billing assets rendering shipping accounts projects reports events media catalog")

EXTRA_VALUE = "port_only_value"
"""A value no generated Literal or enum uses (tests add it to the port's side)."""


@dataclass
class _Builder:
    """Mutable state while drawing a spec; types only ever refer to types drawn before them."""

    rng: random.Random
    fields_per_type: tuple[int, int]
    with_bytes: bool
    literal_alias_uses: float
    wire_keys: float
    types: list[TypeSpec] = field(default_factory=list)
    modules: list[ModuleSpec] = field(default_factory=list)
    index: dict[str, int] = field(default_factory=dict)
    names_by_kind: dict[type, list[str]] = field(default_factory=dict)
    tagged_models: list[str] = field(default_factory=list)
    untagged_models: list[str] = field(default_factory=list)
    hosts: set[str] = field(default_factory=set)
    parents: set[str] = field(default_factory=set)
    reserved: set[str] = field(default_factory=set)

    def add(self, typedef: TypeSpec) -> None:
        self.index[typedef.name] = len(self.types)
        self.types.append(typedef)
        self.names_by_kind.setdefault(type(typedef), []).append(typedef.name)
        if isinstance(typedef, ModelSpec) and typedef.python_form is not PythonForm.INIT_CLASS:
            # A plain class is never a pydantic model's base.
            (self.tagged_models if _is_tagged(typedef) else self.untagged_models).append(typedef.name)
        if isinstance(typedef, LiteralAliasSpec | UnionAliasSpec) and typedef.host is not None:
            self.hosts.add(typedef.host)

    def generates_aliases(self, model: ModelSpec) -> bool:
        return generates_aliases(model, self.model_named)

    def model_named(self, name: str) -> ModelSpec:
        typedef = self.types[self.index[name]]
        assert isinstance(typedef, ModelSpec)
        return typedef

    def fresh_name(self, heads: Sequence[str], tails: Sequence[str]) -> str:
        name = self.rng.choice(heads) + self.rng.choice(tails)
        counter = 2
        candidate = name
        while candidate in self.index or candidate in self.reserved:
            candidate = f"{name}{counter}"
            counter += 1
        self.reserved.add(candidate)
        return candidate

    def values(self) -> tuple[str, ...]:
        return tuple(self.rng.sample(_VALUE_WORDS, self.rng.randint(2, 4)))

    def pick(self, *kinds: type) -> str | None:
        """A uniformly drawn earlier type of one of `kinds`."""
        groups = [self.names_by_kind.get(kind, []) for kind in kinds]
        position = self.rng.randrange(sum(map(len, groups))) if any(groups) else None
        for group in groups:
            if position is None:
                break
            if position < len(group):
                return group[position]
            position -= len(group)
        return None

    def scalar(self) -> ScalarType:
        kinds = [ScalarKind.STR] * 5 + [ScalarKind.INT] * 3 + [ScalarKind.FLOAT, ScalarKind.BOOL] * 2
        kinds += [ScalarKind.DATETIME, ScalarKind.DATETIME, ScalarKind.DATE]
        if self.with_bytes:
            kinds.append(ScalarKind.BYTES)
        return ScalarType(self.rng.choice(kinds))

    def plain_scalar(self) -> ScalarType:
        """A scalar that may sit inside a container or union (no bytes, no datetime)."""
        return ScalarType(self.rng.choice([ScalarKind.STR, ScalarKind.INT, ScalarKind.FLOAT, ScalarKind.BOOL]))

    def ref(self, *kinds: type) -> NamedRef | None:
        name = self.pick(*kinds)
        return NamedRef(name) if name is not None else None

    def field_type(self) -> FieldType:
        # Checked before any draw, so that the default (0) draws exactly the specs it always drew.
        if (
            self.literal_alias_uses
            and LiteralAliasSpec in self.names_by_kind
            and self.rng.random() < self.literal_alias_uses
            and (ref := self.ref(LiteralAliasSpec))
        ):
            return ref
        roll = self.rng.random()
        if roll < 0.42:
            return self.scalar()
        if roll < 0.47 and (alias := self.pick(ScalarAliasSpec)):
            return ScalarAliasRef(alias)
        if roll < 0.55:
            return LiteralType(self.values())
        if roll < 0.65 and (ref := self.ref(EnumSpec, LiteralAliasSpec, UnionAliasSpec)):
            return ref
        if roll < 0.73 and (ref := self.ref(ModelSpec)):
            return ref
        if roll < 0.84:
            item = self.rng.choice([self.plain_scalar(), self.ref(ModelSpec), self.ref(EnumSpec, LiteralAliasSpec)])
            return ListType(item or self.plain_scalar())
        if roll < 0.95:
            value = self.rng.choice(
                [self.plain_scalar(), ScalarType(ScalarKind.ANY), self.ref(ModelSpec), ScalarType(ScalarKind.DATETIME)]
            )
            return DictType(value or ScalarType(ScalarKind.ANY))
        second = self.ref(ModelSpec) or ScalarType(ScalarKind.DATETIME)
        return UnionType((self.plain_scalar(), second))

    def optionality(self, field_type: FieldType) -> tuple[bool, FieldDefault | None]:
        """(optional, default) for a field of this type, in realistic proportions."""
        roll = self.rng.random()
        if roll < 0.45:
            return False, None
        if roll < 0.75:
            return True, NONE_DEFAULT
        if roll < 0.8:
            return True, None
        value = self.value_default(field_type)
        if value is None:
            return True, NONE_DEFAULT
        return roll > 0.95, value

    def value_default(self, field_type: FieldType) -> FieldDefault | None:
        match field_type:
            case ScalarType(kind=ScalarKind.STR):
                return FieldDefault(DefaultKind.VALUE, self.rng.choice(_VALUE_WORDS))
            case ScalarType(kind=ScalarKind.INT):
                return FieldDefault(DefaultKind.VALUE, self.rng.randint(0, 500))
            case ScalarType(kind=ScalarKind.FLOAT):
                return FieldDefault(DefaultKind.VALUE, self.rng.randint(0, 40) / 4)
            case ScalarType(kind=ScalarKind.BOOL):
                return FieldDefault(DefaultKind.VALUE, self.rng.random() < 0.5)
            case LiteralType(values=values):
                return FieldDefault(DefaultKind.VALUE, self.rng.choice(values))
            case NamedRef(name=name) if isinstance(named := self.types[self.index[name]], EnumSpec | LiteralAliasSpec):
                return FieldDefault(DefaultKind.VALUE, self.rng.choice(named.values))
            case ListType():
                return EMPTY_LIST_DEFAULT
            case DictType():
                return EMPTY_DICT_DEFAULT
        return None

    def inherited_names(self, base: str | None) -> set[str]:
        names: set[str] = set()
        while base is not None:
            model = self.model_named(base)
            names.update(f.name for f in model.fields)
            base = model.base
        return names

    def model_fields(self, taken: set[str], discriminator: str | None) -> tuple[SpecField, ...]:
        fields: list[SpecField] = []
        if discriminator is not None:
            tag = FieldDefault(DefaultKind.VALUE, discriminator)
            fields.append(SpecField("type", LiteralType((discriminator,)), default=tag))
        for attempt in range(self.rng.randint(*self.fields_per_type)):
            name = self.rng.choice(_FIELD_WORDS)
            if self.rng.random() < 0.3 or name in taken:
                name = f"{name}_{self.rng.choice(_FIELD_WORDS)}"
            stem, suffix = name, attempt
            while name in taken:
                # An inherited field may already have the numbered name: a field is never redefined.
                name = f"{stem}{suffix}"
                suffix += 1
            taken.add(name)
            field_type = self.field_type()
            optional, default = self.optionality(field_type)
            fields.append(SpecField(name, field_type, optional, default))
        return tuple(fields)

    def model(self, module: str) -> ModelSpec:
        name = self.fresh_name(_TYPE_HEADS, _TYPE_TAILS)
        base = self.rng.choice(self.untagged_models) if self.untagged_models and self.rng.random() < 0.15 else None
        discriminator = snake_case(name) if base is None and self.rng.random() < 0.25 else None
        fields = self.model_fields({"type"} | self.inherited_names(base), discriminator)
        if not fields:
            fields = (SpecField("name", ScalarType(ScalarKind.STR)),)
        model = ModelSpec(
            name,
            module,
            fields,
            base=base,
            struct_style=StructStyle.TYPED_STRUCT if self.rng.random() < 0.3 else StructStyle.DEFSTRUCT,
            encoder=self.rng.choice(list(EncoderStyle)),
        )
        # Checked before any draw, so that the default (0) draws exactly the specs it always drew.
        return self.with_wire_keys(model) if self.wire_keys else model

    def with_wire_keys(self, model: ModelSpec) -> ModelSpec:
        """Some fields get a pydantic alias; with chance `wire_keys` the port writes its own encoder,
        decoder or both, which use every field's wire name."""
        fields = tuple(
            replace(f, alias=wire_alias(f.name))
            if f.discriminator_value is None and self.rng.random() < 0.35
            else f
            for f in model.fields
        )
        model = replace(model, fields=fields)
        inherits_generator = model.base is not None and self.generates_aliases(self.model_named(model.base))
        form = self.rng.choice([PythonForm.ALIAS_GENERATOR, PythonForm.INIT_CLASS, *[PythonForm.PYDANTIC] * 6])
        if inherits_generator or (form is PythonForm.ALIAS_GENERATOR and model.base is None):
            # Every field takes the generated name; an explicit alias is not written beside a generator.
            fields = tuple(replace(f, alias=camel_alias(f.name)) for f in model.fields)
            python_form = PythonForm.PYDANTIC if inherits_generator else PythonForm.ALIAS_GENERATOR
            model = replace(model, fields=fields, python_form=python_form)
        elif form is PythonForm.INIT_CLASS and model.base is None and not _is_tagged(model) and _init_storable(model):
            model = replace(model, fields=tuple(replace(f, alias=None) for f in model.fields), python_form=form)
        if self.rng.random() >= self.wire_keys:
            return model
        names = self.rng.choice([("to_api", "from_api"), ("to_map", "from_map")])
        sides = self.rng.choice([(True, True), (True, True), (True, False), (False, True)])
        return replace(
            model,
            encoder_function=names[0] if sides[0] else None,
            decoder_function=names[1] if sides[1] else None,
        )

    def nest_a_used_model(self, parent: ModelSpec) -> None:
        """Sometimes moves a model of the same module that the parent uses into the parent's module."""
        if self.rng.random() < 0.5:
            return
        used = {name for f in parent.fields for name in referenced_names(f.type)}
        candidates = sorted(
            name
            for name in used
            if isinstance(child := self.types[self.index[name]], ModelSpec)
            and child.module == parent.module
            and child.nested_in is None
            and name not in self.hosts
            and name not in self.parents
        )
        if candidates:
            name = self.rng.choice(candidates)
            self.types[self.index[name]] = replace(self.model_named(name), nested_in=parent.name)
            self.parents.add(parent.name)

    def host(self) -> str | None:
        return self.pick(ModelSpec) if self.rng.random() < 0.5 else None

    def union_alias(self, module: str) -> UnionAliasSpec:
        name = self.fresh_name(_TYPE_HEADS, _UNION_TAILS)
        if len(self.tagged_models) >= 2 and self.rng.random() < 0.6:
            members = self.rng.sample(self.tagged_models, self.rng.randint(2, min(4, len(self.tagged_models))))
            return UnionAliasSpec(name, module, tuple(NamedRef(m) for m in members), "type", self.host())
        chosen: list[FieldType] = [NamedRef(m) for m in {self.pick(ModelSpec), self.pick(ModelSpec)} if m]
        scalars = [ScalarType(ScalarKind.STR), ScalarType(ScalarKind.INT)]
        chosen += scalars[: max(2 - len(chosen), self.rng.randint(0, 1))]
        return UnionAliasSpec(name, module, tuple(sorted(chosen, key=repr)), None, self.host())

    def draw(self, module: str) -> None:
        # The first type is a model: an SDK whose `_models.BaseModel` no model extends would make
        # that field-less class a model of its own.
        roll = self.rng.random() if self.names_by_kind.get(ModelSpec) else 1.0
        if roll < 0.1:
            self.add(EnumSpec(self.fresh_name(_TYPE_HEADS, _ENUM_TAILS), module, self.values()))
        elif roll < 0.2:
            name = self.fresh_name(_TYPE_HEADS, _ENUM_TAILS)
            self.add(LiteralAliasSpec(name, module, self.values(), self.host()))
        elif roll < 0.28 and self.names_by_kind.get(ModelSpec):
            self.add(self.union_alias(module))
        else:
            model = self.model(module)
            self.add(model)
            self.nest_a_used_model(model)


def generates_aliases(model: ModelSpec, model_named: Callable[[str], ModelSpec]) -> bool:
    """Whether the model or a base sets pydantic's `to_camel` alias generator."""
    if model.python_form is PythonForm.ALIAS_GENERATOR:
        return True
    return model.base is not None and generates_aliases(model_named(model.base), model_named)


def _init_storable(model: ModelSpec) -> bool:
    """Whether an `__init__` can store every field as the model declares it: a list or dict default is
    written as `None` normalised on the way in, which cannot also let None itself through."""
    return not any(
        f.optional and f.default is not None and f.default.kind in (DefaultKind.EMPTY_LIST, DefaultKind.EMPTY_DICT)
        for f in model.fields
    )


def camel_alias(name: str) -> str | None:
    """What pydantic's `to_camel` makes of a snake_case field name, when it differs from the name."""
    head, *rest = name.split("_")
    camel = head + "".join(part.capitalize() for part in rest)
    return camel if camel != name else None


def wire_alias(name: str) -> str:
    """A camelCase alias that differs from the field name (`created_at` -> `createdAt`, `name` -> `nameValue`)."""
    return camel_alias(name) or f"{name}Value"


def _is_tagged(model: ModelSpec) -> bool:
    return any(f.discriminator_value is not None for f in model.fields)


def generate_spec(
    rng: random.Random,
    type_count: int,
    *,
    fields_per_type: tuple[int, int] = (6, 14),
    types_per_module: tuple[int, int] = (5, 10),
    with_bytes: bool = True,
    literal_alias_uses: float = 0.0,
    wire_keys: float = 0.0,
    package: str = "acme",
) -> Spec:
    """A deterministic (for a given `rng` state) SDK of `type_count` audited types.

    Types are drawn module by module; scalar aliases (`AccountID = str`) are added in modules of
    their own and are not counted, since the tool never audits them on their own.
    `literal_alias_uses` is the extra chance that a field, once a Literal alias exists, is of one
    (a port may make such an alias a local type of the model that uses it). With `wire_keys`, some
    fields get a pydantic alias and that share of the models a port-side encoder and/or decoder.
    """
    builder = _Builder(rng, fields_per_type, with_bytes, literal_alias_uses, wire_keys)
    for index in range(max(1, type_count // 40)):
        alias_module = f"ids{index}" if index else "ids"
        builder.modules.append(ModuleSpec(alias_module))
        name = builder.fresh_name(_TYPE_HEADS, _ALIAS_TAILS)
        builder.add(ScalarAliasSpec(name, alias_module, rng.choice([ScalarKind.STR, ScalarKind.INT])))
    drawn = 0
    while drawn < type_count:
        module = ModuleSpec(
            f"{rng.choice(_MODULE_WORDS)}{len(builder.modules)}",
            modern_typing=rng.random() < 0.4,
            datetime_module_import=rng.random() < 0.3,
            port_in_one_file=rng.random() < 0.3,
        )
        builder.modules.append(module)
        for _ in range(min(rng.randint(*types_per_module), type_count - drawn)):
            builder.draw(module.name)
            drawn += 1
    return Spec(package, tuple(builder.modules), tuple(builder.types))

