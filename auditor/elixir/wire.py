"""The wire keys a port's own encoder writes and its own decoder reads, field by field.

Only what the code states literally is read: an encoder clause (`to_map`, `to_api`, `to_json`, `encode`,
`to_wire`) whose result is a map literal with literal keys, each value reading a field of the struct
argument (`s.max_tokens`, `Map.get(s, :max_tokens)`); a decoder clause (`from_map`, `from_api`,
`from_json`, `from_wire`, `decode`, `new`) whose result is the module's struct literal, each field's
value reading literal keys of the map argument (`m["maxTokens"]`, `Map.get(m, "maxTokens")`,
`fetch(m, :max_tokens)`, a `%{"maxTokens" => v}` pattern in the head), directly or through a variable
bound earlier in the clause. A function of
those names that builds its result any other way is reported as not read, never guessed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from tree_sitter import Node

from auditor.elixir.syntax import (
    atom_name,
    binary_parts,
    block_statements,
    call_arguments,
    call_name,
    do_block,
    keyword_pairs,
    line_of,
    node_text,
    significant_children,
    trailing_options,
)
from auditor.elixir.typespec import string_literal_value
from auditor.model import Location, WireKeys

ENCODERS = ("to_api", "to_json", "to_wire", "to_map", "encode")
DECODERS = ("from_api", "from_json", "from_wire", "from_map", "decode", "new")
"""In order of preference: `new` often takes the caller's options rather than the wire map."""
_DEFINITIONS = frozenset({"def", "defp"})
_CONSTRUCTORS = frozenset({"new"})
"""Names that build the struct from the caller's own arguments as often as from a wire map: one that
reads no key is a constructor, not a decoder left unread."""


@dataclass(frozen=True)
class WireFunctions:
    encoder: WireKeys | None
    decoder: WireKeys | None
    unread: tuple[tuple[str, int], ...]
    """(function, line) of the encoders (or decoders) that exist when none of them could be read."""


def read_wire_functions(statements: list[Node], path: str) -> WireFunctions:
    read: dict[str, WireKeys] = {}
    seen: dict[str, int] = {}
    for statement in statements:
        if statement.type != "call" or call_name(statement) not in _DEFINITIONS:
            continue
        clause = _clause(statement)
        if clause is None or (function := clause[0]) not in ENCODERS + DECODERS or function in read:
            continue
        seen.setdefault(function, line_of(statement))
        keys = _encoded(*clause[1:]) if function in ENCODERS else _decoded(*clause[1:])
        if keys is not None:
            read[function] = WireKeys(function, Location(path, line_of(statement)), keys)
    encoder = next((read[name] for name in ENCODERS if name in read), None)
    decoder = next((read[name] for name in DECODERS if name in read), None)
    unread = tuple(
        (function, line)
        for function, line in seen.items()
        if function not in _CONSTRUCTORS
        and ((encoder is None and function in ENCODERS) or (decoder is None and function in DECODERS))
    )
    return WireFunctions(encoder, decoder, unread)


def _clause(definition: Node) -> tuple[str, Node, list[Node]] | None:
    """(name, the one argument, the body's statements) of a one-argument `def`, a guard allowed."""
    arguments = call_arguments(definition)
    if not arguments:
        return None
    head = arguments[0]
    if head.type == "binary_operator" and (parts := binary_parts(head)) is not None and parts[1] == "when":
        head = parts[0]
    function = call_name(head)
    head_arguments = call_arguments(head)
    if function is None or len(head_arguments) != 1:
        return None
    inline = trailing_options(arguments[1:]).get("do") if len(arguments) > 1 else None
    body = [inline] if inline is not None else block_statements(do_block(definition))
    return (function, head_arguments[0], body) if body else None


def _bound_name(argument: Node) -> str | None:
    """The variable an argument binds: `s`, `%__MODULE__{} = s`, `s = %__MODULE__{}`."""
    if argument.type == "identifier":
        return node_text(argument)
    parts = binary_parts(argument)
    if parts is not None and parts[1] == "=":
        for side in (parts[2], parts[0]):
            if side.type == "identifier":
                return node_text(side)
    return None


def _result(body: list[Node]) -> Node:
    """The clause's value: its last statement, or the head of a pipeline it ends in (`%{...} |> f()`)."""
    last = body[-1]
    while (parts := binary_parts(last)) is not None and parts[1] == "|>":
        last = parts[0]
    return last


def _literal_key(node: Node) -> str | None:
    return atom_name(node) or string_literal_value(node)


def _map_entries(node: Node) -> list[tuple[str | None, Node]] | None:
    """(key, value) of a plain map literal's entries (key None when not a literal); None for other nodes."""
    if node.type != "map" or any(child.type == "struct" for child in node.named_children):
        return None
    entries: list[tuple[str | None, Node]] = []
    for content in significant_children(node):
        if content.type != "map_content":
            continue
        for item in significant_children(content):
            if item.type == "keywords":
                entries.extend((name, value) for name, _key, value in keyword_pairs(item))
            elif (parts := binary_parts(item)) is not None and parts[1] == "=>":
                entries.append((_literal_key(parts[0]), parts[2]))
            else:
                return None
    return entries


def _struct_entries(node: Node) -> list[tuple[str, Node]] | None:
    """(field, value) of a `%__MODULE__{...}` literal; None for anything else."""
    if node.type != "map":
        return None
    structs = [child for child in node.named_children if child.type == "struct"]
    if len(structs) != 1 or node_text(structs[0]).strip() != "__MODULE__":
        return None
    entries: list[tuple[str, Node]] = []
    for content in significant_children(node):
        if content.type == "map_content":
            for item in significant_children(content):
                if item.type != "keywords":
                    return None
                entries.extend((name, value) for name, _key, value in keyword_pairs(item))
    return entries


def _walk(node: Node) -> Iterator[Node]:
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(current.named_children))


def _fields_read(value: Node, struct: str, bound: dict[str, str]) -> list[str]:
    """The struct fields a value expression reads from the variable `struct`, or through the variables
    a struct pattern in the head bound to fields (`bound`)."""
    fields: list[str] = []
    for node in _walk(value):
        if node.type == "dot":
            left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
            if left is not None and right is not None and left.type == "identifier" and node_text(left) == struct:
                fields.append(node_text(right))
        elif node.type == "identifier" and node_text(node) in bound:
            fields.append(bound[node_text(node)])
        else:
            fields.extend(_keys_read(node, struct))
    return fields


def _struct_pattern_fields(argument: Node) -> dict[str, str]:
    """Variables a struct pattern in the head binds to fields: `%__MODULE__{max_tokens: max} = s`."""
    parts = binary_parts(argument)
    sides = [parts[0], parts[2]] if parts is not None and parts[1] == "=" else [argument]
    return {
        node_text(value): field
        for side in sides
        for field, value in _struct_entries(side) or []
        if value.type == "identifier"
    }


def _keys_read(node: Node, source: str) -> list[str]:
    """Literal keys one node reads from the variable `source`: `source[key]`, or any call given
    `source` and then a literal key (`Map.get(source, "k")`, `fetch(source, :k)`)."""
    if node.type == "access_call":
        children = significant_children(node)
        if len(children) == 2 and children[0].type == "identifier" and node_text(children[0]) == source:
            key = _literal_key(children[1])
            return [key] if key is not None else []
        return []
    if (parts := binary_parts(node)) is not None and parts[1] == "|>":
        # `source |> fetch("key")`: the piped value is the call's first argument.
        left, right = parts[0], parts[2]
        if left.type == "identifier" and node_text(left) == source and right.type == "call":
            arguments = call_arguments(right)
            key = _literal_key(arguments[0]) if arguments else None
            return [key] if key is not None else []
        return []
    if node.type != "call":
        return []
    arguments = call_arguments(node)
    for index, argument in enumerate(arguments[:-1]):
        if argument.type == "identifier" and node_text(argument) == source:
            key = _literal_key(arguments[index + 1])
            return [key] if key is not None else []
    return []


def _encoded(argument: Node, body: list[Node]) -> tuple[tuple[str, str], ...] | None:
    struct = _bound_name(argument) or ""
    bound = _struct_pattern_fields(argument)
    entries = _map_entries(_result(body))
    if (not struct and not bound) or entries is None or any(key is None for key, _ in entries):
        return None
    pairs: list[tuple[str, str]] = []
    for key, value in entries:
        assert key is not None
        fields = list(dict.fromkeys(_fields_read(value, struct, bound)))
        # A key whose value reads no field (a constant tag) is kept with the field "".
        pairs.extend((field, key) for field in fields or [""])
    return tuple(pairs)


def _pattern_keys(argument: Node) -> dict[str, list[str]]:
    """Variables a map pattern in the head binds to literal keys: `%{"maxTokens" => max} = m`."""
    parts = binary_parts(argument)
    sides = [parts[0], parts[2]] if parts is not None and parts[1] == "=" else [argument]
    bound: dict[str, list[str]] = {}
    for side in sides:
        for key, value in _map_entries(side) or []:
            if key is not None and value.type == "identifier":
                bound.setdefault(node_text(value), []).append(key)
    return bound


def _keys_of(value: Node, source: str, bound: dict[str, list[str]]) -> list[str]:
    """The keys a value reads from `source`, directly or through variables bound to keys before it
    (`models = m["models"]`, then `parsed = models |> Enum.map(...)`)."""
    keys = [key for node in _walk(value) for key in _keys_read(node, source)]
    keys += [key for node in _walk(value) if node.type == "identifier" for key in bound.get(node_text(node), [])]
    return keys


def _decoded(argument: Node, body: list[Node]) -> tuple[tuple[str, str], ...] | None:
    source = _bound_name(argument) or ""
    entries = _struct_entries(_result(body))
    if entries is None:
        return None
    # A key read into a variable first, in the head (`%{"type" => type}`) or the body
    # (`type = fetch!(map, :type)`), then `type: type`.
    bound = _pattern_keys(argument)
    for statement in body[:-1]:
        parts = binary_parts(statement)
        if parts is not None and parts[1] == "=" and parts[0].type == "identifier":
            bound[node_text(parts[0])] = _keys_of(parts[2], source, bound)
    pairs: list[tuple[str, str]] = []
    for field, value in entries:
        keys = _keys_of(value, source, bound)
        pairs.extend((field, key) for key in dict.fromkeys(keys))
        if not keys:
            pairs.append((field, ""))  # set without reading a key (a constant, a default): not dropped
    if all(not key for _, key in pairs):
        return None  # reads no key of its argument: it builds the struct, it does not decode a map
    return tuple(pairs)
