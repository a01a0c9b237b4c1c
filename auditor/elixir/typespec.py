"""Lowering Elixir typespec syntax into the neutral `TypeExpr` model.

Choices worth knowing:
- `keyword()` / `keyword(T)` / `[name: T]` lower to `MapOf(ATOM, T)`: a keyword list is a bag of
  named options, and the Python types it mirrors are dicts or keyword arguments, never lists of
  pairs. Lowering it as a list of tuples would make every such field a spurious mismatch.
- `binary()`, `bitstring()`, `String.t()` and the charlist types all lower to STR: ports use
  `binary()` for text far more often than for raw bytes.
- Atoms of a union are gathered into one `AtomSet` and string literals into one `LiteralOf`, placed
  where the first of them appeared, so `:a | nil | :b` is `UnionOf((AtomSet(a, b), NONE))`.
- Type variables of a parameterised type (`@type result(x) :: {:ok, x}`) lower to ANY.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from tree_sitter import Node

from auditor.elixir.scope import Scope, resolved_module_name
from auditor.elixir.syntax import (
    atom_name,
    binary_parts,
    call_arguments,
    clean_text,
    keyword_pairs,
    line_of,
    node_text,
    significant_children,
    unary_parts,
)
from auditor.model import (
    ANY,
    ATOM,
    BOOL,
    DATE,
    DATETIME,
    DURATION,
    FLOAT,
    INT,
    NONE,
    STR,
    TIME,
    AtomSet,
    ListOf,
    LiteralOf,
    MapOf,
    RecordEntry,
    RecordOf,
    Ref,
    TupleOf,
    TypeExpr,
    UnionOf,
    Unknown,
    union_of,
)

_NUMBER = union_of([INT, FLOAT])
_ANY_MAP = MapOf(ANY, ANY)
_KEYWORD_ANY = MapOf(ATOM, ANY)

# Built-in types called without arguments (`integer()`, or bare `integer`).
_BUILTIN_TYPES: dict[str, TypeExpr] = {
    "term": ANY,
    "any": ANY,
    "integer": INT,
    "non_neg_integer": INT,
    "pos_integer": INT,
    "neg_integer": INT,
    "byte": INT,
    "char": INT,
    "arity": INT,
    "float": FLOAT,
    "number": _NUMBER,
    "boolean": BOOL,
    "binary": STR,
    "nonempty_binary": STR,
    "bitstring": STR,
    "nonempty_bitstring": STR,
    "charlist": STR,
    "nonempty_charlist": STR,
    "string": STR,
    "nonempty_string": STR,
    "atom": ATOM,
    "module": ATOM,
    "node": ATOM,
    "map": _ANY_MAP,
    "struct": MapOf(ATOM, ANY),
    "list": ListOf(ANY),
    "nonempty_list": ListOf(ANY),
    "keyword": _KEYWORD_ANY,
    "nil": NONE,
}

_LIST_CONSTRUCTORS = frozenset(
    {"list", "nonempty_list", "maybe_improper_list", "nonempty_maybe_improper_list"}
)

# Remote types from the standard library that have a neutral meaning, keyed by resolved module.
_STDLIB_REMOTE: dict[tuple[str, str], TypeExpr] = {
    ("String", "t"): STR,
    ("DateTime", "t"): DATETIME,
    ("NaiveDateTime", "t"): DATETIME,
    ("Date", "t"): DATE,
    ("Time", "t"): TIME,
    ("Duration", "t"): DURATION,
    ("Keyword", "t"): _KEYWORD_ANY,
}


MAX_TYPESPEC_DEPTH = 100
"""Deeper type expressions are not lowered: real typespecs nest a handful of levels, and lowering
recurses once per level, so a generated or hostile `list(list(...))` must stop here, not overflow."""


class TypespecTooDeep(Exception):
    """A type expression nests deeper than MAX_TYPESPEC_DEPTH; `line` is where it crossed the limit."""

    def __init__(self, line: int) -> None:
        super().__init__(f"type expression nested more than {MAX_TYPESPEC_DEPTH} levels deep")
        self.line = line


@dataclass(frozen=True)
class TypeContext:
    """What a typespec is lowered against: the alias scope, the module's own types and type variables."""

    scope: Scope
    local_types: frozenset[str] = field(default=frozenset())
    type_variables: frozenset[str] = field(default=frozenset())

    def with_variables(self, variables: frozenset[str]) -> TypeContext:
        return replace(self, type_variables=variables)


def local_type_ref(module: str, name: str) -> Ref:
    # A module's `t` stands for the module itself everywhere on the Elixir side.
    return Ref(module) if name == "t" else Ref(f"{module}.{name}")


def lower_typespec(node: Node, context: TypeContext) -> TypeExpr:
    """The neutral type of a typespec; raises TypespecTooDeep past MAX_TYPESPEC_DEPTH levels."""
    return _lower(node, context, 0)


# The lowering functions pass the nesting depth as a plain int (not inside the context) because
# they run once per typespec node and building a context object per node was a measurable cost.


def _lower(node: Node, context: TypeContext, depth: int) -> TypeExpr:
    if depth >= MAX_TYPESPEC_DEPTH:
        raise TypespecTooDeep(line_of(node))
    depth += 1
    kind = node.type
    # Ordered by how often each kind occurs in real typespecs.
    if kind == "call":
        return _lower_call(node, context, depth)
    if kind == "binary_operator":
        return _lower_operator(node, context, depth)
    if kind == "identifier":
        return _lower_local(node_text(node), [], node, context, depth)
    if kind == "map":
        return _lower_map(node, context, depth)
    if kind == "list":
        return _lower_list(node, context, depth)
    if kind in ("atom", "quoted_atom"):
        name = atom_name(node)
        return AtomSet((name,)) if name is not None else Unknown(clean_text(node))
    if kind == "nil":
        return NONE
    if kind == "string":
        content = string_literal_value(node)
        return LiteralOf((content,)) if content is not None else STR
    if kind == "tuple":
        return TupleOf(tuple(_lower(item, context, depth) for item in significant_children(node)))
    if kind == "boolean":
        return BOOL
    if kind in ("integer", "char"):
        return INT
    if kind == "float":
        return FLOAT
    if kind == "bitstring":
        return STR
    if kind == "unary_operator":
        parts = unary_parts(node)
        if parts is not None and parts[0] in ("-", "+") and parts[1].type == "integer":
            return INT
        return Unknown(clean_text(node))
    if kind == "block":
        inner = significant_children(node)
        if len(inner) == 1 and inner[0].type != "stab_clause":
            return _lower(inner[0], context, depth)
    return Unknown(clean_text(node))


def _lower_operator(node: Node, context: TypeContext, depth: int) -> TypeExpr:
    parts = binary_parts(node)
    if parts is None:
        return Unknown(clean_text(node))
    left, operator, right = parts
    if operator == "|":
        return merge_union([_lower(member, context, depth) for member in _union_operands(left, right)])
    if operator == "..":
        return INT
    if operator == "::":
        # A named element such as `{id :: integer(), name :: String.t()}`: the name is documentation.
        return _lower(right, context, depth)
    return Unknown(clean_text(node))


def _union_operands(left: Node, right: Node) -> list[Node]:
    # Iterative: an enum of hundreds of atoms is a chain hundreds of levels deep.
    members: list[Node] = []
    stack = [right, left]
    while stack:
        current = stack.pop()
        parts = binary_parts(current)
        if parts is None or parts[1] != "|":
            members.append(current)
            continue
        left, _operator, right = parts
        stack.extend((right, left))
    return members


def merge_union(members: list[TypeExpr]) -> TypeExpr:
    """`union_of` that also folds every atom into one AtomSet and every string into one LiteralOf."""
    if len(members) == 1 and not isinstance(members[0], UnionOf):
        return members[0]  # a map's single key or value type: nothing to fold, flatten or dedupe
    for member in members:
        if isinstance(member, _FOLDED):
            break
    else:
        return union_of(members)  # nothing to fold (the common `T | nil`): union_of flattens the rest
    flat: list[TypeExpr] = []
    for member in members:
        flat.extend(member.members if isinstance(member, UnionOf) else (member,))
    atoms: list[str] = []
    literals: list[str | int | bool] = []
    arranged: list[TypeExpr] = []
    atom_slot: int | None = None
    literal_slot: int | None = None
    for member in flat:
        if isinstance(member, AtomSet):
            atoms.extend(atom for atom in member.atoms if atom not in atoms)
            if atom_slot is None:
                atom_slot = len(arranged)
                arranged.append(member)
        elif isinstance(member, LiteralOf):
            literals.extend(value for value in member.values if value not in literals)
            if literal_slot is None:
                literal_slot = len(arranged)
                arranged.append(member)
        else:
            arranged.append(member)
    if atom_slot is not None:
        arranged[atom_slot] = AtomSet(tuple(atoms))
    if literal_slot is not None:
        arranged[literal_slot] = LiteralOf(tuple(literals))
    return union_of(arranged)


# Union members that merge_union folds, or that may hold such members.
_FOLDED = (AtomSet, LiteralOf, UnionOf)


def _lower_call(node: Node, context: TypeContext, depth: int) -> TypeExpr:
    """Local calls (`integer()`, `list(t)`) and remote calls (`String.t()`, `Mod.name`)."""
    target = node.child_by_field_name("target")
    if target is None:
        return Unknown(clean_text(node))
    target_kind = target.type
    if target_kind == "identifier":
        return _lower_local(node_text(target), call_arguments(node), node, context, depth)
    if target_kind == "dot":
        return _lower_remote(target, call_arguments(node), node, context, depth)
    return Unknown(clean_text(node))


def _lower_local(name: str, arguments: list[Node], node: Node, context: TypeContext, depth: int) -> TypeExpr:
    if name == "_":
        return ANY
    if name in context.type_variables and not arguments:
        return ANY
    module = context.scope.module
    if name in context.local_types and module is not None:
        return local_type_ref(module, name)
    if arguments:
        return _lower_parameterised(name, arguments, node, context, depth)
    builtin = _BUILTIN_TYPES.get(name)
    return builtin if builtin is not None else Unknown(clean_text(node))


def _lower_parameterised(
    name: str, arguments: list[Node], node: Node, context: TypeContext, depth: int
) -> TypeExpr:
    if name in _LIST_CONSTRUCTORS:
        return ListOf(_lower(arguments[0], context, depth))
    if name == "keyword" and len(arguments) == 1:
        return MapOf(ATOM, _lower(arguments[0], context, depth))
    return Unknown(clean_text(node))


def _lower_remote(
    target: Node, arguments: list[Node], node: Node, context: TypeContext, depth: int
) -> TypeExpr:
    module_node = target.child_by_field_name("left")
    name_node = target.child_by_field_name("right")
    if module_node is None or name_node is None or name_node.type != "identifier":
        return Unknown(clean_text(node))
    module = resolved_module_name(module_node, context.scope)
    if module is None:
        # Erlang remote types (`:queue.queue()`) have no neutral counterpart.
        return Unknown(clean_text(node))
    name = node_text(name_node)
    if name == "t" and module == "Keyword" and len(arguments) == 1:
        return MapOf(ATOM, _lower(arguments[0], context, depth))
    stdlib = _STDLIB_REMOTE.get((module, name))
    return stdlib if stdlib is not None else local_type_ref(module, name)


def _lower_list(node: Node, context: TypeContext, depth: int) -> TypeExpr:
    items = significant_children(node)
    if not items:
        return ListOf(ANY)
    if len(items) == 1 and items[0].type == "keywords":
        values = [_lower(value, context, depth) for _name, _key, value in keyword_pairs(items[0])]
        return MapOf(ATOM, merge_union(values))
    nonempty_marker = len(items) == 2 and items[1].type == "identifier" and node_text(items[1]) == "..."
    if len(items) == 1 or nonempty_marker:
        return ListOf(_lower(items[0], context, depth))
    return Unknown(clean_text(node))


def _lower_map(node: Node, context: TypeContext, depth: int) -> TypeExpr:
    children = node.named_children
    for child in children:
        if child.type == "struct":
            struct_name = _struct_part_name(child, context.scope)
            return Ref(struct_name) if struct_name is not None else Unknown(clean_text(node))
    entries = _map_content_entries(children)
    record = _record(entries, context, depth)
    if record is not None:
        return record
    keys: list[TypeExpr] = []
    values: list[TypeExpr] = []
    for entry_key, _keyword, entry_value in entries:
        keys.append(ATOM if entry_key is None else _lower(_unwrap_key_requirement(entry_key)[0], context, depth))
        values.append(_lower_value(entry_value, context, depth))
    if not keys:
        return _ANY_MAP
    return MapOf(merge_union(keys), merge_union(values))


def _record(entries: list[MapEntry], context: TypeContext, depth: int) -> RecordOf | None:
    """The map as a record when every key is a literal atom or string (`%{code: integer()}`,
    `%{optional(:note) => String.t()}`, `%{"id" => String.t()}`); None otherwise."""
    if not entries:
        return None
    record: list[RecordEntry] = []
    for entry_key, keyword, entry_value in entries:
        if entry_key is None:
            name, required = keyword, True
        else:
            key, required = _unwrap_key_requirement(entry_key)
            name = atom_name(key) or string_literal_value(key)
        if name is None:
            return None
        record.append(RecordEntry(name, _lower_value(entry_value, context, depth), required))
    return RecordOf(tuple(record))


def _lower_value(value: Node | tuple[Node, ...], context: TypeContext, depth: int) -> TypeExpr:
    if isinstance(value, tuple):
        return merge_union([_lower(member, context, depth) for member in value])
    return _lower(value, context, depth)


def _unwrap_key_requirement(key: Node) -> tuple[Node, bool]:
    """The key of `optional(k) => v` or `required(k) => v` (which say whether the key must be present,
    not its type), and whether it must be; a bare key must be."""
    if key.type == "call":
        target = key.child_by_field_name("target")
        arguments = call_arguments(key)
        if target is not None and target.type == "identifier" and len(arguments) == 1:
            requirement = node_text(target)
            if requirement in ("optional", "required"):
                return arguments[0], requirement == "required"
    return key, True


MapEntry = tuple[Node | None, str | None, Node | tuple[Node, ...]]
"""(key, keyword, value) of a map literal's entry; the value may be the operands of a union."""


def _map_content_entries(map_children: list[Node]) -> list[MapEntry]:
    """(key, keyword, value) per entry of a map literal's children: key None and the atom's name as
    keyword for keys written `name: value`, keyword None for `key => value`."""
    entries: list[MapEntry] = []
    for child in map_children:
        if child.type != "map_content":
            continue
        for item in significant_children(child):
            if item.type == "keywords":
                entries.extend((None, name, value) for name, _key, value in keyword_pairs(item))
            elif (parts := binary_parts(item)) is not None and parts[1] == "=>":
                entries.append((parts[0], None, parts[2]))
            elif (parts := binary_parts(item)) is not None and parts[1] == "|":
                # `k => v | nil` parses as `(k => v) | nil`: the union is the value's.
                first, *rest = _union_operands(parts[0], parts[2])
                arrow = binary_parts(first)
                if arrow is not None and arrow[1] == "=>":
                    entries.append((arrow[0], None, (arrow[2], *rest)))
    return entries


def struct_name_of(node: Node, scope: Scope) -> str | None:
    """The resolved module of a `%Name{...}` struct literal, or None for a plain map."""
    if node.type != "map":
        return None
    for child in node.named_children:
        if child.type == "struct":
            return _struct_part_name(child, scope)
    return None


def _struct_part_name(struct: Node, scope: Scope) -> str | None:
    inner = significant_children(struct)
    return resolved_module_name(inner[0], scope) if inner else None


_ESCAPES = {"\\n": "\n", "\\t": "\t", "\\r": "\r", '\\"': '"', "\\\\": "\\", "\\#": "#", "\\'": "'"}


def string_literal_value(node: Node) -> str | None:
    """The value of a string literal without interpolation; None when it cannot be known statically."""
    if node.type != "string":
        return None
    parts: list[str] = []
    for child in node.named_children:
        if child.type == "quoted_content":
            parts.append(node_text(child))
        elif child.type == "escape_sequence" and node_text(child) in _ESCAPES:
            parts.append(_ESCAPES[node_text(child)])
        else:
            return None
    return "".join(parts)
