"""What names from outside the checkout mean, keyed by their canonical dotted origin.

A name imported from a library is known by where it comes from (`pydantic.BaseModel`), not by how the
file spells it, so `from typing_extensions import Literal` and `import typing as t; t.Literal` meet here.
"""

from __future__ import annotations

from enum import StrEnum

from auditor.model import (
    ANY,
    BOOL,
    BYTES,
    DATE,
    DATETIME,
    DURATION,
    FLOAT,
    INT,
    STR,
    TIME,
    Scalar,
)

# Modules that re-export another module's names under the same spelling.
_SYNONYM_PREFIXES: tuple[tuple[str, str], ...] = (
    ("typing_extensions.", "typing."),
    ("collections.abc.", "typing."),
    ("pydantic.v1.", "pydantic."),
    ("pydantic.types.", "pydantic."),
    ("pydantic.networks.", "pydantic."),
    ("pydantic.main.", "pydantic."),
    ("pydantic.fields.", "pydantic."),
    ("pydantic.root_model.", "pydantic."),
)


def canonical_origin(origin: str) -> str:
    """`typing_extensions.Literal` -> `typing.Literal`; `pydantic.v1.types.StrictStr` -> `pydantic.StrictStr`.

    Synonyms are rewritten in order, so a chain such as `pydantic.v1.types.` collapses step by step.
    """
    for prefix, replacement in _SYNONYM_PREFIXES:
        if origin.startswith(prefix):
            origin = replacement + origin[len(prefix) :]
    return origin


SCALARS: dict[str, Scalar] = {
    "builtins.str": STR,
    "builtins.int": INT,
    "builtins.float": FLOAT,
    "builtins.bool": BOOL,
    "builtins.bytes": BYTES,
    "builtins.bytearray": BYTES,
    "builtins.object": ANY,
    "typing.Any": ANY,
    "typing.Text": STR,
    "typing.LiteralString": STR,
    "datetime.datetime": DATETIME,
    "datetime.date": DATE,
    "datetime.time": TIME,
    "datetime.timedelta": DURATION,
    "uuid.UUID": STR,
    # pydantic's constrained and validated types, by the scalar they travel as
    "pydantic.StrictStr": STR,
    "pydantic.StrictInt": INT,
    "pydantic.StrictFloat": FLOAT,
    "pydantic.StrictBool": BOOL,
    "pydantic.StrictBytes": BYTES,
    "pydantic.PositiveInt": INT,
    "pydantic.NegativeInt": INT,
    "pydantic.NonNegativeInt": INT,
    "pydantic.NonPositiveInt": INT,
    "pydantic.PositiveFloat": FLOAT,
    "pydantic.NegativeFloat": FLOAT,
    "pydantic.NonNegativeFloat": FLOAT,
    "pydantic.NonPositiveFloat": FLOAT,
    "pydantic.FiniteFloat": FLOAT,
    "pydantic.AnyUrl": STR,
    "pydantic.AnyHttpUrl": STR,
    "pydantic.HttpUrl": STR,
    "pydantic.FileUrl": STR,
    "pydantic.EmailStr": STR,
    "pydantic.NameEmail": STR,
    "pydantic.SecretStr": STR,
    "pydantic.SecretBytes": BYTES,
    "pydantic.Base64Str": STR,
    "pydantic.Base64Bytes": BYTES,
    "pydantic.UUID1": STR,
    "pydantic.UUID3": STR,
    "pydantic.UUID4": STR,
    "pydantic.UUID5": STR,
    "pydantic.AwareDatetime": DATETIME,
    "pydantic.NaiveDatetime": DATETIME,
    "pydantic.PastDatetime": DATETIME,
    "pydantic.FutureDatetime": DATETIME,
    "pydantic.PastDate": DATE,
    "pydantic.FutureDate": DATE,
}

LIST_LIKE: frozenset[str] = frozenset(
    {
        "builtins.list",
        "builtins.set",
        "builtins.frozenset",
        "collections.deque",
        "typing.List",
        "typing.Set",
        "typing.FrozenSet",
        "typing.AbstractSet",
        "typing.MutableSet",
        "typing.Sequence",
        "typing.MutableSequence",
        "typing.Iterable",
        "typing.Iterator",
        "typing.Collection",
        "typing.Deque",
    }
)

TUPLE_LIKE: frozenset[str] = frozenset({"builtins.tuple", "typing.Tuple"})

MAP_LIKE: frozenset[str] = frozenset(
    {
        "builtins.dict",
        "collections.defaultdict",
        "collections.OrderedDict",
        "typing.Dict",
        "typing.Mapping",
        "typing.MutableMapping",
        "typing.DefaultDict",
        "typing.OrderedDict",
    }
)

OPTIONAL = "typing.Optional"
UNION = "typing.Union"
LITERAL = "typing.Literal"
ANNOTATED = "typing.Annotated"
TYPE_ALIAS = "typing.TypeAlias"
REQUIRED = "typing.Required"
NOT_REQUIRED = "typing.NotRequired"
# Qualifiers that say something about the attribute, not about its values.
TRANSPARENT_QUALIFIERS: frozenset[str] = frozenset(
    {REQUIRED, NOT_REQUIRED, "typing.ReadOnly", "typing.Final"}
)
# Qualifiers that make an annotated class attribute something other than a field.
NON_FIELD_QUALIFIERS: frozenset[str] = frozenset({"typing.ClassVar", "dataclasses.InitVar"})

PYDANTIC_MODEL_BASES: frozenset[str] = frozenset(
    {"pydantic.BaseModel", "pydantic.generics.GenericModel", "pydantic.RootModel"}
)
TYPED_DICT_BASES: frozenset[str] = frozenset({"typing.TypedDict"})
NAMED_TUPLE_BASES: frozenset[str] = frozenset({"typing.NamedTuple"})
DATACLASS_DECORATORS: frozenset[str] = frozenset({"dataclasses.dataclass", "pydantic.dataclasses.dataclass"})
FIELD_FUNCTIONS: frozenset[str] = frozenset({"pydantic.Field", "dataclasses.field"})
DISCRIMINATOR_MARKER = "pydantic.Discriminator"
STR_MIXIN = "builtins.str"
# Bases that leave a plain class a plain carrier of the attributes its `__init__` sets.
NEUTRAL_BASES: frozenset[str] = frozenset({"builtins.object", "typing.Generic", "abc.ABC"})
# The methods a class that only carries data may have: its conversions, and the dunders of a value.
CONVERSION_PREFIXES = ("to_", "from_", "as_")
VALUE_DUNDERS: frozenset[str] = frozenset({"__init__", "__repr__", "__str__", "__eq__", "__hash__"})
CONFIG_DICT = "pydantic.ConfigDict"
ALIAS_GENERATOR_CLASS = "pydantic.AliasGenerator"
ALIAS_GENERATORS: frozenset[str] = frozenset(
    {"pydantic.alias_generators.to_camel", "pydantic.alias_generators.to_pascal", "pydantic.alias_generators.to_snake"}
)


class AutoStyle(StrEnum):
    """How an enum's `auto()` picks values (it depends on which enum base the class derives from)."""

    COUNTER = "counter"  # Enum, IntEnum: 1, 2, 3 (or one more than the previous int value)
    STR_COUNTER = "str-counter"  # (str, Enum): the counter's value converted by the str mixin
    LOWER_NAME = "lower-name"  # StrEnum: the member name lower-cased
    POWERS_OF_TWO = "powers-of-two"  # Flag, IntFlag


ENUM_BASES: dict[str, AutoStyle] = {
    "enum.Enum": AutoStyle.COUNTER,
    "enum.IntEnum": AutoStyle.COUNTER,
    "enum.StrEnum": AutoStyle.LOWER_NAME,
    "enum.Flag": AutoStyle.POWERS_OF_TWO,
    "enum.IntFlag": AutoStyle.POWERS_OF_TWO,
}
ENUM_AUTO = "enum.auto"

# pydantic's constraint functions (`conint(gt=0)`), by the scalar their result constrains.
CONSTRAINED_SCALAR_CALLS: dict[str, Scalar] = {
    "pydantic.constr": STR,
    "pydantic.conint": INT,
    "pydantic.confloat": FLOAT,
    "pydantic.condecimal": FLOAT,
    "pydantic.conbytes": BYTES,
    "pydantic.condate": DATE,
}
CONSTRAINED_COLLECTION_CALLS: frozenset[str] = frozenset(
    {"pydantic.conlist", "pydantic.conset", "pydantic.confrozenset"}
)

# Every origin this tool gives a meaning to; a star import from a library is taken to provide these.
KNOWN_ORIGINS: frozenset[str] = frozenset(
    {
        *SCALARS,
        *LIST_LIKE,
        *TUPLE_LIKE,
        *MAP_LIKE,
        OPTIONAL,
        UNION,
        LITERAL,
        ANNOTATED,
        TYPE_ALIAS,
        *TRANSPARENT_QUALIFIERS,
        *NON_FIELD_QUALIFIERS,
        *PYDANTIC_MODEL_BASES,
        *TYPED_DICT_BASES,
        *NAMED_TUPLE_BASES,
        *DATACLASS_DECORATORS,
        *FIELD_FUNCTIONS,
        DISCRIMINATOR_MARKER,
        *NEUTRAL_BASES,
        CONFIG_DICT,
        ALIAS_GENERATOR_CLASS,
        *ALIAS_GENERATORS,
        *ENUM_BASES,
        ENUM_AUTO,
        *CONSTRAINED_SCALAR_CALLS,
        *CONSTRAINED_COLLECTION_CALLS,
    }
)
