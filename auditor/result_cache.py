"""Machinery: the whole-result cache. A run whose inputs are all as they were replays the output the run
that stored them gave, before the CLI, the parsers or anything else heavy is imported.

An entry is found by a key: this tool's code, the interpreter and its packages, the arguments, the working
directory, the parts of the environment that change output (terminal or not and its size, the variables
rich, click and typer read, the streams' encodings) and today's UTC date (the markdown report prints it).
It is used only when everything the storing run looked at is still as it was (its *observations*): every
file it read or asked about (its kind and, for a regular file, a digest of its bytes), every directory
discovery listed (each entry's name and kind), and the answer of every git query. Then its report files
are written again, its stdout and stderr replayed byte for byte in their order, and its exit code returned.

A run observes a path or a directory before it first uses it, and before it stores its entry checks every
observation again: an entry is stored only when nothing it depends on changed while the run ran (a change
undone before the run ended is the one thing this cannot see). Not stored: `--no-cache` runs, git revision
runs, `fix`, runs interrupted or ended by an error or a usage error, and runs whose output could not all be
written. An entry is written atomically; one that is corrupt, truncated or of another format is ignored.

This module is imported first thing by `auditor.__main__`, before anything is known about the run: it imports
only what the interpreter loads at start and builtin modules.
"""

from __future__ import annotations

import io
import marshal
import os
import stat
import sys
import time

try:
    # hashlib's own BLAKE2, without hashlib itself: importing that loads OpenSSL, a few ms of every run.
    from _blake2 import blake2b
except ImportError:  # an interpreter that ships BLAKE2 elsewhere
    from hashlib import blake2b

from auditor import __version__

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence

FORMAT = b"parity-audit-result-1\n"
RESULTS_FOLDER = "results"
"""The cache's folder of whole results, beside the per-file entries."""
MOST_ENTRIES = 64
MOST_BYTES = 64 * 1024 * 1024
"""Past either, the entries used longest ago are deleted."""
_OUTPUT_VARIABLES = (
    "TERM",
    "COLORTERM",
    "NO_COLOR",
    "FORCE_COLOR",
    "PY_COLORS",
    "TTY_COMPATIBLE",
    "TTY_INTERACTIVE",
    "COLUMNS",
    "LINES",
    "JUPYTER_COLUMNS",
    "JUPYTER_LINES",
    "TERMINAL_WIDTH",
    "GITHUB_ACTIONS",
    "DATABRICKS_RUNTIME_VERSION",
    "UNICODE_VERSION",
    "TYPER_USE_RICH",
    "SOURCE_DATE_EPOCH",
)
"""Environment variables rich, click, typer or a report read (SOURCE_DATE_EPOCH dates the markdown report)."""
_OUTPUT_PREFIXES = ("_PARITY_AUDIT", "_TYPER", "COMP_")
"""Prefixes of the variables of shell completion and typer's own switches."""
_NONBLOCKING = getattr(os, "O_NONBLOCK", 0)
"""Opening a FIFO that replaced a file must not block the check."""

Listing = tuple[tuple[str, str], ...] | str
"""Each entry's name and kind, sorted; or why the directory could not be listed."""
Command = tuple[tuple[str, ...], tuple[str, ...], tuple[tuple[str, str], ...], int | None, bytes]
"""argv, the variables unset and set, the exit code (None: it could not start) and stdout."""


class _Recording:
    """What this run looked at and wrote, for the entry it may store."""

    def __init__(self, entry: str, key: str) -> None:
        self.entry = entry
        self.key = key
        self.paths: dict[str, str] = {}
        """Path as the run named it (relative to the working directory, which the key holds) -> its state."""
        self.listings: dict[str, Listing] = {}
        self.real_paths: dict[str, str] = {}
        self.commands: list[Command] = []
        self.files: list[tuple[str, bytes]] = []
        self.pieces: list[tuple[int, list[bytes]]] = []
        """What reached file descriptors 1 and 2, in order: each stretch of one descriptor's writes."""
        self.cacheable = True

    def output(self, descriptor: int, data: bytes) -> None:
        if self.pieces and self.pieces[-1][0] == descriptor:
            self.pieces[-1][1].append(data)
        else:
            self.pieces.append((descriptor, [data]))

    def chunks(self) -> list[tuple[int, bytes]]:
        return [(descriptor, b"".join(pieces)) for descriptor, pieces in self.pieces]


_recording: _Recording | None = None


def observe(path: str | os.PathLike[str]) -> None:
    """Called before the run first reads `path` or asks whether it exists or what it is."""
    if _recording is not None:
        name = os.fspath(path)
        if name not in _recording.paths:
            _recording.paths[name] = _path_state(name)


def observe_listing(directory: str | os.PathLike[str]) -> None:
    """Called before the run lists `directory`."""
    if _recording is not None:
        name = os.fspath(directory)
        if name not in _recording.listings:
            _recording.listings[name] = _listing(name)


def observe_real_path(path: str | os.PathLike[str], real: str) -> None:
    """Records the real path (`os.path.realpath`) the run found for `path` and went on with."""
    if _recording is not None:
        _recording.real_paths.setdefault(os.fspath(path), real)


def observe_command(
    argv: Sequence[str], unset: Iterable[str], settings: dict[str, str], code: int | None, output: bytes
) -> None:
    """Records the answer a command gave the run: run with the environment less `unset` plus `settings`, its
    exit code (None: it could not be started) and its stdout. The check runs it again."""
    if _recording is not None:
        command = (tuple(argv), tuple(sorted(unset)), tuple(sorted(settings.items())), code, output)
        _recording.commands.append(command)


def wrote(path: str | os.PathLike[str], data: bytes) -> None:
    """Records a report or baseline file the run wrote (standard output excepted), to be written again."""
    if _recording is not None:
        _recording.files.append((os.fspath(path), data))


def uncacheable() -> None:
    """Keeps this run from being stored (a git revision, `fix`)."""
    if _recording is not None:
        _recording.cacheable = False


def _kind(mode: int) -> str:
    if stat.S_ISREG(mode):
        return "file"
    if stat.S_ISDIR(mode):
        return "dir"
    return "other"


def _digest_of_file(path: str) -> str:
    try:
        descriptor = os.open(path, os.O_RDONLY | _NONBLOCKING | getattr(os, "O_CLOEXEC", 0))
    except OSError as error:
        return f"unreadable {error.errno}"
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            return "replaced"
        digest = blake2b()
        while chunk := os.read(descriptor, 1 << 20):
            digest.update(chunk)
        return digest.hexdigest()
    except OSError as error:
        return f"unreadable {error.errno}"
    finally:
        os.close(descriptor)


def _path_state(path: str) -> str:
    """What any question about `path` can tell: what it is, through a symlink or not, and a file's bytes."""
    try:
        status = os.lstat(path)
    except OSError as error:
        return f"absent {error.errno}"
    link = ""
    if stat.S_ISLNK(status.st_mode):
        try:
            link = f"link to {os.readlink(path)} "
            status = os.stat(path)
        except OSError as error:
            return f"{link}absent {error.errno}"
    kind = _kind(status.st_mode)
    return f"{link}{kind} {_digest_of_file(path)}" if kind == "file" else link + kind


def _entry_kind(entry: os.DirEntry[str]) -> str:
    try:
        if entry.is_symlink():
            return "link " + _path_state(entry.path)
        if entry.is_dir(follow_symlinks=False):
            return "dir"
        return "file" if entry.is_file(follow_symlinks=False) else "other"
    except OSError as error:
        return f"error {error.errno}"


def _listing(directory: str) -> Listing:
    """Each entry's name and kind (a symlink with what it leads to); a directory that cannot be listed, why."""
    try:
        with os.scandir(directory) as entries:
            listed = [(entry.name, _entry_kind(entry)) for entry in entries]
    except OSError as error:
        return f"unlisted {error.errno}"
    return tuple(sorted(listed))


def _command_environment(unset: Iterable[str], settings: Iterable[tuple[str, str]]) -> dict[str, str]:
    environment = {name: value for name, value in os.environ.items() if name not in set(unset)}
    environment.update(settings)
    return environment


def _spawn(argv: Sequence[str], unset: Iterable[str], settings: Iterable[tuple[str, str]]) -> tuple[int, int] | None:
    """Starts a recorded command again, as the run started it: its stdout piped here, the rest to /dev/null."""
    reader, writer = os.pipe()
    actions = [
        (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
        (os.POSIX_SPAWN_DUP2, writer, 1),
        (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0),
        (os.POSIX_SPAWN_CLOSE, reader),
        (os.POSIX_SPAWN_CLOSE, writer),
    ]
    try:
        pid = os.posix_spawnp(argv[0], list(argv), _command_environment(unset, settings), file_actions=actions)
    except OSError:
        os.close(reader)
        return None
    finally:
        os.close(writer)
    return pid, reader


def _answer(started: tuple[int, int] | None) -> tuple[int | None, bytes]:
    if started is None:
        return None, b""
    pid, reader = started
    with open(reader, "rb") as output:
        answer = output.read()
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), answer


def _python_files(folder: str, relative: str = "") -> Iterator[tuple[str, os.stat_result]]:
    with os.scandir(os.path.join(folder, relative)) as entries:
        found = sorted(entries, key=lambda entry: entry.name)
    for entry in found:
        name = f"{relative}/{entry.name}" if relative else entry.name
        if entry.is_dir(follow_symlinks=False) and entry.name != "__pycache__":
            yield from _python_files(folder, name)
        elif entry.name.endswith(".py"):
            yield name, entry.stat()


def _code_folders() -> list[str]:
    """The package's folder, and the rule catalog's when it lies elsewhere: it installs as auditor.rules, inside
    the package, but an editable install maps it to the checkout's rules/ through a finder of its own."""
    package = os.path.dirname(os.path.abspath(__file__))
    folders = [package]
    # What importlib.util.find_spec does, without importing it (and contextlib, functools...) into every run.
    for finder in sys.meta_path:
        find_spec = getattr(finder, "find_spec", None)
        rules = find_spec("auditor.rules", [package]) if find_spec is not None else None
        if rules is not None:
            if rules.origin is not None:
                catalog = os.path.dirname(os.path.abspath(rules.origin))
                if not catalog.startswith(package + os.sep):
                    folders.append(catalog)
            break
    return folders


_stamp: str | None = None


def code_stamp() -> str:
    """The name, size and modification time of every module of the tool and its rule catalog: an entry made
    by other code (a development checkout edited since, an upgrade that kept the version) is never used."""
    global _stamp
    if _stamp is None:
        stamp = blake2b(digest_size=20)
        for folder in _code_folders():
            for name, status in _python_files(folder):
                stamp.update(f"{name}\0{status.st_size}\0{status.st_mtime_ns}\0".encode())
        _stamp = stamp.hexdigest()
    return _stamp


def default_cache_dir() -> str:
    """The user cache directory platformdirs names, found without importing it (which costs several ms) where
    it follows the XDG rule: `$XDG_CACHE_HOME` when absolute, else `~/.cache`."""
    if sys.platform in ("win32", "darwin", "ios") or hasattr(sys, "getandroidapilevel"):
        from platformdirs import user_cache_dir

        return user_cache_dir("parity-audit")
    base = os.environ.get("XDG_CACHE_HOME", "")
    return os.path.join(base if os.path.isabs(base) else os.path.expanduser("~/.cache"), "parity-audit")


def cache_root(arguments: Sequence[str]) -> str | None:
    """The cache directory the whole results live in, read from the arguments alone: `--cache-dir`, else the
    default one (a config file's `cache-dir` holds per-file entries only); None with `--no-cache`.

    Stored and looked up through this one reading, so a value that only looks like an option (`--map
    --no-cache`) can at worst turn the cache off."""
    directory = None
    for index, argument in enumerate(arguments):
        if argument == "--":
            break
        if argument == "--no-cache":
            return None
        if argument == "--cache-dir" and index + 1 < len(arguments):
            directory = arguments[index + 1]
        elif argument.startswith("--cache-dir="):
            directory = argument.partition("=")[2]
    return directory or default_cache_dir()


def _interpreter() -> Iterator[str]:
    yield sys.executable
    yield sys.version
    yield repr(sys.flags)
    yield repr(sys.warnoptions)  # -W decides which warnings reach stderr (sys.flags holds what -X changes)
    # An installed or upgraded package changes its site-packages folder's modification time. The working
    # directory (first on the path under `python -m`) is left out: every report written there would change it.
    working = os.getcwd()
    for folder in sys.path:
        if folder in ("", working):
            continue
        try:
            yield f"{folder}\0{os.stat(folder or '.').st_mtime_ns}"
        except OSError:
            yield f"{folder}\0absent"


def _terminal() -> Iterator[str]:
    for name in _OUTPUT_VARIABLES:
        value = os.environ.get(name)
        yield f"{name}={value}" if value is not None else f"{name} unset"
    yield from sorted(f"{name}={value}" for name, value in os.environ.items() if name.startswith(_OUTPUT_PREFIXES))
    for descriptor in (0, 1, 2):  # rich asks stdin for the terminal's size first
        try:
            yield f"{descriptor} tty {tuple(os.get_terminal_size(descriptor))}" if os.isatty(descriptor) else "no tty"
        except OSError:
            yield f"{descriptor} tty unsized"
    for stream in (sys.stdout, sys.stderr):
        yield f"{getattr(stream, 'encoding', None)} {getattr(stream, 'errors', None)}"


def key(arguments: Sequence[str]) -> str:
    """What the run's output depends on, besides its observations."""
    digest = blake2b(digest_size=24)
    parts = [
        FORMAT.decode(),
        __version__,
        code_stamp(),
        *_interpreter(),
        os.getcwd(),
        time.strftime("%Y-%m-%d", time.gmtime()),
        *_terminal(),
        "arguments",
        *arguments,
    ]
    for part in parts:
        digest.update(part.encode("utf-8", "surrogateescape") + b"\0")
    return digest.hexdigest()


class _Entry:
    """A stored run: its observations and its outputs."""

    def __init__(
        self,
        paths: dict[str, str],
        listings: dict[str, Listing],
        real_paths: dict[str, str],
        commands: list[Command],
        files: list[tuple[str, bytes]],
        chunks: list[tuple[int, bytes]],
        code: int,
    ) -> None:
        self.paths = paths
        self.listings = listings
        self.real_paths = real_paths
        self.commands = commands
        self.files = files
        self.chunks = chunks
        self.code = code

    def payload(self) -> bytes:
        fields = (self.paths, self.listings, self.real_paths, self.commands, self.files, self.chunks, self.code)
        return marshal.dumps(fields)

    @classmethod
    def loaded(cls, payload: bytes) -> _Entry | None:
        """The entry, or None for anything not of the shape `payload` writes."""
        try:
            paths, listings, real_paths, commands, files, chunks, code = marshal.loads(payload)
        except (EOFError, ValueError, TypeError):
            return None
        shaped = (
            isinstance(paths, dict)
            and _all_of(list(paths.items()), (str, str))
            and isinstance(listings, dict)
            and all(isinstance(name, str) and _is_listing(listed) for name, listed in listings.items())
            and isinstance(real_paths, dict)
            and _all_of(list(real_paths.items()), (str, str))
            and isinstance(commands, list)
            and all(_is_command(command) for command in commands)
            and _all_of(files, (str, bytes))
            and _all_of(chunks, (int, bytes))
            and all(descriptor in (1, 2) for descriptor, _ in chunks)
            and type(code) is int
        )
        return cls(paths, listings, real_paths, commands, files, chunks, code) if shaped else None

    def holds(self, check_commands: bool = True) -> bool:
        """Whether everything the run observed is as it was. Commands are started first, to run meanwhile."""
        commands = self.commands if check_commands else []
        started = [_spawn(argv, unset, settings) for argv, unset, settings, _, _ in commands]
        try:
            unchanged = (
                all(_listing(name) == listed for name, listed in self.listings.items())
                and all(_path_state(name) == state for name, state in self.paths.items())
                and all(os.path.realpath(name) == real for name, real in self.real_paths.items())
            )
        finally:
            answers = [_answer(process) for process in started]
        return unchanged and answers == [(code, output) for _, _, _, code, output in commands]

    def replay(self) -> bool:
        """Writes the run's files again, then its output. False, having written no output, when a file cannot be
        written as the run wrote it: then the command runs and says what is wrong."""
        if self.files:
            from auditor.output_file import destination, write_output

            paths = [path for path, _ in self.files]
            try:
                # The run refused two outputs that are one file however spelled, and a directory.
                if len({destination(_as_path(path)) for path in paths}) != len(paths):
                    return False
                for path, data in self.files:
                    write_output(_as_path(path), data)
            except OSError:
                return False
        for descriptor, data in self.chunks:
            _write_all(descriptor, data)
        return True


def _as_path(name: str) -> os.PathLike[str]:
    from pathlib import Path

    return Path(name)


def _all_of(pairs: object, types: tuple[type, type]) -> bool:
    if not isinstance(pairs, list):
        return False
    return all(
        isinstance(pair, tuple) and len(pair) == 2 and isinstance(pair[0], types[0]) and isinstance(pair[1], types[1])
        for pair in pairs
    )


def _is_listing(listed: object) -> bool:
    if isinstance(listed, str):
        return True
    return isinstance(listed, tuple) and _all_of(list(listed), (str, str))


def _is_command(command: object) -> bool:
    if not (isinstance(command, tuple) and len(command) == 5):
        return False
    argv, unset, settings, code, output = command
    return (
        isinstance(argv, tuple)
        and len(argv) > 0
        and all(isinstance(part, str) for part in argv)
        and isinstance(unset, tuple)
        and all(isinstance(name, str) for name in unset)
        and isinstance(settings, tuple)
        and _all_of(list(settings), (str, str))
        and (code is None or type(code) is int)
        and isinstance(output, bytes)
    )


def _write_all(descriptor: int, data: bytes) -> None:
    view = memoryview(data)
    try:
        while view:
            try:
                view = view[os.write(descriptor, view) :]
            except BlockingIOError:  # a non-blocking pipe that is full: wait until the reader takes some
                import select

                select.select([], [descriptor], [])
    except OSError:  # a reader that went away (`| head`) missed nothing it asked for
        pass


def _entry_path(root: str, entry_key: str) -> str:
    return os.path.join(root, RESULTS_FOLDER, entry_key)


def _header(entry_key: str) -> bytes:
    return FORMAT + entry_key.encode("ascii") + b"\n"


def _read_entry(path: str, entry_key: str) -> _Entry | None:
    try:
        with open(path, "rb") as handle:
            stored = handle.read()
    except OSError:
        return None
    header = _header(entry_key)
    checksum_end = stored.find(b"\n", len(header))
    if not stored.startswith(header) or checksum_end < 0:
        return None
    checksum, payload = stored[len(header) : checksum_end], stored[checksum_end + 1 :]
    if blake2b(payload).hexdigest().encode("ascii") != checksum:  # truncated or damaged
        return None
    return _Entry.loaded(payload)


def replay(arguments: Sequence[str]) -> int | None:
    """Serves the run from the cache when its entry holds: writes its files and output and returns its exit code.
    Otherwise returns None, and this run records what it observes and writes, to be stored by `finish`."""
    global _recording
    root = cache_root(arguments)
    if root is None or os.name != "posix":
        return None
    try:
        entry_key = key(arguments)
    except OSError:  # a working directory deleted meanwhile, an unreadable installation: nothing to key by
        return None
    path = _entry_path(root, entry_key)
    entry = _read_entry(path, entry_key)
    if entry is not None and entry.holds() and entry.replay():
        # Not contextlib.suppress: importing contextlib would cost a served run more than this line.
        try:  # noqa: SIM105
            os.utime(path)  # eviction deletes the entries used longest ago
        except OSError:
            pass
        return entry.code
    recording = _Recording(path, entry_key)
    streams = [_teed(sys.stdout, 1, recording), _teed(sys.stderr, 2, recording)]
    if streams[0] is None or streams[1] is None:
        return None
    _recording = recording
    sys.stdout, sys.stderr = streams
    return None


class _Tee(io.RawIOBase):
    """A standard stream's file descriptor, recording what reaches it."""

    def __init__(self, raw: io.FileIO, descriptor: int, recording: _Recording) -> None:
        super().__init__()
        self._raw = raw
        self._descriptor = descriptor
        self._recording = recording

    def writable(self) -> bool:
        return True

    def write(self, data: bytes | bytearray | memoryview) -> int | None:  # type: ignore[override]
        try:
            written = self._raw.write(data)
        except OSError:
            self._recording.cacheable = False
            raise
        if written is None:  # a full non-blocking pipe
            self._recording.cacheable = False
        elif written:
            self._recording.output(self._descriptor, bytes(memoryview(data)[:written]))
        return written

    def fileno(self) -> int:
        return self._raw.fileno()

    def isatty(self) -> bool:
        return self._raw.isatty()


def _teed(stream: object, descriptor: int, recording: _Recording) -> io.TextIOWrapper | None:
    """A stream like `stream` (encoding, errors, buffering) whose bytes are recorded; None if it is no
    plain file descriptor."""
    if not isinstance(stream, io.TextIOWrapper):
        return None
    buffer = stream.buffer
    raw = getattr(buffer, "raw", buffer)
    if not isinstance(raw, io.FileIO) or raw.fileno() != descriptor:
        return None
    stream.flush()
    # A raw file of its own: the stream replaced may be closed once nothing refers to it (sys.__stdout__ does
    # for the interpreter's own, but not for one a caller put in its place), and with it the raw file it holds.
    tee = _Tee(io.FileIO(descriptor, "wb", closefd=False), descriptor, recording)
    binary: io.RawIOBase | io.BufferedWriter = tee if raw is buffer else io.BufferedWriter(tee)
    return io.TextIOWrapper(
        binary,  # type: ignore[arg-type]
        encoding=stream.encoding,
        errors=stream.errors,
        line_buffering=stream.line_buffering,
        write_through=stream.write_through,
    )


def finish(code: int) -> None:
    """Stores the run that ended with `code` (its output flushed), when it may be replayed."""
    recording = _recording
    if recording is None or not recording.cacheable or code not in (0, 1):
        return
    entry = _Entry(
        recording.paths,
        recording.listings,
        recording.real_paths,
        recording.commands,
        recording.files,
        recording.chunks(),
        code,
    )
    # Observed before use: unchanged now, they were unchanged while the run used them.
    if not entry.holds(check_commands=False):
        return
    payload = entry.payload()
    if len(payload) > MOST_BYTES // 4:
        return
    from auditor.output_file import write_output

    stored = _header(recording.key) + blake2b(payload).hexdigest().encode("ascii") + b"\n" + payload
    try:
        write_output(_as_path(recording.entry), stored)
        _evict(os.path.dirname(recording.entry))
    except OSError:  # a read-only or full cache directory costs speed, never the run
        pass


def _evict(folder: str) -> None:
    """Deletes the entries used longest ago while there are too many or they are too large."""
    import contextlib

    entries = []
    with os.scandir(folder) as found:
        for entry in found:
            if entry.is_file(follow_symlinks=False) and not entry.name.startswith("."):
                status = entry.stat(follow_symlinks=False)
                entries.append((status.st_mtime_ns, status.st_size, entry.path))
    entries.sort(reverse=True)
    total = 0
    for index, (_, size, path) in enumerate(entries):
        total += size
        if index >= MOST_ENTRIES or total > MOST_BYTES:
            with contextlib.suppress(FileNotFoundError):  # another run evicted it
                os.unlink(path)
