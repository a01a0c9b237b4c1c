"""Git inputs: the commit a checkout has checked out, and a revision's files read from git objects.

A work-tree run asks git once, in the background, what is checked out: `git log -1` starts before the
parse and is read after it. A revision run (`--python-rev`, `--elixir-rev`) never touches the work
tree or the index: it lists the revision's tree below the checkout path with `git ls-tree`, reads the
files discovery may read through one `git cat-file --batch`, and writes them into a temporary
directory, which is removed afterwards, also on an error or Ctrl-C. Every git process runs with
GIT_OPTIONAL_LOCKS=0 and only reads.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import threading
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from auditor import result_cache
from auditor.discovery import is_walked
from auditor.model import SideModel

# Variables that point git at a repository: a hook's GIT_DIR must not send `git -C root` to another one.
_REPOSITORY_VARIABLES = frozenset(
    {
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_INDEX_FILE",
        "GIT_COMMON_DIR",
        "GIT_OBJECT_DIRECTORY",
        "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    }
)
_LOG = (
    "log",
    "-1",
    "--no-color",
    "--no-show-signature",
    "--format=%H%x00%cI%x00%D",
    # Decorations limited to local branches (and HEAD), whatever log.excludeDecoration says.
    "--decorate-refs=HEAD",
    "--decorate-refs=refs/heads/",
)
_HEAD_ARROW = "HEAD -> "
_SYMLINK_MODE = b"120000"


class RevisionError(Exception):
    """A revision that cannot be audited; the message is one sentence for the user."""


@dataclass(frozen=True)
class Commit:
    sha: str
    date: str
    """The committer date, ISO 8601."""
    branch: str | None
    """The branch checked out in the work tree, or the branch a revision names; None otherwise."""


_SETTINGS = {
    "GIT_OPTIONAL_LOCKS": "0",  # not even the index's stat cache is refreshed
    "GIT_NO_LAZY_FETCH": "1",  # a partial clone must not fetch a missing blob into the repository
}


def _git_command(root: Path, *arguments: str) -> list[str]:
    return ["git", "-C", str(root), *arguments]


def _git(root: Path, *arguments: str, stdin: int, stdout: int, stderr: int) -> subprocess.Popen[bytes]:
    environment = {name: value for name, value in os.environ.items() if name not in _REPOSITORY_VARIABLES}
    environment.update(_SETTINGS)
    # A session of its own: Ctrl-C reaches parity-audit alone, which then stops git itself.
    return subprocess.Popen(
        _git_command(root, *arguments),
        env=environment,
        stdin=stdin,
        stdout=stdout,
        stderr=stderr,
        start_new_session=True,
    )


def _first_line(stderr: bytes) -> str:
    lines = stderr.decode("utf-8", "replace").strip().splitlines()
    return lines[0].removeprefix("fatal: ").removeprefix("error: ") if lines else "no message"


def _has_git_directory(root: Path) -> bool:
    """Whether a `.git` is in `root` or above it: without one, asking git would cost a process for nothing."""
    directory = os.path.realpath(root)
    # Which directories are looked in depends on the symlinks on the way: the real path is checked again too.
    result_cache.observe_real_path(root, directory)
    while True:
        result_cache.observe(os.path.join(directory, ".git"))
        if os.path.lexists(os.path.join(directory, ".git")):
            return True
        parent = os.path.dirname(directory)
        if parent == directory:
            return False
        directory = parent


class _LogQuery:
    """`git log -1` for one commit, started at once and read when its answer is needed.

    `revision` is the revision as given (None for the commit checked out in the work tree); it decides
    what the branch is: the one HEAD points to, or the revision itself when it is a local branch.
    """

    def __init__(self, process: subprocess.Popen[bytes] | None, revision: str | None) -> None:
        self._process = process
        self._revision = revision
        self._answer: Commit | None = None

    @classmethod
    def start(cls, root: Path, commit: str, revision: str | None) -> _LogQuery:
        try:
            process = _git(
                root, *_LOG, commit, "--", stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
            )
        except OSError:  # no git: not a git checkout as far as the report is concerned
            process = None
            command = _git_command(root, *_LOG, commit, "--")
            result_cache.observe_command(command, _REPOSITORY_VARIABLES, _SETTINGS, None, b"")
        return cls(process, revision)

    def __enter__(self) -> _LogQuery:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: object) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.wait()
            self._process = None

    def answer(self) -> Commit | None:
        """The commit; None when git is missing, refuses the directory, or there is no commit yet."""
        if self._process is not None:
            output, _ = self._process.communicate()
            arguments = self._process.args
            assert isinstance(arguments, list)
            result_cache.observe_command(
                arguments, _REPOSITORY_VARIABLES, _SETTINGS, self._process.returncode, output
            )
            if self._process.returncode == 0:
                self._answer = self._parse(output)
            self._process = None
        return self._answer

    def _parse(self, output: bytes) -> Commit | None:
        fields = output.decode("utf-8", "replace").rstrip("\n").split("\0")
        if len(fields) != 3:
            return None
        sha, date, decorations = fields
        # Branch names cannot contain spaces, so ", " only ever separates two decorations.
        names = decorations.split(", ") if decorations else []
        if self._revision is None:
            head = next((name for name in names if name.startswith(_HEAD_ARROW)), None)
            return Commit(sha, date, head.removeprefix(_HEAD_ARROW) if head is not None else None)
        branches = {name.removeprefix(_HEAD_ARROW) for name in names}
        return Commit(sha, date, self._revision if self._revision in branches else None)


@dataclass(frozen=True, eq=False)
class Tree:
    """Where one side's files are read, and what they were checked out from."""

    root: Path
    """The checkout as given: what reports name."""
    directory: Path
    """Where discovery and the front ends read: `root` itself, or the directory a revision was written to."""
    revision: str | None
    resolved: str | None
    """The full SHA `revision` resolved to."""
    _log: _LogQuery

    def commit(self) -> Commit | None:
        """The commit the files come from (waiting for git); None for a work tree that is not a git checkout."""
        return self._log.answer()

    def as_given(self, side: SideModel) -> SideModel:
        """The side named by the checkout as given, never by the temporary directory a revision was read into."""
        if self.directory == self.root:
            return side
        hidden, shown = str(self.directory), str(self.root)
        diagnostics = (replace(d, message=d.message.replace(hidden, shown)) for d in side.diagnostics)
        return replace(side, root=shown, diagnostics=tuple(sorted(diagnostics)))


@contextmanager
def opened(
    root: Path, revision: str | None, language: str, suffixes: tuple[str, ...], skipped_dirs: frozenset[str]
) -> Iterator[Tree]:
    """The checkout's files as of `revision` (None: its work tree), and the commit they come from.

    A revision's files are those discovery may read (`suffixes`, outside `skipped_dirs`), its directories
    and its symlinks, which stay symlinks; submodules are left out. Raises RevisionError for a revision
    that cannot be read.
    """
    with ExitStack() as cleanup:
        if revision is None:
            found = _LogQuery.start(root, "HEAD", None) if _has_git_directory(root) else _LogQuery(None, None)
            log = cleanup.enter_context(found)
            yield Tree(root, root, None, None, log)
            return
        result_cache.uncacheable()  # the revision's files are read into a directory no later run sees
        what = f"revision {revision!r} of the {language} checkout {root}"
        directory = _directory_removed_by(cleanup)
        objects = cleanup.enter_context(_ObjectReader(root, what))
        sha = objects.commit(revision)
        log = cleanup.enter_context(_LogQuery.start(root, sha, revision))
        listing = _listing(root, sha, what)
        try:
            _write(directory, objects, _wanted(listing, suffixes, skipped_dirs))
        except OSError as error:
            raise RevisionError(
                f"Cannot audit {what}: writing its files to a temporary directory failed ({error.strerror or error})."
            ) from None
        objects.close()
        yield Tree(root, directory, revision, sha, log)


def _directory_removed_by(cleanup: ExitStack) -> Path:
    """A new temporary directory, its removal registered with `cleanup` before a Ctrl-C can land
    between the two: a SIGINT that arrives meanwhile waits, then interrupts as usual."""
    mask = getattr(signal, "pthread_sigmask", None)
    previous = mask(signal.SIG_BLOCK, {signal.SIGINT}) if mask is not None else None
    try:
        directory = Path(tempfile.mkdtemp(prefix="parity-audit-"))
        cleanup.callback(shutil.rmtree, directory, ignore_errors=True)
    finally:
        if mask is not None and previous is not None:
            mask(signal.SIG_SETMASK, previous)
    return directory


class _ObjectReader:
    """One `git cat-file --batch`: object names in, object contents out."""

    def __init__(self, root: Path, what: str) -> None:
        self._what = what
        try:
            self._process = _git(
                root, "cat-file", "--batch", stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
            )
        except FileNotFoundError:
            raise RevisionError(f"Auditing {what} needs git, which is not on PATH.") from None
        except OSError as error:
            raise RevisionError(f"Auditing {what} needs git, which cannot be run ({error.strerror}).") from None
        assert self._process.stdin is not None and self._process.stdout is not None and self._process.stderr is not None
        self._requests = self._process.stdin
        self._answers = self._process.stdout
        self._errors = self._process.stderr

    def __enter__(self) -> _ObjectReader:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: object) -> None:
        self.close()

    def close(self) -> None:
        # Killed first: a request thread blocked on a full pipe is released before its pipe is closed.
        self._stop()
        with contextlib.suppress(OSError, ValueError):
            self._requests.close()
        self._answers.close()
        self._errors.close()

    def _stop(self) -> None:
        if self._process.poll() is None:
            self._process.kill()
        self._process.wait()

    def _failure(self) -> str:
        """Why git stopped answering, once it has."""
        self._stop()
        return _first_line(self._errors.read())

    def commit(self, revision: str) -> str:
        """The full SHA of the commit `revision` names (a tag, a branch, a SHA, `HEAD~3`...)."""
        # One request per line: a line break would end the name early and ask for something else.
        if revision and "\n" not in revision and "\0" not in revision:
            try:
                self._requests.write(f"{revision}^{{commit}}\n".encode("utf-8", "surrogateescape"))
                self._requests.flush()
            except BrokenPipeError:  # git stopped at once: the reply reads as end of file
                pass
            header = self._answers.readline()
            if not header:
                raise RevisionError(
                    f"Cannot audit {self._what}: it is not in a git repository that git can read "
                    f"({self._failure()})."
                )
            # "<sha> commit <size>", or "<name> missing" / "<name> ambiguous" (the name may hold spaces).
            sha, kind, size = (b"", b"", b"", *header.rsplit(None, 2))[-3:]
            if kind == b"commit" and size.isdigit():
                self._content(int(size))
                return sha.decode("ascii")
        raise RevisionError(f"Cannot audit {self._what}: no such commit in its git repository.")

    def _content(self, size: int) -> bytes:
        data = self._answers.read(size + 1)  # the content and a line break
        if len(data) != size + 1:
            raise RevisionError(f"Cannot audit {self._what}: git stopped reading it ({self._failure()}).")
        return data[:size]

    def contents(self, shas: Sequence[bytes]) -> Iterator[bytes]:
        """The contents of these blobs, in order."""
        # Requests are written from a thread: writing them all first could fill both pipes and block both sides.
        def request() -> None:
            try:
                self._requests.writelines(sha + b"\n" for sha in shas)
                self._requests.close()
            except (BrokenPipeError, ValueError):  # git stopped or was stopped; the reader says why
                pass

        writer = threading.Thread(target=request, daemon=True)
        writer.start()
        for sha in shas:
            header = self._answers.readline().split()
            if len(header) != 3 or header[0] != sha or header[1] != b"blob":
                raise RevisionError(f"Cannot audit {self._what}: git cannot read its object {sha.decode()}.")
            yield self._content(int(header[2]))
        writer.join()


@dataclass(frozen=True)
class _Entry:
    path: str
    """Relative to the checkout, posix."""
    sha: bytes
    is_symlink: bool


@dataclass(frozen=True)
class _Wanted:
    directories: tuple[str, ...]
    files: tuple[_Entry, ...]
    """Regular files first, then symlinks: no file is written through a link."""


def _listing(root: Path, sha: str, what: str) -> bytes:
    """`git ls-tree` run in the checkout lists the tree below it, with paths relative to it."""
    process = _git(
        root, "ls-tree", "-r", "-t", "-z", sha, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        output, errors = process.communicate()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    if process.returncode != 0:
        raise RevisionError(f"Cannot audit {what}: git cannot list its files ({_first_line(errors)}).")
    return output


def _wanted(listing: bytes, suffixes: tuple[str, ...], skipped_dirs: frozenset[str]) -> _Wanted:
    directories: list[str] = []
    files: list[_Entry] = []
    links: list[_Entry] = []
    for record in listing.split(b"\0"):
        meta, _, name = record.partition(b"\t")
        fields = meta.split(b" ")
        if len(fields) != 3:
            continue
        mode, kind, sha = fields
        path = os.fsdecode(name)
        parts = path.split("/")
        # `./` and `../` are the checkout and its parents; an empty or `..` part would leave the directory.
        if any(part in ("", ".", "..") for part in parts):
            continue
        if kind == b"tree":
            if all(is_walked(part, skipped_dirs) for part in parts):
                directories.append(path)
            continue
        if kind != b"blob" or not all(is_walked(part, skipped_dirs) for part in parts[:-1]):
            continue  # a submodule (kind "commit"), or below a directory discovery skips
        if mode == _SYMLINK_MODE:
            links.append(_Entry(path, sha, is_symlink=True))
        elif path.endswith(suffixes):
            files.append(_Entry(path, sha, is_symlink=False))
    return _Wanted(tuple(directories), (*files, *links))


def _write(directory: Path, objects: _ObjectReader, wanted: _Wanted) -> None:
    for relative in wanted.directories:
        (directory / relative).mkdir(parents=True, exist_ok=True)
    for entry, content in zip(wanted.files, objects.contents([entry.sha for entry in wanted.files]), strict=True):
        target = directory / entry.path
        # A malformed tree may name one path twice: the first entry wins, as in any checkout of it.
        try:
            if entry.is_symlink:
                os.symlink(os.fsdecode(content), target)
            else:
                with open(target, "xb") as handle:
                    handle.write(content)
        except (FileExistsError, IsADirectoryError, NotADirectoryError):
            continue
        except ValueError:  # a link target holding a NUL byte, which no file system accepts
            continue
