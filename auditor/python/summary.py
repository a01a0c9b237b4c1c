"""Phase one of the Python front end: what one file says, independent of every other file.

`summarize_python` is a pure function of a file's path and bytes. Its result holds no libcst node, only
the `syntax` picture of the expressions the resolver reads, so summaries can be cached, compared and
sent between processes. Resolving what the names mean across files is phase two (`modules` and up).
"""

from __future__ import annotations

import errno
import os
import stat
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from auditor.python.syntax import Expr

if TYPE_CHECKING:
    from auditor.model import Diagnostic
    from auditor.python.splitting import SourcePart


@dataclass(frozen=True)
class FieldDeclaration:
    """`name: annotation` or `name: annotation = value` in a class body, `if` blocks included."""

    name: str
    annotation: Expr
    value: Expr | None
    line: int


@dataclass(frozen=True)
class ClassAssignment:
    """`NAME = value` or `NAME: annotation = value` directly in an indented class body: an enum member
    when the class turns out to be an enum."""

    name: str
    value: Expr
    line: int


@dataclass(frozen=True)
class InitParameter:
    """A named parameter of `__init__` after `self` (neither `*args` nor `**kwargs`)."""

    name: str
    annotation: Expr | None
    default: Expr | None
    line: int


@dataclass(frozen=True)
class InitAttribute:
    """`self.name = value` or `self.name: annotation = value` in `__init__`, `if` blocks included."""

    name: str
    annotation: Expr | None
    value: Expr | None
    line: int
    parameter: str | None = None
    """The one `__init__` parameter the value is computed from (`tags`, `tags or []`, `list(tags)`)."""


@dataclass(frozen=True)
class InitMethod:
    """What a class's own `__init__` states about the attributes it sets.

    `only_stores` is True when its body does nothing but store attributes (and call the base's
    `__init__`, or hold a docstring): the mark of a class that only carries data.
    """

    line: int
    parameters: tuple[InitParameter, ...]
    attributes: tuple[InitAttribute, ...]
    only_stores: bool


@dataclass(frozen=True)
class ClassDefinition:
    line: int
    bases: tuple[Expr, ...]
    keywords: tuple[tuple[str, Expr], ...]  # `total=False`, `metaclass=...`
    decorators: tuple[Expr, ...]
    fields: tuple[FieldDeclaration, ...]
    assignments: tuple[ClassAssignment, ...]
    methods: tuple[str, ...] = ()  # the names of the functions defined in the body
    init: InitMethod | None = None


@dataclass(frozen=True)
class Assignment:
    """`X = value`, `X: annotation = value`, or (`type_statement`) `type X = value` at module level."""

    line: int
    value: Expr | None
    annotation: Expr | None
    type_statement: bool = False


@dataclass(frozen=True)
class UnreadableDefinition:
    """A class or assignment this tool choked on while summarizing (e.g. absurdly nested code)."""

    line: int
    problem: str


@dataclass(frozen=True)
class ImportSource:
    """The module of a `from ... import`, as written: `level` leading dots, then `module` (None for `from . import`).

    Only the resolver knows the importing module's dotted name, which relative imports are relative to.
    """

    level: int
    module: str | None


@dataclass(frozen=True)
class ModuleImport:
    """`import a.b as c` (binding `c` to `a.b`) or `import a.b` (binding `a` to `a`)."""

    module: str


@dataclass(frozen=True)
class NameImport:
    source: ImportSource
    name: str


@dataclass(frozen=True)
class OpaqueBinding:
    """A name bound by something that cannot denote a type (a function)."""


FileBinding = ClassDefinition | Assignment | UnreadableDefinition | ModuleImport | NameImport | OpaqueBinding


@dataclass(frozen=True)
class PythonFileSummary:
    """One file: the first binding of every top-level name (in source order), star imports and `__all__`.

    `problem` explains a file that could not be read or parsed; such a file binds nothing.
    """

    path: str
    bindings: tuple[tuple[str, FileBinding], ...] = ()
    star_imports: tuple[ImportSource, ...] = ()
    declared_all: tuple[str, ...] | None = None
    problem: Diagnostic | None = None


def summarize_python(path: str, data: bytes) -> PythonFileSummary:
    """Summarizes the file at checkout-relative posix `path` holding `data`; never raises."""
    # Imported here so that a run served entirely from the cache never pays for importing libcst.
    from auditor.python.summarizer import summarize_source

    return summarize_source(path, data)


def summarize_python_part(path: str, part: SourcePart) -> PythonFileSummary:
    """Summarizes one part of the file at `path` that `split_source` cut; never raises."""
    from auditor.python.summarizer import summarize_part

    return summarize_part(path, part)


def parser_loaded() -> bool:
    """Whether this process has imported libcst already, so that summarizing costs no import first."""
    return "auditor.python.summarizer" in sys.modules


def summarize_file(root: Path, path: str) -> PythonFileSummary:
    """Reads `root / path` and summarizes it; an unreadable file becomes a summary holding the error."""
    try:
        data = _read_regular_file(root / path)
    except OSError as error:
        from auditor.model import Diagnostic  # not at the top, which the parser host's workers import

        problem = Diagnostic(path, 1, "error", f"cannot read file: {error.strerror or error}")
        return PythonFileSummary(path, problem=problem)
    return summarize_python(path, data)


def _read_regular_file(path: Path) -> bytes:
    # Opening without blocking and checking the type keeps a FIFO named `x.py` from hanging the audit.
    nonblocking = getattr(os, "O_NONBLOCK", 0)  # absent on Windows, which has no FIFOs in the tree
    with open(path, "rb", opener=lambda name, flags: os.open(name, flags | nonblocking)) as file:
        if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        return file.read()


