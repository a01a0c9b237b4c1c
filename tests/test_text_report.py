"""The plain text report is written without rich, byte for byte as rich lays out the same lines off a
terminal; the output decides between plain and styled as rich decides whether it styles."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from dataclasses import replace
from functools import cache
from pathlib import Path

import pytest
from auditor.rules import CATALOG
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from auditor.audit import AuditOptions, AuditResult, Checkout, TypeStatus, run_audit
from auditor.findings import BaselineStatus, FailOn, Finding, Severity, SideRef, Suppressed
from auditor.model import Diagnostic, Location
from auditor.reach import Reach, UnportedGroup
from auditor.reports import ReportOptions
from auditor.reports.text_report import PLAIN_WIDTH, render, render_to, write_report
from tests.conftest import REPO_ROOT, SAMPLE_ELIXIR, SAMPLE_PYTHON

ANSI_STYLE = re.compile("\x1b\\[[0-9;]*m")
ODD_PIECES = (
    "[bold red]boom[/bold red]",
    "[/]",
    "[link=http://x]",
    "\t",
    "\n",
    "\r\n",
    "\x1b[31m",
    "\x07",
    "\x7f",
    "\u0085",
    "\u2028",
    "\u202e",
    "\ud800",
    "漢字",
    "\uff57\uff49\uff44\uff45",
    "😀",
    "e\u0301",
    "\u200b",
    ":smile:",
    "  ",
    "x" * 130,
)
odd_text = st.lists(st.sampled_from(ODD_PIECES) | st.text(max_size=12), max_size=6).map("".join)
maybe_odd = st.none() | odd_text


@cache
def sample_result() -> AuditResult:
    return run_audit(AuditOptions(SAMPLE_PYTHON, SAMPLE_ELIXIR))


def rich_plain(result: AuditResult, options: ReportOptions) -> str:
    """The text report as rich wrote it for files and pipes before it was written without rich."""
    buffer = io.StringIO()
    console = Console(
        file=buffer, width=PLAIN_WIDTH, no_color=True, highlight=False, soft_wrap=True, force_terminal=False
    )
    render_to(result, console, options)
    return buffer.getvalue()


def rich_forced_colour(result: AuditResult, options: ReportOptions) -> str:
    buffer = io.StringIO()
    console = Console(
        file=buffer, width=PLAIN_WIDTH, highlight=False, soft_wrap=True, force_terminal=True, color_system="truecolor"
    )
    render_to(result, console, options)
    return buffer.getvalue()


@st.composite
def side_refs(draw: st.DrawFn) -> SideRef | None:
    if draw(st.booleans()):
        return None
    line = draw(st.integers(min_value=1, max_value=10**6))
    return SideRef(Location(draw(odd_text), line), draw(maybe_odd))


@st.composite
def findings(draw: st.DrawFn, types: tuple[TypeStatus, ...]) -> Finding:
    python_type, elixir_type = draw(st.sampled_from(types)).pair.key
    return Finding(
        rule=draw(st.sampled_from([rule.slug for rule in CATALOG])),
        severity=draw(st.sampled_from(list(Severity))),
        type_name=draw(odd_text),
        field=draw(maybe_odd),
        message=draw(odd_text),
        python=draw(side_refs()),
        elixir=draw(side_refs()),
        python_type=python_type or None,
        elixir_type=elixir_type or None,
        qualified=draw(st.booleans()),
    )


@st.composite
def odd_results(draw: st.DrawFn) -> AuditResult:
    """The sample audit with findings, inputs, evidence, suppressions, a baseline and diagnostics of odd
    text drawn on its types."""
    base = sample_result()
    drawn = draw(st.lists(findings(base.types), max_size=12))
    all_findings = tuple(draw(st.permutations([*base.findings, *drawn])))
    types = tuple(
        replace(entry, pair=replace(entry.pair, found=replace(entry.pair.found, evidence=draw(odd_text))))
        if entry.pair.found is not None and draw(st.booleans())
        else entry
        for entry in base.types
    )
    reach = base.reach
    if draw(st.booleans()):
        # The types the port lacks become unported surface, each a group of its own.
        missing = sorted(entry.pair.key[0] for entry in base.types if entry.pair.elixir is None)
        reach = Reach(unported=tuple(UnportedGroup(qualname, (qualname,)) for qualname in missing))
    baseline = None
    if draw(st.booleans()):
        known = draw(st.sets(st.sampled_from(all_findings))) if all_findings else set()
        baseline = BaselineStatus(draw(odd_text), frozenset(known), draw(st.integers(0, 50)))
    suppressed = tuple(
        Suppressed(finding, draw(st.sampled_from(["inline", "config"])), draw(odd_text), Location(draw(odd_text), 3))
        for finding in draw(st.lists(findings(base.types), max_size=3))
    )
    diagnostics = tuple(
        (
            draw(st.sampled_from(["python", "elixir", "alignment", "config"])),
            Diagnostic(draw(odd_text), draw(st.integers(0, 999)), draw(st.sampled_from(["warning", "error"])), text),
        )
        for text in draw(st.lists(odd_text, max_size=3))
    )
    checkout = Checkout(
        draw(odd_text), draw(maybe_odd), draw(st.none() | st.just("3f2a9c1d0b7e55aa")), None, draw(maybe_odd)
    )
    return replace(
        base,
        python=replace(base.python, root=draw(odd_text)),
        python_input=checkout,
        types=types,
        findings=all_findings,
        diagnostics=diagnostics,
        suppressed=suppressed,
        baseline=baseline,
        fail_on=draw(st.sampled_from(list(FailOn))),
        reach=reach,
    )


report_options = st.builds(ReportOptions, show_baselined=st.booleans(), show_unported=st.booleans())


@settings(max_examples=80, deadline=None)
@given(odd_results(), report_options)
def test_plain_report_is_what_rich_writes_off_a_terminal(result: AuditResult, options: ReportOptions) -> None:
    assert render(result, options) == rich_plain(result, options)


@settings(max_examples=25, deadline=None)
@given(odd_results(), report_options)
def test_forced_colour_styles_the_same_text(result: AuditResult, options: ReportOptions) -> None:
    styled = rich_forced_colour(result, options)
    assert "\x1b[" in styled
    assert ANSI_STYLE.sub("", styled) == render(result, options)


@pytest.mark.parametrize(
    "message",
    ["a\tb", "\t", "漢字\tx", "😀\t\tend", "ab\ncd\tef\n\tg", "x" * 7 + "\t" + "y" * 8 + "\tz", "e\u0301\t|"],
)
def test_tabs_stop_where_rich_stops_them(message: str) -> None:
    base = sample_result()
    finding = replace(base.findings[0], message=message, field=message)
    result = replace(base, findings=(finding,))
    assert render(result) == rich_plain(result, ReportOptions())
    assert "\t" not in render(result)


class Stream(io.StringIO):
    def __init__(self, terminal: bool) -> None:
        super().__init__()
        self.terminal = terminal

    def isatty(self) -> bool:
        return self.terminal


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ("FORCE_COLOR", "NO_COLOR", "TTY_COMPATIBLE", "TERM", "COLORTERM", "COLUMNS", "LINES"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.mark.parametrize(
    "environment",
    [
        {},
        {"FORCE_COLOR": ""},
        {"FORCE_COLOR": "1", "TERM": "dumb"},
        {"FORCE_COLOR": "1", "TTY_COMPATIBLE": "0"},
        {"TTY_COMPATIBLE": "1", "TERM": "unknown"},
        {"NO_COLOR": "1", "COLUMNS": "40"},
    ],
)
def test_off_a_terminal_the_report_is_plain_unless_colour_is_forced(
    clean_environment: pytest.MonkeyPatch, environment: dict[str, str]
) -> None:
    for name, value in environment.items():
        clean_environment.setenv(name, value)
    stream = Stream(terminal=False)
    write_report(sample_result(), ReportOptions(), stream)
    assert stream.getvalue() == render(sample_result())


@pytest.mark.parametrize(
    ("environment", "colour"),
    [
        ({"FORCE_COLOR": "1"}, True),
        ({"TTY_COMPATIBLE": "1"}, True),
        ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),
    ],
)
def test_forced_colour_off_a_terminal_styles_the_plain_layout(
    clean_environment: pytest.MonkeyPatch, environment: dict[str, str], colour: bool
) -> None:
    for name, value in environment.items():
        clean_environment.setenv(name, value)
    stream = Stream(terminal=False)
    write_report(sample_result(), ReportOptions(), stream)
    styled = stream.getvalue()
    assert ANSI_STYLE.sub("", styled) == render(sample_result())
    assert ("\x1b[31m" in styled or "\x1b[1;31m" in styled) is colour  # P1 in red, unless NO_COLOR
    assert "\x1b[1m" in styled  # bold stays, as rich keeps it under NO_COLOR


def test_on_a_terminal_rich_lays_the_report_out_at_its_width(clean_environment: pytest.MonkeyPatch) -> None:
    clean_environment.setenv("COLUMNS", "60")
    stream = Stream(terminal=True)
    write_report(sample_result(), ReportOptions(), stream)
    lines = ANSI_STYLE.sub("", stream.getvalue()).splitlines()
    assert "\x1b[" in stream.getvalue()
    assert max(len(line) for line in lines) <= 60
    assert max(len(line) for line in render(sample_result()).splitlines()) > 60


def test_piped_text_report_never_imports_rich() -> None:
    probe = (
        "import sys\n"
        "from auditor.cli import run\n"
        "code = run(sys.argv[1:])\n"
        "sys.stderr.write('rich imported' if 'rich' in sys.modules else 'rich not imported')\n"
    )
    environment = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO_ROOT)}
    completed = subprocess.run(
        [sys.executable, "-c", probe, str(SAMPLE_PYTHON), str(SAMPLE_ELIXIR), "--fail-on", "never", "--no-cache"],
        capture_output=True,
        env=environment,
        cwd=REPO_ROOT,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stderr.decode().endswith("rich not imported")
    assert completed.stdout.decode("utf-8") == render(replace(sample_result(), fail_on=FailOn.NEVER))


def test_forced_colour_reaches_the_pipe_but_never_a_report_file(tmp_path: Path) -> None:
    report = tmp_path / "report.txt"
    environment = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO_ROOT), "FORCE_COLOR": "1", "TERM": "xterm-256color"}
    command = [sys.executable, "-m", "auditor", str(SAMPLE_PYTHON), str(SAMPLE_ELIXIR), "--fail-on", "never"]
    command += ["--no-cache", "--output", str(report)]
    completed = subprocess.run(command, capture_output=True, env=environment, cwd=REPO_ROOT, check=False)
    assert completed.returncode == 0, completed.stderr
    piped = completed.stdout.decode("utf-8")
    assert "\x1b[1;31m" in piped  # P1 in bold red
    assert "\x1b" not in report.read_text(encoding="utf-8")
    assert ANSI_STYLE.sub("", piped) == report.read_text(encoding="utf-8")
