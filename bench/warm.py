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
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.run import AUDIT, Pair, audit_command, compile_package, generate  # noqa: E402

BARE = [sys.executable, "-c", "pass"]


def _seconds(command: list[str], environment: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=environment, check=False)
    return time.perf_counter() - started


def side_by_side(
    command: list[str], runs: int, environment: dict[str, str], before: Callable[[], None]
) -> tuple[list[float], list[float]]:
    """The command's and a bare start's seconds, run in turn; `before` runs ahead of each run of the command."""
    measured, bare = [], []
    for _ in range(runs):
        before()
        measured.append(_seconds(command, environment))
        bare.append(_seconds(BARE, environment))
    return measured, bare


def _line(
    what: str, command: list[str], runs: int, environment: dict[str, str], before: Callable[[], None] = lambda: None
) -> str:
    measured, bare = side_by_side(command, runs, environment, before)
    turns = ", ".join(f"{m / b:.1f}x" for m, b in zip(measured, bare, strict=True))
    extra = statistics.median(m - b for m, b in zip(measured, bare, strict=True))
    return (
        f"| {what} | {statistics.median(measured) * 1000:.0f} | {statistics.median(bare) * 1000:.0f} | "
        f"{extra * 1000:.0f} | {statistics.median(measured) / statistics.median(bare):.1f}x | {turns} |"
    )


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


def _committed(pair: Pair, environment: dict[str, str]) -> Pair:
    """A copy of the pair with each side a git checkout of one commit: a work-tree run then asks git which commit
    it is, and so does the check of a whole result."""
    copy = Pair(
        pair.types, pair.python.with_name("git-python"), pair.elixir.with_name("git-elixir"), pair.files, pair.megabytes
    )
    for source, checkout in ((pair.python, copy.python), (pair.elixir, copy.elixir)):
        shutil.copytree(source, checkout)
        git = ["git", "-C", str(checkout), "-c", "user.name=bench", "-c", "user.email=bench@example.com"]
        for arguments in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "bench"]):
            subprocess.run([*git, *arguments], env=environment, check=True, capture_output=True)
    return copy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--types", type=int, default=100)
    parser.add_argument("--runs", type=int, default=7)
    arguments = parser.parse_args()
    compile_package()
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
            "| run | ms | bare ms | ms more | ratio | ratio turn by turn |",
            "|---|---:|---:|---:|---:|---|",
            _line("re-run, nothing changed, cache warm", warm, arguments.runs, environment),
            _line(
                "the same, whole results deleted first (per-file cache only)",
                warm,
                arguments.runs,
                environment,
                lambda: shutil.rmtree(work / "cache" / "results", ignore_errors=True),
            ),
        ]
        if shutil.which("git") is not None:
            in_git = _warm(_committed(pair, environment), work / "cache", environment)
            lines.append(
                _line("re-run, nothing changed, both sides git checkouts", in_git, arguments.runs, environment)
            )
        lines += [
            _line("`--version`", [*AUDIT, "--version"], arguments.runs, environment),
            _line("`--help`", help_command, arguments.runs, environment),
        ]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
