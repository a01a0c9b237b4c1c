"""The parser host: a process forked first thing, which imports the parsers while the CLI imports the rest.

Importing libcst is the largest fixed cost of a run: about 0.3 s, most of what a small audit's parse
costs. Workers forked from the CLI would each import it only after the CLI had imported everything
else, one cost after the other. The host is forked before the command line is even read, imports the
parsers on another core meanwhile, and forks the pool's workers from itself once the files to parse
are known, so they start parsing at once. It runs nothing but the summarizers handed to it, as any
pool would; it never imports or runs audited code.

The parent talks to it over two pipes. Requests: the pool's size (task 0), then the tasks, each a
pickled call. Replies: each task's pickled outcome; task 0 again if the host itself failed. Closing
the request pipe stops the host: it cancels what has not started, waits for its workers, and exits.

This module is imported before the fork, so at its top it imports only what the interpreter has
already loaded at start (and `signal`); everything else is imported where it is used.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from collections import deque
    from collections.abc import Callable
    from concurrent.futures import Future
    from io import BufferedReader, BufferedWriter

_PARSERS = ("libcst", "auditor.python.summarizer", "auditor.summary_worker")
"""What the workers need, in the host before any worker is forked. The Elixir front end is not among them:
its parser loads in a few milliseconds, and the parent summarizes the Elixir files of a small audit itself
while it waits for the Python ones, so a worker imports it only when it is handed Elixir files."""
_HOST_TASK = 0
"""The task number of the pool's size in a request, and of the host's own failure in a reply."""
_HEADER_BYTES = 12
"""A frame: the task number (4 bytes), the payload's length (8 bytes), the payload."""
_PIPE_BYTES = 64 * 1024
"""What a pipe holds on Linux, so the most one read of it returns."""

_waiting: _Host | None = None
_finishing: list[HostedPool] = []
"""Pools shut down whose host may still be stopping its workers; `release` waits for them."""


class _Host:
    """The parent's end of a started host: its pid and both pipes."""

    def __init__(self, pid: int, requests: int, replies: int) -> None:
        self.pid = pid
        self.requests = requests
        self.replies = replies

    def stop(self) -> None:
        """Ends a host that was never given a pool: it has no workers, so nothing is left behind."""
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        os.close(self.requests)
        os.close(self.replies)


def available() -> bool:
    """Whether forking is how worker processes are safely started here, and a second core exists.

    Windows cannot fork, and on macOS a forked process may not use every system library its parent
    loaded, so there the pool starts its workers itself; one core has nothing to overlap.
    """
    return hasattr(os, "fork") and sys.platform != "darwin" and (os.cpu_count() or 1) >= 2


def start() -> None:
    """Forks the host, where it is `available`; the first pool of this process is then the host's."""
    global _waiting
    if not available():
        return
    request_read, request_write = os.pipe()
    reply_read, reply_write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(request_write)
        os.close(reply_read)
        _serve(request_read, reply_write)
    os.close(request_read)
    os.close(reply_write)
    _waiting = _Host(pid, request_write, reply_read)


def pool(jobs: int, initializer: Callable[[], None]) -> HostedPool | None:
    """The host's pool of `jobs` workers, each run through `initializer` first; None without a host.

    A host serves one pool: the first caller takes it.
    """
    global _waiting
    host, _waiting = _waiting, None
    return HostedPool(host, jobs, initializer) if host is not None else None


def release() -> None:
    """Stops a host no pool was taken from (a run served from the cache, or with `--jobs 1`), and waits
    for the hosts of pools shut down meanwhile to exit."""
    global _waiting
    host, _waiting = _waiting, None
    if host is not None:
        host.stop()
    while _finishing:
        _finishing.pop().wait_for_host()


def _frame(task: int, payload: bytes) -> bytes:
    return task.to_bytes(4, "little") + len(payload).to_bytes(8, "little") + payload


def _read_frame(reader: BufferedReader) -> tuple[int, bytes] | None:
    header = reader.read(_HEADER_BYTES)
    if len(header) < _HEADER_BYTES:
        return None
    size = int.from_bytes(header[4:], "little")
    payload = reader.read(size)
    if len(payload) < size:
        return None
    return int.from_bytes(header[:4], "little"), payload


class HostedPool:
    """The part of `concurrent.futures.Executor` the summary pool uses, served by the host's workers.

    As in a `ProcessPoolExecutor`, a task can be cancelled until a worker is about to take it: the
    host holds one task more than it has workers, and the writer thread sends the next one (skipping
    the cancelled) only when a reply frees a place. So `submit` never waits, even for a host still
    importing, and the caller can take back work no worker has started. A reader thread resolves each
    task's future as its reply arrives.
    """

    def __init__(self, host: _Host, jobs: int, initializer: Callable[[], None]) -> None:
        import pickle
        import threading
        from queue import SimpleQueue

        self._host = host
        self._futures: dict[int, Future[Any]] = {}
        """The tasks not answered yet, by number."""
        self._submitted = 0
        self._places = jobs + 1
        """How many more tasks the host may be given now."""
        self._changed = threading.Condition()
        """Guards the attributes above and below; notified when a place frees, the pool closes or the host fails."""
        self._failure: BaseException | None = None
        self._closed = False
        self._outbox: SimpleQueue[tuple[int, Future[Any], tuple[Any, ...]] | None] = SimpleQueue()
        self._opening = _frame(_HOST_TASK, pickle.dumps((jobs, initializer)))
        self._writer = threading.Thread(target=self._send, daemon=True)
        self._reader = threading.Thread(target=self._receive, daemon=True)
        self._writer.start()
        self._reader.start()

    def submit(self, fn: Callable[..., Any], /, *args: Any) -> Future[Any]:
        from concurrent.futures import Future

        future: Future[Any] = Future()
        with self._changed:
            if self._failure is not None:
                future.set_exception(self._failure)
                return future
            self._submitted += 1
            task = self._submitted
            self._futures[task] = future
        self._outbox.put((task, future, (fn, args)))
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        from concurrent.futures import wait as wait_for

        with self._changed:
            pending = list(self._futures.values())
        if cancel_futures:
            for future in pending:
                future.cancel()
        elif wait:
            wait_for(pending)
        with self._changed:
            self._closed = True
            self._changed.notify_all()
        self._outbox.put(None)
        if wait:
            # Every task is answered: the host stops its workers and exits beside the rest of the run, which
            # `release` waits for at its end.
            self._writer.join()
            _finishing.append(self)

    def wait_for_host(self) -> None:
        os.waitpid(self._host.pid, 0)
        self._reader.join()

    def _send(self, /) -> None:
        import pickle

        # A host that is gone ends the sending (closing flushes too, so it is covered); the reader then
        # fails every future.
        with contextlib.suppress(OSError), open(self._host.requests, "wb") as requests:
            requests.write(self._opening)
            requests.flush()
            while (item := self._outbox.get()) is not None:
                task, future, call = item
                with self._changed:
                    if not future.cancelled():
                        self._changed.wait_for(lambda: self._places > 0 or self._closed or self._failure is not None)
                    if self._failure is not None or self._closed:  # nothing is waited for any more
                        return
                    if not future.set_running_or_notify_cancel():  # taken back meanwhile
                        del self._futures[task]
                        continue
                    self._places -= 1
                requests.write(_frame(task, pickle.dumps(call, protocol=5)))
                requests.flush()

    def _receive(self, /) -> None:
        import pickle
        from concurrent.futures import InvalidStateError
        from concurrent.futures.process import BrokenProcessPool

        with open(self._host.replies, "rb") as replies:
            while (frame := _read_frame(replies)) is not None:
                task, payload = frame
                try:
                    succeeded, value = pickle.loads(payload)
                except Exception as failure:  # a result this process cannot unpickle fails its task
                    succeeded, value = False, failure
                if task == _HOST_TASK:
                    self._fail(value)
                    continue
                with self._changed:
                    future = self._futures.pop(task, None)
                    self._places += 1
                    self._changed.notify_all()
                if future is None:  # already failed with the host
                    continue
                with contextlib.suppress(InvalidStateError):
                    future.set_result(value) if succeeded else future.set_exception(value)
        self._fail(BrokenProcessPool("the parser host stopped before every file was parsed"))

    def _fail(self, failure: BaseException) -> None:
        from concurrent.futures import InvalidStateError

        with self._changed:
            self._failure = self._failure or failure
            pending = list(self._futures.values())
            self._futures.clear()
            self._changed.notify_all()
        for future in pending:
            with contextlib.suppress(InvalidStateError):
                future.set_exception(self._failure)


def _serve(requests: int, replies: int) -> NoReturn:
    """The host's whole life; never returns, whatever fails, so the fork never runs the parent's CLI twice."""
    code = 1
    try:
        # Ctrl-C reaches the whole process group: the parent alone reports it. The host's inherited stdout
        # and stderr are let go, so a reader of the parent's output never waits for the host to close them.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        devnull = os.open(os.devnull, os.O_RDWR)
        for standard in (0, 1, 2):
            os.dup2(devnull, standard)
        with open(replies, "wb") as writer:
            try:
                _relay(requests, writer)
                code = 0
            except BaseException as failure:  # told to the parent, which raises it
                _write_frame(writer, _HOST_TASK, _pickled_failure(failure))
    finally:
        os._exit(code)


def _pickled_failure(failure: BaseException) -> bytes:
    import pickle

    try:
        return pickle.dumps((False, failure))
    except Exception:  # an exception that cannot be pickled is told by its text
        return pickle.dumps((False, RuntimeError(repr(failure))))


def _write_frame(writer: BufferedWriter, task: int, payload: bytes) -> None:
    try:
        writer.write(_frame(task, payload))
        writer.flush()
    except OSError:  # the parent is gone; the end of the request pipe stops the host
        pass


def _relay(requests: int, writer: BufferedWriter) -> None:
    import importlib
    import pickle

    for module in _PARSERS:
        importlib.import_module(module)
    incoming = _Frames()
    frames: list[tuple[int, bytes]] = []
    while not frames:
        data = os.read(requests, _PIPE_BYTES)
        if not data:
            return
        frames = incoming.take(data)
    (_, opening), *tasks = frames
    jobs, initializer = pickle.loads(opening)
    _Workers(requests, writer, jobs, initializer).serve(incoming, tasks)


class _Frames:
    """Frames read off a pipe as its bytes arrive, whatever pieces they come in."""

    def __init__(self) -> None:
        self._pending = bytearray()

    def take(self, data: bytes) -> list[tuple[int, bytes]]:
        pending = self._pending
        pending += data
        frames: list[tuple[int, bytes]] = []
        start = 0
        with memoryview(pending) as view:  # each payload copied once, out of the buffer
            while len(pending) - start >= _HEADER_BYTES:
                end = start + _HEADER_BYTES + int.from_bytes(view[start + 4 : start + _HEADER_BYTES], "little")
                if len(pending) < end:
                    break
                task = int.from_bytes(view[start : start + 4], "little")
                frames.append((task, bytes(view[start + _HEADER_BYTES : end])))
                start = end
        del pending[:start]
        return frames


class _Worker:
    """A worker forked by the host: its pid, the pipe its tasks go down and the one its outcomes come up."""

    def __init__(self, pid: int, tasks: int, outcomes: int) -> None:
        self.pid = pid
        self.tasks = tasks
        self.outcomes = outcomes
        self.frames = _Frames()
        self.task: int | None = None
        """The task it is running, if any."""


class _Workers:
    """The host's pool: `jobs` workers forked at once, each handed one task at a time, first come first served.

    A `ProcessPoolExecutor` would do the same work, but importing and starting it costs the host about
    15 ms before the first file is parsed, on every run. Like it, the pool is broken as a whole when a
    worker dies: the host then fails (every task of the run fails in the parent) instead of hanging.
    """

    def __init__(self, requests: int, replies: BufferedWriter, jobs: int, initializer: Callable[[], None]) -> None:
        self._requests = requests
        self._replies = replies
        self._workers: list[_Worker] = []
        for _ in range(jobs):
            self._workers.append(self._fork(initializer))

    def _fork(self, initializer: Callable[[], None]) -> _Worker:
        task_read, task_write = os.pipe()
        outcome_read, outcome_write = os.pipe()
        pid = os.fork()
        if pid == 0:
            # A worker holding the parent's pipes, or another worker's, would keep their ends from seeing it close.
            inherited = [self._requests, self._replies.fileno(), task_write, outcome_read]
            inherited += [end for worker in self._workers for end in (worker.tasks, worker.outcomes)]
            for descriptor in inherited:
                os.close(descriptor)
            _work(task_read, outcome_write, initializer)
        os.close(task_read)
        os.close(outcome_write)
        return _Worker(pid, task_write, outcome_read)

    def serve(self, requests: _Frames, tasks: list[tuple[int, bytes]]) -> None:
        """Hands the parent's tasks (`tasks` first, then what `requests` reads) to idle workers and their
        outcomes back, until the parent closes its pipe."""
        import selectors
        from collections import deque

        queued = deque(tasks)
        accepting = True
        try:
            with selectors.DefaultSelector() as selector:
                selector.register(self._requests, selectors.EVENT_READ, None)
                for worker in self._workers:
                    selector.register(worker.outcomes, selectors.EVENT_READ, worker)
                while True:
                    self._dispatch(queued)
                    if not accepting and all(worker.task is None for worker in self._workers):
                        return
                    replies: list[bytes] = []
                    for key, _ in selector.select():
                        worker = key.data
                        data = os.read(key.fd, _PIPE_BYTES)
                        if worker is None:
                            if data:
                                queued.extend(requests.take(data))
                            else:  # the parent is done: what no worker has started is dropped
                                accepting = False
                                queued.clear()
                                selector.unregister(self._requests)
                            continue
                        if not data:
                            from concurrent.futures.process import BrokenProcessPool

                            raise BrokenProcessPool("a worker of the parser host stopped unexpectedly")
                        for task, outcome in worker.frames.take(data):
                            worker.task = None
                            replies.append(_frame(task, outcome))
                    # A worker done gets its next task before the parent reads the outcome: a large one takes
                    # the parent a while when it is busy parsing too, and the worker would idle meanwhile.
                    self._dispatch(queued)
                    for reply in replies:
                        self._replies.write(reply)
                    self._replies.flush()
        finally:
            self._stop()

    def _dispatch(self, queued: deque[tuple[int, bytes]]) -> None:
        """Hands each idle worker the next task queued, if any."""
        for worker in self._workers:
            if worker.task is None and queued:
                worker.task, payload = queued.popleft()
                # A worker that is gone shows it at its end of the pipe, next.
                with contextlib.suppress(BrokenPipeError):
                    _write_all(worker.tasks, _frame(worker.task, payload))

    def _stop(self) -> None:
        """Closes every worker's task pipe, which ends it once its task is done, and waits for it; a worker
        still running a task when the pool breaks is killed first."""
        broken = any(worker.task is not None for worker in self._workers)
        for worker in self._workers:
            os.close(worker.tasks)
            if broken:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(worker.pid, signal.SIGKILL)
        for worker in self._workers:
            os.waitpid(worker.pid, 0)
            os.close(worker.outcomes)


def _write_all(descriptor: int, data: bytes) -> None:
    written = 0
    while written < len(data):  # a write to a pipe may take only part of a large frame
        written += os.write(descriptor, data[written:])


def _work(tasks: int, outcomes: int, initializer: Callable[[], None]) -> NoReturn:
    """A worker's whole life: runs each task it reads and writes its outcome, until its task pipe closes."""
    code = 1
    try:
        initializer()
        with open(tasks, "rb") as reader, open(outcomes, "wb") as writer:
            while (frame := _read_frame(reader)) is not None:
                task, payload = frame
                writer.write(_frame(task, _outcome(payload)))
                writer.flush()
        code = 0
    finally:
        os._exit(code)


def _outcome(payload: bytes) -> bytes:
    """Runs one pickled call in a worker; its result or exception, pickled for the parent as it is."""
    import pickle

    function, arguments = pickle.loads(payload)
    try:
        outcome = (True, function(*arguments))
    except Exception as failure:  # raised again in the parent, from its future
        outcome = (False, failure)
    return pickle.dumps(outcome, protocol=5)
