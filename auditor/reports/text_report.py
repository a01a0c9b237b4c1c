"""`--format text`: the report as lines of styled text, written plain for files and pipes, in colour by
rich on a terminal.

The content is built once, as `Line`s of (text, style) spans and count tables, without rich. Plain
output joins the spans: no layout work per finding and no rich import, which costs more than the
report itself on a small result. A terminal gets the same lines as `rich.text.Text` objects. Every
string taken from audited code is a span's text, never markup, so a name containing `[bold]` or an
escape sequence is shown literally.
"""

from __future__ import annotations

import os
from collections import Counter
from typing import TYPE_CHECKING, NamedTuple, TextIO

from auditor import __version__
from auditor.align import TypePair
from auditor.audit import AuditResult, Checkout
from auditor.findings import FailOn, Finding, Severity, SideRef, type_and_field
from auditor.model import SideModel
from auditor.reports import DEFAULT_OPTIONS, ReportOptions
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

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

PLAIN_WIDTH = 120
"""The width rich lays the report out in off a terminal; lines are never wrapped to it (soft wrap)."""
TAB_SIZE = 8
SHORT_SHA = 12
"""Hex digits of a commit shown in the header: unambiguous in repositories far larger than any SDK."""
VERDICT_NAMED = 5
"""Failing findings the last line names; the rest it counts."""
SEVERITY_STYLES = {
    Severity.P0: "bold white on red",
    Severity.P1: "bold red",
    Severity.P2: "bold yellow",
    Severity.P3: "cyan",
    Severity.INFO: "dim",
}
HEADING = "bold underline"


class Line(NamedTuple):
    """One printed line (it may hold line breaks): spans of (text, rich style, "" for none), and a style
    for the whole line. A named tuple: a report builds two per finding, and a frozen dataclass takes twice
    as long to build."""

    spans: tuple[tuple[str, str], ...]
    style: str = ""

    @property
    def plain(self) -> str:
        return "".join(text for text, _ in self.spans)


class CountTable(NamedTuple):
    """A header row of labels over a row of counts, right-aligned, two spaces either side of a column."""

    counts: tuple[tuple[str, int], ...]


Block = Line | CountTable


def _line(text: str, style: str = "") -> Line:
    return Line(((text, ""),), style)


def clean(text: str) -> str:
    """Audited text that cannot move the cursor, recolour the terminal or disguise a name; tabs and
    line breaks stay, the output lays them out."""
    return replace_unsafe(text, kept="\t\n")


def _where(side: SideRef | None) -> str:
    """One side of a finding, as audited: the line that shows it cleans it."""
    if side is None:
        return "-"
    annotation = f"{side.annotation}  " if side.annotation else ""
    return f"{annotation}({side.location.path}:{side.location.line})"


def _triage_summary(result: AuditResult) -> list[Block]:
    counts = triage_counts(result)
    lines: list[Block] = []
    if result.baseline is not None:
        lines.append(
            _line(
                f"Baseline {clean(result.baseline.path)}: {counts['new']} new, {counts['baselined']} baselined, "
                f"{result.baseline.fixed} fixed"
            )
        )
    if result.suppressed:
        sources = Counter(entry.source for entry in result.suppressed)
        lines.append(
            _line(
                f"Suppressed: {counts['suppressed']} ({sources['inline']} inline, {sources['config']} config), "
                "listed after the findings"
            )
        )
    return lines


def _summary(result: AuditResult) -> list[Block]:
    return [
        _line("Types", HEADING),
        CountTable(tuple(type_counts(result).items())),
        _line("Findings", HEADING),
        CountTable(tuple(finding_counts(result).items())),
        *_triage_summary(result),
    ]


def _finding(finding: Finding, baselined: bool, under: TypePair) -> list[Block]:
    """One finding under the type it breaks: a field of it, the type itself, or a missing type it needs."""
    if finding.pair != under.key:
        named = clean(type_and_field(finding.shown_type, finding.field))
    else:
        named = clean(finding.field) if finding.field else "(type)"
    head = [
        ("  ", ""),
        (named, "bold"),
        ("  ", ""),
        (f"{finding.severity.value} {finding.rule}", SEVERITY_STYLES[finding.severity]),
        ("  ", ""),
    ]
    if baselined:
        head.append(("(baselined)  ", "dim"))
    head.append((clean(finding.message), ""))
    sides = f"      python: {_where(finding.python)}\n      elixir: {_where(finding.elixir)}"
    return [Line(tuple(head)), _line(clean(sides), "dim")]


def _findings(result: AuditResult, findings: list[Finding], baselined: bool) -> list[Block]:
    """The work list: findings under the type they break, most severe first, then the type most reached."""
    blocks: list[Block] = []
    for item in work_list(result, findings):
        head = [
            ("\n", ""),
            (item.worst.value, SEVERITY_STYLES[item.worst]),
            (f"  {clean(item.pair.shown_name)}", "bold"),
        ]
        if item.reached_from:
            head.append((f"  (reached from {_plural(item.reached_from, 'ported type')})", "dim"))
        blocks.append(Line(tuple(head)))
        for finding in item.findings:
            blocks.extend(_finding(finding, baselined, item.pair))
    return blocks


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _unported(result: AuditResult, options: ReportOptions) -> list[Block]:
    """Missing types nothing ported reaches: a count per group, or (`--show-unported`) every finding."""
    unported = unported_types(result)
    present = {finding.python_type: finding for finding in result.findings if is_unported(finding, unported)}
    groups = [(group, [present[q] for q in group.types if q in present]) for group in result.reach.unported]
    groups = [(group, found) for group, found in groups if found]
    if not groups:
        return []
    count = sum(len(found) for _, found in groups)
    hint = "" if options.show_unported else "; --show-unported lists them"
    lines: list[Block] = [
        _line(
            f"\nUnported API surface: {_plural(count, 'missing type')} no ported type uses, "
            f"in {_plural(len(groups), 'group')}{hint}",
            HEADING,
        )
    ]
    types = result.python.by_qualname()
    for group, found in groups:
        root = types[group.root]
        lines.append(_line(clean(f"  {root.name} ({root.module}): {_plural(len(found), 'type')}")))
        if options.show_unported:
            for finding in found:
                line = f"    {finding.shown_type}  {finding.severity.value} {finding.rule}"
                if not result.is_new(finding):
                    line += "  (baselined)"
                lines.append(_line(clean(f"{line}  {_where(finding.python)}")))
    return lines


def _new_then_baselined(result: AuditResult, options: ReportOptions) -> list[Block]:
    """The new findings in full; those the baseline records after them, in full or as a count."""
    new = [finding for finding in result.findings if result.is_new(finding)]
    known = [finding for finding in result.findings if not result.is_new(finding)]
    blocks = _findings(result, new, baselined=False)
    unported = unported_types(result)
    known = [finding for finding in known if not is_unported(finding, unported)]
    if not known:
        return blocks
    if options.show_baselined:
        blocks.append(_line("\nBaselined", HEADING))
        blocks.extend(_findings(result, known, baselined=True))
    else:
        noun = "finding" if len(known) == 1 else "findings"
        blocks.append(_line(f"\n{len(known)} baselined {noun} not shown; --show-baselined lists them", "dim"))
    return blocks


def _verdict(result: AuditResult) -> list[Block]:
    """The last line: what fails the run, or that nothing does."""
    if result.fail_on is FailOn.NEVER:
        return []
    failing = result.failing()
    if not failing:
        return [_line(f"\npassed: no new finding at or above {result.fail_on.value}")]
    named = [
        f"{clean(type_and_field(f.shown_type, f.field))} {f.rule} {f.severity.value}" for f in failing[:VERDICT_NAMED]
    ]
    if len(failing) > VERDICT_NAMED:
        named.append(f"and {len(failing) - VERDICT_NAMED} more")
    noun = "finding" if len(failing) == 1 else "findings"
    return [_line(f"\nfailed: {len(failing)} new {noun} at or above {result.fail_on.value} ({', '.join(named)})")]


def _suppressed(result: AuditResult) -> list[Block]:
    if not result.suppressed:
        return []
    lines: list[Block] = [_line("\nSuppressed", HEADING)]
    for entry in result.suppressed:
        finding = entry.finding
        named = type_and_field(finding.shown_type, finding.field)
        where = f"{entry.source} at {entry.where.path}:{entry.where.line}"
        lines.append(_line(clean(f"  {named}  {finding.rule}  {finding.severity.value}  {where}: {entry.reason}")))
    return lines


def _inferred(result: AuditResult) -> list[Block]:
    entries = inferred_pairs(result)
    if not entries:
        return []
    lines: list[Block] = [_line("\nPairs not found by name", HEADING)]
    for entry in entries:
        pair, found = entry.pair, entry.pair.found
        assert pair.python is not None and pair.elixir is not None and found is not None
        how = f"{found.how.value} {found.score:.2f}"
        lines.append(_line(clean(f"  {pair.python.name} = {pair.elixir.qualname}  {how}: {found.evidence}")))
    lines.append(_line(f"  {PINNING_HINT}"))
    return lines


def _diagnostics(result: AuditResult) -> list[Block]:
    if not result.diagnostics:
        return []
    lines: list[Block] = [_line("\nDiagnostics", HEADING)]
    for side, diagnostic in result.diagnostics:
        lines.append(
            _line(
                f"  {diagnostic.level} [{side}] {clean(diagnostic.path)}:{diagnostic.line}: {clean(diagnostic.message)}"
            )
        )
    return lines


def _input(result: AuditResult, name: str, side: SideModel, checkout: Checkout) -> str:
    """`../sdk @ v1.2 (3f2a9c1d0b7e, 20 files, 24 types)` for a revision, `... on main (...)` for a work tree."""
    where = clean(side.root)
    if checkout.revision is not None:
        where += f" @ {clean(checkout.revision)}"
    elif checkout.branch is not None:
        where += f" on {clean(checkout.branch)}"
    details = [f"{len(side.files)} files", f"{audited_type_count(result, name)} types"]
    if checkout.commit is not None:
        details.insert(0, checkout.commit[:SHORT_SHA])
    return f"{where} ({', '.join(details)})"


def blocks(result: AuditResult, options: ReportOptions = DEFAULT_OPTIONS) -> list[Block]:
    """The whole report, top to bottom."""
    inputs = " vs ".join(
        (
            _input(result, "python", result.python, result.python_input),
            _input(result, "elixir", result.elixir, result.elixir_input),
        )
    )
    return [
        _line(coverage_line(coverage(result)), "bold"),
        Line(((f"parity-audit {__version__}: ", ""), (inputs, "")), "bold"),
        *_summary(result),
        # The verdict closes the report right after the findings it counts; the pairs to confirm come first.
        *_inferred(result),
        *_new_then_baselined(result, options),
        *_unported(result, options),
        *_suppressed(result),
        *_diagnostics(result),
        *_verdict(result),
    ]


def _expand_tabs(line: str) -> str:
    """Tabs to the next stop of TAB_SIZE terminal cells, as rich expands them (a wide character takes two)."""
    from rich.cells import cell_len  # only for audited text that holds a tab

    expanded = ""
    for part in line.split("\t")[:-1]:
        expanded += part + " "
        expanded += " " * (-cell_len(expanded) % TAB_SIZE)
    return expanded + line.rsplit("\t", 1)[1]


def _plain_table(table: CountTable) -> str:
    widths = [max(len(label), len(str(count))) for label, count in table.counts]
    header = "".join(f"  {label:>{width}}  " for (label, _), width in zip(table.counts, widths, strict=True))
    row = "".join(f"  {count:>{width}}  " for (_, count), width in zip(table.counts, widths, strict=True))
    return f"{header}\n{row}\n"


def _plain(block: Block) -> str:
    if isinstance(block, CountTable):
        return _plain_table(block)
    text = block.plain
    if "\t" in text:
        text = "\n".join(_expand_tabs(line) if "\t" in line else line for line in text.split("\n"))
    return text + "\n"


def render(result: AuditResult, options: ReportOptions = DEFAULT_OPTIONS) -> str:
    """Plain text, for files and pipes: no colour and no wrapping, whatever the environment, so the same
    result always gives the same bytes."""
    return "".join(_plain(block) for block in blocks(result, options))


def _renderable(block: Block) -> RenderableType:
    from rich.table import Table
    from rich.text import Text

    if isinstance(block, CountTable):
        table = Table(show_header=True, header_style="bold", box=None, padding=(0, 2))
        for label, _ in block.counts:
            table.add_column(label, justify="right")
        table.add_row(*(str(count) for _, count in block.counts))
        return table
    text = Text(style=block.style)
    for part, style in block.spans:
        text.append(part, style=style or None)
    return text


def render_to(result: AuditResult, console: Console, options: ReportOptions = DEFAULT_OPTIONS) -> None:
    """The report through rich, styled as far as `console` shows styles and laid out at its width."""
    for block in blocks(result, options):
        console.print(_renderable(block))


def styled_off_terminal() -> bool:
    """Whether rich styles an output that is not a terminal: when TTY_COMPATIBLE=1 or a non-empty
    FORCE_COLOR says to (TTY_COMPATIBLE=0 says not to), unless TERM names a dumb terminal."""
    compatible = os.environ.get("TTY_COMPATIBLE", "")
    forced = compatible == "1" or (compatible != "0" and os.environ.get("FORCE_COLOR", "") != "")
    return forced and os.environ.get("TERM", "").lower() not in ("dumb", "unknown")


def write_report(result: AuditResult, options: ReportOptions, stream: TextIO) -> None:
    """The report on `stream`: on a terminal, rich lays it out at the terminal's width in colour; off one,
    the plain text, or the same lines styled when the environment forces colour (rich reads NO_COLOR)."""
    terminal = stream.isatty()
    if terminal or styled_off_terminal():
        from rich.console import Console  # only for the output that shows styles

        width = None if terminal else PLAIN_WIDTH
        render_to(result, Console(file=stream, width=width, highlight=False, soft_wrap=not terminal), options)
    else:
        stream.write(render(result, options))
