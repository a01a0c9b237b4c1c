"""Which classes are data models or enums, their checkout-local ancestry, and enum member values."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from auditor.model import LiteralValue
from auditor.python.modules import ExternalName, LocalDefinition, Memo, ModuleIndex
from auditor.python.origins import (
    CONVERSION_PREFIXES,
    DATACLASS_DECORATORS,
    ENUM_AUTO,
    ENUM_BASES,
    NAMED_TUPLE_BASES,
    NEUTRAL_BASES,
    PYDANTIC_MODEL_BASES,
    STR_MIXIN,
    TYPED_DICT_BASES,
    VALUE_DUNDERS,
    AutoStyle,
)
from auditor.python.summary import Assignment, ClassDefinition
from auditor.python.syntax import Attribute, Call, DictDisplay, Expr, Name, Subscript, is_none, literal_value


class ClassFlavor(StrEnum):
    PYDANTIC = "pydantic"
    DATACLASS = "dataclass"
    TYPED_DICT = "typed-dict"
    NAMED_TUPLE = "named-tuple"
    ENUM = "enum"
    INIT = "init"  # a plain class that only carries the attributes its `__init__` sets
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
    line: int


_PLAIN = ClassShape(ClassFlavor.PLAIN)


class ClassCatalog:
    """Classifies checkout classes by walking their bases across modules (memoised, cycle-safe)."""

    def __init__(self, index: ModuleIndex) -> None:
        self.index = index
        self._shapes: Memo[LocalDefinition, ClassShape] = {}
        self._in_progress: set[LocalDefinition] = set()
        self._members: Memo[LocalDefinition, tuple[EnumMember, ...]] = {}

    def shape(self, definition: LocalDefinition) -> ClassShape:
        binding = definition.binding
        if not isinstance(binding, ClassDefinition):
            return _PLAIN
        if definition in self._in_progress:  # a class inheriting from itself through a cycle
            return _PLAIN
        return self.index.reads.memoized(self._shapes, definition, lambda: self._guarded(definition, binding))

    def _guarded(self, definition: LocalDefinition, binding: ClassDefinition) -> ClassShape:
        self._in_progress.add(definition)
        try:
            return self._classify(definition.module, binding)
        finally:
            self._in_progress.discard(definition)

    def _classify(self, module: str, definition: ClassDefinition) -> ClassShape:
        local_bases: list[LocalDefinition] = []
        external_bases: set[str] = set()
        inherited: list[ClassShape] = []
        for base in definition.bases:
            # `GenericModel[T]`, `Generic[T]`: the subscript does not change what the class is.
            target = base.owner if isinstance(base, Subscript) else base
            symbol = self.index.resolve_expression(module, target)
            if isinstance(symbol, ExternalName):
                external_bases.add(symbol.origin)
            elif isinstance(symbol, LocalDefinition) and isinstance(symbol.binding, ClassDefinition):
                local_bases.append(symbol)
                inherited.append(self.shape(symbol))
        decorated = any(self._is_dataclass_decorator(module, decorator) for decorator in definition.decorators)
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
        elif _carries_data(module, definition, external_bases, inherited_flavors):
            flavor = ClassFlavor.INIT
        else:
            flavor = ClassFlavor.PLAIN
        return ClassShape(
            flavor,
            local_bases=tuple(local_bases),
            decorated_dataclass=decorated,
            typed_dict_total=_is_total(definition),
            auto_style=_auto_style(auto_styles, external_bases, inherited) if auto_styles else None,
        )

    def _is_dataclass_decorator(self, module: str, decorator: Expr) -> bool:
        target = decorator.function if isinstance(decorator, Call) else decorator
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
        return self.index.reads.memoized(self._members, definition, lambda: self._read_members(definition))

    def _read_members(self, definition: LocalDefinition) -> tuple[EnumMember, ...]:
        members: list[EnumMember] = []
        shape = self.shape(definition)
        if isinstance(definition.binding, ClassDefinition) and shape.flavor is ClassFlavor.ENUM:
            auto_style = shape.auto_style or AutoStyle.COUNTER
            previous: list[LiteralValue] = []
            for assignment in definition.binding.assignments:
                # `_ignore_`, `_order_` and other underscore names are configuration, not members.
                if assignment.name.startswith("_"):
                    continue
                if self._is_auto_call(definition.module, assignment.value):
                    member_value: LiteralValue | None = _next_auto_value(auto_style, assignment.name, previous)
                else:
                    member_value = literal_value(assignment.value)
                if member_value is not None:
                    previous.append(member_value)
                members.append(EnumMember(assignment.name, member_value, assignment.line))
        return tuple(members)

    def _is_auto_call(self, module: str, value: Expr) -> bool:
        return isinstance(value, Call) and self.index.resolve_origin(module, value.function) == ENUM_AUTO

    def enum_member_value(self, module: str, expression: Expr) -> LiteralValue | None:
        """The value of `SomeEnum.MEMBER` when `SomeEnum` is an enum of the checkout."""
        if not isinstance(expression, Attribute):
            return None
        owner = self.index.resolve_expression(module, expression.owner)
        if not isinstance(owner, LocalDefinition):
            return None
        for member in self.enum_members(owner):
            if member.name == expression.attribute:
                return member.value
        return None


def _carries_data(
    module: str, definition: ClassDefinition, external_bases: set[str], inherited: set[ClassFlavor]
) -> bool:
    """A plain class whose only job is to hold what its `__init__` (or its base's) stores: defined in a
    public module, no base but neutral ones or such classes, no method but conversions and the dunders
    of a value, and an `__init__` that only stores values, some in public attributes, each public one
    from a parameter, a literal or with an annotation. Clients, resources, helpers and exceptions do
    more, and stay plain; so do the internals of private modules."""
    if any(part.startswith("_") for part in module.split(".")):
        return False
    if external_bases - NEUTRAL_BASES or inherited - {ClassFlavor.INIT}:
        return False
    if any(name not in VALUE_DUNDERS and not name.startswith(CONVERSION_PREFIXES) for name in definition.methods):
        return False
    init = definition.init
    if init is None:
        return ClassFlavor.INIT in inherited
    public = [attribute for attribute in init.attributes if not attribute.name.startswith("_")]
    stored = all(
        attribute.annotation is not None
        or attribute.parameter is not None
        or (attribute.value is not None and literal_value(attribute.value) is not None)
        or is_none(attribute.value)
        for attribute in public
    )
    return init.only_stores and stored and (bool(public) or ClassFlavor.INIT in inherited)


def _auto_style(styles: list[AutoStyle], external_bases: set[str], inherited: list[ClassShape]) -> AutoStyle:
    str_mixin = STR_MIXIN in external_bases or any(
        shape.auto_style is AutoStyle.STR_COUNTER for shape in inherited
    )
    if styles[0] is AutoStyle.COUNTER and str_mixin:
        return AutoStyle.STR_COUNTER
    return styles[0]


def functional_typed_dict(index: ModuleIndex, definition: LocalDefinition) -> tuple[DictDisplay, bool] | None:
    """(the key-to-annotation dict, total) of `Name = TypedDict("Name", {...}, total=False)`, whose keys
    need not be identifiers (`"top-k"`)."""
    binding = definition.binding
    value = binding.value if isinstance(binding, Assignment) else None
    if not isinstance(value, Call) or index.resolve_origin(definition.module, value.function) not in TYPED_DICT_BASES:
        return None
    positional = [argument.value for argument in value.arguments if argument.keyword is None]
    if len(positional) != 2 or not isinstance(positional[1], DictDisplay):
        return None
    total = next((argument.value for argument in value.arguments if argument.keyword == "total"), None)
    return positional[1], not (isinstance(total, Name) and total.identifier == "False")


def _is_total(definition: ClassDefinition) -> bool:
    for keyword, value in definition.keywords:
        if keyword == "total":
            return not (isinstance(value, Name) and value.identifier == "False")
    return True


def _next_auto_value(style: AutoStyle, name: str, previous: list[LiteralValue]) -> LiteralValue:
    if style is AutoStyle.LOWER_NAME:
        return name.lower()
    numbers = [value for value in previous if isinstance(value, int) and not isinstance(value, bool)]
    if style is AutoStyle.POWERS_OF_TWO:
        return 1 if not numbers else 1 << max(numbers).bit_length()
    counter = numbers[-1] + 1 if numbers else 1
    return str(counter) if style is AutoStyle.STR_COUNTER else counter


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
