"""Baseline files: the findings a port accepted on a given day, recorded by fingerprint.

`--write-baseline FILE` writes one; `--baseline FILE` reads it, and findings it records are reported
but never fail the run. Only fingerprints are matched (rule, type, field and side: not lines, files or
messages); the rule, type, field and severity beside each are for people reviewing the file's diff.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from auditor import __version__, result_cache
from auditor.findings import Finding

BASELINE_VERSION = 1


class BaselineError(Exception):
    """A baseline file that is missing, unreadable or malformed; the message is one sentence naming it."""


@dataclass(frozen=True)
class RecordedBaseline:
    path: str
    """As given."""
    fingerprints: Counter[str]
    """How many findings of each fingerprint the file records: Elixir-only modules that end in the
    same segment share one, and each counts."""


def baseline_document(findings: Iterable[Finding]) -> bytes:
    """The baseline file for these findings: JSON sorted by type, field and rule, so it diffs well."""
    entries = sorted(
        (
            {
                "fingerprint": finding.fingerprint,
                "rule": finding.rule,
                "type": finding.type_name,
                "field": finding.field,
                "severity": finding.severity.value,
            }
            for finding in findings
        ),
        key=lambda entry: (entry["type"], entry["field"] or "", entry["rule"], entry["fingerprint"]),
    )
    document = {
        "version": BASELINE_VERSION,
        "tool": {"name": "parity-audit", "version": __version__},
        "findings": entries,
    }
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def read_baseline(path: Path) -> RecordedBaseline:
    result_cache.observe(path)
    # Checked first: reading a FIFO named like the baseline would block forever.
    if not path.is_file():
        problem = "does not exist" if not path.exists() else "is not a regular file"
        raise BaselineError(f"The baseline file {path} {problem}; write one with --write-baseline.")
    try:
        data = path.read_bytes()
    except OSError as error:
        raise BaselineError(f"The baseline file {path} cannot be read: {error.strerror or error}.") from None
    try:
        fingerprints = _fingerprints(json.loads(data))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        fingerprints = "not JSON"
    if isinstance(fingerprints, str):
        raise BaselineError(f"The baseline file {path} is not a baseline written by --write-baseline ({fingerprints}).")
    return RecordedBaseline(str(path), fingerprints)


def _fingerprints(document: object) -> Counter[str] | str:
    """The recorded fingerprints, or what keeps the document from having the shape `baseline_document` writes."""
    if not isinstance(document, dict):
        return "not a JSON object"
    version = document.get("version")
    if version != BASELINE_VERSION or isinstance(version, bool):
        return f"version {version!r}, this parity-audit reads version {BASELINE_VERSION}"
    entries = document.get("findings")
    if not isinstance(entries, list):
        return "no list of findings"
    fingerprints: Counter[str] = Counter()
    for entry in entries:
        fingerprint = entry.get("fingerprint") if isinstance(entry, dict) else None
        if not isinstance(fingerprint, str):
            return "a finding without a fingerprint"
        fingerprints[fingerprint] += 1
    return fingerprints
