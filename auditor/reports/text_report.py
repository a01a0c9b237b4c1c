"""`--format text`: the terminal report (rich), plain text when the output is not a terminal.

Every string taken from audited code goes into `rich.text.Text` objects, never into markup, so a
name containing `[bold]` or an escape sequence is shown literally.
"""

from __future__ import annotations

import io
from collections import Counter

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

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

PLAIN_WIDTH = 120
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


def clean(text: str) -> str:
    """Audited text that cannot move the cursor, recolour the terminal or disguise a name; tabs and
    line breaks stay, rich lays them out."""
    return replace_unsafe(text, kept="\t\n")


def _where(side: SideRef | None) -> str:
    if side is None:
        return "-"
    annotation = f"{clean(side.annotation)}  " if side.annotation else ""
    return f"{annotation}({clean(side.location.path)}:{side.location.line})"


def _count_table(counts: dict[str, int]) -> Table:
    table = Table(show_header=True, header_style="bold", box=None, padding=(0, 2))
    for label in counts:
        table.add_column(label, justify="right")
    table.add_row(*(str(count) for count in counts.values()))
    return table


def _triage_summary(result: AuditResult) -> list[Text]:
    counts = triage_counts(result)
    lines: list[Text] = []
    if result.baseline is not None:
        lines.append(
            Text(
                f"Baseline {clean(result.baseline.path)}: {counts['new']} new, {counts['baselined']} baselined, "
                f"{result.baseline.fixed} fixed"
            )
        )
    if result.suppressed:
        sources = Counter(entry.source for entry in result.suppressed)
        lines.append(
            Text(
                f"Suppressed: {counts['suppressed']} ({sources['inline']} inline, {sources['config']} config), "
                "listed after the findings"
            )
        )
    return lines


def _summary(result: AuditResult) -> RenderableType:
    return Group(
        Text("Types", style="bold underline"),
        _count_table(type_counts(result)),
        Text("Findings", style="bold underline"),
        _count_table(finding_counts(result)),
        *_triage_summary(result),
    )


def _finding(finding: Finding, baselined: bool, under: TypePair) -> RenderableType:
    """One finding under the type it breaks: a field of it, the type itself, or a missing type it needs."""
    head = Text("  ")
    if finding.pair != under.key:
        head.append(clean(type_and_field(finding.shown_type, finding.field)), style="bold")
    else:
        head.append(clean(finding.field) if finding.field else "(type)", style="bold")
    head.append("  ")
    head.append(f"{finding.severity.value} {finding.rule}", style=SEVERITY_STYLES[finding.severity])
    head.append("  ")
    if baselined:
        head.append("(baselined)  ", style="dim")
    head.append(clean(finding.message))
    sides = Text(f"      python: {_where(finding.python)}\n      elixir: {_where(finding.elixir)}", style="dim")
    return Group(head, sides)


def _findings(result: AuditResult, findings: list[Finding], baselined: bool) -> list[RenderableType]:
    """The work list: findings under the type they break, most severe first, then the type most reached."""
    blocks: list[RenderableType] = []
    for item in work_list(result, findings):
        head = Text("\n")
        head.append(item.worst.value, style=SEVERITY_STYLES[item.worst])
        head.append(f"  {clean(item.pair.shown_name)}", style="bold")
        if item.reached_from:
            head.append(f"  (reached from {_plural(item.reached_from, 'ported type')})", style="dim")
        blocks.append(head)
        blocks.extend(_finding(finding, baselined, item.pair) for finding in item.findings)
    return blocks


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _unported(result: AuditResult, options: ReportOptions) -> list[RenderableType]:
    """Missing types nothing ported reaches: a count per group, or (`--show-unported`) every finding."""
    unported = unported_types(result)
    present = {finding.python_type: finding for finding in result.findings if is_unported(finding, unported)}
    groups = [(group, [present[q] for q in group.types if q in present]) for group in result.reach.unported]
    groups = [(group, found) for group, found in groups if found]
    if not groups:
        return []
    count = sum(len(found) for _, found in groups)
    hint = "" if options.show_unported else "; --show-unported lists them"
    lines: list[RenderableType] = [
        Text(
            f"\nUnported API surface: {_plural(count, 'missing type')} no ported type uses, "
            f"in {_plural(len(groups), 'group')}{hint}",
            style="bold underline",
        )
    ]
    types = result.python.by_qualname()
    for group, found in groups:
        root = types[group.root]
        lines.append(Text(clean(f"  {root.name} ({root.module}): {_plural(len(found), 'type')}")))
        if options.show_unported:
            for finding in found:
                line = f"    {finding.shown_type}  {finding.severity.value} {finding.rule}"
                if not result.is_new(finding):
                    line += "  (baselined)"
                lines.append(Text(clean(f"{line}  {_where(finding.python)}")))
    return lines


def _new_then_baselined(result: AuditResult, options: ReportOptions) -> list[RenderableType]:
    """The new findings in full; those the baseline records after them, in full or as a count."""
    new = [finding for finding in result.findings if result.is_new(finding)]
    known = [finding for finding in result.findings if not result.is_new(finding)]
    blocks = _findings(result, new, baselined=False)
    unported = unported_types(result)
    known = [finding for finding in known if not is_unported(finding, unported)]
    if not known:
        return blocks
    if options.show_baselined:
        blocks.append(Text("\nBaselined", style="bold underline"))
        blocks.extend(_findings(result, known, baselined=True))
    else:
        noun = "finding" if len(known) == 1 else "findings"
        blocks.append(Text(f"\n{len(known)} baselined {noun} not shown; --show-baselined lists them", style="dim"))
    return blocks


def _verdict(result: AuditResult) -> Text | None:
    """The last line: what fails the run, or that nothing does."""
    if result.fail_on is FailOn.NEVER:
        return None
    failing = result.failing()
    if not failing:
        return Text(f"passed: no new finding at or above {result.fail_on.value}")
    named = [
        f"{clean(type_and_field(f.shown_type, f.field))} {f.rule} {f.severity.value}" for f in failing[:VERDICT_NAMED]
    ]
    if len(failing) > VERDICT_NAMED:
        named.append(f"and {len(failing) - VERDICT_NAMED} more")
    noun = "finding" if len(failing) == 1 else "findings"
    return Text(f"failed: {len(failing)} new {noun} at or above {result.fail_on.value} ({', '.join(named)})")


def _suppressed(result: AuditResult) -> list[RenderableType]:
    if not result.suppressed:
        return []
    lines: list[RenderableType] = [Text("\nSuppressed", style="bold underline")]
    for entry in result.suppressed:
        finding = entry.finding
        named = type_and_field(finding.shown_type, finding.field)
        where = f"{entry.source} at {entry.where.path}:{entry.where.line}"
        lines.append(Text(clean(f"  {named}  {finding.rule}  {finding.severity.value}  {where}: {entry.reason}")))
    return lines


def _inferred(result: AuditResult) -> list[RenderableType]:
    entries = inferred_pairs(result)
    if not entries:
        return []
    lines: list[RenderableType] = [Text("\nPairs not found by name", style="bold underline")]
    for entry in entries:
        pair, found = entry.pair, entry.pair.found
        assert pair.python is not None and pair.elixir is not None and found is not None
        how = f"{found.how.value} {found.score:.2f}"
        lines.append(Text(clean(f"  {pair.python.name} = {pair.elixir.qualname}  {how}: {found.evidence}")))
    lines.append(Text(f"  {PINNING_HINT}"))
    return lines


def _diagnostics(result: AuditResult) -> list[RenderableType]:
    if not result.diagnostics:
        return []
    lines = [Text("\nDiagnostics", style="bold underline")]
    for side, diagnostic in result.diagnostics:
        lines.append(
            Text(
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


def render_to(result: AuditResult, console: Console, options: ReportOptions) -> None:
    console.print(Text(coverage_line(coverage(result)), style="bold"))
    header = Text(f"parity-audit {__version__}: ", style="bold")
    header.append(
        " vs ".join(
            (
                _input(result, "python", result.python, result.python_input),
                _input(result, "elixir", result.elixir, result.elixir_input),
            )
        )
    )
    console.print(header)
    console.print(_summary(result))
    # The verdict closes the report right after the findings it counts; the pairs to confirm come first.
    blocks = [
        *_inferred(result),
        *_new_then_baselined(result, options),
        *_unported(result, options),
        *_suppressed(result),
        *_diagnostics(result),
    ]
    for block in blocks:
        console.print(block)
    verdict = _verdict(result)
    if verdict is not None:
        console.print(Text("\n") + verdict)


def show(result: AuditResult, options: ReportOptions = DEFAULT_OPTIONS) -> None:
    """The report in colour, on the terminal."""
    render_to(result, Console(highlight=False), options)


def render(result: AuditResult, options: ReportOptions = DEFAULT_OPTIONS) -> str:
    """Plain text, for files and pipes: no colour, a fixed width so output is byte-identical."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=PLAIN_WIDTH, no_color=True, highlight=False, soft_wrap=True)
    render_to(result, console, options)
    return buffer.getvalue()
