"""Per-file extraction results on disk, so an unchanged file is never parsed twice.

An entry is keyed by the tool version, the language, the file's path and a hash of its bytes; it is
written atomically and read defensively: an entry that does not start with the expected header and
key, or whose pickled summary does not load into the expected type, is ignored (and overwritten by
the next write), never trusted.
"""

from __future__ import annotations

import contextlib
import hashlib
import pickle
from pathlib import Path
from typing import TypeVar

from auditor import __version__
from auditor.atomic import write_atomically

_FORMAT = b"parity-audit-cache-2\n"
Entry = TypeVar("Entry")


class SummaryCache:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    @staticmethod
    def key(language: str, path: str, data: bytes) -> str:
        digest = hashlib.sha256()
        for part in (_FORMAT.decode(), __version__, language, path):
            digest.update(part.encode("utf-8", "surrogateescape") + b"\0")
        digest.update(data)
        return digest.hexdigest()

    def _entry_path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.pickle"

    @staticmethod
    def _header(key: str) -> bytes:
        return _FORMAT + key.encode("ascii") + b"\n"

    def get(self, key: str, expected: type[Entry]) -> Entry | None:
        try:
            stored = self._entry_path(key).read_bytes()
        except OSError:
            return None
        header = self._header(key)
        if not stored.startswith(header):
            return None
        try:
            entry = pickle.loads(memoryview(stored)[len(header) :])
        except Exception:  # a truncated or corrupt entry is a miss; the next put replaces it
            return None
        return entry if isinstance(entry, expected) else None

    def put(self, key: str, pickled_summary: bytes) -> None:
        """Stores a summary already pickled (a worker pickles it once, for the trip and for the cache)."""
        # A read-only or full cache directory costs speed, never the audit.
        with contextlib.suppress(OSError):
            write_atomically(self._entry_path(key), self._header(key) + pickled_summary)
