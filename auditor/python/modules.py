"""The checkout's modules: their dotted names, their top-level bindings, and name resolution across them.

Files are parsed lazily, the first time a name is looked up in them, so a checkout with thousands of
files only pays for the ones the audited types actually reach.
"""

from __future__ import annotations

import builtins
from collections.abc import Container, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import libcst as cst
from libcst.helpers import get_full_name_for_node
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from auditor.model import Diagnostic
from auditor.python.origins import KNOWN_ORIGINS, canonical_origin
from auditor.python.parsing import parse_file

_BUILTIN_NAMES = frozenset(dir(builtins))


@dataclass(frozen=True, eq=False)
class ClassBinding:
    statement: cst.ClassDef


@dataclass(frozen=True, eq=False)
class AssignmentBinding:
    """`X = value`, `X: annotation = value`, or `type X = value` at module level."""

    statement: cst.Assign | cst.AnnAssign | cst.TypeAlias
    value: cst.BaseExpression | None
    annotation: cst.BaseExpression | None


@dataclass(frozen=True)
class ImportBinding:
    """A name bound by an import: the module itself (`name` None) or one name from it."""

    module: str
    name: str | None


@dataclass(frozen=True)
class OpaqueBinding:
    """A name bound by something that cannot denote a type (a function, a failed relative import)."""


Binding = ClassBinding | AssignmentBinding | ImportBinding | OpaqueBinding


@dataclass(frozen=True)
class LocalDefinition:
    """A class or module-level assignment in the checkout."""

    module: str
    name: str
    binding: ClassBinding | AssignmentBinding = field(compare=False, hash=False)
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
    """One parsed module: its first binding of every top-level name, star imports and `__all__`."""

    name: str
    path: str
    is_package: bool
    tree: cst.Module | None
    bindings: dict[str, Binding] = field(default_factory=dict)
    star_imports: list[str] = field(default_factory=list)
    declared_all: tuple[str, ...] | None = None
    _positions: Mapping[cst.CSTNode, CodeRange] | None = None

    def line_of(self, node: cst.CSTNode) -> int:
        if self.tree is None:
            return 1
        if self._positions is None:
            try:
                # Skipping the copy keeps node identity, so nodes found while walking the tree have positions.
                wrapper = MetadataWrapper(self.tree, unsafe_skip_copy=True)
                self._positions = wrapper.resolve(PositionProvider)
            except Exception:  # e.g. RecursionError on absurdly nested code: a line is not worth failing for
                self._positions = {}
        position = self._positions.get(node)
        return position.start.line if position is not None else 1

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


class ModuleIndex:
    """All modules of the checkout, parsed on first use, with name resolution through their imports."""

    def __init__(self, root: Path, paths: Sequence[str], preferred: Iterable[str] = ()) -> None:
        self.root = root
        self.diagnostics: list[Diagnostic] = []
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

    def module_name(self, path: str) -> str:
        return self._module_of_path[path][0]

    def contains(self, module: str) -> bool:
        return module in self._path_of_module

    def load_path(self, path: str) -> ModuleInfo:
        key = PurePosixPath(path).as_posix()
        if key not in self._loaded:
            name, is_package = self._module_of_path[key]
            parsed = parse_file(self.root, key)
            if parsed.problem is not None:
                self.diagnostics.append(parsed.problem)
            info = ModuleInfo(name, key, is_package, parsed.tree)
            if parsed.tree is not None:
                _BindingCollector(info).collect(parsed.tree.body)
            self._loaded[key] = info
        return self._loaded[key]

    def load(self, module: str) -> ModuleInfo | None:
        """The module's info, or None when the module is not part of the checkout."""
        path = self._path_of_module.get(module)
        return self.load_path(path) if path is not None else None

    def lookup(self, module: str, name: str) -> Symbol | None:
        """What a bare name means inside `module`: its own bindings, then the builtins."""
        found = self.resolve(module, name)
        if found is None and name in _BUILTIN_NAMES:
            return ExternalName(f"builtins.{name}")
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
        if binding is None:
            return self._resolve_unbound(info, name, seen)
        if isinstance(binding, ClassBinding | AssignmentBinding):
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
            found = self.resolve(star_module, name, seen) if star_info.exports(name) else None
            if found is not None:
                return found
        if info.is_package and self.contains(f"{info.name}.{name}"):
            return ModuleObject(f"{info.name}.{name}")
        return None

    def _module_symbol(self, module: str) -> Symbol:
        return ModuleObject(module) if self.contains(module) else ExternalName(canonical_origin(module))

    def resolve_expression(self, module: str, expression: cst.BaseExpression) -> Symbol | None:
        """What a `Name` or dotted `Attribute` chain denotes inside `module`."""
        if isinstance(expression, cst.Name):
            return self.lookup(module, expression.value)
        if isinstance(expression, cst.Attribute):
            owner = self.resolve_expression(module, expression.value)
            attribute = expression.attr.value
            if isinstance(owner, ExternalName):
                return ExternalName(canonical_origin(f"{owner.origin}.{attribute}"))
            if isinstance(owner, ModuleObject):
                return self.resolve(owner.module, attribute)
        return None

    def resolve_origin(self, module: str, expression: cst.BaseExpression) -> str | None:
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


class _BindingCollector:
    """Records the first binding of each top-level name, looking into `if`/`try`/`with` blocks too.

    The first binding wins (unlike at runtime) so that `if TYPE_CHECKING:` imports, which come first in
    practice, beat their runtime fallbacks.
    """

    def __init__(self, info: ModuleInfo) -> None:
        self.info = info

    def collect(self, statements: Sequence[cst.BaseStatement | cst.BaseSmallStatement]) -> None:
        for statement in statements:
            self._statement(statement)

    def _bind(self, name: str, binding: Binding) -> None:
        self.info.bindings.setdefault(name, binding)

    def _statement(self, statement: cst.CSTNode) -> None:
        if isinstance(statement, cst.SimpleStatementLine):
            self.collect(statement.body)
        elif isinstance(statement, cst.ClassDef):
            self._bind(statement.name.value, ClassBinding(statement))
        elif isinstance(statement, cst.FunctionDef):
            self._bind(statement.name.value, OpaqueBinding())
        elif isinstance(statement, cst.If):
            self._block(statement.body)
            if statement.orelse is not None:
                self._statement(statement.orelse)
        elif isinstance(statement, cst.Else):
            self._block(statement.body)
        elif isinstance(statement, cst.Try | cst.TryStar):
            self._block(statement.body)
            for handler in statement.handlers:
                self._block(handler.body)
            if statement.orelse is not None:
                self._block(statement.orelse.body)
            if statement.finalbody is not None:
                self._block(statement.finalbody.body)
        elif isinstance(statement, cst.With):
            self._block(statement.body)
        elif isinstance(statement, cst.Import):
            self._import(statement)
        elif isinstance(statement, cst.ImportFrom):
            self._import_from(statement)
        elif isinstance(statement, cst.Assign | cst.AnnAssign | cst.TypeAlias):
            self._assignment(statement)

    def _block(self, block: cst.BaseSuite) -> None:
        if isinstance(block, cst.IndentedBlock | cst.SimpleStatementSuite):
            self.collect(block.body)

    def _import(self, statement: cst.Import) -> None:
        for alias in statement.names:
            dotted = get_full_name_for_node(alias.name)
            if dotted is None:
                continue
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                self._bind(alias.asname.name.value, ImportBinding(dotted, None))
            else:
                # `import a.b.c` binds only `a`; the rest is reached through attributes.
                top = dotted.split(".", 1)[0]
                self._bind(top, ImportBinding(top, None))

    def _import_from(self, statement: cst.ImportFrom) -> None:
        source = self._absolute_module(statement)
        if isinstance(statement.names, cst.ImportStar):
            if source is not None:
                self.info.star_imports.append(source)
            return
        for alias in statement.names:
            imported = get_full_name_for_node(alias.name)
            if imported is None:
                continue
            bound = imported
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                bound = alias.asname.name.value
            if source is None:
                self._bind(bound, OpaqueBinding())
            elif source != "__future__":
                self._bind(bound, ImportBinding(source, imported))

    def _absolute_module(self, statement: cst.ImportFrom) -> str | None:
        written = get_full_name_for_node(statement.module) if statement.module is not None else None
        level = len(statement.relative)
        if level == 0:
            return written
        package_parts = self.info.name.split(".")
        if not self.info.is_package:
            package_parts = package_parts[:-1]
        if level - 1 > len(package_parts) or (level - 1 == len(package_parts) and not written):
            return None  # climbs above the top-level package
        base = package_parts[: len(package_parts) - (level - 1)]
        return ".".join([*base, written] if written else base)

    def _assignment(self, statement: cst.Assign | cst.AnnAssign | cst.TypeAlias) -> None:
        if isinstance(statement, cst.TypeAlias):
            self._bind(statement.name.value, AssignmentBinding(statement, statement.value, None))
            return
        if isinstance(statement, cst.AnnAssign):
            targets = [statement.target]
            annotation: cst.BaseExpression | None = statement.annotation.annotation
        else:
            targets = [target.target for target in statement.targets]
            annotation = None
        for target in targets:
            if not isinstance(target, cst.Name):
                continue
            if target.value == "__all__":
                self._record_all(statement.value)
            self._bind(target.value, AssignmentBinding(statement, statement.value, annotation))

    def _record_all(self, value: cst.BaseExpression | None) -> None:
        if self.info.declared_all is not None or not isinstance(value, cst.List | cst.Tuple):
            return
        names: list[str] = []
        for element in value.elements:
            if isinstance(element.value, cst.SimpleString) and isinstance(element.value.evaluated_value, str):
                names.append(element.value.evaluated_value)
        self.info.declared_all = tuple(names)
