"""Stage 3: find each Python type's counterpart in the port, then pair their fields.

Python is the reference. Pins come first: `--map` and the config's `[map]` pair a type by hand, an
empty right side (or the config's `unpaired`) keeps it unpaired. Then names: the Elixir module whose
last segment is the Python name, or whose module path spells it (`Job.Operation.Add` for
`JobOperationAdd`, `Reports.Comment` for `ReportComment`); a Literal/Enum alias also lines up with a
public snake_case `@type` of the same name. Only a candidate of a compatible kind qualifies (a model
against a struct, an enum or alias against an enum, union or local type): a union module that merely
shares a model's name is a false friend. Several candidates are ranked by shared fields, then by shared
module path; a tie is a diagnostic, never a silent pick.

Then, unless inference is off, shape: every Python type still unpaired is scored against every Elixir
type still unpaired of a compatible kind that shares a name token, a rare field name or an enum value
with it, or that a paired type uses where the Python type is used. The evidence is the name tokens
(weighted by rarity), the field names (weighted by rarity: `id` says little), the field types, the
enum values and that usage. Pairs are chosen as a one-to-one assignment of maximum total score, above
a floor, and every pair records how it was found.
"""

from __future__ import annotations

import functools
import itertools
import math
import operator
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple

from auditor.model import (
    NONE,
    AtomSet,
    Diagnostic,
    Field,
    ListOf,
    LiteralOf,
    MapOf,
    RecordOf,
    Ref,
    Scalar,
    SideModel,
    TupleOf,
    TypeDef,
    TypeExpr,
    TypeKind,
    UnionOf,
    references,
    snake_case,
)

AUDITED_KINDS = frozenset({TypeKind.STRUCT, TypeKind.ENUM, TypeKind.UNION})
"""Kinds that are types of the API on either side; scalar aliases are inlined where they are used."""

_NAME = operator.attrgetter("name")

KEEP_UNPAIRED = ""
"""The Elixir side of a pin that keeps its Python type unpaired (`--map Name=`)."""


class How(StrEnum):
    """How a pair was found."""

    MAP = "map"
    NAME = "name"
    PATH = "path"
    SHAPE = "shape"
    LOCAL_TYPE = "local-type"


@dataclass(frozen=True)
class Found:
    """How a pair was found, how sure the alignment is (0..1) and the evidence in a few words."""

    how: How
    score: float
    evidence: str


@dataclass(frozen=True)
class FieldPair:
    python: Field | None
    elixir: Field | None

    @property
    def name(self) -> str:
        present = self.python or self.elixir
        assert present is not None
        return present.name


@dataclass(frozen=True)
class TypePair:
    """Two aligned types, or a one-sided one; `fields` pairs struct fields (Python order, then extras).

    `note` says why a one-sided type has no counterpart when the alignment knows more than "none was
    found" (a tie, a false friend, a pin). `name_shared` is True when another pair has the same `name`:
    findings then tell the two apart by qualified names.
    """

    python: TypeDef | None
    elixir: TypeDef | None
    fields: tuple[FieldPair, ...] = ()
    note: str | None = None
    found: Found | None = None
    name_shared: bool = False

    @property
    def name(self) -> str:
        present = self.python or self.elixir
        assert present is not None
        return present.name

    @property
    def shown_name(self) -> str:
        """The name as reports show it: with the Elixir module (or the Python qualified name of a type
        the port lacks) when another pair has the same name, as findings show theirs."""
        if not self.name_shared:
            return self.name
        side = self.elixir or self.python
        assert side is not None
        return f"{self.name} ({side.qualname})"

    @property
    def key(self) -> tuple[str, str]:
        """The pair's identity: the Python qualified name and the Elixir module, "" for a missing side."""
        return (
            self.python.qualname if self.python is not None else "",
            self.elixir.qualname if self.elixir is not None else "",
        )


@dataclass(frozen=True)
class Alignment:
    pairs: tuple[TypePair, ...]
    python_types: Mapping[str, TypeDef]
    elixir_types: Mapping[str, TypeDef]
    counterparts: Mapping[str, str]
    diagnostics: tuple[Diagnostic, ...]


def _singular(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


@functools.lru_cache(maxsize=1 << 16)
def _words(name: str) -> tuple[str, ...]:
    return tuple(token for token in (_singular(word) for word in snake_case(name).split("_")) if token)


def name_tokens(*names: str) -> tuple[str, ...]:
    """The words of CamelCase or snake_case names, singular, a word repeated at a seam once:
    (`InvoiceEndpoints`, `Endpoint`) -> (`invoice`, `endpoint`)."""
    words: list[str] = []
    for name in names:
        for token in _words(name):
            if not words or words[-1] != token:
                words.append(token)
    return tuple(words)


def _is_module_level(typedef: TypeDef) -> bool:
    return typedef.qualname == typedef.module


def _is_record(typedef: TypeDef) -> bool:
    return typedef.kind is TypeKind.STRUCT


def _compatible(python: TypeDef, elixir: TypeDef) -> bool:
    """A model pairs only with a struct; an enum or alias only with something that is not a struct."""
    return _is_record(python) == _is_record(elixir)


def pair_fields(python: TypeDef, elixir: TypeDef) -> tuple[FieldPair, ...]:
    by_name = dict(zip(map(_NAME, elixir.fields), elixir.fields, strict=True))
    matches: dict[str, Field] = {}
    unmatched = False
    for field in python.fields:
        match = by_name.pop(field.name, None)
        if match is None and field.alias is not None:
            match = by_name.pop(field.alias, None)
        if match is not None:
            matches[field.name] = match
        else:
            unmatched = True
    if not unmatched:
        paired = [FieldPair(field, matches[field.name]) for field in python.fields]
    else:
        paired = []
        # Then a wire-style name the port spells in snake_case (a TypedDict's `maxTokens`, `top-k`).
        for field in python.fields:
            for spelling in (field.name, field.alias):
                if field.name not in matches and spelling is not None:
                    match = by_name.pop(snake_case(spelling.replace("-", "_")), None)
                    if match is not None:
                        matches[field.name] = match
            paired.append(FieldPair(field, matches.get(field.name)))
    if by_name:
        paired.extend(FieldPair(None, field) for field in elixir.fields if field.name in by_name)
    return tuple(paired)


def python_types_named(python: SideModel, name: str) -> list[TypeDef]:
    """The audited Python types a pin or an exclusion names: by qualified name when it has a dot."""
    audited = [t for t in python.types if t.kind in AUDITED_KINDS and t.public]
    if "." in name:
        return [t for t in audited if t.qualname == name]
    return [t for t in audited if t.name == name]


def unknown_pins(
    python: SideModel, elixir: SideModel, name_map: Mapping[str, str]
) -> list[tuple[str, str, str, str | None]]:
    """The pins that name nothing: (Python name, Elixir module, "python" or "elixir" for the side that
    names no audited type, the closest name on that side or None), in name order."""
    import difflib  # only a wrong pin needs it

    audited = sorted({t.name for t in python.types if t.kind in AUDITED_KINDS and t.public})
    modules = sorted(t.qualname for t in elixir.types if t.public or _is_module_level(t))
    known_modules = set(modules)
    unknown: list[tuple[str, str, str, str | None]] = []
    for name, module in sorted(name_map.items()):
        if not python_types_named(python, name):
            closest = next(iter(difflib.get_close_matches(name.rsplit(".", 1)[-1], audited, n=1)), None)
            unknown.append((name, module, "python", closest))
        elif module != KEEP_UNPAIRED and module not in known_modules:
            unknown.append((name, module, "elixir", next(iter(difflib.get_close_matches(module, modules, n=1)), None)))
    return unknown


# ---------------------------------------------------------------------------------------------
# Evidence
# ---------------------------------------------------------------------------------------------


_CLASS_OF_SHAPE: dict[type, str] = {
    ListOf: "list",
    TupleOf: "list",
    MapOf: "map",
    RecordOf: "map",
    Ref: "ref",
    LiteralOf: "values",
    AtomSet: "values",
}


def _type_class(expr: TypeExpr) -> str:
    """A coarse class of a field's type, what two counterparts' fields agree on even when they drift."""
    if type(expr) is Scalar:
        return expr.kind
    if type(expr) is UnionOf:
        # What `split_none` leaves, without building it: the one member beside None, if one.
        rest = [member for member in expr.members if member != NONE]
        if len(rest) != 1 or expr.discriminator is not None:
            return "other"
        expr = rest[0]
        if type(expr) is Scalar:
            return expr.kind
    return _CLASS_OF_SHAPE.get(type(expr), "other")


def _choice_values(expr: TypeExpr | None) -> frozenset[str]:
    match expr:
        case LiteralOf(values=values):
            return frozenset(map(str.lower, map(str, values)))
        case AtomSet(atoms=atoms):
            return frozenset(map(str.lower, atoms))
        case UnionOf(members=members):
            return frozenset(value for member in members for value in _choice_values(member))
    return frozenset()


def _inverse_frequency(counts: Counter[str], total: int) -> dict[str, float]:
    return {key: math.log(1 + total / count) for key, count in counts.items()}


@dataclass(frozen=True)
class _Candidate:
    """An Elixir type as the scoring sees it."""

    typedef: TypeDef
    tokens: frozenset[str]
    fields: frozenset[str]
    values: frozenset[str]
    token_weight: float
    record: bool


@dataclass(frozen=True)
class Edge:
    python: TypeDef
    elixir: TypeDef
    found: Found


_FLOOR = 0.35
"""The least score an inferred pair needs, on top of the gates in `_Scorer.edge`."""
_USAGE_BONUS = 0.15
_BY_TOKEN, _BY_FIELD, _BY_VALUE = range(3)
_BUCKET = 48
"""The most candidates a type is scored against, beyond those a paired type's use names: enough for
every word and field a real counterpart shares, few enough that inference stays linear in the SDK."""
_LARGEST_EXACT_ASSIGNMENT = 400
"""Beyond this many types on one side of a connected group, the pairs are chosen best score first: the
exact assignment costs the cube of the group's size."""


class _PythonFields(NamedTuple):
    """A Python type's fields as the scorer compares them, read once: (name, wire alias, type class, weight of
    the name) in order; the names when they alone say which fields another type shares (no alias, no name
    twice), else None; the total weight of the names, by rarity; how many names."""

    rows: tuple[tuple[str, str | None, str, float], ...]
    plain_names: frozenset[str] | None
    weight: float
    count: int


class _ElixirFields(NamedTuple):
    """An Elixir type's fields as the scorer compares them, read once: each name's type class, and the total
    weight of the names, by rarity."""

    classes: dict[str, str]
    weight: float


def _same_class(python_type: TypeExpr, elixir_type: TypeExpr) -> bool:
    """Whether two field types are of one `_type_class`, mostly without classifying them: two expressions of
    one kind other than a union are, two scalars when they are equal."""
    kind = type(python_type)
    if kind is type(elixir_type) and kind is not UnionOf:
        return kind is not Scalar or python_type == elixir_type
    return _type_class(python_type) == _type_class(elixir_type)


class _PairedShape(NamedTuple):
    """The unweighted shape of two records, the fields they share, and whether they share every field name:
    then their weighted shape is their type agreement, at least 0.75, whatever the weights."""

    share: float
    shared: int
    every_name: bool

    @classmethod
    def of(cls, shared: int, agreeing: int, python_count: int, elixir_count: int) -> _PairedShape:
        """`shared` field names of `python_count` and `elixir_count`, `agreeing` of them on the type class,
        scored as `_Scorer.shape` scores them unweighted."""
        unmatched = python_count - shared
        if not unmatched and not elixir_count:
            return cls(0.0, 0, False)
        agreement = 0.75 + 0.25 * (agreeing / shared if shared else 0.0)
        share = shared / (elixir_count + unmatched) * agreement
        return cls(share, shared, shared > 0 and not unmatched and shared == elixir_count)


def _paired_shape(python: TypeDef, elixir: TypeDef, field_pairs: Sequence[FieldPair]) -> _PairedShape | None:
    """The unweighted shape of two records read off their fields as `pair_fields` paired them, without
    classifying every field; None when a Python field has an alias or a name twice, and only `_Scorer.shape`
    knows which fields it counts."""
    python_count = len(python.fields)
    if len(set(map(_NAME, python.fields))) != python_count:
        return None
    shared = agreeing = 0
    for pair in field_pairs[:python_count]:
        field, match = pair.python, pair.elixir
        assert field is not None
        if field.alias is not None:
            return None
        # A field `pair_fields` matched by its wire spelling is no match by name for the shape.
        if match is not None and match.name == field.name:
            shared += 1
            agreeing += _same_class(field.type, match.type)
    return _PairedShape.of(shared, agreeing, python_count, len(set(map(_NAME, elixir.fields))))


def _fields_by_name(python: TypeDef, elixir: TypeDef) -> tuple[tuple[FieldPair, ...], _PairedShape] | None:
    """When a model and a struct have the same field names, each once, as a faithful port's do: their fields
    paired as `pair_fields` pairs them and their unweighted shape, in one pass. None otherwise."""
    fields = python.fields
    by_name = dict(zip(map(_NAME, elixir.fields), elixir.fields, strict=True))
    if not fields or len(by_name) != len(fields):
        return None
    agreeing = 0
    paired: list[FieldPair] = []
    for field in fields:
        # Each name found once, as many names as the struct's: the two have the same names.
        match = by_name.pop(field.name, None)
        if match is None:
            return None
        agreeing += _same_class(field.type, match.type)
        paired.append(FieldPair(field, match))
    return tuple(paired), _PairedShape.of(len(fields), agreeing, len(fields), len(fields))


class _Scorer:
    """The evidence about one Python type and one Elixir type, as a score and a few words.

    What one type contributes (its words, fields, values) is read once and kept by the type's identity:
    a type is compared with many candidates, over several rounds. A score is computed without its words;
    `words` says them for the few pairs that are shown."""

    def __init__(self, python: Sequence[TypeDef], elixir: Sequence[TypeDef], root_segments: int) -> None:
        self.root_segments = root_segments
        self.default_field_weight = math.log(1 + max(1, len(python)))
        self._named = (python, elixir)
        self._python_fields: dict[int, _PythonFields] = {}
        self._elixir_fields: dict[int, _ElixirFields] = {}
        self._field_shares: dict[tuple[int, int], tuple[float, float, int]] = {}
        self._values_of: dict[int, frozenset[str]] = {}
        self._members_of: dict[int, frozenset[str]] = {}
        self._python_tokens: dict[int, tuple[frozenset[str], float]] = {}
        self._candidates: dict[int, _Candidate] = {}

    @functools.cached_property
    def field_weight(self) -> dict[str, float]:
        """Each field name's rarity across the Python models; a pair that shares every field name has no
        need of it."""
        python = self._named[0]
        names = Counter[str]()
        for typedef in python:
            if _is_record(typedef):
                names.update({field.name for field in typedef.fields})
        return _inverse_frequency(names, max(1, len(python)))

    @functools.cached_property
    def token_weight(self) -> dict[str, float]:
        """Each name word's rarity across both sides; only inference needs it, so only inference reads it."""
        python, elixir = self._named
        tokens = Counter(token for t in python for token in self._tokens_of(t))
        tokens.update(token for t in elixir for token in self.elixir_tokens(t))
        return _inverse_frequency(tokens, max(1, len(python) + len(elixir)))

    def elixir_tokens(self, typedef: TypeDef) -> frozenset[str]:
        """The words of a module path below the port's common root, and of a local type's name."""
        segments = typedef.module.split(".")[self.root_segments :] or typedef.module.split(".")[-1:]
        local = () if _is_module_level(typedef) else (typedef.name,)
        return frozenset(name_tokens(*segments, *local))

    def candidate(self, typedef: TypeDef) -> _Candidate:
        known = self._candidates.get(id(typedef))
        if known is None:
            tokens = self.elixir_tokens(typedef)
            known = _Candidate(
                typedef,
                tokens,
                frozenset(f.name for f in typedef.fields),
                self.values(typedef),
                self._token_weight(tokens),
                _is_record(typedef),
            )
            self._candidates[id(typedef)] = known
        return known

    def values(self, typedef: TypeDef) -> frozenset[str]:
        known = self._values_of.get(id(typedef))
        if known is None:
            known = self._values_of[id(typedef)] = _choice_values(typedef.target)
        return known

    def _members(self, typedef: TypeDef) -> frozenset[str]:
        known = self._members_of.get(id(typedef))
        if known is None:
            target = typedef.target
            known = self._members_of[id(typedef)] = frozenset(references(target) if target is not None else ())
        return known

    def _tokens_of(self, typedef: TypeDef) -> frozenset[str]:
        return frozenset(name_tokens(typedef.name))

    def python_tokens(self, typedef: TypeDef) -> frozenset[str]:
        return self._python_names(typedef)[0]

    def _python_names(self, typedef: TypeDef) -> tuple[frozenset[str], float]:
        """A Python type's name words, and their total weight by rarity."""
        known = self._python_tokens.get(id(typedef))
        if known is None:
            tokens = self._tokens_of(typedef)
            known = self._python_tokens[id(typedef)] = (tokens, self._token_weight(tokens))
        return known

    def _weight(self, field: str) -> float:
        return self.field_weight.get(field, self.default_field_weight)

    def _token_weight(self, tokens: Iterable[str]) -> float:
        weight = self.token_weight
        return sum(weight.get(token, 1.0) for token in tokens)

    def _fields_of_python(self, typedef: TypeDef) -> _PythonFields:
        known = self._python_fields.get(id(typedef))
        if known is None:
            classes = {field.name: _type_class(field.type) for field in typedef.fields}
            weight_of, default = self.field_weight.get, self.default_field_weight
            weights = {name: weight_of(name, default) for name in classes}
            rows = tuple((f.name, f.alias, classes[f.name], weights[f.name]) for f in typedef.fields)
            plain = len(classes) == len(rows) and all(alias is None for _, alias, _, _ in rows)
            known = _PythonFields(rows, frozenset(classes) if plain else None, sum(weights.values()), len(classes))
            self._python_fields[id(typedef)] = known
        return known

    def _fields_of_elixir(self, typedef: TypeDef) -> _ElixirFields:
        known = self._elixir_fields.get(id(typedef))
        if known is None:
            classes = {field.name: _type_class(field.type) for field in typedef.fields}
            weight = sum(map(self.field_weight.get, classes, itertools.repeat(self.default_field_weight)))
            known = self._elixir_fields[id(typedef)] = _ElixirFields(classes, weight)
        return known

    def _fields(self, python: TypeDef, elixir: TypeDef, weighted: bool) -> tuple[float, int]:
        """The share of field names (Jaccard; `weighted` by rarity) times type agreement, and the shared count."""
        key = (id(python), id(elixir))
        known = self._field_shares.get(key)
        if known is None:
            known = self._field_shares[key] = self._compare_fields(python, elixir)
        weighted_share, plain_share, shared = known
        return (weighted_share if weighted else plain_share), shared

    def _compare_fields(self, python: TypeDef, elixir: TypeDef) -> tuple[float, float, int]:
        rows, plain_names, python_weight, python_count = self._fields_of_python(python)
        elixir_classes, elixir_weight = self._fields_of_elixir(elixir)
        shared = agreeing = 0
        shared_weight = matched_weight = 0.0
        if plain_names is not None:
            # Each field matches by its name alone, so the weight of the names matched is the weight shared.
            if plain_names.isdisjoint(elixir_classes):
                return 0.0, 0.0, 0
            for name, _, type_class, name_weight in rows:
                elixir_class = elixir_classes.get(name)
                if elixir_class is not None:
                    shared += 1
                    shared_weight += name_weight
                    agreeing += type_class == elixir_class
            matched_weight, unmatched = shared_weight, python_count - shared
        else:
            matched: set[str] = set()
            for name, alias, type_class, name_weight in rows:
                if name in elixir_classes:
                    match, match_weight = name, name_weight
                elif alias is not None and alias in elixir_classes:
                    match, match_weight = alias, self._weight(alias)
                else:
                    continue
                shared += 1
                shared_weight += match_weight
                agreeing += type_class == elixir_classes[match]
                if name not in matched:
                    matched.add(name)
                    matched_weight += name_weight
            unmatched = python_count - len(matched)
        if not unmatched and not elixir_classes:
            return 0.0, 0.0, 0
        agreement = 0.75 + 0.25 * (agreeing / shared if shared else 0.0)
        weighted_share = shared_weight / (elixir_weight + python_weight - matched_weight)
        plain_share = shared / (len(elixir_classes) + unmatched)
        return weighted_share * agreement, plain_share * agreement, shared

    def _values(self, python: TypeDef, elixir: TypeDef, counterparts: Mapping[str, str]) -> tuple[float, int]:
        """Value overlap of two enums/aliases, or for unions of types the share of members paired."""
        python_values = self.values(python)
        if python_values:
            elixir_values = self.values(elixir)
            shared = len(python_values & elixir_values)
            return shared / (len(python_values) + len(elixir_values) - shared), shared
        python_members = self._members(python)
        if not python_members:
            return 0.0, 0
        elixir_members = self._members(elixir)
        paired = sum(1 for member in python_members if counterparts.get(member) in elixir_members)
        return paired / len(python_members | {counterparts.get(m, m) for m in elixir_members}), paired

    def name_share(self, python: TypeDef, elixir: _Candidate) -> tuple[float, list[str]]:
        python_tokens, python_weight = self._python_names(python)
        shared = python_tokens & elixir.tokens
        if not shared:
            return 0.0, []
        shared_weight = self._token_weight(shared)
        total = python_weight + elixir.token_weight - shared_weight
        return (shared_weight / total if total else 0.0), sorted(shared)

    def edge(
        self, python: TypeDef, elixir: _Candidate, counterparts: Mapping[str, str], used_by: str | None
    ) -> Edge | None:
        """The inferred pair, or None when the evidence does not reach the gates: most of the fields (or
        values) shared, and a shared name word, a use in a paired type, or three or more shared fields."""
        shape, shared = self.shape(python, elixir.typedef, counterparts)
        if shared == 0 or shape < (0.25 if used_by else 0.5):
            return None
        names, shared_words = self.name_share(python, elixir)
        if not (shared_words or used_by is not None or (shared >= 3 and shape >= 0.8)):
            return None
        score = min(1.0, 0.35 * names + 0.5 * shape + (_USAGE_BONUS if used_by else 0.0))
        if score < _FLOOR:
            return None
        evidence = [self.words(python, elixir.typedef, shared)]
        if shared_words:
            evidence.append(f"name shares {', '.join(shared_words)}")
        if used_by:
            evidence.append(f"used as {used_by}")
        how = How.SHAPE if _is_module_level(elixir.typedef) else How.LOCAL_TYPE
        return Edge(python, elixir.typedef, Found(how, round(score, 2), "; ".join(evidence)))

    def shape(
        self, python: TypeDef, elixir: TypeDef, counterparts: Mapping[str, str], weighted: bool = True
    ) -> tuple[float, int]:
        """How far two types' shapes agree (0..1), and how many fields or values they share. Weighted, a
        field counts by its rarity in the SDK: what tells candidates apart; unweighted, the score of a pair
        depends on the two types alone, not on what else the SDK holds."""
        if _is_record(python) and _is_record(elixir):
            return self._fields(python, elixir, weighted)
        if not _is_record(python) and not _is_record(elixir):
            return self._values(python, elixir, counterparts)
        return 0.0, 0

    def words(self, python: TypeDef, elixir: TypeDef, shared: int) -> str:
        """The evidence of `shape`, which found `shared` fields or values shared, in a few words."""
        if _is_record(python) and _is_record(elixir):
            if not python.fields and not elixir.fields:
                return "no fields on either side"
            return f"{shared} of {len(python.fields)} fields shared"
        if not _is_record(python) and not _is_record(elixir):
            if python_values := self.values(python):
                return f"{shared} of {len(python_values)} values shared"
            if python_members := self._members(python):
                return f"{shared} of {len(python_members)} members paired"
            return "no values"
        return f"{python.kind.value} against {elixir.kind.value}"

    def confirmed(
        self,
        python: TypeDef,
        elixir: TypeDef,
        how: How,
        counterparts: Mapping[str, str],
        paired: _PairedShape | None = None,
    ) -> Found:
        """What a pair found by a pin or a name shows: its shape evidence (`paired` when known), scored with
        full name evidence."""
        shape, shared = paired[:2] if paired is not None else self.shape(python, elixir, counterparts, weighted=False)
        if how is not How.MAP and not _is_module_level(elixir):
            how = How.LOCAL_TYPE
        return Found(how, round(0.5 + 0.5 * shape, 2), self.words(python, elixir, shared))


# ---------------------------------------------------------------------------------------------
# Assignment
# ---------------------------------------------------------------------------------------------


def _assignment(weights: list[list[float]]) -> list[int]:
    """For each row, the column of a maximum-weight assignment (rows <= columns, weights >= 0): the
    Hungarian method on costs `-weight`, with potentials; O(rows^2 * columns)."""
    rows, columns = len(weights), len(weights[0])
    infinity = math.inf
    row_potential = [0.0] * (rows + 1)
    column_potential = [0.0] * (columns + 1)
    row_of_column = [0] * (columns + 1)
    previous = [0] * (columns + 1)
    for row in range(1, rows + 1):
        row_of_column[0] = row
        column = 0
        least = [infinity] * (columns + 1)
        used = [False] * (columns + 1)
        while True:
            used[column] = True
            current_row = row_of_column[column]
            delta, next_column = infinity, 0
            for candidate in range(1, columns + 1):
                if used[candidate]:
                    continue
                reduced = (
                    -weights[current_row - 1][candidate - 1] - row_potential[current_row] - column_potential[candidate]
                )
                if reduced < least[candidate]:
                    least[candidate], previous[candidate] = reduced, column
                if least[candidate] < delta:
                    delta, next_column = least[candidate], candidate
            for candidate in range(columns + 1):
                if used[candidate]:
                    row_potential[row_of_column[candidate]] += delta
                    column_potential[candidate] -= delta
                else:
                    least[candidate] -= delta
            column = next_column
            if row_of_column[column] == 0:
                break
        while column:
            row_of_column[column] = row_of_column[previous[column]]
            column = previous[column]
    assigned = [0] * rows
    for column in range(1, columns + 1):
        if row_of_column[column]:
            assigned[row_of_column[column] - 1] = column - 1
    return assigned


def _groups(edges: Sequence[Edge]) -> Iterator[list[Edge]]:
    """The edges of each connected group of types, in a stable order."""
    parent: dict[str, str] = {}

    def root(node: str) -> str:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for edge in edges:
        parent[root("p:" + edge.python.qualname)] = root("e:" + edge.elixir.qualname)
    grouped: dict[str, list[Edge]] = defaultdict(list)
    for edge in edges:
        grouped[root("p:" + edge.python.qualname)].append(edge)
    yield from sorted(grouped.values(), key=lambda g: min(e.python.qualname for e in g))


def choose(edges: Sequence[Edge]) -> list[Edge]:
    """A one-to-one choice of edges with the largest total score, group by group."""
    chosen: list[Edge] = []
    for group in _groups(edges):
        pythons = sorted({e.python.qualname for e in group})
        elixirs = sorted({e.elixir.qualname for e in group})
        if min(len(pythons), len(elixirs)) > _LARGEST_EXACT_ASSIGNMENT:
            chosen.extend(_best_first(group))
            continue
        transposed = len(pythons) > len(elixirs)
        rows, columns = (elixirs, pythons) if transposed else (pythons, elixirs)
        row_index = {name: i for i, name in enumerate(rows)}
        column_index = {name: i for i, name in enumerate(columns)}
        weights = [[0.0] * len(columns) for _ in rows]
        by_cell: dict[tuple[int, int], Edge] = {}
        for edge in group:
            row_name, column_name = (
                (edge.elixir.qualname, edge.python.qualname)
                if transposed
                else (edge.python.qualname, edge.elixir.qualname)
            )
            cell = (row_index[row_name], column_index[column_name])
            weights[cell[0]][cell[1]] = edge.found.score
            by_cell[cell] = edge
        for row, column in enumerate(_assignment(weights)):
            if (row, column) in by_cell:
                chosen.append(by_cell[row, column])
    return chosen


def _best_first(edges: Sequence[Edge]) -> Iterator[Edge]:
    taken: set[str] = set()
    for edge in sorted(edges, key=lambda e: (-e.found.score, e.python.qualname, e.elixir.qualname)):
        if edge.python.qualname not in taken and edge.elixir.qualname not in taken:
            taken.update((edge.python.qualname, edge.elixir.qualname))
            yield edge


# ---------------------------------------------------------------------------------------------
# The stage
# ---------------------------------------------------------------------------------------------


def common_root(modules: Iterable[str]) -> int:
    """How many leading segments every module-level Elixir type shares (`Acme.Types`), at most all but one."""
    split = [module.split(".") for module in modules]
    if not split:
        return 0
    # What the first and the last path in sorted order share, every path between them shares.
    shared = 0
    for first, last in zip(min(split), max(split), strict=False):
        if first != last:
            break
        shared += 1
    return min(shared, min(map(len, split)) - 1)


def _path_spellings(typedef: TypeDef, root: int) -> Iterator[tuple[str, ...]]:
    """The names a module path spells: the words of each run of two or more last segments."""
    segments = typedef.qualname.split(".")
    for start in range(max(0, min(root, len(segments) - 2)), len(segments) - 1):
        yield name_tokens(*segments[start:])


class _Aligner:
    def __init__(self, python: SideModel, elixir: SideModel, name_map: Mapping[str, str], infer: bool) -> None:
        self.python_audited = sorted(
            (t for t in python.types if t.kind in AUDITED_KINDS and t.public), key=lambda t: t.qualname
        )
        self.elixir_types = elixir.by_qualname()
        self.modules = [t for t in elixir.types if _is_module_level(t) and t.kind in AUDITED_KINDS]
        self.infer = infer
        self.diagnostics: list[Diagnostic] = []
        self.paired: dict[str, tuple[TypeDef, Found]] = {}
        self.counterparts: dict[str, str] = {}
        """Python qualified name -> Elixir qualified name of every pair so far, kept with `paired`."""
        self.claimed: set[str] = set()
        self.notes: dict[str, str] = {}
        self.unpairable: set[str] = set()
        self.deferred: dict[str, tuple[TypeDef, TypeDef, How]] = {}
        """Models whose same-name struct shares under a quarter of their fields, while another struct
        shares most: shape inference decides, and the same-name struct is theirs if it finds nothing."""
        self.field_pairs: dict[tuple[str, str], tuple[FieldPair, ...]] = {}
        """(Python model, Elixir struct) -> their fields, paired."""
        self.field_references: dict[str, frozenset[str]] = {}
        root = common_root(t.qualname for t in self.modules)
        self.scorer = _Scorer(self.python_audited, self.modules, root)
        self.by_name: dict[str, list[TypeDef]] = defaultdict(list)
        self.by_spelling: dict[tuple[str, ...], list[TypeDef]] = defaultdict(list)
        self.alias_modules: dict[str, list[TypeDef]] = defaultdict(list)
        self.alias_spellings: dict[tuple[str, ...], list[TypeDef]] = defaultdict(list)
        self.locals: list[TypeDef] = []
        for typedef in elixir.types:
            if _is_module_level(typedef):
                if typedef.kind in AUDITED_KINDS:
                    self.by_name[typedef.name].append(typedef)
                    for spelling in _path_spellings(typedef, root):
                        self.by_spelling[spelling].append(typedef)
                elif typedef.public:
                    # A module whose `@type t` is one other type (`@type t :: String.t()`, `Text.t()`).
                    self.alias_modules[typedef.name].append(typedef)
                    for spelling in _path_spellings(typedef, root):
                        self.alias_spellings[spelling].append(typedef)
            elif typedef.public:
                self.locals.append(typedef)
        self.locals_by_name: dict[str, list[TypeDef]] = defaultdict(list)
        for local in self.locals:
            self.locals_by_name[local.name].append(local)
        self._pin(python, name_map)

    def _pair(self, python: TypeDef, elixir: TypeDef, found: Found) -> None:
        self.paired[python.qualname] = (elixir, found)
        self.counterparts[python.qualname] = elixir.qualname
        self.claimed.add(elixir.qualname)

    def _pin(self, python: SideModel, name_map: Mapping[str, str]) -> None:
        for name, module in sorted(name_map.items()):
            for typedef in python_types_named(python, name):
                if module == KEEP_UNPAIRED:
                    self.unpairable.add(typedef.qualname)
                    self.notes[typedef.qualname] = f"kept unpaired by the map entry {name}="
                elif module in self.elixir_types:
                    self._pair(typedef, self.elixir_types[module], Found(How.MAP, 1.0, f"pinned: {name}={module}"))

    def _open(self) -> list[TypeDef]:
        return [t for t in self.python_audited if t.qualname not in self.paired and t.qualname not in self.unpairable]

    def _unclaimed(self, candidates: Iterable[TypeDef]) -> list[TypeDef]:
        return [c for c in candidates if c.qualname not in self.claimed]

    def by_names(self) -> None:
        """Pairs by last segment or module path; a model whose same-name struct shares under a quarter of
        its fields is left to shape inference when that may find a better counterpart."""
        claimed = self.claimed
        for python in self._open():
            record = _is_record(python)
            same_name = self.by_name.get(python.name, ())
            candidates = [c for c in same_name if c.qualname not in claimed and _is_record(c) == record]
            how = How.NAME
            if not candidates:
                spelled = self.by_spelling.get(name_tokens(python.name), ())
                candidates = [c for c in spelled if c.qualname not in claimed and _is_record(c) == record]
                how = How.PATH
            if not candidates and not record:
                # The port narrowed the alias or enum to a single type, or made it a local type of the
                # struct that uses it: compare it, do not call it missing.
                candidates, how = self._unclaimed(self.alias_modules.get(python.name, [])), How.NAME
                if not candidates:
                    spelled = self.alias_spellings.get(name_tokens(python.name), [])
                    candidates, how = self._unclaimed(spelled), How.PATH
                if not candidates:
                    local = self.locals_by_name.get(snake_case(python.name), [])
                    candidates, how = self._unclaimed(local), How.NAME
            if not candidates:
                continue
            best = candidates[0] if len(candidates) == 1 else self._best_ranked(python, candidates)
            if best is None:
                continue
            paired = self._paired_shape(python, best) if record and _is_record(best) else None
            if self.infer and record and self._loses_by_shape(python, best, paired):
                self.deferred[python.qualname] = (python, best, how)
                continue
            self._pair(python, best, self.scorer.confirmed(python, best, how, self.counterparts, paired))

    def _best_ranked(self, python: TypeDef, candidates: Sequence[TypeDef]) -> TypeDef | None:
        """The best of several candidates by `_rank`, or None after noting a tie."""
        ranked = sorted(
            ((self._rank(python, c), c.qualname, c) for c in candidates),
            key=lambda item: (-item[0][0], -item[0][1], item[1]),
        )
        best_rank, _, best = ranked[0]
        if ranked[1][0] != best_rank:
            return best
        tied = [qualname for rank, qualname, _ in ranked if rank == best_rank]
        pins = " or ".join(f"--map {python.name}={qualname}" for qualname in tied)
        reason = f"{python.name} matches several Elixir types equally well ({', '.join(tied)}); pin one with {pins}"
        self.diagnostics.append(Diagnostic(python.location.path, python.location.line, "warning", reason))
        self.notes[python.qualname] = reason
        self.unpairable.add(python.qualname)
        return None

    def _rank(self, python: TypeDef, candidate: TypeDef) -> tuple[float, int]:
        """Shared fields (or values) first, then shared module path words."""
        shape = self.scorer.shape(python, candidate, self.counterparts)[0]
        python_words = {snake_case(part) for part in python.module.split(".")}
        parent = candidate.module.rsplit(".", 1)[0] if _is_module_level(candidate) else candidate.module
        return round(shape, 2), len(python_words & {snake_case(part) for part in parent.split(".")})

    def _loses_by_shape(self, python: TypeDef, same_name: TypeDef, paired: _PairedShape | None) -> bool:
        """Whether the model's same-name struct shares under a quarter of its fields while another unclaimed
        struct shares most of them."""
        if paired is not None and paired.every_name:
            return False
        if round(self.scorer.shape(python, same_name, self.counterparts)[0], 2) >= 0.25:
            return False
        for candidate in self._unclaimed(self.modules):
            if candidate is same_name or not _compatible(python, candidate):
                continue
            shared = self.scorer.shape(python, candidate, self.counterparts)[1]
            if shared >= 0.5 * len(python.fields) and self.scorer.edge(
                python, self.scorer.candidate(candidate), self.counterparts, None
            ):
                return True
        return False

    def by_shape(self) -> None:
        """Rounds of inference: a pair found in one round is usage evidence for the next."""
        while True:
            edges = list(self._edges())
            chosen = choose(edges)
            if not chosen:
                break
            for edge in chosen:
                self._pair(edge.python, edge.elixir, edge.found)
        for python, same_name, how in self.deferred.values():
            if python.qualname not in self.paired and same_name.qualname not in self.claimed:
                self._pair(python, same_name, self.scorer.confirmed(python, same_name, how, self.counterparts))

    def _usages(self, open_types: Sequence[TypeDef]) -> dict[tuple[str, str], str]:
        """(open Python type, Elixir type) -> `Model.field` where a paired model's field uses the one and its
        counterpart's field the other."""
        used: dict[tuple[str, str], str] = {}
        open_names = {t.qualname for t in open_types}
        python_types = {t.qualname: t for t in self.python_audited}
        for python_name, (elixir, _) in sorted(self.paired.items()):
            python = python_types[python_name]
            if not (_is_record(python) and _is_record(elixir)) or self._field_references(python).isdisjoint(open_names):
                continue
            for field in self._field_pairs(python, elixir):
                if field.python is None or field.elixir is None:
                    continue
                python_refs = [r for r in references(field.python.type) if r in open_names]
                if not python_refs:
                    continue
                elixir_refs = [r for r in references(field.elixir.type) if r not in self.claimed]
                for python_ref in python_refs:
                    for elixir_ref in elixir_refs:
                        used.setdefault((python_ref, elixir_ref), f"{python.name}.{field.python.name}")
        return used

    def _field_references(self, python: TypeDef) -> frozenset[str]:
        """Every type a Python model's fields refer to."""
        known = self.field_references.get(python.qualname)
        if known is None:
            known = frozenset(ref for field in python.fields for ref in references(field.type))
            self.field_references[python.qualname] = known
        return known

    def _paired_shape(self, python: TypeDef, elixir: TypeDef) -> _PairedShape | None:
        """Pairs the fields of a model and the struct its name finds, and reads their unweighted shape off
        the pairs (see `_paired_shape`)."""
        same = _fields_by_name(python, elixir)
        if same is not None:
            self.field_pairs[python.qualname, elixir.qualname], shape = same
            return shape
        return _paired_shape(python, elixir, self._field_pairs(python, elixir))

    def _field_pairs(self, python: TypeDef, elixir: TypeDef) -> tuple[FieldPair, ...]:
        """The fields of a Python model and an Elixir struct, paired once."""
        key = (python.qualname, elixir.qualname)
        known = self.field_pairs.get(key)
        if known is None:
            known = self.field_pairs[key] = pair_fields(python, elixir)
        return known

    def _edges(self) -> Iterator[Edge]:
        open_types = self._open()
        if not open_types:
            return
        candidates = [
            self.scorer.candidate(t)
            for t in (*self.modules, *(local for local in self.locals if local.kind in AUDITED_KINDS))
            if t.qualname not in self.claimed
        ]
        # Each index lists (qualified name, candidate), what a bucket is made of.
        by_token: dict[str, list[tuple[str, _Candidate]]] = defaultdict(list)
        by_field: dict[str, list[tuple[str, _Candidate]]] = defaultdict(list)
        by_value: dict[str, list[tuple[str, _Candidate]]] = defaultdict(list)
        for candidate in candidates:
            entry = (candidate.typedef.qualname, candidate)
            for token in candidate.tokens:
                by_token[token].append(entry)
            for field in candidate.fields:
                by_field[field].append(entry)
            for value in candidate.values:
                by_value[value].append(entry)
        # A word, field or value that many candidates share is no reason to compare two types: each type
        # is compared with the candidates of its rarest words, fields and values, at most `_BUCKET` of them.
        common = min(_BUCKET, max(8, len(candidates) // 20))
        indexes = (by_token, by_field, by_value)
        by_qualname = {candidate.typedef.qualname: candidate for candidate in candidates}
        usages = self._usages(open_types)
        used_as: dict[str, list[str]] = defaultdict(list)
        for python_ref, elixir_ref in usages:
            used_as[python_ref].append(elixir_ref)
        counterparts, edge = self.counterparts, self.scorer.edge
        for python in open_types:
            words = (
                (_BY_TOKEN, self.scorer.python_tokens(python)),
                (_BY_FIELD, {name for field in python.fields for name in (field.name, field.alias) if name}),
                (_BY_VALUE, self.scorer.values(python)),
            )
            keys = sorted(
                (len(found), kind, word)
                for kind, key_words in words
                for word in key_words
                if (found := indexes[kind].get(word))
            )
            bucket: dict[str, _Candidate] = {}
            for size, kind, word in keys:
                if size > common or len(bucket) + size > _BUCKET:
                    break
                bucket.update(indexes[kind][word])
            for elixir_ref in used_as.get(python.qualname, ()):
                if elixir_ref in by_qualname:
                    bucket[elixir_ref] = by_qualname[elixir_ref]
            record = _is_record(python)
            for qualname in sorted(bucket):
                candidate = bucket[qualname]
                if candidate.record != record:
                    continue
                used_by = usages.get((python.qualname, qualname)) if usages else None
                inferred = edge(python, candidate, counterparts, used_by)
                if inferred is not None:
                    yield inferred

    def _elixir_note(self, module: TypeDef, same_name: Sequence[str]) -> str | None:
        """Why an unpaired module is not the counterpart of the Python type of its name, if there is one."""
        if not same_name:
            return None
        elsewhere = [
            f"{python} is paired with {self.paired[python][0].qualname}"
            for python in same_name
            if python in self.paired
        ]
        if elsewhere:
            return f"same name as {', '.join(same_name)}; {', '.join(elsewhere)}"
        return f"same name as {', '.join(same_name)}, different shape"

    def pairs(self) -> list[TypePair]:
        """Every pair and every type left unpaired, in report order: by name, the pair before the Elixir type
        left unpaired, then by qualified names."""
        unclaimed = [module for module in self.modules if module.qualname not in self.claimed]
        names = Counter(python.name for python in self.python_audited)
        names.update(module.name for module in unclaimed)
        ordered: list[tuple[tuple[str, bool, tuple[str, str]], TypePair]] = []
        modules_named: dict[str, list[str]] | None = None
        for python in self.python_audited:
            if python.qualname in self.paired:
                elixir, found = self.paired[python.qualname]
                fields = self._field_pairs(python, elixir) if _is_record(python) and _is_record(elixir) else ()
                pair = TypePair(python, elixir, fields, found=found, name_shared=names[python.name] > 1)
                ordered.append(((python.name, False, (python.qualname, elixir.qualname)), pair))
                continue
            if modules_named is None:
                modules_named = defaultdict(list)
                for module in self.modules:
                    modules_named[module.name].append(module.qualname)
            note = self.notes.get(python.qualname)
            if note is None and python.name in modules_named:
                note = f"same name as {', '.join(modules_named[python.name])}, different shape"
            pair = TypePair(python, None, note=note, name_shared=names[python.name] > 1)
            ordered.append(((python.name, False, (python.qualname, "")), pair))
        python_named: dict[str, list[str]] = defaultdict(list)
        for python in self.python_audited if unclaimed else ():
            python_named[python.name].append(python.qualname)
        for module in unclaimed:
            note = self._elixir_note(module, python_named.get(module.name, []))
            pair = TypePair(None, module, note=note, name_shared=names[module.name] > 1)
            ordered.append(((module.name, True, ("", module.qualname)), pair))
        ordered.sort(key=operator.itemgetter(0))
        return [pair for _, pair in ordered]


def align(python: SideModel, elixir: SideModel, name_map: Mapping[str, str], infer: bool = True) -> Alignment:
    """Pins, then names, then (with `infer`) shape; see the module's docstring."""
    aligner = _Aligner(python, elixir, name_map, infer)
    aligner.by_names()
    if infer:
        aligner.by_shape()
    return Alignment(
        tuple(aligner.pairs()),
        python.by_qualname(),
        aligner.elixir_types,
        aligner.counterparts,
        tuple(aligner.diagnostics),
    )


def needed_missing_types(pairs: Iterable[TypePair], python_types: Mapping[str, TypeDef]) -> frozenset[str]:
    """The Python types without a counterpart that the port needs: referenced by a field of a paired Python
    type, directly, through scalar aliases, or through the fields and members of other such missing types."""
    pairs = list(pairs)
    missing = {pair.python.qualname for pair in pairs if pair.python is not None and pair.elixir is None}
    pending = [
        field.type
        for pair in pairs
        if pair.python is not None and pair.elixir is not None
        for field in pair.python.fields
    ]
    needed: set[str] = set()
    seen: set[str] = set()
    while pending:
        for qualname in references(pending.pop()):
            typedef = python_types.get(qualname)
            if typedef is None or qualname in seen:
                continue
            seen.add(qualname)
            if qualname in missing:
                needed.add(qualname)
            elif typedef.kind is not TypeKind.SCALAR_ALIAS:
                continue
            pending.extend(field.type for field in typedef.fields)
            if typedef.target is not None:
                pending.append(typedef.target)
    return frozenset(needed)
