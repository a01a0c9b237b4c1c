"""`--format markdown`: a report to paste into a pull request or a docs page.

The output is CommonMark with GitHub's table extension, a mermaid chart and `<details>` blocks, so
GitHub renders it in full and any CommonMark renderer still shows every table.

Text taken from audited code reaches the document in one of two forms, and nowhere else:
- `code(...)`: identifiers, annotations, defaults and paths, as inline code spans. A code span is
  literal in CommonMark, so only its own delimiters can end it: the fence is one backtick longer
  than the longest run of backticks inside, and padded with a space when the content starts or
  ends with a backtick or a space (CommonMark strips exactly that space again). Inside a table
  every `|` becomes `\\|`: GitHub (cmark-gfm) and markdown-it both end a cell only at a pipe that
  no backslash precedes, and remove that one backslash again before the span is parsed.
- `text(...)`: prose such as findings' messages and suppression reasons, never at the start of a
  line. Every ASCII punctuation character is backslash-escaped (CommonMark guarantees an escaped
  punctuation character is a literal character, so no emphasis, link, code span, entity,
  autolink, strikethrough or raw HTML can start), except `, ; ' " ( ) / ? = + - %`: those mean
  something only at the start of a line (`+`, `-`, `=`) or inside a link, whose brackets are
  always escaped.
Both first replace control characters (`clean`), so nothing can end a line or a table row.
`<details>` summaries and the mermaid chart hold only the report's own words and numbers, since
their content is raw HTML and chart syntax, where Markdown escapes do not apply.

The compact form (`--markdown-size summary`, or `auto` when the full form is too long) fits a
pull-request comment: it lists findings only as far as PULL_REQUEST_LIMIT allows and counts the rest,
and cuts each string from audited code to LONGEST_TEXT characters before `code` or `text` sees it.
"""

from __future__ import annotations

import os
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Generic, TypeVar

from auditor import __version__
from auditor.align import FieldPair
from auditor.audit import AuditResult, Checkout, Status, TypeStatus, UsageError
from auditor.compare import describe
from auditor.findings import Finding, Severity, SideRef, type_and_field
from auditor.model import Field, Location, TypeDef, TypeKind
from auditor.reports import DEFAULT_OPTIONS, MarkdownSize, ReportOptions
from auditor.reports.summary import (
    PINNING_HINT,
    audited_type_count,
    coverage,
    coverage_line,
    finding_counts,
    inferred_pairs,
    is_unported,
    triage_counts,
    type_counts,
    unported_types,
    work_list,
)
from auditor.reports.untrusted import replace_unsafe
from auditor.rules import CATALOG

OPEN_LIMIT = 10
"""A per-status section with at most this many types starts expanded; a longer one starts collapsed."""

STATUS_LABELS = {
    Status.PARITY: ("parity", "no finding"),
    Status.WIRE_COMPATIBLE: ("wire-compatible", "only P3 and info findings: the wire format agrees"),
    Status.MISMATCH: ("mismatch", "a P0, P1 or P2 finding"),
    Status.MISSING_IN_ELIXIR: ("missing in Elixir", "no Elixir counterpart"),
    Status.ELIXIR_ONLY: ("Elixir-only", "no Python counterpart"),
}
FIX_SEVERITIES = (Severity.P0, Severity.P1, Severity.P2, Severity.P3)
ABSENT = "—"
PULL_REQUEST_LIMIT = 60_000
"""The compact form is at most this many characters (Python `len`), and `auto` keeps the full form up to
it. GitHub takes 65,536 in a pull-request comment or body; the margin is for what a CI job adds around it."""
IN_FULL = 50
"""The compact form shows this many findings in full: the most severe, in the order of Priority fixes."""
LONGEST_TEXT = 500
"""The compact form cuts a string from audited code to this many characters, so that every line it can
list is short enough to list, and its fixed parts (the inputs) always leave room for findings."""

# A run of whitespace holding a line break (as Python's str.splitlines sees them) becomes one space:
# a multi-line typespec reads as one line, and nothing can end a table row.
_LINE_BREAK = re.compile(r"\s*[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]\s*")
# ASCII punctuation but for `"%'()+,-/;=?`, which are inert where `text` is used.
_MARKUP_PUNCTUATION = re.compile(r"([!#$&*.:<>@\[\\\]^_`{|}~])")
_BACKTICKS = re.compile(r"`+")


def clean(value: str) -> str:
    """Audited text on one line: line breaks and tabs become spaces, other control characters U+FFFD."""
    one_line = _LINE_BREAK.sub(" ", value).replace("\t", " ")
    return replace_unsafe(one_line)


def text(value: str) -> str:
    """Prose from audited code, shown literally wherever Markdown allows inline content."""
    return _MARKUP_PUNCTUATION.sub(r"\\\1", clean(value))


def code(value: str, *, in_table: bool) -> str:
    """An inline code span showing `value` exactly (after `clean`); empty for blank text."""
    content = clean(value)
    if not content.strip():
        return ""
    fence = "`" * (max((len(run) for run in _BACKTICKS.findall(content)), default=0) + 1)
    if content[0] in "` " or content[-1] in "` ":
        content = f" {content} "
    if in_table:
        content = content.replace("|", "\\|")
    return f"{fence}{content}{fence}"


def report_date() -> str:
    """The UTC date of SOURCE_DATE_EPOCH when it is set (reproducible builds), else today's UTC date."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if not epoch:
        return datetime.now(UTC).date().isoformat()
    try:
        if not epoch.isascii() or not epoch.isdigit():
            raise ValueError(epoch)
        return datetime.fromtimestamp(int(epoch), UTC).date().isoformat()
    except (ValueError, OverflowError, OSError):
        raise UsageError(
            f"SOURCE_DATE_EPOCH must be a whole number of seconds since 1970-01-01 UTC, got {epoch!r}."
        ) from None


def _row(cells: Iterable[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _table(header: Sequence[str], rows: Iterable[Sequence[str]], numeric: Sequence[int] = ()) -> str:
    """A table; `header` and `numeric` (right-aligned column indexes) are the report's own words."""
    delimiter = ["---:" if index in numeric else "---" for index in range(len(header))]
    return "\n".join([_row(header), _row(delimiter), *(_row(row) for row in rows)])


def _collapsible(summary: str, body: str, count: int) -> str:
    """`body` in a `<details>` block that starts expanded when it holds at most OPEN_LIMIT items."""
    return _details(summary, body, opened=count <= OPEN_LIMIT)


def _details(summary: str, body: str, *, opened: bool) -> str:
    """`body` in a `<details>` block; `summary` is raw HTML, so it must never hold audited text."""
    opening = "<details open>" if opened else "<details>"
    return f"{opening}\n<summary>{summary}</summary>\n\n{body}\n\n</details>"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _place(location: Location, *, in_table: bool) -> str:
    return code(f"{location.path}:{location.line}", in_table=in_table)


def _finding_name(finding: Finding) -> str:
    return type_and_field(finding.shown_type, finding.field)


def _values(typedef: TypeDef) -> str:
    """An enum's values or a union's members, language-neutral: `'png' | 'jpeg'`, `:png | :jpeg`."""
    return describe(typedef.target) if typedef.target is not None else ""


# --- header, summary and priorities --------------------------------------------------------------


def _inputs(result: AuditResult) -> str:
    sides: tuple[Checkout, Checkout] = (result.python_input, result.elixir_input)
    rows = [["path", *(code(side.root, in_table=True) for side in sides)]]
    # Git metadata rows appear when either side has them; a side without them is not a git checkout,
    # and a side without a revision was audited as its work tree.
    for label, attribute, missing in (
        ("revision", "revision", "work tree"),
        ("commit", "commit", ABSENT),
        ("commit date", "commit_date", ABSENT),
        ("branch", "branch", ABSENT),
    ):
        values: list[str | None] = [getattr(side, attribute) for side in sides]
        if any(values):
            rows.append([label, *(code(value, in_table=True) if value else missing for value in values)])
    models = (("python", result.python), ("elixir", result.elixir))
    rows.append(["files", *(str(len(model.files)) for _, model in models)])
    rows.append(["types", *(str(audited_type_count(result, side)) for side, _ in models)])
    return _table(["", "Python SDK (reference)", "Elixir port (audited)"], rows)


def _title(result: AuditResult, date: str) -> str:
    python, elixir = (code(side.root, in_table=False) for side in (result.python_input, result.elixir_input))
    return "\n".join(
        [
            f"# Type parity: {python} vs {elixir}",
            "",
            # The report's own words and numbers only: no audited text to escape.
            f"**{coverage_line(coverage(result))}**",
            "",
            f"Generated on {date} (UTC) by parity-audit {__version__}. The Python SDK is the reference; "
            "the Elixir port is what is audited.",
            "",
            _inputs(result),
        ]
    )


def _pie(counts: dict[str, int]) -> str:
    slices = [f'    "{STATUS_LABELS[Status(status)][0]}" : {count}' for status, count in counts.items() if count]
    if not slices:
        return ""
    return "\n".join(["```mermaid", "pie showData", "    title Types by status", *slices, "```"])


def _status_table(result: AuditResult) -> str:
    statuses = type_counts(result)
    status_rows = [[STATUS_LABELS[Status(s)][0], str(n), STATUS_LABELS[Status(s)][1]] for s, n in statuses.items()]
    status_rows.append(["**total**", str(sum(statuses.values())), ""])
    return _table(["status", "types", "meaning"], status_rows, numeric=(1,))


def _severity_table(result: AuditResult) -> str:
    """Findings by severity, with how many are new and how many baselined when a baseline is used."""
    severities = finding_counts(result)
    baselined = Counter(f.severity.value for f in result.findings if not result.is_new(f))
    counted = [(label, count, baselined[label]) for label, count in severities.items()]
    counted.append(("**total**", len(result.findings), baselined.total()))
    with_baseline = result.baseline is not None
    header = ["severity", "findings", *(("new", "baselined") if with_baseline else ())]
    severity_rows = [
        [label, str(count), *((str(count - known), str(known)) if with_baseline else ())]
        for label, count, known in counted
    ]
    return _table(header, severity_rows, numeric=tuple(range(1, len(header))))


def _summary(result: AuditResult) -> str:
    parts = ["## Summary", _status_table(result), _severity_table(result)]
    if result.suppressed:
        parts.append(f"{_plural(len(result.suppressed), 'finding')} suppressed: see Suppressed findings.")
    parts.append(_pie(type_counts(result)))
    return "\n\n".join(part for part in parts if part)


def _ranked(result: AuditResult) -> list[Finding]:
    """Every finding, most severe first; within a severity, new findings before baselined ones."""
    return sorted(result.findings, key=lambda f: (f.severity.rank, not result.is_new(f), f.sort_key()))


def _priority_line(finding: Finding, new: bool) -> str:
    line = (
        f"- {code(_finding_name(finding), in_table=False)} — {code(finding.rule, in_table=False)} — "
        f"{text(finding.message)}"
    )
    return line if new else f"{line} — *baselined*"


def _priorities(result: AuditResult) -> str:
    parts = [
        "## Priority fixes",
        "What the port has to change, most severe first; within a severity, new findings come before "
        "baselined ones. Info findings are notes rather than fixes (the pair stays wire-compatible), so "
        "they are listed with their types below.",
    ]
    unported = unported_types(result)
    ordered = [f for f in _ranked(result) if not is_unported(f, unported)]
    for severity in FIX_SEVERITIES:
        in_severity = [f for f in ordered if f.severity is severity]
        if in_severity:
            parts.append(f"### {severity.value} ({len(in_severity)})")
            parts.append("\n".join(_priority_line(f, result.is_new(f)) for f in in_severity))
    if len(parts) == 2:
        parts.append("Nothing to fix: no finding is more severe than info.")
    return "\n\n".join(parts)


def _work_list(result: AuditResult) -> str:
    """The findings under the ported type they break, most severe first, then the type most reached."""
    items = work_list(result, result.findings)
    if not items:
        return ""
    blocks = []
    for item in items:
        reached = f", reached from {_plural(item.reached_from, 'ported type')}" if item.reached_from else ""
        lines = [f"- **{item.worst.value}** {code(item.pair.shown_name, in_table=False)}{reached}"]
        for finding in item.findings:
            own = finding.pair == item.pair.key
            where = finding.field if own else type_and_field(finding.shown_type, finding.field)
            name = code(where, in_table=False) if where else "*type*"
            mark = "" if result.is_new(finding) else " — *baselined*"
            lines.append(
                f"  - {name} — {finding.severity.value} {code(finding.rule, in_table=False)} — "
                f"{text(finding.message)}{mark}"
            )
        blocks.append("\n".join(lines))
    return "\n\n".join(
        [
            "## Work list",
            "Findings under the type they break (a missing type under the ported type that needs it), most "
            "severe first, then the type the most ported types reach.",
            "\n".join(blocks),
        ]
    )


def _unported(result: AuditResult) -> str:
    """Missing types nothing ported reaches, by the root type they hang from; always collapsed."""
    unported = unported_types(result)
    present = {f.python_type: f for f in result.findings if is_unported(f, unported)}
    types = result.python.by_qualname()
    rows = [
        [
            code(types[group.root].name, in_table=True),
            code(types[group.root].module, in_table=True),
            str(len(found)),
            ", ".join(code(f.shown_type, in_table=True) for f in found),
        ]
        for group in result.reach.unported
        if (found := [present[q] for q in group.types if q in present])
    ]
    if not rows:
        return ""
    count = sum(int(row[2]) for row in rows)
    table = _table(["root type", "module", "types", "missing types"], rows, numeric=(2,))
    opening = f"<details>\n<summary>{_plural(count, 'type')} in {_plural(len(rows), 'group')}</summary>"
    return "\n\n".join(
        [
            f"## Unported API surface ({_plural(count, 'type')})",
            "Python types the port lacks and no ported type uses (`missing-type`, P2), by the root type they "
            "hang from. Mark a surface the port leaves out on purpose with `[unported]` in the config.",
            f"{opening}\n\n{table}\n\n</details>",
        ]
    )


# --- per-status sections -------------------------------------------------------------------------


def _finding_cell(findings: Sequence[Finding], result: AuditResult) -> str:
    marks = []
    for finding in findings:
        mark = f"{finding.severity.value} {code(finding.rule, in_table=True)}"
        marks.append(mark if result.is_new(finding) else f"{mark} (baselined)")
    return ", ".join(marks)


def _field_cell(field: Field | None, enforced_word: str) -> str:
    if field is None:
        return ABSENT
    parts = [code(field.annotation, in_table=True) if field.annotation.strip() else "*no typespec*"]
    if field.default is not None:
        parts.append(f"default {code(field.default.text, in_table=True)}")
    if field.required:
        parts.append(enforced_word)
    return ", ".join(parts)


def _field_name_cell(pair: FieldPair) -> str:
    name = code(pair.name, in_table=True)
    if pair.python is not None and pair.elixir is not None and pair.elixir.name != pair.python.name:
        return f"{name} (Elixir {code(pair.elixir.name, in_table=True)})"
    return name


def _definitions(entry: TypeStatus) -> str:
    sides = []
    if entry.pair.python is not None:
        python = entry.pair.python
        sides.append(f"Python {code(python.qualname, in_table=False)} at {_place(python.location, in_table=False)}")
    if entry.pair.elixir is not None:
        elixir = entry.pair.elixir
        sides.append(f"Elixir {code(elixir.qualname, in_table=False)} at {_place(elixir.location, in_table=False)}")
    return " · ".join(sides)


def _side_by_side(entry: TypeStatus, findings: Sequence[Finding], result: AuditResult) -> str:
    """One type: both definitions, its type-level findings, and every field of both sides in one table."""
    pair = entry.pair
    by_field: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        by_field[finding.field or ""].append(finding)
    parts = [f"### {code(pair.shown_name, in_table=False)}", _definitions(entry)]
    assert pair.python is not None and pair.elixir is not None
    if pair.python.kind is TypeKind.STRUCT:
        rows = [
            [
                _field_name_cell(field),
                _field_cell(field.python, "required"),
                _field_cell(field.elixir, "enforced"),
                _finding_cell(by_field.pop(field.name, []), result),
            ]
            for field in pair.fields
        ]
        table = _table(["field", "Python", "Elixir", "finding"], rows)
    else:
        word = "values" if pair.python.kind is TypeKind.ENUM else "members"
        row = [f"*{word}*", code(_values(pair.python), in_table=True), code(_values(pair.elixir), in_table=True)]
        table = _table(["", "Python", "Elixir", "finding"], [[*row, _finding_cell(by_field.pop("", []), result)]])
    # Findings on the type itself, or on a field the table does not show, are listed above it.
    remaining = sorted((f for group in by_field.values() for f in group), key=Finding.sort_key)
    parts += [
        "\n".join(f"- {f.severity.value} {code(f.rule, in_table=False)}: {text(f.message)}" for f in remaining),
        table,
    ]
    return "\n\n".join(part for part in parts if part)


def _mismatches(
    entries: Sequence[TypeStatus], findings: dict[tuple[str, str], list[Finding]], result: AuditResult
) -> str:
    overview = []
    for entry in entries:
        counted = Counter(f.severity for f in findings[entry.pair.key])
        assert entry.pair.python is not None and entry.pair.elixir is not None
        overview.append(
            [
                code(entry.pair.shown_name, in_table=True),
                *(str(counted[severity]) for severity in Severity),
                _place(entry.pair.python.location, in_table=True),
                _place(entry.pair.elixir.location, in_table=True),
            ]
        )
    header = ["type", *(severity.value for severity in Severity), "Python", "Elixir"]
    details = "\n\n".join(_side_by_side(entry, findings[entry.pair.key], result) for entry in entries)
    return "\n\n".join(
        [
            "Types with a P0, P1 or P2 finding, then every field of both sides.",
            _table(header, overview, numeric=tuple(range(1, len(Severity) + 1))),
            _collapsible(f"Field by field ({_plural(len(entries), 'type')})", details, len(entries)),
        ]
    )


def _one_sided(typedef: TypeDef, shown_name: str, required_word: str, heading_note: str) -> str:
    parts = [
        f"### {code(shown_name, in_table=False)}",
        f"{typedef.kind.value} {code(typedef.qualname, in_table=False)} at {_place(typedef.location, in_table=False)}"
        f"{heading_note}",
    ]
    if typedef.kind is TypeKind.STRUCT:
        rows = []
        for field in typedef.fields:
            name = code(field.name, in_table=True)
            if field.alias is not None:
                name += f" (alias {code(field.alias, in_table=True)})"
            annotation = code(field.annotation, in_table=True) if field.annotation.strip() else "*no typespec*"
            default = code(field.default.text, in_table=True) if field.default is not None else ABSENT
            rows.append([name, annotation, required_word if field.required else "optional", default])
        parts.append(_table(["field", "annotation", "required", "default"], rows) if rows else "No fields.")
    else:
        parts.append(f"Values: {code(_values(typedef), in_table=False)}")
    return "\n\n".join(parts)


def _missing(entries: Sequence[TypeStatus]) -> str:
    blocks = []
    for entry in entries:
        assert entry.pair.python is not None
        reason = entry.pair.note
        heading_note = f". Not aligned: {text(reason)}." if reason else ""
        blocks.append(_one_sided(entry.pair.python, entry.pair.shown_name, "required", heading_note))
    return "\n\n".join(
        [
            "Python types with no Elixir counterpart: their fields, types and defaults, as a port needs them.",
            _collapsible(f"{_plural(len(entries), 'type')} to port", "\n\n".join(blocks), len(entries)),
        ]
    )


def _elixir_only(entries: Sequence[TypeStatus]) -> str:
    blocks = []
    for entry in entries:
        assert entry.pair.elixir is not None
        note = entry.pair.note
        heading_note = f". Not aligned: {text(note)}." if note else ""
        blocks.append(_one_sided(entry.pair.elixir, entry.pair.shown_name, "enforced", heading_note))
    return "\n\n".join(
        [
            "Elixir modules with no Python counterpart: port-only API, or types upstream renamed or removed.",
            _collapsible(_plural(len(entries), "module"), "\n\n".join(blocks), len(entries)),
        ]
    )


def _wire_compatible(entries: Sequence[TypeStatus], findings: dict[tuple[str, str], list[Finding]]) -> str:
    rows = [
        [
            code(entry.pair.shown_name, in_table=True),
            code(finding.field, in_table=True) if finding.field else "*type*",
            finding.severity.value,
            code(finding.rule, in_table=True),
            text(finding.message),
        ]
        for entry in entries
        for finding in findings[entry.pair.key]
    ]
    return "\n\n".join(
        [
            "Types whose differences leave the wire format intact: their P3 and info notes.",
            _collapsible(
                f"{_plural(len(rows), 'note')} on {_plural(len(entries), 'type')}",
                _table(["type", "field", "severity", "rule", "note"], rows),
                len(entries),
            ),
        ]
    )


def _parity(entries: Sequence[TypeStatus]) -> str:
    rows = []
    for entry in entries:
        python, elixir = entry.pair.python, entry.pair.elixir
        assert python is not None and elixir is not None
        if python.kind is TypeKind.STRUCT:
            contents = ", ".join(code(field.name, in_table=True) for field in python.fields)
        else:
            contents = code(_values(python), in_table=True)
        rows.append(
            [
                code(entry.pair.shown_name, in_table=True),
                _place(python.location, in_table=True),
                f"{code(elixir.qualname, in_table=True)} at {_place(elixir.location, in_table=True)}",
                contents,
            ]
        )
    return "\n\n".join(
        [
            "Types that agree field for field.",
            _collapsible(
                _plural(len(entries), "type"),
                _table(["type", "Python", "Elixir", "fields or values"], rows),
                len(entries),
            ),
        ]
    )


def _status_sections(result: AuditResult) -> list[str]:
    findings: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for finding in result.findings:  # in Finding.sort_key order, as the audit returns them
        findings[finding.pair].append(finding)
    by_status: dict[Status, list[TypeStatus]] = defaultdict(list)
    for entry in result.types:
        by_status[entry.status].append(entry)
    bodies = {
        Status.MISMATCH: lambda entries: _mismatches(entries, findings, result),
        Status.MISSING_IN_ELIXIR: _missing,
        Status.ELIXIR_ONLY: _elixir_only,
        Status.WIRE_COMPATIBLE: lambda entries: _wire_compatible(entries, findings),
        Status.PARITY: _parity,
    }
    sections = []
    for status, body in bodies.items():
        entries = by_status[status]
        if entries:
            label = STATUS_LABELS[status][0]
            sections.append(f"## {label[0].upper()}{label[1:]} ({_plural(len(entries), 'type')})\n\n{body(entries)}")
    return sections


# --- accepted findings, baseline, diagnostics, legend --------------------------------------------


def _inferred(result: AuditResult) -> str:
    rows = []
    for entry in inferred_pairs(result):
        pair, found = entry.pair, entry.pair.found
        assert pair.python is not None and pair.elixir is not None and found is not None
        rows.append(
            [
                code(pair.python.qualname, in_table=True),
                code(pair.elixir.qualname, in_table=True),
                text(found.how.value),
                f"{found.score:.2f}",
                text(found.evidence),
            ]
        )
    if not rows:
        return ""
    return "\n\n".join(
        [
            f"## Pairs not found by name ({len(rows)})",
            f"Counterparts found by module path, by shape or as a local type. {PINNING_HINT}",
            _table(["Python", "Elixir", "how", "score", "evidence"], rows, numeric=(3,)),
        ]
    )


def _suppressed(result: AuditResult) -> str:
    if not result.suppressed:
        return ""
    rows = [
        [
            code(_finding_name(entry.finding), in_table=True),
            entry.finding.severity.value,
            code(entry.finding.rule, in_table=True),
            text(entry.source),
            text(entry.reason),
            _place(entry.where, in_table=True),
        ]
        for entry in sorted(result.suppressed, key=lambda s: (s.finding.sort_key(), s.where))
    ]
    return "\n\n".join(
        [
            f"## Suppressed findings ({len(rows)})",
            "Findings the port team accepted, by a config ignore or an inline comment; they are not counted "
            "above and never fail the run.",
            _table(["finding", "severity", "rule", "by", "reason", "where"], rows),
        ]
    )


def _baseline(result: AuditResult) -> str:
    if result.baseline is None:
        return ""
    baselined = triage_counts(result)["baselined"]
    return (
        f"## Baseline\n\n{code(result.baseline.path, in_table=False)}: "
        f"{_plural(baselined, 'finding')} of this run baselined (reported, never failing the run), "
        f"{result.baseline.fixed} baselined since fixed."
    )


def _diagnostics(result: AuditResult) -> str:
    if not result.diagnostics:
        return ""
    rows = [
        [
            text(diagnostic.level),
            text(side),
            _place(Location(diagnostic.path, diagnostic.line), in_table=True),
            text(diagnostic.message),
        ]
        for side, diagnostic in result.diagnostics
    ]
    table = _table(["level", "side", "where", "message"], rows)
    return f"## Diagnostics ({len(rows)})\n\n{_collapsible(_plural(len(rows), 'diagnostic'), table, len(rows))}"


def _legend(result: AuditResult) -> str:
    occurring = {f.rule for f in result.findings} | {s.finding.rule for s in result.suppressed}
    rows = [
        [code(rule.slug, in_table=True), text(rule.severity), text(rule.summary)]
        for rule in CATALOG
        if rule.slug in occurring
    ]
    if not rows:
        return ""
    return "## Rules\n\n" + _table(["rule", "severity", "fires when"], rows)


def render(result: AuditResult, options: ReportOptions = DEFAULT_OPTIONS) -> str:
    """The full form, or the compact one, as `options.markdown_size` asks."""
    if options.markdown_size is MarkdownSize.SUMMARY:
        return _compact_report(result, options)
    full = _full_report(result)
    if options.markdown_size is MarkdownSize.AUTO and len(full) > PULL_REQUEST_LIMIT:
        return _compact_report(result, options)
    return full


def _full_report(result: AuditResult) -> str:
    blocks = [
        _title(result, report_date()),
        _summary(result),
        _work_list(result),
        _priorities(result),
        *_status_sections(result),
        _unported(result),
        _inferred(result),
        _suppressed(result),
        _baseline(result),
        _diagnostics(result),
        _legend(result),
    ]
    return "\n\n".join(block for block in blocks if block) + "\n"


# --- the compact form, for a pull request ----------------------------------------------------------

Item = TypeVar("Item")


def _clipped(value: str) -> str:
    """`value` cut to LONGEST_TEXT characters, the cut marked with an ellipsis."""
    return value if len(value) <= LONGEST_TEXT else value[: LONGEST_TEXT - 1] + "…"


def _clipped_checkout(checkout: Checkout) -> Checkout:
    def clipped_or_none(value: str | None) -> str | None:
        return None if value is None else _clipped(value)

    return replace(
        checkout,
        root=_clipped(checkout.root),
        revision=clipped_or_none(checkout.revision),
        commit=clipped_or_none(checkout.commit),
        commit_date=clipped_or_none(checkout.commit_date),
        branch=clipped_or_none(checkout.branch),
    )


def _clipped_place(side: SideRef | None) -> str:
    if side is None:
        return ABSENT
    return code(_clipped(f"{side.location.path}:{side.location.line}"), in_table=True)


def _side_in_full(side: SideRef | None) -> str:
    """Where a finding is on one side, with the annotation written there: `Optional[str]` at `a.py:3`."""
    place = _clipped_place(side)
    if side is None or side.annotation is None or not side.annotation.strip():
        return place
    return f"{code(_clipped(side.annotation), in_table=True)} at {place}"


@dataclass(frozen=True)
class _Listing(Generic[Item]):
    """A section of the compact form: a table of as many leading items as its room allows, and a count of
    the items left out. `heading`, `summary` and `intro` are the report's own words."""

    heading: str
    summary: str
    intro: str
    header: tuple[str, ...]
    items: Sequence[Item]
    cells: Callable[[Item], Sequence[str]]
    item_word: str
    """What one item is, in the note counting those left out: "new finding", "rule"."""
    numeric: tuple[int, ...] = ()

    def smallest(self) -> int:
        """The length of the section listing no item: the room the compact form always keeps for it."""
        return len(self._section(self._body("", [])))

    def render(self, room: int) -> str:
        """The section listing the longest run of leading items that keeps it within `room` characters
        (at least `smallest()`)."""
        table_head = _table(self.header, [], self.numeric)
        used = len(self._section(self.intro)) + len("\n\n") + len(table_head)
        lines: list[str] = []
        # Rows are made one at a time, so a result of many thousand findings only escapes those listed.
        for item in self.items:
            line = _row(self.cells(item))
            left_out = len(self.items) - len(lines) - 1
            note = len("\n\n") + len(self._left_out_note(left_out)) if left_out else 0
            if used + len("\n") + len(line) + note > room:
                break
            lines.append(line)
            used += len("\n") + len(line)
        return self._section(self._body(table_head, lines))

    def _body(self, table_head: str, lines: list[str]) -> str:
        parts = [self.intro]
        if lines:
            parts.append("\n".join([table_head, *lines]))
        left_out = len(self.items) - len(lines)
        if left_out:
            parts.append(self._left_out_note(left_out))
        return "\n\n".join(parts)

    def _section(self, body: str) -> str:
        return f"## {self.heading}\n\n{_collapsible(self.summary, body, len(self.items))}"

    def _left_out_note(self, count: int) -> str:
        return (
            f"{_plural(count, f'more {self.item_word}')} not listed here, to keep this report within "
            f"{PULL_REQUEST_LIMIT:,} characters: the full report lists every one."
        )


def _where_the_full_report_is(result: AuditResult, options: ReportOptions) -> str:
    new = "the findings the baseline does not record, " if result.baseline is not None else ""
    what = (
        f"This is the compact form of the report, short enough for a pull request: counts, {new}"
        f"the {IN_FULL} most severe findings in full and the rest counted per rule."
    )
    if options.full_markdown is None:
        return (
            f"{what} For the full report, with every type field by field, run the audit again with "
            "`--report markdown=FULL.md`."
        )
    full_report = code(_clipped(options.full_markdown), in_table=False)
    return f"{what} The full report, with every type field by field, is in {full_report}."


def _only_in_the_full_report(result: AuditResult) -> str:
    counted = []
    if result.suppressed:
        counted.append(_plural(len(result.suppressed), "suppressed finding"))
    if result.baseline is not None and result.baseline.fixed:
        counted.append(f"{_plural(result.baseline.fixed, 'baselined finding')} since fixed")
    if result.diagnostics:
        counted.append(_plural(len(result.diagnostics), "diagnostic"))
    return f"The full report also lists {', '.join(counted)}." if counted else ""


def _compact_summary(result: AuditResult) -> str:
    parts = [
        _status_table(result),
        _severity_table(result),
        _only_in_the_full_report(result),
    ]
    return "## Summary\n\n" + _details("Types and findings", "\n\n".join(part for part in parts if part), opened=True)


def _new_findings(ranked: Sequence[Finding], result: AuditResult) -> _Listing[Finding]:
    # Without a baseline every finding is new, and the sections after this one show them all already.
    new = [finding for finding in ranked if result.is_new(finding)] if result.baseline is not None else []
    return _Listing(
        heading=f"New findings ({len(new)})",
        summary=_plural(len(new), "new finding"),
        intro="Findings the baseline does not record, most severe first, with where each is on both sides.",
        header=("severity", "finding", "rule", "Python", "Elixir"),
        items=new,
        cells=lambda finding: (
            finding.severity.value,
            code(_clipped(_finding_name(finding)), in_table=True),
            code(_clipped(finding.rule), in_table=True),
            _clipped_place(finding.python),
            _clipped_place(finding.elixir),
        ),
        item_word="new finding",
    )


def _findings_in_full(ranked: Sequence[Finding], result: AuditResult) -> _Listing[Finding]:
    shown = ranked[:IN_FULL]
    out_of = f" of {len(ranked)}" if len(ranked) > len(shown) else ""

    def severity(finding: Finding) -> str:
        return finding.severity.value if result.is_new(finding) else f"{finding.severity.value} (baselined)"

    return _Listing(
        heading=f"Findings in full ({len(shown)}{out_of})",
        summary=f"{len(shown)}{out_of} findings" if out_of else _plural(len(shown), "finding"),
        intro=f"The most severe findings, at most {IN_FULL}, in the order of the full report's priority fixes: "
        "what breaks, and the annotation on each side.",
        header=("severity", "finding", "rule", "what breaks", "Python", "Elixir"),
        items=shown,
        cells=lambda finding: (
            severity(finding),
            code(_clipped(_finding_name(finding)), in_table=True),
            code(_clipped(finding.rule), in_table=True),
            text(_clipped(finding.message)),
            _side_in_full(finding.python),
            _side_in_full(finding.elixir),
        ),
        item_word="finding",
    )


def _rest_by_rule(ranked: Sequence[Finding], result: AuditResult) -> _Listing[tuple[Severity, str]]:
    rest = ranked[IN_FULL:]
    counted = Counter((finding.severity, finding.rule) for finding in rest)
    new = Counter((finding.severity, finding.rule) for finding in rest if result.is_new(finding))
    with_baseline = result.baseline is not None
    return _Listing(
        heading=f"Other findings by rule ({len(rest)})",
        summary=f"{_plural(len(rest), 'finding')} under {_plural(len({rule for _, rule in counted}), 'rule')}",
        intro=f"The findings after the first {IN_FULL}, counted per severity and rule; the full report lists each.",
        header=("severity", "rule", "findings", *(("new",) if with_baseline else ())),
        items=sorted(counted, key=lambda key: (key[0].rank, key[1])),
        cells=lambda key: (
            key[0].value,
            code(_clipped(key[1]), in_table=True),
            str(counted[key]),
            *((str(new[key]),) if with_baseline else ()),
        ),
        item_word="row",
        numeric=(2, 3),
    )


def _compact_report(result: AuditResult, options: ReportOptions) -> str:
    clipped_inputs = replace(
        result,
        python_input=_clipped_checkout(result.python_input),
        elixir_input=_clipped_checkout(result.elixir_input),
    )
    fixed = "\n\n".join(
        [_title(clipped_inputs, report_date()), _where_the_full_report_is(result, options), _compact_summary(result)]
    )
    ranked = _ranked(result)
    listings = [
        listing
        for listing in (_new_findings(ranked, result), _findings_in_full(ranked, result), _rest_by_rule(ranked, result))
        if listing.items
    ]
    # Room is given out last section first: the per-rule counts (a few rows) complete the summary, the
    # findings in full are at most IN_FULL, and the new findings, every finding when there is no baseline,
    # take what is left. Each section keeps its smallest size free for those still to come.
    room = PULL_REQUEST_LIMIT - len(fixed) - len("\n")
    kept_for_the_rest = sum(len("\n\n") + listing.smallest() for listing in listings)
    sections: list[str] = []
    for listing in reversed(listings):
        kept_for_the_rest -= len("\n\n") + listing.smallest()
        section = listing.render(room - kept_for_the_rest - len("\n\n"))
        room -= len("\n\n") + len(section)
        sections.insert(0, section)
    return "\n\n".join([fixed, *sections]) + "\n"
