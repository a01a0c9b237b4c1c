"""The complete audit of sample_repos/ (see sample_repos/EXPECTED.md for why each finding is there)."""

from __future__ import annotations

from auditor.audit import AuditOptions, run_audit
from tests.conftest import SAMPLE_ELIXIR, SAMPLE_PYTHON

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
    ],
    key=repr,
)

EXPECTED_STATUSES = {
    "parity": {"Size", "TextLayer", "Canvas", "ShippingAddress", "Swatch", "Palette"},
    "wire-compatible": {"RenderOptions", "RenderRequest", "UsageReport", "AssetUpload", "Format", "JobState"},
    "mismatch": {
        "Asset",
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
    "elixir-only": {"ErrorBody"},
}


def test_sample_findings_are_exactly_the_intended_ones() -> None:
    result = run_audit(AuditOptions(SAMPLE_PYTHON, SAMPLE_ELIXIR))
    reported = sorted(((f.rule, f.severity.value, f.type_name, f.field) for f in result.findings), key=repr)
    assert reported == EXPECTED_FINDINGS


def test_sample_type_statuses() -> None:
    result = run_audit(AuditOptions(SAMPLE_PYTHON, SAMPLE_ELIXIR))
    statuses: dict[str, set[str]] = {status: set() for status in EXPECTED_STATUSES}
    for entry in result.types:
        statuses[entry.status.value].add(entry.pair.name)
    assert statuses == EXPECTED_STATUSES
    assert result.diagnostics == ()


def test_every_rule_fires_on_the_samples() -> None:
    from auditor.rules import CATALOG

    result = run_audit(AuditOptions(SAMPLE_PYTHON, SAMPLE_ELIXIR))
    assert {rule.slug for rule in CATALOG} == {finding.rule for finding in result.findings}


def test_findings_point_at_both_definitions() -> None:
    result = run_audit(AuditOptions(SAMPLE_PYTHON, SAMPLE_ELIXIR))
    (pages,) = [f for f in result.findings if f.rule == "flattened-nesting"]
    assert pages.python is not None and pages.elixir is not None
    assert (pages.python.location.path, pages.python.annotation) == ("pixelmill/types/job.py", "List[Size]")
    assert (pages.elixir.location.path, pages.elixir.annotation) == (
        "lib/pixelmill/types/proof_job.ex",
        "[String.t()]",
    )
