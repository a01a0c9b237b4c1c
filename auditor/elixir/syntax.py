"""Thin helpers over the tree-sitter-elixir concrete syntax tree.

The grammar keeps every construct as a generic `call`, `unary_operator` or `binary_operator`,
so the rest of the front end asks questions through these helpers ("is this `@type`?",
"what are this call's keyword options?") instead of poking at node shapes directly.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache

import tree_sitter_elixir
from tree_sitter import Language, Node, Parser, Tree


@cache
def _parser() -> Parser:
    # Building the language is not free and the parser holds no per-file state between parses.
    return Parser(Language(tree_sitter_elixir.language()))


def parse(source: bytes) -> Tree:
    return _parser().parse(source)


# The text of the file being read, when it is all ASCII (then byte offsets are string offsets).
# Slicing it is about half the cost of `Node.text` plus a decode, and node text is read everywhere.
_ascii_source: ContextVar[str | None] = ContextVar("_ascii_source", default=None)


@contextmanager
def reading(source: bytes) -> Iterator[None]:
    """While inside, `node_text` reads the nodes of `source`'s tree from one decoded copy of it."""
    token = _ascii_source.set(source.decode("ascii") if source.isascii() else None)
    try:
        yield
    finally:
        _ascii_source.reset(token)


def node_text(node: Node) -> str:
    ascii_source = _ascii_source.get()
    if ascii_source is not None:
        return ascii_source[node.start_byte : node.end_byte]
    text = node.text
    return text.decode("utf-8", errors="replace") if text else ""


def line_of(node: Node) -> int:
    return node.start_point.row + 1


def clean_text(node: Node) -> str:
    """The node's source with comments cut out and whitespace between tokens collapsed to one space.

    Multi-line typespecs and defaults are compared and displayed as one line, and a trailing
    `# comment` inside a multi-line union must not leak into that line. Quoted literals are kept
    verbatim: the spaces inside `"a  b"` are part of the value.
    """
    text = node_text(node)
    if node.child_count == 0 or node.type in _VERBATIM or not _NEEDS_CLEANING.search(text):
        return text  # no comment and no run of whitespace: the token walk would give the same text
    pieces: list[str] = []
    previous_end: int | None = None
    for token in _tokens(node):
        if previous_end is not None and token.start_byte > previous_end:
            pieces.append(" ")
        pieces.append(node_text(token))
        previous_end = token.end_byte
    return "".join(pieces)


_NEEDS_CLEANING = re.compile(r"#|\s\s|[^\S ]")
_VERBATIM = frozenset({"string", "charlist", "sigil", "quoted_atom", "quoted_keyword"})


def _tokens(node: Node) -> Iterator[Node]:
    # An explicit stack, not recursion: a typespec nested hundreds of levels deep must not overflow.
    stack = [node]
    while stack:
        current = stack.pop()
        if current.type == "comment":
            continue
        if current.type in _VERBATIM or current.child_count == 0:
            yield current
            continue
        stack.extend(reversed(current.children))


def significant_children(node: Node) -> list[Node]:
    """Named children other than comments, which the grammar allows almost anywhere."""
    if not node.named_child_count:
        return []  # the common `()` of `integer()`: no list of children to build and filter
    return [child for child in node.named_children if child.type != "comment"]


def call_name(node: Node) -> str | None:
    """`foo` for a local call `foo ...`/`foo(...)`; None for remote calls and non-calls."""
    if node.type != "call":
        return None
    target = node.child_by_field_name("target")
    if target is None or target.type != "identifier":
        return None
    return node_text(target)


def call_arguments(node: Node) -> list[Node]:
    for child in node.named_children:
        if child.type == "arguments":
            return significant_children(child)
    return []


def do_block(node: Node) -> Node | None:
    for child in node.named_children:
        if child.type == "do_block":
            return child
    return None


def block_statements(block: Node | None) -> list[Node]:
    """The statements directly inside a `do ... end` block (empty when there is no block)."""
    if block is None:
        return []
    return [
        child
        for child in significant_children(block)
        if child.type not in ("else_block", "after_block", "rescue_block", "catch_block")
    ]


def keyword_name(key: Node) -> str | None:
    """The atom a `keyword` (`name: `) or `quoted_keyword` (`"a b": `) key stands for."""
    if key.type == "keyword":
        return node_text(key).strip().removesuffix(":")
    if key.type == "quoted_keyword":
        return _plain_quoted_content(key)
    return None


def keyword_pairs(node: Node) -> list[tuple[str, Node, Node]]:
    """(name, key node, value node) for each pair of a `keywords` node; unreadable keys skipped."""
    pairs: list[tuple[str, Node, Node]] = []
    if node.type != "keywords":
        return pairs
    for pair in significant_children(node):
        key = pair.child_by_field_name("key")
        value = pair.child_by_field_name("value")
        if key is None or value is None:
            continue
        name = keyword_name(key)
        if name is not None:
            pairs.append((name, key, value))
    return pairs


def trailing_options(arguments: list[Node]) -> dict[str, Node]:
    """Keyword options given as the last argument of a call (`foo :a, enforce: true`).

    An explicit keyword list (`foo :a, [enforce: true]`) means the same thing to the macros we read.
    """
    if not arguments:
        return {}
    last = arguments[-1]
    if last.type == "list":
        items = significant_children(last)
        if len(items) == 1 and items[0].type == "keywords":
            last = items[0]
    return {name: value for name, _key, value in keyword_pairs(last)}


def atom_name(node: Node) -> str | None:
    """`png` for `:png` or `:"png"`; None for anything else, including interpolated atoms."""
    if node.type == "atom":
        return node_text(node).removeprefix(":")
    if node.type == "quoted_atom":
        return _plain_quoted_content(node)
    return None


def _plain_quoted_content(node: Node) -> str | None:
    parts: list[str] = []
    for child in node.named_children:
        if child.type == "quoted_content":
            parts.append(node_text(child))
        else:
            # Interpolation or escapes: the name is not knowable without evaluating.
            return None
    return "".join(parts)


def atom_list(node: Node) -> list[tuple[str, Node]] | None:
    """The atoms of a literal list like `[:a, :b]` or `~w(a b)a`; None when it is not one."""
    if node.type == "sigil":
        return _word_sigil_atoms(node)
    if node.type != "list":
        return None
    atoms: list[tuple[str, Node]] = []
    for item in significant_children(node):
        name = atom_name(item)
        if name is None:
            return None
        atoms.append((name, item))
    return atoms


def _word_sigil_atoms(node: Node) -> list[tuple[str, Node]] | None:
    name = node.named_children[0] if node.named_children else None
    modifiers = [child for child in node.named_children if child.type == "sigil_modifiers"]
    if name is None or node_text(name) != "w" or not modifiers or "a" not in node_text(modifiers[0]):
        return None
    content = [child for child in node.named_children if child.type == "quoted_content"]
    words = node_text(content[0]).split() if content else []
    return [(word, node) for word in words]


def module_attribute(node: Node) -> tuple[str, list[Node]] | None:
    """(`type`, [arguments]) for `@type ...`; (`moduledoc`, []) for a bare `@moduledoc`."""
    if node.type != "unary_operator":
        return None
    operator = node.child_by_field_name("operator")
    operand = node.child_by_field_name("operand")
    if operator is None or operand is None or operator.type != "@":
        return None
    if operand.type == "identifier":
        return node_text(operand), []
    name = call_name(operand)
    if name is None:
        return None
    return name, call_arguments(operand)


def attribute_named(statement: Node, *names: str) -> tuple[str, list[Node]] | None:
    attribute = module_attribute(statement)
    if attribute is None or attribute[0] not in names:
        return None
    return attribute


# The operator helpers give the operator token's kind rather than its text: the two are the same
# string for every operator except `not in`, whose text may hold extra spaces, and reading the kind
# does not copy bytes out of the source.


def binary_parts(node: Node) -> tuple[Node, str, Node] | None:
    if node.type != "binary_operator":
        return None
    left = node.child_by_field_name("left")
    operator = node.child_by_field_name("operator")
    right = node.child_by_field_name("right")
    if left is None or operator is None or right is None:
        return None
    return left, operator.type, right


def unary_parts(node: Node) -> tuple[str, Node] | None:
    if node.type != "unary_operator":
        return None
    operator = node.child_by_field_name("operator")
    operand = node.child_by_field_name("operand")
    if operator is None or operand is None:
        return None
    return operator.type, operand


def first_syntax_error(root: Node) -> Node | None:
    """The first ERROR or MISSING node in document order, or None for a clean tree."""
    if not root.has_error:
        return None
    stack = [root]
    while stack:
        node = stack.pop()
        if node.is_error or node.is_missing:
            return node
        # Reversed so the leftmost child is examined first.
        stack.extend(child for child in reversed(node.children) if child.has_error or child.is_missing)
    return root
