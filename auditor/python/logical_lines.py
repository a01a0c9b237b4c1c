"""Where a text's logical lines start and end, found by a scan of its strings, comments and brackets.

Telling statements' lines from the libcst tree means generating the module's code again, and even the
stdlib parser costs a tenth of libcst's parse. A statement starts a logical line, and a logical line ends
where a line break falls outside every bracket, string and backslash continuation: only those tokens
need finding, which regular expressions do in C.

The scan models Python's tokenizer up to 3.11. It gives up (returns None) on what it does not model, so
the caller can fall back to a parser: an f-string (3.12 lets them nest quotes and span lines), a logical
line whose first token sits past a backslash continuation, or brackets that do not balance.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Strings (triple-quoted first, so `'''` is not read as an empty string and a quote) and comments.
# A string's prefix does not change where it ends: even in a raw string a backslash escapes the quote.
_STRING_OR_COMMENT = re.compile(
    r"""'''(?:[^'\\]|\\[\s\S]|'(?!''))*'''"""
    r'''|"""(?:[^"\\]|\\[\s\S]|"(?!""))*"""'''
    r"""|'(?:[^'\\\r\n]|\\[\s\S])*'"""
    r'''|"(?:[^"\\\r\n]|\\[\s\S])*"'''
    r"""|\#[^\r\n]*"""
)
# `$` appears nowhere else outside strings and comments, so an f-string's prefix shows as `f$` or `fr$`
# (or a name ending in `f` right before a string, `elif"x":`, which is as well given up on).
_STRING_STAND_IN = "$"
# Only how deep the brackets nest matters, not their kind: a file whose brackets do not match cannot parse.
_ONE_KIND_OF_BRACKET = str.maketrans("[{]}", "(())")
# The line breaks of Python's tokenizer (`str.splitlines` knows more, such as form feeds).
LINE_BREAK = re.compile(r"\r\n?|\n")


@dataclass(frozen=True)
class LogicalLines:
    """The first line (that of the first token) of every logical line, in order, and how many lines
    past its first the longest logical line reaches."""

    starts: tuple[int, ...]
    longest_reach: int


def _stand_in(token: re.Match[str]) -> str:
    text = token.group()
    if text[0] == "#":
        return ""
    # A line break inside a string continues the logical line, as a backslash continuation does.
    breaks = text.count("\n") + text.count("\r") - text.count("\r\n")
    return _STRING_STAND_IN + "\\\n" * breaks


def _holds_f_string(code: str) -> bool:
    lowered = code.lower()
    return f"f{_STRING_STAND_IN}" in lowered or f"fr{_STRING_STAND_IN}" in lowered


def logical_lines(text: str) -> LogicalLines | None:
    """The logical lines of `text`, or None when it holds something this scan does not model."""
    code = _STRING_OR_COMMENT.sub(_stand_in, text)
    if "'" in code or '"' in code or _holds_f_string(code):
        return None
    code = code.translate(_ONE_KIND_OF_BRACKET)
    physical_lines = LINE_BREAK.split(code) if "\r" in code else code.split("\n")
    starts: list[int] = []
    longest_reach = 0
    depth = 0
    start: int | None = None
    for number, line in enumerate(physical_lines, 1):
        if start is None:
            first_token = line.lstrip(" \t\f")
            if not first_token:
                continue  # blank, or a comment only
            if first_token == "\\":
                return None  # the first token sits on a later line
            start = number
        if "(" in line or ")" in line:
            depth += line.count("(") - line.count(")")
            if depth < 0:
                return None
        if depth == 0 and not line.endswith("\\"):
            starts.append(start)
            if number - start > longest_reach:
                longest_reach = number - start
            start = None
    if start is not None:
        return None
    return LogicalLines(tuple(starts), longest_reach)
