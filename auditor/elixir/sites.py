"""Where a module's struct declarations can grow: byte offsets of the lists a new field is appended to.

The fix stage adds fields by inserting text at these offsets and never rewrites what is there, so a site
is recorded only where an append is safe: a literal list, the keyword entries of a struct typespec map,
the statements of a `typedstruct` block. A declaration built any other way (a `defstruct` of a variable, a
typespec that is not `%__MODULE__{...}`) has no site, and the fix stage lists the field instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from tree_sitter import Node

from auditor.elixir.syntax import significant_children


@dataclass(frozen=True)
class ListSite:
    """A written sequence a new item is appended to.

    `after_last` is the end of the last item (None when there is none); `empty_at` is where the first item
    goes in an empty sequence; `separator` is what goes between the last item and a new one, as the
    sequence is laid out (`, ` on one line, `,` and a newline with the items' indentation otherwise).
    """

    after_last: int | None
    empty_at: int
    separator: str

    def append(self, items: list[str]) -> tuple[int, str]:
        """(offset, text) of one insertion that appends `items` in order."""
        separator = self.separator or ", "
        if self.after_last is None:
            return self.empty_at, separator.join(items)
        return self.after_last, "".join(separator + item for item in items)


@dataclass(frozen=True)
class StructSite:
    """The declarations of one struct module that a new field touches.

    A `defstruct` struct has `keys` (its literal list or keywords; None when the argument is built some
    other way), `enforce_keys` (the first literal `@enforce_keys` list; `enforce_keys_written` is True even
    when that declaration is no literal list) and `typespec` (the entries of `@type t :: %__MODULE__{}`;
    `typespec_written` is True when some `@type t` exists, readable or not). A TypedStruct struct has
    `typed_fields` (the statements of its block) and `enforced_by_default` (the block's `enforce: true`).
    `derive_only` is the `only:` list of a derived JSON encoder. `statement_start`/`indent` place a new
    `@enforce_keys` line before the struct declaration.
    """

    module: str
    typed_struct: bool
    derives_json_encoder: bool
    statement_start: int
    indent: str
    keys: ListSite | None = None
    keys_are_keywords: bool = False
    enforce_keys: ListSite | None = None
    enforce_keys_written: bool = False
    typespec: ListSite | None = None
    typespec_written: bool = False
    typed_fields: ListSite | None = None
    enforced_by_default: bool = False
    derive_only: ListSite | None = None


@dataclass(frozen=True)
class EnumSite:
    """An atom enum module's converters: the function that gives an atom its wire string and the one that
    reads it back (`to_api`/`from_api`), when the module has clauses of both."""

    module: str
    encoder: str | None
    decoder: str | None


def indentation(source: bytes, node: Node) -> str:
    """The whitespace before `node` on its line (the node being the first thing there)."""
    line_start = source.rfind(b"\n", 0, node.start_byte) + 1
    prefix = source[line_start : node.start_byte]
    return prefix.decode("utf-8", errors="replace") if prefix.isspace() else " " * node.start_point.column


def item_list(container: Node, items: list[Node], empty_at: int, source: bytes) -> ListSite:
    """The site of a comma-separated sequence laid out as its last item is: on its own line or not."""
    if not items:
        return ListSite(None, empty_at, "")
    last = items[-1]
    previous_row = items[-2].end_point.row if len(items) > 1 else container.start_point.row
    if last.start_point.row > previous_row:
        return ListSite(last.end_byte, empty_at, ",\n" + indentation(source, last))
    return ListSite(last.end_byte, empty_at, ", ")


def bracketed_list(node: Node, source: bytes) -> ListSite:
    """A `[...]` list, or the `key: value` entries of a `keywords` node given without brackets."""
    if node.type == "keywords":
        return item_list(node, significant_children(node), node.end_byte, source)
    items = significant_children(node)
    if len(items) == 1 and items[0].type == "keywords":
        # `[a: 1, b: 2]` holds one keywords node: its pairs are the items.
        return item_list(node, significant_children(items[0]), node.end_byte - 1, source)
    return item_list(node, items, node.end_byte - 1, source)


def map_entries(node: Node, source: bytes) -> ListSite:
    """The entries of a `%Name{...}` map: arrow entries and the keyword pairs that follow them."""
    entries: list[Node] = []
    for child in node.named_children:
        if child.type != "map_content":
            continue
        for item in significant_children(child):
            entries.extend(significant_children(item) if item.type == "keywords" else [item])
    return item_list(node, entries, node.end_byte - 1, source)


def statement_list(block: Node, statements: list[Node], source: bytes) -> ListSite | None:
    """The statements of a `do ... end` block; a new statement goes on a line of its own after the last."""
    if not statements:
        return None
    last = statements[-1]
    return ListSite(last.end_byte, last.end_byte, "\n" + indentation(source, last))
