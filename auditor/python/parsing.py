"""Reading checkout files into libcst trees, and rendering nodes back to one-line source text.

Nothing here imports or executes the code it reads: a file is bytes, then text, then a tree.
"""

from __future__ import annotations

import dataclasses
import io
import re
import tokenize
from dataclasses import dataclass
from pathlib import Path

import libcst as cst

from auditor.model import Diagnostic


@dataclass(frozen=True)
class ParsedFile:
    """A file's tree, or the diagnostic explaining why there is none."""

    tree: cst.Module | None
    problem: Diagnostic | None = None


def parse_file(root: Path, path: str) -> ParsedFile:
    """Parses `root / path`; every failure (unreadable, undecodable, invalid syntax) becomes a diagnostic."""
    try:
        data = (root / path).read_bytes()
    except OSError as error:
        return _failure(path, 1, f"cannot read file: {error.strerror or error}")
    try:
        # Honours a PEP 263 coding cookie; anything without one must be UTF-8.
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        return _failure(path, line, f"cannot decode file as {error.encoding}: {error.reason}")
    except (SyntaxError, LookupError) as error:
        return _failure(path, 1, f"cannot decode file: {error}")
    try:
        return ParsedFile(cst.parse_module(text))
    except cst.ParserSyntaxError as error:
        return _failure(path, _error_line(error), f"syntax error: {error.message}")
    except Exception as error:  # libcst can also fail with e.g. RecursionError on absurdly nested code
        return _failure(path, 1, f"cannot parse file: {type(error).__name__}: {error}")


_PARSER_POSITION = re.compile(r"error at (\d+):\d+")


def _error_line(error: cst.ParserSyntaxError) -> int:
    # libcst's `raw_line` is sometimes a line past the error; its parser message names the exact spot.
    reported = _PARSER_POSITION.search(error.message)
    return int(reported.group(1)) if reported else error.raw_line


def _failure(path: str, line: int, message: str) -> ParsedFile:
    return ParsedFile(None, Diagnostic(path, max(line, 1), "error", message))


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
    flattened = node.visit(_OneLine())
    if not isinstance(flattened, cst.CSTNode):
        return ""
    # Backslash continuations and triple-quoted strings keep their newlines through the transform.
    return " ".join(_EMPTY_MODULE.code_for_node(flattened).split("\n")).strip()
