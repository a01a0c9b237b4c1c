"""Disabled rules, severity overrides, config ignores and inline suppressions, on real source pairs."""

from __future__ import annotations

import json
import re
import textwrap
from dataclasses import replace
from pathlib import Path

import pytest

from auditor.audit import AuditOptions, AuditResult, Status, UsageError, run_audit
from auditor.findings import Finding, Ignore, Severity, Suppressed
from auditor.model import Diagnostic, Location
from auditor.reports import renderer
from auditor.suppressions import comment_start, scan_comments
from tests.conftest import REPO_ROOT, SAMPLE_ELIXIR, SAMPLE_PYTHON, copy_samples, edit_once, write_tree

CONFIG = "pyproject.toml"


def annotate(path: Path, line: str, comment: str) -> None:
    """Appends `comment` to the one line of `path` that reads `line`."""
    lines = path.read_text().split("\n")
    assert lines.count(line) == 1, f"{line!r} is not a line of {path} exactly once"
    lines[lines.index(line)] = line + comment
    path.write_text("\n".join(lines))


def audit(python: Path = SAMPLE_PYTHON, elixir: Path = SAMPLE_ELIXIR, **options: object) -> AuditResult:
    return run_audit(AuditOptions(python, elixir, **options))  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def untriaged() -> AuditResult:
    return audit()


def finding(result: AuditResult, rule: str, type_name: str, field: str | None) -> Finding:
    [found] = [f for f in result.findings if (f.rule, f.type_name, f.field) == (rule, type_name, field)]
    return found


def status(result: AuditResult, type_name: str) -> Status:
    [entry] = [entry for entry in result.types if entry.pair.name == type_name]
    return entry.status


def without(result: AuditResult, *removed: Finding) -> list[Finding]:
    return [f for f in result.findings if f not in removed]


def facts(findings: tuple[Finding, ...] | list[Finding]) -> list[tuple[object, ...]]:
    """What identifies a finding apart from its message."""
    return [
        (
            f.rule,
            f.severity,
            f.type_name,
            f.field,
            f.python.location if f.python else None,
            f.elixir.location if f.elixir else None,
        )
        for f in findings
    ]


# Disabled rules


def test_a_disabled_rule_reports_nothing_and_the_rest_is_unchanged(untriaged: AuditResult) -> None:
    result = audit(disabled_rules=frozenset({"default-mismatch"}))
    assert list(result.findings) == [f for f in untriaged.findings if f.rule != "default-mismatch"]
    assert len(untriaged.findings) - len(result.findings) == 4
    assert status(untriaged, "RenderOptions") is Status.WIRE_COMPATIBLE
    assert status(result, "RenderOptions") is Status.PARITY


def test_disabling_a_replacing_rule_silences_its_place(untriaged: AuditResult) -> None:
    """`missing-literal` replaces `missing-field`: disabled, it leaves the missing `type` tag unreported
    rather than handing it to the rule it replaces."""
    replaced = finding(untriaged, "missing-literal", "ImageLayer", "type")
    result = audit(disabled_rules=frozenset({"missing-literal"}))
    assert [f for f in result.findings if (f.type_name, f.field) == ("ImageLayer", "type")] == []
    assert facts(result.findings) == facts(without(untriaged, replaced))


def test_disabling_a_type_rule_never_hands_its_places_to_a_stricter_rule(untriaged: AuditResult) -> None:
    """`atom-enum` (info) recognises Literal values ported as atoms before the catch-all `type-mismatch` (P1)."""
    noted = [f for f in untriaged.findings if f.rule == "atom-enum"]
    assert noted
    result = audit(disabled_rules=frozenset({"atom-enum"}))
    assert facts(result.findings) == facts([f for f in untriaged.findings if f.rule != "atom-enum"])


def test_an_unknown_rule_to_disable_or_override_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="There is no rule called 'missing-feild' to disable"):
        audit(disabled_rules=frozenset({"missing-feild"}))
    with pytest.raises(UsageError, match="There is no rule called 'nope'"):
        audit(severity_overrides={"nope": Severity.P0})


# Severity overrides


def test_a_severity_override_changes_severity_order_and_status_but_not_the_fingerprint(
    untriaged: AuditResult,
) -> None:
    created_at = finding(untriaged, "datetime-as-string", "Job", "created_at")
    placed_at = finding(untriaged, "datetime-as-string", "PrintOrder", "placed_at")
    result = audit(severity_overrides={"datetime-as-string": Severity.P3})
    demoted = [replace(created_at, severity=Severity.P3), replace(placed_at, severity=Severity.P3)]
    assert list(result.findings) == sorted([*without(untriaged, created_at, placed_at), *demoted], key=Finding.sort_key)
    assert [f.fingerprint for f in demoted] == [created_at.fingerprint, placed_at.fingerprint]
    # Job's only finding was the P2 one: now only P3, so wire-compatible; PrintOrder keeps its P1 findings.
    assert (status(untriaged, "Job"), status(result, "Job")) == (Status.MISMATCH, Status.WIRE_COMPATIBLE)
    assert status(result, "PrintOrder") is Status.MISMATCH


def test_an_override_can_raise_a_severity(untriaged: AuditResult) -> None:
    result = audit(severity_overrides={"extra-type": Severity.P0})
    raised = finding(result, "extra-type", "ErrorBody", None)
    assert raised == replace(finding(untriaged, "extra-type", "ErrorBody", None), severity=Severity.P0)
    assert [(f.type_name, f.rule) for f in result.findings if f.severity is Severity.P0] == [
        ("Asset", "missing-field"),
        ("ErrorBody", "extra-type"),
        ("Margins", "extra-type"),
        ("ProofJob", "flattened-nesting"),
        ("UsageReport", "wire-name-mismatch"),
    ]


# Config ignores


def ignore(rule: str, type_name: str, field: str | None, line: int, reason: str = "accepted") -> Ignore:
    return Ignore(rule, type_name, field, reason, Location(CONFIG, line))


def test_a_config_ignore_moves_the_finding_to_suppressed(untriaged: AuditResult) -> None:
    accepted = finding(untriaged, "datetime-as-string", "Job", "created_at")
    entry = ignore("datetime-as-string", "Job", "created_at", 12, "the server sends ISO strings")
    result = audit(ignores=(entry,))
    assert list(result.findings) == without(untriaged, accepted)
    assert result.suppressed == (Suppressed(accepted, "config", "the server sends ISO strings", Location(CONFIG, 12)),)
    assert status(result, "Job") is Status.PARITY  # its only finding is accepted
    assert [d for side, d in result.diagnostics if side == "config"] == []


def test_an_ignore_without_a_field_covers_the_type_and_every_field_of_that_rule(untriaged: AuditResult) -> None:
    folded = [f for f in untriaged.findings if f.rule == "folded-into-map"]
    assert [f.field for f in folded] == ["app_version", "device", "locale"]
    enum_type = finding(untriaged, "enum-value-mismatch", "Finish", None)
    enum_field = finding(untriaged, "enum-value-mismatch", "WebhookEvent", "kind")
    result = audit(
        ignores=(
            ignore("folded-into-map", "TelemetryEvent", None, 3),
            ignore("enum-value-mismatch", "Finish", None, 7),
            ignore("enum-value-mismatch", "WebhookEvent", None, 9, ""),
        )
    )
    assert list(result.findings) == without(untriaged, *folded, enum_type, enum_field)
    assert {(s.finding, s.where.line, s.reason) for s in result.suppressed} == {
        *((f, 3, "accepted") for f in folded),
        (enum_type, 7, "accepted"),
        (enum_field, 9, "no reason given"),
    }
    # Still the context map: an ignore of one rule leaves the type's other findings alone.
    assert finding(result, "extra-field", "TelemetryEvent", "context")


def test_an_ignore_with_a_field_covers_that_field_only(untriaged: AuditResult) -> None:
    device = finding(untriaged, "folded-into-map", "TelemetryEvent", "device")
    result = audit(ignores=(ignore("folded-into-map", "TelemetryEvent", "device", 3),))
    assert list(result.findings) == without(untriaged, device)


def test_an_ignore_that_matches_nothing_is_a_stale_warning_at_its_entry(untriaged: AuditResult) -> None:
    result = audit(
        ignores=(
            ignore("datetime-as-string", "Job", "finished_at", 20),  # the field is fine
            ignore("extra-type", "Asset", None, 24),  # Asset has no such finding
            ignore("datetime-as-strnig", "Job", "created_at", 28),  # a typo
            ignore("datetime-as-string", "Job", "created_at", 31),  # matches: not stale
        )
    )
    assert [d for side, d in result.diagnostics if side == "config"] == [
        Diagnostic(
            CONFIG,
            20,
            "warning",
            "the ignore of datetime-as-string on Job.finished_at matches no finding; delete it if the port was fixed",
        ),
        Diagnostic(
            CONFIG,
            24,
            "warning",
            "the ignore of extra-type on Asset matches no finding; delete it if the port was fixed",
        ),
        Diagnostic(
            CONFIG,
            28,
            "warning",
            "the ignore of 'datetime-as-strnig' on Job.created_at names no rule; --list-rules shows them all",
        ),
    ]
    assert [s.finding for s in result.suppressed] == [finding(untriaged, "datetime-as-string", "Job", "created_at")]


def test_an_ignore_of_an_elixir_only_type_uses_its_last_segment(untriaged: AuditResult) -> None:
    extra = finding(untriaged, "extra-type", "ErrorBody", None)
    result = audit(ignores=(ignore("extra-type", "ErrorBody", None, 5),))
    assert list(result.findings) == without(untriaged, extra)
    assert status(result, "ErrorBody") is Status.ELIXIR_ONLY  # one-sided types keep their status


# Inline suppressions


def test_an_inline_comment_on_the_python_field_line(tmp_path: Path, untriaged: AuditResult) -> None:
    python, elixir = copy_samples(tmp_path)
    edit_once(
        python / "pixelmill/types/asset.py",
        "class Asset(BaseModel):\n    id: str\n    filename: str\n",
        "class Asset(BaseModel):\n    id: str\n"
        "    filename: str  # parity-audit: ignore[missing-field] -- the port derives it from the URL\n",
    )
    result = audit(python, elixir)
    accepted = finding(untriaged, "missing-field", "Asset", "filename")
    assert list(result.findings) == without(untriaged, accepted)
    where = Location("pixelmill/types/asset.py", 12)
    assert result.suppressed == (Suppressed(accepted, "inline", "the port derives it from the URL", where),)
    assert result.diagnostics == untriaged.diagnostics


def test_an_inline_comment_on_a_class_line_covers_findings_that_point_at_the_class(
    tmp_path: Path, untriaged: AuditResult
) -> None:
    """Python's side of an Elixir-only field is its class: the class line takes its suppression."""
    python, elixir = copy_samples(tmp_path)
    annotate(python / "pixelmill/types/asset.py", "class Asset(BaseModel):", "  # parity-audit: ignore[extra-field]")
    annotate(
        python / "pixelmill/types/layer.py",
        "class ShapeLayer(BaseModel):",
        "  # parity-audit: ignore[missing-type]: not ported yet",
    )
    result = audit(python, elixir)
    url = finding(untriaged, "extra-field", "Asset", "url")
    shape = finding(untriaged, "missing-type", "ShapeLayer", None)
    assert list(result.findings) == without(untriaged, url, shape)
    assert result.suppressed == (
        Suppressed(shape, "inline", "not ported yet", Location("pixelmill/types/layer.py", 23)),
        Suppressed(url, "inline", "no reason given", Location("pixelmill/types/asset.py", 10)),
    )


@pytest.mark.parametrize(
    ("old", "line"),
    [
        ("    :created_at,", 11),  # the defstruct key: the line the finding points at
        ("          created_at: DateTime.t() | String.t(),", 22),  # its @type t entry
    ],
)
def test_an_inline_comment_on_either_line_of_an_elixir_field(
    tmp_path: Path, untriaged: AuditResult, old: str, line: int
) -> None:
    python, elixir = copy_samples(tmp_path)
    annotate(elixir / "lib/pixelmill/types/job.ex", old, "  # parity-audit: ignore[datetime-as-string]")
    accepted = finding(untriaged, "datetime-as-string", "Job", "created_at")
    assert accepted.elixir is not None and accepted.elixir.location == Location("lib/pixelmill/types/job.ex", 11)
    result = audit(python, elixir)
    assert list(result.findings) == without(untriaged, accepted)
    where = Location("lib/pixelmill/types/job.ex", line)
    assert result.suppressed == (Suppressed(accepted, "inline", "no reason given", where),)
    assert result.diagnostics == untriaged.diagnostics


def test_an_inline_comment_on_a_defmodule_line(tmp_path: Path, untriaged: AuditResult) -> None:
    """The Elixir side of a missing field is its module, so the defmodule line takes that too."""
    python, elixir = copy_samples(tmp_path)
    annotate(
        elixir / "lib/pixelmill/types/error_body.ex",
        "defmodule Pixelmill.Types.ErrorBody do",
        "  # parity-audit: ignore[extra-type] -- port-only error shape",
    )
    annotate(
        elixir / "lib/pixelmill/types/asset.ex",
        "defmodule Pixelmill.Types.Asset do",
        " # parity-audit:ignore[missing-field]",
    )
    result = audit(python, elixir)
    extra = finding(untriaged, "extra-type", "ErrorBody", None)
    filename = finding(untriaged, "missing-field", "Asset", "filename")
    assert list(result.findings) == without(untriaged, extra, filename)
    assert result.suppressed == (
        Suppressed(filename, "inline", "no reason given", Location("lib/pixelmill/types/asset.ex", 1)),
        Suppressed(extra, "inline", "port-only error shape", Location("lib/pixelmill/types/error_body.ex", 1)),
    )


def test_unused_unknown_and_garbled_inline_comments_are_warnings(tmp_path: Path, untriaged: AuditResult) -> None:
    python, elixir = copy_samples(tmp_path)
    asset = elixir / "lib/pixelmill/types/asset.ex"
    # One comment, two slugs: type-mismatch is used, extra-field suppresses nothing here, one is no rule.
    annotate(
        asset, "          byte_size: String.t(),", " # parity-audit: ignore[type-mismatch, extra-field, bogus-rule]"
    )
    annotate(asset, "  alias Pixelmill.Types.Size", " # parity-audit: ignroe[extra-field]")
    annotate(python / "pixelmill/types/job.py", "    id: JobID", "  # parity-audit: ignore[missing-field]")
    annotate(python / "pixelmill/types/job.py", "    state: JobState", "  # parity-audit: ignore[ ]")
    result = audit(python, elixir)
    byte_size = finding(untriaged, "type-mismatch", "Asset", "byte_size")
    assert list(result.findings) == without(untriaged, byte_size)
    path = "lib/pixelmill/types/asset.ex"
    garbled = "a parity-audit: comment that is not `# parity-audit: ignore[rule-slug, ...]`; it suppresses nothing"
    unknown = "parity-audit: ignore names 'bogus-rule', which is no rule; --list-rules shows them all"
    unused = "parity-audit: ignore[{}] suppresses nothing on this line; delete it"
    assert sorted(set(result.diagnostics) - set(untriaged.diagnostics)) == [
        ("elixir", Diagnostic(path, 4, "warning", garbled)),
        ("elixir", Diagnostic(path, 13, "warning", unknown)),
        ("elixir", Diagnostic(path, 13, "warning", unused.format("extra-field"))),
        ("python", Diagnostic("pixelmill/types/job.py", 14, "warning", unused.format("missing-field"))),
        ("python", Diagnostic("pixelmill/types/job.py", 15, "warning", garbled)),
    ]


MODEL = "from pydantic import BaseModel\n\nclass Invoice(BaseModel):\n    total: int\n    note: str = {default}\n"
PORT = (
    "defmodule Shop.Invoice do\n  defstruct [\n    :total,\n    {extra}\n  ]\n"
    "  @type t :: %__MODULE__{{total: integer(), {extra_type}}}\nend\n"
)


def invoice_pair(tmp_path: Path, default: str, extra: str, extra_type: str) -> tuple[Path, Path]:
    return (
        write_tree(tmp_path / "py", {"shop/__init__.py": "", "shop/types.py": MODEL.format(default=default)}),
        write_tree(
            tmp_path / "ex",
            {"lib/shop/invoice.ex": PORT.format(extra=extra, extra_type=extra_type)},
        ),
    )


def test_a_marker_inside_a_string_literal_is_not_a_comment(tmp_path: Path) -> None:
    python, elixir = invoice_pair(
        tmp_path,
        default='"# parity-audit: ignore[missing-field]"',
        extra='memo: "# parity-audit: ignore[extra-field]"',
        extra_type="memo: String.t()",
    )
    result = audit(python, elixir)
    assert [(f.rule, f.field) for f in result.findings] == [("missing-field", "note"), ("extra-field", "memo")]
    assert (result.suppressed, result.diagnostics) == ((), ())


def test_a_comment_after_a_string_holding_a_hash_is_read(tmp_path: Path) -> None:
    python, elixir = invoice_pair(
        tmp_path,
        default='"a#b"  # parity-audit: ignore[missing-field]',
        extra='memo: "#" # parity-audit: ignore[extra-field]',
        extra_type="memo: String.t()",
    )
    result = audit(python, elixir)
    assert result.findings == ()
    assert [(s.finding.rule, s.where) for s in result.suppressed] == [
        ("missing-field", Location("shop/types.py", 5)),
        ("extra-field", Location("lib/shop/invoice.ex", 4)),
    ]
    assert result.diagnostics == ()


@pytest.mark.parametrize(
    ("line", "start"),
    [
        ("x = 1  # c", 7),
        ('x = "a # b"  # c', 13),
        ("x = 'a # b'  # c", 13),
        ('x = "a \\" # b"  # c', 16),  # an escaped quote does not close the string
        ('x = """a # b"""  # c', 17),
        ('x = """a # b', None),  # a docstring that goes on: the rest of the line is string
        ("c = ?#  # c", 8),  # Elixir's character literal
        ('q = ?" <> "#"  # c', 15),
        ("def ok?# c", 7),  # `?` ending a name is not a character literal
        ("no comment at all", None),
    ],
)
def test_comment_start(line: str, start: int | None) -> None:
    assert comment_start(line) == start


def test_scan_comments_reads_lines_slugs_and_reasons() -> None:
    source = (
        b"a = 1\n"
        b"b: int = 2  # parity-audit: ignore[type-mismatch,  default-mismatch ] -- why not\r\n"
        b"\n"
        b"# noqa  # parity-audit: ignore[extra-field] \xe2\x80\x94 trailing reason  \n"
        b'c = "# parity-audit: ignore[extra-type]"\n'
        b"d = 4  # parity-audit: ignore[missing-type]"
    )
    scanned = scan_comments(source)
    assert [(i.line, i.rules, i.reason) for i in scanned.ignores] == [
        (2, ("type-mismatch", "default-mismatch"), "why not"),
        (4, ("extra-field",), "trailing reason"),
        (6, ("missing-type",), ""),
    ]
    assert scanned.not_understood == ()


def test_inline_comments_are_the_same_from_the_cache_and_from_workers(tmp_path: Path) -> None:
    """The comments are read from the bytes extraction reads, whether it parses them or not."""
    python, elixir = copy_samples(tmp_path)
    annotate(
        python / "pixelmill/types/job.py", "    created_at: datetime", "  # parity-audit: ignore[datetime-as-string]"
    )
    annotate(elixir / "lib/pixelmill/types/asset.ex", "  @derive Jason.Encoder", " # parity-audit: ignore[extra-type]")
    uncached = audit(python, elixir)
    assert [s.finding.field for s in uncached.suppressed] == ["created_at"]
    assert len(uncached.diagnostics) == 1
    cache = tmp_path / "cache"
    for _ in range(2):  # fills the cache, then reads every summary and the resolved side from it
        cached = audit(python, elixir, cache_dir=cache)
        assert (cached.findings, cached.suppressed, cached.diagnostics) == (
            uncached.findings,
            uncached.suppressed,
            uncached.diagnostics,
        )
    pooled = audit(python, elixir, jobs=2)
    assert (pooled.findings, pooled.suppressed, pooled.diagnostics) == (
        uncached.findings,
        uncached.suppressed,
        uncached.diagnostics,
    )


def test_an_inline_comment_and_a_config_ignore_on_one_finding_are_both_used(
    tmp_path: Path, untriaged: AuditResult
) -> None:
    python, elixir = copy_samples(tmp_path)
    annotate(
        python / "pixelmill/types/job.py", "    created_at: datetime", "  # parity-audit: ignore[datetime-as-string]"
    )
    result = audit(python, elixir, ignores=(ignore("datetime-as-string", "Job", "created_at", 4),))
    accepted = finding(untriaged, "datetime-as-string", "Job", "created_at")
    assert result.suppressed == (
        Suppressed(accepted, "inline", "no reason given", Location("pixelmill/types/job.py", 16)),
    )
    assert result.diagnostics == untriaged.diagnostics  # neither is reported as suppressing nothing


# Reports


def test_reports_list_suppressed_findings_with_source_reason_and_place(tmp_path: Path) -> None:
    python, elixir = copy_samples(tmp_path)
    annotate(
        python / "pixelmill/types/job.py",
        "    created_at: datetime",
        "  # parity-audit: ignore[datetime-as-string] \x1b[31m[bold]ISO[/bold]",
    )
    result = audit(python, elixir, ignores=(ignore("folded-into-map", "TelemetryEvent", "device", 8, "`|` <b>"),))
    text = renderer("text")(result)
    assert "Suppressed: 2 (1 inline, 1 config), listed after the findings\n" in text
    assert (
        "\nSuppressed\n"
        "  Job.created_at  datetime-as-string  P2  inline at pixelmill/types/job.py:16: \ufffd[31m[bold]ISO[/bold]\n"
        "  TelemetryEvent.device  folded-into-map  P2  config at pyproject.toml:8: `|` <b>\n"
    ) in text
    document = json.loads(renderer("json")(result))
    assert document["summary"]["suppressed"] == 2
    assert [entry["suppression"] for entry in document["suppressed"]] == [
        {"source": "inline", "reason": "\x1b[31m[bold]ISO[/bold]", "path": "pixelmill/types/job.py", "line": 16},
        {"source": "config", "reason": "`|` <b>", "path": CONFIG, "line": 8},
    ]
    created_at = document["suppressed"][0]
    assert (created_at["rule"], created_at["type"], created_at["field"], created_at["baselined"]) == (
        "datetime-as-string",
        "Job",
        "created_at",
        False,
    )
    assert created_at["fingerprint"] == result.suppressed[0].finding.fingerprint
    assert all(entry["fingerprint"] != created_at["fingerprint"] for entry in document["findings"])


def readme_blocks(language: str) -> list[str]:
    """The `language` code blocks of the README's section on suppressions, as written there."""
    readme = (REPO_ROOT / "README.md").read_text()
    section = readme[readme.index("### Baselines and suppressions") :]
    section = section[: section.index("\n#")]
    return [textwrap.dedent(block) for block in re.findall(rf"```{language}\n(.*?)```", section, re.DOTALL)]


def test_the_readme_example_suppresses_what_it_says(tmp_path: Path) -> None:
    [python_block] = readme_blocks("python")
    [elixir_block] = readme_blocks("elixir")
    imports = "from datetime import datetime\nfrom typing import Literal, Optional\n\nfrom pydantic import BaseModel\n"
    python = write_tree(tmp_path / "py", {"pixelmill/__init__.py": "", "pixelmill/types.py": imports + python_block})
    elixir = write_tree(tmp_path / "ex", {"lib/pixelmill/types.ex": elixir_block})
    result = audit(python, elixir)
    assert [(f.rule, f.type_name, f.field) for f in result.findings] == [("atom-enum", "WebhookEvent", "kind")]
    assert [(s.finding.rule, s.finding.field, s.reason, s.where) for s in result.suppressed] == [
        ("untyped-container", "job", "decoded by the handler", Location("lib/pixelmill/types.ex", 11)),
        ("missing-field", "job_id", "job_id comes in v2", Location("lib/pixelmill/types.ex", 6)),
        ("datetime-as-string", "created_at", "the server sends ISO strings", Location("pixelmill/types.py", 7)),
        ("extra-field", "received_at", "no reason given", Location("lib/pixelmill/types.ex", 12)),
    ]
    assert result.diagnostics == ()
