"""Inline suppressions: `# parity-audit: ignore[rule-slug, ...]` comments in the audited files.

Python and Elixir both start comments with `#`, so one line-based scan serves both. A line counts
only when the marker follows a `#` that starts a comment: a `#` inside a string that opens and
closes on that line (`"a # b"`, `'#'`, Elixir's `?#`) does not. Lines inside a string spanning
several lines (a docstring, a heredoc) are read like code, so a marker written there is taken for a
comment; it can only ever point at a line that declares nothing, and is then reported as
suppressing nothing.

The scan reads no file itself: the extraction shows it the bytes it reads anyway (`CommentScan.notice`),
and a file without the marker costs one substring search.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

MARKER = b"parity-audit:"
# Patterns, compiled (and cached by `re`) on the first file that holds the marker at all.
_DIRECTIVE = r"#\s*parity-audit:\s*ignore\[(?P<rules>[^\]]*)\](?P<reason>.*)"
_MENTION = r"#\s*parity-audit:"
_REASON_LEAD = " \t-:\u2013\u2014"  # spaces, hyphens, colons, en and em dashes


@dataclass(frozen=True)
class InlineIgnore:
    """One suppression comment: the line it is on, the slugs it names, and the text after the bracket."""

    line: int
    rules: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class ScannedFile:
    """What one file's comments say; `not_understood` holds lines of `# parity-audit:` comments that
    are not `ignore[...]` naming a rule, so a typo is reported instead of silently suppressing nothing."""

    ignores: tuple[InlineIgnore, ...]
    not_understood: tuple[int, ...]


def comment_start(line: str) -> int | None:
    """The index of the `#` that starts the line's comment, skipping strings that close on the line."""
    quote: str | None = None
    index = 0
    while index < len(line):
        char = line[index]
        if quote is not None:
            if char == "\\":
                index += 2
                continue
            if line.startswith(quote, index):
                index += len(quote)
                quote = None
                continue
        elif char == "#":
            return index
        elif char in "\"'":
            quote = char * 3 if line.startswith(char * 3, index) else char
            index += len(quote)
            continue
        elif char == "?" and not (index and (line[index - 1].isalnum() or line[index - 1] == "_")):
            # Elixir's character literal (`?#`, `?"`), unless it ends a name (`valid?`); never Python.
            index += 3 if line.startswith("?\\", index) else 2
            continue
        index += 1
    return None


def _lines_with_marker(data: bytes) -> Iterable[tuple[int, str]]:
    """(line number, text) of every line holding the marker, found without splitting the whole file."""
    start = data.find(MARKER)
    line_number = 1
    counted_to = 0
    while start != -1:
        begin = data.rfind(b"\n", 0, start) + 1
        end = data.find(b"\n", start)
        end = len(data) if end == -1 else end
        line_number += data.count(b"\n", counted_to, begin)
        counted_to = begin
        yield line_number, data[begin:end].decode("utf-8", "replace").rstrip("\r")
        start = data.find(MARKER, end)


def scan_comments(data: bytes) -> ScannedFile:
    ignores: list[InlineIgnore] = []
    not_understood: list[int] = []
    for line_number, text in _lines_with_marker(data):
        start = comment_start(text)
        if start is None:
            continue
        comment = text[start:]
        directive = re.search(_DIRECTIVE, comment)
        rules = tuple(rule.strip() for rule in directive["rules"].split(",") if rule.strip()) if directive else ()
        if directive is not None and rules:
            ignores.append(InlineIgnore(line_number, rules, directive["reason"].strip().lstrip(_REASON_LEAD)))
        elif re.search(_MENTION, comment):
            not_understood.append(line_number)
    return ScannedFile(tuple(ignores), tuple(not_understood))


class CommentScan:
    """The suppression comments of one side's audited files, by checkout-relative path."""

    def __init__(self, side: str, audited: Iterable[str]) -> None:
        self.side = side
        """"python" or "elixir": which side's locations the comments point at."""
        self._audited = frozenset(audited)
        self.files: dict[str, ScannedFile] = {}

    def notice(self, path: str, data: bytes) -> None:
        """Scans a file the extraction has read, if it is audited and holds the marker at all."""
        if path in self._audited and MARKER in data:
            self.files[path] = scan_comments(data)
