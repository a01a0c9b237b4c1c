"""Benchmark: the text and JSON reports of about 1,000 findings, rendered in-process.

Generates a 1,000-type SDK pair (tests.sdkgen) with 900 known differences put into the port
(tests.injections), audits it once, then times each report's `render` alone against the way it was
written before (the text through rich's layout, the JSON through `json.dumps(indent=2)`), the two run in
turn, medians of `--runs`; the same for the text report of the sample repos. The cyclic garbage
collector is off, as in the command line. Also times the import of the rich modules the plain text
report no longer needs, in fresh processes. Prints Markdown lines for bench/RESULTS.md.

Usage: python bench/reports.py [--runs 7]
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from rich.console import Console  # noqa: E402

from auditor.audit import AuditOptions, AuditResult, run_audit  # noqa: E402
from auditor.reports import json_report, text_report  # noqa: E402
from tests.injections import candidates, compatible, inject  # noqa: E402
from tests.sdkgen import generate_spec, render_port, render_python, write_tree  # noqa: E402

TYPES = 1_000
INJECTED = 900
"""Differences drawn into the port: with the spec's own, about 1,100 findings of 20 rules."""
RICH_IMPORT = (
    "import time; started = time.perf_counter(); import rich.console, rich.table; print(time.perf_counter() - started)"
)


def audited_pair(directory: Path) -> AuditResult:
    rng = random.Random(TYPES)
    spec = generate_spec(rng, TYPES, wire_keys=0.3)
    port, _ = inject(spec, compatible(rng.sample(candidates(spec), INJECTED), spec))
    python = write_tree(directory / "python", render_python(spec))
    elixir = write_tree(directory / "elixir", render_port(port, spec.package))
    return run_audit(AuditOptions(python, elixir))


def text_through_rich(result: AuditResult) -> str:
    """The text report as it was written for files and pipes: every line laid out by rich."""
    buffer = io.StringIO()
    console = Console(
        file=buffer, width=text_report.PLAIN_WIDTH, no_color=True, highlight=False, soft_wrap=True, force_terminal=False
    )
    text_report.render_to(result, console)
    return buffer.getvalue()


def json_through_stdlib(result: AuditResult) -> str:
    return json.dumps(json_report.document(result), indent=2, ensure_ascii=False) + "\n"


@dataclass(frozen=True)
class Timing:
    wall: float
    cpu: float
    """Milliseconds of this process's CPU: what the machine's other load leaves alone."""

    def shown(self) -> str:
        return f"{self.wall:.1f} ms (CPU {self.cpu:.1f} ms)"


def _timing(render: Callable[[], str]) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    render()
    return 1000 * (time.perf_counter() - wall), 1000 * (time.process_time() - cpu)


def _median(timed: list[tuple[float, float]]) -> Timing:
    return Timing(statistics.median(wall for wall, _ in timed), statistics.median(cpu for _, cpu in timed))


def in_turn(now: Callable[[], str], before: Callable[[], str], runs: int) -> tuple[Timing, Timing]:
    """Medians of `now` and `before`, run alternately so that load on the machine falls on both."""
    assert now() == before(), "the two ways must write the same bytes"
    runs_now, runs_before = [], []
    for _ in range(runs):
        runs_now.append(_timing(now))
        runs_before.append(_timing(before))
    return _median(runs_now), _median(runs_before)


def rich_import_milliseconds(runs: int) -> float:
    seconds = [
        float(subprocess.run([sys.executable, "-c", RICH_IMPORT], capture_output=True, check=True, text=True).stdout)
        for _ in range(runs)
    ]
    return 1000 * statistics.median(seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    gc.disable()
    with tempfile.TemporaryDirectory() as directory:
        result = audited_pair(Path(directory))
    findings = len(result.findings)
    small = run_audit(AuditOptions(REPO / "sample_repos" / "python_sdk", REPO / "sample_repos" / "elixir_sdk"))
    small_text, small_text_before = in_turn(lambda: text_report.render(small), lambda: text_through_rich(small), runs)
    text, text_before = in_turn(lambda: text_report.render(result), lambda: text_through_rich(result), runs)
    document, document_before = in_turn(lambda: json_report.render(result), lambda: json_through_stdlib(result), runs)
    rich_import = rich_import_milliseconds(runs)
    print(
        f"Reports, {findings:,} findings on {TYPES:,} types (`python bench/reports.py --runs {runs}`, in-process, "
        f"median of {runs}, each against the way before run in turn):"
    )
    print(
        f"- text, piped (plain, no rich): {text.shown()}; laid out by rich as before: {text_before.shown()} "
        f"({text_before.wall / text.wall:.1f}x). Importing rich.console and rich.table, which a piped run no "
        f"longer does: {rich_import:.1f} ms."
    )
    print(
        f"- text of the sample repos ({len(small.findings)} findings), piped: {small_text.shown()}; laid out by rich "
        f"as before: {small_text_before.shown()}, after importing rich."
    )
    print(
        f"- JSON: {document.shown()}; with `json.dumps(indent=2)` as before: {document_before.shown()} "
        f"({document_before.wall / document.wall:.1f}x)."
    )

if __name__ == "__main__":
    main()
