"""A small, picklable picture of the Python expressions the resolver reads (annotations, defaults, bases).

File summaries hold these instead of libcst nodes, so they can be cached and sent between processes.
Every node carries `text`, its source on one line (comments and line breaks inside dropped), which is
what the model records for annotations, defaults and expressions it cannot lower.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from auditor.model import LiteralValue


@dataclass(frozen=True)
class Name:
    """An identifier; `None`, `True` and `False` are names too, as libcst spells them."""

    identifier: str
    text: str


@dataclass(frozen=True)
class Attribute:
    """`owner.attribute`."""

    owner: Expr
    attribute: str
    text: str


@dataclass(frozen=True)
class Subscript:
    """`owner[elements]`; `elements` is None when a slice (`a:b`) makes it something other than a type."""

    owner: Expr
    elements: tuple[Expr, ...] | None
    text: str


@dataclass(frozen=True)
class String:
    """A str literal (implicitly concatenated parts joined).

    `forward` is the expression the string spells when it sits where a type may be written (a forward
    reference such as `"List[Foo]"`); None elsewhere, or when the text is not an expression.
    """

    value: str
    forward: Expr | None
    text: str


@dataclass(frozen=True)
class Number:
    """An int or float literal, a leading minus folded in."""

    value: int | float
    text: str


@dataclass(frozen=True)
class EllipsisLiteral:
    text: str


@dataclass(frozen=True)
class BitOr:
    """`left | right`, a PEP 604 union when written in a type."""

    left: Expr
    right: Expr
    text: str


@dataclass(frozen=True)
class Argument:
    """One argument of a call; `keyword` is None for a positional one."""

    keyword: str | None
    value: Expr


@dataclass(frozen=True)
class Call:
    function: Expr
    arguments: tuple[Argument, ...]
    text: str


@dataclass(frozen=True)
class Lambda:
    """`lambda ...: body`; the parameters do not matter to a default factory."""

    body: Expr
    text: str


class DisplayKind(StrEnum):
    LIST = "list"
    TUPLE = "tuple"
    SET = "set"


@dataclass(frozen=True)
class Display:
    """A list, tuple or set display without starred items."""

    kind: DisplayKind
    items: tuple[Expr, ...]
    text: str


@dataclass(frozen=True)
class DictDisplay:
    """A dict display without `**` items."""

    entries: tuple[tuple[Expr, Expr], ...]
    text: str


@dataclass(frozen=True)
class Opaque:
    """Any other expression, known only by its text."""

    text: str


Expr = (
    Name
    | Attribute
    | Subscript
    | String
    | Number
    | EllipsisLiteral
    | BitOr
    | Call
    | Lambda
    | Display
    | DictDisplay
    | Opaque
)


def is_none(expression: Expr | None) -> bool:
    return isinstance(expression, Name) and expression.identifier == "None"


def literal_value(expression: Expr) -> LiteralValue | None:
    """A str, int or bool literal's value (negative numbers included); None for anything else."""
    if isinstance(expression, String):
        return expression.value
    if isinstance(expression, Number) and isinstance(expression.value, int):
        return expression.value
    if isinstance(expression, Name) and expression.identifier in ("True", "False"):
        return expression.identifier == "True"
    return None


def float_value(expression: Expr) -> float | None:
    if isinstance(expression, Number) and isinstance(expression.value, float):
        return expression.value
    return None


def string_value(expression: Expr) -> str | None:
    return expression.value if isinstance(expression, String) else None
