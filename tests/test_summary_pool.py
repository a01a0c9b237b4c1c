"""The summary pool: this process parses alongside its workers, and every file is summarized exactly once."""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from auditor import parser_host
from auditor.extraction import SummaryPool, SummaryStore
from tests.conftest import write_tree

FILES = {f"lib/file{n:02}.ex": f"contents {n}\n".encode() for n in range(60)}


@pytest.fixture(params=["hosted", "own-pool"], autouse=True)
def workers(request: pytest.FixtureRequest) -> Iterator[str]:
    """Where the pool's workers come from: the parser host (as in a command), or the pool itself (as
    when the tool is run from Python)."""
    if request.param == "hosted":
        if not parser_host.available():
            pytest.skip("the parser host is forked only on a POSIX system (not macOS) with 2+ CPUs")
        parser_host.start()
    yield request.param
    parser_host.release()


def _store(tmp_path: Path, files: dict[str, bytes], **options: Any) -> SummaryStore[tuple[str, int, bytes]]:
    root = write_tree(tmp_path / "port", {path: data.decode() for path, data in files.items()})
    markers = tmp_path / "markers"
    markers.mkdir()
    summarize = partial(_summarize_once, str(markers))
    return SummaryStore(root, "Elixir", tuple, summarize, lambda path: (path, 0, b""), None, **options)


def _summarized(tmp_path: Path) -> int:
    return len(list((tmp_path / "markers").iterdir()))


def _summarize_once(markers: str, path: str, data: bytes) -> tuple[str, int, bytes]:
    """A slow summarizer that fails when asked for the same file twice, in any process."""
    # O_EXCL: the second summary of a file cannot create its marker, whichever process makes it.
    os.close(os.open(Path(markers, path.replace("/", "_")), os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    time.sleep(0.02)
    return path, os.getpid(), data


@pytest.mark.parametrize("jobs", [2, 3])
def test_this_process_parses_what_no_worker_has_started_and_nothing_twice(tmp_path: Path, jobs: int) -> None:
    store = _store(tmp_path, FILES)
    with SummaryPool(jobs) as pool:
        pool.submit(store, sorted(FILES))
    summaries = {path: store.load(path) for path in FILES}
    assert {path: (summary[0], summary[2]) for path, summary in summaries.items()} == {
        path: (path, data) for path, data in FILES.items()
    }
    assert _summarized(tmp_path) == len(FILES)
    parsed_here = [path for path, summary in summaries.items() if summary[1] == os.getpid()]
    assert 0 < len(parsed_here) < len(FILES)


def test_a_file_asked_for_before_a_worker_reaches_it_is_parsed_here(tmp_path: Path) -> None:
    store = _store(tmp_path, FILES)
    with SummaryPool(2) as pool:
        pool.submit(store, sorted(FILES))
        last = store.load("lib/file59.ex")
    assert last[1] == os.getpid()
    assert _summarized(tmp_path) == len(FILES)


def test_few_files_whose_parser_is_not_loaded_here_are_left_to_the_workers(tmp_path: Path) -> None:
    store = _store(tmp_path, FILES, parser_loaded=lambda: False)
    with SummaryPool(2) as pool:
        pool.submit(store, sorted(FILES))
        last = store.load("lib/file59.ex")
    assert last[1] != os.getpid()
    assert all(store.load(path)[1] != os.getpid() for path in FILES)
    assert _summarized(tmp_path) == len(FILES)


def test_a_file_outside_the_submitted_ones_goes_to_a_worker_when_the_parser_is_not_loaded_here(tmp_path: Path) -> None:
    store = _store(tmp_path, FILES, parser_loaded=lambda: False)
    with SummaryPool(2) as pool:
        pool.submit(store, sorted(FILES)[:-1])
        extra = store.load("lib/file59.ex")
        assert extra[1] != os.getpid()
    assert all(store.load(path)[1] != os.getpid() for path in FILES)
    assert _summarized(tmp_path) == len(FILES)


EXTRA = "lib/file59.ex"
"""The file left out of the submitted ones, loaded while the workers are busy."""


def _summarize_gated(log: str, gate: str, path: str, data: bytes) -> tuple[str, int, bytes]:
    """A summarizer that notes each file it starts on, in any process; every file but `EXTRA` then waits
    until the test lets go of its exclusive lock on the gate (a file), so the workers stay busy until the
    test has loaded `EXTRA`. The lock is the event itself: the wait ends when it is released, in whichever
    process, however fast the machine."""
    with open(log, "a", encoding="utf-8") as order:
        order.write(f"{path}\n")
    if path != EXTRA:
        with open(gate, "rb") as held:
            fcntl.flock(held, fcntl.LOCK_SH)
    return path, os.getpid(), data


def _unreadable(path: str) -> tuple[str, int, bytes]:
    return path, 0, b""


def test_a_file_outside_the_submitted_ones_goes_ahead_of_those_no_worker_has_started(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_tree(tmp_path / "port", {path: data.decode() for path, data in FILES.items()})
    log, gate = tmp_path / "order.log", tmp_path / "gate"
    gate.touch()
    summarize = partial(_summarize_gated, str(log), str(gate))
    store = SummaryStore(root, "Elixir", tuple, summarize, _unreadable, None, parser_loaded=lambda: False)
    with open(gate, "rb") as closed_gate, SummaryPool(2) as pool:
        fcntl.flock(closed_gate, fcntl.LOCK_EX)
        pool.submit(store, sorted(FILES)[:-1])
        # The gate opens once `EXTRA` is handed to the workers: until then no gated file can finish, so
        # however fast or slow the machine, the submitted files no worker has started are still waiting.
        handed_over = threading.Event()
        submit_first = pool.submit_first

        def submit_first_and_tell(store: SummaryStore[Any], item: tuple[str, bytes]) -> None:
            submit_first(store, item)
            handed_over.set()

        monkeypatch.setattr(pool, "submit_first", submit_first_and_tell)
        loading = threading.Thread(target=store.load, args=(EXTRA,))
        loading.start()
        assert handed_over.wait(120), "the extra file was never handed to the workers"
        fcntl.flock(closed_gate, fcntl.LOCK_UN)
        loading.join()
        assert store.load(EXTRA)[1] != os.getpid()
    order = log.read_text(encoding="utf-8").split()
    assert sorted(order) == sorted(FILES)
    assert order.index(EXTRA) < order.index("lib/file58.ex")
