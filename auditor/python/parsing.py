"""Turning a file's bytes into a libcst tree, and rendering nodes back to one-line source text.

Nothing here imports or executes the code it reads: a file is bytes, then text, then a tree.
"""

from __future__ import annotations

import ast
import dataclasses
import functools
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import libcst as cst

from auditor.python.logical_lines import LogicalLines, logical_lines
from auditor.python.splitting import decode

if TYPE_CHECKING:
    from auditor.model import Diagnostic

StdlibTree = Callable[[], ast.Module | None]


@dataclass(frozen=True)
class ParsedFile:
    """A file's decoded text and tree, or the diagnostic explaining why there is none.

    The bulky-data cut and the line table both read `logical_lines` (None when the scan gave up) and
    `stdlib_tree`, which gives the stdlib `ast` of the text (None when `ast` cannot parse it), parsed at
    most once and only when needed.
    """

    text: str
    tree: cst.Module | None
    problem: Diagnostic | None = None
    logical_lines: LogicalLines | None = None
    stdlib_tree: StdlibTree = lambda: None


def parse_source(path: str, data: bytes) -> ParsedFile:
    """Parses the bytes of the file at `path`; every failure (undecodable, invalid syntax) becomes a diagnostic."""
    try:
        text = decode(data)
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        return _failure(path, line, f"cannot decode file as {error.encoding}: {error.reason}")
    except (SyntaxError, LookupError) as error:
        return _failure(path, 1, f"cannot decode file: {error}")
    return parse_text(path, text)


def parse_text(path: str, text: str) -> ParsedFile:
    """Parses the decoded text of the file at `path`; invalid syntax becomes a diagnostic."""
    text, logical, stdlib_tree = _cut_bulky_data(text)
    try:
        return ParsedFile(text, cst.parse_module(text), logical_lines=logical, stdlib_tree=stdlib_tree)
    except cst.ParserSyntaxError as error:
        return _failure(path, _error_line(error), f"syntax error: {error.message}")
    except Exception as error:  # libcst can also fail with e.g. RecursionError on absurdly nested code
        return _failure(path, 1, f"cannot parse file: {type(error).__name__}: {error}")


BULKY_LINES = 20
_DATA_DISPLAYS = (ast.List, ast.Tuple, ast.Set, ast.Dict, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def stdlib_parse(text: str) -> ast.Module | None:
    """The stdlib `ast` of `text`; None when it cannot parse it (e.g. syntax newer than the interpreter)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. SyntaxWarning for an invalid escape sequence
            return ast.parse(text)
    except Exception:  # SyntaxError, or ValueError, RecursionError, MemoryError on absurd input
        return None


def without_bulky_data(text: str) -> str:
    """The text with long literal data tables at module level replaced by `...`, line numbers kept.

    libcst's parse time grows faster than the file (a 5 MB table takes about a minute, the stdlib parser
    two seconds), and a list, dict or set display is never a type, so the tables are cut before libcst
    sees them. `__all__` is kept: it decides what a star import brings along.
    """
    cut, _, _ = _cut_bulky_data(text)
    return cut


def _cut_bulky_data(text: str) -> tuple[str, LogicalLines | None, StdlibTree]:
    """`without_bulky_data`, with the logical lines and the stdlib tree of the text it returns."""
    logical = logical_lines(text)
    if logical is not None and logical.longest_reach < BULKY_LINES:
        # A table spans no more lines than its statement's logical line, so none can be here: no parse is
        # needed, and the line table asks for one only if the logical lines cannot place the statements.
        return text, logical, functools.cache(lambda: stdlib_parse(text))
    module = stdlib_parse(text)
    if module is None:
        return text, logical, lambda: None  # libcst reports the problem, with its own position
    bulky = [
        statement.value
        for statement in module.body
        if isinstance(statement, ast.Assign | ast.AnnAssign)
        and isinstance(statement.value, _DATA_DISPLAYS)
        and statement.value.end_lineno is not None
        and statement.value.end_lineno - statement.value.lineno >= BULKY_LINES
        and not any(isinstance(t, ast.Name) and t.id == "__all__" for t in _targets(statement))
    ]
    if not bulky:
        return text, logical, lambda: module
    lines = text.splitlines(keepends=True)
    for value in reversed(bulky):
        assert value.end_lineno is not None and value.end_col_offset is not None
        first, last = lines[value.lineno - 1], lines[value.end_lineno - 1]
        # ast columns count UTF-8 bytes.
        head = first.encode()[: value.col_offset].decode()
        tail = last.encode()[value.end_col_offset :].decode()
        kept_breaks = "\n" * (value.end_lineno - value.lineno)
        lines[value.lineno - 1 : value.end_lineno] = [f"{head}...{tail.rstrip(chr(10))}{kept_breaks}\n"]
    cut = "".join(lines)
    return cut, logical_lines(cut), functools.cache(lambda: stdlib_parse(cut))


def _targets(statement: ast.Assign | ast.AnnAssign) -> list[ast.expr]:
    return statement.targets if isinstance(statement, ast.Assign) else [statement.target]


_PARSER_POSITION = re.compile(r"error at (\d+):\d+")


def _error_line(error: cst.ParserSyntaxError) -> int:
    # libcst's `raw_line` is sometimes a line past the error; its parser message names the exact spot.
    reported = _PARSER_POSITION.search(error.message)
    return int(reported.group(1)) if reported else error.raw_line


def _failure(path: str, line: int, message: str) -> ParsedFile:
    from auditor.model import Diagnostic  # here, not at the top: a worker loads the model only for a file that fails

    return ParsedFile("", None, Diagnostic(path, max(line, 1), "error", message))


class _OneLine(cst.CSTTransformer):
    """Replaces line breaks (and the comments riding on them) inside an expression by plain spacing."""

    def on_leave(self, original_node: cst.CSTNode, updated_node: cst.CSTNode) -> cst.CSTNode:
        changes: dict[str, object] = {}
        for node_field in dataclasses.fields(updated_node):
            if isinstance(getattr(updated_node, node_field.name), cst.ParenthesizedWhitespace):
                after_comma = isinstance(updated_node, cst.Comma) and node_field.name == "whitespace_after"
                changes[node_field.name] = cst.SimpleWhitespace(" " if after_comma else "")
        if isinstance(updated_node, cst.Subscript) and len(updated_node.slice) > 1:
            last = updated_node.slice[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
            changes["slice"] = (*updated_node.slice[:-1], last)
        if isinstance(updated_node, cst.Call) and updated_node.args:
            last_arg = updated_node.args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
            changes["args"] = (*updated_node.args[:-1], last_arg)
        return updated_node.with_changes(**changes) if changes else updated_node


_EMPTY_MODULE = cst.Module(body=[])


def one_line_source(node: cst.CSTNode) -> str:
    """The node's source text on a single line, comments and line breaks inside it dropped."""
    try:
        flattened = node.visit(_OneLine())
    except cst.CSTValidationError:
        # Dropping a line break can glue keywords together (`x\nelse y`); collapsing all spacing cannot.
        return " ".join(_EMPTY_MODULE.code_for_node(node).split())
    if not isinstance(flattened, cst.CSTNode):
        return ""
    # Backslash continuations and triple-quoted strings keep their newlines through the transform.
    return " ".join(_EMPTY_MODULE.code_for_node(flattened).split("\n")).strip()
