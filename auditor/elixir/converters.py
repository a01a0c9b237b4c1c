"""The wire strings a port's atom enums stand for, read from the converters written beside them.

A port often keeps `@type t :: :unspecified | :low` and states the wire form in code:
`def to_api(:low), do: "LEVEL_LOW"`, `def from_api("LEVEL_LOW"), do: :low`, or a module attribute
`@wire %{low: "LEVEL_LOW"}` that an encoder looks up. Only literal clauses and literal maps are read;
anything computed is left alone, and the atom then stands for its own name as before.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from tree_sitter import Node

from auditor.elixir.syntax import (
    atom_name,
    binary_parts,
    call_arguments,
    call_name,
    do_block,
    keyword_pairs,
    line_of,
    module_attribute,
    node_text,
    significant_children,
    trailing_options,
)
from auditor.model import AtomSet, CatchAll, LiteralOf, Location, TypeExpr, union_of

_DEFINITIONS = frozenset({"def", "defp"})


@dataclass
class ValueTables:
    """What one module's converters say: atom -> wire strings, and the atom unknown wire values become."""

    wire_strings: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    catch_alls: list[tuple[str, int]] = field(default_factory=list)
    """(atom, line) of each clause of a decoder that maps any other value to one atom."""
    encoders: list[str] = field(default_factory=list)
    """The functions with a clause that gives an atom its wire string, in the order they are defined."""
    decoders: list[str] = field(default_factory=list)
    """The functions with a clause that reads a wire string back into an atom."""

    def add(self, atom: str, wire: str) -> None:
        if wire not in self.wire_strings[atom]:
            self.wire_strings[atom].append(wire)

    def wire_form(self, atoms: AtomSet) -> TypeExpr:
        """The values the enum has on the wire: the strings its converters give for the atoms they map
        (when they map at least half of them: a table for this enum, not another), the rest as atoms."""
        mapped = [atom for atom in atoms.atoms if atom in self.wire_strings]
        if not mapped or 2 * len(mapped) < len(atoms.atoms):
            return atoms
        strings = tuple(wire for atom in mapped for wire in self.wire_strings[atom])
        rest = tuple(atom for atom in atoms.atoms if atom not in self.wire_strings)
        return union_of([LiteralOf(strings), AtomSet(rest)]) if rest else LiteralOf(strings)

    def catch_all(self, atoms: AtomSet, path: str) -> CatchAll | None:
        """The clause folding unknown wire values into one of the enum's atoms, if the module has one."""
        for atom, line in self.catch_alls:
            if atom in atoms.atoms:
                return CatchAll(atom, Location(path, line))
        return None


def read_value_tables(statements: list[Node]) -> ValueTables:
    """The converter clauses and literal attribute maps among a module body's statements."""
    tables = ValueTables()
    decoders: dict[str, list[tuple[str | None, str, int]]] = defaultdict(list)
    """Function name -> (wire string, or None for a wildcard, atom, line) of each clause or case arm."""
    for statement in statements:
        if statement.type == "call" and call_name(statement) in _DEFINITIONS:
            clause = _one_argument_clause(statement)
            if clause is None:
                continue
            function, argument, body = clause
            arms = _case_arms(body) if argument.type == "identifier" else None
            for pattern, result, line in arms if arms is not None else [(argument, body, line_of(statement))]:
                pattern_atom, result_string = atom_name(pattern), _string(result)
                if pattern_atom is not None and result_string is not None:
                    tables.add(pattern_atom, result_string)
                    if function not in tables.encoders:
                        tables.encoders.append(function)
                    continue
                result_atom = atom_name(result)
                if result_atom is None or result_atom == "nil":
                    continue
                if (pattern_string := _string(pattern)) is not None:
                    decoders[function].append((pattern_string, result_atom, line))
                elif pattern.type == "identifier":
                    decoders[function].append((None, result_atom, line))
        elif statement.type == "unary_operator" and (attribute := module_attribute(statement)) is not None:
            _, arguments = attribute
            if len(arguments) == 1:
                for atom, wire in _atom_to_string_map(arguments[0]):
                    tables.add(atom, wire)
    for function, clauses in decoders.items():
        if not any(wire is not None for wire, _, _ in clauses):
            continue  # `def kind(_), do: :default` alone decodes nothing
        tables.decoders.append(function)
        for wire, atom, line in clauses:
            if wire is not None:
                tables.add(atom, wire)
            else:
                tables.catch_alls.append((atom, line))
    return tables


def _one_argument_clause(definition: Node) -> tuple[str, Node, Node] | None:
    """(function name, its one argument, its body) of `def f(arg), do: body` or `def f(arg) do body end`
    (a guard allowed), when the body is one expression."""
    arguments = call_arguments(definition)
    if not arguments:
        return None
    head = arguments[0]
    if head.type == "binary_operator" and (parts := binary_parts(head)) is not None and parts[1] == "when":
        head = parts[0]
    if head.type != "call":
        return None
    function = call_name(head)
    head_arguments = call_arguments(head)
    if function is None or len(head_arguments) != 1:
        return None
    body = trailing_options(arguments[1:]).get("do") if len(arguments) > 1 else None
    if body is None:
        statements = significant_children(block) if (block := do_block(definition)) is not None else []
        if len(statements) != 1:
            return None
        body = statements[0]
    return function, head_arguments[0], body


def _case_arms(body: Node) -> list[tuple[Node, Node, int]] | None:
    """(pattern, result, line) of each arm of a `case ... do "a" -> :a; _ -> :other end` body whose arms
    each have one pattern, no guard and a one-expression result; None when the body is not one."""
    if body.type != "call" or call_name(body) != "case":
        return None
    arms: list[tuple[Node, Node, int]] = []
    for clause in significant_children(block) if (block := do_block(body)) is not None else []:
        if clause.type != "stab_clause":
            return None
        patterns = next((significant_children(c) for c in clause.named_children if c.type == "arguments"), [])
        results = next((significant_children(c) for c in clause.named_children if c.type == "body"), [])
        if len(patterns) != 1 or len(results) != 1:
            return None
        arms.append((patterns[0], results[0], line_of(clause)))
    return arms


def _string(node: Node) -> str | None:
    if node.type != "string":
        return None
    parts = significant_children(node)
    if not parts:
        return ""
    if len(parts) == 1 and parts[0].type == "quoted_content":
        return node_text(parts[0])
    return None  # interpolation or escapes


def _atom_to_string_map(node: Node) -> list[tuple[str, str]]:
    """The entries of `%{low: "LEVEL_LOW"}` or `%{:low => "LEVEL_LOW"}` when every key is an atom and every
    value a plain string (and there are two or more); otherwise none."""
    if node.type != "map":
        return []
    entries: list[tuple[str, str]] = []
    for content in significant_children(node):
        if content.type != "map_content":
            return []
        for item in significant_children(content):
            if item.type == "keywords":
                pairs = [(name, _string(value)) for name, _key, value in keyword_pairs(item)]
            elif (parts := binary_parts(item)) is not None and parts[1] == "=>":
                pairs = [(atom_name(parts[0]), _string(parts[2]))]
            else:
                return []
            for atom, wire in pairs:
                if atom is None or wire is None:
                    return []
                entries.append((atom, wire))
    return entries if len(entries) >= 2 else []
