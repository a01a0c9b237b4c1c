"""Stage 3: line the two sides' types up by name, then their fields.

Python is the reference. A Python type lines up with the Elixir module whose last segment is the
same name; a Python Literal/Union alias may also line up with a public snake_case `@type` of any
module. When several Elixir modules qualify, the one whose module path shares most segments with
the Python module path wins; a tie is a diagnostic, never a silent pick. `--map` pins a pair.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from auditor.model import Diagnostic, Field, SideModel, TypeDef, TypeKind

AUDITED_KINDS = frozenset({TypeKind.STRUCT, TypeKind.ENUM, TypeKind.UNION})
"""Kinds that are types of the API on either side; scalar aliases are inlined where they are used."""


@dataclass(frozen=True)
class FieldPair:
    python: Field | None
    elixir: Field | None

    @property
    def name(self) -> str:
        present = self.python or self.elixir
        assert present is not None
        return present.name


@dataclass(frozen=True)
class TypePair:
    """Two aligned types, or a one-sided one; `fields` pairs struct fields (Python order, then extras)."""

    python: TypeDef | None
    elixir: TypeDef | None
    fields: tuple[FieldPair, ...] = ()
    unaligned_reason: str | None = None

    @property
    def name(self) -> str:
        present = self.python or self.elixir
        assert present is not None
        return present.name


@dataclass(frozen=True)
class Alignment:
    pairs: tuple[TypePair, ...]
    python_types: Mapping[str, TypeDef]
    elixir_types: Mapping[str, TypeDef]
    counterparts: Mapping[str, str]
    diagnostics: tuple[Diagnostic, ...]


def snake_case(name: str) -> str:
    """`CheckpointType` -> `checkpoint_type`, `HTTPConfig` -> `http_config`."""
    spaced = re.sub(r"(?<=[a-z0-9])([A-Z])|(?<=[A-Z])([A-Z][a-z])", r"_\1\2", name)
    return spaced.lower()


def _path_tokens(module: str) -> set[str]:
    return {snake_case(part) for part in module.split(".")}


def _is_module_level(typedef: TypeDef) -> bool:
    return typedef.qualname == typedef.module


def pair_fields(python: TypeDef, elixir: TypeDef) -> tuple[FieldPair, ...]:
    by_name = {field.name: field for field in elixir.fields}
    paired: list[FieldPair] = []
    for field in python.fields:
        match = by_name.pop(field.name, None)
        if match is None and field.alias is not None:
            match = by_name.pop(field.alias, None)
        paired.append(FieldPair(field, match))
    paired.extend(FieldPair(None, field) for field in elixir.fields if field.name in by_name)
    return tuple(paired)


def _pick(python: TypeDef, candidates: Sequence[TypeDef]) -> tuple[TypeDef | None, str | None]:
    if len(candidates) == 1:
        return candidates[0], None
    python_tokens = _path_tokens(python.module)
    scored = sorted(
        ((len(python_tokens & _path_tokens(c.module.rsplit(".", 1)[0])), c.qualname, c) for c in candidates),
        key=lambda item: (-item[0], item[1]),
    )
    if scored[0][0] > scored[1][0]:
        return scored[0][2], None
    tied = [item[1] for item in scored if item[0] == scored[0][0]]
    return (
        None,
        f"{python.name} matches several Elixir types equally well ({', '.join(tied)}); pin one with --map",
    )


def unknown_pins(python: SideModel, name_map: Mapping[str, str]) -> list[tuple[str, str, str | None]]:
    """The pins whose Python side names no audited type: (Python name, Elixir module, the closest audited
    name or None), in name order."""
    import difflib  # only a wrong pin needs it

    audited = sorted({t.name for t in python.types if t.kind in AUDITED_KINDS and t.public})
    unknown = sorted(name for name in name_map if name not in set(audited))
    return [
        (name, name_map[name], next(iter(difflib.get_close_matches(name, audited, n=1)), None)) for name in unknown
    ]


def align(python: SideModel, elixir: SideModel, name_map: Mapping[str, str]) -> Alignment:
    python_types = python.by_qualname()
    elixir_types = elixir.by_qualname()
    diagnostics: list[Diagnostic] = []

    by_last_segment: dict[str, list[TypeDef]] = defaultdict(list)
    alias_modules: dict[str, list[TypeDef]] = defaultdict(list)
    by_local_name: dict[str, list[TypeDef]] = defaultdict(list)
    for typedef in elixir.types:
        if _is_module_level(typedef):
            if typedef.kind in AUDITED_KINDS:
                by_last_segment[typedef.name].append(typedef)
            elif typedef.public:
                # A module whose `@type t` is one other type (`@type t :: String.t()`, `Text.t()`).
                alias_modules[typedef.name].append(typedef)
        elif typedef.public:
            by_local_name[typedef.name].append(typedef)

    audited = sorted((t for t in python.types if t.kind in AUDITED_KINDS and t.public), key=lambda t: t.qualname)
    pinned = set(name_map.values())
    claimed: set[str] = set()
    counterparts: dict[str, str] = {}
    pairs: list[TypePair] = []
    for typedef in audited:
        reason: str | None = None
        match: TypeDef | None = None
        if typedef.name in name_map:
            target = name_map[typedef.name]
            match = elixir_types.get(target)
            if match is None:
                reason = f"--map {typedef.name}={target}: no Elixir type named {target} was found"
                diagnostics.append(Diagnostic(typedef.location.path, typedef.location.line, "error", reason))
        else:
            candidates = [c for c in by_last_segment.get(typedef.name, []) if c.qualname not in pinned]
            if not candidates and typedef.kind in (TypeKind.UNION, TypeKind.ENUM):
                # The port narrowed the alias or enum to a single type: compare it, do not call it missing.
                candidates = [c for c in alias_modules.get(typedef.name, []) if c.qualname not in pinned]
            if not candidates and typedef.kind is TypeKind.UNION:
                candidates = [c for c in by_local_name.get(snake_case(typedef.name), []) if c.qualname not in pinned]
            if candidates:
                match, reason = _pick(typedef, candidates)
                if reason is not None:
                    diagnostics.append(Diagnostic(typedef.location.path, typedef.location.line, "warning", reason))
        if match is None:
            pairs.append(TypePair(typedef, None, unaligned_reason=reason))
            continue
        claimed.add(match.qualname)
        counterparts[typedef.qualname] = match.qualname
        fields = pair_fields(typedef, match) if typedef.kind is TypeKind.STRUCT else ()
        pairs.append(TypePair(typedef, match, fields))

    for typedef in elixir.types:
        if _is_module_level(typedef) and typedef.kind in AUDITED_KINDS and typedef.qualname not in claimed:
            pairs.append(TypePair(None, typedef))

    pairs.sort(key=lambda pair: (pair.name, pair.python is None))
    return Alignment(tuple(pairs), python_types, elixir_types, counterparts, tuple(diagnostics))
