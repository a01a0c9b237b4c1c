"""Stage 3b: which Python types the ported ones reach through their fields.

A type the port lacks is either needed by a ported type (it appears in a field of a paired Python
type, directly or through other types the port lacks) or unported API surface that nothing ported
reaches. The first breaks the ported type; the second is work the port has not started. Paths are
shortest, and among the shortest the first in sorted order, so the same inputs give the same paths.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TypeVar

from auditor.align import Alignment
from auditor.model import TypeDef, TypeKind, references

Label = TypeVar("Label", bound=Hashable)


@dataclass(frozen=True)
class NeededBy:
    """The shortest way a ported type reaches a type the port lacks: `Session.config → GenerationConfig →
    Speech` is root `pkg.Session`, field `config`, through the missing types GenerationConfig and Speech."""

    root: str
    """The Python qualified name of the ported type."""
    field: str | None
    """The root's field the path starts from; None when the root is an enum or union alias."""
    through: tuple[str, ...]
    """Qualified names of the missing types on the path, the needed type last."""

    def steps(self, types: Mapping[str, TypeDef]) -> tuple[str, ...]:
        """The path as reports show it: `("Session.config", "GenerationConfig", "Speech")`."""
        root = types[self.root].name
        start = root if self.field is None else f"{root}.{self.field}"
        return (start, *(types[qualname].name for qualname in self.through))


@dataclass(frozen=True)
class UnportedGroup:
    """Missing types no ported type reaches, under the root type they hang from: the one that reaches them
    first, or a type of a cycle nothing else reaches."""

    root: str
    types: tuple[str, ...]
    """Qualified names, the root first, then the others in sorted order."""


@dataclass(frozen=True)
class Reach:
    needed: Mapping[str, NeededBy] = field(default_factory=lambda: MappingProxyType({}))
    """Missing type (qualified name) -> the shortest path a ported type needs it by."""
    unported: tuple[UnportedGroup, ...] = ()
    """Missing types nothing ported reaches, grouped; groups in sorted order of their roots."""
    reached_from: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    """Ported type (qualified name) -> how many other ported types reach it through their fields."""

    def unported_types(self) -> frozenset[str]:
        return frozenset(qualname for group in self.unported for qualname in group.types)


NOTHING_REACHED = Reach()


def shortest_paths(
    starts: Iterable[tuple[Label, str]], successors: Callable[[str], Iterable[str]]
) -> dict[str, tuple[Label, tuple[str, ...]]]:
    """Every node reachable from a start: the start's label and the nodes from the start's node to it.

    A breadth-first search, so each path is a shortest one; a layer is expanded in the order of its paths,
    each node's successors in sorted order, so the first path to reach a node is the least of the shortest.
    """
    found: dict[str, tuple[Label, tuple[str, ...]]] = {}
    layer: list[str] = []
    for label, node in sorted(starts):
        if node not in found:
            found[node] = (label, (node,))
            layer.append(node)
    while layer:
        following: list[str] = []
        for node in sorted(layer, key=found.__getitem__):
            label, path = found[node]
            for successor in sorted(set(successors(node))):
                if successor not in found:
                    found[successor] = (label, (*path, successor))
                    following.append(successor)
        layer = following
    return found


def type_references(typedef: TypeDef, types: Mapping[str, TypeDef]) -> list[tuple[str, str]]:
    """(field, type) for each audited type a field refers to, sorted; the field is "" for an enum's or
    union's own members. Scalar aliases are not types of the API: what they stand for is followed."""
    found: set[tuple[str, str]] = set()

    def follow(name: str, qualname: str, seen: frozenset[str]) -> None:
        target = types.get(qualname)
        if target is None or qualname in seen:
            return
        if target.kind is not TypeKind.SCALAR_ALIAS:
            found.add((name, qualname))
        elif target.target is not None:
            for inner in references(target.target):
                follow(name, inner, seen | {qualname})

    if typedef.kind is TypeKind.STRUCT:
        for own in typedef.fields:
            for qualname in references(own.type):
                follow(own.name, qualname, frozenset())
    elif typedef.target is not None:
        for qualname in references(typedef.target):
            follow("", qualname, frozenset())
    return sorted(found)


def _reached_from(ported: Iterable[str], edges: Mapping[str, list[tuple[str, str]]]) -> dict[str, int]:
    """For each ported type, how many other ported types reach it through fields, through any types.

    What reaches a type is a bitset (an int, a bit per type): its direct referrers and what reaches them.
    Types are visited referrers first, so one pass settles every type outside a cycle; passes repeat until
    nothing changes, which settles cycles too. A search from every ported type was quadratic: two
    seconds at 10,000 types."""
    targets = {source: sorted({target for _, target in found}) for source, found in edges.items()}
    nodes = sorted(targets.keys() | {target for found in targets.values() for target in found})
    bit = {node: 1 << index for index, node in enumerate(nodes)}
    referrers: dict[str, list[str]] = defaultdict(list)
    for source, found in targets.items():
        for target in found:
            referrers[target].append(source)
    reaching = dict.fromkeys(nodes, 0)
    order = _referrers_first(nodes, targets)
    changed = True
    while changed:
        changed = False
        for node in order:
            reached = 0
            for referrer in referrers[node]:
                reached |= reaching[referrer] | bit[referrer]
            if reached != reaching[node]:
                reaching[node] = reached
                changed = True
    ported = sorted(ported)
    ported_bits = sum(bit[qualname] for qualname in ported)
    return {qualname: (reaching[qualname] & ported_bits & ~bit[qualname]).bit_count() for qualname in ported}


def _referrers_first(nodes: Iterable[str], targets: Mapping[str, list[str]]) -> list[str]:
    """The nodes in reverse post-order of a depth-first search: outside cycles, a node before its targets."""
    order: list[str] = []
    visited: set[str] = set()
    for root in nodes:
        if root in visited:
            continue
        visited.add(root)
        stack = [(root, iter(targets.get(root, ())))]
        while stack:
            node, following = stack[-1]
            for target in following:
                if target not in visited:
                    visited.add(target)
                    stack.append((target, iter(targets.get(target, ()))))
                    break
            else:
                stack.pop()
                order.append(node)
    order.reverse()
    return order


def _grouped(unreached: Iterable[str], successors: Callable[[str], Iterable[str]]) -> tuple[UnportedGroup, ...]:
    remaining = set(unreached)
    referenced = {target for qualname in remaining for target in successors(qualname) if target != qualname}
    roots = sorted(remaining - referenced)
    members: dict[str, list[str]] = defaultdict(list)
    while remaining:
        # What no root reaches lies on cycles only: the least name of what is left heads its own group.
        starts = roots or [min(remaining)]
        left = frozenset(remaining)
        paths = shortest_paths(((root, root) for root in starts), lambda q, left=left: set(successors(q)) & left)
        for qualname, (root, _) in paths.items():
            members[root].append(qualname)
        remaining -= paths.keys()
        roots = []
    return tuple(
        UnportedGroup(root, (root, *sorted(q for q in members[root] if q != root))) for root in sorted(members)
    )


def reach(alignment: Alignment) -> Reach:
    types = alignment.python_types
    ported = sorted(p.python.qualname for p in alignment.pairs if p.python is not None and p.elixir is not None)
    missing = frozenset(p.python.qualname for p in alignment.pairs if p.python is not None and p.elixir is None)
    edges = {qualname: type_references(typedef, types) for qualname, typedef in types.items()}

    def missing_successors(qualname: str) -> Iterable[str]:
        return (target for _, target in edges[qualname] if target in missing)

    starts = [((root, name), target) for root in ported for name, target in edges[root] if target in missing]
    paths = shortest_paths(starts, missing_successors)
    needed = {
        qualname: NeededBy(root, name or None, path) for qualname, ((root, name), path) in paths.items()
    }
    return Reach(
        MappingProxyType(needed),
        _grouped(missing - needed.keys(), missing_successors),
        MappingProxyType(_reached_from(ported, edges)),
    )
