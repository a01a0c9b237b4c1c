"""`--format sarif`: a SARIF 2.1.0 log, one run, for GitHub code scanning and other SARIF viewers.

Two checkouts take part in one audit, so every artifact URI is relative to its checkout and names it
with a `uriBaseId`: `ELIXIR_ROOT` (the port, where findings are fixed and where the log is uploaded)
or `PYTHON_ROOT` (the reference). Code scanning resolves relative URIs against the root of the
repository the log is uploaded to, so a log uploaded from the port's repository, audited with that
repository's root as the Elixir checkout, lands on the right lines.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote

from auditor import __version__
from auditor.audit import AuditResult, Checkout
from auditor.findings import Finding, Severity, SideRef, Suppressed
from auditor.model import Location
from auditor.reports import DEFAULT_OPTIONS, ReportOptions
from auditor.reports.summary import coverage, coverage_document
from auditor.rulebase import Rule
from auditor.rules import CATALOG

SARIF_VERSION = "2.1.0"
SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
FINGERPRINT_KEY = "parityAudit/v1"
"""`partialFingerprints` key of `Finding.fingerprint`; the version changes only if the fingerprint does."""
BASE_IDS = {"python": "PYTHON_ROOT", "elixir": "ELIXIR_ROOT"}
_SIDE_NAMES = {"python": "Python", "elixir": "Elixir"}

Side = Literal["python", "elixir"]
_SEVERITY_MENTION = re.compile(r"\b(?:P[0-3]|info)\b")
_BRACKET = re.compile(r"[\[\]]")


def level(severity: Severity) -> str:
    """The SARIF level: error for what breaks the wire (P0, P1), warning for P2, note for the rest."""
    if severity in (Severity.P0, Severity.P1):
        return "error"
    if severity is Severity.P2:
        return "warning"
    return "note"


def primary_side(finding: Finding) -> tuple[Side, SideRef]:
    """Where a finding is reported: the Elixir side, where the port is fixed, or the Python definition
    for what the port lacks altogether."""
    if finding.elixir is not None:
        return "elixir", finding.elixir
    if finding.python is None:
        raise ValueError(f"finding {finding.rule} on {finding.type_name} points at neither side")
    return "python", finding.python


def _message(text: str) -> dict[str, str]:
    """A plain-text SARIF message. Brackets are escaped, as SARIF requires of brackets that do not
    form an embedded link, so a name such as `[x](1)` stays text instead of becoming a link."""
    return {"text": _BRACKET.sub(lambda match: "\\" + match.group(), text)}


def _default_severity(rule: Rule) -> Severity:
    """The most severe level the rule's documented severity mentions ("P3 (...) / P1 (...)" is P1)."""
    mentioned = [Severity(found) for found in _SEVERITY_MENTION.findall(rule.severity)]
    return min(mentioned, key=lambda severity: severity.rank)


def _rule_name(slug: str) -> str:
    return "".join(part.capitalize() for part in slug.split("-"))


def _help_markdown(rule: Rule) -> str:
    parts = [rule.summary, f"**Why it matters.** {rule.explanation}", f"**How to fix.** {rule.fix}"]
    for example in rule.examples:
        verdict = "Fires on" if example.fires else "Does not fire on"
        parts.append(
            f"**{verdict}:**\n\n```python\n{example.python.rstrip()}\n```\n\n```elixir\n{example.elixir.rstrip()}\n```"
        )
    return "\n\n".join(parts)


def _rule_descriptor(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.slug,
        "name": _rule_name(rule.slug),
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.explanation},
        "help": {"text": f"{rule.explanation}\n\nHow to fix: {rule.fix}", "markdown": _help_markdown(rule)},
        "defaultConfiguration": {"level": level(_default_severity(rule))},
        "properties": {"severity": rule.severity},
    }


def _file_uri(path: str) -> str:
    """An absolute `file:` URI (percent-encoded) for a path as given, relative to the working directory."""
    return Path(os.path.abspath(path)).as_uri()


def _root(checkout: Checkout, description: str) -> dict[str, Any]:
    uri = _file_uri(checkout.root)
    root: dict[str, Any] = {
        "uri": uri if uri.endswith("/") else uri + "/",
        "description": {"text": f"{description}, given as {checkout.root}"},
    }
    provenance = {
        "revision": checkout.revision,
        "commit": checkout.commit,
        "commitDate": checkout.commit_date,
        "branch": checkout.branch,
    }
    known = {key: value for key, value in provenance.items() if value is not None}
    if known:
        root["properties"] = known
    return root


def _physical(artifact: dict[str, str], line: int) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": artifact}
    if line >= 1:
        physical["region"] = {"startLine": line}
    return physical


def _physical_location(base_id: str, location: Location) -> dict[str, Any]:
    """A file relative to one checkout, percent-encoded (a path is not a URI: `#`, `%`, spaces, non-ASCII)."""
    return _physical({"uri": quote(location.path), "uriBaseId": base_id}, location.line)


def _location(side: Side, ref: SideRef) -> dict[str, Any]:
    name = _SIDE_NAMES[side]
    text = f"{name}: {ref.annotation}" if ref.annotation else f"{name}: the type's definition"
    return {"physicalLocation": _physical_location(BASE_IDS[side], ref.location), "message": _message(text)}


def _suppression(suppressed: Suppressed) -> dict[str, Any]:
    entry: dict[str, Any] = {"justification": suppressed.reason, "status": "accepted"}
    if suppressed.source == "config":
        entry["kind"] = "external"
        # The config file belongs to neither checkout: its path is as given, relative to the working directory.
        config_file = {"uri": _file_uri(suppressed.where.path)}
        entry["location"] = {"physicalLocation": _physical(config_file, suppressed.where.line)}
    else:
        entry["kind"] = "inSource"
        side = _side_holding(suppressed.finding, suppressed.where.path)
        if side is not None:
            entry["location"] = {"physicalLocation": _physical_location(BASE_IDS[side], suppressed.where)}
    return entry


def _side_holding(finding: Finding, path: str) -> Side | None:
    """The side whose file holds an inline suppression comment: the file of the finding on that side."""
    if finding.elixir is not None and finding.elixir.location.path == path:
        return "elixir"
    if finding.python is not None and finding.python.location.path == path:
        return "python"
    return None


@dataclass(frozen=True)
class _Reported:
    finding: Finding
    suppressed: Suppressed | None = None

    def sort_key(self) -> tuple[object, ...]:
        return (self.finding.sort_key(), self.finding.fingerprint, self.suppressed is not None)


def _result(result: AuditResult, reported: _Reported, rule_index: dict[str, int]) -> dict[str, Any]:
    finding = reported.finding
    side, ref = primary_side(finding)
    entry: dict[str, Any] = {
        "ruleId": finding.rule,
        "ruleIndex": rule_index[finding.rule],
        "level": level(finding.severity),
        "message": _message(finding.message),
        "locations": [_location(side, ref)],
        "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint},
        "properties": {"severity": finding.severity.value, "type": finding.type_name, "field": finding.field},
    }
    if side == "elixir" and finding.python is not None:
        entry["relatedLocations"] = [_location("python", finding.python)]
    if result.baseline is not None:
        entry["baselineState"] = "new" if result.is_new(finding) else "unchanged"
    if reported.suppressed is not None:
        entry["suppressions"] = [_suppression(reported.suppressed)]
    return entry


def _notifications(result: AuditResult) -> Iterator[dict[str, Any]]:
    for side, diagnostic in result.diagnostics:
        if side == "config":
            # A config file belongs to neither checkout: its path is as given, relative to the working directory.
            physical = _physical({"uri": _file_uri(diagnostic.path)}, diagnostic.line)
        else:
            # Alignment diagnostics name Python types, at their Python paths.
            base_id = BASE_IDS["elixir" if side == "elixir" else "python"]
            physical = _physical_location(base_id, Location(diagnostic.path, diagnostic.line))
        yield {
            "level": "error" if diagnostic.level == "error" else "warning",
            "message": _message(diagnostic.message),
            "locations": [{"physicalLocation": physical}],
            "properties": {"side": side},
        }


def document(result: AuditResult) -> dict[str, Any]:
    rule_index = {rule.slug: index for index, rule in enumerate(CATALOG)}
    reported = [_Reported(finding) for finding in result.findings]
    reported += [_Reported(entry.finding, entry) for entry in result.suppressed]
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "parity-audit",
                "version": __version__,
                "rules": [_rule_descriptor(rule) for rule in CATALOG],
            }
        },
        "originalUriBaseIds": {
            BASE_IDS["python"]: _root(result.python_input, "The Python SDK checkout (the reference)"),
            BASE_IDS["elixir"]: _root(result.elixir_input, "The Elixir port checkout (audited)"),
        },
        "invocations": [{"executionSuccessful": True, "toolExecutionNotifications": list(_notifications(result))}],
        "results": [_result(result, entry, rule_index) for entry in sorted(reported, key=_Reported.sort_key)],
    }
    run["properties"] = {"coverage": coverage_document(coverage(result))}
    if result.baseline is not None:
        run["properties"]["baseline"] = {"path": result.baseline.path, "fixed": result.baseline.fixed}
    return {"$schema": SCHEMA_URI, "version": SARIF_VERSION, "runs": [run]}


def render(result: AuditResult, options: ReportOptions = DEFAULT_OPTIONS) -> str:
    return json.dumps(document(result), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
