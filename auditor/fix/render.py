"""Stage 7b: Python types and defaults written as the port writes Elixir typespecs and struct defaults."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

from auditor.fix.conventions import Conventions, LiteralStyle
from auditor.model import (
    AtomSet,
    Default,
    DefaultKind,
    ListOf,
    LiteralOf,
    LiteralValue,
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
)

_SCALARS: dict[ScalarKind, str] = {
    ScalarKind.STR: "String.t()",
    ScalarKind.INT: "integer()",
    ScalarKind.FLOAT: "float()",
    ScalarKind.BOOL: "boolean()",
    ScalarKind.BYTES: "binary()",
    ScalarKind.DATE: "Date.t()",
    ScalarKind.TIME: "Time.t()",
    ScalarKind.DURATION: "Duration.t()",
    ScalarKind.ATOM: "atom()",
    ScalarKind.ANY: "term()",
    ScalarKind.NONE: "nil",
}
_PLAIN_ATOM = re.compile(r"[A-Za-z_][A-Za-z0-9_@]*[?!]?")
_MAX_ALIAS_DEPTH = 32


class Unplaceable(Exception):
    """What the fix cannot write without guessing; the message completes "not placed: ..."."""


def elixir_string(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("#{", "\\#{")
    return '"' + escaped.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t") + '"'


def atom(name: str) -> str:
    return f":{name}" if _PLAIN_ATOM.fullmatch(name) else ":" + elixir_string(name)


def literal_value(value: LiteralValue) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return elixir_string(value) if isinstance(value, str) else str(value)


class TypeWriter:
    """Writes Python type expressions as typespecs; `modules` gives each Python type that has (or gets) an
    Elixir counterpart the typespec that names it (`Pixelmill.Types.Size.t()`)."""

    def __init__(
        self, conventions: Conventions, python_types: Mapping[str, TypeDef], modules: Mapping[str, str]
    ) -> None:
        self.conventions = conventions
        self.python_types = python_types
        self.modules = modules

    def typespec(self, expr: TypeExpr, nullable: bool = False) -> str:
        written = self._write(expr, 0)
        return f"{written} | nil" if nullable and written != "nil" else written

    def literals(self, values: tuple[LiteralValue, ...], style: LiteralStyle) -> str:
        if style is LiteralStyle.STRING_TYPE and all(isinstance(value, str) for value in values):
            return "String.t()"
        if style is LiteralStyle.ATOMS:
            return " | ".join(atom(value) if isinstance(value, str) else literal_value(value) for value in values)
        return " | ".join(literal_value(value) for value in values)

    def _write(self, expr: TypeExpr, depth: int) -> str:
        match expr:
            case Scalar(kind=ScalarKind.DATETIME):
                return self.conventions.datetime
            case Scalar(kind=kind):
                return _SCALARS[kind]
            case LiteralOf(values=values):
                return self.literals(values, self.conventions.literals)
            case AtomSet(atoms=atoms):
                return " | ".join(atom(name) for name in atoms)
            case ListOf(item=item):
                return f"[{self._write(item, depth)}]"
            case MapOf(key=key, value=value):
                return f"%{{optional({self._write(key, depth)}) => {self._write(value, depth)}}}"
            case RecordOf(entries=entries):
                written = (
                    f"{'required' if entry.required else 'optional'}({atom(entry.key)}) => "
                    f"{self._write(entry.type, depth)}"
                    for entry in entries
                )
                return "%{" + ", ".join(written) + "}"
            case TupleOf(items=items):
                return "{" + ", ".join(self._write(item, depth) for item in items) + "}"
            case UnionOf(members=members):
                return " | ".join(self._write(member, depth) for member in members)
            case Ref(qualname=qualname):
                return self._reference(qualname, depth)
            case Unknown(text=text):
                raise Unplaceable(f"its Python type `{text}` is not one parity-audit reads")
        raise AssertionError(f"unhandled type expression {expr!r}")

    def _reference(self, qualname: str, depth: int) -> str:
        if qualname in self.modules:
            return self.modules[qualname]
        typedef = self.python_types.get(qualname)
        if typedef is None:
            raise Unplaceable(f"it refers to {simple_name(qualname)}, a type outside the audited Python files")
        if typedef.kind is TypeKind.SCALAR_ALIAS and typedef.target is not None and depth < _MAX_ALIAS_DEPTH:
            return self._write(typedef.target, depth + 1)
        raise Unplaceable(f"it refers to {typedef.name}, which has no Elixir counterpart and gets none")

    def renders_atoms(self, expr: TypeExpr, atom_modules: frozenset[str]) -> bool:
        """Whether values of this type are atoms in the port (a default must then be an atom too)."""
        match expr:
            case LiteralOf():
                return self.conventions.literals is LiteralStyle.ATOMS
            case AtomSet():
                return True
            case Ref(qualname=qualname):
                typedef = self.python_types.get(qualname)
                if qualname in atom_modules:
                    return True
                return (
                    typedef is not None
                    and typedef.kind is TypeKind.SCALAR_ALIAS
                    and typedef.target is not None
                    and self.renders_atoms(typedef.target, atom_modules)
                )
        return False


def struct_default(default: Default | None, as_atom: bool) -> str | None:
    """The Elixir default of a struct key for a Python default; None for a key without one (nil)."""
    if default is None or default.kind is DefaultKind.NONE:
        return None
    match default.kind:
        case DefaultKind.VALUE if isinstance(default.value, str):
            return atom(default.value) if as_atom else elixir_string(default.value)
        case DefaultKind.VALUE if isinstance(default.value, bool):
            return "true" if default.value else "false"
        case DefaultKind.VALUE if isinstance(default.value, int):
            return str(default.value)
        case DefaultKind.VALUE if isinstance(default.value, float) and math.isfinite(default.value):
            return _float(default.value)
        case DefaultKind.EMPTY_LIST:
            return "[]"
        case DefaultKind.EMPTY_MAP:
            return "%{}"
    raise Unplaceable(f"its Python default `{default.text}` has no literal Elixir form")


def _float(value: float) -> str:
    """Elixir wants digits on both sides of the point, also before an exponent (`1.0e-5`, not `1e-05`)."""
    mantissa, _, exponent = repr(value).partition("e")
    if "." not in mantissa:
        mantissa += ".0"
    return f"{mantissa}e{int(exponent)}" if exponent else mantissa
