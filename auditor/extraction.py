"""Stage 2 driver: runs a language front end's per-file summarizer over a checkout's files.

Summaries come from the cache when the file is unchanged, from a process pool for the files the audit
is about (`SummaryPool`), and on demand for files the front end only needs to resolve names (`load`).
A large file is cut into parts that workers parse side by side (`Splitter`). The front ends never learn
where a summary came from.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from auditor import parser_host, result_cache
from auditor.cache import SummaryCache, loads
from auditor.summary_worker import PICKLE_PROTOCOL, prepare_worker, summarize_chunk, summarize_part

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
SPLIT_ABOVE_BYTES = 256 * 1024
"""A file this large (about a second of parsing Python) is cut into parts (`Splitter`), parsed side by side."""
PART_BYTES = 64 * 1024
"""The size of those parts. libcst's parse costs more than in proportion to the text: parts of this size
cost it about 40 % less than the whole 1 MB module at once, and each holds a tree a fifteenth the size."""


def _digest(pickled: bytes) -> str:
    return hashlib.sha256(pickled).hexdigest()


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


@dataclass(frozen=True)
class Splitter(Generic[Summary]):
    """How a front end cuts a large file into parts that are summarized apart, and merges their summaries.

    `split(data, part_size)` gives the parts, of about `part_size` bytes each (None to parse the file
    whole); `summarize_part(path, part)` summarizes one; `merge(path, summaries)` gives the whole file's
    summary from its parts' in order, or None when only parsing the whole file tells it (a part that
    does not parse).
    """

    split: Callable[[bytes, int], Sequence[Any] | None]
    summarize_part: Callable[[str, Any], Summary]
    merge: Callable[[str, Sequence[Summary]], Summary | None]


@dataclass(frozen=True, eq=False)
class _Batch:
    """Files of one store sent to a worker of `pool` together, and the future of their pickled summaries."""

    files: list[tuple[str, bytes]]
    future: Future[list[bytes]]
    store: SummaryStore[Any]
    pool: SummaryPool


@dataclass(eq=False)
class _SplitFile:
    """A file of `store` cut into `parts`, each sent to the workers on its own: the future of each part's
    pickled summary, by index, and the summaries of the parts this process took back."""

    path: str
    data: bytes
    parts: Sequence[Any]
    store: SummaryStore[Any]
    pool: SummaryPool
    futures: dict[int, Future[bytes]] = field(default_factory=dict)
    here: dict[int, Any] = field(default_factory=dict)

    def done(self) -> bool:
        return all(index in self.here or self.futures[index].done() for index in range(len(self.parts)))


@dataclass(frozen=True, eq=False)
class _Part:
    """One part of a split file, as sent to the workers."""

    split: _SplitFile
    index: int
    future: Future[bytes]

    @property
    def store(self) -> SummaryStore[Any]:
        return self.split.store


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
        splitter: Splitter[Summary] | None = None,
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
        self.splitter = splitter
        self.pool: SummaryPool | None = None
        """The pool of workers this store's files were submitted to, while it parses."""
        self.submitted_bytes = 0
        """The bytes of the files handed to the pool, which tell whether loading the parser here pays."""
        self.summaries: dict[str, Summary] = {}
        self._cache_keys: dict[str, str] = {}
        self._in_flight: dict[str, _Batch | _SplitFile] = {}
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
        """The file's summary: waited for if a worker has it; if neither a worker nor the cache does, parsed
        here, or by a worker ahead of the queue when this process has not loaded the parser."""
        if path in self.summaries:
            return self.summaries[path]
        if path not in self._in_flight and path not in self._unloaded:
            for item in self.pending([path]):
                if self.pool is not None and self.pool.running and not self.worth_parsing_here():
                    # A file only needed to resolve a name: loading the parser here for it costs more than
                    # waiting for a worker to parse it.
                    self.pool.submit_first(self, item)
                else:
                    self.finish(item, self.summarize_here(item))
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
                    self.finish(item, self.summarize_here(item))
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

    def expect(self, batch: _Batch | _SplitFile) -> None:
        for path in [batch.path] if isinstance(batch, _SplitFile) else [path for path, _ in batch.files]:
            self._in_flight[path] = batch

    def awaits(self, sent: _Batch | _Part) -> bool:
        """Whether the files or part `sent` is still to be summarized, not taken back since."""
        if isinstance(sent, _Part):
            split = sent.split
            return self._in_flight.get(split.path) is split and sent.index not in split.here
        return self._in_flight.get(sent.files[0][0]) is sent

    def collect_all(self) -> None:
        while self._in_flight:
            self._collect(next(iter(self._in_flight.values())))

    def worth_parsing_here(self) -> bool:
        """Whether this process should take back files no worker has started: loading a parser here
        (libcst, about 0.3 s) pays only when many files are left."""
        return self.parser_loaded() or self.submitted_bytes >= _WORTH_LOADING_A_PARSER

    def _collect(self, batch: _Batch | _SplitFile) -> None:
        """Takes in a batch's summaries. One no worker has started is parsed here instead; while a worker
        parses it, this process parses batches no worker has started yet (of either language) rather
        than wait."""
        if isinstance(batch, _SplitFile):
            self._collect_split(batch)
            return
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

    def _collect_split(self, split: _SplitFile) -> None:
        """Merges the summaries of a split file's parts, parsing parts no worker has started meanwhile."""
        assert self.splitter is not None
        while not split.done() and split.pool.take_back_one():
            pass
        del self._in_flight[split.path]
        parts = [
            split.here[index] if index in split.here else pickle.loads(split.futures[index].result())
            for index in range(len(split.parts))
        ]
        merged = self.splitter.merge(split.path, parts)
        item = (split.path, split.data)
        # A part that does not parse: the whole file is parsed for its own diagnostic, which is rare enough
        # to be done here.
        self.finish(item, merged if merged is not None else self.summarize(*item))
        self.report(1)

    def parts(self, data: bytes) -> Sequence[Any] | None:
        """The parts a file is summarized in, or None to summarize it whole."""
        if self.splitter is None or len(data) < SPLIT_ABOVE_BYTES:
            return None
        return self.splitter.split(data, PART_BYTES)

    def summarize_here(self, item: tuple[str, bytes]) -> Summary:
        """Summarizes a file in this process, a large one part after part, which costs less and holds a
        smaller tree at a time than parsing it whole."""
        path, data = item
        parts = self.parts(data)
        if parts is None or self.splitter is None:
            return self.summarize(path, data)
        merged = self.splitter.merge(path, [self.splitter.summarize_part(path, part) for part in parts])
        return merged if merged is not None else self.summarize(path, data)

    def parse_part_here(self, part: _Part) -> None:
        """Summarizes in this process a part of a split file taken back from the workers."""
        assert self.splitter is not None
        split = part.split
        split.here[part.index] = self.splitter.summarize_part(split.path, split.parts[part.index])

    def parse_here(self, batch: _Batch) -> None:
        """Summarizes (and caches) in this process a batch taken back from the workers."""
        for path, _ in batch.files:
            del self._in_flight[path]
        for item in batch.files:
            self.finish(item, self.summarize_here(item))
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
        self._unstarted: deque[_Batch | _Part] = deque()
        """Batches in submission order, those before the first a worker may not have started dropped."""
        if jobs <= 1:
            parser_host.release()

    def __enter__(self) -> SummaryPool:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: object) -> None:
        for store in self._stores:
            store.pool = None
        if self._pool is None:
            return
        if kind is not None:
            # On an error or Ctrl-C, queued chunks are dropped rather than parsed for nobody.
            self._pool.shutdown(wait=False, cancel_futures=True)
            return
        for store in self._stores:
            store.collect_all()
        self._pool.shutdown()

    @property
    def running(self) -> bool:
        """Whether workers were started, and take more files."""
        return self._pool is not None

    def submit(self, store: SummaryStore[Summary], paths: Sequence[str]) -> None:
        left = store.pending(paths)
        store.report(len(paths) - len(left))
        if self.jobs <= 1:
            for item in left:
                store.finish(item, store.summarize_here(item))
                store.report(1)
            return
        self._stores.append(store)
        store.pool = self
        if not left:
            return
        store.submitted_bytes += sum(len(data) for _, data in left)
        if self._pool is None:
            # This process is one of the `jobs` that parse when it is worth its while to (the first files
            # submitted tell); otherwise it only takes back what it can parse at once, while it would wait.
            workers = self.jobs - 1 if store.worth_parsing_here() else self.jobs
            self._pool = parser_host.pool(workers, prepare_worker) or ProcessPoolExecutor(
                max_workers=workers, initializer=prepare_worker
            )
        whole: list[tuple[str, bytes]] = []
        # The largest files go first, in parts: the workers finish together when the long parses start early.
        for item in sorted(left, key=lambda item: -len(item[1])):
            parts = store.parts(item[1])
            if parts is None:
                whole.append(item)
                continue
            split = _SplitFile(item[0], item[1], parts, store, self)
            store.expect(split)
            for index in range(len(parts)):
                self._send_part(split, index)
        for chunk in _chunks(whole, self.jobs * _CHUNKS_PER_PROCESS, _MOST_CHUNK_BYTES):
            self._send_batch(store, chunk)

    def _send_batch(self, store: SummaryStore[Any], files: list[tuple[str, bytes]]) -> None:
        assert self._pool is not None
        future = self._pool.submit(summarize_chunk, store.summarize, files, store.cache, store.cache_keys_of(files))
        batch = _Batch(files, future, store, self)
        store.expect(batch)
        self._unstarted.append(batch)

    def _send_part(self, split: _SplitFile, index: int) -> None:
        assert self._pool is not None and split.store.splitter is not None
        future = self._pool.submit(summarize_part, split.store.splitter.summarize_part, split.path, split.parts[index])
        split.futures[index] = future
        self._unstarted.append(_Part(split, index, future))

    def submit_first(self, store: SummaryStore[Any], item: tuple[str, bytes]) -> None:
        """Hands one file to the workers ahead of everything none of them has started, which follows it
        in the same order: this process is about to wait for that file."""
        taken_back = [sent for sent in self._unstarted if sent.store.awaits(sent) and sent.future.cancel()]
        self._unstarted.clear()
        self._send_batch(store, [item])
        for sent in taken_back:
            if isinstance(sent, _Part):
                self._send_part(sent.split, sent.index)
            else:
                self._send_batch(sent.store, sent.files)

    def submitted_all(self) -> None:
        """Stops the parser host at once when no file was left to parse (a run served from the cache)."""
        if self._pool is None:
            parser_host.release()

    def take_back_one(self) -> bool:
        """Parses here the first batch no worker has started that is worth parsing here; False if none is left."""
        while self._unstarted and (self._unstarted[0].future.running() or self._unstarted[0].future.done()):
            self._unstarted.popleft()
        for sent in self._unstarted:
            store = sent.store
            if store.worth_parsing_here() and store.awaits(sent) and sent.future.cancel():
                if isinstance(sent, _Part):
                    store.parse_part_here(sent)
                else:
                    store.parse_here(sent)
                return True
        return False


def default_jobs() -> int:
    return os.cpu_count() or 1
