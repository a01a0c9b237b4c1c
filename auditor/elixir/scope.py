"""Module names and the lexical alias scope they are resolved in."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from tree_sitter import Node

from auditor.elixir.syntax import (
    call_arguments,
    call_name,
    node_text,
    significant_children,
    trailing_options,
)

_EMPTY: Mapping[str, str] = MappingProxyType({})


@dataclass(frozen=True)
class Scope:
    """Where a name is being resolved: the enclosing module (None at file level) and its aliases.

    `aliases` maps the short first segment (`B`) to the full module it stands for (`A.B`).
    """

    module: str | None = None
    aliases: Mapping[str, str] = field(default_factory=lambda: _EMPTY)

    def resolve(self, dotted: str) -> str:
        """The full module name a written name stands for (`B.C` with `alias A.B` -> `A.B.C`)."""
        if dotted.startswith("Elixir."):
            return dotted.removeprefix("Elixir.")
        head, _, rest = dotted.partition(".")
        if head == "__MODULE__" and self.module is not None:
            base = self.module
        elif head in self.aliases:
            base = self.aliases[head]
        else:
            return dotted
        return f"{base}.{rest}" if rest else base

    def nested(self, module: str, aliases: Mapping[str, str]) -> Scope:
        merged = dict(self.aliases)
        merged.update(aliases)
        return Scope(module, MappingProxyType(merged))


def written_module_name(node: Node) -> str | None:
    """The module name as written (`A.B`, `__MODULE__.X`), or None when it is not a plain name."""
    if node.type == "alias":
        return "".join(node_text(node).split())
    if node.type == "identifier" and node_text(node) == "__MODULE__":
        return "__MODULE__"
    if node.type == "dot":
        left = node.child_by_field_name("left")
        right = node.child_by_field_name("right")
        if left is None or right is None or right.type != "alias":
            return None
        base = written_module_name(left)
        return None if base is None else f"{base}.{node_text(right)}"
    return None


def resolved_module_name(node: Node, scope: Scope) -> str | None:
    written = written_module_name(node)
    return None if written is None else scope.resolve(written)


def aliases_declared(statements: list[Node], scope: Scope) -> dict[str, str]:
    """The aliases a block of statements declares, resolved against the enclosing scope.

    Elixir resolves each `alias` against the ones before it; declarations in the same block are
    applied in order so `alias A.B` followed by `alias B.C` gives `C -> A.B.C`. Aliases are taken
    as visible to the whole block: a typespec naming an alias declared below it is rare and would
    not compile to anything more useful.
    """
    declared: dict[str, str] = {}
    for statement in statements:
        name = call_name(statement)
        if name == "defmodule":
            _alias_nested_module(statement, scope, declared)
            continue
        if name != "alias":
            continue
        arguments = call_arguments(statement)
        if not arguments:
            continue
        current = Scope(scope.module, MappingProxyType({**scope.aliases, **declared}))
        target = arguments[0]
        group = target.child_by_field_name("right") if target.type == "dot" else None
        if group is not None and group.type == "tuple":
            _alias_group(target, group, current, declared)
            continue
        full = resolved_module_name(target, current)
        if full is None:
            continue
        renamed = trailing_options(arguments[1:]).get("as")
        short = written_module_name(renamed) if renamed is not None else full.rsplit(".", 1)[-1]
        if short is not None:
            declared[short] = full
    return declared


def _alias_group(dot: Node, group: Node, scope: Scope, declared: dict[str, str]) -> None:
    left = dot.child_by_field_name("left")
    base = resolved_module_name(left, scope) if left is not None else None
    if base is None:
        return
    for member in significant_children(group):
        written = written_module_name(member)
        if written is None:
            continue
        full = f"{base}.{written}"
        declared[written.rsplit(".", 1)[-1]] = full


def _alias_nested_module(statement: Node, scope: Scope, declared: dict[str, str]) -> None:
    # `defmodule Outer do defmodule Inner` makes `Inner` an alias of `Outer.Inner` in Outer.
    arguments = call_arguments(statement)
    if scope.module is None or not arguments:
        return
    written = written_module_name(arguments[0])
    if written is None or written.startswith("__MODULE__"):
        return
    head = written.split(".", 1)[0]
    declared.setdefault(head, f"{scope.module}.{head}")
