"""Benchmark: one Python types module of about 1 MB (over a thousand classes) and its Elixir port.

Measures, as the median of several runs each, parity-audit cold (`--no-cache`) with `--jobs 1` (one
process parses the whole file) and `--jobs 2` (its parts parse side by side), the floor (bench/floor.py:
the same files parsed by libcst and tree-sitter alone, in one process), the three run in turn; and the
peak RSS of each audit, its workers included. Prints Markdown lines.

Usage: python bench/bigfile.py [--runs 5] [--types 1500]
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.run import FLOOR, Pair, audit_command, compile_package, peak_megabytes  # noqa: E402
from tests.sdkgen import generate_spec, render_elixir, render_python, write_tree  # noqa: E402


def generate(types: int, directory: Path) -> tuple[Pair, Path]:
    """The pair, and its largest Python file: every type in one module."""
    spec = generate_spec(random.Random(types), types, types_per_module=(types, types), fields_per_type=(16, 28))
    python = write_tree(directory / "python", render_python(spec))
    elixir = write_tree(directory / "elixir", render_elixir(spec))
    sources = [*python.rglob("*.py"), *elixir.rglob("*.ex")]
    size = sum(path.stat().st_size for path in sources)
    module = max(python.rglob("*.py"), key=lambda path: path.stat().st_size)
    return Pair(types, python, elixir, len(sources), size / 1_000_000), module


def _seconds(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - started


def in_turn(commands: dict[str, list[str]], runs: int) -> dict[str, float]:
    """The median seconds of each command, all run in turn run after run, so that a shared machine
    speeding up or slowing down meanwhile weighs on all alike."""
    seconds: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            seconds[name].append(_seconds(command))
    return {name: statistics.median(each) for name, each in seconds.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--types", type=int, default=1500)
    arguments = parser.parse_args()
    compile_package()
    work = Path(tempfile.mkdtemp(prefix="parity-audit-bigfile-"))
    try:
        pair, module = generate(arguments.types, work)
        text = module.read_text()
        commands = {
            "jobs 1": audit_command(pair, "--no-cache", "--jobs", "1"),
            "jobs 2": audit_command(pair, "--no-cache", "--jobs", "2"),
            "floor": [*FLOOR, str(pair.python), str(pair.elixir)],
        }
        median = in_turn(commands, arguments.runs)
        peak = {name: peak_megabytes(commands[name]) for name in ("jobs 1", "jobs 2")}
    finally:
        shutil.rmtree(work, ignore_errors=True)
    floor = median["floor"]
    lines = [
        f"One Python module of {len(text.encode()) / 1_000_000:.2f} MB ({text.count(chr(10) + 'class ')} classes) "
        f"and its Elixir port ({pair.files} files and {pair.megabytes:.1f} MB of source on both sides), cold, "
        f"median of {arguments.runs} runs in turn:",
        "",
        "| run | seconds | ratio to floor | peak MB |",
        "|---|---:|---:|---:|",
        f"| `--jobs 1` | {median['jobs 1']:.2f} | {median['jobs 1'] / floor:.2f} | {peak['jobs 1']:.0f} |",
        f"| `--jobs 2` | {median['jobs 2']:.2f} | {median['jobs 2'] / floor:.2f} | {peak['jobs 2']:.0f} |",
        f"| floor | {floor:.2f} | 1.00 | |",
        "",
        f"`--jobs 2` is {median['jobs 1'] / median['jobs 2']:.2f}x faster than `--jobs 1`.",
    ]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
