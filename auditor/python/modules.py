"""The checkout's modules: their dotted names, their top-level bindings, and name resolution across them.

Modules are summarized lazily, the first time a name is looked up in them, so a checkout with thousands
of files only pays for the ones the audited types actually reach.
"""

from __future__ import annotations

import builtins
import hashlib
from collections.abc import Callable, Container, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TypeVar

from auditor.model import Diagnostic
from auditor.python.origins import KNOWN_ORIGINS, canonical_origin
from auditor.python.summary import (
    Assignment,
    ClassDefinition,
    FileBinding,
    ImportSource,
    ModuleImport,
    NameImport,
    OpaqueBinding,
    PythonFileSummary,
    UnreadableDefinition,
)
from auditor.python.syntax import Attribute, Expr, Name

_BUILTIN_NAMES = frozenset(dir(builtins))
Key = TypeVar("Key")
Value = TypeVar("Value")


@dataclass(frozen=True)
class ImportBinding:
    """A name bound by an import: the module itself (`name` None) or one name from it."""

    module: str
    name: str | None


# An import from above the top-level package binds an OpaqueBinding.
Binding = ClassDefinition | Assignment | UnreadableDefinition | ImportBinding | OpaqueBinding


@dataclass(frozen=True)
class LocalDefinition:
    """A class or module-level assignment in the checkout."""

    module: str
    name: str
    binding: ClassDefinition | Assignment = field(compare=False, hash=False)
    path: str  # the defining file, which tells apart two files that claim one dotted name

    @property
    def qualname(self) -> str:
        return f"{self.module}.{self.name}"


@dataclass(frozen=True)
class ExternalName:
    """A name from outside the checkout, by its canonical dotted origin (`builtins.str`, `typing.List`)."""

    origin: str


@dataclass(frozen=True)
class ModuleObject:
    """A module of the checkout used as a value (`from . import types`, `import pkg.mod`)."""

    module: str


Symbol = LocalDefinition | ExternalName | ModuleObject


@dataclass(eq=False)
class ModuleInfo:
    """One module: its first binding of every top-level name, star imports and `__all__`, imports made absolute."""

    name: str
    path: str
    is_package: bool
    bindings: dict[str, Binding]
    star_imports: list[str]
    declared_all: tuple[str, ...] | None

    @classmethod
    def of(cls, name: str, path: str, is_package: bool, summary: PythonFileSummary) -> ModuleInfo:
        info = cls(name, path, is_package, {}, [], summary.declared_all)
        for bound, binding in summary.bindings:
            info.bindings[bound] = info._absolute(binding)
        for source in summary.star_imports:
            module = info._absolute_module(source)
            if module is not None:
                info.star_imports.append(module)
        return info

    def _absolute(self, binding: FileBinding) -> Binding:
        if isinstance(binding, ModuleImport):
            return ImportBinding(binding.module, None)
        if isinstance(binding, NameImport):
            module = self._absolute_module(binding.source)
            return OpaqueBinding() if module is None else ImportBinding(module, binding.name)
        return binding

    def _absolute_module(self, source: ImportSource) -> str | None:
        """The dotted module a `from` import names, or None when it climbs above the top-level package."""
        if source.level == 0:
            return source.module
        package_parts = self.name.split(".")
        if not self.is_package:
            package_parts = package_parts[:-1]
        level = source.level
        if level - 1 > len(package_parts) or (level - 1 == len(package_parts) and not source.module):
            return None
        base = package_parts[: len(package_parts) - (level - 1)]
        return ".".join([*base, source.module] if source.module else base)

    def exports(self, name: str) -> bool:
        """Whether `from this_module import *` brings `name` along."""
        if self.declared_all is not None:
            return name in self.declared_all
        return not name.startswith("_")


def module_name_for(path: str, existing: Container[str]) -> tuple[str, bool]:
    """The dotted module name of a checkout-relative path, and whether it is a package `__init__`.

    Walks up the directories while they hold an `__init__.py`; `existing` tells which paths exist.
    """
    posix = PurePosixPath(path)
    is_package = posix.name == "__init__.py"
    parts: list[str] = [] if is_package else [posix.stem]
    directory = posix.parent
    while str(directory) != "." and (directory / "__init__.py").as_posix() in existing:
        parts.insert(0, directory.name)
        directory = directory.parent
    if not parts:  # an `__init__.py` that is neither listed nor on disk: name it after its directory
        parts = [posix.parent.name or posix.stem]
    return ".".join(parts), is_package


Read = tuple[str, str | None]
"""A file's path and the top-level name looked up in it (or `STAR_IMPORTS`), or None when more of the
file mattered: all its bindings, or its `__all__`."""
STAR_IMPORTS = "*"
"""Read as a name when a name is not bound in a file: its star imports are where it may still come from."""


Memo = dict[Key, tuple[Value, frozenset[Read]]]
"""A memo table of `ReadRecorder.memoized`: each value with what computing it read."""


class ReadRecorder:
    """What of which files' summaries a computation read, with what memoised steps read counted in.

    A memo table keeps, beside each value, what was read to compute it, and a hit reports that again: so
    what one audited file's resolution read is exact, however much of it an earlier file's work answered.
    """

    def __init__(self) -> None:
        # One log of reads, and where each open computation's share of it starts: a computation's
        # reads include those of the computations it runs, with no copying between them.
        self._log: list[Read] = []
        self._starts: list[int] = []

    def read(self, path: str, name: str | None) -> None:
        self._log.append((path, name))

    def begin(self) -> None:
        self._starts.append(len(self._log))

    def end(self) -> frozenset[Read]:
        """What was read since the matching `begin`; the enclosing computation has read it too."""
        reads = frozenset(self._log[self._starts.pop() :])
        if not self._starts:
            self._log.clear()
        return reads

    def memoized(self, table: Memo[Key, Value], key: Key, compute: Callable[[], Value]) -> Value:
        known = table.get(key)
        if known is not None:
            self._log.extend(known[1])
            return known[0]
        self.begin()
        try:
            value = compute()
        finally:
            reads = self.end()
        table[key] = (value, reads)
        return value


class UnrecordedReads(ReadRecorder):
    """For a resolution whose files are not kept between runs: the memo tables without the bookkeeping."""

    def read(self, path: str, name: str | None) -> None:
        pass

    def memoized(self, table: Memo[Key, Value], key: Key, compute: Callable[[], Value]) -> Value:
        known = table.get(key)
        if known is None:
            known = table[key] = (compute(), frozenset())
        return known[0]


class ModuleIndex:
    """All modules of the checkout, summarized on first use, with name resolution through their imports."""

    def __init__(
        self,
        root: Path,
        paths: Sequence[str],
        load_summary: Callable[[str], PythonFileSummary],
        preferred: Iterable[str] = (),
        record_reads: bool = True,
    ) -> None:
        self.problems: dict[str, Diagnostic] = {}
        """The problem each loaded file's summary reports, by path."""
        self.reads = ReadRecorder() if record_reads else UnrecordedReads()
        self._load_summary = load_summary
        known = {PurePosixPath(path).as_posix() for path in paths}
        existing = _ExistingFiles(root, known)
        self._module_of_path: dict[str, tuple[str, bool]] = {}
        self._path_of_module: dict[str, str] = {}
        preferred_paths = sorted({PurePosixPath(path).as_posix() for path in preferred})
        # Audited files win a clash of dotted names (e.g. a vendored copy elsewhere), then the first path.
        for path in [*preferred_paths, *sorted(known - set(preferred_paths))]:
            name, is_package = module_name_for(path, existing)
            self._module_of_path[path] = (name, is_package)
            self._path_of_module.setdefault(name, path)
        self._loaded: dict[str, ModuleInfo] = {}
        self._looked_up: Memo[tuple[str, str], Symbol | None] = {}

    def module_name(self, path: str) -> str:
        return self._module_of_path[path][0]

    def layout(self) -> str:
        """A digest of every path with the module it holds, and of the path serving each name: all naming depends on."""
        held = [f"{path}={name}{'/' if package else ''}" for path, (name, package) in self._module_of_path.items()]
        served = [f"{name}@{path}" for name, path in self._path_of_module.items()]
        text = "\n".join([*sorted(held), "", *sorted(served)])
        return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()

    def is_package(self, module: str) -> bool:
        """Whether the module is a package of the checkout (an `__init__.py`)."""
        path = self._path_of_module.get(module)
        return path is not None and self._module_of_path[path][1]

    def contains(self, module: str) -> bool:
        return module in self._path_of_module

    def load_path(self, path: str) -> ModuleInfo:
        loaded = self._loaded.get(path)
        if loaded is not None:  # the hot path: lookups pass the normalized paths they got from here
            return loaded
        key = PurePosixPath(path).as_posix()
        if key not in self._loaded:
            name, is_package = self._module_of_path[key]
            summary = self._load_summary(key)
            if summary.problem is not None:
                self.problems[key] = summary.problem
            self._loaded[key] = ModuleInfo.of(name, key, is_package, summary)
        return self._loaded[key]

    def read_whole(self, path: str) -> ModuleInfo:
        """The module at `path`, for a reader that goes through all of it."""
        info = self.load_path(path)
        self.reads.read(info.path, None)
        return info

    def load(self, module: str) -> ModuleInfo | None:
        """The module's info, or None when the module is not part of the checkout."""
        path = self._path_of_module.get(module)
        return self.load_path(path) if path is not None else None

    def lookup(self, module: str, name: str) -> Symbol | None:
        """What a bare name means inside `module`: its own bindings, then the builtins."""
        # Every field names a handful of types, so the same names are looked up over and over.
        return self.reads.memoized(self._looked_up, (module, name), lambda: self._look_up(module, name))

    def _look_up(self, module: str, name: str) -> Symbol | None:
        found = self.resolve(module, name)
        if found is None and name in _BUILTIN_NAMES:
            found = ExternalName(f"builtins.{name}")
        return found

    def resolve(
        self, module: str, name: str, seen: frozenset[tuple[str, str]] = frozenset()
    ) -> Symbol | None:
        """What `module.name` is, following imports and re-exports; None when it cannot be told."""
        key = (module, name)
        if key in seen:
            return None
        seen = seen | {key}
        info = self.load(module)
        if info is None:
            return ExternalName(canonical_origin(f"{module}.{name}"))
        binding = info.bindings.get(name)
        self.reads.read(info.path, name)
        if binding is None:
            self.reads.read(info.path, STAR_IMPORTS)
            return self._resolve_unbound(info, name, seen)
        if isinstance(binding, ClassDefinition | Assignment):
            return LocalDefinition(info.name, name, binding, info.path)
        if isinstance(binding, ImportBinding):
            if binding.name is None:
                return self._module_symbol(binding.module)
            found = self.resolve(binding.module, binding.name, seen)
            if found is None and self.contains(f"{binding.module}.{binding.name}"):
                return ModuleObject(f"{binding.module}.{binding.name}")
            return found
        return None

    def _resolve_unbound(
        self, info: ModuleInfo, name: str, seen: frozenset[tuple[str, str]]
    ) -> Symbol | None:
        for star_module in info.star_imports:
            star_info = self.load(star_module)
            if star_info is None:
                # A library's names are unknown without importing it; assume it provides the ones we know.
                origin = canonical_origin(f"{star_module}.{name}")
                if origin in KNOWN_ORIGINS:
                    return ExternalName(origin)
                continue
            self.reads.read(star_info.path, None)
            found = self.resolve(star_module, name, seen) if star_info.exports(name) else None
            if found is not None:
                return found
        if info.is_package and self.contains(f"{info.name}.{name}"):
            return ModuleObject(f"{info.name}.{name}")
        return None

    def _module_symbol(self, module: str) -> Symbol:
        return ModuleObject(module) if self.contains(module) else ExternalName(canonical_origin(module))

    def resolve_expression(self, module: str, expression: Expr) -> Symbol | None:
        """What a `Name` or dotted `Attribute` chain denotes inside `module`."""
        if isinstance(expression, Name):
            return self.lookup(module, expression.identifier)
        if isinstance(expression, Attribute):
            owner = self.resolve_expression(module, expression.owner)
            attribute = expression.attribute
            if isinstance(owner, ExternalName):
                return ExternalName(canonical_origin(f"{owner.origin}.{attribute}"))
            if isinstance(owner, ModuleObject):
                return self.resolve(owner.module, attribute)
        return None

    def resolve_origin(self, module: str, expression: Expr) -> str | None:
        """The canonical origin when the expression names something outside the checkout."""
        symbol = self.resolve_expression(module, expression)
        return symbol.origin if isinstance(symbol, ExternalName) else None


class _ExistingFiles(Container[str]):
    """The known paths, consulting the disk for `__init__.py` files the caller did not list."""

    def __init__(self, root: Path, known: set[str]) -> None:
        self._root = root
        self._known = known

    def __contains__(self, path: object) -> bool:
        if path in self._known:
            return True
        try:
            return isinstance(path, str) and (self._root / path).is_file()
        except OSError:  # an unreadable directory holds no package we could parse anyway
            return False
