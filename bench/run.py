"""Benchmark: synthetic SDK pairs of 100, 1,000 and 10,000 types per side.

Measures, as the median of several runs each, parity-audit end to end as a process with the cache
off (cold), the floor (bench/floor.py: the same files parsed by libcst and tree-sitter alone), and
peak RSS; then `--jobs 1` against `--jobs 2` on the largest pair, and a cached re-run with one file
changed on the 1,000-type pair; and, on the 10,000-type pair, the alignment stage alone (bench/alignment.py).
Then the benches that stand alone, each run as its own process and its lines appended: the runs that should
cost a bare start (bench/warm.py), one 1 MB types module (bench/bigfile.py) and the reports of about 1,000
findings (bench/reports.py). With `--pair`, also a real checkout pair cold against its floor (for a port's
maintainers: their own SDK and port). Prints a Markdown report (the content of bench/RESULTS.md).

Usage: python bench/run.py [--sizes 100 1000 10000] [--runs 5] [--pair PYTHON_DIR ELIXIR_DIR]
       [--output bench/RESULTS.md]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import re
import shutil
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

from auditor.output_file import write_output  # noqa: E402
from bench.alignment import report as alignment_report  # noqa: E402
from tests.sdkgen import generate_spec, render_elixir, render_python, write_tree  # noqa: E402

AUDIT = [sys.executable, "-m", "auditor"]
FLOOR = [sys.executable, str(REPO / "bench" / "floor.py")]
STANDALONE = (("warm.py", 7), ("bigfile.py", 5), ("reports.py", 7))
"""The benches with their own script, each with the fewest runs its medians are worth."""
COLD_RUNS_BY_SIZE = ((100, 21), (1000, 11))
"""The fewest cold runs a pair of up to this many types is given: a run of a fraction of a second moves
with every hiccup of a shared machine, and such runs cost little."""
GIVEN_PAIR_RUNS = 21
"""The same for a real pair (`--pair`): an SDK's types are about the size of the smallest pair."""
PEAK_RSS_PROBE = (
    "import resource, subprocess, sys;"
    "code = subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL);"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


@dataclass(frozen=True)
class Pair:
    types: int
    python: Path
    elixir: Path
    files: int
    megabytes: float


@dataclass(frozen=True)
class Timing:
    median: float
    runs: tuple[float, ...]
    """Every run's seconds, in the order they ran."""


def generate(types: int, directory: Path) -> Pair:
    spec = generate_spec(random.Random(types), types)
    python = write_tree(directory / "python", render_python(spec))
    elixir = write_tree(directory / "elixir", render_elixir(spec))
    sources = [*python.rglob("*.py"), *elixir.rglob("*.ex")]
    size = sum(p.stat().st_size for p in sources)
    return Pair(types, python, elixir, len(sources), size / 1_000_000)


def compile_package() -> None:
    """Compiles the package's bytecode before anything is timed: an installed wheel carries it, and an editable
    checkout run with PYTHONDONTWRITEBYTECODE would compile the whole package on every start, which is not
    what users run."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "auditor"), str(REPO / "rules")], check=True)


def _seconds(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, check=False)
    return time.perf_counter() - started


def _timing(seconds: list[float]) -> Timing:
    return Timing(statistics.median(seconds), tuple(seconds))


def paired_ratio(first: Timing, second: Timing) -> float:
    """The median of the ratios of runs made one after the other: unlike the ratio of the medians, it holds
    when the machine's speed drifts over the runs."""
    return statistics.median(a / b for a, b in zip(first.runs, second.runs, strict=True))


def timed_pair(first: list[str], second: list[str], runs: int) -> tuple[Timing, Timing]:
    """Both commands in turn, run after run, so a machine that speeds up or slows down meanwhile
    (these are shared) weighs on both alike."""
    seconds: tuple[list[float], list[float]] = ([], [])
    for _ in range(runs):
        seconds[0].append(_seconds(first))
        seconds[1].append(_seconds(second))
    return _timing(seconds[0]), _timing(seconds[1])


def peak_megabytes(command: list[str]) -> float:
    """Peak RSS of the command and every process it starts (pool workers), in a fresh probe process."""
    probe = subprocess.run(
        [sys.executable, "-c", PEAK_RSS_PROBE, *command], capture_output=True, text=True, check=True
    )
    return int(probe.stdout.strip()) / 1024


def standalone(script: str, runs: int) -> list[str]:
    finished = subprocess.run(
        [sys.executable, str(REPO / "bench" / script), "--runs", str(runs)],
        check=True,
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    return finished.stdout.rstrip("\n").splitlines()


def cold_runs(types: int, asked: int) -> int:
    return max([asked, *(runs for most_types, runs in COLD_RUNS_BY_SIZE if types <= most_types)])


def audit_command(pair: Pair, *options: str) -> list[str]:
    return [*AUDIT, str(pair.python), str(pair.elixir), "--format", "json", "--fail-on", "never", *options]


def given_pair(python: Path, elixir: Path, runs: int) -> str:
    """The cold run on a real pair of checkouts (all of each, or the folders given) against its floor."""
    files = [*python.rglob("*.py"), *elixir.rglob("*.ex")]
    command = [*AUDIT, str(python), str(elixir), "--format", "json", "--fail-on", "never", "--no-cache"]
    cold, floor = timed_pair(command, [*FLOOR, str(python), str(elixir)], runs)
    return (
        f"Cold, the given pair `{python}` and `{elixir}` ({len(files)} files): {cold.median:.2f} s, floor "
        f"{floor.median:.2f} s: {cold.median / floor.median:.2f}x the floor "
        f"({paired_ratio(cold, floor):.2f}x run by run), median of {runs} runs each in turn. "
        "Run by run (audit / floor): "
        + ", ".join(f"{a * 1000:.0f}/{b * 1000:.0f} ms" for a, b in zip(cold.runs, floor.runs, strict=True))
        + "."
    )


def machine() -> str:
    with open("/proc/meminfo", encoding="ascii") as meminfo:
        total_kb = int(meminfo.readline().split()[1])
    return (
        f"{os.cpu_count()} cores ({platform.processor() or platform.machine()}), "
        f"{total_kb / 1024 / 1024:.0f} GiB RAM, Python {platform.python_version()}, {platform.system()}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pair", type=Path, nargs=2, metavar=("PYTHON_DIR", "ELIXIR_DIR"))
    parser.add_argument("--output", type=Path)
    arguments = parser.parse_args()

    lines = [
        "# Benchmark results",
        "",
        f"Machine: {machine()}. Command: `python bench/run.py --runs {arguments.runs}"
        + ("" if arguments.pair is None else f" --pair {arguments.pair[0]} {arguments.pair[1]}")
        + "` (`make bench`"
        + ("" if arguments.pair is None else " with `--pair`")
        + ").",
        f"Every figure is the median of {arguments.runs} runs as a whole process (cold runs of a small pair: more,"
        " as the table says), the two commands compared run in turn; cold = `--no-cache`,",
        "default `--jobs` (all cores). Floor = `bench/floor.py`: the same files parsed by libcst and",
        "tree-sitter alone in one process. Ratio run by run: the median of each run's ratio to the floor run beside"
        " it. Peak RSS includes the pool's worker processes.",
        "",
        "| types | files | MB of source | seconds (cold) | ms per 100 types | floor seconds | ratio to floor "
        "| ratio run by run | runs | peak MB |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    compile_package()
    work = Path(tempfile.mkdtemp(prefix="parity-audit-bench-"))
    try:
        pairs = {size: generate(size, work / str(size)) for size in arguments.sizes}
        for size, pair in pairs.items():
            runs = cold_runs(size, arguments.runs)
            cold, floor = timed_pair(
                audit_command(pair, "--no-cache"), [*FLOOR, str(pair.python), str(pair.elixir)], runs
            )
            peak = peak_megabytes(audit_command(pair, "--no-cache"))
            lines.append(
                f"| {size:,} | {pair.files:,} | {pair.megabytes:.1f} | {cold.median:.2f} | "
                f"{cold.median * 100_000 / size:.0f} | {floor.median:.2f} | {cold.median / floor.median:.2f} | "
                f"{paired_ratio(cold, floor):.2f} | {runs} | {peak:.0f} |"
            )
        if arguments.pair is not None:
            lines += ["", given_pair(*arguments.pair, max(arguments.runs, GIVEN_PAIR_RUNS))]
        largest = pairs[max(pairs)]
        one, two = timed_pair(
            audit_command(largest, "--no-cache", "--jobs", "1"),
            audit_command(largest, "--no-cache", "--jobs", "2"),
            arguments.runs,
        )
        lines += [
            "",
            f"Parallel parsing, {largest.types:,} types, cold: `--jobs 1` {one.median:.2f} s, "
            f"`--jobs 2` {two.median:.2f} s: {one.median / two.median:.2f}x faster. Run by run (`--jobs 1` / "
            f"`--jobs 2`, each pair run in turn): "
            + ", ".join(f"{a:.1f}/{b:.1f} s = {a / b:.2f}x" for a, b in zip(one.runs, two.runs, strict=True))
            + ".",
        ]
        if 1000 in pairs:
            lines += ["", *cached_rerun(pairs[1000], work / "cache", arguments.runs)]
        if 10000 in pairs:
            lines += ["", *alignment_report(10000, arguments.runs, roots=(pairs[10000].python, pairs[10000].elixir))]
        for script, runs in STANDALONE:
            lines += ["", *standalone(script, max(runs, arguments.runs))]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report = "\n".join(lines) + "\n"
    print(report, end="")
    if arguments.output is not None:
        write_output(arguments.output, report.encode("utf-8"))


@dataclass(frozen=True)
class Edit:
    description: str
    victim: Path
    change: Callable[[str, int], str]
    """The file's new text from its text and the attempt's number."""


def _importers(pair: Pair, module: Path) -> int:
    statement = f"from .{module.stem} import "
    return sum(statement in path.read_text() for path in pair.python.rglob("*.py"))


def edits(pair: Pair) -> list[Edit]:
    """One Python file edited three ways: its summary unchanged, changed where no other file reads, and a
    type alias changed that many files read."""
    files = sorted(pair.python.rglob("*.py"))
    last = files[-1]
    aliases = [path for path in files if re.fullmatch(r"\w+ = (str|int)\n", path.read_text())]
    alias = max(aliases, key=lambda path: _importers(pair, path))
    swapped = {"= str": "= int", "= int": "= str"}
    return [
        Edit(
            "a comment appended (no summary changes: nothing is resolved again)",
            last,
            lambda text, attempt: f"{text}\n# edit {attempt}\n",
        ),
        Edit(
            "a module-level name added (its summary changes, but no other file reads the new name: only this "
            "file is resolved again)",
            last,
            lambda text, attempt: f"{text}\n_edit_{attempt} = {attempt}\n",
        ),
        Edit(
            f"a type alias changed between str and int that {_importers(pair, alias)} other files import (they "
            "and this file are resolved again)",
            alias,
            lambda text, attempt: next(text.replace(a, b) for a, b in swapped.items() if a in text),
        ),
    ]


def cached_rerun(pair: Pair, cache: Path, runs: int) -> list[str]:
    """For each kind of edit: a first run with an empty cache, then a run after that edit to one
    Python file, each `runs` times."""
    audit = audit_command(pair, "--cache-dir", str(cache))
    lines = []
    for edit in edits(pair):
        original = edit.victim.read_text()
        first_runs, second_runs = [], []
        for attempt in range(runs):
            shutil.rmtree(cache, ignore_errors=True)
            first_runs.append(_seconds(audit))
            edit.victim.write_text(edit.change(original, attempt))
            second_runs.append(_seconds(audit))
            edit.victim.write_text(original)
        first, second = statistics.median(first_runs), statistics.median(second_runs)
        lines.append(
            f"Cache, {pair.types:,} types, one file changed by {edit.description}: first run (empty cache) "
            f"{first:.2f} s, second run {second:.2f} s: {second / first:.2f}x the first."
        )
    return lines


if __name__ == "__main__":
    main()
