"""How a Python class names its fields on the wire beyond `Field(alias=...)`: pydantic's `alias_generator`
in `model_config` (inherited from base classes), and hand-written encoders that make the names unknowable.

pydantic's own generators are reproduced from their documented behaviour; any other generator (a lambda,
a project function) is a naming this tool cannot know, so the type's wire names are left unjudged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from auditor.model import snake_case
from auditor.python.modules import ExternalName, LocalDefinition, ModuleIndex
from auditor.python.origins import ALIAS_GENERATOR_CLASS, ALIAS_GENERATORS, CONFIG_DICT
from auditor.python.summary import ClassDefinition
from auditor.python.syntax import Call, DictDisplay, Expr, Name, is_none, string_value

_CONFIGURATION = "model_config"
_GENERATOR_KEY = "alias_generator"
# Methods that decide a class's wire form by hand: its keys are whatever the method writes.
ENCODER_METHODS = frozenset({"to_dict", "to_json", "to_api", "to_wire", "model_dump", "dict", "json", "serialize"})


class Generator(StrEnum):
    CAMEL = "to_camel"
    PASCAL = "to_pascal"
    SNAKE = "to_snake"


@dataclass(frozen=True)
class Naming:
    """The alias generator in force: `generator` None with `known` True means there is none."""

    generator: Generator | None = None
    known: bool = True


UNKNOWN_NAMING = Naming(known=False)


def generated_alias(generator: Generator, name: str) -> str:
    if generator is Generator.SNAKE:
        return snake_case(name.replace("-", "_"))
    # Title-case every word, then drop each `_` that joins two of them (pydantic's documented rule).
    pascal = re.sub(r"(?<=[0-9A-Za-z])_(?=[0-9A-Z])", "", name.title())
    if generator is Generator.PASCAL:
        return pascal
    return re.sub(r"^_*[A-Z]", lambda match: match.group(0).lower(), pascal)


def naming_of(class_definition: ClassDefinition, module: str, index: ModuleIndex) -> Naming | None:
    """The naming a class's own `model_config` sets; None when it sets no alias generator."""
    for assignment in class_definition.assignments:
        if assignment.name != _CONFIGURATION:
            continue
        value = _configured_generator(assignment.value, module, index)
        if value is not None:
            return _naming(value, module, index)
    return None


def _configured_generator(configuration: Expr, module: str, index: ModuleIndex) -> Expr | None:
    if isinstance(configuration, DictDisplay):
        return next((value for key, value in configuration.entries if string_value(key) == _GENERATOR_KEY), None)
    if isinstance(configuration, Call) and (
        index.resolve_origin(module, configuration.function) == CONFIG_DICT
        or (isinstance(configuration.function, Name) and configuration.function.identifier == "dict")
    ):
        return next((a.value for a in configuration.arguments if a.keyword == _GENERATOR_KEY), None)
    return None


def _naming(generator: Expr, module: str, index: ModuleIndex) -> Naming:
    if isinstance(generator, Call) and index.resolve_origin(module, generator.function) == ALIAS_GENERATOR_CLASS:
        keywords = {argument.keyword: argument.value for argument in generator.arguments if argument.keyword}
        chosen = keywords.get("serialization_alias") or keywords.get("alias")
        return _naming(chosen, module, index) if chosen is not None else Naming()
    symbol = index.resolve_expression(module, generator)
    if isinstance(symbol, ExternalName) and symbol.origin in ALIAS_GENERATORS:
        return Naming(Generator(symbol.origin.rsplit(".", 1)[1]))
    if is_none(generator):
        return Naming()
    return UNKNOWN_NAMING


def hand_written_encoder(lineage: list[LocalDefinition]) -> bool:
    """Whether a class or one of its checkout ancestors writes its own encoder."""
    return any(
        isinstance(ancestor.binding, ClassDefinition) and ENCODER_METHODS.intersection(ancestor.binding.methods)
        for ancestor in lineage
    )
