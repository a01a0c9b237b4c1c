"""Lowering annotation expressions to the neutral `TypeExpr`, and telling type aliases from variables.

Names resolve through the checkout's imports. Data models, enums and Literal/Union aliases become a
`Ref` to their defining module; scalar and container aliases are inlined where they are used, so a
`ModelID = str` alias never reaches the model as a name of its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from auditor.model import (
    ANY,
    NONE,
    ListOf,
    LiteralOf,
    LiteralValue,
    MapOf,
    Ref,
    TupleOf,
    TypeExpr,
    UnionOf,
    Unknown,
    union_of,
)
from auditor.python.classes import ClassCatalog, functional_typed_dict
from auditor.python.modules import ExternalName, LocalDefinition, Memo, ModuleIndex, Symbol
from auditor.python.origins import (
    ANNOTATED,
    CONSTRAINED_COLLECTION_CALLS,
    CONSTRAINED_SCALAR_CALLS,
    DISCRIMINATOR_MARKER,
    LIST_LIKE,
    LITERAL,
    MAP_LIKE,
    NON_FIELD_QUALIFIERS,
    OPTIONAL,
    SCALARS,
    TRANSPARENT_QUALIFIERS,
    TUPLE_LIKE,
    TYPE_ALIAS,
    UNION,
)
from auditor.python.summary import Assignment, ClassDefinition
from auditor.python.syntax import (
    Attribute,
    BitOr,
    Call,
    Display,
    DisplayKind,
    EllipsisLiteral,
    Expr,
    Name,
    String,
    Subscript,
    is_none,
    literal_value,
    string_value,
)

_SPELLED_TYPE_FORMS = frozenset({OPTIONAL, UNION, LITERAL, ANNOTATED}) | LIST_LIKE | TUPLE_LIKE | MAP_LIKE
_UNWRAPPED_FORMS = TRANSPARENT_QUALIFIERS | NON_FIELD_QUALIFIERS


@dataclass(frozen=True)
class AliasShape:
    """A module-level assignment that is a type alias.

    `is_union` marks a named Literal/Union alias, which is a type of its own; any other alias is
    inlined where it is used.
    """

    is_union: bool


class TypeLowerer:
    """Lowers annotations of any checkout module; cycle-safe through recursive aliases."""

    def __init__(self, index: ModuleIndex, catalog: ClassCatalog) -> None:
        self.index = index
        self.catalog = catalog
        self._alias_shapes: Memo[LocalDefinition, AliasShape | None] = {}
        self._shapes_in_progress: set[LocalDefinition] = set()
        self._admits_none: Memo[LocalDefinition, bool] = {}
        self._expanding: set[LocalDefinition] = set()
        self._none_admitting_aliases: set[str] = set()

    def lower(self, expression: Expr, module: str) -> TypeExpr:
        if is_none(expression):
            return NONE
        if isinstance(expression, String):
            forward = expression.forward
            return self.lower(forward, module) if forward is not None else Unknown(expression.text)
        if isinstance(expression, Name | Attribute):
            return self._lower_symbol(self.index.resolve_expression(module, expression), expression)
        if isinstance(expression, Subscript):
            return self._lower_subscript(expression, module)
        if isinstance(expression, BitOr):
            return union_of([self.lower(expression.left, module), self.lower(expression.right, module)])
        if isinstance(expression, Call):
            return self._lower_call(expression, module)
        return Unknown(expression.text)

    def _lower_symbol(self, symbol: Symbol | None, expression: Expr) -> TypeExpr:
        if isinstance(symbol, ExternalName):
            if symbol.origin in SCALARS:
                return SCALARS[symbol.origin]
            if symbol.origin in LIST_LIKE or symbol.origin in TUPLE_LIKE:
                return ListOf(ANY)
            if symbol.origin in MAP_LIKE:
                return MapOf(ANY, ANY)
        elif isinstance(symbol, LocalDefinition):
            if isinstance(symbol.binding, ClassDefinition):
                if self.catalog.shape(symbol).is_named_type:
                    return Ref(symbol.qualname)
            elif functional_typed_dict(self.index, symbol) is not None:
                return Ref(symbol.qualname)
            else:
                return self._lower_alias_use(symbol, expression)
        return Unknown(expression.text)

    def _lower_alias_use(self, alias: LocalDefinition, expression: Expr) -> TypeExpr:
        shape = self.alias_shape(alias)
        if shape is not None and shape.is_union:
            if self.admits_none(alias):
                self._none_admitting_aliases.add(alias.qualname)
            return Ref(alias.qualname)
        if shape is None or alias in self._expanding:
            return Unknown(expression.text)
        return self.alias_target(alias)

    def _lower_subscript(self, subscript: Subscript, module: str) -> TypeExpr:
        elements = subscript.elements
        head = self.index.resolve_expression(module, subscript.owner)
        if not elements:
            return Unknown(subscript.text)
        if isinstance(head, LocalDefinition) and isinstance(head.binding, ClassDefinition):
            # A parametrised generic model is still that model.
            return self._lower_symbol(head, subscript)
        origin = head.origin if isinstance(head, ExternalName) else None
        first = elements[0]
        if origin == OPTIONAL:
            return union_of([self.lower(first, module), NONE])
        if origin == UNION:
            return union_of([self.lower(element, module) for element in elements])
        if origin == LITERAL:
            return self._lower_literal(subscript, elements, module)
        if origin == ANNOTATED:
            discriminator = self.discriminator_in(elements[1:], module)
            return with_discriminator(self.lower(first, module), discriminator)
        if origin in _UNWRAPPED_FORMS:
            return self.lower(first, module)
        if origin in LIST_LIKE and len(elements) == 1:
            return ListOf(self.lower(first, module))
        if origin in TUPLE_LIKE:
            return self._lower_tuple(elements, module)
        if origin in MAP_LIKE and len(elements) == 2:
            return MapOf(self.lower(first, module), self.lower(elements[1], module))
        return Unknown(subscript.text)

    def _lower_tuple(self, elements: tuple[Expr, ...], module: str) -> TypeExpr:
        if len(elements) == 2 and isinstance(elements[1], EllipsisLiteral):
            return ListOf(self.lower(elements[0], module))
        if len(elements) == 1 and _is_empty_tuple(elements[0]):
            return TupleOf(())  # `Tuple[()]`, the empty tuple
        return TupleOf(tuple(self.lower(element, module) for element in elements))

    def _lower_literal(self, subscript: Subscript, elements: tuple[Expr, ...], module: str) -> TypeExpr:
        collected = self._literal_members(elements, module, frozenset())
        if collected is None:
            return Unknown(subscript.text)
        values, has_none = collected
        if not values:
            return NONE
        literal = LiteralOf(tuple(values))
        return union_of([literal, NONE]) if has_none else literal

    def _literal_members(
        self, elements: Sequence[Expr], module: str, seen: frozenset[LocalDefinition]
    ) -> tuple[list[LiteralValue], bool] | None:
        """The values of `Literal[...]` elements, flattening nested literals; None when one is unreadable."""
        values: list[LiteralValue] = []
        has_none = False

        def add(value: LiteralValue) -> None:
            # bool is an int subclass, so `True` and `1` must not be deduplicated into each other.
            if not any(type(value) is type(known) and value == known for known in values):
                values.append(value)

        for element in elements:
            value = literal_value(element)
            if value is None:
                value = self.catalog.enum_member_value(module, element)
            if value is not None:
                add(value)
                continue
            if is_none(element):
                has_none = True
                continue
            nested = self._nested_literal(element, module, seen)
            if nested is None:
                return None
            for nested_value in nested[0]:
                add(nested_value)
            has_none = has_none or nested[1]
        return values, has_none

    def _nested_literal(
        self, element: Expr, module: str, seen: frozenset[LocalDefinition]
    ) -> tuple[list[LiteralValue], bool] | None:
        if isinstance(element, Subscript):
            if element.elements is not None and self.index.resolve_origin(module, element.owner) == LITERAL:
                return self._literal_members(element.elements, module, seen)
            return None
        if isinstance(element, Name | Attribute):
            symbol = self.index.resolve_expression(module, element)
            value = _assigned_value(symbol)
            if value is not None and isinstance(symbol, LocalDefinition) and symbol not in seen:
                return self._literal_members([value], symbol.module, seen | {symbol})
        return None

    def _lower_call(self, call: Call, module: str) -> TypeExpr:
        origin = self.index.resolve_origin(module, call.function)
        if origin in CONSTRAINED_SCALAR_CALLS:
            return CONSTRAINED_SCALAR_CALLS[origin]
        if origin in CONSTRAINED_COLLECTION_CALLS:
            for argument in call.arguments:
                if argument.keyword is None or argument.keyword == "item_type":
                    return ListOf(self.lower(argument.value, module))
            return ListOf(ANY)
        return Unknown(call.text)

    def is_nullable(self, expression: TypeExpr) -> bool:
        """Whether a lowered expression admits None, also through a union alias it refers to at top level.

        A reference to `Maybe = Union[A, B, None]` keeps its None inside the alias's target; the field
        annotated `Maybe` still accepts None, so its nullability has to look through the reference.
        """
        members = expression.members if isinstance(expression, UnionOf) else (expression,)
        return any(
            member == NONE or (isinstance(member, Ref) and member.qualname in self._none_admitting_aliases)
            for member in members
        )

    def discriminator_in(self, metadata: Sequence[Expr], module: str) -> str | None:
        """The tag field named by `Field(discriminator=...)`, `PropertyInfo(...)` or `Discriminator(...)`."""
        for item in metadata:
            if not isinstance(item, Call):
                continue
            is_marker = self.index.resolve_origin(module, item.function) == DISCRIMINATOR_MARKER
            for position, argument in enumerate(item.arguments):
                named = argument.keyword == "discriminator"
                tag = string_value(argument.value)
                if (named or (is_marker and position == 0 and argument.keyword is None)) and tag is not None:
                    return tag
        return None

    def alias_shape(self, definition: LocalDefinition) -> AliasShape | None:
        """What a module-level assignment is: a Literal/Union alias, another alias, or (None) a value."""
        if definition in self._shapes_in_progress:
            return None
        return self.index.reads.memoized(self._alias_shapes, definition, lambda: self._guarded_alias(definition))

    def _guarded_alias(self, definition: LocalDefinition) -> AliasShape | None:
        self._shapes_in_progress.add(definition)
        try:
            return self._classify_alias(definition)
        finally:
            self._shapes_in_progress.discard(definition)

    def _classify_alias(self, definition: LocalDefinition) -> AliasShape | None:
        binding = definition.binding
        if not isinstance(binding, Assignment) or binding.value is None:
            return None
        module = definition.module
        declared = binding.type_statement or (
            binding.annotation is not None
            and self.index.resolve_origin(module, binding.annotation) == TYPE_ALIAS
        )
        if binding.annotation is not None and not declared:
            return None  # `limit: int = 5` is a variable
        if not declared and not self._looks_like_type(binding.value, module):
            return None
        members, has_literal = self._union_members(binding.value, module, depth=0)
        return AliasShape(is_union=has_literal or members >= 2)

    def _union_members(self, expression: Expr, module: str, depth: int) -> tuple[int, bool]:
        """How many non-None members the top-level union spells out, and whether one is a Literal."""
        if depth > 50:  # a string annotation can only nest this deep by being adversarial
            return 1, False
        if isinstance(expression, String):
            inner = expression.forward
            return self._union_members(inner, module, depth + 1) if inner is not None else (1, False)
        if is_none(expression):
            return 0, False
        if isinstance(expression, BitOr):
            left = self._union_members(expression.left, module, depth + 1)
            right = self._union_members(expression.right, module, depth + 1)
            return left[0] + right[0], left[1] or right[1]
        if isinstance(expression, Subscript) and (elements := expression.elements):
            origin = self.index.resolve_origin(module, expression.owner)
            if origin == LITERAL:
                return 1, True
            if origin in (UNION, OPTIONAL):
                counts = [self._union_members(element, module, depth + 1) for element in elements]
                return sum(count for count, _ in counts), any(literal for _, literal in counts)
            if origin == ANNOTATED:
                return self._union_members(elements[0], module, depth + 1)
        return 1, False

    def _looks_like_type(self, expression: Expr, module: str) -> bool:
        """Whether an unannotated assignment's value is clearly a type expression (not `A | B` of flags)."""
        if is_none(expression):
            return True
        if isinstance(expression, Name | Attribute):
            return self._names_type(self.index.resolve_expression(module, expression))
        if isinstance(expression, Subscript):
            head = self.index.resolve_expression(module, expression.owner)
            if isinstance(head, ExternalName):
                return head.origin in _SPELLED_TYPE_FORMS or head.origin in _UNWRAPPED_FORMS
            return isinstance(head, LocalDefinition) and isinstance(head.binding, ClassDefinition)
        if isinstance(expression, BitOr):
            return self._looks_like_type(expression.left, module) and self._looks_like_type(
                expression.right, module
            )
        if isinstance(expression, Call):
            origin = self.index.resolve_origin(module, expression.function)
            return origin in CONSTRAINED_SCALAR_CALLS or origin in CONSTRAINED_COLLECTION_CALLS
        return False

    def _names_type(self, symbol: Symbol | None) -> bool:
        if isinstance(symbol, ExternalName):
            origin = symbol.origin
            return origin in SCALARS or origin in LIST_LIKE or origin in TUPLE_LIKE or origin in MAP_LIKE
        if isinstance(symbol, LocalDefinition):
            return isinstance(symbol.binding, ClassDefinition) or self.alias_shape(symbol) is not None
        return False

    def alias_target(self, alias: LocalDefinition) -> TypeExpr:
        """The lowered value of a type alias (Annotated metadata applied, None members kept)."""
        value = _assigned_value(alias)
        if value is None or alias in self._expanding:
            return Unknown(alias.name)
        self._expanding.add(alias)
        try:
            return self.lower(value, alias.module)
        finally:
            self._expanding.discard(alias)

    def admits_none(self, alias: LocalDefinition) -> bool:
        """Whether an alias's value includes None, directly or through the aliases it names."""
        return self.index.reads.memoized(self._admits_none, alias, lambda: self._value_admits_none(alias))

    def _value_admits_none(self, alias: LocalDefinition) -> bool:
        value = _assigned_value(alias)
        return value is not None and self._spells_none(value, alias.module, {alias})

    def _spells_none(self, expression: Expr, module: str, seen: set[LocalDefinition]) -> bool:
        if is_none(expression):
            return True
        if isinstance(expression, String):
            inner = expression.forward
            return inner is not None and self._spells_none(inner, module, seen)
        if isinstance(expression, BitOr):
            return self._spells_none(expression.left, module, seen) or self._spells_none(
                expression.right, module, seen
            )
        if isinstance(expression, Subscript) and (elements := expression.elements):
            origin = self.index.resolve_origin(module, expression.owner)
            if origin == OPTIONAL:
                return True
            if origin == UNION:
                return any(self._spells_none(element, module, seen) for element in elements)
            if origin == LITERAL:
                return any(
                    is_none(element) or (isinstance(element, Subscript) and self._spells_none(element, module, seen))
                    for element in elements
                )
            if origin == ANNOTATED:
                return self._spells_none(elements[0], module, seen)
            return False
        if isinstance(expression, Name | Attribute):
            symbol = self.index.resolve_expression(module, expression)
            value = _assigned_value(symbol)
            if (
                value is not None
                and isinstance(symbol, LocalDefinition)
                and symbol not in seen
                and self.alias_shape(symbol) is not None
            ):
                seen.add(symbol)
                return self._spells_none(value, symbol.module, seen)
        return False


def _assigned_value(symbol: Symbol | None) -> Expr | None:
    """The value of a module-level assignment; None for anything else."""
    if isinstance(symbol, LocalDefinition) and isinstance(symbol.binding, Assignment):
        return symbol.binding.value
    return None


def _is_empty_tuple(expression: Expr) -> bool:
    return isinstance(expression, Display) and expression.kind is DisplayKind.TUPLE and not expression.items


def with_discriminator(expression: TypeExpr, discriminator: str | None) -> TypeExpr:
    if discriminator is None or not isinstance(expression, UnionOf):
        return expression
    return UnionOf(expression.members, discriminator)
