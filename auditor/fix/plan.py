"""Stage 7c: the edits that close the port's gaps, planned from an audit and the port's own sources.

Only additive edits: text inserted at the byte offsets the Elixir front end records for a struct's lists
(`auditor.elixir.sites`), and new files for missing types. Every field and module is written in the port's
habit unless the audit would flag that form (`vet`); then in the nearest form it would not flag. A gap
that cannot be closed that way without guessing (a struct built in a macro, a type or default with no
Elixir form, a hand-written encoder that decides the wire keys, a type every form of which the audit
flags) is listed in `not_placed` instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

from auditor.align import FieldPair, TypePair, needed_missing_types
from auditor.audit import AuditResult
from auditor.elixir import EnumSite, StructSite, read_module_sites
from auditor.findings import Finding
from auditor.fix.conventions import LiteralStyle, detect
from auditor.fix.render import TypeWriter, Unplaceable, atom, elixir_string, struct_default
from auditor.fix.vet import UNREADABLE, Vetter
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
        self.atom_enums_created: frozenset[str] = frozenset()
        """The new enum modules written as atoms (their values, in a field's default, are atoms too)."""

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
        created, vetter = self._plan_types([f for f in findings if f.rule == "missing-type"])
        fields: dict[tuple[str, str], list[Finding]] = {}
        for finding in findings:
            if finding.rule != "missing-type":
                fields.setdefault(finding.pair, []).append(finding)
        writers = self._writers(created)
        for key in sorted(fields):
            self._plan_fields(self.pairs[key], fields[key], writers, vetter)
        return self.plan_result

    # Modules -----------------------------------------------------------------------------------------

    def _reference(self, elixir: TypeDef) -> str:
        if elixir.qualname == elixir.module:
            return f"{elixir.module}.t()"
        return f"{elixir.module}.{elixir.name}()"

    def _writers(self, created: Mapping[str, str]) -> tuple[TypeWriter, ...]:
        """The port's habit first, then the exact forms (when they differ): a field takes the first form
        the audit would not flag."""
        modules = {
            pair.python.qualname: self._reference(pair.elixir)
            for pair in self.pairs.values()
            if pair.python is not None and pair.elixir is not None
        }
        modules.update({qualname: f"{module}.t()" for qualname, module in created.items()})
        forms = dict.fromkeys([self.conventions, self.conventions.exact()])
        return tuple(TypeWriter(conventions, self.python_types, modules) for conventions in forms)

    def _vetter(self, created: Mapping[str, str]) -> Vetter:
        counterparts = {
            pair.python.qualname: pair.elixir.qualname
            for pair in self.pairs.values()
            if pair.python is not None and pair.elixir is not None
        }
        return Vetter(self.python_types, self.result.elixir.by_qualname(), {**counterparts, **created})

    def _atom_modules(self, atom_enums_created: Iterable[str]) -> frozenset[str]:
        """Python types whose values are atoms in the port: its atom enums, and new enums written as atoms."""
        atoms = {
            pair.python.qualname
            for pair in self.pairs.values()
            if pair.python is not None
            and pair.elixir is not None
            and (isinstance(pair.elixir.target, AtomSet) or isinstance(self.sites.get(pair.elixir.qualname), EnumSite))
        }
        return frozenset(atoms.union(atom_enums_created))

    def _plan_types(self, findings: list[Finding]) -> tuple[dict[str, str], Vetter]:
        """Creates a module for each missing type to port; returns Python qualname -> new module, and a
        vetter that knows the new modules."""
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
            texts, failed, vetter = self._render(created)
            if not failed:
                break
            for qualname, reason in failed.items():
                self._not_placed(self.python_types[qualname].name, reason)
                del candidates[qualname]
        for qualname, (finding, _, path) in candidates.items():
            self.plan_result.new_files[path] = texts[qualname]
            self.plan_result.fixed.append(finding)
        return created, vetter

    def _render(self, created: Mapping[str, str]) -> tuple[dict[str, str], dict[str, str], Vetter]:
        """One attempt at every new module (Python qualname -> module): the texts that render, why the
        others do not, and a vetter that knows the rendered modules.

        A module is vetted after the new enums and aliases it refers to, which the audit expands into it.
        One that refers to a module failing in this attempt waits for the next, where the reference itself
        is the reason it fails.
        """
        writers, vetter = self._writers(created), self._vetter(created)
        texts: dict[str, str] = {}
        failed: dict[str, str] = {}
        atom_enums: set[str] = set()
        for qualname in self._in_dependency_order(created):
            python = self.python_types[qualname]
            if not failed.keys().isdisjoint(_refers_to(python)):
                continue
            try:
                if (values := _enum_values(python)) is not None:
                    text, as_atoms = self._enum_module(python, values, created[qualname], writers[0], vetter)
                    if as_atoms:
                        atom_enums.add(qualname)
                else:
                    atom_modules = self._atom_modules(atom_enums)
                    text = self._module_text(python, created[qualname], writers, vetter, atom_modules)
            except Unplaceable as reason:
                failed[qualname] = str(reason)
                continue
            texts[qualname] = text
            vetter = vetter.learned(text)
        self.atom_enums_created = frozenset(atom_enums)
        return texts, failed, vetter

    def _in_dependency_order(self, created: Mapping[str, str]) -> list[str]:
        """Enums (whether their values are atoms decides how a struct's default names one), then aliases,
        each after the aliases it refers to, then structs (which refer to each other by name only)."""
        types = [self.python_types[qualname] for qualname in created]
        enums = [python.qualname for python in types if _enum_values(python) is not None]
        structs = [python.qualname for python in types if python.kind is TypeKind.STRUCT]
        aliases = [python.qualname for python in types if python.qualname not in {*enums, *structs}]
        graph = {q: {r for r in _refers_to(self.python_types[q]) if r in aliases and r != q} for q in aliases}
        # Mutually recursive aliases keep their order: each is vetted as far as the others are known by then.
        with suppress(CycleError):
            aliases = list(TopologicalSorter(graph).static_order())
        return [*enums, *aliases, *structs]

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

    @staticmethod
    def _module(python: TypeDef, module: str, body: list[str]) -> str:
        doc = elixir_string(f"Port of {python.qualname} ({python.location.path}:{python.location.line}).")
        return "\n".join([f"defmodule {module} do", f"  @moduledoc {doc}", "", *body, "end", ""])

    def _module_text(
        self,
        python: TypeDef,
        module: str,
        writers: tuple[TypeWriter, ...],
        vetter: Vetter,
        atom_modules: frozenset[str],
    ) -> str:
        """A struct or alias module; raises `Unplaceable` when the audit would flag each form of it."""
        if python.kind is not TypeKind.STRUCT:
            assert python.target is not None
            bodies = [[f"  @type t :: {writer.typespec(python.target)}"] for writer in writers]
            return _first_clean(vetter, python, module, [self._module(python, module, body) for body in bodies])
        fields = [
            self._new_field(python, item, module, writers, vetter, atom_modules, _is_tag(item))
            for item in python.fields
        ]
        body = self._typed_struct(fields) if self.conventions.typed_struct else self._defstruct(fields)
        # Each field is vetted alone; the module as a whole must pass too.
        return _first_clean(vetter, python, module, [self._module(python, module, body)])

    def _enum_module(
        self, python: TypeDef, values: tuple[str | int | bool, ...], module: str, writer: TypeWriter, vetter: Vetter
    ) -> tuple[str, bool]:
        """The enum module in the port's habit, or else the nearest form the audit would not flag: atoms with
        converters, then a union of the wire values; and whether its values are atoms."""
        conventions = self.conventions
        strings = [value for value in values if isinstance(value, str)]
        as_strings = ([f"  @type t :: {writer.literals(values, LiteralStyle.STRINGS)}"], False)
        if len(strings) != len(values):
            forms = [as_strings]
        else:
            with_converters = (_atom_enum(strings, conventions.enum_converters or conventions.converter_names), True)
            habit = _atom_enum(strings, conventions.enum_converters) if conventions.atom_enums else as_strings[0]
            forms = [(habit, conventions.atom_enums), with_converters, as_strings]
        texts = [self._module(python, module, body) for body, _ in forms]
        text = _first_clean(vetter, python, module, texts)
        return text, forms[texts.index(text)][1]

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

    # Fields ------------------------------------------------------------------------------------------

    def _new_field(
        self,
        owner: TypeDef,
        python: Field,
        module: str,
        writers: tuple[TypeWriter, ...],
        vetter: Vetter,
        atom_modules: frozenset[str],
        discriminator: bool,
    ) -> _NewField:
        """The field in the first form (the port's habit, then the exact one) that the audit would not flag
        on `module`; raises `Unplaceable` when it would flag each."""
        candidates: list[_NewField] = []
        for writer in writers:
            if discriminator:
                # A single-value tag is a string field defaulting to the tag, as the audit accepts it.
                typespec, default = writer.typespec(STR, python.nullable), struct_default(python.default, False)
            else:
                typespec = writer.typespec(python.type, python.nullable)
                default = struct_default(python.default, writer.renders_atoms(python.type, atom_modules))
            if (candidate := _NewField(python, typespec, default)) not in candidates:
                candidates.append(candidate)
        objections: dict[str, None] = {}
        for candidate in candidates:
            alone = "\n".join([f"defmodule {module} do", *self._defstruct([candidate]), "end", ""])
            found = vetter.field_objections(owner, python, module, alone)
            if not found:
                return candidate
            objections.update(dict.fromkeys(found))
        raise Unplaceable(_objected(tuple(objections)))

    def _not_placed(self, where: str, reason: str) -> None:
        self.plan_result.not_placed.append(NotPlaced(where, reason))

    def _plan_fields(
        self, pair: TypePair, findings: list[Finding], writers: tuple[TypeWriter, ...], vetter: Vetter
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
        atom_modules = self._atom_modules(self.atom_enums_created)
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
            new_field = self._placeable(pair, field_pair, finding, site, writers, vetter, atom_modules)
            if new_field is not None:
                new_fields.append((new_field, finding))
        path = elixir.location.path
        shift = len(_BOM) if self.sources[path].startswith(_BOM) else 0
        for offset, text in _field_insertions(site, [item for item, _ in new_fields], [n for n, _ in wire_only]):
            self.plan_result.insert(path, offset + shift, text)
        self.plan_result.fixed.extend(finding for _, finding in [*new_fields, *wire_only])

    def _placeable(
        self,
        pair: TypePair,
        field_pair: FieldPair,
        finding: Finding,
        site: StructSite,
        writers: tuple[TypeWriter, ...],
        vetter: Vetter,
        atom_modules: frozenset[str],
    ) -> _NewField | None:
        python = field_pair.python
        assert python is not None and pair.python is not None
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
            return self._new_field(
                pair.python, python, site.module, writers, vetter, atom_modules, finding.rule == "missing-literal"
            )
        except Unplaceable as reason:
            self._not_placed(where, str(reason))
            return None


def _refers_to(python: TypeDef) -> set[str]:
    expressions = [item.type for item in python.fields] if python.kind is TypeKind.STRUCT else [python.target]
    return {qualname for expr in expressions if expr is not None for qualname in references(expr)}


def _atom_enum(values: list[str], converters: tuple[str, str] | None) -> list[str]:
    """An enum as an atom union, with clauses giving each atom its wire string and back when `converters`
    names the two functions (the Elixir front end reads them as the enum's wire values)."""
    lines = [f"  @type t :: {' | '.join(atom(value) for value in values)}"]
    if converters is None:
        return lines
    encoder, decoder = converters
    lines += ["", f"  @spec {encoder}(t()) :: String.t()"]
    lines += [f"  def {encoder}({atom(value)}), do: {elixir_string(value)}" for value in values]
    lines += ["", f"  @spec {decoder}(String.t()) :: t()"]
    lines += [f"  def {decoder}({elixir_string(value)}), do: {atom(value)}" for value in values]
    return lines


def _objected(objections: tuple[str, ...]) -> str:
    if UNREADABLE in objections:
        return "the Elixir front end cannot read the code the fix would write for it"
    return f"the audit would report {', '.join(objections)} on every form the fix can write for it"


def _first_clean(vetter: Vetter, python: TypeDef, module: str, texts: list[str]) -> str:
    """The first module text the audit would not flag; raises `Unplaceable` when it flags each."""
    objections: dict[str, None] = {}
    for text in dict.fromkeys(texts):
        found = vetter.objections(python, module, text)
        if not found:
            return text
        objections.update(dict.fromkeys(found))
    raise Unplaceable(_objected(tuple(objections)))


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
