"""Extraction results on disk, so an unchanged file is never parsed twice.

A file's summary is keyed by the tool version and a stamp of its code, the language, the file's path
and a hash of its bytes; a result derived from summaries (a resolved side) by the same and the digests
of what it was computed from. Every entry is written atomically and read defensively: an entry that does not start
with the expected header and key, or whose pickle does not load into the expected type, is ignored
(and overwritten by the next write), never trusted.
"""

from __future__ import annotations

import contextlib
import hashlib
import pickle
from collections.abc import Iterable
from pathlib import Path
from typing import TypeVar

from auditor import __version__
from auditor.output_file import write_output
from auditor.result_cache import code_stamp

_FORMAT = b"parity-audit-cache-5\n"
Entry = TypeVar("Entry")


def _digest(parts: Iterable[str], data: bytes = b"") -> str:
    digest = hashlib.sha256()
    for part in (_FORMAT.decode(), __version__, code_stamp(), *parts):
        digest.update(part.encode("utf-8", "surrogateescape") + b"\0")
    digest.update(data)
    return digest.hexdigest()


def loads(payload: bytes, expected: type[Entry]) -> Entry | None:
    """Unpickles a cache payload; anything corrupt, truncated or of another type is None."""
    try:
        entry = pickle.loads(payload)
    except Exception:  # a truncated or corrupt entry is a miss; the next put replaces it
        return None
    return entry if isinstance(entry, expected) else None


class SummaryCache:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    @staticmethod
    def key(language: str, path: str, data: bytes) -> str:
        """The key of one file's summary."""
        return _digest((language, path), data)

    @staticmethod
    def derived_key(kind: str, parts: Iterable[str]) -> str:
        """The key of a result computed from other entries, e.g. a resolved side from its files' summaries."""
        return _digest((kind, *parts))

    def _entry_path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.pickle"

    @staticmethod
    def _header(key: str) -> bytes:
        return _FORMAT + key.encode("ascii") + b"\n"

    def get(self, key: str, expected: type[Entry]) -> Entry | None:
        payload = self.payload(key)
        return None if payload is None else loads(payload, expected)

    def payload(self, key: str) -> bytes | None:
        """The entry's pickled bytes, not yet unpickled: a caller may only need their digest."""
        try:
            stored = self._entry_path(key).read_bytes()
        except OSError:
            return None
        header = self._header(key)
        return stored[len(header) :] if stored.startswith(header) else None

    def put(self, key: str, pickled: bytes) -> None:
        """Stores an entry already pickled (a worker pickles a summary once, for the trip and for the cache)."""
        # A read-only or full cache directory costs speed, never the audit.
        with contextlib.suppress(OSError):
            write_output(self._entry_path(key), self._header(key) + pickled)
