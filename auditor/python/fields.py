"""The fields of data-model classes: annotations, defaults, aliases and requiredness, inheritance included."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import libcst as cst

from auditor.model import Default, DefaultKind, Field, Location, TypeExpr, split_none
from auditor.python.annotations import (
    TypeLowerer,
    index_elements,
    parse_forward_reference,
    with_discriminator,
)
from auditor.python.classes import ClassCatalog, ClassFlavor, ClassShape, literal_value
from auditor.python.modules import ClassBinding, ExternalName, LocalDefinition, ModuleIndex, ModuleInfo
from auditor.python.origins import (
    ANNOTATED,
    FIELD_FUNCTIONS,
    NON_FIELD_QUALIFIERS,
    NOT_REQUIRED,
    REQUIRED,
    TRANSPARENT_QUALIFIERS,
)
from auditor.python.parsing import one_line_source

# Class attributes that configure the model rather than describe its data.
_CONFIGURATION_NAMES = frozenset({"model_config"})
_FIELD_FLAVORS = frozenset({ClassFlavor.PYDANTIC, ClassFlavor.TYPED_DICT, ClassFlavor.NAMED_TUPLE})


@dataclass(frozen=True)
class _Qualifiers:
    """What the wrappers around an annotation say about the attribute (not about its values)."""

    is_field: bool = True
    required: bool | None = None  # set by `Required[...]` / `NotRequired[...]`
    metadata: tuple[cst.BaseExpression, ...] = ()  # `Annotated[...]` extras


@dataclass(frozen=True)
class _FieldSpec:
    """What the assigned value (a plain default or a `Field(...)`/`field(...)` call) says."""

    default: Default | None = None
    alias: str | None = None
    discriminator: str | None = None


class FieldCollector:
    def __init__(self, index: ModuleIndex, catalog: ClassCatalog, lowerer: TypeLowerer) -> None:
        self.index = index
        self.catalog = catalog
        self.lowerer = lowerer

    def fields_of(self, definition: LocalDefinition) -> tuple[Field, ...]:
        """All fields, inherited ones first (most basic class first, as dataclasses and pydantic order them).

        A redeclared field takes the subclass's definition but keeps the position where the base
        introduced it, which is the order both dataclasses and pydantic use for their fields.
        """
        merged: dict[str, Field] = {}
        for ancestor in reversed(self.catalog.linearization(definition)):
            shape = self.catalog.shape(ancestor)
            if shape.flavor in _FIELD_FLAVORS or (
                shape.flavor is ClassFlavor.DATACLASS and shape.decorated_dataclass
            ):
                for own in self._own_fields(ancestor, shape):
                    merged[own.name] = own
        return tuple(merged.values())

    def _own_fields(self, definition: LocalDefinition, shape: ClassShape) -> list[Field]:
        if not isinstance(definition.binding, ClassBinding):
            return []
        info = self.index.load_path(definition.path)
        found: dict[str, Field] = {}
        for statement in _class_body_annotations(definition.binding.statement.body):
            if not isinstance(statement.target, cst.Name):
                continue
            name = statement.target.value
            if name.startswith("_") or name in _CONFIGURATION_NAMES or name in found:
                continue
            built = self._field(name, statement, info, shape)
            if built is not None:
                found[name] = built
        return list(found.values())

    def _field(
        self, name: str, statement: cst.AnnAssign, info: ModuleInfo, shape: ClassShape
    ) -> Field | None:
        annotation = statement.annotation.annotation
        qualifiers = self._qualifiers(annotation, info.name)
        if not qualifiers.is_field:
            return None
        spec = self._field_spec(statement.value, qualifiers.metadata, info.name)
        lowered: TypeExpr = with_discriminator(self.lowerer.lower(annotation, info.name), spec.discriminator)
        field_type, _ = split_none(lowered)
        nullable = self.lowerer.is_nullable(lowered)
        if shape.flavor is ClassFlavor.TYPED_DICT:
            required = qualifiers.required if qualifiers.required is not None else shape.typed_dict_total
            default = None
        else:
            required = spec.default is None
            default = spec.default
        return Field(
            name=name,
            type=field_type,
            required=required,
            nullable=nullable,
            default=default,
            location=Location(info.path, info.line_of(statement)),
            annotation=one_line_source(annotation),
            alias=spec.alias,
        )

    def _qualifiers(self, annotation: cst.BaseExpression, module: str) -> _Qualifiers:
        required: bool | None = None
        metadata: list[cst.BaseExpression] = []
        current: cst.BaseExpression | None = annotation
        # Each step peels one wrapper; a bound keeps adversarial string nesting finite.
        for _ in range(50):
            if isinstance(current, cst.SimpleString | cst.ConcatenatedString):
                current = parse_forward_reference(current)
                continue
            if isinstance(current, cst.Name | cst.Attribute):
                is_field = self.index.resolve_origin(module, current) not in NON_FIELD_QUALIFIERS
                return _Qualifiers(is_field, required, tuple(metadata))
            if not isinstance(current, cst.Subscript):
                break
            elements = index_elements(current)
            origin = self.index.resolve_origin(module, current.value)
            if not elements or origin is None:
                break
            if origin in NON_FIELD_QUALIFIERS:
                return _Qualifiers(is_field=False)
            if origin == ANNOTATED:
                metadata.extend(elements[1:])
            elif origin == REQUIRED:
                required = True
            elif origin == NOT_REQUIRED:
                required = False
            elif origin not in TRANSPARENT_QUALIFIERS:
                break
            current = elements[0]
        return _Qualifiers(True, required, tuple(metadata))

    def _field_spec(
        self, value: cst.BaseExpression | None, metadata: Sequence[cst.BaseExpression], module: str
    ) -> _FieldSpec:
        metadata_calls = [item for item in metadata if isinstance(item, cst.Call)]
        metadata_alias = next((alias for alias in map(_alias_in, metadata_calls) if alias is not None), None)
        if value is None:
            # pydantic also accepts `x: Annotated[int, Field(default=1)]` with nothing assigned.
            call = next((item for item in metadata_calls if self._is_field_function(item, module)), None)
        else:
            call = value if isinstance(value, cst.Call) and self._is_field_function(value, module) else None
        if call is not None:
            spec = self._spec_of_call(call, module)
            return _FieldSpec(spec.default, spec.alias or metadata_alias, spec.discriminator)
        default = self._default(value, module) if value is not None else None
        return _FieldSpec(default, metadata_alias)

    def _is_field_function(self, call: cst.Call, module: str) -> bool:
        return self.index.resolve_origin(module, call.func) in FIELD_FUNCTIONS

    def _spec_of_call(self, call: cst.Call, module: str) -> _FieldSpec:
        default: Default | None = None
        discriminator: str | None = None
        for position, argument in enumerate(call.args):
            keyword = argument.keyword.value if argument.keyword is not None else None
            if (keyword is None and position == 0) or keyword == "default":
                # `Field(...)`: the Ellipsis spells "required" in pydantic.
                if not isinstance(argument.value, cst.Ellipsis):
                    default = self._default(argument.value, module)
            elif keyword == "default_factory":
                default = self._factory_default(argument.value, module)
            elif keyword == "discriminator":
                discriminator = _string_value(argument.value)
        return _FieldSpec(default, _alias_in(call), discriminator)

    def _default(self, value: cst.BaseExpression, module: str) -> Default | None:
        text = one_line_source(value)
        if isinstance(value, cst.Ellipsis):
            return None
        if isinstance(value, cst.Name) and value.value == "None":
            return Default(DefaultKind.NONE, "None")
        literal = literal_value(value)
        if literal is None:
            literal = _float_value(value)
        if literal is not None:
            return Default(DefaultKind.VALUE, text, literal)
        if isinstance(value, cst.List) and not value.elements:
            return Default(DefaultKind.EMPTY_LIST, text)
        if isinstance(value, cst.Dict) and not value.elements:
            return Default(DefaultKind.EMPTY_MAP, text)
        member = self.catalog.enum_member_value(module, value)
        if member is not None:
            return Default(DefaultKind.VALUE, text, member)
        if isinstance(value, cst.Call):
            constructed = self._constructed(value.func, module, call_arguments=len(value.args))
            if constructed is not None:
                return Default(constructed[0], text, constructed[1])
        return Default(DefaultKind.EXPR, text)

    def _factory_default(self, factory: cst.BaseExpression, module: str) -> Default:
        text = f"default_factory={one_line_source(factory)}"
        if isinstance(factory, cst.Lambda):
            body_default = self._default(factory.body, module)
            if body_default is not None and body_default.kind is not DefaultKind.EXPR:
                return Default(body_default.kind, text, body_default.value)
            return Default(DefaultKind.EXPR, text)
        constructed = self._constructed(factory, module, call_arguments=0)
        if constructed is not None:
            return Default(constructed[0], text, constructed[1])
        return Default(DefaultKind.EXPR, text)

    def _constructed(
        self, callee: cst.BaseExpression, module: str, call_arguments: int
    ) -> tuple[DefaultKind, str | None] | None:
        """What calling `callee` builds: an empty list/map, an instance of a data model, or unknown (None)."""
        symbol = self.index.resolve_expression(module, callee)
        if isinstance(symbol, ExternalName) and call_arguments == 0:
            if symbol.origin == "builtins.list":
                return DefaultKind.EMPTY_LIST, None
            if symbol.origin == "builtins.dict":
                return DefaultKind.EMPTY_MAP, None
        if isinstance(symbol, LocalDefinition) and self.catalog.shape(symbol).is_data_model:
            return DefaultKind.STRUCT, symbol.name
        return None


def _class_body_annotations(body: cst.BaseSuite) -> Iterator[cst.AnnAssign]:
    """Annotated assignments of a class body, including those inside `if` blocks (`if PYDANTIC_V2:`)."""
    statements = body.body if isinstance(body, cst.IndentedBlock | cst.SimpleStatementSuite) else ()
    for statement in statements:
        if isinstance(statement, cst.AnnAssign):
            yield statement
        elif isinstance(statement, cst.SimpleStatementLine):
            yield from (small for small in statement.body if isinstance(small, cst.AnnAssign))
        elif isinstance(statement, cst.If):
            yield from _if_chain_annotations(statement)


def _if_chain_annotations(statement: cst.If) -> Iterator[cst.AnnAssign]:
    yield from _class_body_annotations(statement.body)
    if isinstance(statement.orelse, cst.If):
        yield from _if_chain_annotations(statement.orelse)
    elif isinstance(statement.orelse, cst.Else):
        yield from _class_body_annotations(statement.orelse.body)


def _alias_in(call: cst.Call) -> str | None:
    """The wire name given by `alias=` (or `serialization_alias=`) in a `Field(...)`-like call."""
    keywords = {
        argument.keyword.value: argument.value for argument in call.args if argument.keyword is not None
    }
    for keyword in ("alias", "serialization_alias"):
        if keyword in keywords and (alias := _string_value(keywords[keyword])) is not None:
            return alias
    return None


def _string_value(expression: cst.BaseExpression) -> str | None:
    if isinstance(expression, cst.SimpleString | cst.ConcatenatedString):
        value = expression.evaluated_value
        return value if isinstance(value, str) else None
    return None


def _float_value(expression: cst.BaseExpression) -> float | None:
    if isinstance(expression, cst.Float):
        return float(expression.evaluated_value)
    if (
        isinstance(expression, cst.UnaryOperation)
        and isinstance(expression.operator, cst.Minus)
        and isinstance(expression.expression, cst.Float)
    ):
        return -float(expression.expression.evaluated_value)
    return None
