"""Benchmark: the runs that should cost about a bare Python start.

On a generated pair of about 100 types per side (the size of Tinker's types and Tinkex's port), a re-run
with nothing changed and the cache warm (served by the whole-result cache), `--version` and `--help`, each
against `python -c pass` started by the same interpreter, the two commands run in turn. Prints Markdown lines
for bench/RESULTS.md.

Usage: python bench/warm.py [--types 100] [--runs 7]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.run import AUDIT, Pair, audit_command, generate  # noqa: E402

BARE = [sys.executable, "-c", "pass"]


def _seconds(command: list[str], environment: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=environment, check=False)
    return time.perf_counter() - started


def side_by_side(command: list[str], runs: int, environment: dict[str, str]) -> tuple[float, float, list[float]]:
    """Medians of the command and of a bare start, run in turn, and each turn's ratio."""
    measured, bare = [], []
    for _ in range(runs):
        measured.append(_seconds(command, environment))
        bare.append(_seconds(BARE, environment))
    return statistics.median(measured), statistics.median(bare), [m / b for m, b in zip(measured, bare, strict=True)]


def _line(what: str, command: list[str], runs: int, environment: dict[str, str]) -> str:
    measured, bare, ratios = side_by_side(command, runs, environment)
    turns = ", ".join(f"{ratio:.1f}x" for ratio in ratios)
    return f"| {what} | {measured * 1000:.0f} | {bare * 1000:.0f} | {measured / bare:.1f}x | {turns} |"


def _warm(pair: Pair, cache: Path, environment: dict[str, str]) -> list[str]:
    """The warm command, after checking that the cache serves what an uncached run prints."""
    command = audit_command(pair, "--cache-dir", str(cache))
    for _ in range(2):  # the first run fills the per-file cache and stores the whole result
        subprocess.run(command, stdout=subprocess.DEVNULL, env=environment, check=True)
    served = subprocess.run(command, capture_output=True, env=environment, check=True).stdout
    uncached = subprocess.run(audit_command(pair, "--no-cache"), capture_output=True, env=environment, check=True)
    if served != uncached.stdout:
        raise SystemExit("the warm run's report differs from an uncached run's")
    return command


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--types", type=int, default=100)
    parser.add_argument("--runs", type=int, default=7)
    arguments = parser.parse_args()
    # Compiled bytecode, as an installed wheel has it (see bench/run.py).
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "auditor"), str(REPO / "rules")], check=True)
    work = Path(tempfile.mkdtemp(prefix="parity-audit-warm-"))
    environment = {**os.environ, "XDG_CACHE_HOME": str(work / "user-cache")}
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    try:
        pair = generate(arguments.types, work / "pair")
        warm = _warm(pair, work / "cache", environment)
        help_command = [*AUDIT, "--help"]
        subprocess.run(help_command, stdout=subprocess.DEVNULL, env=environment, check=True)  # stores it
        lines = [
            f"Warm runs, {pair.types:,} types ({pair.files} files), against a bare start (`python -c pass`, the same "
            f"interpreter); median of {arguments.runs} runs each, the two run in turn "
            f"(`python bench/warm.py --runs {arguments.runs}`):",
            "",
            "| run | ms | bare ms | ratio | ratio turn by turn |",
            "|---|---:|---:|---:|---|",
            _line("re-run, nothing changed, cache warm", warm, arguments.runs, environment),
            _line("`--version`", [*AUDIT, "--version"], arguments.runs, environment),
            _line("`--help`", help_command, arguments.runs, environment),
        ]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
