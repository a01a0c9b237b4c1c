"""Stage 2 driver: runs a language front end's per-file summarizer over a checkout's files.

Summaries come from the cache when the file is unchanged, from a process pool for the files the audit
is about (`prefetch`), and on demand for files the front end only needs to resolve names (`load`).
The front ends never learn where a summary came from.
"""

from __future__ import annotations

import gc
import os
import signal
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Generic, TypeVar

from auditor.cache import SummaryCache

Summary = TypeVar("Summary")
Summarizer = Callable[[str, bytes], Summary]
ProgressCallback = Callable[[str, int], None]
"""Called with the language and the number of files just finished."""

_CHUNKS_PER_WORKER = 4


def _prepare_worker() -> None:
    # Ctrl-C reaches the whole process group; the parent alone reports it, workers must stay silent.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Workers build and pickle acyclic trees; cyclic collection passes over them are pure overhead.
    gc.disable()


def _summarize_chunk(summarize: Summarizer[Summary], chunk: list[tuple[str, bytes]]) -> list[Summary]:
    return [summarize(path, data) for path, data in chunk]


def _chunks(items: list[tuple[str, bytes]], count: int) -> Iterator[list[tuple[str, bytes]]]:
    """Splits work into `count` chunks of similar byte size, keeping each file whole."""
    ordered = sorted(items, key=lambda item: -len(item[1]))
    buckets: list[list[tuple[str, bytes]]] = [[] for _ in range(count)]
    sizes = [0] * count
    for item in ordered:
        smallest = sizes.index(min(sizes))
        buckets[smallest].append(item)
        sizes[smallest] += len(item[1])
    return (bucket for bucket in buckets if bucket)


class SummaryStore(Generic[Summary]):
    """The summaries of one checkout for one language, computed at most once each."""

    def __init__(
        self,
        root: Path,
        language: str,
        summarize: Summarizer[Summary],
        read_failed: Callable[[str], Summary],
        cache: SummaryCache | None,
        progress: ProgressCallback | None = None,
    ) -> None:
        self.root = root
        self.language = language
        self.summarize = summarize
        self.read_failed = read_failed
        self.cache = cache
        self.progress = progress
        self.summaries: dict[str, Summary] = {}

    def _read(self, path: str) -> bytes | None:
        """The file's bytes; None for anything but a readable regular file (a FIFO would block forever),
        which the front end's own reader then turns into a diagnostic."""
        target = self.root / path
        try:
            if not target.is_file():
                return None
            return target.read_bytes()
        except OSError:
            return None

    def _cached(self, path: str, data: bytes) -> Summary | None:
        if self.cache is None:
            return None
        return self.cache.get(self.cache.key(self.language, path, data))  # type: ignore[return-value]

    def _remember(self, path: str, data: bytes, summary: Summary) -> None:
        self.summaries[path] = summary
        if self.cache is not None:
            self.cache.put(self.cache.key(self.language, path, data), summary)

    def report(self, count: int) -> None:
        if self.progress is not None and count:
            self.progress(self.language, count)

    def load(self, path: str) -> Summary:
        """The file's summary, parsed here if neither `prefetch` nor the cache has it."""
        if path not in self.summaries:
            self.finish([(item, self.summarize(*item)) for item in self.pending([path])])
        return self.summaries[path]

    def pending(self, paths: Sequence[str]) -> list[tuple[str, bytes]]:
        """Takes what the cache (or a read failure) already answers; returns the files left to parse."""
        left: list[tuple[str, bytes]] = []
        for path in paths:
            if path in self.summaries:
                continue
            data = self._read(path)
            if data is None:
                self.summaries[path] = self.read_failed(path)
                continue
            cached = self._cached(path, data)
            if cached is not None:
                self.summaries[path] = cached
            else:
                left.append((path, data))
        return left

    def finish(self, parsed: Sequence[tuple[tuple[str, bytes], Summary]]) -> None:
        for (path, data), summary in parsed:
            self._remember(path, data, summary)


def prefetch(requests: Sequence[tuple[SummaryStore[Summary], Sequence[str]]], jobs: int) -> None:
    """Summarizes every requested file up front, all languages in one pool of `jobs` processes.

    Progress counts the requested files only; files loaded later to resolve names are not counted.
    """
    work: list[tuple[SummaryStore[Summary], list[tuple[str, bytes]]]] = []
    for store, paths in requests:
        left = store.pending(paths)
        store.report(len(paths) - len(left))
        if left:
            work.append((store, left))
    if jobs <= 1 or sum(len(files) for _, files in work) < 2:
        for store, files in work:
            for item in files:
                store.finish([(item, store.summarize(*item))])
                store.report(1)
        return
    workers = min(jobs, sum(len(files) for _, files in work))
    chunks = [(store, chunk) for store, files in work for chunk in _chunks(files, workers * _CHUNKS_PER_WORKER)]
    with ProcessPoolExecutor(max_workers=workers, initializer=_prepare_worker) as pool:
        try:
            futures = [pool.submit(_summarize_chunk, store.summarize, chunk) for store, chunk in chunks]
            for (store, chunk), future in zip(chunks, futures, strict=True):
                store.finish(list(zip(chunk, future.result(), strict=True)))
                store.report(len(chunk))
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise


def default_jobs() -> int:
    return os.cpu_count() or 1
