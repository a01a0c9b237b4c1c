"""Splitting a large Python file at its top-level statements, so that its parts are parsed in parallel.

libcst parses one file on one core: a types module of a thousand classes keeps one worker busy for a
second while the others idle, and its tree alone takes a few hundred megabytes. Every top-level statement
(its decorators and the comments before it included) lies in exactly one part, and a part is parsed as a
module of its own whose lines count from the part's first line, so summarizing the parts in order and
keeping each name's first binding (`merge_parts`) gives the summary of the whole file, line numbers and
all. A part that does not parse (`merge_parts` gives None) sends the whole file to the parser again, so
its diagnostic is the one the whole file gets.

Where the statements start is read off the logical lines (`logical_lines`): one whose first token sits in
column 0 starts a top-level statement, unless it is a clause of the statement before (`else:`, `except:`)
or the statement's decorator comes before it. When the scan gives up (an f-string), the stdlib `ast` of the
text tells, at about a tenth of the cost of libcst's parse. This module never imports libcst: the process
that splits a file need not load the parser.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

from auditor.python.logical_lines import LINE_BREAK, logical_lines
from auditor.python.summary import FileBinding, PythonFileSummary

_CLAUSE = re.compile(r"(?:else|elif|except|finally)\b")
_INDENTATION = " \t\f"


@dataclass(frozen=True)
class SourcePart:
    """The text of a file from line `first_line` on, up to the start of the next part."""

    first_line: int
    text: str


def decode(data: bytes) -> str:
    """The text of a Python file's bytes; raises UnicodeDecodeError, SyntaxError or LookupError."""
    # Honours a PEP 263 coding cookie; anything without one must be UTF-8.
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    return data.decode(encoding)


def split_source(data: bytes, part_size: int) -> list[SourcePart] | None:
    """The file cut at top-level statements into parts of at least `part_size` characters (the last one
    may be smaller); None when it gives fewer than two parts or cannot be split exactly (it cannot be
    decoded, or neither the scan nor `ast` can read it): it is then parsed whole."""
    try:
        text = decode(data)
    except (UnicodeDecodeError, SyntaxError, LookupError):
        return None
    if len(text) < 2 * part_size:
        return None
    line_offsets = [0, *(match.end() for match in LINE_BREAK.finditer(text))]
    starts = _statement_starts(text, line_offsets)
    if starts is None:
        return None
    parts: list[SourcePart] = []
    first_line, begin = 1, 0
    for line in starts:
        offset = line_offsets[line - 1]
        if offset - begin >= part_size and len(text) - offset >= part_size // 2:
            parts.append(SourcePart(first_line, text[begin:offset]))
            first_line, begin = line, offset
    parts.append(SourcePart(first_line, text[begin:]))
    return parts if len(parts) > 1 else None


def _statement_starts(text: str, line_offsets: Sequence[int]) -> list[int] | None:
    """The first lines of the top-level statements (of their first decorator, for a decorated one)."""
    logical = logical_lines(text)
    if logical is None:
        return _stdlib_statement_starts(text)
    starts: list[int] = []
    after_decorator = False
    for line in logical.starts:
        offset = line_offsets[line - 1]
        if text[offset] in _INDENTATION:
            continue  # inside a block
        if not after_decorator and not _CLAUSE.match(text, offset):
            starts.append(line)
        after_decorator = text[offset] == "@"
    return starts


def _stdlib_statement_starts(text: str) -> list[int] | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. SyntaxWarning for an invalid escape sequence
            module = ast.parse(text)
    except Exception:  # SyntaxError, or ValueError, RecursionError, MemoryError on absurd input
        return None
    return [
        statement.decorator_list[0].lineno
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and statement.decorator_list
        else statement.lineno
        for statement in module.body
    ]


def merge_parts(path: str, parts: Sequence[PythonFileSummary]) -> PythonFileSummary | None:
    """The summary of the whole file from the summaries of its parts, in order; None when a part has a
    problem, which only parsing the whole file reports as the file's own."""
    if any(part.problem is not None for part in parts):
        return None
    bindings: dict[str, FileBinding] = {}
    for part in parts:
        for name, binding in part.bindings:
            bindings.setdefault(name, binding)
    star_imports = tuple(source for part in parts for source in part.star_imports)
    declared_all = next((part.declared_all for part in parts if part.declared_all is not None), None)
    return PythonFileSummary(path, tuple(bindings.items()), star_imports, declared_all)
