"""Per-file extraction results on disk, so an unchanged file is never parsed twice.

An entry is keyed by the tool version, the language, the file's path and a hash of its bytes; it is
written atomically and read defensively: anything that does not unpickle into an entry carrying the
expected key is ignored (and overwritten by the next write), never trusted.
"""

from __future__ import annotations

import contextlib
import hashlib
import pickle
from pathlib import Path

from auditor import __version__
from auditor.atomic import write_atomically

_FORMAT = "parity-audit-cache-1"


class SummaryCache:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    @staticmethod
    def key(language: str, path: str, data: bytes) -> str:
        digest = hashlib.sha256()
        for part in (_FORMAT, __version__, language, path):
            digest.update(part.encode("utf-8", "surrogateescape") + b"\0")
        digest.update(data)
        return digest.hexdigest()

    def _entry_path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.pickle"

    def get(self, key: str) -> object | None:
        try:
            stored = pickle.loads(self._entry_path(key).read_bytes())
        except FileNotFoundError:
            return None
        except Exception:  # a truncated, corrupt or foreign entry is a miss; the next put replaces it
            return None
        if not (isinstance(stored, tuple) and len(stored) == 3 and stored[:2] == (_FORMAT, key)):
            return None
        return stored[2]

    def put(self, key: str, summary: object) -> None:
        # A read-only or full cache directory costs speed, never the audit.
        with contextlib.suppress(OSError):
            write_atomically(self._entry_path(key), pickle.dumps((_FORMAT, key, summary), protocol=5))
