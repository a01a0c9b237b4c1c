"""Ctrl-C during a long run: exit 130, one line on stderr, no traceback, no partial file."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import write_tree

AUDIT = [sys.executable, "-m", "auditor"]
MODULE = (
    "defmodule Big.Type{n} do\n  @enforce_keys [:id]\n  defstruct [:id, :name, count: 0]\n"
    "  @type t :: %__MODULE__{{id: String.t(), name: String.t() | nil, count: integer()}}\nend\n"
)


def _big_checkouts(tmp_path: Path, files: int) -> tuple[Path, Path]:
    python = write_tree(
        tmp_path / "py",
        {
            "big/__init__.py": "",
            "big/types.py": "from pydantic import BaseModel\n\nclass Type0(BaseModel):\n    id: str\n",
        },
    )
    elixir = write_tree(tmp_path / "ex", {f"lib/type{n}.ex": MODULE.format(n=n) * 20 for n in range(files)})
    return python, elixir


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_ctrl_c_exits_130_with_one_line(tmp_path: Path, jobs: str) -> None:
    python, elixir = _big_checkouts(tmp_path, files=600)
    report = tmp_path / "report.json"
    process = subprocess.Popen(
        [*AUDIT, str(python), str(elixir), "--no-cache", "--jobs", jobs, "--format", "json", "--output", str(report)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    time.sleep(1.5)
    if process.poll() is not None:
        pytest.fail(f"the run finished before it could be interrupted: {process.communicate()}")
    # As a terminal's Ctrl-C: to the whole process group, the parser host and the workers included.
    os.killpg(process.pid, signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 130
    assert stderr.strip() == "parity-audit: interrupted"
    assert stdout == ""
    assert list(tmp_path.glob("report.json*")) == [] and list(tmp_path.glob(".report.json*")) == []
    if sys.platform.startswith("linux"):  # read from /proc
        assert _group_ends(process.pid, within=30)


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
