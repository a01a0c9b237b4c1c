"""The complete audit of sample_repos/ (see sample_repos/EXPECTED.md for why each finding is there)."""

from __future__ import annotations

import re
from functools import cache

from auditor.audit import AuditOptions, AuditResult, run_audit
from auditor.reports import json_report
from tests.conftest import SAMPLE_ELIXIR, SAMPLE_PYTHON

EXPECTED_MD = SAMPLE_PYTHON.parent / "EXPECTED.md"

EXPECTED_FINDINGS = sorted(
    [
        ("missing-type", "P1", "ShapeLayer", None),
        ("missing-type", "P1", "Orientation", None),
        ("extra-type", "P3", "ErrorBody", None),
        ("missing-field", "P0", "Asset", "filename"),
        ("missing-field", "P1", "PrintOrder", "notes"),
        ("missing-field", "P1", "ProofJob", "metadata"),
        ("extra-field", "P3", "Asset", "url"),
        ("extra-field", "P3", "TelemetryEvent", "context"),
        ("flattened-nesting", "P0", "ProofJob", "pages"),
        ("folded-into-map", "P2", "TelemetryEvent", "device"),
        ("folded-into-map", "P2", "TelemetryEvent", "locale"),
        ("folded-into-map", "P2", "TelemetryEvent", "app_version"),
        ("datetime-as-string", "P2", "Job", "created_at"),
        ("datetime-as-string", "P2", "PrintOrder", "placed_at"),
        ("missing-literal", "P2", "ImageLayer", "type"),
        ("enum-value-mismatch", "P1", "Finish", None),
        ("enum-value-mismatch", "P1", "WebhookEvent", "kind"),
        ("literal-widened", "P3", "RenderRequest", "orientation"),
        ("untyped-container", "P1", "PrintOrder", "items"),
        ("untyped-container", "P1", "WebhookEvent", "job"),
        ("constraint-widened", "P3", "UsageReport", "labels"),
        ("constraint-widened", "P3", "UsageReport", "cost_by_sku"),
        ("type-mismatch", "P1", "Asset", "byte_size"),
        ("type-mismatch", "P1", "PrintOrder", "paid"),
        ("union-mismatch", "P1", "Layer", None),
        ("optionality-mismatch", "P3", "RenderRequest", "template_id"),
        ("optionality-mismatch", "P3", "WebhookEvent", "job_id"),
        ("optionality-mismatch", "P1", "OrderItem", "quantity"),
        ("default-mismatch", "P3", "RenderOptions", "dpi"),
        ("default-mismatch", "P3", "RenderOptions", "quality"),
        ("default-mismatch", "P3", "RenderOptions", "max_retries"),
        ("default-mismatch", "P3", "RenderRequest", "options"),
        ("atom-enum", "info", "Format", None),
        ("atom-enum", "info", "JobState", None),
        ("bytes-as-base64", "info", "AssetUpload", "data"),
        ("extra-type", "P3", "Margins", None),
        ("atom-enum", "info", "ShippingSpeed", None),
        ("union-widened", "P3", "RenderRequest", "assets"),
        ("enum-catch-all", "P3", "Priority", None),
        ("wire-name-mismatch", "P0", "UsageReport", "pages_by_format"),
        ("decoder-drops-field", "P1", "UsageReport", "cost_by_sku"),
        ("encoder-drops-field", "P1", "AssetUpload", "content_type"),
    ],
    key=repr,
)

EXPECTED_STATUSES = {
    "parity": {
        "Size",
        "TextLayer",
        "Canvas",
        "ShippingAddress",
        "Swatch",
        "Palette",
        "Margins",
        "PrintOrderTracking",
        "RenderOptionsWatermark",
    },
    "wire-compatible": {
        "RenderOptions",
        "RenderRequest",
        "Format",
        "JobState",
        "ShippingSpeed",
        "Priority",
    },
    "mismatch": {
        "Asset",
        "AssetUpload",
        "UsageReport",
        "ProofJob",
        "TelemetryEvent",
        "Job",
        "PrintOrder",
        "ImageLayer",
        "Finish",
        "WebhookEvent",
        "Layer",
        "OrderItem",
    },
    "missing-in-elixir": {"ShapeLayer", "Orientation"},
    "elixir-only": {"ErrorBody", "Margins"},
}

# The pairs that are not found by their last segment: Python name -> (Elixir module, how).
EXPECTED_RENAMED_PAIRS = {
    "JobState": ("Pixelmill.Types.Job.job_state", "local-type"),
    "Layer": ("Pixelmill.Types.Canvas.layer", "local-type"),
    "PrintOrderTracking": ("Pixelmill.Types.PrintOrder.Tracking", "path"),
    "RenderOptionsWatermark": ("Pixelmill.Types.Watermark", "shape"),
    "ShippingSpeed": ("Pixelmill.Types.PrintOrder.speed", "local-type"),
}


@cache
def _audit() -> AuditResult:
    return run_audit(AuditOptions(SAMPLE_PYTHON, SAMPLE_ELIXIR))


def _expected_md_findings() -> list[tuple[str, str, str, str | None]]:
    """The rows of EXPECTED.md's findings table as (rule, severity, type, field): `- (X)` names an
    Elixir-only type or field, `-` no field."""

    def cell(text: str) -> str | None:
        text = text.strip()
        if text == "-":
            return None
        named = re.fullmatch(r"- \((\w+)\)", text)
        return named.group(1) if named else text

    rows = []
    for line in EXPECTED_MD.read_text().splitlines():
        columns = [column.strip() for column in line.strip().strip("|").split("|")]
        if line.startswith("| ") and columns[0].isdigit():
            _, rule, severity, type_name, field = columns[:5]
            rows.append((rule, severity, cell(type_name), cell(field)))
    return rows


def test_sample_findings_are_exactly_the_intended_ones() -> None:
    result = _audit()
    reported = sorted(((f.rule, f.severity.value, f.type_name, f.field) for f in result.findings), key=repr)
    assert reported == EXPECTED_FINDINGS


def test_expected_md_lists_exactly_these_findings() -> None:
    rows = _expected_md_findings()
    assert sorted(rows, key=repr) == EXPECTED_FINDINGS
    heading = re.search(r"^## Findings \((\d+)\)$", EXPECTED_MD.read_text(), re.MULTILINE)
    assert heading is not None and int(heading.group(1)) == len(rows)


def test_sample_type_statuses() -> None:
    result = _audit()
    statuses: dict[str, set[str]] = {status: set() for status in EXPECTED_STATUSES}
    for entry in result.types:
        statuses[entry.status.value].add(entry.pair.name)
    assert statuses == EXPECTED_STATUSES
    assert result.diagnostics == ()


def test_every_rule_fires_on_the_samples() -> None:
    from auditor.rules import CATALOG

    result = _audit()
    assert {rule.slug for rule in CATALOG} == {finding.rule for finding in result.findings}


def test_findings_point_at_both_definitions() -> None:
    result = _audit()
    (pages,) = [f for f in result.findings if f.rule == "flattened-nesting"]
    assert pages.python is not None and pages.elixir is not None
    assert (pages.python.location.path, pages.python.annotation) == ("pixelmill/types/job.py", "List[Size]")
    assert (pages.elixir.location.path, pages.elixir.annotation) == (
        "lib/pixelmill/types/proof_job.ex",
        "[String.t()]",
    )


def test_pairs_not_found_by_name_are_found_the_expected_way() -> None:
    document = json_report.document(_audit())
    renamed = {
        entry["python"]["name"]: (entry["elixir"]["module"], entry["alignment"]["how"])
        for entry in document["types"]
        if entry["python"] is not None and entry["elixir"] is not None and entry["alignment"]["how"] != "name"
    }
    assert renamed == EXPECTED_RENAMED_PAIRS
    by_python = {entry["python"]["name"]: entry for entry in document["types"] if entry["python"] is not None}
    assert by_python["RenderOptionsWatermark"]["alignment"]["evidence"] == (
        "4 of 4 fields shared; name shares watermark; used as RenderOptions.watermark"
    )
    assert by_python["ShippingSpeed"]["alignment"]["evidence"] == (
        "3 of 3 values shared; name shares speed; used as PrintOrder.shipping_speed"
    )


def test_the_false_friend_is_an_extra_type_naming_the_real_pair() -> None:
    document = json_report.document(_audit())
    margins = {
        (entry["python"] or {}).get("qualname"): entry for entry in document["types"] if entry["name"] == "Margins"
    }
    assert set(margins) == {"pixelmill.types.canvas.Margins", None}
    model = margins["pixelmill.types.canvas.Margins"]
    assert (model["elixir"]["module"], model["alignment"]["how"], model["status"]) == (
        "Pixelmill.Types.Canvas.Margins",
        "name",
        "parity",
    )
    union = margins[None]
    assert (union["elixir"]["module"], union["status"], union["alignment"]) == (
        "Pixelmill.Types.Margins",
        "elixir-only",
        None,
    )
    assert "is paired with Pixelmill.Types.Canvas.Margins" in union["note"]
    (extra,) = [
        f for f in document["findings"] if f["rule"] == "extra-type" and f["elixir_type"] == "Pixelmill.Types.Margins"
    ]
    assert extra["severity"] == "P3"
    assert "Pixelmill.Types.Canvas.Margins" in extra["message"]


def test_a_converter_table_enum_is_compared_by_its_wire_strings() -> None:
    document = json_report.document(_audit())
    (priority,) = [entry for entry in document["types"] if entry["name"] == "Priority"]
    assert (priority["elixir"]["module"], priority["status"]) == ("Pixelmill.Types.Priority", "wire-compatible")
    # Its values are PRIORITY_* on both sides: no value finding, only the catch-all clause.
    assert [(f["rule"], f["elixir"]["line"]) for f in document["findings"] if f["type"] == "Priority"] == [
        ("enum-catch-all", 18)
    ]
