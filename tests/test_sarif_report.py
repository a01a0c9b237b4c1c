"""`--format sarif`: a valid SARIF 2.1.0 log whose results, rules, locations and fingerprints are the audit's."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from auditor.rules import CATALOG, RULES_BY_SLUG

from auditor import __version__
from auditor.audit import AuditOptions, AuditResult, Checkout, run_audit
from auditor.findings import BaselineStatus, Finding, Ignore, SideRef, Suppressed
from auditor.model import Location
from auditor.reports.sarif_report import render
from tests.bad_input.corpus import run_cli
from tests.conftest import REPO_ROOT, SAMPLE_ELIXIR, SAMPLE_PYTHON, write_tree

SCHEMA_PATH = REPO_ROOT.parent / "shared" / "schemas" / "sarif-schema-2.1.0.json"
LEVELS = {"P0": "error", "P1": "error", "P2": "warning", "P3": "note", "info": "note"}
# RFC 3986: a URI reference holds only these characters, and `%` only as the start of an escape.
URI_REFERENCE = re.compile(r"(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-F]{2})*")


@pytest.fixture(scope="module")
def sample() -> AuditResult:
    return run_audit(AuditOptions(SAMPLE_PYTHON, SAMPLE_ELIXIR))


@pytest.fixture(scope="module")
def sample_log(sample: AuditResult) -> dict[str, Any]:
    return json.loads(render(sample))


def _validate(log: dict[str, Any]) -> None:
    if not SCHEMA_PATH.is_file():
        pytest.skip(f"the SARIF 2.1.0 schema is not at {SCHEMA_PATH} (shared/ is not beside the project)")
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)
    # The validator is the draft the schema declares (draft-04 for the OASIS schema), not a newer default.
    assert validator.META_SCHEMA["id"].rstrip("#") == schema["$schema"].rstrip("#")
    validator.check_schema(schema)
    validator(schema, format_checker=validator.FORMAT_CHECKER).validate(log)
    assert log["$schema"] == schema["id"]


def _messages(value: Any) -> Iterator[str]:
    """Every SARIF `message` text in the log (rule descriptions are not messages and may hold brackets)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "message":
                yield item["text"]
            else:
                yield from _messages(item)
    elif isinstance(value, list):
        for item in value:
            yield from _messages(item)


def _artifact_uris(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        if "uri" in value:
            yield value["uri"]
        for item in value.values():
            yield from _artifact_uris(item)
    elif isinstance(value, list):
        for item in value:
            yield from _artifact_uris(item)


def _physical(location: dict[str, Any]) -> tuple[str, str, int]:
    physical = location["physicalLocation"]
    artifact = physical["artifactLocation"]
    return artifact["uriBaseId"], artifact["uri"], physical["region"]["startLine"]


def _expected(base_id: str, side: SideRef) -> tuple[str, str, int]:
    return base_id, quote(side.location.path), side.location.line


def test_the_cli_writes_a_log_that_validates_against_the_official_schema() -> None:
    run = run_cli(SAMPLE_PYTHON, SAMPLE_ELIXIR, "--format", "sarif", "--no-cache", "--fail-on", "never")
    assert run.returncode == 0, run.stderr
    log = json.loads(run.stdout.decode("utf-8"))
    _validate(log)
    assert log["version"] == "2.1.0"
    assert len(log["runs"]) == 1
    driver = log["runs"][0]["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("parity-audit", __version__)


def test_the_cli_log_is_the_rendered_result_and_rendering_is_deterministic(sample: AuditResult) -> None:
    run = run_cli(SAMPLE_PYTHON, SAMPLE_ELIXIR, "--format", "sarif", "--no-cache", "--fail-on", "never")
    assert run.stdout.decode("utf-8") == render(sample) == render(sample)


def test_one_result_per_finding_with_its_rule_level_and_fingerprint(
    sample: AuditResult, sample_log: dict[str, Any]
) -> None:
    results = sample_log["runs"][0]["results"]
    assert len(results) == len(sample.findings) == 42
    assert {finding.severity.value for finding in sample.findings} == set(LEVELS)
    for finding, entry in zip(sample.findings, results, strict=True):
        assert entry["ruleId"] == finding.rule
        assert entry["level"] == LEVELS[finding.severity.value]
        assert entry["message"]["text"] == finding.message.replace("[", "\\[").replace("]", "\\]")
        assert entry["partialFingerprints"] == {"parityAudit/v1": finding.fingerprint}
        assert entry["properties"] == {
            "severity": finding.severity.value,
            "type": finding.type_name,
            "field": finding.field,
        }
        assert "baselineState" not in entry and "suppressions" not in entry


def test_rules_are_the_catalog_and_every_rule_index_points_at_its_rule(sample_log: dict[str, Any]) -> None:
    run = sample_log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules] == [rule.slug for rule in CATALOG]
    for entry in run["results"]:
        assert rules[entry["ruleIndex"]]["id"] == entry["ruleId"]
    by_id = {rule["id"]: rule for rule in rules}
    missing_field = by_id["missing-field"]
    catalog_rule = RULES_BY_SLUG["missing-field"]
    assert missing_field["name"] == "MissingField"
    assert missing_field["shortDescription"]["text"] == catalog_rule.summary
    assert missing_field["fullDescription"]["text"] == catalog_rule.explanation
    assert missing_field["help"]["text"] == f"{catalog_rule.explanation}\n\nHow to fix: {catalog_rule.fix}"
    assert catalog_rule.fix in missing_field["help"]["markdown"]
    assert "```elixir\ndefmodule Shop.Invoice do" in missing_field["help"]["markdown"]
    assert missing_field["properties"] == {"severity": "P0 (required in Python) / P1 (optional)"}
    # A rule's default level is the most severe its documentation mentions.
    defaults = {rule["id"]: rule["defaultConfiguration"]["level"] for rule in rules}
    assert defaults["missing-field"] == "error"
    assert defaults["optionality-mismatch"] == "error"  # "P3 (...) / P1 (...)"
    assert defaults["datetime-as-string"] == "warning"
    assert defaults["default-mismatch"] == "note"
    assert defaults["atom-enum"] == "note"


def test_elixir_side_is_primary_python_related_and_missing_types_point_at_python(
    sample: AuditResult, sample_log: dict[str, Any]
) -> None:
    results = sample_log["runs"][0]["results"]
    missing = [f.type_name for f in sample.findings if f.elixir is None]
    elixir_only = [f.type_name for f in sample.findings if f.python is None]
    assert missing == ["Orientation", "ShapeLayer"]
    assert elixir_only == ["ErrorBody", "Margins"]
    for finding, entry in zip(sample.findings, results, strict=True):
        [primary] = entry["locations"]
        if finding.elixir is not None:
            assert _physical(primary) == _expected("ELIXIR_ROOT", finding.elixir)
            if finding.python is not None:
                [related] = entry["relatedLocations"]
                assert _physical(related) == _expected("PYTHON_ROOT", finding.python)
            else:
                assert "relatedLocations" not in entry
        else:
            assert finding.python is not None
            assert _physical(primary) == _expected("PYTHON_ROOT", finding.python)
            assert "relatedLocations" not in entry
    pages = next(e for e in results if e["ruleId"] == "flattened-nesting")
    assert pages["locations"][0]["message"]["text"] == "Elixir: \\[String.t()\\]"
    assert pages["relatedLocations"][0]["message"]["text"] == "Python: List\\[Size\\]"
    assert _physical(pages["locations"][0]) == ("ELIXIR_ROOT", "lib/pixelmill/types/proof_job.ex", 16)


def test_uri_base_ids_name_both_checkouts_as_file_uris(sample_log: dict[str, Any]) -> None:
    bases = sample_log["runs"][0]["originalUriBaseIds"]
    assert set(bases) == {"PYTHON_ROOT", "ELIXIR_ROOT"}
    assert bases["PYTHON_ROOT"]["uri"] == SAMPLE_PYTHON.as_uri() + "/"
    assert bases["ELIXIR_ROOT"]["uri"] == SAMPLE_ELIXIR.as_uri() + "/"
    assert bases["ELIXIR_ROOT"]["description"]["text"].endswith(f"given as {SAMPLE_ELIXIR}")
    for uri in _artifact_uris(sample_log):
        assert URI_REFERENCE.fullmatch(uri), uri


def test_paths_and_roots_are_percent_encoded(tmp_path: Path) -> None:
    python_root = write_tree(tmp_path / "sdk 100%", {"shop/__init__.py": "", "shop/types.py": _INVOICE_PY})
    elixir_root = write_tree(tmp_path / "port #1 é", {"lib/my dir/in#voice 100%é.ex": _INVOICE_EX})
    log = json.loads(render(run_audit(AuditOptions(python_root, elixir_root))))
    _validate(log)
    run = log["runs"][0]
    assert run["originalUriBaseIds"]["ELIXIR_ROOT"]["uri"].endswith("/port%20%231%20%C3%A9/")
    assert run["originalUriBaseIds"]["PYTHON_ROOT"]["uri"].endswith("/sdk%20100%25/")
    elixir_uris = {
        entry["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for entry in run["results"]
    }
    assert elixir_uris == {"lib/my%20dir/in%23voice%20100%25%C3%A9.ex"}
    for uri in _artifact_uris(log):
        assert URI_REFERENCE.fullmatch(uri), uri


_INVOICE_PY = "from pydantic import BaseModel\n\n\nclass Invoice(BaseModel):\n    total: int\n    note: str = ''\n"
_INVOICE_EX = "defmodule Shop.Invoice do\n  defstruct [:total]\n  @type t :: %__MODULE__{total: integer()}\nend\n"


def test_brackets_from_audited_text_cannot_become_embedded_links(sample: AuditResult) -> None:
    hostile = replace(sample.findings[0], message="see [here](1) or [there](https://example.com) \\[x]")
    log = json.loads(render(replace(sample, findings=(hostile, *sample.findings[1:]))))
    _validate(log)
    assert log["runs"][0]["results"][0]["message"]["text"] == (
        "see \\[here\\](1) or \\[there\\](https://example.com) \\\\[x\\]"
    )
    for text in _messages(log):
        assert not re.search(r"(?<!\\)[\[\]]", text), text


def test_suppressed_and_baselined_findings_keep_their_results(sample: AuditResult) -> None:
    by_rule = {finding.rule: finding for finding in sample.findings}
    ignored, commented, baselined = by_rule["extra-type"], by_rule["datetime-as-string"], by_rule["missing-field"]
    assert commented.elixir is not None
    suppressed = (
        Suppressed(ignored, "config", "ErrorBody is the port's own", Location("parity audit.toml", 7)),
        Suppressed(commented, "inline", "decoded by hand", Location(commented.elixir.location.path, 12)),
    )
    kept = tuple(f for f in sample.findings if f not in (ignored, commented))
    baseline = BaselineStatus("baseline.json", frozenset({baselined}), fixed=2)
    log = json.loads(render(replace(sample, findings=kept, suppressed=suppressed, baseline=baseline)))
    _validate(log)
    run = log["runs"][0]
    results = run["results"]
    assert len(results) == len(sample.findings)
    by_fingerprint = {entry["partialFingerprints"]["parityAudit/v1"]: entry for entry in results}
    assert by_fingerprint[baselined.fingerprint]["baselineState"] == "unchanged"
    assert sum(entry["baselineState"] == "unchanged" for entry in results) == 1
    assert all(entry["baselineState"] in ("new", "unchanged") for entry in results)
    assert run["properties"]["baseline"] == {"path": "baseline.json", "fixed": 2}
    assert set(run["properties"]) == {"baseline", "coverage"}

    [external] = by_fingerprint[ignored.fingerprint]["suppressions"]
    assert external["kind"] == "external"
    assert external["justification"] == "ErrorBody is the port's own"
    assert external["status"] == "accepted"
    config_uri = external["location"]["physicalLocation"]["artifactLocation"]["uri"]
    assert config_uri == (Path.cwd() / "parity audit.toml").as_uri()
    assert config_uri.endswith("/parity%20audit.toml")
    assert external["location"]["physicalLocation"]["region"] == {"startLine": 7}

    [in_source] = by_fingerprint[commented.fingerprint]["suppressions"]
    assert in_source["kind"] == "inSource"
    assert in_source["justification"] == "decoded by hand"
    assert _physical(in_source["location"]) == ("ELIXIR_ROOT", quote(commented.elixir.location.path), 12)
    unsuppressed = [entry for entry in results if "suppressions" not in entry]
    assert len(unsuppressed) == len(kept)


def test_an_inline_suppression_in_a_file_of_neither_side_has_no_location(sample: AuditResult) -> None:
    finding = sample.findings[0]
    elsewhere = Suppressed(finding, "inline", "accepted", Location("lib/other.ex", 3))
    log = json.loads(render(replace(sample, findings=sample.findings[1:], suppressed=(elsewhere,))))
    _validate(log)
    [suppression] = log["runs"][0]["results"][0]["suppressions"]
    assert suppression == {"kind": "inSource", "justification": "accepted", "status": "accepted"}


def test_diagnostics_are_tool_execution_notifications_with_locations(tmp_path: Path) -> None:
    python_root = write_tree(tmp_path / "py", {"shop/__init__.py": "", "shop/types.py": _INVOICE_PY})
    elixir_root = write_tree(
        tmp_path / "ex",
        {"lib/shop/invoice.ex": _INVOICE_EX, "lib/shop/broken.ex": "defmodule Shop.Broken do\n  defstruct [:a\nend\n"},
    )
    result = run_audit(AuditOptions(python_root, elixir_root))
    [(side, diagnostic)] = result.diagnostics
    assert (side, diagnostic.path, diagnostic.level) == ("elixir", "lib/shop/broken.ex", "error")
    log = json.loads(render(result))
    _validate(log)
    [invocation] = log["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is True
    [notification] = invocation["toolExecutionNotifications"]
    assert notification["level"] == "error"
    assert notification["message"]["text"] == diagnostic.message.replace("[", "\\[").replace("]", "\\]")
    assert notification["properties"] == {"side": "elixir"}
    [location] = notification["locations"]
    assert _physical(location) == ("ELIXIR_ROOT", "lib/shop/broken.ex", diagnostic.line)


def test_a_location_without_a_line_has_no_region(sample: AuditResult) -> None:
    finding: Finding = sample.findings[0]
    assert finding.elixir is not None
    lineless = replace(finding, elixir=replace(finding.elixir, location=Location(finding.elixir.location.path, 0)))
    log = json.loads(render(replace(sample, findings=(lineless,))))
    _validate(log)
    physical = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert "region" not in physical


def test_a_checkout_at_a_known_commit_carries_it_on_its_base_id(sample: AuditResult) -> None:
    elixir = Checkout(str(SAMPLE_ELIXIR), revision="v1.2", commit="0" * 40, commit_date="2024-05-01T10:00:00+00:00")
    # The sample repos may sit in a git checkout whose commit the Python side then carries: clear it.
    log = json.loads(render(replace(sample, elixir_input=elixir, python_input=Checkout(str(SAMPLE_PYTHON)))))
    _validate(log)
    bases = log["runs"][0]["originalUriBaseIds"]
    assert bases["ELIXIR_ROOT"]["properties"] == {
        "revision": "v1.2",
        "commit": "0" * 40,
        "commitDate": "2024-05-01T10:00:00+00:00",
    }
    assert "properties" not in bases["PYTHON_ROOT"]


def test_a_stale_config_ignore_is_a_notification_at_the_config_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    python_root = write_tree(tmp_path / "py", {"shop/__init__.py": "", "shop/types.py": _INVOICE_PY})
    elixir_root = write_tree(tmp_path / "ex", {"lib/shop/invoice.ex": _INVOICE_EX})
    monkeypatch.chdir(tmp_path)
    stale = Ignore("missing-field", "Nowhere", None, "left over", Location("ci/parity.toml", 7))
    log = json.loads(render(run_audit(AuditOptions(python_root, elixir_root, ignores=(stale,)))))
    _validate(log)
    [notification] = log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert notification["properties"] == {"side": "config"}
    [location] = notification["locations"]
    assert location["physicalLocation"] == {
        "artifactLocation": {"uri": (tmp_path / "ci" / "parity.toml").as_uri()},
        "region": {"startLine": 7},
    }
