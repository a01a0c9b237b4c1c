"""Ctrl-C at any moment of a run: exit 130, one line on stderr, no traceback, no partial file.

No test here depends on how fast the machine is. Each interrupts the run at an event the run shows,
never after a fixed time, and the run cannot get past that event on its own: a `git` that never
answers holds it before the end of the audit, and a report many times larger than a pipe holds keeps
it writing until the test reads on.
"""

from __future__ import annotations

import errno
import json
import os
import select
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import with_default_sigint, write_tree

AUDIT = [sys.executable, "-m", "auditor", "--no-cache"]
INTERRUPTED = "parity-audit: interrupted\n"
WITHIN = 60.0
"""Seconds an awaited event may take: generous for a loaded machine; only a broken run waits them out."""
MODULE = (
    "defmodule Big.Type{n} do\n  @enforce_keys [:id]\n  defstruct [:id, :name, count: 0]\n"
    "  @type t :: %__MODULE__{{id: String.t(), name: String.t() | nil, count: integer()}}\nend\n"
)
MISSING_TYPES = 2000
"""Python types the Elixir port lacks: a finding each, some 600 bytes of JSON apiece, so the report is
well over a megabyte, many times what a pipe or FIFO holds (64 KiB on Linux and macOS)."""

Starter = Callable[..., subprocess.Popen[bytes]]


@dataclass(frozen=True)
class StalledGit:
    """A `git` first on PATH that notes each call in `calls`, then never answers: it waits for a writer
    on the FIFO `stall`, which nobody opens."""

    environment: dict[str, str]
    calls: Path
    stall: Path

    def release(self) -> None:
        """Ends the calls still waiting: they read the end of the FIFO.

        The run kills the git it started when it stops, but one it was starting as the Ctrl-C came is
        out of its hands (a real `git log` ends by itself).
        """
        try:
            descriptor = os.open(self.stall, os.O_WRONLY | os.O_NONBLOCK)
        except OSError as error:
            if error.errno == errno.ENXIO:  # no process has the FIFO open for reading: none waits
                return
            raise
        os.close(descriptor)


@pytest.fixture
def stalled_git(tmp_path: Path) -> Iterator[StalledGit]:
    directory = tmp_path / "bin"
    directory.mkdir()
    calls, stall = tmp_path / "git-calls", tmp_path / "git-stall"
    os.mkfifo(stall)
    script = directory / "git"
    script.write_text(f'#!/bin/sh\necho "$*" >> {shlex.quote(str(calls))}\nexec cat {shlex.quote(str(stall))}\n')
    script.chmod(0o755)
    path = f"{directory}{os.pathsep}{os.environ.get('PATH', os.defpath)}"
    git = StalledGit({**os.environ, "PATH": path}, calls, stall)
    yield git
    git.release()


@pytest.fixture
def start() -> Iterator[Starter]:
    """Starts `parity-audit` in a process group of its own, as a shell starts a job; a run a failed test
    left behind is killed with its group."""
    processes: list[subprocess.Popen[bytes]] = []

    def started(*arguments: str | Path, environment: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        process = subprocess.Popen(
            [*AUDIT, *map(str, arguments)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=environment,
            start_new_session=True,
            preexec_fn=with_default_sigint,
        )
        processes.append(process)
        return process

    yield started
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()


def _many_files(root: Path, files: int) -> tuple[Path, Path]:
    python = write_tree(
        root / "py",
        {
            "big/__init__.py": "",
            "big/types.py": "from pydantic import BaseModel\n\nclass Type0(BaseModel):\n    id: str\n",
        },
    )
    elixir = write_tree(root / "ex", {f"lib/type{n}.ex": MODULE.format(n=n) * 20 for n in range(files)})
    return python, elixir


def _many_findings(root: Path) -> tuple[Path, Path]:
    models = "".join(f"class Type{n}(BaseModel):\n    id: str\n    count: int = 0\n\n" for n in range(MISSING_TYPES))
    python = write_tree(
        root / "py", {"big/__init__.py": "", "big/types.py": f"from pydantic import BaseModel\n\n{models}"}
    )
    elixir = write_tree(root / "ex", {"lib/type0.ex": MODULE.format(n=0)})
    return python, elixir


def _interrupt(process: subprocess.Popen[bytes]) -> None:
    # As a terminal's Ctrl-C: to the whole process group, the parser host and the workers included.
    os.killpg(process.pid, signal.SIGINT)


def _wait_for(event: Callable[[], bool], process: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + WITHIN
    while not event():
        if process.poll() is not None:
            pytest.fail(f"the run ended before {what}: {process.communicate()}")
        if time.monotonic() > deadline:
            pytest.fail(f"no {what} within {WITHIN} s")
        time.sleep(0.01)


def _first_byte(descriptor: int, process: subprocess.Popen[bytes]) -> bytes:
    """Waits until the run writes to `descriptor` (a pipe or FIFO it writes its report to) and reads one
    byte: the report is being written, and with the rest still to come the run cannot finish it."""
    received = b""

    def arrived() -> bool:
        nonlocal received
        if not select.select([descriptor], [], [], 0.05)[0]:
            return False
        try:
            received = os.read(descriptor, 1)
        except BlockingIOError:  # a FIFO opened without blocking: woken, but nothing to read yet
            return False
        # Nothing read: the end of a FIFO no writer has opened yet, on some systems, or of a run that ended.
        return received != b""

    _wait_for(arrived, process, "report")
    return received


def _rest(descriptor: int) -> bytes:
    """What is left in a pipe or FIFO whose writer has exited."""
    chunks = []
    while chunk := os.read(descriptor, 1 << 16):
        chunks.append(chunk)
    return b"".join(chunks)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_ctrl_c_during_the_audit_exits_130_with_one_line_and_no_output_file(
    tmp_path: Path, start: Starter, stalled_git: StalledGit, jobs: str
) -> None:
    # Enough files that the parse is still under way when the Ctrl-C comes; the stalled git holds the run
    # back from its end either way.
    python, elixir = _many_files(tmp_path / "checkouts", files=600)
    # Both checkouts are in a git work tree: the run asks git for the commit before it parses, and waits
    # for the answer once the audit is done.
    (tmp_path / "checkouts" / ".git").mkdir()
    output = tmp_path / "out"
    output.mkdir()
    arguments = (python, elixir, "--jobs", jobs, "--format", "json", "--output", output / "report.json")
    process = start(*arguments, environment=stalled_git.environment)
    _wait_for(stalled_git.calls.exists, process, "git query")
    _interrupt(process)
    stdout, stderr = process.communicate(timeout=WITHIN)
    assert (process.returncode, stderr.decode(), stdout) == (130, INTERRUPTED, b"")
    assert list(output.iterdir()) == []  # neither the report nor a temp file
    if sys.platform.startswith("linux"):  # read from /proc
        assert _group_ends(process.pid, within=WITHIN)


def test_ctrl_c_while_the_report_goes_into_a_pipe_exits_130_with_one_line(tmp_path: Path, start: Starter) -> None:
    python, elixir = _many_findings(tmp_path)
    process = start(python, elixir, "--format", "json")
    assert process.stdout is not None
    first = _first_byte(process.stdout.fileno(), process)
    _interrupt(process)
    rest, stderr = process.communicate(timeout=WITHIN)
    assert (process.returncode, stderr.decode()) == (130, INTERRUPTED)
    with pytest.raises(json.JSONDecodeError):  # cut short: the interrupt came while the report was written
        json.loads(first + rest)
    if sys.platform.startswith("linux"):
        assert _group_ends(process.pid, within=WITHIN)


def test_ctrl_c_while_the_output_goes_into_a_fifo_exits_130_with_one_line(tmp_path: Path, start: Starter) -> None:
    python, elixir = _many_findings(tmp_path)
    fifo = tmp_path / "report.fifo"
    os.mkfifo(fifo)
    # Opened before the run starts, without waiting for a writer: the run's open for writing returns at once.
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        process = start(python, elixir, "--format", "json", "--output", fifo)
        first = _first_byte(reader, process)
        _interrupt(process)
        _, stderr = process.communicate(timeout=WITHIN)
        rest = _rest(reader)
    finally:
        os.close(reader)
    assert (process.returncode, stderr.decode()) == (130, INTERRUPTED)
    with pytest.raises(json.JSONDecodeError):
        json.loads(first + rest)
    assert fifo.is_fifo()  # written in place, never replaced by a file
    if sys.platform.startswith("linux"):
        assert _group_ends(process.pid, within=WITHIN)


def _group_ends(group: int, within: float) -> bool:
    """Whether every process of the group (workers finish the chunk in hand) has exited within `within`
    seconds; an exited orphan nobody has reaped yet counts as exited."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if not any(state != "Z" for state in _states_in_group(group)):
            return True
        time.sleep(0.05)
    return False


def _states_in_group(group: int) -> list[str]:
    states = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            state, _parent, process_group = stat.read_text().rsplit(")", 1)[1].split()[:3]
        except OSError:  # ended meanwhile
            continue
        if int(process_group) == group:
            states.append(state)
    return states
