"""What a rule is: its metadata, its documentation, its example pairs and one pure check.

Every rule in the catalog (`auditor.rules`, shipped from the top-level `rules/` folder) is one
`Rule`. A rule checks either a whole aligned type pair (`check_pair`) or one place where two type
expressions disagree (`classify`); the engine decides which places it is shown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from auditor.align import FieldPair, TypePair
from auditor.compare import Context, Mismatch
from auditor.findings import Finding, Severity, SideRef
from auditor.model import Field, Location, TypeDef


@dataclass(frozen=True)
class Example:
    """A minimal Python/Elixir pair. `fires` lists the (type, field, severity) the rule must report,
    exactly; an empty tuple means the rule must stay quiet on this pair. `says` is text every finding
    of the rule on the pair must contain (a note the example is there to show)."""

    python: str
    elixir: str
    fires: tuple[tuple[str, str | None, Severity], ...] = ()
    says: str | None = None


@dataclass(frozen=True)
class Verdict:
    """A type rule's classification of one mismatch."""

    severity: Severity
    message: str


PairCheck = Callable[[TypePair, Context], Iterable[Finding]]
Classifier = Callable[[Mismatch, FieldPair | None, Context], Verdict | None]


@dataclass(frozen=True)
class Rule:
    slug: str
    severity: str
    summary: str
    explanation: str
    fix: str
    examples: tuple[Example, ...]
    check_pair: PairCheck | None = None
    classify: Classifier | None = None
    replaces: tuple[str, ...] = ()
    """Slugs whose finding on the same type and field this rule's finding supersedes."""

    def __post_init__(self) -> None:
        if (self.check_pair is None) == (self.classify is None):
            raise ValueError(f"rule {self.slug} must define exactly one of check_pair and classify")
        if not any(example.fires for example in self.examples) or all(e.fires for e in self.examples):
            raise ValueError(f"rule {self.slug} needs an example that fires and one that must not")


def _side(typedef: TypeDef | None, field: Field | None) -> SideRef | None:
    if field is not None:
        return SideRef(field.location, field.annotation)
    if typedef is not None:
        return SideRef(typedef.location)
    return None


def make_finding(
    slug: str,
    severity: Severity,
    pair: TypePair,
    field: FieldPair | None,
    message: str,
    elixir_at: Location | None = None,
) -> Finding:
    """A finding on a type (field None) or one of its fields, pointing at both sides where they exist;
    `elixir_at` points the Elixir side at the code that breaks it (a converter function) instead."""
    return Finding(
        rule=slug,
        severity=severity,
        type_name=pair.name,
        field=field.name if field is not None else None,
        message=message,
        python=_side(pair.python, field.python if field else None),
        elixir=SideRef(elixir_at) if elixir_at is not None else _side(pair.elixir, field.elixir if field else None),
        python_type=pair.python.qualname if pair.python is not None else None,
        elixir_type=pair.elixir.qualname if pair.elixir is not None else None,
        qualified=pair.name_shared,
    )


def python_wire_names(field: FieldPair) -> frozenset[str]:
    """The keys Python accepts for a field on the wire: its field name and its alias (pydantic)."""
    assert field.python is not None
    return frozenset(name for name in (field.python.name, field.python.alias) if name)


def fields_with_known_wire_names(pair: TypePair) -> Iterator[FieldPair]:
    """The fields both sides of a paired struct declare, unless Python's wire names are unknown (a
    hand-written `to_dict`, an alias generator this tool cannot evaluate)."""
    if pair.python is None or pair.python.custom_encoder:
        return
    for field in pair.fields:
        if field.python is not None and field.elixir is not None:
            yield field
