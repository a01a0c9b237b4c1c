"""The neutral model both language front ends lower into.

Everything downstream of the front ends (alignment, rules, reports) reads only these
values; none of it knows which language a type came from except through this model.
All values are frozen so they can be hashed, cached and shared between stages.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum


@dataclass(frozen=True, order=True)
class Location:
    """A place in an audited checkout: `path` is relative to that checkout's root, `line` 1-based."""

    path: str
    line: int


class ScalarKind(StrEnum):
    STR = "str"
    INT = "int"
    FLOAT = "float"
    BOOL = "bool"
    BYTES = "bytes"
    DATETIME = "datetime"
    DATE = "date"
    TIME = "time"
    DURATION = "duration"
    ATOM = "atom"
    ANY = "any"
    NONE = "none"


@dataclass(frozen=True)
class Scalar:
    kind: ScalarKind


LiteralValue = str | int | bool


@dataclass(frozen=True)
class LiteralOf:
    """A closed set of wire values (`Literal[...]`, enum members, string-literal unions)."""

    values: tuple[LiteralValue, ...]


@dataclass(frozen=True)
class AtomSet:
    """A closed set of symbolic names (Elixir atoms such as `:png | :jpeg`)."""

    atoms: tuple[str, ...]


@dataclass(frozen=True)
class ListOf:
    item: TypeExpr


@dataclass(frozen=True)
class MapOf:
    key: TypeExpr
    value: TypeExpr


@dataclass(frozen=True)
class RecordEntry:
    key: str
    type: TypeExpr
    required: bool


@dataclass(frozen=True)
class RecordOf:
    """A map with fixed keys, each with its own type (`%{code: integer()}`, `%{optional(:note) =>
    String.t()}`): a port's inline stand-in for a model."""

    entries: tuple[RecordEntry, ...]


@dataclass(frozen=True)
class TupleOf:
    items: tuple[TypeExpr, ...]


@dataclass(frozen=True)
class UnionOf:
    """Members never nest another UnionOf; `discriminator` names the tag field of a tagged union."""

    members: tuple[TypeExpr, ...]
    discriminator: str | None = None


@dataclass(frozen=True)
class Ref:
    """A reference to a named type by its qualified name on the same side (see `TypeDef.qualname`).

    The target may be absent from the extracted types (defined outside the audited files);
    consumers then fall back to `simple_name(ref.qualname)`.
    """

    qualname: str


@dataclass(frozen=True)
class Unknown:
    """An expression the front end could not lower; `text` is the source as written."""

    text: str


TypeExpr = Scalar | LiteralOf | AtomSet | ListOf | MapOf | RecordOf | TupleOf | UnionOf | Ref | Unknown

STR = Scalar(ScalarKind.STR)
INT = Scalar(ScalarKind.INT)
FLOAT = Scalar(ScalarKind.FLOAT)
BOOL = Scalar(ScalarKind.BOOL)
BYTES = Scalar(ScalarKind.BYTES)
DATETIME = Scalar(ScalarKind.DATETIME)
DATE = Scalar(ScalarKind.DATE)
TIME = Scalar(ScalarKind.TIME)
DURATION = Scalar(ScalarKind.DURATION)
ATOM = Scalar(ScalarKind.ATOM)
ANY = Scalar(ScalarKind.ANY)
NONE = Scalar(ScalarKind.NONE)


def union_of(members: list[TypeExpr] | tuple[TypeExpr, ...], discriminator: str | None = None) -> TypeExpr:
    """Builds a union: nested unions are flattened, duplicates dropped, a single member returned as is."""
    flat: list[TypeExpr] = []
    for member in members:
        inner = member.members if isinstance(member, UnionOf) else (member,)
        for item in inner:
            if item not in flat:
                flat.append(item)
    if len(flat) == 1 and discriminator is None:
        return flat[0]
    return UnionOf(tuple(flat), discriminator)


def references(expr: TypeExpr) -> Iterator[str]:
    """The qualified name of every named type the expression refers to, at any depth, in order."""
    match expr:
        case Ref(qualname=qualname):
            yield qualname
        case ListOf(item=item):
            yield from references(item)
        case MapOf(key=key, value=value):
            yield from references(key)
            yield from references(value)
        case RecordOf(entries=entries):
            for entry in entries:
                yield from references(entry.type)
        case TupleOf(items=items) | UnionOf(members=items):
            for item in items:
                yield from references(item)


def split_none(expr: TypeExpr) -> tuple[TypeExpr, bool]:
    """Returns the expression without its None/nil member, and whether it had one."""
    if expr == NONE:
        return expr, True
    if isinstance(expr, UnionOf) and NONE in expr.members:
        rest = [member for member in expr.members if member != NONE]
        return union_of(rest, expr.discriminator), True
    return expr, False


def simple_name(qualname: str) -> str:
    """The last segment of a qualified name: `pkg.mod.Checkpoint` -> `Checkpoint`."""
    return qualname.rsplit(".", 1)[-1]


class DefaultKind(StrEnum):
    NONE = "none"  # None / nil
    VALUE = "value"  # a str, int, float or bool literal
    ATOM = "atom"  # a symbolic name (`:length`); `value` holds the name without the colon
    EMPTY_LIST = "empty-list"  # [] or default_factory=list
    EMPTY_MAP = "empty-map"  # {} / %{} or default_factory=dict
    STRUCT = "struct"  # an instance of a named type; `value` holds its simple name
    EXPR = "expr"  # anything else; compared by `text` only


@dataclass(frozen=True)
class Default:
    kind: DefaultKind
    text: str
    value: str | int | float | bool | None = None


@dataclass(frozen=True)
class Field:
    """One field of a struct.

    `type` excludes the None/nil member, which is recorded in `nullable`. `required` means the value
    must be supplied at construction (Python: no default; Elixir: listed in @enforce_keys).
    `default` is None when the field has no default (an Elixir bare key, i.e. nil, counts as none).
    """

    name: str
    type: TypeExpr
    required: bool
    nullable: bool
    default: Default | None
    location: Location
    annotation: str
    alias: str | None = None
    typespec_line: int | None = None
    """Another line of `location.path` declaring the field, when its type is written apart from it (an
    Elixir key's entry in `@type t`, `location` being its `defstruct` key)."""


class TypeKind(StrEnum):
    STRUCT = "struct"  # a data model with fields
    ENUM = "enum"  # a closed set of values (Enum class, atom-union module)
    UNION = "union"  # a named Literal/Union alias
    SCALAR_ALIAS = "scalar-alias"  # a named alias of a scalar or container; never audited on its own


@dataclass(frozen=True)
class CatchAll:
    """A decoder clause that turns every wire value it does not know into one of the enum's atoms."""

    atom: str
    location: Location


@dataclass(frozen=True)
class WireKeys:
    """The keys a port's own encoder writes, or its own decoder reads, for each struct field: (field, key)
    pairs, a field once per key. An encoder's key whose value reads no field has field ""; a decoder's
    field set without reading any key (a constant) has key ""."""

    function: str
    location: Location
    keys: tuple[tuple[str, str], ...]

    def of(self, field: str) -> tuple[str, ...] | None:
        """The keys of one field, or None when the function does not touch it."""
        keys = tuple(key for name, key in self.keys if name == field)
        return keys or None


@dataclass(frozen=True)
class TypeDef:
    """A named type on one side.

    `qualname` is unique on its side (Python `pkg.module.Name`, Elixir `Full.Module` or
    `Full.Module.local_type`); `name` is what types line up by (Python class/alias name, Elixir last
    module segment or local type name). `target` is the expression of enums and aliases.
    `wire_fields` lists the fields an encoder sends when it restricts them (None: all fields).
    `custom_encoder` is True when a hand-written encoder decides the wire shape. `catch_all` is the
    clause of an Elixir enum's decoder that folds unknown wire values into one atom. `encoder` and
    `decoder` are the keys the port's own conversion functions write and read, when they could be read.
    """

    qualname: str
    name: str
    kind: TypeKind
    location: Location
    fields: tuple[Field, ...] = ()
    target: TypeExpr | None = None
    module: str = ""
    wire_fields: tuple[str, ...] | None = None
    custom_encoder: bool = False
    public: bool = True
    catch_all: CatchAll | None = None
    encoder: WireKeys | None = None
    decoder: WireKeys | None = None

    def field_named(self, name: str) -> Field | None:
        for candidate in self.fields:
            if candidate.name == name:
                return candidate
        return None


@dataclass(frozen=True, order=True)
class Diagnostic:
    """Something the tool could not do or wants a human to see; never a finding about the port."""

    path: str
    line: int
    level: str
    message: str


@dataclass(frozen=True)
class SideModel:
    """Everything one front end extracted from one checkout."""

    root: str
    files: tuple[str, ...]
    types: tuple[TypeDef, ...]
    diagnostics: tuple[Diagnostic, ...] = field(default=())

    def by_qualname(self) -> dict[str, TypeDef]:
        return {typedef.qualname: typedef for typedef in self.types}


@functools.lru_cache(maxsize=1 << 16)
def snake_case(name: str) -> str:
    """`CheckpointType` -> `checkpoint_type`, `HTTPConfig` -> `http_config`, `maxTokens` -> `max_tokens`:
    how either language spells the other's camelCase names."""
    spaced = re.sub(r"(?<=[a-z0-9])([A-Z])|(?<=[A-Z])([A-Z][a-z])", r"_\1\2", name)
    return spaced.lower()
