"""Machinery: writing a report, a baseline or a cache entry to the path it was given, as `>` would, but whole.

A regular file (new or existing, named directly or through symlinks) is replaced atomically: a temp
file beside the symlinks' final target, renamed over it, so an interrupted run never leaves a
half-written file or a temp file behind. The result has the mode a plain write would give: the
umask's for a new file, the old mode (and, where the process may set them, the old owner and group)
for an existing one. Anything else a path can name (a device such as /dev/null, a FIFO, the pipe
behind /dev/fd/N) is opened and written in place, never replaced; a directory is an error.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Hashable
from pathlib import Path

_MAX_SYMLINKS = 40
"""Linux's own limit on links followed in one lookup: a longer chain is treated as a loop."""


def write_output(path: Path, data: bytes) -> None:
    """Writes `data` to what `path` names: a regular file atomically, a device, FIFO or pipe in place."""
    target, status = _final_target(path)
    if target != path and not _same_as_kernel_finds(path, status):
        # The links read as something other than what opening them reaches: /dev/fd/N of a pipe reads
        # "pipe:[1234]", /proc/self/fd/N of a deleted file "/x (deleted)". Only the path itself gets there.
        _write_in_place(path, data)
    elif status is None or stat.S_ISREG(status.st_mode):
        _replace(target, data, status)
    elif stat.S_ISDIR(status.st_mode):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
    else:
        _write_in_place(target, data)


def destination(path: Path) -> Hashable:
    """What `write_output(path)` would write to, equal for two paths that name one file however spelled.

    Raises the OSError writing would raise for a directory or a symlink loop, so a caller can refuse
    such a path before doing the work whose result it was to hold.
    """
    try:
        status = path.stat()
    except FileNotFoundError:
        target, _ = _final_target(path)
        return os.path.realpath(target.parent), target.name
    if stat.S_ISDIR(status.st_mode):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
    return status.st_dev, status.st_ino


def _final_target(path: Path) -> tuple[Path, os.stat_result | None]:
    """The path at the end of `path`'s chain of symlinks, and its status (None while it does not exist)."""
    current = path
    for _ in range(_MAX_SYMLINKS + 1):
        try:
            status = current.lstat()
        except FileNotFoundError:
            return current, None
        if not stat.S_ISLNK(status.st_mode):
            return current, status
        # Joined, not normalised: a relative target is relative to the link's directory, and `..` after a
        # linked directory must mean what it means to the kernel.
        current = current.parent / os.readlink(current)
    raise OSError(errno.ELOOP, os.strerror(errno.ELOOP), str(path))


def _same_as_kernel_finds(path: Path, final: os.stat_result | None) -> bool:
    try:
        reached = path.stat()
    except FileNotFoundError:
        return final is None
    return final is not None and os.path.samestat(reached, final)


def _replace(target: Path, data: bytes, existing: os.stat_result | None) -> None:
    if existing is None:
        target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{os.urandom(8).hex()}.tmp")
    # O_EXCL never opens a file someone else made; 0o666 lets the umask (or a default ACL) decide a new
    # file's mode, as for any plain write, where mkstemp would force 0o600.
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            if existing is not None:
                _take_over_owner_and_mode(handle.fileno(), existing)
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _take_over_owner_and_mode(descriptor: int, existing: os.stat_result) -> None:
    # Only root may give a file away; anyone may give it a group they belong to. What the process may
    # not set stays its own, as when anyone else replaces a file.
    for owner in (existing.st_uid, -1):
        with contextlib.suppress(OSError):
            os.fchown(descriptor, owner, existing.st_gid)
            break
    # After the chown, which clears the set-id bits.
    os.fchmod(descriptor, stat.S_IMODE(existing.st_mode))


def _write_in_place(path: Path, data: bytes) -> None:
    # No O_TRUNC: on a device its effect is unspecified. Only a regular file (reached through a /proc
    # link) has old content to drop, and it is truncated once open. O_NOCTTY: a terminal named as the
    # output must not become the controlling terminal of a process that has none.
    descriptor = os.open(path, os.O_WRONLY | os.O_NOCTTY)
    with os.fdopen(descriptor, "wb") as handle:
        if stat.S_ISREG(os.fstat(descriptor).st_mode):
            handle.truncate(0)
        handle.write(data)
