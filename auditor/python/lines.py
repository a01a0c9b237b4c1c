"""Line numbers of a libcst tree's statements, taken from the stdlib `ast` of the same text.

libcst computes positions by generating the code of the whole module again, which costs more than
parsing it; the C parser behind `ast` is several times cheaper than libcst's parse. The two trees list
the same statements in the same order, so they are walked side by side. When `ast` cannot parse the
text (syntax newer than the running interpreter) or the trees disagree, libcst's positions are used.
"""

from __future__ import annotations

import ast
import functools
import warnings
from collections.abc import Callable, Sequence

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

LineOf = Callable[[cst.CSTNode], int]


def statement_lines(tree: cst.Module, text: str) -> LineOf:
    """A function giving the first line of any statement at module level, in a class body or in a block
    of `if`/`try`/`with` statements; 1 when the line cannot be told.

    The table is built on the first question, so a file that binds no class or assignment (a package
    `__init__` of imports) never pays for it.
    """
    table = functools.cache(lambda: _line_table(tree, text))
    return lambda node: table()(node)


def _line_table(tree: cst.Module, text: str) -> LineOf:
    lines: dict[int, int] = {}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. SyntaxWarning for an invalid escape sequence
            twin = ast.parse(text)
        paired = _pair_block(tree.body, twin.body, lines)
    except Exception:  # e.g. `type X = int` under Python 3.11, or too deeply nested brackets
        paired = False
    if paired:
        return lambda node: lines.get(id(node), 1)
    return _positions(tree)


def _positions(tree: cst.Module) -> LineOf:
    try:
        # Skipping the copy keeps node identity, so the summarizer's nodes have positions.
        positions = MetadataWrapper(tree, unsafe_skip_copy=True).resolve(PositionProvider)
    except Exception:  # a line is not worth failing for
        return lambda node: 1
    return lambda node: position.start.line if (position := positions.get(node)) is not None else 1


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
    if isinstance(statement, cst.ClassDef):
        return isinstance(twin, ast.ClassDef) and _pair_suite(statement.body, twin.body, lines)
    if isinstance(statement, cst.If):
        if not isinstance(twin, ast.If) or not _pair_suite(statement.body, twin.body, lines):
            return False
        if isinstance(statement.orelse, cst.If):  # `elif`: `ast` nests it as the only statement of `orelse`
            return _pair_block([statement.orelse], twin.orelse, lines)
        if isinstance(statement.orelse, cst.Else):
            return _pair_suite(statement.orelse.body, twin.orelse, lines)
        return not twin.orelse
    if isinstance(statement, cst.Try | cst.TryStar):
        return _pair_try(statement, twin, lines)
    if isinstance(statement, cst.With):
        return isinstance(twin, ast.With | ast.AsyncWith) and _pair_suite(statement.body, twin.body, lines)
    return True


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
