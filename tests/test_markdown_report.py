"""The Markdown report, read back the way GitHub reads it: parsed as CommonMark with tables."""

from __future__ import annotations

import dataclasses
import json
import random
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest
from auditor.rules import CATALOG
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.rules_block.table import escapedSplit
from markdown_it.token import Token

from auditor.audit import AuditOptions, AuditResult, Checkout, Status, UsageError, run_audit
from auditor.findings import BaselineStatus, Finding, Severity, SideRef, Suppressed, type_and_field
from auditor.model import Location
from auditor.reports import MarkdownSize, ReportOptions
from auditor.reports.markdown_report import OPEN_LIMIT, PULL_REQUEST_LIMIT, clean, code, render, text
from tests.bad_input.corpus import run_cli
from tests.conftest import REPO_ROOT, SAMPLE_ELIXIR, SAMPLE_PYTHON, write_tree
from tests.injections import candidates, compatible, inject
from tests.sdkgen import generate_spec, render_port, render_python

MARKDOWN = MarkdownIt("commonmark").enable("table")
EPOCH = "1714521600"  # 2024-05-01T00:00:00Z
EPOCH_DATE = "2024-05-01"
SAMPLE_TYPE_LABELS = {
    "parity": "parity",
    "wire-compatible": "wire-compatible",
    "mismatch": "mismatch",
    "missing in Elixir": "missing-in-elixir",
    "Elixir-only": "elixir-only",
}

# Appended to every string of a real result: table pipes, code fences, raw HTML, a line break, an
# ANSI colour, emphasis, a link, an entity and a trailing backslash.
HOSTILE = "|`x`<script>alert(1)</script>\n\x1b[31m*_[a](b)&amp;\\"
# The same text as a reader must see it: the line break a space, the escape character U+FFFD.
HOSTILE_SHOWN = "|`x`<script>alert(1)</script> \N{REPLACEMENT CHARACTER}[31m*_[a](b)&amp;\\"


# --- reading the document back ---------------------------------------------------------------------


def _assert_html_is_only_details_blocks(tokens: list[Token]) -> None:
    """The report's only HTML is its own `<details>`/`<summary>` blocks: no text it quotes became markup."""
    for token in tokens:
        for inline in [token, *(token.children or [])]:
            if inline.type == "html_block":
                assert re.fullmatch(r"(<details( open)?>\n<summary>[\w ()]+</summary>\n|</details>\n)", inline.content)
            assert inline.type != "html_inline", inline.content


def inline_text(inline: Token) -> str:
    """What a reader sees of an inline run: text and code contents, without markup."""
    return "".join(child.content for child in inline.children or [] if child.type in ("text", "code_inline"))


def codes(inline: Token) -> list[str]:
    return [child.content for child in inline.children or [] if child.type == "code_inline"]


@dataclass
class Table:
    section: str
    """The text of the nearest heading above the table."""
    header: list[str]
    rows: list[list[Token]]
    lines: tuple[int, int]

    def column(self, name: str) -> list[Token]:
        index = self.header.index(name)
        return [row[index] for row in self.rows]

    def texts(self) -> list[list[str]]:
        return [[inline_text(cell) for cell in row] for row in self.rows]


def tables(tokens: list[Token]) -> list[Table]:
    found: list[Table] = []
    heading = ""
    current: Table | None = None
    in_head = False
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            heading = inline_text(tokens[index + 1])
        elif token.type == "table_open":
            assert token.map is not None
            current = Table(heading, [], [], (token.map[0], token.map[1]))
        elif token.type == "thead_open":
            in_head = True
        elif token.type == "thead_close":
            in_head = False
        elif token.type == "tr_open" and current is not None and not in_head:
            current.rows.append([])
        elif token.type == "inline" and current is not None:
            if in_head:
                current.header.append(inline_text(token))
            else:
                current.rows[-1].append(token)
        elif token.type == "table_close" and current is not None:
            found.append(current)
            current = None
    return found


def table_in(tokens: list[Token], section: str, first_header: str) -> Table:
    matches = [t for t in tables(tokens) if t.section == section and t.header[0] == first_header]
    assert len(matches) == 1, (section, first_header, [(t.section, t.header) for t in tables(tokens)])
    return matches[0]


def priority_items(tokens: list[Token]) -> dict[str, list[Token]]:
    """Severity heading under Priority fixes -> the inline of each of its list items."""
    items: dict[str, list[Token]] = {}
    section, severity = "", None
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            title = inline_text(tokens[index + 1])
            if token.tag == "h2":
                section, severity = title, None
            elif section == "Priority fixes":
                severity = title.split(" ")[0]
                items[severity] = []
        elif token.type == "inline" and severity is not None and tokens[index - 2].type == "list_item_open":
            items[severity].append(token)
    return items


def paragraph_after(tokens: list[Token], heading: str) -> Token:
    """The inline of the first paragraph under a heading."""
    start = next(i for i, t in enumerate(tokens) if t.type == "heading_open" and inline_text(tokens[i + 1]) == heading)
    return next(t for t in tokens[start + 3 :] if t.type == "inline")


def counts(table: Table) -> dict[str, int]:
    return {row[0]: int(row[1]) for row in table.texts()}


# --- the real sample pair ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, Any], str]:
    """The sample pair through the real CLI: (Markdown report, JSON report, stdout)."""
    out = tmp_path_factory.mktemp("reports")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        run = run_cli(
            SAMPLE_PYTHON,
            SAMPLE_ELIXIR,
            "--format",
            "markdown",
            "--output",
            str(out / "parity.md"),
            "--report",
            f"json={out / 'parity.json'}",
            "--no-cache",
        )
    assert run.returncode == 1, run.stderr  # the sample has P0-P2 findings
    return (
        (out / "parity.md").read_text(encoding="utf-8"),
        json.loads((out / "parity.json").read_text(encoding="utf-8")),
        run.stdout.decode("utf-8"),
    )


@pytest.fixture(scope="module")
def sample_result() -> AuditResult:
    return run_audit(AuditOptions(SAMPLE_PYTHON, SAMPLE_ELIXIR))


@pytest.fixture
def epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


def test_the_cli_writes_the_report_to_the_file_and_the_text_report_to_stdout(
    sample_files: tuple[str, dict[str, Any], str],
) -> None:
    report, _, stdout = sample_files
    assert report.startswith("# Type parity: `")
    assert f"Generated on {EPOCH_DATE} (UTC) by parity-audit" in report
    assert stdout.startswith("Coverage: Python types ported ") and "# Type parity" not in stdout


def test_summary_counts_equal_the_json_report(sample_files: tuple[str, dict[str, Any], str]) -> None:
    report, document, _ = sample_files
    tokens = MARKDOWN.parse(report)
    types = counts(table_in(tokens, "Summary", "status"))
    assert types.pop("total") == len(document["types"]) == 31
    assert {SAMPLE_TYPE_LABELS[label]: count for label, count in types.items()} == document["summary"]["types"]
    findings = counts(table_in(tokens, "Summary", "severity"))
    assert findings.pop("total") == len(document["findings"]) == 42
    assert findings == document["summary"]["findings"]


def test_the_inputs_table_names_both_checkouts(sample_files: tuple[str, dict[str, Any], str]) -> None:
    report, document, _ = sample_files
    rows = table_in(MARKDOWN.parse(report), f"Type parity: {SAMPLE_PYTHON} vs {SAMPLE_ELIXIR}", "")
    by_label = {row[0]: row[1:] for row in rows.texts()}
    sides = document["inputs"]
    # The sample repos sit in this project's checkout: when that is a git checkout, its commit is named.
    git_rows = {"commit": "commit", "commit date": "commit_date", "branch": "branch"}
    named = {label for label, key in git_rows.items() if sides["python"][key] or sides["elixir"][key]}
    assert set(by_label) == {"path", "files", "types"} | named
    for label in named:
        assert by_label[label] == [sides[side][git_rows[label]] or "—" for side in ("python", "elixir")]
    assert by_label["path"] == [str(SAMPLE_PYTHON), str(SAMPLE_ELIXIR)]
    assert by_label["files"] == [str(sides["python"]["files"]), str(sides["elixir"]["files"])]
    assert by_label["types"] == [str(sides["python"]["types"]), str(sides["elixir"]["types"])]


def test_the_pie_chart_has_one_slice_per_non_empty_status(sample_result: AuditResult, epoch: None) -> None:
    def slices(result: AuditResult) -> list[str]:
        charts = [t for t in MARKDOWN.parse(render(result)) if t.type == "fence" and t.info == "mermaid"]
        assert len(charts) == 1
        lines = charts[0].content.splitlines()
        assert lines[:2] == ["pie showData", "    title Types by status"]
        return lines[2:]

    assert slices(sample_result) == [
        '    "parity" : 9',
        '    "wire-compatible" : 6',
        '    "mismatch" : 12',
        '    "missing in Elixir" : 2',
        '    "Elixir-only" : 2',
    ]
    without = replace(sample_result, types=tuple(t for t in sample_result.types if t.status is not Status.ELIXIR_ONLY))
    assert '    "Elixir-only" : 2' not in slices(without) and len(slices(without)) == 4


def test_the_priority_list_is_p0_to_p3_in_order_with_each_findings_message(
    sample_files: tuple[str, dict[str, Any], str],
) -> None:
    report, document, _ = sample_files
    items = priority_items(MARKDOWN.parse(report))
    assert list(items) == ["P0", "P1", "P2", "P3"]  # info findings are notes, listed with their types
    rank = {"P0": 0, "P1": 1, "P2": 2, "P3": 3}
    expected = sorted(
        (f for f in document["findings"] if f["severity"] != "info"),
        key=lambda f: (rank[f["severity"]], f["type"], f["field"] or "", f["rule"]),
    )
    listed = [(severity, inline) for severity, inlines in items.items() for inline in inlines]
    assert len(listed) == len(expected) == 38
    # A type whose name another pair shares is shown with its module: `Margins (Pixelmill.Types.Margins)`.
    shared = {name for name, count in Counter(t["name"] for t in document["types"]).items() if count > 1}
    assert shared == {"Margins"}
    for (severity, inline), finding in zip(listed, expected, strict=True):
        shown = finding["type"]
        if shown in shared:
            shown = f"{shown} ({finding['elixir_type'] or finding['python_type']})"
        name = shown if finding["field"] is None else f"{shown}.{finding['field']}"
        assert severity == finding["severity"]
        assert codes(inline) == [name, finding["rule"]]
        assert inline_text(inline) == f"{name} — {finding['rule']} — {finding['message']}"
    first = items["P0"][0]
    assert codes(first) == ["Asset.filename", "missing-field"]


def test_a_mismatched_type_lists_every_field_of_both_sides(sample_files: tuple[str, dict[str, Any], str]) -> None:
    report, _, _ = sample_files
    tokens = MARKDOWN.parse(report)
    table = table_in(tokens, "Asset", "field")
    assert [codes(cell) for cell in table.column("field")] == [
        ["id"], ["filename"], ["content_type"], ["byte_size"], ["uploaded_at"], ["checksum"], ["dimensions"], ["url"]
    ]
    # Annotations as written in sample_repos/python_sdk/pixelmill/types/asset.py and .../asset.ex.
    assert [inline_text(cell) for cell in table.column("Python")] == [
        "str, required",
        "str, required",
        "str, required",
        "int, required",
        "datetime.datetime, required",
        "Optional[str], default None",
        "Optional[Size], default None",
        "—",
    ]
    assert [inline_text(cell) for cell in table.column("Elixir")] == [
        "String.t(), enforced",
        "—",
        "String.t(), enforced",
        "String.t(), enforced",
        "DateTime.t(), enforced",
        "String.t() | nil",
        "Size.t() | nil",
        "String.t() | nil",
    ]
    assert [inline_text(cell) for cell in table.column("finding")] == [
        "", "P0 missing-field", "", "P1 type-mismatch", "", "", "", "P3 extra-field"
    ]
    definitions = paragraph_after(tokens, "Asset")
    assert codes(definitions) == [
        "pixelmill.types.asset.Asset",
        "pixelmill/types/asset.py:10",
        "Pixelmill.Types.Asset",
        "lib/pixelmill/types/asset.ex:1",
    ]
    overview = table_in(tokens, "Mismatch (12 types)", "type")
    assert len(overview.rows) == 12
    assert overview.texts()[0] == [
        "Asset", "1", "1", "0", "1", "0", "pixelmill/types/asset.py:10", "lib/pixelmill/types/asset.ex:1"
    ]


def test_an_enum_mismatch_shows_both_value_sets(sample_files: tuple[str, dict[str, Any], str]) -> None:
    table = table_in(MARKDOWN.parse(sample_files[0]), "Finish", "")
    assert table.texts() == [
        ["values", "'glossy' | 'matte' | 'satin'", ":glossy | :matte | :lustre", "P1 enum-value-mismatch"]
    ]


def test_a_missing_type_shows_what_a_port_needs(sample_files: tuple[str, dict[str, Any], str]) -> None:
    tokens = MARKDOWN.parse(sample_files[0])
    # sample_repos/python_sdk/pixelmill/types/layer.py, class ShapeLayer
    assert table_in(tokens, "ShapeLayer", "field").texts() == [
        ["type", 'Literal["shape"]', "optional", '"shape"'],
        ["shape", 'Literal["rect", "ellipse"]', "required", "—"],
        ["fill", "Optional[str]", "optional", "None"],
    ]
    paragraphs = [inline_text(t) for t in tokens if t.type == "inline"]
    assert "Values: 'portrait' | 'landscape'" in paragraphs
    assert "union pixelmill.types.render.Orientation at pixelmill/types/render.py:10" in paragraphs


def test_an_elixir_only_type_shows_its_module_and_fields(sample_files: tuple[str, dict[str, Any], str]) -> None:
    tokens = MARKDOWN.parse(sample_files[0])
    # sample_repos/elixir_sdk/lib/pixelmill/types/error_body.ex
    assert table_in(tokens, "ErrorBody", "field").texts() == [
        ["code", "String.t()", "enforced", "—"],
        ["message", "String.t()", "enforced", "—"],
        ["details", "map()", "optional", "%{}"],
    ]
    paragraphs = [inline_text(t) for t in tokens if t.type == "inline"]
    assert "struct Pixelmill.Types.ErrorBody at lib/pixelmill/types/error_body.ex:1" in paragraphs


def test_parity_and_wire_compatible_sections(sample_files: tuple[str, dict[str, Any], str]) -> None:
    report, document, _ = sample_files
    tokens = MARKDOWN.parse(report)
    parity = table_in(tokens, "Parity (9 types)", "type")
    # Keyed on the pair, not the name: Margins is both a parity pair and an Elixir-only union module.
    statuses = {
        ((t["python"] or {}).get("qualname"), (t["elixir"] or {}).get("module")): t["status"]
        for t in document["types"]
    }
    assert len(statuses) == len(document["types"])
    names = Counter(t["name"] for t in document["types"])

    def shown(entry: dict[str, Any]) -> str:
        # A name another pair shares is shown with the module (or the Python qualified name) that tells
        # the two apart, as findings show theirs.
        if names[entry["name"]] == 1:
            return str(entry["name"])
        return f"{entry['name']} ({(entry['elixir'] or {}).get('module') or entry['python']['qualname']})"

    parity_types = [t for t in document["types"] if t["status"] == "parity"]
    assert [row[0] for row in parity.texts()] == [shown(t) for t in parity_types]
    assert "Margins (Pixelmill.Types.Canvas.Margins)" in [row[0] for row in parity.texts()]
    assert "### `Margins (Pixelmill.Types.Margins)`" in report.splitlines()  # the Elixir-only union module
    assert codes(parity.column("fields or values")[0]) == ["size", "layers", "background", "margins"]  # Canvas
    notes = table_in(tokens, "Wire-compatible (6 types)", "type")
    expected = sorted(
        (f["type"], f["field"] or "type", f["severity"], f["rule"], f["message"])
        for f in document["findings"]
        if statuses[(f["python_type"], f["elixir_type"])] == "wire-compatible"
    )
    assert sorted(tuple(row) for row in notes.texts()) == expected


def test_the_legend_explains_exactly_the_rules_that_occur(sample_files: tuple[str, dict[str, Any], str]) -> None:
    report, document, _ = sample_files
    legend = table_in(MARKDOWN.parse(report), "Rules", "rule")
    occurring = {f["rule"] for f in document["findings"]}
    assert legend.texts() == [[r.slug, r.severity, r.summary] for r in CATALOG if r.slug in occurring]


# --- metadata, baseline, suppressions, diagnostics ---------------------------------------------------


def test_git_metadata_and_revisions_appear_when_known(sample_result: AuditResult, epoch: None) -> None:
    result = replace(
        sample_result,
        python_input=Checkout(
            "../sdk", revision="v1.4.0", commit="9f2c" * 10, commit_date="2024-04-30T09:15:00+00:00", branch="main"
        ),
        elixir_input=Checkout("../port", commit="1b7e" * 10, commit_date="2024-04-29T18:02:11+02:00", branch="feat/x"),
    )
    tokens = MARKDOWN.parse(render(result))
    inputs = table_in(tokens, "Type parity: ../sdk vs ../port", "")
    assert {row[0]: row[1:] for row in inputs.texts()} == {
        "path": ["../sdk", "../port"],
        "revision": ["v1.4.0", "work tree"],
        "commit": ["9f2c" * 10, "1b7e" * 10],
        "commit date": ["2024-04-30T09:15:00+00:00", "2024-04-29T18:02:11+02:00"],
        "branch": ["main", "feat/x"],
        "files": [str(len(result.python.files)), str(len(result.elixir.files))],
        "types": ["29", "29"],
    }


def test_baselined_findings_come_after_new_ones_and_are_counted(sample_result: AuditResult, epoch: None) -> None:
    p1 = [f for f in sample_result.findings if f.severity is Severity.P1]
    result = replace(sample_result, baseline=BaselineStatus(".parity-baseline.json", frozenset(p1[:2]), fixed=3))
    tokens = MARKDOWN.parse(render(result))
    listed = priority_items(tokens)["P1"]
    assert len(listed) == 14
    assert [inline_text(item).endswith(" — baselined") for item in listed] == [False] * 12 + [True] * 2
    assert [codes(item)[0] for item in listed[-2:]] == [
        f"{f.type_name}.{f.field}" if f.field else f.type_name for f in p1[:2]
    ]
    severities = table_in(tokens, "Summary", "severity")
    assert severities.header == ["severity", "findings", "new", "baselined"]
    assert severities.texts()[1] == ["P1", "14", "12", "2"]
    assert severities.texts()[-1] == ["total", "42", "40", "2"]
    paragraphs = [inline_text(t) for t in tokens if t.type == "inline"]
    assert (
        ".parity-baseline.json: 2 findings of this run baselined (reported, never failing the run), "
        "3 baselined since fixed."
    ) in paragraphs


def test_suppressed_findings_show_their_reason_and_where_the_ignore_is(sample_result: AuditResult, epoch: None) -> None:
    accepted = next(f for f in sample_result.findings if f.rule == "extra-field" and f.field == "url")
    result = replace(
        sample_result,
        findings=tuple(f for f in sample_result.findings if f != accepted),
        suppressed=(
            Suppressed(accepted, "config", "url is a port-only convenience", Location("pyproject.toml", 41)),
        ),
    )
    tokens = MARKDOWN.parse(render(result))
    assert table_in(tokens, "Suppressed findings (1)", "finding").texts() == [
        ["Asset.url", "P3", "extra-field", "config", "url is a port-only convenience", "pyproject.toml:41"]
    ]
    assert "1 finding suppressed: see Suppressed findings." in [inline_text(t) for t in tokens if t.type == "inline"]
    # The rule of a suppressed finding is still explained.
    assert "extra-field" in [row[0] for row in table_in(tokens, "Rules", "rule").texts()]


def test_diagnostics_of_a_real_run_are_listed(tmp_path: Path, epoch: None) -> None:
    python_root = write_tree(
        tmp_path / "py",
        {
            "sdk/__init__.py": "",
            "sdk/types.py": "from pydantic import BaseModel\n\nclass A(BaseModel):\n    x: int\n",
            "sdk/broken.py": "class B(:\n",
        },
    )
    elixir_root = write_tree(tmp_path / "ex", {"lib/sdk/a.ex": "defmodule Sdk.A do\n  defstruct [:x]\nend\n"})
    result = run_audit(AuditOptions(python_root, elixir_root))
    assert result.diagnostics
    table = table_in(MARKDOWN.parse(render(result)), f"Diagnostics ({len(result.diagnostics)})", "level")
    assert [(row[1], row[2]) for row in table.texts()] == [
        (side, f"{d.path}:{d.line}") for side, d in result.diagnostics
    ]
    assert [row[3] for row in table.texts()] == [clean(d.message) for _, d in result.diagnostics]


# --- determinism and the date ------------------------------------------------------------------------


def test_two_renders_are_byte_identical(sample_result: AuditResult, epoch: None) -> None:
    again = run_audit(AuditOptions(SAMPLE_PYTHON, SAMPLE_ELIXIR))
    assert render(sample_result) == render(sample_result) == render(again)


def test_the_date_is_source_date_epoch_in_utc(
    sample_result: AuditResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1704067199")  # 2023-12-31T23:59:59Z, already 2024 east of UTC
    assert "Generated on 2023-12-31 (UTC)" in render(sample_result)
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    before = datetime.now(UTC).date().isoformat()
    report = render(sample_result)
    after = datetime.now(UTC).date().isoformat()
    assert f"Generated on {before} (UTC)" in report or f"Generated on {after} (UTC)" in report


@pytest.mark.parametrize("value", ["yesterday", "1.5", "-1", " 1714521600", "99999999999999999999"])
def test_a_malformed_source_date_epoch_is_a_usage_error(
    sample_result: AuditResult, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    with pytest.raises(UsageError, match="SOURCE_DATE_EPOCH must be a whole number of seconds"):
        render(sample_result)


# --- long reports ------------------------------------------------------------------------------------


def details_blocks(tokens: list[Token]) -> list[tuple[bool, int, int]]:
    """(opened, first line, last line) of each `<details>` block."""
    blocks = []
    start: tuple[bool, int] | None = None
    for token in tokens:
        if token.type == "html_block" and token.content.startswith("<details"):
            assert token.map is not None
            start = (token.content.startswith("<details open>"), token.map[0])
        elif token.type == "html_block" and token.content.startswith("</details>"):
            assert start is not None and token.map is not None
            blocks.append((start[0], start[1], token.map[1]))
            start = None
    return blocks


def heading_lines(tokens: list[Token]) -> dict[str, int]:
    return {
        inline_text(tokens[i + 1]): t.map[0] for i, t in enumerate(tokens) if t.type == "heading_open" and t.map
    }


def test_a_200_type_sdk_collapses_its_per_type_sections_and_keeps_the_priorities_visible(
    tmp_path: Path, epoch: None
) -> None:
    rng = random.Random(4)
    spec = generate_spec(rng, 200, fields_per_type=(3, 8))
    port, _ = inject(spec, compatible(rng.sample(candidates(spec), 60), spec))
    python_root = write_tree(tmp_path / "py", render_python(spec))
    elixir_root = write_tree(tmp_path / "ex", render_port(port, spec.package))
    result = run_audit(AuditOptions(python_root, elixir_root))
    by_status = {status: sum(1 for t in result.types if t.status is status) for status in Status}
    assert by_status[Status.PARITY] > OPEN_LIMIT and by_status[Status.MISMATCH] > OPEN_LIMIT
    tokens = MARKDOWN.parse(render(result))
    blocks = details_blocks(tokens)
    headings = heading_lines(tokens)
    # A section of more than OPEN_LIMIT types starts collapsed; a short one (the few Elixir-only types
    # the injections add, say) may stay open.
    sizes = [(opened, sum(1 for line in headings.values() if start <= line < end)) for opened, start, end in blocks]
    assert any(not opened for opened, _ in sizes)
    assert all(size <= OPEN_LIMIT for opened, size in sizes if opened)
    inside = [name for name, line in headings.items() if any(start <= line < end for _, start, end in blocks)]
    outside = [name for name in headings if name not in inside]
    assert "Summary" in outside and "Priority fixes" in outside
    severities = {name for name in headings if re.fullmatch(r"P[0-3] \(\d+\)", name)}
    assert severities and severities <= set(outside)
    mismatched = {t.pair.name for t in result.types if t.status is Status.MISMATCH}
    collapsed = [(start, end) for opened, start, end in blocks if not opened]
    # each mismatched type's field table is collapsed
    assert all(any(start <= headings[name] < end for start, end in collapsed) for name in mismatched)


def test_a_section_starts_expanded_exactly_when_it_is_short(sample_files: tuple[str, dict[str, Any], str]) -> None:
    tokens = MARKDOWN.parse(sample_files[0])
    headings = heading_lines(tokens)
    sizes = [
        (opened, sum(1 for line in headings.values() if start <= line < end))
        for opened, start, end in details_blocks(tokens)
    ]
    assert any(opened for opened, _ in sizes)
    assert all(opened == (size <= OPEN_LIMIT) for opened, size in sizes), sizes


# --- hostile names -----------------------------------------------------------------------------------


def hostile(value: Any) -> Any:
    """`value` with HOSTILE appended to every string it holds: names, annotations, paths, messages."""
    if isinstance(value, Enum) or value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return value + HOSTILE
    if isinstance(value, tuple):
        return tuple(hostile(item) for item in value)
    if isinstance(value, frozenset):
        return frozenset(hostile(item) for item in value)
    if isinstance(value, Mapping):
        return MappingProxyType({hostile(key): hostile(item) for key, item in value.items()})
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: hostile(getattr(value, f.name)) for f in dataclasses.fields(value) if f.init}
        return replace(value, **changes)
    raise TypeError(f"unexpected value in a result: {value!r}")


@pytest.fixture
def hostile_report(sample_result: AuditResult, epoch: None) -> tuple[AuditResult, str]:
    accepted = sample_result.findings[0]
    with_metadata = replace(
        sample_result,
        python_input=Checkout("sdk", revision="v1", commit="c0ffee", commit_date="2024-04-30", branch="main"),
        suppressed=(Suppressed(accepted, "inline", "accepted", Location("pixelmill/types/asset.py", 12)),),
    )
    result = hostile(with_metadata)
    baselined = frozenset(result.findings[:3])
    result = replace(result, baseline=BaselineStatus("baseline.json" + HOSTILE, baselined, fixed=1))
    return result, render(result)


def test_hostile_text_reaches_no_raw_html_and_no_control_character(hostile_report: tuple[AuditResult, str]) -> None:
    _, report = hostile_report
    assert "\x1b" not in report and "\r" not in report
    tokens = MARKDOWN.parse(report)
    _assert_html_is_only_details_blocks(tokens)
    assert "<script" not in MARKDOWN.render(report)
    assert "&lt;script&gt;" in MARKDOWN.render(report)


def test_hostile_text_keeps_every_table_row_to_its_columns(hostile_report: tuple[AuditResult, str]) -> None:
    _, report = hostile_report
    lines = report.splitlines()
    found = tables(MARKDOWN.parse(report))
    assert len(found) > 15
    for table in found:
        source = lines[table.lines[0] : table.lines[1]]
        assert len(source) == len(table.rows) + 2
        for line in source:
            assert line.startswith("| ") and line.endswith(" |")
            assert len(escapedSplit(line[1:-1])) == len(table.header), line


def test_hostile_text_round_trips_in_tables_and_lists(hostile_report: tuple[AuditResult, str]) -> None:
    result, report = hostile_report
    tokens = MARKDOWN.parse(report)
    asset = next(t for t in result.types if t.pair.name == "Asset" + HOSTILE)
    table = table_in(tokens, "Asset" + HOSTILE_SHOWN, "field")
    assert [codes(cell) for cell in table.column("field")] == [
        [field.name.replace(HOSTILE, HOSTILE_SHOWN)] for field in asset.pair.fields
    ]
    assert codes(table.column("Python")[0]) == ["str" + HOSTILE_SHOWN]
    assert codes(table.column("Elixir")[0]) == ["String.t()" + HOSTILE_SHOWN]
    assert codes(table.column("finding")[1]) == ["missing-field" + HOSTILE_SHOWN]
    first = priority_items(tokens)["P0"][0]
    assert codes(first) == [f"Asset{HOSTILE_SHOWN}.filename{HOSTILE_SHOWN}", "missing-field" + HOSTILE_SHOWN]
    message = next(f.message for f in result.findings if f.field == "filename" + HOSTILE)
    shown = message.replace(HOSTILE, HOSTILE_SHOWN)
    # The first three findings are the baselined ones.
    assert inline_text(first) == f"{codes(first)[0]} — {codes(first)[1]} — {shown} — baselined"
    suppressed = table_in(tokens, "Suppressed findings (1)", "finding")
    assert suppressed.texts()[0][3:] == [
        "inline" + HOSTILE_SHOWN,
        "accepted" + HOSTILE_SHOWN,
        f"pixelmill/types/asset.py{HOSTILE_SHOWN}:12",
    ]
    inputs = table_in(tokens, f"Type parity: sdk{HOSTILE_SHOWN} vs {SAMPLE_ELIXIR}{HOSTILE_SHOWN}", "")
    assert {row[0]: row[1] for row in inputs.texts()}["branch"] == "main" + HOSTILE_SHOWN


# --- the escaping functions, for any text ------------------------------------------------------------

SAMPLES = (HOSTILE, "a\\|b", "\\", "`", "`` ` ``", " lead", "trail ", "  both  ", "x\u202eevil", "**b**", "<b>&</b>")


def with_samples(test: Any) -> Any:
    """The test run on each of SAMPLES as well as on hypothesis's own draws."""
    for value in SAMPLES:
        test = example(value)(test)
    return test


def cell(markdown: str) -> tuple[Token, str]:
    """The first cell of a one-row table whose second cell says `end`."""
    found = tables(MARKDOWN.parse(f"| a | b |\n|---|---|\n| {markdown} | end |\n"))
    assert len(found) == 1 and len(found[0].rows) == 1
    row = found[0].rows[0]
    return row[0], inline_text(row[1])


@given(st.text())
@with_samples
def test_escaped_text_stays_one_literal_table_cell(value: str) -> None:
    inline, second = cell(text(value))
    assert second == "end"
    assert all(child.type == "text" for child in inline.children or [])  # no HTML, code, emphasis or link
    assert inline_text(inline) == clean(value).strip()


@given(st.text())
@with_samples
def test_escaped_text_is_literal_inside_a_line(value: str) -> None:
    tokens = MARKDOWN.parse(f"before {text(value)}\n")
    assert [t.type for t in tokens] == ["paragraph_open", "inline", "paragraph_close"]
    assert all(child.type == "text" for child in tokens[1].children or [])
    assert inline_text(tokens[1]) == f"before {clean(value)}".strip()


@given(st.text().filter(lambda value: clean(value).strip() != ""))
@with_samples
def test_a_code_span_shows_its_text_exactly_in_a_cell_and_in_a_line(value: str) -> None:
    inline, second = cell(code(value, in_table=True))
    assert second == "end"
    assert [(child.type, child.content) for child in inline.children or []] == [("code_inline", clean(value))]
    tokens = MARKDOWN.parse(f"before {code(value, in_table=False)} after\n")
    assert [(child.type, child.content) for child in tokens[1].children or []] == [
        ("text", "before "),
        ("code_inline", clean(value)),
        ("text", " after"),
    ]


def test_clean_keeps_text_on_one_line_and_marks_control_characters() -> None:
    assert clean("Union[\n    int,\r\n    str,\n]") == "Union[ int, str, ]"
    assert clean("a\tb\x1b[31mc\x00d\u202ee") == "a b\ufffd[31mc\ufffdd\ufffde"
    assert clean("a\u2028b\x85c") == "a b c"


@pytest.mark.parametrize(("excerpt", "size"), [(0, MarkdownSize.FULL), (1, MarkdownSize.SUMMARY)])
def test_the_readme_excerpts_are_cut_from_the_sample_report(
    monkeypatch: pytest.MonkeyPatch, epoch: None, excerpt: int, size: MarkdownSize
) -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Markdown report\n", 1)[1]
    excerpts = [block.split("\n```\n", 1)[0] for block in section.split("```markdown\n")[1:3]]
    monkeypatch.chdir(REPO_ROOT)  # the excerpt names the checkouts as `make demo` does
    result = run_audit(AuditOptions(Path("sample_repos/python_sdk"), Path("sample_repos/elixir_sdk")))
    report = render(result, ReportOptions(markdown_size=size))
    position = 0
    for chunk in (part.strip("\n") for part in excerpts[excerpt].split("\n...\n")):
        found = report.find(chunk.removesuffix("\n..."), position)
        assert found >= 0, chunk
        position = found


# --- the compact form --------------------------------------------------------------------------------

COMPACT = ReportOptions(markdown_size=MarkdownSize.SUMMARY)
LEFT_OUT = re.compile(r"(\d+) more [a-z ]+? not listed here, to keep this report within 60,000 characters")


def h2_sections(tokens: list[Token]) -> list[str]:
    return [inline_text(tokens[i + 1]) for i, t in enumerate(tokens) if t.type == "heading_open" and t.tag == "h2"]


def paragraphs(tokens: list[Token]) -> list[str]:
    return [inline_text(t) for t in tokens if t.type == "inline" and t.map is not None]


def left_out(tokens: list[Token], section: str) -> int:
    """The count of the note that closes a compact section's list, 0 when there is none."""
    start = next(i for i, t in enumerate(tokens) if t.type == "heading_open" and inline_text(tokens[i + 1]) == section)
    end = next(
        (i for i, t in enumerate(tokens[start + 1 :], start + 1) if t.type == "heading_open" and t.tag == "h2"),
        len(tokens),
    )
    notes = [LEFT_OUT.match(inline_text(t)) for t in tokens[start:end] if t.type == "inline"]
    counted = [int(note.group(1)) for note in notes if note]
    assert len(counted) <= 1
    return sum(counted)


def many(result: AuditResult, copies: int, suffix: str = "") -> AuditResult:
    """`result` with each finding `copies` times, on types of their own: `Asset0`, `Asset1`..."""
    findings = [
        replace(finding, type_name=f"{finding.type_name}{suffix}{copy}")
        for copy in range(copies)
        for finding in result.findings
    ]
    return replace(result, findings=tuple(sorted(findings, key=lambda f: f.sort_key())))


def ranked(result: AuditResult) -> list[Finding]:
    """The order of Priority fixes: severity, new before baselined, then the findings' own order."""
    return sorted(result.findings, key=lambda f: (f.severity.rank, not result.is_new(f), f.sort_key()))


def shown_name(finding: Finding) -> str:
    return type_and_field(finding.shown_type, finding.field)


def place(side: SideRef | None) -> str:
    return "—" if side is None else f"{side.location.path}:{side.location.line}"


def in_full(side: SideRef | None) -> str:
    if side is None or not side.annotation:
        return place(side)
    return f"{side.annotation} at {place(side)}"


def test_the_compact_sample_report_has_the_counts_and_every_finding_in_full(
    sample_result: AuditResult, epoch: None
) -> None:
    report = render(sample_result, COMPACT)
    tokens = MARKDOWN.parse(report)
    full_tokens = MARKDOWN.parse(render(sample_result))
    title = f"Type parity: {SAMPLE_PYTHON} vs {SAMPLE_ELIXIR}"
    # 42 findings, no baseline: nothing is left for the per-rule counts, and no finding is "new" against one.
    assert h2_sections(tokens) == ["Summary", "Findings in full (42)"]
    assert table_in(tokens, title, "").texts() == table_in(full_tokens, title, "").texts()
    for first in ("status", "severity"):
        assert table_in(tokens, "Summary", first).texts() == table_in(full_tokens, "Summary", first).texts()
    assert (
        "This is the compact form of the report, short enough for a pull request: counts, the 50 most severe "
        "findings in full and the rest counted per rule. For the full report, with every type field by field, "
        "run the audit again with --report markdown=FULL.md."
    ) in paragraphs(tokens)
    listed = table_in(tokens, "Findings in full (42)", "severity")
    assert listed.header == ["severity", "finding", "rule", "what breaks", "Python", "Elixir"]
    assert listed.texts() == [
        [f.severity.value, shown_name(f), f.rule, f.message, in_full(f.python), in_full(f.elixir)]
        for f in ranked(sample_result)
    ]
    assert listed.texts()[0][:3] == ["P0", "Asset.filename", "missing-field"]
    assert left_out(tokens, "Findings in full (42)") == 0
    assert len(report) < len(render(sample_result)) // 2


def test_the_top_50_are_in_full_and_the_rest_counted_per_rule(sample_result: AuditResult, epoch: None) -> None:
    result = many(sample_result, 3)
    tokens = MARKDOWN.parse(render(result, COMPACT))
    assert h2_sections(tokens) == ["Summary", "Findings in full (50 of 126)", "Other findings by rule (76)"]
    order = ranked(result)
    top = table_in(tokens, "Findings in full (50 of 126)", "severity")
    assert [[row[0], row[1], row[2]] for row in top.texts()] == [
        [f.severity.value, shown_name(f), f.rule] for f in order[:50]
    ]
    rest = table_in(tokens, "Other findings by rule (76)", "severity")
    assert rest.header == ["severity", "rule", "findings"]
    counted = Counter((f.severity, f.rule) for f in order[50:])
    assert rest.texts() == [
        [severity.value, rule, str(counted[severity, rule])]
        for severity, rule in sorted(counted, key=lambda key: (key[0].rank, key[1]))
    ]
    assert sum(int(row[2]) for row in rest.texts()) == 76
    assert left_out(tokens, "Findings in full (50 of 126)") == left_out(tokens, "Other findings by rule (76)") == 0


def test_new_findings_come_first_with_both_places_and_baselined_ones_are_marked(
    sample_result: AuditResult, epoch: None
) -> None:
    result = many(sample_result, 2)
    # Every P0 to P2 finding is baselined but those of the first copy of Asset: the new ones are the
    # three findings of Asset0 and every P3 and info finding.
    baselined = frozenset(
        f for f in result.findings if f.severity.rank <= Severity.P2.rank and f.type_name != "Asset0"
    )
    result = replace(result, baseline=BaselineStatus("parity-baseline.json", baselined, fixed=2))
    tokens = MARKDOWN.parse(render(result, COMPACT))
    new = [f for f in ranked(result) if f not in baselined]
    assert h2_sections(tokens) == [
        "Summary",
        f"New findings ({len(new)})",
        "Findings in full (50 of 84)",
        "Other findings by rule (34)",
    ]
    assert table_in(tokens, f"New findings ({len(new)})", "severity").texts() == [
        [f.severity.value, shown_name(f), f.rule, place(f.python), place(f.elixir)] for f in new
    ]
    assert [f.type_name for f in new[:2]] == ["Asset0", "Asset0"]
    top = table_in(tokens, "Findings in full (50 of 84)", "severity")
    marks = [row[0] for row in top.texts()]
    # Within a severity the new findings lead: the two P0 and P1 of Asset0, then the baselined ones.
    assert marks[:6] == ["P0", "P0 (baselined)", "P0 (baselined)", "P0 (baselined)", "P0 (baselined)", "P0 (baselined)"]
    assert [f"{f.severity.value}{'' if f in new else ' (baselined)'}" for f in ranked(result)[:50]] == marks
    rest = table_in(tokens, "Other findings by rule (34)", "severity")
    assert rest.header == ["severity", "rule", "findings", "new"]
    assert sum(int(row[3]) for row in rest.texts()) == sum(1 for f in ranked(result)[50:] if f in new)
    assert "The full report also lists 2 baselined findings since fixed." in paragraphs(tokens)
    assert table_in(tokens, "Summary", "severity").header == ["severity", "findings", "new", "baselined"]


def test_the_compact_form_names_the_file_the_full_report_is_written_to(sample_result: AuditResult, epoch: None) -> None:
    options = replace(COMPACT, full_markdown="reports/parity `full`.md")
    tokens = MARKDOWN.parse(render(sample_result, options))
    pointer = next(t for t in tokens if t.type == "inline" and inline_text(t).startswith("This is the compact form"))
    assert inline_text(pointer).endswith(
        "The full report, with every type field by field, is in reports/parity `full`.md."
    )
    assert codes(pointer) == ["reports/parity `full`.md"]


def test_auto_is_the_full_form_until_it_would_pass_60000_characters(sample_result: AuditResult, epoch: None) -> None:
    auto = replace(COMPACT, markdown_size=MarkdownSize.AUTO)
    assert render(sample_result, auto) == render(sample_result) and len(render(sample_result)) <= PULL_REQUEST_LIMIT
    large = many(sample_result, 6)
    assert len(render(large)) > PULL_REQUEST_LIMIT
    assert render(large, auto) == render(large, COMPACT)


def test_the_compact_form_is_byte_identical_for_the_same_inputs(sample_result: AuditResult, epoch: None) -> None:
    again = run_audit(AuditOptions(SAMPLE_PYTHON, SAMPLE_ELIXIR))
    assert render(many(sample_result, 4), COMPACT) == render(many(again, 4), COMPACT)


def test_a_long_list_is_cut_to_fit_and_what_is_cut_is_counted(sample_result: AuditResult, epoch: None) -> None:
    result = many(sample_result, 40)
    result = replace(result, baseline=BaselineStatus("b.json", frozenset(result.findings[::2]), fixed=0))
    report = render(result, COMPACT)
    tokens = MARKDOWN.parse(report)
    new = sum(1 for f in result.findings if result.is_new(f))
    listed = table_in(tokens, f"New findings ({new})", "severity")
    cut = left_out(tokens, f"New findings ({new})")
    assert cut > 0 and len(listed.rows) + cut == new
    assert PULL_REQUEST_LIMIT - 500 < len(report) <= PULL_REQUEST_LIMIT  # the room is used, not wasted


HOSTILE_TEXT = st.text(
    st.sampled_from(["|", "`", "<", ">", "*", "_", "[", "]", "\\", "&", "\n", "\r", "\x1b", "\u2028", " ", "a", "é"]),
    max_size=3000,
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    copies=st.integers(1, 300),
    name=HOSTILE_TEXT,
    message=HOSTILE_TEXT,
    root=HOSTILE_TEXT,
    baselined_every=st.integers(0, 3),
)
@example(copies=300, name=HOSTILE * 60, message="`" * 3000, root="|" * 3000, baselined_every=2)
def test_the_compact_form_of_any_result_stays_within_60000_characters_and_counts_what_it_leaves_out(
    sample_result: AuditResult, copies: int, name: str, message: str, root: str, baselined_every: int
) -> None:
    grown = many(sample_result, copies, suffix=name)
    findings = tuple(replace(f, message=f.message + message, rule=f.rule + name) for f in grown.findings)
    result = replace(
        grown,
        findings=findings,
        python_input=Checkout(root, revision=root, commit=root, commit_date=root, branch=root),
        elixir_input=Checkout(root + "ex", branch=name),
        baseline=BaselineStatus(root, frozenset(findings[::baselined_every]), 1) if baselined_every else None,
        diagnostics=sample_result.diagnostics,
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        report = render(result, replace(COMPACT, full_markdown=root))
    assert len(report) <= PULL_REQUEST_LIMIT
    assert "\x1b" not in report and "\r" not in report
    tokens = MARKDOWN.parse(report)
    _assert_html_is_only_details_blocks(tokens)
    lines = report.splitlines()
    for table in tables(tokens):
        for line in lines[table.lines[0] : table.lines[1]]:
            assert len(escapedSplit(line[1:-1])) == len(table.header), line
    sections = h2_sections(tokens)
    order = ranked(result)
    new = sum(1 for f in order if result.is_new(f))
    in_full = f"{len(order[:50])} of {len(order)}" if len(order) > 50 else str(len(order))
    expected = {
        f"New findings ({new})": new if result.baseline is not None else 0,
        f"Findings in full ({in_full})": len(order[:50]),
        f"Other findings by rule ({len(order) - 50})": len({(f.severity, f.rule) for f in order[50:]}),
    }
    assert sections == ["Summary", *(section for section, count in expected.items() if count)]
    for section in sections[1:]:
        rows = [t for t in tables(tokens) if t.section == section]
        listed = len(rows[0].rows) if rows else 0
        assert listed + left_out(tokens, section) == expected[section], section


def test_the_cli_writes_the_compact_form_and_names_the_full_report_it_writes_beside_it(
    sample_result: AuditResult, tmp_path: Path, epoch: None
) -> None:
    comment, full = tmp_path / "comment.md", tmp_path / "full.md"
    run = run_cli(
        SAMPLE_PYTHON,
        SAMPLE_ELIXIR,
        *("--format", "markdown", "--markdown-size", "summary", "--output", str(comment)),
        *("--report", f"markdown={full}", "--no-cache"),
    )
    assert run.returncode == 1, run.stderr
    assert comment.read_text(encoding="utf-8") == render(sample_result, replace(COMPACT, full_markdown=str(full)))
    assert full.read_text(encoding="utf-8") == render(sample_result)
