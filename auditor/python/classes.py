"""Which classes are data models or enums, their checkout-local ancestry, and enum member values."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import libcst as cst

from auditor.model import LiteralValue
from auditor.python.modules import (
    ClassBinding,
    ExternalName,
    LocalDefinition,
    ModuleIndex,
)
from auditor.python.origins import (
    DATACLASS_DECORATORS,
    ENUM_AUTO,
    ENUM_BASES,
    NAMED_TUPLE_BASES,
    PYDANTIC_MODEL_BASES,
    STR_MIXIN,
    TYPED_DICT_BASES,
    AutoStyle,
)


class ClassFlavor(StrEnum):
    PYDANTIC = "pydantic"
    DATACLASS = "dataclass"
    TYPED_DICT = "typed-dict"
    NAMED_TUPLE = "named-tuple"
    ENUM = "enum"
    PLAIN = "plain"  # not a data model: clients, helpers, exceptions, mixins


@dataclass(frozen=True)
class ClassShape:
    flavor: ClassFlavor
    # Base classes defined in the checkout, in the order written.
    local_bases: tuple[LocalDefinition, ...] = ()
    # A dataclass's own annotations are fields only when it is itself decorated.
    decorated_dataclass: bool = False
    typed_dict_total: bool = True
    auto_style: AutoStyle | None = None

    @property
    def is_data_model(self) -> bool:
        return self.flavor not in (ClassFlavor.PLAIN, ClassFlavor.ENUM)

    @property
    def is_named_type(self) -> bool:
        return self.flavor is not ClassFlavor.PLAIN


@dataclass(frozen=True)
class EnumMember:
    name: str
    value: LiteralValue | None  # None when the value is not a literal this tool can read
    statement: cst.CSTNode


_PLAIN = ClassShape(ClassFlavor.PLAIN)


class ClassCatalog:
    """Classifies checkout classes by walking their bases across modules (memoised, cycle-safe)."""

    def __init__(self, index: ModuleIndex) -> None:
        self.index = index
        self._shapes: dict[LocalDefinition, ClassShape] = {}
        self._in_progress: set[LocalDefinition] = set()
        self._members: dict[LocalDefinition, tuple[EnumMember, ...]] = {}

    def shape(self, definition: LocalDefinition) -> ClassShape:
        if not isinstance(definition.binding, ClassBinding):
            return _PLAIN
        if definition in self._shapes:
            return self._shapes[definition]
        if definition in self._in_progress:  # a class inheriting from itself through a cycle
            return _PLAIN
        self._in_progress.add(definition)
        try:
            shape = self._classify(definition.module, definition.binding.statement)
        finally:
            self._in_progress.discard(definition)
        self._shapes[definition] = shape
        return shape

    def _classify(self, module: str, statement: cst.ClassDef) -> ClassShape:
        local_bases: list[LocalDefinition] = []
        external_bases: set[str] = set()
        inherited: list[ClassShape] = []
        for base in statement.bases:
            if base.keyword is not None:
                continue
            # `GenericModel[T]`, `Generic[T]`: the subscript does not change what the class is.
            target = base.value.value if isinstance(base.value, cst.Subscript) else base.value
            symbol = self.index.resolve_expression(module, target)
            if isinstance(symbol, ExternalName):
                external_bases.add(symbol.origin)
            elif isinstance(symbol, LocalDefinition) and isinstance(symbol.binding, ClassBinding):
                local_bases.append(symbol)
                inherited.append(self.shape(symbol))
        decorated = any(self._is_dataclass_decorator(module, decorator) for decorator in statement.decorators)
        auto_styles = [ENUM_BASES[origin] for origin in sorted(external_bases) if origin in ENUM_BASES]
        auto_styles += [shape.auto_style for shape in inherited if shape.auto_style is not None]
        inherited_flavors = {shape.flavor for shape in inherited}
        if auto_styles:
            flavor = ClassFlavor.ENUM
        elif external_bases & PYDANTIC_MODEL_BASES or ClassFlavor.PYDANTIC in inherited_flavors:
            flavor = ClassFlavor.PYDANTIC
        elif external_bases & TYPED_DICT_BASES or ClassFlavor.TYPED_DICT in inherited_flavors:
            flavor = ClassFlavor.TYPED_DICT
        elif external_bases & NAMED_TUPLE_BASES or ClassFlavor.NAMED_TUPLE in inherited_flavors:
            flavor = ClassFlavor.NAMED_TUPLE
        elif decorated or ClassFlavor.DATACLASS in inherited_flavors:
            flavor = ClassFlavor.DATACLASS
        else:
            flavor = ClassFlavor.PLAIN
        return ClassShape(
            flavor,
            local_bases=tuple(local_bases),
            decorated_dataclass=decorated,
            typed_dict_total=_is_total(statement),
            auto_style=_auto_style(auto_styles, external_bases, inherited) if auto_styles else None,
        )

    def _is_dataclass_decorator(self, module: str, decorator: cst.Decorator) -> bool:
        target = decorator.decorator
        if isinstance(target, cst.Call):
            target = target.func
        return self.index.resolve_origin(module, target) in DATACLASS_DECORATORS

    def linearization(self, definition: LocalDefinition) -> list[LocalDefinition]:
        """The checkout-local part of the MRO (C3; depth-first when C3 has no solution)."""
        return self._linearize(definition, frozenset()) or [definition]

    def _linearize(
        self, definition: LocalDefinition, seen: frozenset[LocalDefinition]
    ) -> list[LocalDefinition]:
        if definition in seen:
            return []
        bases = self.shape(definition).local_bases
        base_orders = [self._linearize(base, seen | {definition}) for base in bases]
        merged = _c3_merge([*[list(order) for order in base_orders], list(bases)])
        if merged is None:
            merged = []
            for order in base_orders:
                merged.extend(item for item in order if item not in merged)
        return [definition, *[item for item in merged if item != definition]]

    def enum_members(self, definition: LocalDefinition) -> tuple[EnumMember, ...]:
        """The members of an enum class in declaration order, with `auto()` values filled in."""
        if definition in self._members:
            return self._members[definition]
        members: list[EnumMember] = []
        shape = self.shape(definition)
        if isinstance(definition.binding, ClassBinding) and shape.flavor is ClassFlavor.ENUM:
            auto_style = shape.auto_style or AutoStyle.COUNTER
            previous: list[LiteralValue] = []
            for name, value, statement in _member_assignments(definition.binding.statement):
                if self._is_auto_call(definition.module, value):
                    member_value: LiteralValue | None = _next_auto_value(auto_style, name, previous)
                else:
                    member_value = literal_value(value)
                if member_value is not None:
                    previous.append(member_value)
                members.append(EnumMember(name, member_value, statement))
        self._members[definition] = tuple(members)
        return self._members[definition]

    def _is_auto_call(self, module: str, value: cst.BaseExpression) -> bool:
        return isinstance(value, cst.Call) and self.index.resolve_origin(module, value.func) == ENUM_AUTO

    def enum_member_value(self, module: str, expression: cst.BaseExpression) -> LiteralValue | None:
        """The value of `SomeEnum.MEMBER` when `SomeEnum` is an enum of the checkout."""
        if not isinstance(expression, cst.Attribute):
            return None
        owner = self.index.resolve_expression(module, expression.value)
        if not isinstance(owner, LocalDefinition):
            return None
        for member in self.enum_members(owner):
            if member.name == expression.attr.value:
                return member.value
        return None


def _auto_style(styles: list[AutoStyle], external_bases: set[str], inherited: list[ClassShape]) -> AutoStyle:
    str_mixin = STR_MIXIN in external_bases or any(
        shape.auto_style is AutoStyle.STR_COUNTER for shape in inherited
    )
    if styles[0] is AutoStyle.COUNTER and str_mixin:
        return AutoStyle.STR_COUNTER
    return styles[0]


def _is_total(statement: cst.ClassDef) -> bool:
    for argument in statement.keywords:
        if argument.keyword is not None and argument.keyword.value == "total":
            return not (isinstance(argument.value, cst.Name) and argument.value.value == "False")
    return True


def _member_assignments(statement: cst.ClassDef) -> list[tuple[str, cst.BaseExpression, cst.CSTNode]]:
    found: list[tuple[str, cst.BaseExpression, cst.CSTNode]] = []
    if not isinstance(statement.body, cst.IndentedBlock):
        return found
    for line in statement.body.body:
        if not isinstance(line, cst.SimpleStatementLine):
            continue
        for small in line.body:
            if isinstance(small, cst.Assign) and len(small.targets) == 1:
                target, value = small.targets[0].target, small.value
            elif isinstance(small, cst.AnnAssign) and small.value is not None:
                target, value = small.target, small.value
            else:
                continue
            # `_ignore_`, `_order_` and other underscore names are configuration, not members.
            if isinstance(target, cst.Name) and not target.value.startswith("_"):
                found.append((target.value, value, small))
    return found


def _next_auto_value(style: AutoStyle, name: str, previous: list[LiteralValue]) -> LiteralValue:
    if style is AutoStyle.LOWER_NAME:
        return name.lower()
    numbers = [value for value in previous if isinstance(value, int) and not isinstance(value, bool)]
    if style is AutoStyle.POWERS_OF_TWO:
        return 1 if not numbers else 1 << max(numbers).bit_length()
    counter = numbers[-1] + 1 if numbers else 1
    return str(counter) if style is AutoStyle.STR_COUNTER else counter


def literal_value(expression: cst.BaseExpression) -> LiteralValue | None:
    """A str, int or bool literal's value (negative numbers included); None for anything else."""
    if isinstance(expression, cst.SimpleString | cst.ConcatenatedString):
        value = expression.evaluated_value
        return value if isinstance(value, str) else None
    if isinstance(expression, cst.Integer):
        return expression.evaluated_value
    if isinstance(expression, cst.Name) and expression.value in ("True", "False"):
        return expression.value == "True"
    if (
        isinstance(expression, cst.UnaryOperation)
        and isinstance(expression.operator, cst.Minus)
        and isinstance(expression.expression, cst.Integer)
    ):
        return -expression.expression.evaluated_value
    return None


def _c3_merge(sequences: list[list[LocalDefinition]]) -> list[LocalDefinition] | None:
    result: list[LocalDefinition] = []
    pending = [sequence for sequence in sequences if sequence]
    while pending:
        for sequence in pending:
            head = sequence[0]
            if not any(head in other[1:] for other in pending):
                break
        else:
            return None
        result.append(head)
        pending = [[item for item in sequence if item != head] for sequence in pending]
        pending = [sequence for sequence in pending if sequence]
    return result
