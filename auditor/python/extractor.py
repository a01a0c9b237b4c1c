"""Turns the audited files of a Python checkout into the neutral `SideModel`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path, PurePosixPath

from auditor.model import Diagnostic, LiteralOf, LiteralValue, Location, SideModel, TypeDef, TypeKind
from auditor.python.annotations import TypeLowerer
from auditor.python.classes import ClassCatalog, ClassFlavor
from auditor.python.fields import FieldCollector
from auditor.python.modules import LocalDefinition, ModuleIndex, ModuleInfo
from auditor.python.summary import (
    Assignment,
    ClassDefinition,
    PythonFileSummary,
    UnreadableDefinition,
    summarize_file,
)


class _Extractor:
    def __init__(
        self,
        root: Path,
        audited: list[str],
        all_files: Sequence[str],
        load_summary: Callable[[str], PythonFileSummary],
    ) -> None:
        self.index = ModuleIndex(root, [*all_files, *audited], load_summary, preferred=audited)
        self.catalog = ClassCatalog(self.index)
        self.lowerer = TypeLowerer(self.index, self.catalog)
        self.fields = FieldCollector(self.index, self.catalog, self.lowerer)
        self.diagnostics: list[Diagnostic] = []
        self.subclassed: set[str] = set()

    def types_of(self, path: str) -> list[TypeDef]:
        info = self.index.load_path(path)
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
            return TypeDef(qualname, name, TypeKind.STRUCT, location, fields=fields, module=module)
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

    def without_base_classes(self, typedefs: list[TypeDef]) -> list[TypeDef]:
        """Drops field-less models that other models subclass: `StrictBase(BaseModel)` in an SDK's
        `_models.py` is configuration for the real types, not a type of the API."""
        return [
            typedef
            for typedef in typedefs
            if typedef.kind is not TypeKind.STRUCT or typedef.fields or typedef.qualname not in self.subclassed
        ]

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


def _public_ancestor_packages(modules: list[str], index: ModuleIndex) -> list[str]:
    """Packages above (or at) the audited modules whose dotted path has no private segment."""
    packages: set[str] = set()
    for module in modules:
        parts = module.split(".")
        for end in range(1, len(parts) + 1):
            candidate = ".".join(parts[:end])
            if any(part.startswith("_") for part in parts[:end]):
                break
            info = index.load(candidate)
            if info is not None and info.is_package:
                packages.add(candidate)
    return sorted(packages)


def extract_python(
    root: Path,
    audited: Sequence[str],
    all_files: Sequence[str],
    load_summary: Callable[[str], PythonFileSummary] | None = None,
) -> SideModel:
    """Extracts the data models, enums and Literal/Union aliases defined in the audited files.

    `audited` and `all_files` are posix paths relative to `root`; `all_files` only serves to resolve
    imports. Files are only ever read through `load_summary(path)`, lazily, once each and only when a
    name leads there; it defaults to reading `root / path` and calling `summarize_python`, and may
    instead serve summaries from a cache or from worker processes. Nothing is imported or executed,
    and no input makes this raise: unreadable or unparsable files become error diagnostics.
    """
    audited_paths = sorted({PurePosixPath(path).as_posix() for path in audited})
    extractor = _Extractor(root, audited_paths, all_files, load_summary or partial(summarize_file, root))
    typedefs: list[TypeDef] = []
    for path in audited_paths:
        typedefs.extend(extractor.types_of(path))
    audited_modules = [extractor.index.module_name(path) for path in audited_paths]
    kept = extractor.deduplicate(extractor.without_base_classes(typedefs), audited_modules)
    diagnostics = sorted({*extractor.index.diagnostics, *extractor.diagnostics})
    return SideModel(
        root=str(root),
        files=tuple(audited_paths),
        types=tuple(sorted(kept, key=lambda typedef: (typedef.qualname, typedef.location))),
        diagnostics=tuple(diagnostics),
    )
