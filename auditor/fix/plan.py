"""Stage 7c: the edits that close the port's gaps, planned from an audit and the port's own sources.

Only additive edits: text inserted at the byte offsets the Elixir front end records for a struct's lists
(`auditor.elixir.sites`), and new files for missing types. A gap that cannot be closed that way without
guessing (a struct built in a macro, a type or default with no Elixir form, a hand-written encoder that
decides the wire keys) is listed in `not_placed` instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from auditor.align import FieldPair, TypePair, needed_missing_types
from auditor.audit import AuditResult
from auditor.elixir import EnumSite, StructSite, read_module_sites
from auditor.findings import Finding
from auditor.fix.conventions import LiteralStyle, detect
from auditor.fix.render import TypeWriter, Unplaceable, atom, elixir_string, struct_default
from auditor.model import STR, AtomSet, Field, LiteralOf, TypeDef, TypeKind, references, simple_name, snake_case

FIXED_RULES = frozenset({"missing-type", "missing-field", "missing-literal"})
_BOM = "\ufeff".encode()


@dataclass(frozen=True)
class Insertion:
    offset: int
    """A byte offset into the file as it is on disk."""
    text: str


@dataclass(frozen=True)
class NotPlaced:
    where: str
    reason: str


@dataclass
class FixPlan:
    """What `fix` writes: insertions into existing files and new files (paths relative to the Elixir
    checkout), the findings those close, and what it leaves to a human."""

    insertions: dict[str, list[Insertion]] = field(default_factory=dict)
    new_files: dict[str, str] = field(default_factory=dict)
    fixed: list[Finding] = field(default_factory=list)
    not_placed: list[NotPlaced] = field(default_factory=list)

    def insert(self, path: str, offset: int, text: str) -> None:
        self.insertions.setdefault(path, []).append(Insertion(offset, text))


@dataclass(frozen=True)
class _NewField:
    python: Field
    typespec: str
    default: str | None


def plan_fix(
    result: AuditResult, elixir_root: Path, every_type: bool = False, kept_unpaired: Iterable[str] = ()
) -> FixPlan:
    """Plans the edits for the audit's missing-type, missing-field and missing-literal findings. A missing
    type is created when a paired type needs it (`needed_missing_types`), or always with `every_type`;
    `kept_unpaired` names Python types pinned to no counterpart, which are never created."""
    return _Planner(result, elixir_root, every_type, frozenset(kept_unpaired)).plan()


class _Planner:
    def __init__(
        self, result: AuditResult, elixir_root: Path, every_type: bool, kept_unpaired: frozenset[str]
    ) -> None:
        self.result = result
        self.root = elixir_root
        self.every_type = every_type
        self.kept_unpaired = kept_unpaired
        self.pairs = {status.pair.key: status.pair for status in result.types}
        self.python_types = result.python.by_qualname()
        self.sources: dict[str, bytes] = {}
        self.sites = self._read_sites()
        self.conventions = detect(self.pairs.values(), self.sites)
        self.plan_result = FixPlan()

    def _read_sites(self) -> dict[str, StructSite | EnumSite]:
        sites: dict[str, StructSite | EnumSite] = {}
        paths = sorted({pair.elixir.location.path for pair in self.pairs.values() if pair.elixir is not None})
        for path in paths:
            try:
                raw = (self.root / path).read_bytes()
                raw.decode("utf-8")
            except (OSError, UnicodeDecodeError):
                continue  # the audit has said so already; its types get no site and are listed
            self.sources[path] = raw
            for site in read_module_sites(path, raw.removeprefix(_BOM)):
                sites.setdefault(site.module, site)
        return sites

    def plan(self) -> FixPlan:
        findings = [finding for finding in self.result.findings if finding.rule in FIXED_RULES]
        created = self._plan_types([f for f in findings if f.rule == "missing-type"])
        fields: dict[tuple[str, str], list[Finding]] = {}
        for finding in findings:
            if finding.rule != "missing-type":
                fields.setdefault(finding.pair, []).append(finding)
        writer = self._writer(created)
        for key in sorted(fields):
            self._plan_fields(self.pairs[key], fields[key], writer, created)
        return self.plan_result

    # Modules -----------------------------------------------------------------------------------------

    def _reference(self, elixir: TypeDef) -> str:
        if elixir.qualname == elixir.module:
            return f"{elixir.module}.t()"
        return f"{elixir.module}.{elixir.name}()"

    def _writer(self, created: Mapping[str, str]) -> TypeWriter:
        modules = {
            pair.python.qualname: self._reference(pair.elixir)
            for pair in self.pairs.values()
            if pair.python is not None and pair.elixir is not None
        }
        modules.update({qualname: f"{module}.t()" for qualname, module in created.items()})
        return TypeWriter(self.conventions, self.python_types, modules)

    def _atom_modules(self, created: Mapping[str, str]) -> frozenset[str]:
        """Python types whose values are atoms in the port: its atom enums, and new enums written as atoms."""
        atoms = {
            pair.python.qualname
            for pair in self.pairs.values()
            if pair.python is not None
            and pair.elixir is not None
            and (isinstance(pair.elixir.target, AtomSet) or isinstance(self.sites.get(pair.elixir.qualname), EnumSite))
        }
        if self.conventions.atom_enums:
            atoms.update(q for q in created if _enum_values(self.python_types[q]) is not None)
        return frozenset(atoms)

    def _plan_types(self, findings: list[Finding]) -> dict[str, str]:
        """Creates a module for each missing type to port; returns Python qualname -> new module."""
        needed = needed_missing_types(self.pairs.values(), self.python_types)
        taken_modules = {typedef.qualname for typedef in self.result.elixir.types}
        candidates: dict[str, tuple[Finding, str, str]] = {}
        for finding in sorted(findings, key=lambda f: f.python_type or ""):
            python = self.python_types[finding.python_type or ""]
            where = python.name
            if python.qualname not in needed and not self.every_type:
                continue
            if python.name in self.kept_unpaired or python.qualname in self.kept_unpaired:
                self._not_placed(where, "a pin keeps it unpaired")
                continue
            module = self._referenced_modules().get(python.name) or f"{self.conventions.namespace}.{python.name}"
            module = module.removeprefix(".")
            path = f"{self.conventions.directory}/{snake_case(python.name)}.ex"
            if module in taken_modules:
                self._not_placed(where, f"{module} exists and is not its counterpart; pin one with --map")
                continue
            if (self.root / path).exists() or path in (p for _, _, p in candidates.values()):
                self._not_placed(where, f"{path} exists; pin its counterpart with --map or move the file")
                continue
            candidates[python.qualname] = (finding, module, path)
        # A type whose module cannot be written takes the types that refer to it out too: repeat until
        # every remaining module renders.
        while True:
            created = {qualname: module for qualname, (_, module, _) in candidates.items()}
            writer = self._writer(created)
            atom_modules = self._atom_modules(created)
            texts: dict[str, str] = {}
            failed: dict[str, str] = {}
            for qualname, (_, module, _) in candidates.items():
                try:
                    texts[qualname] = self._module_text(self.python_types[qualname], module, writer, atom_modules)
                except Unplaceable as reason:
                    failed[qualname] = str(reason)
            if not failed:
                break
            for qualname, reason in failed.items():
                self._not_placed(self.python_types[qualname].name, reason)
                del candidates[qualname]
        for qualname, (finding, _, path) in candidates.items():
            self.plan_result.new_files[path] = texts[qualname]
            self.plan_result.fixed.append(finding)
        return created

    def _referenced_modules(self) -> dict[str, str]:
        """Last segment -> the module the port's typespecs already name but nothing defines: a type the
        port refers to as it would have it, so the new module must take that name."""
        defined = {typedef.qualname for typedef in self.result.elixir.types}
        dangling = sorted(
            qualname
            for typedef in self.result.elixir.types
            for item in typedef.fields
            for qualname in references(item.type)
            if qualname not in defined
        )
        named: dict[str, str] = {}
        for qualname in dangling:
            named.setdefault(simple_name(qualname), qualname)
        return named

    def _module_text(
        self, python: TypeDef, module: str, writer: TypeWriter, atom_modules: frozenset[str]
    ) -> str:
        doc = elixir_string(f"Port of {python.qualname} ({python.location.path}:{python.location.line}).")
        head = [f"defmodule {module} do", f"  @moduledoc {doc}", ""]
        if python.kind is TypeKind.STRUCT:
            fields = [self._new_field(item, writer, atom_modules, _is_tag(item)) for item in python.fields]
            body = self._typed_struct(fields) if self.conventions.typed_struct else self._defstruct(fields)
        elif (values := _enum_values(python)) is not None:
            body = self._enum(values, writer)
        else:
            assert python.target is not None
            body = [f"  @type t :: {writer.typespec(python.target)}"]
        return "\n".join([*head, *body, "end", ""])

    def _derive(self) -> list[str]:
        return ["  @derive Jason.Encoder"] if self.conventions.derive_json_encoder else []

    def _defstruct(self, fields: list[_NewField]) -> list[str]:
        bare = [f":{item.python.name}" for item in fields if item.default is None]
        keyed = [f"{item.python.name}: {item.default}" for item in fields if item.default is not None]
        enforced = [f":{item.python.name}" for item in fields if item.python.required]
        lines = self._derive()
        if enforced:
            lines.append(f"  @enforce_keys [{', '.join(enforced)}]")
        lines.append(f"  defstruct [{', '.join(bare + keyed)}]")
        lines.append("")
        if not fields:
            return [*lines, "  @type t :: %__MODULE__{}"]
        entries = [f"          {item.python.name}: {item.typespec}" for item in fields]
        return [*lines, "  @type t :: %__MODULE__{", ",\n".join(entries), "        }"]

    def _typed_struct(self, fields: list[_NewField]) -> list[str]:
        lines = ["  use TypedStruct", "", *self._derive(), "  typedstruct do"]
        lines += [f"    {_typed_field(item, enforced_by_default=False)}" for item in fields]
        return [*lines, "  end"]

    def _enum(self, values: tuple[str | int | bool, ...], writer: TypeWriter) -> list[str]:
        conventions = self.conventions
        strings = [value for value in values if isinstance(value, str)]
        if not conventions.atom_enums or len(strings) != len(values):
            return [f"  @type t :: {writer.literals(values, LiteralStyle.STRINGS)}"]
        lines = [f"  @type t :: {' | '.join(atom(value) for value in strings)}"]
        if conventions.enum_converters is None:
            return lines
        encoder, decoder = conventions.enum_converters
        lines += ["", f"  @spec {encoder}(t()) :: String.t()"]
        lines += [f"  def {encoder}({atom(value)}), do: {elixir_string(value)}" for value in strings]
        lines += ["", f"  @spec {decoder}(String.t()) :: t()"]
        lines += [f"  def {decoder}({elixir_string(value)}), do: {atom(value)}" for value in strings]
        return lines

    # Fields ------------------------------------------------------------------------------------------

    def _new_field(
        self, python: Field, writer: TypeWriter, atom_modules: frozenset[str], discriminator: bool
    ) -> _NewField:
        if discriminator:
            # A single-value tag is a string field defaulting to the tag, as the audit accepts it.
            return _NewField(python, writer.typespec(STR, python.nullable), struct_default(python.default, False))
        typespec = writer.typespec(python.type, python.nullable)
        default = struct_default(python.default, writer.renders_atoms(python.type, atom_modules))
        return _NewField(python, typespec, default)

    def _not_placed(self, where: str, reason: str) -> None:
        self.plan_result.not_placed.append(NotPlaced(where, reason))

    def _plan_fields(
        self, pair: TypePair, findings: list[Finding], writer: TypeWriter, created: Mapping[str, str]
    ) -> None:
        assert pair.elixir is not None
        elixir = pair.elixir
        site = self.sites.get(elixir.qualname)
        by_name = {field_pair.name: field_pair for field_pair in pair.fields}
        names = ", ".join(f"{pair.name}.{f.field}" for f in findings)
        if not isinstance(site, StructSite) or elixir.location.path not in self.sources:
            self._not_placed(names, f"{elixir.qualname} is not declared by a defstruct or typedstruct it can extend")
            return
        hand_written = elixir.encoder or elixir.decoder
        atom_modules = self._atom_modules(created)
        new_fields: list[tuple[_NewField, Finding]] = []
        wire_only: list[tuple[str, Finding]] = []
        for finding in findings:
            field_pair = by_name[finding.field or ""]
            where = f"{pair.name}.{finding.field}"
            if field_pair.elixir is not None:
                if site.derive_only is None:
                    self._not_placed(where, f"{elixir.qualname}'s own encoder decides which fields it sends")
                else:
                    wire_only.append((field_pair.elixir.name, finding))
                continue
            if elixir.custom_encoder or hand_written is not None:
                what = hand_written.function if hand_written is not None else "Jason.Encoder implementation"
                self._not_placed(where, f"{elixir.qualname}'s hand-written {what} would have to carry it")
                continue
            new_field = self._placeable(field_pair, finding, site, writer, atom_modules)
            if new_field is not None:
                new_fields.append((new_field, finding))
        path = elixir.location.path
        shift = len(_BOM) if self.sources[path].startswith(_BOM) else 0
        for offset, text in _field_insertions(site, [item for item, _ in new_fields], [n for n, _ in wire_only]):
            self.plan_result.insert(path, offset + shift, text)
        self.plan_result.fixed.extend(finding for _, finding in [*new_fields, *wire_only])

    def _placeable(
        self,
        field_pair: FieldPair,
        finding: Finding,
        site: StructSite,
        writer: TypeWriter,
        atom_modules: frozenset[str],
    ) -> _NewField | None:
        python = field_pair.python
        assert python is not None
        where = f"{finding.type_name}.{python.name}"
        if site.typed_struct and site.typed_fields is None:
            self._not_placed(where, f"the typedstruct block of {site.module} has no field to add it after")
            return None
        if not site.typed_struct and site.keys is None:
            self._not_placed(where, f"the defstruct of {site.module} is not a literal list")
            return None
        if not site.typed_struct and site.typespec_written and site.typespec is None:
            self._not_placed(where, f"@type t of {site.module} is not a %__MODULE__{{...}} map it can extend")
            return None
        if not site.typed_struct and python.required and site.enforce_keys is None and site.enforce_keys_written:
            self._not_placed(where, f"@enforce_keys of {site.module} is not a literal list")
            return None
        try:
            return self._new_field(python, writer, atom_modules, discriminator=finding.rule == "missing-literal")
        except Unplaceable as reason:
            self._not_placed(where, str(reason))
            return None


def _is_tag(python: Field) -> bool:
    """A single-value Literal field defaulting to its value: the tag of a variant of a tagged union."""
    return (
        isinstance(python.type, LiteralOf)
        and len(python.type.values) == 1
        and python.default is not None
        and python.default.value == python.type.values[0]
    )


def _enum_values(python: TypeDef) -> tuple[str | int | bool, ...] | None:
    """The values of an enum or a Literal alias; None for any other type."""
    if python.kind in (TypeKind.ENUM, TypeKind.UNION) and isinstance(python.target, LiteralOf):
        return python.target.values
    return None


def _typed_field(item: _NewField, enforced_by_default: bool) -> str:
    """A TypedStruct `field` line. TypedStruct adds `| nil` to a field neither enforced nor defaulted, so the
    typespec says nil itself only where TypedStruct would not."""
    python = item.python
    options: list[str] = []
    if python.required and not enforced_by_default:
        options.append("enforce: true")
    elif not python.required and (item.default is not None or enforced_by_default):
        options.append(f"default: {item.default or 'nil'}")
    nil_added = not python.required and item.default is None and not enforced_by_default
    typespec = item.typespec.removesuffix(" | nil") if nil_added else item.typespec
    return ", ".join([f"field :{python.name}", typespec, *options])


def _field_insertions(site: StructSite, fields: list[_NewField], wire_only: list[str]) -> list[tuple[int, str]]:
    """(offset, text) of every insertion that adds these fields to the struct and its encoder's `only:`."""
    edits: list[tuple[int, str]] = []
    if site.derive_only is not None and (fields or wire_only):
        names = [*wire_only, *(item.python.name for item in fields)]
        edits.append(site.derive_only.append([f":{name}" for name in names]))
    if not fields:
        return edits
    if site.typed_struct:
        assert site.typed_fields is not None
        lines = [_typed_field(item, site.enforced_by_default) for item in fields]
        return [*edits, site.typed_fields.append(lines)]
    assert site.keys is not None
    # Keyword entries must come last in a defstruct list: bare keys go first, and none after a keyword.
    bare = [item for item in fields if item.default is None and not site.keys_are_keywords]
    keyed = [item for item in fields if item not in bare]
    keys = [f":{item.python.name}" for item in bare]
    keys += [f"{item.python.name}: {item.default or 'nil'}" for item in keyed]
    edits.append(site.keys.append(keys))
    enforced = [f":{item.python.name}" for item in fields if item.python.required]
    if enforced and site.enforce_keys is not None:
        edits.append(site.enforce_keys.append(enforced))
    elif enforced:
        edits.append((site.statement_start, f"@enforce_keys [{', '.join(enforced)}]\n{site.indent}"))
    if site.typespec is not None:
        edits.append(site.typespec.append([f"{item.python.name}: {item.typespec}" for item in fields]))
    return edits
