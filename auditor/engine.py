"""Stage 4: run every catalog rule over the aligned pairs and settle precedence between them."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence, Set

from auditor.align import Alignment, FieldPair, TypePair
from auditor.compare import Context, Mismatch, differences
from auditor.findings import Finding
from auditor.model import Ref, TypeDef, TypeExpr, TypeKind
from auditor.reach import NeededBy, reach
from auditor.rulebase import Rule, make_finding


def _as_expression(typedef: TypeDef) -> TypeExpr:
    if typedef.kind is TypeKind.STRUCT or typedef.target is None:
        return Ref(typedef.qualname)
    return typedef.target


def _mismatches(python: TypeExpr, elixir: TypeExpr, field: FieldPair | None, context: Context) -> list[Mismatch]:
    default = field.elixir.default if field is not None and field.elixir is not None else None
    return differences(python, elixir, context, default)


def _type_findings(pair: TypePair, rules: Sequence[Rule], context: Context) -> Iterator[Finding]:
    """Type rules see each disagreement of a field's types, or of two aligned enums/aliases; the first
    rule in catalog order that recognises a disagreement reports it."""
    assert pair.python is not None and pair.elixir is not None
    compared: list[tuple[FieldPair | None, TypeExpr, TypeExpr]]
    if pair.python.kind is TypeKind.STRUCT and pair.elixir.kind is TypeKind.STRUCT:
        compared = [
            (field, field.python.type, field.elixir.type)
            for field in pair.fields
            if field.python is not None and field.elixir is not None
        ]
    else:
        compared = [(None, _as_expression(pair.python), _as_expression(pair.elixir))]
    for field, python, elixir in compared:
        for mismatch in _mismatches(python, elixir, field, context):
            for rule in rules:
                assert rule.classify is not None
                verdict = rule.classify(mismatch, field, context)
                if verdict is not None:
                    yield make_finding(rule.slug, verdict.severity, pair, field, verdict.message)
                    break


def _settle(found: list[Finding], replaced_by: Mapping[str, set[str]]) -> list[Finding]:
    """One finding per rule and place; a finding drops when a rule that replaces it fired there too."""
    by_place: dict[tuple[tuple[str, str], str | None], set[str]] = {}
    for finding in found:
        by_place.setdefault((finding.pair, finding.field), set()).add(finding.rule)
    kept: list[Finding] = []
    seen: set[tuple[tuple[str, str], str | None, str]] = set()
    for finding in found:
        place = (finding.pair, finding.field)
        key = (*place, finding.rule)
        superseded = any(finding.rule in replaced_by[other] for other in by_place[place])
        if key not in seen and not superseded:
            seen.add(key)
            kept.append(finding)
    return kept


def run_rules(
    alignment: Alignment,
    catalog: Sequence[Rule],
    disabled: Set[str] = frozenset(),
    needed: Mapping[str, NeededBy] | None = None,
) -> list[Finding]:
    """Every rule runs, `disabled` ones too, so that their places are settled as usual; only then are their
    findings dropped: disabling a rule silences it and never hands what it recognised to another rule.
    `needed` is `Reach.needed` of the alignment, computed here when the caller has not."""
    if needed is None:
        needed = reach(alignment).needed
    context = Context(alignment.python_types, alignment.elixir_types, alignment.counterparts, needed)
    findings: list[Finding] = []
    for pair in alignment.pairs:
        findings.extend(finding for finding in pair_findings(pair, catalog, context) if finding.rule not in disabled)
    return sorted(findings, key=Finding.sort_key)


def pair_findings(pair: TypePair, catalog: Sequence[Rule], context: Context) -> list[Finding]:
    """What every rule says of one aligned pair, precedence settled (disabled rules included)."""
    found: list[Finding] = []
    for rule in catalog:
        if rule.check_pair is not None:
            found.extend(rule.check_pair(pair, context))
    if pair.python is not None and pair.elixir is not None:
        found.extend(_type_findings(pair, [rule for rule in catalog if rule.classify is not None], context))
    return _settle(found, {rule.slug: set(rule.replaces) for rule in catalog}) if found else []
