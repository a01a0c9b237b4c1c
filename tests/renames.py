"""Renames: the port keeps some types under other names, so the alignment has to find them.

`rename_port(spec, rng, injections)` returns the spec with `renames` and `false_friends` drawn for it
(see `tests.sdkgen.RenameWay` and `FalseFriend`). Every rename is one a careful port might make:

- found by name or path (tier 1), whatever the injections did to the type's fields: a move into a
  namespace (`Root.Chat.OrderItem`), the name spelled as a path (`Root.Order.Item`), with a plural
  segment (`Root.Orders.Item`) or a repeated word (`Root.OrderItems.Item`);
- found by shape (tier 2), only for a model of three fields or more that no injection touches, so its
  fields are the evidence: a word dropped (`Root.Item`, `Root.Order`) or replaced by a synonym
  (`Root.Order.Line`, `Root.PurchaseLine`);
- a Literal alias ported as a local type named by its last word (`@type kind`) in the module of a model
  whose field uses it, found by values, name and that use (tier 2).

False friends are port-only modules named like a type but of another kind (a union or atom enum
named like a model, a struct named like an enum or alias), or a struct of other fields named like a
model that also keeps its name: never a counterpart, always `extra-type`.

`spelling` is this file's own model of the alignment's path rule; every rename is checked against it
so that no module ever names or spells a type other than its own, and every new name is unique.
`expected_pairs` says what each Python type must pair with, and how the alignment may find it.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

from tests.injections import Injection
from tests.sdkgen import (
    EnumSpec,
    FalseFriend,
    FriendKind,
    ListType,
    LiteralAliasSpec,
    ModelSpec,
    NamedRef,
    PortRename,
    RenameWay,
    ScalarAliasSpec,
    Spec,
    TypeSpec,
    UnionAliasSpec,
    elixir_home,
    plan_port,
    snake_case,
)

NAMESPACES = ("Chat", "Core", "Shared", "Admin", "Studio", "Portal", "Platform", "Public")
"""Namespace segments; none is a word of a generated type name."""

HEAD_SYNONYMS = {
    "Order": "Purchase", "Invoice": "Bill", "Asset": "Resource", "Render": "Draw", "Print": "Press",
    "Shipping": "Delivery", "Billing": "Charging", "Account": "Profile", "Project": "Venture",
    "Layer": "Sheet", "Canvas": "Board", "Palette": "Swatch", "Report": "Digest", "Webhook": "Callback",
    "Session": "Visit", "Token": "Credential", "Upload": "Transfer", "Review": "Critique",
    "Proof": "Evidence", "Media": "Footage", "Catalog": "Directory", "Price": "Rate", "Refund": "Rebate",
    "Member": "Participant", "Team": "Crew", "Quota": "Allowance", "Usage": "Consumption",
    "Device": "Gadget", "Region": "Zone", "Archive": "Vault",
}  # fmt: skip
TAIL_SYNONYMS = {
    "Item": "Line", "Summary": "Overview", "Request": "Query", "Response": "Reply", "Detail": "Breakdown",
    "Config": "Settings", "Record": "Row", "Entry": "Element", "Spec": "Blueprint", "Result": "Outcome",
    "Options": "Preferences", "Info": "Facts", "Stats": "Metrics", "Batch": "Bundle",
}  # fmt: skip

TIER_ONE = frozenset({RenameWay.NAMESPACE, RenameWay.PATH, RenameWay.PLURAL, RenameWay.REPEATED})
BY_SHAPE = frozenset({RenameWay.PREFIX_DROPPED, RenameWay.SUFFIX_DROPPED, RenameWay.SYNONYM})
SHARES = (0.6, 1.0, 0.3, 0.0)
"""How much of a spec gets renamed, as often a port that kept every name as any other share. Hypothesis
draws the first choice most often when it draws the random generator: that one renames much."""


# ---------------------------------------------------------------------------------------------
# The path rule
# ---------------------------------------------------------------------------------------------


def words(name: str) -> list[str]:
    """CamelCase or snake_case words, digits kept with the word before them: `OrderItem2` -> Order, Item2."""
    return re.findall(r"[A-Z][a-z0-9]*|[a-z0-9]+", name)


def _singular(word: str) -> str:
    if word.endswith("ies"):
        return word[:-3] + "y"
    return word.removesuffix("s")


def spelling(*names: str) -> tuple[str, ...]:
    """The words of names, lower case and singular, a word repeated at a seam kept once."""
    spelled: list[str] = []
    for name in names:
        for word in words(name):
            token = _singular(word.lower())
            if not spelled or spelled[-1] != token:
                spelled.append(token)
    return tuple(spelled)


def spellings(module: str) -> set[tuple[str, ...]]:
    """What a module path spells: the words of each run of two or more last segments."""
    segments = module.split(".")
    return {spelling(*segments[start:]) for start in range(len(segments) - 1)}


def _plural(word: str) -> str | None:
    """The plural the path rule reads back as `word`; None when that plural would read as another word."""
    if word.endswith("s"):
        return None
    if word.endswith("y") and word[-2:-1] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"


# ---------------------------------------------------------------------------------------------
# Drawing renames
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Touched:
    """What the injections of one scenario do, as far as renames care."""

    dropped: frozenset[str]
    fields_injected: frozenset[str]
    """Types with a field-level injection (a field edited, dropped, folded or added)."""
    places: frozenset[tuple[str, str]]
    converted: frozenset[str]
    """Enums and Literal aliases given converter clauses, which need a module of their own."""

    @classmethod
    def of(cls, injections: Sequence[Injection]) -> _Touched:
        return cls(
            frozenset(i.type_name for i in injections if i.kind == "drop-type"),
            frozenset(i.type_name for i in injections if i.fields),
            frozenset((i.type_name, field) for i in injections for field in i.fields),
            frozenset(i.type_name for i in injections if i.kind.startswith("converter-")),
        )


def _audited(spec: Spec) -> list[TypeSpec]:
    return [t for t in spec.types if not isinstance(t, ScalarAliasSpec)]


def _home_name(spec: Spec, name: str) -> str:
    """The qualified Elixir name of a type's home: `Root.Module`, or `Root.Module.local`."""
    home = elixir_home(spec, name)
    return home.module if home.local is None else f"{home.module}.{home.local}"


def _owners(spec: Spec) -> dict[str, str]:
    """Every module of the faithful port -> the spec type it ports, "" for a false friend."""
    owners = {_home_name(spec, t.name): t.name for t in _audited(spec)}
    return {module.name: owners.get(module.name, "") for module in plan_port(spec).modules}


def _confusions(spec: Spec) -> Iterator[str]:
    """Every way a module or local type of the port names or spells a type that is not its own."""
    types = _audited(spec)
    friends = {".".join((spec.elixir_root, *friend.path)) for friend in spec.false_friends}
    for module, owner in _owners(spec).items():
        last = module.rsplit(".", 1)[-1]
        spelled = spellings(module)
        for other in types:
            if other.name == owner:
                continue
            if other.name == last and module not in friends:
                yield f"{module} is named {other.name}"
            if spelling(other.name) in spelled:
                yield f"{module} spells {other.name}"
    for typedef in types:
        home = elixir_home(spec, typedef.name)
        if home.local is not None:
            yield from (
                f"{home.module}.{home.local} is named {other.name}"
                for other in types
                if other.name != typedef.name and snake_case(other.name) == home.local
            )


def _finds(spec: Spec, rename: PortRename) -> bool:
    """Whether the renamed type's new home is found exactly by the tier its way belongs to."""
    if rename.local is not None:
        return True
    module = _home_name(spec, rename.name)
    named = module.rsplit(".", 1)[-1] == rename.name
    spelled = spelling(rename.name) in spellings(module)
    if rename.way is RenameWay.NAMESPACE:
        return named
    if rename.way in TIER_ONE:
        return spelled and not named
    return not (spelled or named)


def _valid(spec: Spec) -> bool:
    """Every Elixir home unique, every rename found by its own tier only, no module or local type
    taken for another type."""
    homes = [_home_name(spec, t.name) for t in _audited(spec)]
    homes += [".".join((spec.elixir_root, *friend.path)) for friend in spec.false_friends]
    unique = len(homes) == len(set(homes))
    return unique and all(_finds(spec, rename) for rename in spec.renames) and next(_confusions(spec), None) is None


def _module_paths(way: RenameWay, name: str) -> list[tuple[str, ...]]:
    """The module paths (under the root) a way may give the type `name`, most natural first."""
    split = words(name)
    head, last = split[0], split[-1]
    if way is RenameWay.NAMESPACE:
        return [(namespace, name) for namespace in NAMESPACES]
    if way is RenameWay.PATH:
        return [tuple(split), *((namespace, *split) for namespace in NAMESPACES)]
    if way is RenameWay.PLURAL:
        plural = _plural(head)
        return [(plural, *split[1:])] if plural else []
    if way is RenameWay.REPEATED:
        return [("".join(split[:-1]) + (_plural(last) or last), last)]
    if way is RenameWay.PREFIX_DROPPED:
        return [(last,), *((namespace, last) for namespace in NAMESPACES)]
    if way is RenameWay.SUFFIX_DROPPED:
        return [(head,), *((namespace, head) for namespace in NAMESPACES)]
    if way is RenameWay.SYNONYM:
        new_head, new_last = HEAD_SYNONYMS.get(head, head), TAIL_SYNONYMS.get(last, last)
        if len(split) != 2 or (new_head, new_last) == (head, last):
            return []
        options = [(new_head + new_last,), (new_head, new_last)]
        if new_head != head and new_last != last:
            options += [(new_head + last,), (head + new_last,), (head, new_last)]
        return options
    raise ValueError(way)


def _ways(spec: Spec, rng: random.Random, typedef: TypeSpec, touched: _Touched) -> list[RenameWay]:
    """The ways to try in turn. Few models can be renamed by shape, so those that can are, half the time."""
    by_name = rng.sample(sorted(TIER_ONE), len(TIER_ONE))
    if (
        isinstance(typedef, ModelSpec)
        and typedef.name not in touched.fields_injected
        and len(spec.all_fields(typedef)) >= 3
        and not _has_a_twin(spec, typedef)
    ):
        by_shape = rng.sample(sorted(BY_SHAPE), len(BY_SHAPE))
        return by_shape + by_name if rng.random() < 0.5 else by_name + by_shape
    return by_name


def _has_a_twin(spec: Spec, model: ModelSpec) -> bool:
    """Whether another model has fields of exactly the same names (two subclasses that add the same
    field): the shape cannot tell them apart, so neither may be found by shape alone."""
    names = {f.name for f in spec.all_fields(model)}
    return any(
        other.name != model.name and {f.name for f in spec.all_fields(other)} == names for other in spec.models()
    )


def _local_hosts(spec: Spec, alias: LiteralAliasSpec, touched: _Touched) -> list[str]:
    """The models that may host the alias as a local type: a field of theirs is of that alias, and no
    injection touches that field (its use is part of the evidence)."""
    uses = (NamedRef(alias.name), ListType(NamedRef(alias.name)))
    return [
        model.name
        for model in spec.models()
        if model.name not in touched.dropped
        and any(f.type in uses and (model.name, f.name) not in touched.places for f in spec.all_fields(model))
    ]


def _renamed(spec: Spec, rename: PortRename) -> Spec:
    kept = tuple(r for r in spec.renames if r.name != rename.name)
    return replace(spec, renames=(*kept, rename))


def _draw_rename(spec: Spec, rng: random.Random, typedef: TypeSpec, touched: _Touched) -> Spec:
    if isinstance(typedef, LiteralAliasSpec) and typedef.name not in touched.converted:
        hosts = _local_hosts(spec, typedef, touched)
        local = snake_case(words(typedef.name)[-1])
        for host in rng.sample(hosts, len(hosts)):
            candidate = _renamed(spec, PortRename(typedef.name, RenameWay.LOCAL, host=host, local=local))
            if _valid(candidate):
                return candidate
        if typedef.host is not None:
            return spec
    for way in _ways(spec, rng, typedef, touched):
        for path in _module_paths(way, typedef.name):
            candidate = _renamed(spec, PortRename(typedef.name, way, path))
            if _valid(candidate):
                return candidate
    return spec


def _friend_kinds(spec: Spec, typedef: TypeSpec, touched: _Touched) -> tuple[FriendKind, ...]:
    """Another kind than the type's; for a model also a struct of other fields (a same-name rival
    the better field overlap beats), when the model keeps its name and a field no injection touches."""
    if not isinstance(typedef, ModelSpec):
        return (FriendKind.STRUCT,)
    keeps_its_name = elixir_home(spec, typedef.name).module.rsplit(".", 1)[-1] == typedef.name
    untouched = any((typedef.name, f.name) not in touched.places for f in spec.all_fields(typedef))
    if keeps_its_name and untouched and typedef.name not in touched.dropped:
        return (FriendKind.ATOMS, FriendKind.UNION, FriendKind.STRUCT)
    return (FriendKind.ATOMS, FriendKind.UNION)


def _draw_friend(spec: Spec, rng: random.Random, typedef: TypeSpec, touched: _Touched) -> Spec:
    kind = rng.choice(_friend_kinds(spec, typedef, touched))
    paths = [(typedef.name,), *((namespace, typedef.name) for namespace in rng.sample(NAMESPACES, 3))]
    for path in paths:
        candidate = replace(spec, false_friends=(*spec.false_friends, FalseFriend(path, kind)))
        if _valid(candidate):
            return candidate
    return spec


def _renamable(typedef: TypeSpec, touched: _Touched) -> bool:
    """Nested models move with their parent, and local Union aliases with their host; dropped types go.
    (A local Literal alias may still become a local type of another model, under its last word.)"""
    if typedef.name in touched.dropped:
        return False
    if isinstance(typedef, ModelSpec):
        return typedef.nested_in is None
    if isinstance(typedef, UnionAliasSpec):
        return typedef.host is None
    return isinstance(typedef, EnumSpec | LiteralAliasSpec)


def rename_port(spec: Spec, rng: random.Random, injections: Sequence[Injection]) -> Spec:
    """The spec with a random share of its types renamed in the port, and a few false friends added."""
    assert _valid(spec), "a generated spec is unambiguous before any rename"
    share = rng.choice(SHARES)
    touched = _Touched.of(injections)
    for typedef in _audited(spec):
        if _renamable(typedef, touched) and rng.random() < share:
            spec = _draw_rename(spec, rng, typedef, touched)
    for typedef in _audited(spec):
        if rng.random() < share / 3:
            spec = _draw_friend(spec, rng, typedef, touched)
    return spec


# ---------------------------------------------------------------------------------------------
# Expectations
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExpectedPair:
    """The Elixir module (or `Module.local` type) a Python type pairs with, None when it must not
    pair, and the ways (`alignment.how`) the alignment may have found it."""

    elixir: str | None
    hows: frozenset[str]


_HOWS = {
    RenameWay.NAMESPACE: frozenset({"name"}),
    RenameWay.PATH: frozenset({"path"}),
    RenameWay.PLURAL: frozenset({"path"}),
    RenameWay.REPEATED: frozenset({"path"}),
    RenameWay.PREFIX_DROPPED: frozenset({"shape"}),
    RenameWay.SUFFIX_DROPPED: frozenset({"shape"}),
    RenameWay.SYNONYM: frozenset({"shape"}),
    RenameWay.LOCAL: frozenset({"local-type"}),
}


def expected_pairs(spec: Spec, dropped: set[str]) -> dict[str, ExpectedPair]:
    """Every audited Python type -> what it must pair with."""
    expected: dict[str, ExpectedPair] = {}
    for typedef in _audited(spec):
        if typedef.name in dropped:
            expected[typedef.name] = ExpectedPair(None, frozenset())
            continue
        rename = spec.renamed(typedef.name)
        if rename is not None:
            hows = _HOWS[rename.way]
        elif elixir_home(spec, typedef.name).local is not None:
            # A local type named after the alias: found by name, reported as a local type.
            hows = frozenset({"name", "local-type"})
        else:
            hows = frozenset({"name"})
        expected[typedef.name] = ExpectedPair(_home_name(spec, typedef.name), hows)
    return expected
