"""Stage 7a: how the port writes its types, read from the modules the alignment paired.

A generated module or field follows the majority of the port's own paired types; where the port shows no
habit, the form that ports the Python type exactly is used (`DateTime.t()`, string-literal unions). The
exact forms are also what the fix falls back to where the audit flags the port's habit (`vet`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import PurePosixPath
from typing import TypeVar

from auditor.align import TypePair
from auditor.elixir import EnumSite, StructSite
from auditor.model import DATETIME, STR, AtomSet, LiteralOf, TypeKind, snake_case, split_none

Habit = TypeVar("Habit")

EXACT_DATETIME = "DateTime.t()"
DEFAULT_CONVERTERS = ("to_api", "from_api")


class LiteralStyle(StrEnum):
    STRINGS = "strings"  # "a" | "b"
    ATOMS = "atoms"  # :a | :b
    STRING_TYPE = "string-type"  # String.t()


@dataclass(frozen=True)
class Conventions:
    namespace: str
    """The module new types go under (`Pixelmill.Types`)."""
    directory: str
    """The folder of their files, one per module named by its last segment in snake_case."""
    typed_struct: bool
    derive_json_encoder: bool
    atom_enums: bool
    """Enums as atom unions (else as unions of their wire strings)."""
    enum_converters: tuple[str, str] | None
    """The functions an atom enum converts with, (atom -> wire, wire -> atom), when the port writes them."""
    converter_names: tuple[str, str]
    """The names converters get where the fix writes them without the port's habit: the pair most of the
    port's enums with converters use, else `DEFAULT_CONVERTERS`."""
    datetime: str
    """The typespec a Python datetime gets."""
    literals: LiteralStyle

    def exact(self) -> Conventions:
        """The same layout with the type forms that port the Python types exactly."""
        return replace(self, datetime=EXACT_DATETIME, literals=LiteralStyle.STRINGS)


def _majority(votes: Iterable[Habit], otherwise: Habit) -> Habit:
    """The most frequent vote; on a tie or without votes, `otherwise` if it is among the leaders."""
    counts = Counter(votes)
    if not counts:
        return otherwise
    top = max(counts.values())
    leaders = [vote for vote, count in counts.items() if count == top]
    return otherwise if otherwise in leaders else sorted(leaders, key=str)[0]


def detect(pairs: Iterable[TypePair], sites: Mapping[str, StructSite | EnumSite]) -> Conventions:
    paired = [pair for pair in pairs if pair.python is not None and pair.elixir is not None]
    modules = [pair.elixir for pair in paired if pair.elixir is not None and pair.elixir.qualname == pair.elixir.module]
    namespace = _majority((m.qualname.rpartition(".")[0] for m in modules if "." in m.qualname), "")
    in_namespace = [m for m in modules if m.qualname.rpartition(".")[0] == namespace]
    named_files = [
        str(PurePosixPath(m.location.path).parent)
        for m in in_namespace
        if PurePosixPath(m.location.path).stem == snake_case(m.name)
    ]
    mix_directory = "/".join(["lib", *(snake_case(segment) for segment in namespace.split(".") if segment)])
    struct_sites = [site for m in modules if isinstance(site := sites.get(m.qualname), StructSite)]
    enum_sites = [site for m in modules if isinstance(site := sites.get(m.qualname), EnumSite)]
    enum_targets = [pair.elixir.target for pair in paired if pair.elixir and pair.elixir.kind is TypeKind.ENUM]
    atom_votes = [True] * len(enum_sites) + [False] * sum(isinstance(t, LiteralOf) for t in enum_targets)
    converters = [(s.encoder, s.decoder) for s in enum_sites]
    with_converters = [(e, d) for e, d in converters if e is not None and d is not None]
    datetime_votes: list[str] = []
    literal_votes: list[LiteralStyle] = []
    for pair in paired:
        for field in pair.fields:
            if field.python is None or field.elixir is None:
                continue
            python_type, elixir_type = field.python.type, split_none(field.elixir.type)[0]
            if python_type == DATETIME and elixir_type in (DATETIME, STR):
                datetime_votes.append("DateTime.t()" if elixir_type == DATETIME else "String.t()")
            if isinstance(python_type, LiteralOf) and len(python_type.values) > 1:
                if isinstance(elixir_type, LiteralOf):
                    literal_votes.append(LiteralStyle.STRINGS)
                elif isinstance(elixir_type, AtomSet):
                    literal_votes.append(LiteralStyle.ATOMS)
                elif elixir_type == STR:
                    literal_votes.append(LiteralStyle.STRING_TYPE)
    return Conventions(
        namespace=namespace,
        directory=_majority(named_files, mix_directory),
        typed_struct=_majority((site.typed_struct for site in struct_sites), False),
        derive_json_encoder=_majority((site.derives_json_encoder for site in struct_sites), True),
        atom_enums=_majority(atom_votes, False),
        enum_converters=_majority(with_converters, None) if 2 * len(with_converters) > len(converters) else None,
        converter_names=_majority(with_converters, DEFAULT_CONVERTERS),
        datetime=_majority(datetime_votes, EXACT_DATETIME),
        literals=_majority(literal_votes, LiteralStyle.STRINGS),
    )
