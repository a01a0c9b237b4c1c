"""The summary pool: this process parses alongside its workers, and every file is summarized exactly once."""

from __future__ import annotations

import os
import time
from functools import partial
from pathlib import Path

import pytest

from auditor.extraction import SummaryPool, SummaryStore
from tests.conftest import write_tree


def _summarize_once(markers: str, path: str, data: bytes) -> tuple[str, int, bytes]:
    """A slow summarizer that fails when asked for the same file twice, in any process."""
    # O_EXCL: the second summary of a file cannot create its marker, whichever process makes it.
    os.close(os.open(Path(markers, path.replace("/", "_")), os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    time.sleep(0.02)
    return path, os.getpid(), data


@pytest.mark.parametrize("jobs", [2, 3])
def test_this_process_parses_what_no_worker_has_started_and_nothing_twice(tmp_path: Path, jobs: int) -> None:
    files = {f"lib/file{n:02}.ex": f"contents {n}\n".encode() for n in range(60)}
    root = write_tree(tmp_path / "port", {path: data.decode() for path, data in files.items()})
    markers = tmp_path / "markers"
    markers.mkdir()
    store: SummaryStore[tuple[str, int, bytes]] = SummaryStore(
        root, "Elixir", tuple, partial(_summarize_once, str(markers)), lambda path: (path, 0, b""), None
    )
    with SummaryPool(jobs) as pool:
        pool.submit(store, sorted(files))
    summaries = {path: store.load(path) for path in files}
    assert {path: (summary[0], summary[2]) for path, summary in summaries.items()} == {
        path: (path, data) for path, data in files.items()
    }
    assert len(list(markers.iterdir())) == len(files)
    parsed_here = [path for path, summary in summaries.items() if summary[1] == os.getpid()]
    assert 0 < len(parsed_here) < len(files)


def test_a_file_asked_for_before_a_worker_reaches_it_is_parsed_here(tmp_path: Path) -> None:
    files = {f"lib/file{n:02}.ex": f"contents {n}\n".encode() for n in range(60)}
    root = write_tree(tmp_path / "port", {path: data.decode() for path, data in files.items()})
    markers = tmp_path / "markers"
    markers.mkdir()
    store: SummaryStore[tuple[str, int, bytes]] = SummaryStore(
        root, "Elixir", tuple, partial(_summarize_once, str(markers)), lambda path: (path, 0, b""), None
    )
    with SummaryPool(2) as pool:
        pool.submit(store, sorted(files))
        last = store.load("lib/file59.ex")
    assert last[1] == os.getpid()
    assert len(list(markers.iterdir())) == len(files)
