"""Reading struct declarations: `defstruct`, `@enforce_keys`, `@derive`, TypedStruct blocks, encoders.

Everything here reads syntax only; turning the result into `Field`s (which needs the module's
typespecs) happens in `modules`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from tree_sitter import Node

from auditor.elixir.scope import Scope, resolved_module_name, written_module_name
from auditor.elixir.syntax import (
    atom_list,
    atom_name,
    block_statements,
    call_arguments,
    call_name,
    clean_text,
    do_block,
    keyword_pairs,
    line_of,
    node_text,
    significant_children,
    trailing_options,
    unary_parts,
)
from auditor.elixir.typespec import string_literal_value, struct_name_of
from auditor.model import Default, DefaultKind, simple_name

JSON_ENCODER_PROTOCOLS = frozenset({"Jason.Encoder", "JSON.Encoder"})


class StructKey(NamedTuple):
    """One key of a `defstruct`: its name, the line of the key, and its default (None for nil)."""

    name: str
    line: int
    default: Default | None


class TypedField(NamedTuple):
    """A TypedStruct `field` after its enforce/nil rules have been applied."""

    name: str
    line: int
    type_node: Node | None
    default: Default | None
    enforced: bool
    nil_added: bool


@dataclass(frozen=True)
class TypedStructBlock:
    """A `typedstruct ... do ... end` call; `submodule` is the `module:` option as written."""

    line: int
    submodule: str | None
    fields: tuple[TypedField, ...]
    statements: tuple[Node, ...]


@dataclass(frozen=True)
class DerivedEncoder:
    """A derived JSON encoder: `only`/`excluded` are None when the option was not given."""

    only: tuple[str, ...] | None
    excluded: tuple[str, ...] | None

    def wire_fields(self, field_names: list[str]) -> tuple[str, ...] | None:
        if self.only is not None:
            return self.only
        if self.excluded is not None:
            return tuple(name for name in field_names if name not in self.excluded)
        return None


@dataclass(frozen=True)
class EncoderImpl:
    """A hand-written `defimpl Jason.Encoder, for: target`; wire_fields when it is a plain Map.take."""

    target: str
    wire_fields: tuple[str, ...] | None


def lower_default(node: Node, scope: Scope) -> Default | None:
    """The neutral default of a struct key's value; None for nil, which Elixir treats as no default."""
    kind = node.type
    text = clean_text(node)
    if kind == "nil":
        return None
    if kind == "boolean":
        return Default(DefaultKind.VALUE, text, text == "true")
    if kind == "string":
        value = string_literal_value(node)
        return Default(DefaultKind.EXPR, text) if value is None else Default(DefaultKind.VALUE, text, value)
    number = _number_value(node)
    if number is not None:
        return Default(DefaultKind.VALUE, text, number)
    if kind in ("atom", "quoted_atom"):
        name = atom_name(node)
        return Default(DefaultKind.EXPR, text) if name is None else Default(DefaultKind.ATOM, text, name)
    if kind == "list" and not significant_children(node):
        return Default(DefaultKind.EMPTY_LIST, text)
    if kind == "map":
        struct_name = struct_name_of(node, scope)
        if struct_name is not None:
            return Default(DefaultKind.STRUCT, text, simple_name(struct_name))
        has_struct_part = any(child.type == "struct" for child in node.named_children)
        if not has_struct_part and not any(child.type == "map_content" for child in node.named_children):
            return Default(DefaultKind.EMPTY_MAP, text)
    return Default(DefaultKind.EXPR, text)


def _number_value(node: Node) -> int | float | None:
    sign = 1
    parts = unary_parts(node)
    if parts is not None:
        operator, operand = parts
        if operator not in ("-", "+"):
            return None
        sign = -1 if operator == "-" else 1
        node = operand
    digits = node_text(node).replace("_", "")
    if node.type == "integer":
        try:
            return sign * int(digits, 0)
        except ValueError:
            pass
        try:
            # Elixir allows leading zeros in decimal literals (`007`); Python's base-0 parse does not.
            return sign * int(digits, 10)
        except ValueError:
            # Longer than Python converts from text (4300 digits by default): kept as an expression.
            return None
    if node.type == "float":
        return sign * float(digits)
    return None


def defstruct_keys(call: Node, scope: Scope) -> list[StructKey] | None:
    """The keys of a `defstruct` call in order; None when its argument is not a literal."""
    arguments = call_arguments(call)
    if len(arguments) != 1:
        return None
    argument = arguments[0]
    if argument.type == "keywords":
        return _keyword_keys(argument, scope)
    if argument.type != "list":
        return None
    keys: list[StructKey] = []
    for item in significant_children(argument):
        if item.type == "keywords":
            keys.extend(_keyword_keys(item, scope))
        elif (name := atom_name(item)) is not None:
            keys.append(StructKey(name, line_of(item), None))
        elif item.type == "tuple" and len(pair := significant_children(item)) == 2:
            name = atom_name(pair[0])
            if name is None:
                return None
            keys.append(StructKey(name, line_of(item), lower_default(pair[1], scope)))
        else:
            return None
    return keys


def _keyword_keys(keywords: Node, scope: Scope) -> list[StructKey]:
    return [
        StructKey(name, line_of(key), lower_default(value, scope))
        for name, key, value in keyword_pairs(keywords)
    ]


def enforced_key_names(arguments: list[Node]) -> list[str]:
    if len(arguments) != 1:
        return []
    atoms = atom_list(arguments[0])
    return [name for name, _node in atoms] if atoms is not None else []


def derived_json_encoder(arguments: list[Node], scope: Scope) -> DerivedEncoder | None:
    """The JSON encoder an `@derive` names, if any, with its `only:`/`except:` options."""
    options = derived_json_encoder_options(arguments, scope)
    if options is None:
        return None
    return DerivedEncoder(_atom_names(options.get("only")), _atom_names(options.get("except")))


def derived_json_encoder_options(arguments: list[Node], scope: Scope) -> dict[str, Node] | None:
    """The options (`only:`, `except:`) of the JSON encoder an `@derive` names; None when it names none."""
    if len(arguments) != 1:
        return None
    argument = arguments[0]
    candidates = significant_children(argument) if argument.type == "list" else [argument]
    for candidate in candidates:
        options = _derived_item_options(candidate, scope)
        if options is not None:
            return options
    return None


def _derived_item_options(item: Node, scope: Scope) -> dict[str, Node] | None:
    options: dict[str, Node] = {}
    protocol_node = item
    if item.type == "tuple":
        members = significant_children(item)
        if not members:
            return None
        protocol_node = members[0]
        options = trailing_options(members[1:])
    protocol = resolved_module_name(protocol_node, scope)
    return options if protocol in JSON_ENCODER_PROTOCOLS else None


def _atom_names(node: Node | None) -> tuple[str, ...] | None:
    if node is None:
        return None
    atoms = atom_list(node)
    return tuple(name for name, _node in atoms) if atoms is not None else None


def typedstruct_block(call: Node, scope: Scope) -> TypedStructBlock:
    """Applies TypedStruct's rules to a `typedstruct` call.

    A field is enforced when it says `enforce: true`, or when the block says `enforce: true`, the
    field gives no `default:` and does not say `enforce: false`. A field that is neither enforced
    nor given a `default:` (even `default: nil`) gets `| nil` added to its type.
    """
    arguments = call_arguments(call)
    block_options = trailing_options(arguments)
    enforce_by_default = _is_true(block_options.get("enforce"))
    submodule_node = block_options.get("module")
    submodule = written_module_name(submodule_node) if submodule_node is not None else None
    statements = block_statements(do_block(call))
    fields: list[TypedField] = []
    for statement in statements:
        if call_name(statement) != "field":
            continue
        field_arguments = call_arguments(statement)
        name = atom_name(field_arguments[0]) if field_arguments else None
        if name is None:
            continue
        options = trailing_options(field_arguments[1:])
        type_node = (
            field_arguments[1] if len(field_arguments) > 1 and field_arguments[1].type != "keywords" else None
        )
        has_default = "default" in options
        explicit_enforce = options.get("enforce")
        if explicit_enforce is None:
            enforced = enforce_by_default and not has_default
        else:
            enforced = _is_true(explicit_enforce)
        default = lower_default(options["default"], scope) if has_default else None
        fields.append(
            TypedField(
                name, line_of(statement), type_node, default, enforced, not has_default and not enforced
            )
        )
    return TypedStructBlock(line_of(call), submodule, tuple(fields), tuple(statements))


def _is_true(node: Node | None) -> bool:
    return node is not None and node.type == "boolean" and node_text(node) == "true"


def encoder_impl_targets(call: Node, scope: Scope) -> list[EncoderImpl]:
    """The modules a `defimpl Jason.Encoder, for: ...` covers; empty for any other protocol."""
    arguments = call_arguments(call)
    if not arguments or resolved_module_name(arguments[0], scope) not in JSON_ENCODER_PROTOCOLS:
        return []
    target_node = trailing_options(arguments[1:]).get("for")
    if target_node is None:
        targets = [scope.module] if scope.module is not None else []
    elif target_node.type == "list":
        targets = [resolved_module_name(item, scope) for item in significant_children(target_node)]
    else:
        targets = [resolved_module_name(target_node, scope)]
    wire_fields = _map_take_fields(call)
    return [EncoderImpl(target, wire_fields) for target in targets if target is not None]


def _map_take_fields(impl: Node) -> tuple[str, ...] | None:
    """The keys of an `encode/2` whose whole body is `Jason.Encode.map(Map.take(x, [...]), opts)`.

    Only this exact shape is trusted; any other body decides its keys at run time.
    """
    encoders = [
        statement
        for statement in block_statements(do_block(impl))
        if call_name(statement) == "def" and _defined_name(statement) == "encode"
    ]
    if len(encoders) != 1:
        return None
    body = block_statements(do_block(encoders[0]))
    if len(body) != 1 or _remote_call_name(body[0]) not in ("Jason.Encode.map", "JSON.Encode.map"):
        return None
    encode_arguments = call_arguments(body[0])
    if not encode_arguments or _remote_call_name(encode_arguments[0]) != "Map.take":
        return None
    take_arguments = call_arguments(encode_arguments[0])
    if len(take_arguments) != 2:
        return None
    return _atom_names(take_arguments[1])


def _defined_name(definition: Node) -> str | None:
    arguments = call_arguments(definition)
    if not arguments:
        return None
    head = arguments[0]
    return call_name(head) if head.type == "call" else node_text(head)


def _remote_call_name(node: Node) -> str | None:
    if node.type != "call":
        return None
    target = node.child_by_field_name("target")
    if target is None or target.type != "dot":
        return None
    return "".join(clean_text(target).split())
