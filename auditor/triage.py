"""Stage 4b, between the rules and the reports: what the port team decided about the findings.

In order: severity overrides (the fingerprint stays), config ignores and inline suppressions (the
finding moves to `suppressed` and no longer counts for a type's status), then the baseline (the
finding stays, but cannot fail the run). Disabled rules never get here: the engine drops their findings
once it has settled which rule reports each place, so no other rule takes a disabled rule's place.

An entry that decides nothing is a warning: a config ignore matching no finding, a comment naming
an unknown rule or suppressing nothing on its line.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping, Sequence, Set
from dataclasses import dataclass, replace
from operator import attrgetter
from typing import TYPE_CHECKING

from auditor.align import Alignment
from auditor.findings import BaselineStatus, Finding, Ignore, OutOfScope, Severity, Suppressed, type_and_field
from auditor.model import Diagnostic, Location
from auditor.rules import RULES_BY_SLUG
from auditor.suppressions import CommentScan, InlineIgnore

if TYPE_CHECKING:
    from auditor.baseline import RecordedBaseline

NO_REASON = "no reason given"

Place = tuple[str, str, int]
"""(side, checkout-relative path, line) a finding points at, or a comment is on."""


@dataclass(frozen=True)
class Triage:
    findings: tuple[Finding, ...]
    suppressed: tuple[Suppressed, ...]
    baseline: BaselineStatus | None
    diagnostics: tuple[tuple[str, Diagnostic], ...]


def _with_severities(findings: Sequence[Finding], overrides: Mapping[str, Severity]) -> list[Finding]:
    if not overrides:
        return list(findings)
    changed = (replace(f, severity=overrides[f.rule]) if f.rule in overrides else f for f in findings)
    return sorted(changed, key=Finding.sort_key)


def _typespec_lines(alignment: Alignment, commented: Set[str]) -> dict[tuple[tuple[str, str], str], int]:
    """(pair, field) -> the line of an Elixir field's `@type t` entry, where it is not its struct key's,
    for the structs declared in the `commented` files."""
    lines: dict[tuple[tuple[str, str], str], int] = {}
    for pair in alignment.pairs:
        if pair.elixir is None or pair.elixir.location.path not in commented:
            continue
        for field in pair.fields:
            if field.elixir is not None and field.elixir.typespec_line is not None:
                lines[pair.key, field.name] = field.elixir.typespec_line
    return lines


def _places(finding: Finding, typespec_lines: Mapping[tuple[tuple[str, str], str], int]) -> Iterator[Place]:
    """Where a comment suppresses the finding: the line each side points at, and for an Elixir field
    also its `@type t` entry."""
    if finding.python is not None:
        yield "python", finding.python.location.path, finding.python.location.line
    if finding.elixir is not None:
        location = finding.elixir.location
        yield "elixir", location.path, location.line
        typespec_line = typespec_lines.get((finding.pair, finding.field)) if finding.field else None
        if typespec_line is not None:
            yield "elixir", location.path, typespec_line


class _Suppressor:
    """Matches findings against the ignores and the comments, remembering which of them matched."""

    def __init__(
        self,
        ignores: Sequence[Ignore],
        comments: Sequence[CommentScan],
        alignment: Alignment,
        out_of_scope: Sequence[OutOfScope],
    ) -> None:
        self.ignores = ignores
        self.out_of_scope = out_of_scope
        self.python_names = {
            pair.python.qualname: pair.python.name for pair in alignment.pairs if pair.python is not None
        }
        self.by_type_rule: dict[tuple[str, str], list[int]] = {}
        for index, ignore in enumerate(ignores):
            self.by_type_rule.setdefault((ignore.rule, ignore.type_name), []).append(index)
        self.comments: dict[Place, InlineIgnore] = {
            (scan.side, path, ignore.line): ignore
            for scan in comments
            for path, scanned in scan.files.items()
            for ignore in scanned.ignores
        }
        commented = {path for scan in comments if scan.side == "elixir" for path in scan.files}
        self.typespec_lines = _typespec_lines(alignment, commented) if commented else {}
        self.used_ignores: set[int] = set()
        self.used_comments: set[tuple[Place, str]] = set()

    def suppression(self, finding: Finding) -> Suppressed | None:
        """The comment (first) or ignore that accepts the finding; every one that does is marked used."""
        found: list[Suppressed] = []
        if self.comments:
            for place in _places(finding, self.typespec_lines):
                comment = self.comments.get(place)
                if comment is not None and finding.rule in comment.rules:
                    self.used_comments.add((place, finding.rule))
                    where = Location(place[1], place[2])
                    found.append(Suppressed(finding, "inline", comment.reason or NO_REASON, where))
        # An ignore names the type as reports do, or as a qualified name: a Python one or an Elixir module.
        names = dict.fromkeys(n for n in (finding.type_name, finding.python_type, finding.elixir_type) if n)
        indexes = sorted({i for name in names for i in self.by_type_rule.get((finding.rule, name), ())})
        for index in indexes:
            ignore = self.ignores[index]
            if ignore.field is None or ignore.field == finding.field:
                self.used_ignores.add(index)
                found.append(Suppressed(finding, "config", ignore.reason or NO_REASON, ignore.where))
        qualname = finding.python_type
        if qualname is not None:
            for entry in self.out_of_scope:
                if entry.covers(self.python_names.get(qualname, finding.type_name), qualname):
                    found.append(Suppressed(finding, "config", entry.reason, entry.where))
        return found[0] if found else None

    def diagnostics(self) -> Iterator[tuple[str, Diagnostic]]:
        for entry in self.out_of_scope:
            if not any(entry.covers(name, qualname) for qualname, name in self.python_names.items()):
                message = f"the unported entry {entry.glob!r} matches no audited Python type; correct or delete it"
                yield "config", Diagnostic(entry.where.path, entry.where.line, "warning", message)
        for index, ignore in enumerate(self.ignores):
            if index not in self.used_ignores:
                where = ignore.where
                yield "config", Diagnostic(where.path, where.line, "warning", _stale_ignore(ignore))
        for place, comment in self.comments.items():
            side, path, line = place
            for rule in comment.rules:
                if rule not in RULES_BY_SLUG:
                    message = f"parity-audit: ignore names {rule!r}, which is no rule; --list-rules shows them all"
                elif (place, rule) not in self.used_comments:
                    message = f"parity-audit: ignore[{rule}] suppresses nothing on this line; delete it"
                else:
                    continue
                yield side, Diagnostic(path, line, "warning", message)


def _stale_ignore(ignore: Ignore) -> str:
    where = type_and_field(ignore.type_name, ignore.field)
    if ignore.rule not in RULES_BY_SLUG:
        return f"the ignore of {ignore.rule!r} on {where} names no rule; --list-rules shows them all"
    return f"the ignore of {ignore.rule} on {where} matches no finding; delete it if the port was fixed"


def _not_understood(comments: Sequence[CommentScan]) -> Iterator[tuple[str, Diagnostic]]:
    message = "a parity-audit: comment that is not `# parity-audit: ignore[rule-slug, ...]`; it suppresses nothing"
    for scan in comments:
        for path, scanned in scan.files.items():
            for line in scanned.not_understood:
                yield scan.side, Diagnostic(path, line, "warning", message)


def triage(
    findings: Sequence[Finding],
    alignment: Alignment,
    severity_overrides: Mapping[str, Severity],
    ignores: Sequence[Ignore],
    comments: Sequence[CommentScan],
    baseline: RecordedBaseline | None,
    out_of_scope: Sequence[OutOfScope] = (),
) -> Triage:
    """`findings` as the engine reports them (in `Finding.sort_key` order); `comments` of both sides."""
    suppressor = _Suppressor(ignores, comments, alignment, out_of_scope)
    kept: list[Finding] = []
    suppressed: list[Suppressed] = []
    for finding in _with_severities(findings, severity_overrides):
        suppression = suppressor.suppression(finding)
        if suppression is None:
            kept.append(finding)
        else:
            suppressed.append(suppression)
    status = None if baseline is None else _compared_with(baseline, kept, suppressed)
    diagnostics = sorted([*suppressor.diagnostics(), *_not_understood(comments)])
    return Triage(tuple(kept), tuple(suppressed), status, tuple(diagnostics))


def _compared_with(
    baseline: RecordedBaseline, kept: Sequence[Finding], suppressed: Sequence[Suppressed]
) -> BaselineStatus:
    """Each recorded fingerprint covers one of today's findings, the first in report order; a finding whose
    fingerprint is not recorded may be under the form it had before another pair of its name came or went."""
    unmatched = Counter(baseline.fingerprints)
    baselined: set[Finding] = set()
    # A recorded finding that is suppressed today is accepted, not fixed, and still known to the baseline.
    candidates = [*kept, *(entry.finding for entry in suppressed)]
    for fingerprint_of in (attrgetter("fingerprint"), attrgetter("other_fingerprint")):
        for finding in candidates:
            fingerprint = fingerprint_of(finding)
            if finding not in baselined and unmatched[fingerprint] > 0:
                unmatched[fingerprint] -= 1
                baselined.add(finding)
    return BaselineStatus(baseline.path, frozenset(baselined), sum(unmatched.values()))
