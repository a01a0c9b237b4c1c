"""Turns the audited files of a Python checkout into the neutral `SideModel`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path, PurePosixPath
from typing import Protocol

from auditor.model import Diagnostic, LiteralOf, LiteralValue, Location, SideModel, TypeDef, TypeKind
from auditor.python.annotations import TypeLowerer
from auditor.python.classes import ClassCatalog, ClassFlavor
from auditor.python.fields import FieldCollector
from auditor.python.modules import LocalDefinition, ModuleIndex, ModuleInfo, Read
from auditor.python.summary import (
    Assignment,
    ClassDefinition,
    PythonFileSummary,
    UnreadableDefinition,
    summarize_file,
)
from auditor.python.wire_names import hand_written_encoder


@dataclass(frozen=True)
class ResolvedFile:
    """One audited file's share of the side, and the files its resolution read."""

    types: tuple[TypeDef, ...]
    diagnostics: tuple[Diagnostic, ...]
    subclassed: frozenset[str]
    """Qualnames of the checkout classes its data models subclass."""
    read: tuple[tuple[str, tuple[str, ...] | None], ...]
    """Every file the resolution read, the file itself included, with the top-level names it looked up
    there, or None when more of the file mattered: while none of that changes, nothing here does."""


class ResolutionMemo(Protocol):
    """Keeps resolved files between runs. `layout` (`ModuleIndex.layout`) is what module naming depends on."""

    def recall(self, paths: Sequence[str], layout: str) -> dict[str, ResolvedFile]:
        """Those of the files it can answer for."""
        ...

    def remember(self, path: str, layout: str, resolved: ResolvedFile) -> None: ...


class _Extractor:
    def __init__(
        self,
        root: Path,
        audited: list[str],
        all_files: Sequence[str],
        load_summary: Callable[[str], PythonFileSummary],
        record_reads: bool,
    ) -> None:
        paths = [*all_files, *audited]
        self.index = ModuleIndex(root, paths, load_summary, preferred=audited, record_reads=record_reads)
        self.catalog = ClassCatalog(self.index)
        self.lowerer = TypeLowerer(self.index, self.catalog)
        self.fields = FieldCollector(self.index, self.catalog, self.lowerer)
        self.diagnostics: list[Diagnostic] = []
        self.subclassed: set[str] = set()

    def resolved(self, path: str) -> ResolvedFile:
        """The file's types, and what their resolution read, memoised steps that other files ran included."""
        diagnostics_before = len(self.diagnostics)
        self.subclassed = set()
        self.index.reads.begin()
        try:
            types = tuple(self._types_of(path))
        finally:
            read = self.index.reads.end()
        by_file = _by_file(read)
        problems = [self.index.problems[each] for each, _ in by_file if each in self.index.problems]
        diagnostics = tuple(sorted({*self.diagnostics[diagnostics_before:], *problems}))
        return ResolvedFile(types, diagnostics, frozenset(self.subclassed), by_file)

    def _types_of(self, path: str) -> list[TypeDef]:
        info = self.index.read_whole(path)
        found: list[TypeDef] = []
        for name, binding in info.bindings.items():
            if name.startswith("_"):
                continue
            if isinstance(binding, UnreadableDefinition):
                self._could_not_extract(path, name, binding.line, binding.problem)
                continue
            if not isinstance(binding, ClassDefinition | Assignment):
                continue
            definition = LocalDefinition(info.name, name, binding, info.path)
            try:
                typedef = self._typedef(definition, info)
            except Exception as error:  # one construct this tool chokes on must not cost the other types
                self._could_not_extract(path, name, binding.line, f"{type(error).__name__}: {error}")
                continue
            if typedef is not None:
                found.append(typedef)
        return found

    def _could_not_extract(self, path: str, name: str, line: int, problem: str) -> None:
        self.diagnostics.append(Diagnostic(path, line, "error", f"could not extract {name}: {problem}"))

    def _typedef(self, definition: LocalDefinition, info: ModuleInfo) -> TypeDef | None:
        binding = definition.binding
        location = Location(info.path, binding.line)
        qualname, name, module = definition.qualname, definition.name, info.name
        if isinstance(binding, Assignment):
            keys = self.fields.functional_typed_dict_fields(definition)
            if keys is not None:
                return TypeDef(qualname, name, TypeKind.STRUCT, location, fields=keys, module=module)
            alias_shape = self.lowerer.alias_shape(definition)
            if alias_shape is None or not alias_shape.is_union:
                return None  # scalar and container aliases are inlined where they are used
            target = self.lowerer.alias_target(definition)
            return TypeDef(qualname, name, TypeKind.UNION, location, target=target, module=module)
        shape = self.catalog.shape(definition)
        if shape.flavor is ClassFlavor.ENUM:
            values = self._enum_values(definition, location)
            if not values:
                return None  # a member-less enum only exists to be subclassed
            return TypeDef(qualname, name, TypeKind.ENUM, location, target=LiteralOf(values), module=module)
        if shape.is_data_model:
            self.subclassed.update(base.qualname for base in shape.local_bases)
            fields = self.fields.fields_of(definition)
            lineage = self.catalog.linearization(definition)
            # Wire names a hand-written encoder or an unknown alias generator decides are not judged. A
            # pydantic model's own `to_dict` delegates to `model_dump` in practice: its aliases still hold.
            hand_written = shape.flavor is not ClassFlavor.PYDANTIC and hand_written_encoder(lineage)
            custom = hand_written or not self.fields.wire_naming(definition).known
            return TypeDef(
                qualname, name, TypeKind.STRUCT, location, fields=fields, module=module, custom_encoder=custom
            )
        return None

    def _enum_values(self, definition: LocalDefinition, location: Location) -> tuple[LiteralValue, ...]:
        values: list[LiteralValue] = []
        for member in self.catalog.enum_members(definition):
            if member.value is None:
                message = (
                    f"enum member {definition.name}.{member.name} has a value that is not a str, int or bool "
                    "literal; it is left out of the enum's values"
                )
                self.diagnostics.append(Diagnostic(location.path, member.line, "warning", message))
            elif not any(type(member.value) is type(known) and member.value == known for known in values):
                # A repeated value makes the later member an alias of the earlier one.
                values.append(member.value)
        return tuple(values)

    def deduplicate(self, typedefs: list[TypeDef], audited_modules: list[str]) -> list[TypeDef]:
        """Keeps one definition per name: the one the public packages export."""
        by_name: dict[str, list[TypeDef]] = {}
        for typedef in typedefs:
            by_name.setdefault(typedef.name, []).append(typedef)
        packages = _public_ancestor_packages(audited_modules, self.index)
        kept: list[TypeDef] = []
        for name, group in by_name.items():
            if len(group) == 1:
                kept.extend(group)
                continue
            exported = self._exported_qualnames(name, packages)
            exported_group = [typedef for typedef in group if typedef.qualname in exported]
            ordered = sorted(group, key=lambda typedef: typedef.location)
            if len(exported_group) == 1:
                keeper, reason = exported_group[0], "the exported one"
            else:
                keeper = ordered[0]
                reason = (
                    "the first by path; " + ("several are" if exported_group else "none is") + " exported"
                )
            kept.append(keeper)
            for dropped in ordered:
                if dropped is keeper:
                    continue
                message = (
                    f"{name} is defined both in {keeper.location.path}:{keeper.location.line} and here; "
                    f"keeping {keeper.qualname} ({reason}), dropping {dropped.qualname}"
                )
                self.diagnostics.append(
                    Diagnostic(dropped.location.path, dropped.location.line, "warning", message)
                )
        return kept

    def _exported_qualnames(self, name: str, packages: list[str]) -> set[str]:
        exported: set[str] = set()
        for package in packages:
            symbol = self.index.resolve(package, name)
            if isinstance(symbol, LocalDefinition):
                exported.add(symbol.qualname)
        return exported


def _by_file(reads: frozenset[Read]) -> tuple[tuple[str, tuple[str, ...] | None], ...]:
    """`ResolvedFile.read` from the recorded reads, in path order."""
    names: dict[str, set[str] | None] = {}
    for path, name in reads:
        known = names.setdefault(path, set())
        if name is None:
            names[path] = None
        elif known is not None:
            known.add(name)
    return tuple((path, None if known is None else tuple(sorted(known))) for path, known in sorted(names.items()))


def _without_base_classes(typedefs: list[TypeDef], subclassed: set[str]) -> list[TypeDef]:
    """Drops field-less models that other models subclass: `StrictBase(BaseModel)` in an SDK's
    `_models.py` is configuration for the real types, not a type of the API."""
    return [
        typedef
        for typedef in typedefs
        if typedef.kind is not TypeKind.STRUCT or typedef.fields or typedef.qualname not in subclassed
    ]


def _public_ancestor_packages(modules: list[str], index: ModuleIndex) -> list[str]:
    """Packages above (or at) the audited modules whose dotted path has no private segment."""
    packages: set[str] = set()
    for module in modules:
        parts = module.split(".")
        for end in range(1, len(parts) + 1):
            candidate = ".".join(parts[:end])
            if any(part.startswith("_") for part in parts[:end]):
                break
            # Only packages are loaded: the modules are known to be modules without reading them.
            if index.is_package(candidate):
                index.load(candidate)
                packages.add(candidate)
    return sorted(packages)


def extract_python(
    root: Path,
    audited: Sequence[str],
    all_files: Sequence[str],
    load_summary: Callable[[str], PythonFileSummary] | None = None,
    memo: ResolutionMemo | None = None,
) -> SideModel:
    """Extracts the data models, enums and Literal/Union aliases defined in the audited files.

    `audited` and `all_files` are posix paths relative to `root`; `all_files` only serves to resolve
    imports. Files are only ever read through `load_summary(path)`, lazily, once each and only when a
    name leads there; it defaults to reading `root / path` and calling `summarize_python`, and may
    instead serve summaries from a cache or from worker processes. Nothing is imported or executed,
    and no input makes this raise: unreadable or unparsable files become error diagnostics.

    Each audited file's types depend on exactly the files its resolution read (`ResolvedFile.read`); a
    `memo` may answer for a file instead of resolving it, and is told every file resolved here.
    """
    audited_paths = sorted({PurePosixPath(path).as_posix() for path in audited})
    load = load_summary or partial(summarize_file, root)
    extractor = _Extractor(root, audited_paths, all_files, load, record_reads=memo is not None)
    layout = extractor.index.layout() if memo is not None else ""
    recalled = memo.recall(audited_paths, layout) if memo is not None else {}
    resolved_files: list[ResolvedFile] = []
    for path in audited_paths:
        resolved = recalled.get(path)
        if resolved is None:
            resolved = extractor.resolved(path)
            if memo is not None:
                memo.remember(path, layout, resolved)
        resolved_files.append(resolved)
    typedefs = [typedef for resolved in resolved_files for typedef in resolved.types]
    subclassed = {qualname for resolved in resolved_files for qualname in resolved.subclassed}
    audited_modules = [extractor.index.module_name(path) for path in audited_paths]
    kept = extractor.deduplicate(_without_base_classes(typedefs, subclassed), audited_modules)
    # A file's own diagnostics come with it, from the memo too; the index's problems cover what was read here.
    diagnostics = {*extractor.index.problems.values(), *extractor.diagnostics}
    diagnostics.update(diagnostic for resolved in resolved_files for diagnostic in resolved.diagnostics)
    return SideModel(
        root=str(root),
        files=tuple(audited_paths),
        types=tuple(sorted(kept, key=lambda typedef: (typedef.qualname, typedef.location))),
        diagnostics=tuple(sorted(diagnostics)),
    )
