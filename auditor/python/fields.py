"""The fields of data-model classes: annotations, defaults, aliases and requiredness, inheritance included."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from auditor.model import Default, DefaultKind, Field, Location, TypeExpr, split_none
from auditor.python.annotations import TypeLowerer, with_discriminator
from auditor.python.classes import ClassCatalog, ClassFlavor, ClassShape, functional_typed_dict
from auditor.python.modules import ExternalName, LocalDefinition, Memo, ModuleIndex
from auditor.python.origins import (
    ANNOTATED,
    FIELD_FUNCTIONS,
    NON_FIELD_QUALIFIERS,
    NOT_REQUIRED,
    REQUIRED,
    TRANSPARENT_QUALIFIERS,
)
from auditor.python.summary import ClassDefinition, FieldDeclaration
from auditor.python.syntax import (
    Attribute,
    Call,
    DictDisplay,
    Display,
    DisplayKind,
    EllipsisLiteral,
    Expr,
    Lambda,
    Name,
    Opaque,
    String,
    Subscript,
    float_value,
    is_none,
    literal_value,
    string_value,
)
from auditor.python.wire_names import Naming, generated_alias, naming_of

# Class attributes that configure the model rather than describe its data.
_CONFIGURATION_NAMES = frozenset({"model_config"})
_FIELD_FLAVORS = frozenset({ClassFlavor.PYDANTIC, ClassFlavor.TYPED_DICT, ClassFlavor.NAMED_TUPLE, ClassFlavor.INIT})
# Where `__init__` states the fields when the class body annotates none.
_INIT_FLAVORS = frozenset({ClassFlavor.INIT, ClassFlavor.DATACLASS})
_UNANNOTATED = Opaque("unannotated")


@dataclass(frozen=True)
class _Qualifiers:
    """What the wrappers around an annotation say about the attribute (not about its values)."""

    is_field: bool = True
    required: bool | None = None  # set by `Required[...]` / `NotRequired[...]`
    metadata: tuple[Expr, ...] = ()  # `Annotated[...]` extras


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
        # Every subclass reads its bases' own fields again; lowering them once per class keeps the
        # work linear in the fields written rather than in the fields inherited.
        self._own_fields_of: Memo[LocalDefinition, list[Field]] = {}

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
        generator = self.wire_naming(definition).generator
        if generator is None:
            return tuple(merged.values())
        # An explicit `Field(alias=...)` wins over the generator, as in pydantic.
        return tuple(
            replace(field, alias=_differing(generated_alias(generator, name), name)) if field.alias is None else field
            for name, field in merged.items()
        )

    def wire_naming(self, definition: LocalDefinition) -> Naming:
        """The alias generator of the nearest class in the lineage whose `model_config` sets one."""
        if self.catalog.shape(definition).flavor is not ClassFlavor.PYDANTIC:
            return Naming()
        for ancestor in self.catalog.linearization(definition):
            if isinstance(ancestor.binding, ClassDefinition):
                naming = naming_of(ancestor.binding, ancestor.module, self.index)
                if naming is not None:
                    return naming
        return Naming()

    def _own_fields(self, definition: LocalDefinition, shape: ClassShape) -> list[Field]:
        return self.index.reads.memoized(
            self._own_fields_of, definition, lambda: self._lower_own_fields(definition, shape)
        )

    def _lower_own_fields(self, definition: LocalDefinition, shape: ClassShape) -> list[Field]:
        if not isinstance(definition.binding, ClassDefinition):
            return []
        init = definition.binding.init
        if init is not None and shape.flavor in _INIT_FLAVORS and (
            shape.flavor is ClassFlavor.INIT or not definition.binding.fields
        ):
            return self._init_fields(definition, shape)
        found: dict[str, Field] = {}
        for declaration in definition.binding.fields:
            name = declaration.name
            if name.startswith("_") or name in _CONFIGURATION_NAMES or name in found:
                continue
            built = self._field(declaration, definition, shape)
            if built is not None:
                found[name] = built
        return list(found.values())

    def functional_typed_dict_fields(self, definition: LocalDefinition) -> tuple[Field, ...] | None:
        """The keys of a `TypedDict("Name", {...})` as fields; None for any other assignment."""
        found = functional_typed_dict(self.index, definition)
        if found is None:
            return None
        entries, total = found
        shape = ClassShape(ClassFlavor.TYPED_DICT, typed_dict_total=total)
        fields: dict[str, Field] = {}
        for key, annotation in entries.entries:
            name = string_value(key)
            if name is None or name in fields:
                continue
            declaration = FieldDeclaration(name, annotation, None, definition.binding.line)
            if (field := self._field(declaration, definition, shape)) is not None:
                fields[name] = field
        return tuple(fields.values())

    def _init_fields(self, definition: LocalDefinition, shape: ClassShape) -> list[Field]:
        """The public attributes `__init__` sets, typed by their own annotation, the class body's annotation
        of the name, or the parameter stored in them; a parameter's default makes the field optional."""
        binding = definition.binding
        assert isinstance(binding, ClassDefinition) and binding.init is not None
        parameters = {parameter.name: parameter for parameter in binding.init.parameters}
        declared = {declaration.name: declaration for declaration in binding.fields}
        found: dict[str, Field] = {}
        for attribute in binding.init.attributes:
            name = attribute.name
            if name.startswith("_") or name in found:
                continue
            stored = parameters.get(attribute.parameter) if attribute.parameter is not None else None
            annotation = (
                attribute.annotation
                or (declared[name].annotation if name in declared else None)
                or (stored.annotation if stored is not None else None)
                or _UNANNOTATED
            )
            computed = stored is not None and not (
                isinstance(attribute.value, Name) and attribute.value.identifier == stored.name
            )
            # A value computed from the parameter (`tags or []`) is the field's default only as an
            # expression this tool does not evaluate.
            value = stored.default if stored is not None and not computed else attribute.value
            field = self._field(FieldDeclaration(name, annotation, value, attribute.line), definition, shape)
            if field is not None and computed and stored is not None:
                # A parameter normalised on the way in keeps its requiredness, and is no longer None
                # when it was optional (`tags or []`).
                optional = stored.default is not None
                field = replace(field, required=not optional, nullable=field.nullable and not optional)
            if field is not None:
                found[name] = field
        return list(found.values())

    def _field(self, declaration: FieldDeclaration, owner: LocalDefinition, shape: ClassShape) -> Field | None:
        annotation, module = declaration.annotation, owner.module
        qualifiers = self._qualifiers(annotation, module)
        if not qualifiers.is_field:
            return None
        spec = self._field_spec(declaration.value, qualifiers.metadata, module)
        lowered: TypeExpr = with_discriminator(self.lowerer.lower(annotation, module), spec.discriminator)
        field_type, _ = split_none(lowered)
        nullable = self.lowerer.is_nullable(lowered)
        if shape.flavor is ClassFlavor.TYPED_DICT:
            required = qualifiers.required if qualifiers.required is not None else shape.typed_dict_total
            default = None
        else:
            required = spec.default is None
            default = spec.default
        return Field(
            name=declaration.name,
            type=field_type,
            required=required,
            nullable=nullable,
            default=default,
            location=Location(owner.path, declaration.line),
            annotation=annotation.text,
            alias=spec.alias,
        )

    def _qualifiers(self, annotation: Expr, module: str) -> _Qualifiers:
        required: bool | None = None
        metadata: list[Expr] = []
        current: Expr | None = annotation
        # Each step peels one wrapper; a bound keeps adversarial string nesting finite.
        for _ in range(50):
            if isinstance(current, String):
                current = current.forward
                continue
            if isinstance(current, Name | Attribute):
                is_field = self.index.resolve_origin(module, current) not in NON_FIELD_QUALIFIERS
                return _Qualifiers(is_field, required, tuple(metadata))
            if not isinstance(current, Subscript):
                break
            elements = current.elements
            origin = self.index.resolve_origin(module, current.owner)
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

    def _field_spec(self, value: Expr | None, metadata: Sequence[Expr], module: str) -> _FieldSpec:
        metadata_calls = [item for item in metadata if isinstance(item, Call)]
        metadata_alias = next((alias for alias in map(_alias_in, metadata_calls) if alias is not None), None)
        if value is None:
            # pydantic also accepts `x: Annotated[int, Field(default=1)]` with nothing assigned.
            call = next((item for item in metadata_calls if self._is_field_function(item, module)), None)
        else:
            call = value if isinstance(value, Call) and self._is_field_function(value, module) else None
        if call is not None:
            spec = self._spec_of_call(call, module)
            return _FieldSpec(spec.default, spec.alias or metadata_alias, spec.discriminator)
        default = self._default(value, module) if value is not None else None
        return _FieldSpec(default, metadata_alias)

    def _is_field_function(self, call: Call, module: str) -> bool:
        return self.index.resolve_origin(module, call.function) in FIELD_FUNCTIONS

    def _spec_of_call(self, call: Call, module: str) -> _FieldSpec:
        default: Default | None = None
        discriminator: str | None = None
        for position, argument in enumerate(call.arguments):
            keyword = argument.keyword
            if (keyword is None and position == 0) or keyword == "default":
                # `Field(...)`: the Ellipsis spells "required" in pydantic.
                if not isinstance(argument.value, EllipsisLiteral):
                    default = self._default(argument.value, module)
            elif keyword == "default_factory":
                default = self._factory_default(argument.value, module)
            elif keyword == "discriminator":
                discriminator = string_value(argument.value)
        return _FieldSpec(default, _alias_in(call), discriminator)

    def _default(self, value: Expr, module: str) -> Default | None:
        text = value.text
        if isinstance(value, EllipsisLiteral):
            return None
        if is_none(value):
            return Default(DefaultKind.NONE, "None")
        literal = literal_value(value)
        if literal is None:
            literal = float_value(value)
        if literal is not None:
            return Default(DefaultKind.VALUE, text, literal)
        if isinstance(value, Display) and value.kind is DisplayKind.LIST and not value.items:
            return Default(DefaultKind.EMPTY_LIST, text)
        if isinstance(value, DictDisplay) and not value.entries:
            return Default(DefaultKind.EMPTY_MAP, text)
        member = self.catalog.enum_member_value(module, value)
        if member is not None:
            return Default(DefaultKind.VALUE, text, member)
        if isinstance(value, Call):
            constructed = self._constructed(value.function, module, call_arguments=len(value.arguments))
            if constructed is not None:
                return Default(constructed[0], text, constructed[1])
        return Default(DefaultKind.EXPR, text)

    def _factory_default(self, factory: Expr, module: str) -> Default:
        text = f"default_factory={factory.text}"
        if isinstance(factory, Lambda):
            body_default = self._default(factory.body, module)
            if body_default is not None and body_default.kind is not DefaultKind.EXPR:
                return Default(body_default.kind, text, body_default.value)
            return Default(DefaultKind.EXPR, text)
        constructed = self._constructed(factory, module, call_arguments=0)
        if constructed is not None:
            return Default(constructed[0], text, constructed[1])
        return Default(DefaultKind.EXPR, text)

    def _constructed(
        self, callee: Expr, module: str, call_arguments: int
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


def _differing(alias: str, name: str) -> str | None:
    return alias if alias != name else None


def _alias_in(call: Call) -> str | None:
    """The wire name given by `alias=` (or `serialization_alias=`) in a `Field(...)`-like call."""
    keywords = {argument.keyword: argument.value for argument in call.arguments if argument.keyword is not None}
    for keyword in ("alias", "serialization_alias"):
        if keyword in keywords and (alias := string_value(keywords[keyword])) is not None:
            return alias
    return None
