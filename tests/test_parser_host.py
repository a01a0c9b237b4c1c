"""The parser host: it parses as the pool would, reports failures instead of hanging, and outlives no run."""

from __future__ import annotations

import contextlib
import os
import random
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest

from auditor import parser_host
from auditor.python import summarize_python
from auditor.summary_worker import prepare_worker, summarize_chunk
from tests.conftest import SAMPLE_ELIXIR, SAMPLE_PYTHON
from tests.sdkgen import generate_spec, render_elixir, render_python, write_tree

pytestmark = pytest.mark.skipif(
    not parser_host.available(), reason="the parser host is forked only on a POSIX system (not macOS) with 2+ CPUs"
)

# Run in a child made a subreaper (Linux): whatever the audit leaves running becomes its child once the
# audit has exited, so counting its remaining children counts the processes that outlived the run.
LEFT_BEHIND_PROBE = textwrap.dedent(
    """
    import ctypes, os, signal, subprocess, sys, time
    PR_SET_CHILD_SUBREAPER = 36
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1)
    kill_after = float(sys.argv[1])
    audit = subprocess.Popen(sys.argv[2:], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    if kill_after:
        time.sleep(kill_after)
        audit.kill()
    output = audit.communicate()[0]
    deadline = time.monotonic() + float(os.environ.get("GRACE", "0"))
    running = 0
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            running = 0
            break
        if pid == 0:
            running = 1
            if time.monotonic() > deadline:
                break
            time.sleep(0.05)
    sys.stdout.buffer.write(b"%d\\n" % running + output)
    """
)


def _left_behind(command: list[str], kill_after: float = 0.0, grace: float = 0.0) -> tuple[bool, bytes]:
    """Whether any process the command started was still running once it had exited (after `grace`
    seconds more), and the command's stdout."""
    probe = subprocess.run(
        [sys.executable, "-c", LEFT_BEHIND_PROBE, str(kill_after), *command],
        capture_output=True,
        check=True,
        env={**os.environ, "GRACE": str(grace)},
        timeout=120,
    )
    first, _, output = probe.stdout.partition(b"\n")
    return first == b"1", output


def _no_children_left() -> bool:
    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


@contextlib.contextmanager
def _hosted_pool(jobs: int, initializer: Callable[[], None] = prepare_worker) -> Iterator[parser_host.HostedPool]:
    """A started host's pool, shut down and its host waited for afterwards, which must leave no process behind."""
    parser_host.start()
    pool = parser_host.pool(jobs, initializer)
    assert pool is not None
    try:
        yield pool
    finally:  # a failed test must not leave its host to the next one
        pool.shutdown()
        parser_host.release()
    assert _no_children_left()


def test_the_hosted_pool_summarizes_what_this_process_would() -> None:
    files = [(path.relative_to(SAMPLE_PYTHON).as_posix(), path.read_bytes()) for path in SAMPLE_PYTHON.rglob("*.py")]
    with _hosted_pool(2) as pool:
        futures = [pool.submit(summarize_chunk, summarize_python, [item], None, []) for item in files]
        hosted = [future.result(timeout=60) for future in futures]
    assert hosted == [summarize_chunk(summarize_python, [item], None, []) for item in files]


def _mark_after(seconds: float, marker: str) -> str:
    time.sleep(seconds)
    Path(marker).touch()
    return marker


def test_a_task_no_worker_has_started_can_be_taken_back(tmp_path: Path) -> None:
    """The host holds one task per worker more than it runs; the others wait here and can be cancelled."""
    with _hosted_pool(1) as pool:
        markers = [str(tmp_path / f"task{n}") for n in range(5)]
        futures = [pool.submit(_mark_after, 0.5, marker) for marker in markers]
        assert not futures[4].cancelled()
        assert futures[4].cancel()
        assert futures[3].cancel()
        assert [future.result(timeout=60) for future in futures[:3]] == markers[:3]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["task0", "task1", "task2"]


def test_an_exception_in_a_worker_is_raised_from_its_future() -> None:
    with _hosted_pool(2) as pool:
        failing, working = pool.submit(divmod, 7, 0), pool.submit(divmod, 7, 2)
        with pytest.raises(ZeroDivisionError):
            failing.result(timeout=60)
        assert working.result(timeout=60) == (3, 1)


def test_tasks_and_outcomes_larger_than_a_pipe_holds_arrive_whole() -> None:
    with _hosted_pool(2) as pool:
        payloads = [random.Random(seed).randbytes(size) for seed, size in enumerate((1, 70_000, 1_500_000, 65_536))]
        futures = [pool.submit(bytes.upper, payload) for payload in payloads]
        assert [future.result(timeout=60) for future in futures] == [payload.upper() for payload in payloads]


def test_a_worker_that_dies_in_a_task_fails_every_future_instead_of_hanging() -> None:
    with _hosted_pool(2) as pool:
        dying = pool.submit(os._exit, 3)
        others = [pool.submit(divmod, 7, 2) for _ in range(4)]
        with pytest.raises(BrokenProcessPool):
            dying.result(timeout=60)
        for future in others:  # answered before the death, or failed with the pool
            with contextlib.suppress(BrokenProcessPool):
                assert future.result(timeout=60) == (3, 1)
        assert pool.submit(divmod, 7, 2).exception(timeout=60) is not None


def test_workers_that_cannot_start_fail_every_future_instead_of_hanging() -> None:
    with _hosted_pool(2, sys.exit) as pool:  # the initializer ends each worker
        futures = [pool.submit(divmod, 7, 2) for _ in range(3)]
        for future in futures:
            with pytest.raises(BrokenProcessPool):
                future.result(timeout=60)


def test_a_host_no_pool_was_taken_from_is_stopped() -> None:
    parser_host.start()
    parser_host.release()
    assert parser_host.pool(2, prepare_worker) is None
    assert _no_children_left()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the probe makes itself a Linux subreaper")
@pytest.mark.parametrize(
    "options",
    [
        pytest.param(["--no-cache"], id="parsed-by-the-host"),
        pytest.param(["--no-cache", "--jobs", "1"], id="jobs-1"),
        pytest.param(["--version"], id="no-audit"),
        pytest.param(["--no-cache", "--python-include", "nothing/*.py"], id="usage-error"),
    ],
)
def test_no_process_outlives_a_run(options: list[str]) -> None:
    command = [sys.executable, "-m", "auditor", str(SAMPLE_PYTHON), str(SAMPLE_ELIXIR), "--fail-on", "never"]
    left, _ = _left_behind([*command, *options])
    assert not left


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the probe makes itself a Linux subreaper")
def test_a_run_served_from_the_cache_leaves_no_host_behind(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "auditor", str(SAMPLE_PYTHON), str(SAMPLE_ELIXIR), "--fail-on", "never"]
    cached = [*command, "--cache-dir", str(tmp_path / "cache"), "--format", "json"]
    first_left, first_report = _left_behind(cached)
    second_left, second_report = _left_behind(cached)
    assert not first_left and not second_left
    assert second_report == first_report and b'"findings"' in second_report


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the probe makes itself a Linux subreaper")
def test_the_host_and_its_workers_stop_when_the_audit_is_killed(tmp_path: Path) -> None:
    spec = generate_spec(random.Random(3), 600)
    python = write_tree(tmp_path / "python", render_python(spec))
    elixir = write_tree(tmp_path / "elixir", render_elixir(spec))
    command = [sys.executable, "-m", "auditor", str(python), str(elixir), "--no-cache", "--jobs", "2"]
    # Killed with no chance to clean up, while its workers parse: the host sees its request pipe close,
    # lets the chunks in hand finish, and stops with its workers.
    left, _ = _left_behind(command, kill_after=0.8, grace=30)
    assert not left


def test_the_hosted_run_reports_what_a_run_without_a_pool_reports() -> None:
    command = [sys.executable, "-m", "auditor", str(SAMPLE_PYTHON), str(SAMPLE_ELIXIR), "--no-cache"]
    command += ["--format", "json", "--fail-on", "never"]
    hosted = subprocess.run([*command, "--jobs", "2"], capture_output=True, check=True).stdout
    alone = subprocess.run([*command, "--jobs", "1"], capture_output=True, check=True).stdout
    assert hosted == alone and b'"rule"' in hosted


def _imported_libcst(importtime: bytes) -> bool:
    """Whether `python -X importtime` shows the process importing libcst."""
    return any(line.split(b"|")[-1].strip() == b"libcst" for line in importtime.splitlines())


def test_files_outside_the_includes_are_parsed_by_the_warm_workers_not_here(tmp_path: Path) -> None:
    python = write_tree(tmp_path / "python", {
        "pkg/__init__.py": "",
        "pkg/types/__init__.py": "",
        "pkg/base.py": "from pydantic import BaseModel\n\n\nclass Base(BaseModel):\n    inherited_field: int\n",
        "pkg/types/thing.py": "from ..base import Base\n\n\nclass Thing(Base):\n    own: str\n",
    })
    elixir = write_tree(tmp_path / "elixir", {
        "lib/pkg/types/thing.ex": (
            "defmodule Pkg.Types.Thing do\n  defstruct [:own]\n  @type t :: %__MODULE__{own: String.t()}\nend\n"
        ),
    })
    command = [sys.executable, "-X", "importtime", "-m", "auditor", str(python), str(elixir)]
    command += ["--python-include", "pkg/types/**", "--no-cache", "--format", "json", "--fail-on", "never"]
    hosted = subprocess.run([*command, "--jobs", "2"], capture_output=True, check=True)
    alone = subprocess.run([*command, "--jobs", "1"], capture_output=True, check=True)
    # The field comes from pkg/base.py, which no include selects: it was parsed to resolve the base class.
    assert b"inherited_field" in hosted.stdout
    assert hosted.stdout == alone.stdout
    assert not _imported_libcst(hosted.stderr)
    assert _imported_libcst(alone.stderr)
