"""Baselines: `--write-baseline` records today's findings, `--baseline` fails only on the others."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor import __version__
from auditor.audit import AuditOptions, AuditResult, run_audit
from auditor.baseline import baseline_document
from auditor.findings import FailOn, Ignore, Severity
from auditor.model import Location
from auditor.reports import json_report as json_format
from auditor.reports import sarif_report
from tests.conftest import SAMPLE_ELIXIR, SAMPLE_PYTHON, copy_samples, edit_once, invoke, write_tree

SAMPLE_FINDINGS = 42


def json_report(*args: str | Path) -> tuple[int, dict]:
    result = invoke(*args, "--format", "json")
    return result.exit_code, json.loads(result.stdout)


def expected_fingerprint(rule: str, type_name: str, field: str) -> str:
    """Rule, type, field and side (both sides here), as `Finding.fingerprint` documents it."""
    return hashlib.sha256("\x1f".join((rule, type_name, field, "both")).encode()).hexdigest()[:20]


def test_write_baseline_records_findings_as_sorted_json_and_exits_0(tmp_path: Path) -> None:
    model = "from pydantic import BaseModel\n\nclass Invoice(BaseModel):\n    total: int\n    note: str = ''\n"
    port = (
        "defmodule Shop.Invoice do\n  defstruct [:total, :cache]\n"
        "  @type t :: %__MODULE__{total: String.t(), cache: map()}\nend\n"
    )
    python = write_tree(tmp_path / "py", {"shop/__init__.py": "", "shop/types.py": model})
    elixir = write_tree(tmp_path / "ex", {"lib/shop/invoice.ex": port})
    baseline = tmp_path / "reviewed" / "parity-baseline.json"
    result = invoke(python, elixir, "--write-baseline", baseline, "--no-cache")
    assert result.exit_code == 0  # two P1 findings, and the default --fail-on P2: written, not failed
    assert "total  P1 type-mismatch" in result.stdout  # the report is printed as usual
    entries = [("extra-field", "cache", "P3"), ("missing-field", "note", "P1"), ("type-mismatch", "total", "P1")]
    findings = ",".join(
        f"""
    {{
      "fingerprint": "{expected_fingerprint(rule, "Invoice", field)}",
      "rule": "{rule}",
      "type": "Invoice",
      "field": "{field}",
      "severity": "{severity}"
    }}"""
        for rule, field, severity in entries
    )
    assert baseline.read_text() == (
        f'{{\n  "version": 1,\n  "tool": {{\n    "name": "parity-audit",\n    "version": "{__version__}"\n  }},\n'
        f'  "findings": [{findings}\n  ]\n}}\n'
    )
    assert sorted(path.name for path in baseline.parent.iterdir()) == ["parity-baseline.json"]  # no temp file left
    assert invoke(python, elixir, "--baseline", baseline, "--no-cache", "--fail-on", "P3").exit_code == 0
    assert invoke(python, elixir, "--no-cache").exit_code == 1


def test_a_baseline_of_todays_findings_passes_even_a_p0(tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    assert invoke(SAMPLE_PYTHON, SAMPLE_ELIXIR, "--write-baseline", baseline, "--fail-on", "P0").exit_code == 0
    assert invoke(SAMPLE_PYTHON, SAMPLE_ELIXIR, "--fail-on", "P0").exit_code == 1
    result = invoke(SAMPLE_PYTHON, SAMPLE_ELIXIR, "--baseline", baseline, "--fail-on", "P0")
    assert result.exit_code == 0
    assert f"Baseline {baseline}: 0 new, {SAMPLE_FINDINGS} baselined, 0 fixed\n" in result.stdout
    # Baselined findings are counted, not listed, unless asked for.
    assert f"\n{SAMPLE_FINDINGS} baselined findings not shown; --show-baselined lists them\n" in result.stdout
    assert "missing-field" not in result.stdout
    assert result.stdout.endswith("\npassed: no new finding at or above P0\n")
    shown = invoke(SAMPLE_PYTHON, SAMPLE_ELIXIR, "--baseline", baseline, "--fail-on", "P0", "--show-baselined")
    assert "\nBaselined\n" in shown.stdout
    assert "  filename  P0 missing-field  (baselined)  `filename` (required)" in shown.stdout
    code, document = json_report(SAMPLE_PYTHON, SAMPLE_ELIXIR, "--baseline", baseline, "--fail-on", "P0")
    assert code == 0
    assert {finding["baselined"] for finding in document["findings"]} == {True}
    assert (document["summary"]["baselined"], document["summary"]["new"]) == (SAMPLE_FINDINGS, 0)
    assert document["baseline"] == {"path": str(baseline), "fixed": 0}


def test_a_new_p0_beside_baselined_ones_fails_and_the_report_counts_new_baselined_and_fixed(
    tmp_path: Path,
) -> None:
    python, elixir = copy_samples(tmp_path)
    baseline = tmp_path / "baseline.json"
    assert invoke(python, elixir, "--write-baseline", baseline).exit_code == 0
    # New: a required Python field the port lacks (P0). Fixed: the port gains Asset.filename.
    edit_once(python / "pixelmill/types/asset.py", "    byte_size: int\n", "    byte_size: int\n    license: str\n")
    asset = elixir / "lib/pixelmill/types/asset.ex"
    edit_once(asset, "defstruct [:id, ", "defstruct [:id, :filename, ")
    edit_once(asset, "          id: String.t(),\n", "          id: String.t(),\n          filename: String.t(),\n")
    result = invoke(python, elixir, "--baseline", baseline, "--fail-on", "P0")
    assert result.exit_code == 1
    assert f"Baseline {baseline}: 1 new, {SAMPLE_FINDINGS - 1} baselined, 1 fixed\n" in result.stdout
    assert "  license  P0 missing-field  `license` (required)" in result.stdout  # not marked baselined
    # The new finding comes before the count of baselined ones, and the last line names what fails.
    lines = result.stdout.splitlines()
    new_at = next(n for n, line in enumerate(lines) if line.startswith("  license  P0 missing-field"))
    assert lines[new_at + 3 :] == [
        "",
        f"{SAMPLE_FINDINGS - 1} baselined findings not shown; --show-baselined lists them",
        "",
        "failed: 1 new finding at or above P0 (Asset.license missing-field P0)",
    ]
    code, document = json_report(python, elixir, "--baseline", baseline, "--fail-on", "P0")
    assert code == 1
    new = [(f["rule"], f["type"], f["field"], f["severity"]) for f in document["findings"] if not f["baselined"]]
    assert new == [("missing-field", "Asset", "license", "P0")]
    assert (document["summary"]["new"], document["summary"]["baselined"]) == (1, SAMPLE_FINDINGS - 1)
    assert document["baseline"] == {"path": str(baseline), "fixed": 1}
    # With nothing new, the run passes at any threshold.
    edit_once(python / "pixelmill/types/asset.py", "    license: str\n", "")
    assert invoke(python, elixir, "--baseline", baseline, "--fail-on", "P3").exit_code == 0


def test_modules_that_share_a_last_segment_are_told_apart_and_each_can_be_fixed(tmp_path: Path) -> None:
    # Two Elixir-only modules ending in the same segment: two extra-type findings, keyed on their modules.
    python, elixir = copy_samples(tmp_path)
    before = [f for f in json_report(python, elixir)[1]["findings"] if f["rule"] == "extra-type"]
    (alone,) = [f for f in before if f["type"] == "ErrorBody"]
    twin = elixir / "lib/pixelmill/legacy/error_body.ex"
    twin.parent.mkdir()
    twin.write_text(
        "defmodule Pixelmill.Legacy.ErrorBody do\n  defstruct [:code]\n  @type t :: %__MODULE__{code: integer()}\nend\n"
    )
    baseline = tmp_path / "baseline.json"
    assert invoke(python, elixir, "--write-baseline", baseline).exit_code == 0
    recorded = [entry["fingerprint"] for entry in json.loads(baseline.read_text())["findings"]]
    twins = [f for f in json_report(python, elixir)[1]["findings"] if f["type"] == "ErrorBody"]
    assert sorted(f["elixir_type"] for f in twins) == ["Pixelmill.Legacy.ErrorBody", "Pixelmill.Types.ErrorBody"]
    assert len({f["fingerprint"] for f in twins}) == 2 and alone["fingerprint"] not in recorded
    assert all(recorded.count(f["fingerprint"]) == 1 for f in twins)

    # Alone again, the module's finding takes its old fingerprint back, and the baseline still knows it.
    twin.unlink()
    _, fixed_one = json_report(python, elixir, "--baseline", baseline)
    (back,) = [f for f in fixed_one["findings"] if f["type"] == "ErrorBody"]
    assert back["fingerprint"] == alone["fingerprint"] and back["baselined"]
    assert (fixed_one["summary"]["new"], fixed_one["baseline"]["fixed"]) == (0, 1)

    twin.write_text(twin_source := "defmodule Pixelmill.Legacy.ErrorBody do\n  defstruct [:code]\nend\n")
    third = elixir / "lib/pixelmill/older/error_body.ex"
    third.parent.mkdir()
    third.write_text(twin_source.replace("Legacy", "Older"))
    _, one_too_many = json_report(python, elixir, "--baseline", baseline)
    new = [(f["rule"], f["elixir_type"]) for f in one_too_many["findings"] if not f["baselined"]]
    assert new == [("extra-type", "Pixelmill.Older.ErrorBody")]
    assert one_too_many["baseline"]["fixed"] == 0


def places(result: AuditResult) -> set[tuple[Location | None, Location | None]]:
    return {(f.python.location if f.python else None, f.elixir.location if f.elixir else None) for f in result.findings}


def test_fingerprints_survive_moved_lines_moved_files_and_new_severities(tmp_path: Path) -> None:
    python, elixir = copy_samples(tmp_path)
    baseline = tmp_path / "baseline.json"
    before = run_audit(AuditOptions(python, elixir))
    assert invoke(python, elixir, "--write-baseline", baseline).exit_code == 0
    asset_py = python / "pixelmill/types/asset.py"
    asset_py.write_text("# Moved about.\n\n" + asset_py.read_text())
    edit_once(asset_py, "    id: str\n    filename: str\n", "    id: str\n")  # the field moves to the end of its class
    last = "    dimensions: Optional[Size] = None\n"
    edit_once(asset_py, last, last + "    filename: str\n")
    moved_ex = elixir / "lib/pixelmill/aaa/first.ex"  # another file, now read before every other one
    moved_ex.parent.mkdir()
    (elixir / "lib/pixelmill/types/asset.ex").rename(moved_ex)
    edit_once(moved_ex, "  alias Pixelmill.Types.Size\n", "\n\n  alias Pixelmill.Types.Size\n")
    after = run_audit(AuditOptions(python, elixir, severity_overrides={"missing-field": Severity.P2}))
    assert [f.fingerprint for f in after.findings] != []
    assert places(after) != places(before)  # the findings really point elsewhere now
    assert {f.fingerprint for f in after.findings} == {f.fingerprint for f in before.findings}
    result = invoke(python, elixir, "--baseline", baseline, "--fail-on", "P3")
    assert result.exit_code == 0
    assert f"0 new, {SAMPLE_FINDINGS} baselined, 0 fixed" in result.stdout


def test_a_fingerprint_ignores_message_severity_and_lines() -> None:
    finding = run_audit(AuditOptions(SAMPLE_PYTHON, SAMPLE_ELIXIR)).findings[0]
    assert finding.python is not None
    reworded = replace(
        finding,
        message="reworded entirely",
        severity=Severity.INFO,
        python=replace(finding.python, location=Location("elsewhere.py", 999)),
    )
    assert reworded.fingerprint == finding.fingerprint
    assert replace(finding, field="other").fingerprint != finding.fingerprint


def test_suppressed_baselined_findings_are_not_fixed_and_disabled_ones_are_gone(tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    assert invoke(SAMPLE_PYTHON, SAMPLE_ELIXIR, "--write-baseline", baseline).exit_code == 0
    ignore = Ignore("datetime-as-string", "Job", "created_at", "", Location("pyproject.toml", 3))
    result = run_audit(AuditOptions(SAMPLE_PYTHON, SAMPLE_ELIXIR, ignores=(ignore,), baseline=baseline))
    assert result.baseline is not None
    assert (len(result.suppressed), len(result.baseline.baselined), result.baseline.fixed) == (1, SAMPLE_FINDINGS, 0)
    # The suppressed finding is still one the baseline records, and both reports say so.
    (suppressed,) = result.suppressed
    assert not result.is_new(suppressed.finding)
    (in_json,) = json.loads(json_format.render(result))["suppressed"]
    assert (in_json["field"], in_json["baselined"]) == ("created_at", True)
    (in_sarif,) = [r for r in json.loads(sarif_report.render(result))["runs"][0]["results"] if "suppressions" in r]
    assert (in_sarif["properties"]["field"], in_sarif["baselineState"]) == ("created_at", "unchanged")
    disabled = run_audit(
        AuditOptions(SAMPLE_PYTHON, SAMPLE_ELIXIR, disabled_rules=frozenset({"default-mismatch"}), baseline=baseline)
    )
    assert disabled.baseline is not None
    assert (len(disabled.baseline.baselined), disabled.baseline.fixed) == (SAMPLE_FINDINGS - 4, 4)


def test_a_baseline_file_written_from_a_subset_is_read_back_as_that_subset(tmp_path: Path) -> None:
    findings = run_audit(AuditOptions(SAMPLE_PYTHON, SAMPLE_ELIXIR)).findings
    baseline = tmp_path / "baseline.json"
    baseline.write_bytes(baseline_document(findings[::3]))
    result = run_audit(AuditOptions(SAMPLE_PYTHON, SAMPLE_ELIXIR, baseline=baseline))
    assert result.baseline is not None
    assert result.baseline.baselined == set(findings[::3])
    assert [f for f in result.findings if result.is_new(f)] == [f for i, f in enumerate(findings) if i % 3]


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (None, "does not exist; write one with --write-baseline."),
        ("directory", "is not a regular file; write one with --write-baseline."),
        (b"{not json", "is not a baseline written by --write-baseline (not JSON)."),
        (b"\xff\xfe{}", "is not a baseline written by --write-baseline (not JSON)."),
        (b"[]", "is not a baseline written by --write-baseline (not a JSON object)."),
        (
            b'{"version": 2, "findings": []}',
            "is not a baseline written by --write-baseline (version 2, this parity-audit reads version 1).",
        ),
        (
            b'{"version": true, "findings": []}',
            "is not a baseline written by --write-baseline (version True, this parity-audit reads version 1).",
        ),
        (b'{"version": 1}', "is not a baseline written by --write-baseline (no list of findings)."),
        (
            b'{"version": 1, "findings": [{"rule": "missing-field"}]}',
            "is not a baseline written by --write-baseline (a finding without a fingerprint).",
        ),
        (
            b'{"version": 1, "findings": [7]}',
            "is not a baseline written by --write-baseline (a finding without a fingerprint).",
        ),
    ],
)
def test_a_missing_or_malformed_baseline_is_a_usage_error(
    tmp_path: Path, content: bytes | str | None, problem: str
) -> None:
    baseline = tmp_path / "baseline.json"
    if content == "directory":
        baseline.mkdir()
    elif isinstance(content, bytes):
        baseline.write_bytes(content)
    result = invoke(SAMPLE_PYTHON, SAMPLE_ELIXIR, "--baseline", baseline)
    assert result.exit_code == 2
    assert result.stderr == f"parity-audit: The baseline file {baseline} {problem}\n"


def test_a_baseline_that_cannot_be_written_is_a_usage_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = invoke(SAMPLE_PYTHON, SAMPLE_ELIXIR, "--write-baseline", blocker / "baseline.json")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"parity-audit: cannot write the baseline file {blocker / 'baseline.json'}: ")
    assert len(result.stderr.splitlines()) == 1


@pytest.fixture(scope="module")
def sample_findings() -> list[tuple[str, Severity]]:
    return [(f.fingerprint, f.severity) for f in run_audit(AuditOptions(SAMPLE_PYTHON, SAMPLE_ELIXIR)).findings]


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("baseline-property")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), fail_on=st.sampled_from(list(FailOn)))
def test_a_run_fails_exactly_when_a_finding_at_or_above_fail_on_is_not_baselined(
    sample_findings: list[tuple[str, Severity]], scratch: Path, data: st.DataObject, fail_on: FailOn
) -> None:
    recorded = data.draw(st.sets(st.sampled_from([fingerprint for fingerprint, _ in sample_findings])))
    baseline = scratch / "baseline.json"
    baseline.write_text(json.dumps({"version": 1, "findings": [{"fingerprint": f} for f in sorted(recorded)]}))
    result = invoke(SAMPLE_PYTHON, SAMPLE_ELIXIR, "--baseline", baseline, "--fail-on", fail_on, "--cache-dir", scratch)
    threshold = None if fail_on is FailOn.NEVER else Severity(fail_on.value).rank
    failing = threshold is not None and any(
        fingerprint not in recorded and severity.rank <= threshold for fingerprint, severity in sample_findings
    )
    assert result.exit_code == (1 if failing else 0)


def test_the_baseline_the_config_names_can_be_written_before_it_exists(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    python, elixir = copy_samples(tmp_path)
    (tmp_path / ".parity-audit.toml").write_text(
        f'python = "{python.name}"\nelixir = "{elixir.name}"\nbaseline = "parity-baseline.json"\n'
    )
    monkeypatch.chdir(tmp_path)
    assert invoke("--no-cache").stderr.startswith("parity-audit: The baseline file ")  # nothing to compare with yet
    written = invoke("--write-baseline", "parity-baseline.json", "--no-cache")
    assert (written.exit_code, written.stderr) == (0, f"wrote {SAMPLE_FINDINGS} findings to parity-baseline.json\n")
    assert "Baseline " not in written.stdout and "failed:" not in written.stdout
    again = invoke("--no-cache")
    assert again.exit_code == 0
    assert f"Baseline parity-baseline.json: 0 new, {SAMPLE_FINDINGS} baselined, 0 fixed" in again.stdout
    # Written again over the file the config names, the run compares with the old one first.
    rewritten = invoke("--write-baseline", "parity-baseline.json", "--no-cache")
    assert rewritten.exit_code == 0
    assert f": 0 new, {SAMPLE_FINDINGS} baselined, 0 fixed" in rewritten.stdout
