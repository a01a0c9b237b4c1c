"""Where two type expressions disagree.

`differences` walks a Python and an Elixir expression in parallel (through lists, maps, tuples,
unions and alias references) and returns the innermost places where they disagree. It decides
*whether* the sides differ; the type rules in the catalog decide *what kind* of difference it is.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from auditor.model import (
    ANY,
    FLOAT,
    INT,
    AtomSet,
    Default,
    DefaultKind,
    ListOf,
    LiteralOf,
    MapOf,
    RecordOf,
    Ref,
    Scalar,
    ScalarKind,
    TupleOf,
    TypeDef,
    TypeExpr,
    TypeKind,
    UnionOf,
    Unknown,
    simple_name,
    split_none,
    union_of,
)

if TYPE_CHECKING:
    from auditor.reach import NeededBy

_EXPANSION_LIMIT = 32
_NUMBERS = frozenset({INT, FLOAT})
_COMPATIBLE_SCALARS = frozenset({(ScalarKind.STR, ScalarKind.ATOM)})


@dataclass(frozen=True)
class Context:
    """Both sides' named types and the alignment between them, as the rules see them."""

    python_types: Mapping[str, TypeDef]
    elixir_types: Mapping[str, TypeDef]
    counterparts: Mapping[str, str]
    needed: Mapping[str, NeededBy] = dataclasses.field(default_factory=dict)
    """Each Python type the port lacks that a ported type needs -> the shortest path it is needed by."""

    def same_type(self, python: Ref, elixir: Ref) -> bool:
        aligned = self.counterparts.get(python.qualname)
        if aligned is not None:
            return aligned == elixir.qualname
        known = python.qualname in self.python_types and elixir.qualname in self.elixir_types
        return not known and simple_name(python.qualname) == simple_name(elixir.qualname)

    def expand(self, expr: TypeExpr, types: Mapping[str, TypeDef]) -> TypeExpr:
        """Replaces a reference to an alias or enum by its expression; struct references stay."""
        for _ in range(_EXPANSION_LIMIT):
            if not isinstance(expr, Ref):
                return expr
            typedef = types.get(expr.qualname)
            if typedef is None or typedef.kind is TypeKind.STRUCT or typedef.target is None:
                return expr
            expr = typedef.target
        return expr

    def flattened(self, expr: TypeExpr, types: Mapping[str, TypeDef]) -> TypeExpr:
        """The expression expanded, and a union's members too: `Modality.t() | :document` is the union of
        Modality's values and `:document`, without None/nil."""
        expr = split_none(self.expand(expr, types))[0]
        if not isinstance(expr, UnionOf):
            return expr
        members = [split_none(self.expand(member, types))[0] for member in expr.members]
        return split_none(union_of(members, expr.discriminator))[0]

    def is_struct(self, expr: TypeExpr, types: Mapping[str, TypeDef]) -> bool:
        if not isinstance(expr, Ref):
            return False
        typedef = types.get(expr.qualname)
        return typedef is None or typedef.kind is TypeKind.STRUCT

    def python_has_model(self, expr: TypeExpr, depth: int = 0) -> bool:
        """True when the Python expression is, or contains, a data model."""
        if depth > _EXPANSION_LIMIT:
            return False
        expr = self.expand(expr, self.python_types)
        match expr:
            case Ref():
                return self.is_struct(expr, self.python_types)
            case ListOf(item=item):
                return self.python_has_model(item, depth + 1)
            case MapOf(value=value):
                return self.python_has_model(value, depth + 1)
            case TupleOf(items=items) | UnionOf(members=items):
                return any(self.python_has_model(item, depth + 1) for item in items)
        return False


@dataclass(frozen=True)
class Mismatch:
    """The innermost Python and Elixir expressions that disagree (aliases already expanded)."""

    python: TypeExpr
    elixir: TypeExpr


def literal_values(expr: TypeExpr) -> tuple[str | int | bool, ...] | None:
    """The closed value set of a literal/atom expression, atoms as their names; None otherwise."""
    if isinstance(expr, LiteralOf):
        return expr.values
    if isinstance(expr, AtomSet):
        return expr.atoms
    if isinstance(expr, UnionOf) and all(isinstance(m, LiteralOf | AtomSet) for m in expr.members):
        values: list[str | int | bool] = []
        for member in expr.members:
            values.extend(literal_values(member) or ())
        return tuple(values)
    return None


def _default_fixes_literal(python: TypeExpr, elixir: TypeExpr, elixir_default: Default | None) -> bool:
    """A single-value Literal discriminator is fixed by an Elixir string field defaulting to that value."""
    return (
        isinstance(python, LiteralOf)
        and len(python.values) == 1
        and elixir == Scalar(ScalarKind.STR)
        and elixir_default is not None
        and elixir_default.kind is DefaultKind.VALUE
        and elixir_default.value == python.values[0]
    )


def _number_as_written(
    python_members: tuple[TypeExpr, ...], elixir_members: tuple[TypeExpr, ...]
) -> tuple[TypeExpr, ...]:
    """Elixir union members with `number()` (lowered to integer | float) counted as the Python number
    member it ports: a Python int or float is compatible with number() inside a union as outside."""
    if not set(elixir_members) >= _NUMBERS or _NUMBERS.isdisjoint(python_members):
        return elixir_members
    return tuple(m for m in elixir_members if m not in _NUMBERS or m in python_members)


class _Walker:
    def __init__(self, context: Context) -> None:
        self.context = context
        self.assumed: set[tuple[TypeExpr, TypeExpr]] = set()
        """Pairs whose match is being decided further up: met again inside a recursive alias (a JSON-like
        union of maps of itself), they are taken to match, as the recursion would conclude."""
        self.mismatched: set[tuple[TypeExpr, TypeExpr]] = set()
        """Pairs found not to match; a mismatch never rests on an assumption, so it holds for the walk."""

    def walk(self, python: TypeExpr, elixir: TypeExpr, depth: int) -> Iterator[Mismatch]:
        if depth > _EXPANSION_LIMIT or isinstance(python, Unknown) or isinstance(elixir, Unknown):
            return
        if python == ANY:
            return
        if isinstance(python, Ref) and isinstance(elixir, Ref) and self.context.same_type(python, elixir):
            return
        python = self.context.flattened(python, self.context.python_types)
        elixir = self.context.flattened(elixir, self.context.elixir_types)
        if python == elixir and not isinstance(python, Ref):
            return
        match python, elixir:
            case Ref(), Ref() if self.context.same_type(python, elixir):
                return
            case ListOf(item=left), ListOf(item=right):
                yield from self.walk(left, right, depth + 1)
            case TupleOf(items=items), ListOf(item=right):
                for item in items:
                    yield from self.walk(item, right, depth + 1)
            case TupleOf(items=left), TupleOf(items=right) if len(left) == len(right):
                for pair in zip(left, right, strict=True):
                    yield from self.walk(*pair, depth + 1)
            case MapOf(value=left), MapOf(value=right):
                yield from self.walk(left, right, depth + 1)
            case MapOf(value=left), RecordOf(entries=entries):
                for entry in entries:
                    yield from self.walk(left, entry.type, depth + 1)
            case Ref(qualname=qualname), RecordOf() if self._model(qualname) is not None:
                yield from self._record(python, elixir, depth)
            case Scalar(kind=left), Scalar(kind=right) if (left, right) in _COMPATIBLE_SCALARS:
                return
            case UnionOf(), UnionOf():
                if not self._unions_match(python, elixir, depth):
                    yield Mismatch(python, elixir)
            case UnionOf(members=members), _ if all(self._matches(member, elixir, depth) for member in members):
                # One Elixir type that every Python member fits, such as [number()] for
                # list[int] | list[float]: whatever the SDK sends or receives, the port accepts.
                return
            case _, UnionOf(members=members) if not isinstance(python, LiteralOf | AtomSet):
                if not self._admits_only(python, members, depth):
                    yield Mismatch(python, elixir)
            case _:
                if not self._same_values(python, elixir):
                    yield Mismatch(python, elixir)

    def _model(self, qualname: str) -> TypeDef | None:
        typedef = self.context.python_types.get(qualname)
        return typedef if typedef is not None and typedef.kind is TypeKind.STRUCT else None

    def _record(self, python: Ref, record: RecordOf, depth: int) -> Iterator[Mismatch]:
        """A model against a map with fixed keys, key by key as against a struct: the keys must be the
        model's (by wire name), and each value is compared like a field's."""
        model = self._model(python.qualname)
        assert model is not None
        entries = {entry.key: entry for entry in record.entries}
        matched: set[str] = set()
        for field in model.fields:
            entry = entries.get(field.name) or (entries.get(field.alias) if field.alias else None)
            if entry is None:
                yield Mismatch(python, record)
                return
            matched.add(entry.key)
            yield from self.walk(field.type, entry.type, depth + 1)
        if set(entries) - matched:
            yield Mismatch(python, record)

    def _matches(self, python: TypeExpr, elixir: TypeExpr, depth: int) -> bool:
        # Without both sets, the members of a recursive union are compared again at every level, as many
        # times as the union has members: exponential in the depth of the walk.
        key = (python, elixir)
        if key in self.assumed:
            return True
        if key in self.mismatched:
            return False
        self.assumed.add(key)
        try:
            matched = next(self.walk(python, elixir, depth + 1), None) is None
        finally:
            self.assumed.discard(key)
        if not matched:
            self.mismatched.add(key)
        return matched

    def _unions_match(self, python: UnionOf, elixir: UnionOf, depth: int) -> bool:
        if literal_values(python) is not None and literal_values(elixir) is not None:
            return self._same_values(python, elixir)
        elixir_members = _number_as_written(python.members, elixir.members)
        return all(any(self._matches(p, e, depth) for e in elixir_members) for p in python.members) and all(
            any(self._matches(p, e, depth) for p in python.members) for e in elixir_members
        )

    def _admits_only(self, python: TypeExpr, members: tuple[TypeExpr, ...], depth: int) -> bool:
        """True when every Elixir member fits the Python type (number() = integer | float for a number)."""
        if python in _NUMBERS and set(members) <= _NUMBERS:
            return True
        return all(self._matches(python, member, depth) for member in members)

    @staticmethod
    def _same_values(python: TypeExpr, elixir: TypeExpr) -> bool:
        left, right = literal_values(python), literal_values(elixir)
        if left is None or right is None:
            return False
        return isinstance(python, LiteralOf) == isinstance(elixir, LiteralOf) and set(left) == set(right)


@dataclass(frozen=True)
class MemberComparison:
    """How the members of two unions (a single type counts as a union of one) line up by type."""

    missing: tuple[TypeExpr, ...]
    """Python members that no Elixir member accepts."""
    extra: tuple[TypeExpr, ...]
    """Elixir members that accept no Python member."""


def compare_members(python: TypeExpr, elixir: TypeExpr, context: Context) -> MemberComparison | None:
    """None unless one side is a union of types (a union of values is compared by `compare_values`)."""
    if not isinstance(python, UnionOf) and not isinstance(elixir, UnionOf):
        return None
    if literal_values(python) is not None and literal_values(elixir) is not None:
        return None
    python_members = python.members if isinstance(python, UnionOf) else (python,)
    elixir_members = _number_as_written(python_members, elixir.members if isinstance(elixir, UnionOf) else (elixir,))
    walker = _Walker(context)
    fits = {(p, e): walker._matches(p, e, 0) for p in python_members for e in elixir_members}
    return MemberComparison(
        tuple(p for p in python_members if not any(fits[p, e] for e in elixir_members)),
        tuple(e for e in elixir_members if not any(fits[p, e] for p in python_members)),
    )


def differences(
    python: TypeExpr, elixir: TypeExpr, context: Context, elixir_default: Default | None = None
) -> list[Mismatch]:
    """Every innermost disagreement between the two expressions, in walk order, without duplicates."""
    if python == elixir and _names_no_type(python):
        # Most fields of a port agree to the letter (`str` and `String.t()`, a list of either); only a
        # named type could mean different things on the two sides.
        return []
    if _default_fixes_literal(
        context.expand(python, context.python_types),
        context.expand(elixir, context.elixir_types),
        elixir_default,
    ):
        return []
    found: list[Mismatch] = []
    for mismatch in _Walker(context).walk(python, elixir, 0):
        if mismatch not in found:
            found.append(mismatch)
    return found


def _names_no_type(expr: TypeExpr) -> bool:
    """Whether no `Ref` occurs anywhere in the expression."""
    if isinstance(expr, Ref):
        return False
    if isinstance(expr, ListOf):
        return _names_no_type(expr.item)
    if isinstance(expr, MapOf):
        return _names_no_type(expr.key) and _names_no_type(expr.value)
    if isinstance(expr, TupleOf):
        return all(_names_no_type(item) for item in expr.items)
    if isinstance(expr, RecordOf):
        return all(_names_no_type(entry.type) for entry in expr.entries)
    if isinstance(expr, UnionOf):
        return all(_names_no_type(member) for member in expr.members)
    return True


def is_untyped(expr: TypeExpr) -> bool:
    """map()/term()/any()/list(map()): a container that says nothing about its contents."""
    match expr:
        case Scalar(kind=ScalarKind.ANY):
            return True
        case MapOf(value=value):
            return value == ANY
        case ListOf(item=item):
            return is_untyped(item)
    return False


def is_scalar_like(expr: TypeExpr) -> bool:
    """A scalar, a literal set, or a list/union of those: nothing that could hold a model's fields."""
    match expr:
        case Scalar(kind=kind):
            return kind is not ScalarKind.ANY
        case LiteralOf() | AtomSet():
            return True
        case ListOf(item=item):
            return is_scalar_like(item)
        case UnionOf(members=members):
            return all(is_scalar_like(member) for member in members)
    return False


def admits(expr: TypeExpr, kind: ScalarKind) -> bool:
    if isinstance(expr, UnionOf):
        return Scalar(kind) in expr.members
    return expr == Scalar(kind)


def describe(expr: TypeExpr) -> str:
    """A short, language-neutral rendering for messages: `list[Checkpoint]`, `'a' | 'b'`, `:png`."""
    match expr:
        case Scalar(kind=kind):
            return kind.value
        case LiteralOf(values=values):
            return " | ".join(repr(value) for value in values)
        case AtomSet(atoms=atoms):
            return " | ".join(f":{atom}" for atom in atoms)
        case ListOf(item=item):
            return f"list[{describe(item)}]"
        case MapOf(key=key, value=value):
            return f"map[{describe(key)}, {describe(value)}]"
        case RecordOf(entries=entries):
            keys = ", ".join(f"{e.key}{'' if e.required else '?'}: {describe(e.type)}" for e in entries)
            return f"%{{{keys}}}"
        case TupleOf(items=items):
            return f"tuple[{', '.join(describe(item) for item in items)}]"
        case UnionOf(members=members):
            return " | ".join(describe(member) for member in members)
        case Ref(qualname=qualname):
            return simple_name(qualname)
        case Unknown(text=text):
            return text or "?"
    raise TypeError(f"not a type expression: {expr!r}")


def single_literal(expr: TypeExpr, context: Context) -> LiteralOf | None:
    """The one-value Literal of a discriminator field (`type: Literal["sample"]`), if that is what it is."""
    expanded = context.expand(expr, context.python_types)
    if isinstance(expanded, LiteralOf) and len(expanded.values) == 1:
        return expanded
    return None


def same_default(python: Default | None, elixir: Default | None) -> bool | None:
    """Whether two defaults agree; None when one is an expression the tool cannot evaluate.

    No default and a None default are the same on the Elixir side (a bare struct key is nil), so a
    Python `= None` agrees with an Elixir bare key. Atoms match strings case-insensitively.
    """
    python_none = python is None or python.kind is DefaultKind.NONE
    elixir_none = elixir is None or elixir.kind is DefaultKind.NONE
    if python_none or elixir_none:
        if python is None and elixir is None:
            return True
        return python_none and elixir_none and python is not None
    assert python is not None and elixir is not None
    if DefaultKind.EXPR in (python.kind, elixir.kind):
        return None if python.text != elixir.text else True
    if {python.kind, elixir.kind} == {DefaultKind.VALUE, DefaultKind.ATOM}:
        return str(python.value).lower() == str(elixir.value).lower()
    if python.kind is not elixir.kind:
        return False
    if isinstance(python.value, bool) or isinstance(elixir.value, bool):
        return python.value is elixir.value
    return python.value == elixir.value


@dataclass(frozen=True)
class ValueComparison:
    """How a Python value set maps onto an Elixir one (atoms match strings case-insensitively)."""

    python_only: tuple[str | int | bool, ...]
    elixir_only: tuple[str | int | bool, ...]
    via_atoms: bool


def _closed_members(expr: TypeExpr) -> tuple[TypeExpr, ...] | None:
    members = expr.members if isinstance(expr, UnionOf) else (expr,)
    return members if all(isinstance(m, LiteralOf | AtomSet) for m in members) else None


def compare_values(python: TypeExpr, elixir: TypeExpr) -> ValueComparison | None:
    """None unless both sides are closed value sets."""
    python_values = literal_values(python)
    elixir_members = _closed_members(elixir)
    if python_values is None or elixir_members is None or not isinstance(python, LiteralOf):
        return None
    exact = {v for m in elixir_members if isinstance(m, LiteralOf) for v in m.values}
    atoms = {a.lower(): a for m in elixir_members if isinstance(m, AtomSet) for a in m.atoms}

    def accepted(value: str | int | bool) -> bool:
        return value in exact or (isinstance(value, str) and value.lower() in atoms)

    python_lower = {v.lower() for v in python_values if isinstance(v, str)}
    return ValueComparison(
        python_only=tuple(v for v in python_values if not accepted(v)),
        elixir_only=tuple(v for v in exact if v not in python_values)
        + tuple(f":{atom}" for key, atom in sorted(atoms.items()) if key not in python_lower),
        via_atoms=bool(atoms),
    )
