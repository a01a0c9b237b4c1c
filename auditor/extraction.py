"""Stage 2 driver: runs a language front end's per-file summarizer over a checkout's files.

Summaries come from the cache when the file is unchanged, from a process pool for the files the audit
is about (`SummaryPool`), and on demand for files the front end only needs to resolve names (`load`).
The front ends never learn where a summary came from.
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import signal
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from auditor import parser_host, result_cache
from auditor.cache import SummaryCache, loads

Summary = TypeVar("Summary")
Summarizer = Callable[[str, bytes], Summary]
ProgressCallback = Callable[[str, int], None]
"""Called with the language and the number of files just finished."""

_CHUNKS_PER_PROCESS = 4
_MOST_CHUNK_BYTES = 64 * 1024
"""About a quarter of a second of parsing Python: the most this process takes on at a time while a worker
finishes a batch it needs."""
_WORTH_LOADING_A_PARSER = 1024 * 1024
"""Source bytes whose parsing (about 4 s of Python) repays importing a parser in this process."""
PICKLE_PROTOCOL = 5


def _prepare_worker() -> None:
    # Ctrl-C reaches the whole process group; the parent alone reports it, workers must stay silent.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Workers build and pickle acyclic trees; cyclic collection passes over them are pure overhead.
    gc.disable()


def _digest(pickled: bytes) -> str:
    return hashlib.sha256(pickled).hexdigest()


def _summarize_chunk(
    summarize: Summarizer[Summary],
    chunk: list[tuple[str, bytes]],
    cache: SummaryCache | None,
    cache_keys: list[str],
) -> list[bytes]:
    """Summaries pickled once, here: the parent loads these bytes, and the worker itself caches them, so
    cache writes are spread over the workers too."""
    pickled = [pickle.dumps(summarize(path, data), protocol=PICKLE_PROTOCOL) for path, data in chunk]
    if cache is not None:
        for key, entry in zip(cache_keys, pickled, strict=True):
            cache.put(key, entry)
    return pickled


def _chunks(items: list[tuple[str, bytes]], count: int, most_bytes: int) -> Iterator[list[tuple[str, bytes]]]:
    """Splits work into runs of consecutive files (in path order) of similar byte size: at least about
    `count` of them, none much over `most_bytes`.

    Consecutive, because the front ends read files in path order: the first chunks to come back hold
    the first files asked for, so the caller starts on them while the later chunks are parsed. Small,
    so that the last chunks of a run end close together, and the caller can take back one a worker has
    not started and parse it while it would otherwise wait.
    """
    ordered = sorted(items, key=lambda item: item[0])
    share = min(sum(len(data) for _, data in ordered) / count, most_bytes)
    chunk: list[tuple[str, bytes]] = []
    size = 0
    for item in ordered:
        chunk.append(item)
        size += len(item[1])
        if size >= share:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


@dataclass(frozen=True, eq=False)
class _Batch:
    """Files of one store sent to a worker of `pool` together, and the future of their pickled summaries."""

    files: list[tuple[str, bytes]]
    future: Future[list[bytes]]
    store: SummaryStore[Any]
    pool: SummaryPool


class SummaryStore(Generic[Summary]):
    """The summaries of one checkout for one language, computed at most once each.

    A summary comes from the cache, from a worker (a file in flight is waited for when it is first
    needed, so the caller can start using the files that are ready) or from parsing it here.
    """

    def __init__(
        self,
        root: Path,
        language: str,
        summary_type: type[Summary],
        summarize: Summarizer[Summary],
        read_failed: Callable[[str], Summary],
        cache: SummaryCache | None,
        progress: ProgressCallback | None = None,
        on_read: Callable[[str, bytes], None] | None = None,
        parser_loaded: Callable[[], bool] = lambda: True,
    ) -> None:
        self.root = root
        self.language = language
        self.summary_type = summary_type
        self.summarize = summarize
        self.read_failed = read_failed
        self.cache = cache
        self.progress = progress
        self.on_read = on_read
        """Shown every file's bytes as they are read, cached or not: a reader of comments reads nothing again."""
        self.parser_loaded = parser_loaded
        """Whether `summarize` can run in this process without first importing its parser."""
        self.submitted_bytes = 0
        """The bytes of the files handed to the pool, which tell whether loading the parser here pays."""
        self.summaries: dict[str, Summary] = {}
        self._cache_keys: dict[str, str] = {}
        self._in_flight: dict[str, _Batch] = {}
        # Cached summaries are unpickled when first loaded: a side resolved from the cache needs only
        # their digests (the SHA-256 of each summary's pickle), never the summaries themselves.
        self._unloaded: dict[str, bytes] = {}
        self._digests: dict[str, str] = {}

    def _read(self, path: str) -> bytes | None:
        """The file's bytes; None for anything but a readable regular file (a FIFO would block forever),
        which the front end's own reader then turns into a diagnostic."""
        target = self.root / path
        result_cache.observe(target)
        try:
            if not target.is_file():
                return None
            return target.read_bytes()
        except OSError:
            return None

    def report(self, count: int) -> None:
        if self.progress is not None and count:
            self.progress(self.language, count)

    def load(self, path: str) -> Summary:
        """The file's summary: waited for if a worker has it, parsed here if neither a worker nor the cache does."""
        if path in self.summaries:
            return self.summaries[path]
        if path not in self._in_flight and path not in self._unloaded:
            for item in self.pending([path]):
                self.finish(item, self.summarize(*item))
        batch = self._in_flight.get(path)
        if batch is not None:
            self._collect(batch)
        payload = self._unloaded.pop(path, None)
        if payload is not None:
            cached = loads(payload, self.summary_type)
            if cached is not None:
                self.summaries[path] = cached
            else:  # a corrupt entry: parsed here, and the entry rewritten
                for item in self.pending([path], consult_cache=False):
                    self.finish(item, self.summarize(*item))
        return self.summaries[path]

    def in_flight(self, path: str) -> bool:
        """Whether a worker is still parsing the file."""
        return path in self._in_flight

    @property
    def parsing(self) -> bool:
        """Whether workers are still parsing files of this store."""
        return bool(self._in_flight)

    def digest(self, path: str) -> str:
        """The SHA-256 of the file's pickled summary (waiting for a worker or parsing it if need be)."""
        if path not in self._digests:
            summary = self.load(path)
            if path not in self._digests:  # an unreadable file, or no cache
                self._digests[path] = _digest(pickle.dumps(summary, protocol=PICKLE_PROTOCOL))
        return self._digests[path]

    def content_key(self, path: str) -> str:
        """What the file's summary depends on, without parsing it: its path and bytes."""
        data = self._read(path)
        return "unreadable" if data is None else SummaryCache.key(self.language, path, data)

    def pending(self, paths: Sequence[str], consult_cache: bool = True) -> list[tuple[str, bytes]]:
        """Takes what the cache (or a read failure) already answers; returns the files left to parse."""
        left: list[tuple[str, bytes]] = []
        for path in paths:
            if path in self.summaries or path in self._in_flight or path in self._unloaded:
                continue
            data = self._read(path)
            if data is None:
                self.summaries[path] = self.read_failed(path)
                continue
            if self.on_read is not None:
                self.on_read(path, data)
            if self.cache is not None:
                key = self._cache_keys[path] = self.cache.key(self.language, path, data)
                payload = self.cache.payload(key) if consult_cache else None
                if payload is not None:
                    self._unloaded[path] = payload
                    self._digests[path] = _digest(payload)
                    continue
            left.append((path, data))
        return left

    def finish(self, item: tuple[str, bytes], summary: Summary) -> None:
        """Keeps (and caches) the summary of a file that `pending` left to parse, summarized here."""
        path = item[0]
        self.summaries[path] = summary
        if self.cache is not None:
            pickled = pickle.dumps(summary, protocol=PICKLE_PROTOCOL)
            self._digests[path] = _digest(pickled)
            self.cache.put(self._cache_keys.pop(path), pickled)

    def cache_keys_of(self, files: list[tuple[str, bytes]]) -> list[str]:
        """The cache keys `pending` computed for these files, handed to the worker that caches them."""
        return [self._cache_keys[path] for path, _ in files] if self.cache is not None else []

    def expect(self, batch: _Batch) -> None:
        for path, _ in batch.files:
            self._in_flight[path] = batch

    def collect_all(self) -> None:
        while self._in_flight:
            self._collect(next(iter(self._in_flight.values())))

    def worth_parsing_here(self) -> bool:
        """Whether this process should take back files no worker has started: loading a parser here
        (libcst, about 0.3 s) pays only when many files are left."""
        return self.parser_loaded() or self.submitted_bytes >= _WORTH_LOADING_A_PARSER

    def _collect(self, batch: _Batch) -> None:
        """Takes in a batch's summaries. One no worker has started is parsed here instead; while a worker
        parses it, this process parses batches no worker has started yet (of either language) rather
        than wait."""
        if self.worth_parsing_here() and batch.future.cancel():
            self.parse_here(batch)
            return
        while not batch.future.done() and batch.pool.take_back_one():
            pass
        for path, _ in batch.files:
            del self._in_flight[path]
        for (path, _), pickled in zip(batch.files, batch.future.result(), strict=True):
            self.summaries[path] = pickle.loads(pickled)
            if self.cache is not None:
                self._cache_keys.pop(path)
                self._digests[path] = _digest(pickled)
        self.report(len(batch.files))

    def parse_here(self, batch: _Batch) -> None:
        """Summarizes (and caches) in this process a batch taken back from the workers."""
        for path, _ in batch.files:
            del self._in_flight[path]
        for item in batch.files:
            self.finish(item, self.summarize(*item))
        self.report(len(batch.files))


class SummaryPool:
    """Summarizes the files the audit is about in `jobs` processes: this one and `jobs - 1` workers.

    `submit` answers what it can from the cache at once and hands the rest to the workers, in chunks,
    without waiting, so the caller goes on (looks up the other language's cache entries, resolves the
    files that are ready) while they parse. When the caller needs a file no worker has started yet, or
    would wait for a worker, it parses chunks itself, so this process never sits idle while files are
    left and what it parses is never pickled. Where that would first mean importing a parser here
    (libcst) for a few files, this process leaves those files to `jobs` workers and takes back only
    the others. With `jobs == 1` everything is summarized in this process, inside `submit`. The
    workers are forked from the parser host when the command started one (`auditor.parser_host`),
    else from this process. On leaving the pool normally, every store has received every summary
    (and cached it).
    Progress counts submitted files only; files loaded later to resolve names are not counted.
    """

    def __init__(self, jobs: int) -> None:
        self.jobs = jobs
        self._pool: ProcessPoolExecutor | parser_host.HostedPool | None = None
        self._stores: list[SummaryStore[Any]] = []
        self._unstarted: deque[_Batch] = deque()
        """Batches in submission order, those before the first a worker may not have started dropped."""
        if jobs <= 1:
            parser_host.release()

    def __enter__(self) -> SummaryPool:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: object) -> None:
        if self._pool is None:
            return
        if kind is not None:
            # On an error or Ctrl-C, queued chunks are dropped rather than parsed for nobody.
            self._pool.shutdown(wait=False, cancel_futures=True)
            return
        for store in self._stores:
            store.collect_all()
        self._pool.shutdown()

    def submit(self, store: SummaryStore[Summary], paths: Sequence[str]) -> None:
        left = store.pending(paths)
        store.report(len(paths) - len(left))
        if not left:
            return
        if self.jobs <= 1:
            for item in left:
                store.finish(item, store.summarize(*item))
                store.report(1)
            return
        store.submitted_bytes += sum(len(data) for _, data in left)
        if self._pool is None:
            # This process is one of the `jobs` that parse when it is worth its while to (the first files
            # submitted tell); otherwise it only takes back what it can parse at once, while it would wait.
            workers = self.jobs - 1 if store.worth_parsing_here() else self.jobs
            self._pool = parser_host.pool(workers, _prepare_worker) or ProcessPoolExecutor(
                max_workers=workers, initializer=_prepare_worker
            )
        self._stores.append(store)
        for chunk in _chunks(left, self.jobs * _CHUNKS_PER_PROCESS, _MOST_CHUNK_BYTES):
            keys = store.cache_keys_of(chunk)
            future = self._pool.submit(_summarize_chunk, store.summarize, chunk, store.cache, keys)
            batch = _Batch(chunk, future, store, self)
            store.expect(batch)
            self._unstarted.append(batch)

    def submitted_all(self) -> None:
        """Stops the parser host at once when no file was left to parse (a run served from the cache)."""
        if self._pool is None:
            parser_host.release()

    def take_back_one(self) -> bool:
        """Parses here the first batch no worker has started that is worth parsing here; False if none is left."""
        while self._unstarted and (self._unstarted[0].future.running() or self._unstarted[0].future.done()):
            self._unstarted.popleft()
        for batch in self._unstarted:
            store = batch.store
            if store.worth_parsing_here() and batch.future.cancel() and store.in_flight(batch.files[0][0]):
                store.parse_here(batch)
                return True
        return False


def default_jobs() -> int:
    return os.cpu_count() or 1
