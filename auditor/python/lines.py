"""Line numbers of a libcst tree's statements, without asking libcst for positions.

libcst computes positions by generating the code of the whole module again, which costs more than
parsing it. Statements start logical lines, which `logical_lines` finds in the text at a fraction of the
cost of any parse, and the tree tells how many logical lines each statement spans (a header, its
clauses and decorators, its body's statements), so counting them off in order gives every line.

When the scan gives up or cannot place a statement (`a = 1; b = 2`), the stdlib `ast` of the same text
is walked side by side with the tree instead: the C parser behind it is several times cheaper than
libcst's. When `ast` cannot parse the text either (syntax newer than the running interpreter) or the
trees disagree, libcst's positions are used.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Callable, Sequence
from typing import Any

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from auditor.python.logical_lines import LogicalLines
from auditor.python.parsing import StdlibTree

LineOf = Callable[[cst.CSTNode], int]

INIT = "__init__"
"""The one method whose body is read: the attributes it sets are a plain class's fields."""


def statement_lines(
    tree: cst.Module, logical: LogicalLines | None, stdlib_tree: StdlibTree, first_line: int = 1
) -> LineOf:
    """A function giving the first line of any statement at module level, in a class body or in a block
    of `if`/`try`/`with` statements; 1 when the line cannot be told. `logical` holds the logical lines of
    the tree's text and `stdlib_tree` gives its `ast`; the text is the file's from line `first_line` on
    (a part of a file split to be parsed in parallel), so its lines count from there.

    The table is built on the first question, so a file that binds no class or assignment (a package
    `__init__` of imports) never pays for it.
    """
    table = functools.cache(lambda: _line_table(tree, logical, stdlib_tree, first_line - 1))
    return lambda node: table()(node)


def _line_table(tree: cst.Module, logical: LogicalLines | None, stdlib_tree: StdlibTree, offset: int) -> LineOf:
    lines = _LogicalLineCounter(logical.starts).lines_of(tree) if logical is not None else None
    if lines is None:
        lines = _paired_lines(tree, stdlib_tree())
    if lines is None:
        return _positions(tree, offset)
    table = lines
    return lambda node: line + offset if (line := table.get(id(node))) is not None else 1


class _Unplaceable(Exception):
    """A statement the logical lines cannot place, or a tree that does not fit them."""


class _LogicalLineCounter:
    """Hands out logical lines to the statements of a tree in source order.

    A statement takes one logical line, a compound statement one for its header, one per decorator
    before it and one per clause (`elif`, `except`, ...), and its indented body's statements take the
    following ones. Statements in the blocks the summarizer reads get their line recorded; inside the
    others (function bodies, loops) they are only counted.
    """

    def __init__(self, starts: Sequence[int]) -> None:
        self._starts = starts
        self._next = 0
        self._lines: dict[int, int] = {}

    def lines_of(self, tree: cst.Module) -> dict[int, int] | None:
        try:
            self._record_block(tree.body)
        except (_Unplaceable, RecursionError):
            return None
        return self._lines if self._next == len(self._starts) else None

    def _take(self) -> int:
        if self._next == len(self._starts):
            raise _Unplaceable
        self._next += 1
        return self._starts[self._next - 1]

    def _record_block(self, statements: Sequence[cst.BaseStatement]) -> None:
        for statement in statements:
            if type(statement) is cst.SimpleStatementLine:
                if len(statement.body) != 1:
                    raise _Unplaceable  # `a = 1; b = 2`: the second may start on a later line
                self._lines[id(statement.body[0])] = self._take()
                continue
            self._skip_decorators(statement)
            self._lines[id(statement)] = self._take()
            record = _RECORDED_CHILDREN.get(type(statement))
            if record is not None:
                record(self, statement)
            else:
                self._count_children(statement)

    def _record_suite(self, suite: cst.BaseSuite) -> None:
        if type(suite) is not cst.IndentedBlock:
            raise _Unplaceable  # `class A: x: int`: the body starts wherever the header ends
        self._record_block(suite.body)

    def _record_class(self, statement: cst.ClassDef) -> None:
        self._record_suite(statement.body)

    def _record_with(self, statement: cst.With) -> None:
        self._record_suite(statement.body)

    def _record_function(self, statement: cst.FunctionDef) -> None:
        # Only `__init__` is read (for the attributes it sets); other bodies are only counted.
        if statement.name.value == INIT and type(statement.body) is cst.IndentedBlock:
            self._record_suite(statement.body)
        else:
            self._count_children(statement)

    def _record_if(self, statement: cst.If) -> None:
        self._record_suite(statement.body)
        if type(statement.orelse) is cst.If:
            self._record_block([statement.orelse])
        elif statement.orelse is not None:
            self._take()
            self._record_suite(statement.orelse.body)

    def _record_try(self, statement: cst.Try | cst.TryStar) -> None:
        self._record_suite(statement.body)
        for clause in (*statement.handlers, statement.orelse, statement.finalbody):
            if clause is not None:
                self._take()
                self._record_suite(clause.body)

    def _skip_decorators(self, statement: cst.BaseStatement) -> None:
        if type(statement) is cst.FunctionDef or type(statement) is cst.ClassDef:
            for _ in statement.decorators:
                self._take()

    def _count_statement(self, statement: cst.BaseStatement) -> None:
        if type(statement) is not cst.SimpleStatementLine:
            self._skip_decorators(statement)
        self._take()
        if type(statement) is not cst.SimpleStatementLine:
            self._count_children(statement)

    def _count_children(self, statement: cst.BaseStatement) -> None:
        """Counts off the logical lines of a compound statement after its header."""
        kind = type(statement)
        if kind is cst.FunctionDef or kind is cst.ClassDef or kind is cst.With:
            self._count_suite(statement.body)
        elif kind is cst.If:
            self._count_suite(statement.body)
            if type(statement.orelse) is cst.If:
                self._count_statement(statement.orelse)
            elif statement.orelse is not None:
                self._count_clauses([statement.orelse])
        elif kind is cst.For or kind is cst.While:
            self._count_suite(statement.body)
            self._count_clauses([statement.orelse])
        elif kind is cst.Try or kind is cst.TryStar:
            self._count_suite(statement.body)
            self._count_clauses([*statement.handlers, statement.orelse, statement.finalbody])
        elif kind is cst.Match:
            self._count_clauses(statement.cases)
        else:
            raise _Unplaceable  # a statement kind this count does not know

    def _count_clauses(self, clauses: Sequence[Any]) -> None:
        for clause in clauses:
            if clause is not None:
                self._take()
                self._count_suite(clause.body)

    def _count_suite(self, suite: cst.BaseSuite) -> None:
        if type(suite) is cst.IndentedBlock:  # a one-line suite sits on its header's logical line
            for statement in suite.body:
                self._count_statement(statement)


_RECORDED_CHILDREN: dict[type[cst.CSTNode], Callable[[_LogicalLineCounter, Any], None]] = {
    cst.ClassDef: _LogicalLineCounter._record_class,
    cst.If: _LogicalLineCounter._record_if,
    cst.Try: _LogicalLineCounter._record_try,
    cst.TryStar: _LogicalLineCounter._record_try,
    cst.With: _LogicalLineCounter._record_with,
    cst.FunctionDef: _LogicalLineCounter._record_function,
}


def _paired_lines(tree: cst.Module, twin: ast.Module | None) -> dict[int, int] | None:
    """`twin` is None when `ast` cannot parse the text, e.g. `type X = int` under Python 3.11."""
    lines: dict[int, int] = {}
    try:
        paired = twin is not None and _pair_block(tree.body, twin.body, lines)
    except Exception:  # e.g. blocks nested deeper than the interpreter's stack
        paired = False
    return lines if paired else None


def _positions(tree: cst.Module, offset: int) -> LineOf:
    try:
        # Skipping the copy keeps node identity, so the summarizer's nodes have positions.
        positions = MetadataWrapper(tree, unsafe_skip_copy=True).resolve(PositionProvider)
    except Exception:  # a line is not worth failing for
        return lambda node: 1
    return lambda node: position.start.line + offset if (position := positions.get(node)) is not None else 1


def _pair_block(
    statements: Sequence[cst.BaseStatement | cst.BaseSmallStatement], twins: list[ast.stmt], lines: dict[int, int]
) -> bool:
    # `a = 1; b = 2` is one libcst line of two small statements, and two `ast` statements.
    flat = [
        small
        for statement in statements
        for small in (statement.body if isinstance(statement, cst.SimpleStatementLine) else (statement,))
    ]
    if len(flat) != len(twins):
        return False
    for statement, twin in zip(flat, twins, strict=True):
        lines[id(statement)] = twin.lineno
        if not _pair_children(statement, twin, lines):
            return False
    return True


def _pair_suite(suite: cst.BaseSuite, twins: list[ast.stmt], lines: dict[int, int]) -> bool:
    return _pair_block(suite.body, twins, lines)


def _pair_children(statement: cst.CSTNode, twin: ast.stmt, lines: dict[int, int]) -> bool:
    """Pairs the blocks the summarizer reads statements from; other statements' insides are not needed."""
    # By exact type (the parser builds no subclasses): most statements have no block, and failing a chain
    # of isinstance checks against libcst's ABC-based classes would cost more than pairing them.
    pair = _BLOCK_PAIRERS.get(type(statement))
    return pair is None or pair(statement, twin, lines)


def _pair_class(statement: cst.ClassDef, twin: ast.stmt, lines: dict[int, int]) -> bool:
    return isinstance(twin, ast.ClassDef) and _pair_suite(statement.body, twin.body, lines)


def _pair_if(statement: cst.If, twin: ast.stmt, lines: dict[int, int]) -> bool:
    if not isinstance(twin, ast.If) or not _pair_suite(statement.body, twin.body, lines):
        return False
    if isinstance(statement.orelse, cst.If):  # `elif`: `ast` nests it as the only statement of `orelse`
        return _pair_block([statement.orelse], twin.orelse, lines)
    if isinstance(statement.orelse, cst.Else):
        return _pair_suite(statement.orelse.body, twin.orelse, lines)
    return not twin.orelse


def _pair_function(statement: cst.FunctionDef, twin: ast.stmt, lines: dict[int, int]) -> bool:
    if not isinstance(twin, ast.FunctionDef | ast.AsyncFunctionDef):
        return False
    return statement.name.value != INIT or _pair_suite(statement.body, twin.body, lines)


def _pair_with(statement: cst.With, twin: ast.stmt, lines: dict[int, int]) -> bool:
    return isinstance(twin, ast.With | ast.AsyncWith) and _pair_suite(statement.body, twin.body, lines)


def _pair_try(statement: cst.Try | cst.TryStar, twin: ast.stmt, lines: dict[int, int]) -> bool:
    if not isinstance(twin, ast.TryStar if isinstance(statement, cst.TryStar) else ast.Try):
        return False
    handlers_paired = len(statement.handlers) == len(twin.handlers) and all(
        _pair_suite(handler.body, twin_handler.body, lines)
        for handler, twin_handler in zip(statement.handlers, twin.handlers, strict=True)
    )
    orelse = statement.orelse.body.body if statement.orelse is not None else ()
    finalbody = statement.finalbody.body.body if statement.finalbody is not None else ()
    return (
        handlers_paired
        and _pair_suite(statement.body, twin.body, lines)
        and _pair_block(orelse, twin.orelse, lines)
        and _pair_block(finalbody, twin.finalbody, lines)
    )


_BLOCK_PAIRERS: dict[type[cst.CSTNode], Callable[[Any, ast.stmt, dict[int, int]], bool]] = {
    cst.ClassDef: _pair_class,
    cst.FunctionDef: _pair_function,
    cst.If: _pair_if,
    cst.Try: _pair_try,
    cst.TryStar: _pair_try,
    cst.With: _pair_with,
}
