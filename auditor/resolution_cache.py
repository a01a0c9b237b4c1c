"""Resolved Python files kept between runs: the cache behind `extract_python`'s `ResolutionMemo`.

A record holds one audited file's `ResolvedFile` and what its resolution read, as it was: each file's
fingerprint and, for a file read by name, a digest of each name's definition. It is checked against
the files as they are now and used only while everything it read is unchanged.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from auditor.cache import SummaryCache
from auditor.extraction import PICKLE_PROTOCOL, SummaryStore
from auditor.python.extractor import ResolvedFile
from auditor.python.modules import STAR_IMPORTS
from auditor.python.summary import FileBinding, PythonFileSummary

_PROBLEM = "!"
"""Checked like a name in every file read by name: a resolved file's diagnostics include the problems of the
files it read."""


@dataclass(frozen=True)
class _RecordedFile:
    """A resolved file on disk, with what it read as it was then: per file its fingerprint, and the digest
    of each top-level name looked up there (None when more of the file mattered)."""

    reads: tuple[tuple[str, str, tuple[tuple[str, str], ...] | None], ...]
    resolved: ResolvedFile


class KeptResolutions:
    """Each audited file's resolved types between runs, trusted only while what it read is as it was.

    A file is resolved again when its own summary changes, or when a file it read changed what it read
    there: the names it looked up, or anything when more of that file mattered. A comment, or a function
    body edited without moving a line, changes no summary; a name added changes none of the names other
    files look up.
    """

    def __init__(self, cache: SummaryCache, store: SummaryStore[PythonFileSummary], audited: Iterable[str]) -> None:
        self.cache = cache
        self.store = store
        self.audited = set(audited)
        self.directory = str(store.root)
        self._fingerprints: dict[str, str] = {}
        self._bindings: dict[str, dict[str, FileBinding]] = {}
        self._digest_ofs: dict[tuple[str, str], str] = {}

    def _fingerprint(self, path: str) -> str:
        if path not in self._fingerprints:
            # Files only read to resolve names are told apart by their bytes: their summary would cost a parse.
            self._fingerprints[path] = (
                f"summary {self.store.digest(path)}" if path in self.audited else f"file {self.store.content_key(path)}"
            )
        return self._fingerprints[path]

    def _digest_of(self, path: str, name: str) -> str:
        """What `name` (a top-level name, `STAR_IMPORTS` or `_PROBLEM`) is in the file's summary now."""
        if (path, name) not in self._digest_ofs:
            summary = self.store.load(path)
            if path not in self._bindings:
                self._bindings[path] = dict(summary.bindings)
            if name == STAR_IMPORTS:
                value: object = summary.star_imports
            elif name == _PROBLEM:
                value = summary.problem
            else:
                value = self._bindings[path].get(name)
            self._digest_ofs[path, name] = (
                "unbound" if value is None else hashlib.sha256(pickle.dumps(value, PICKLE_PROTOCOL)).hexdigest()
            )
        return self._digest_ofs[path, name]

    def _key(self, path: str, layout: str) -> str:
        return self.cache.derived_key("resolved Python file", [path, self._fingerprint(path), layout])

    def recall(self, paths: Sequence[str], layout: str) -> dict[str, ResolvedFile]:
        """The files whose record still holds. A record that needs a file still being parsed is checked
        last, so that the workers finish it while the others are answered."""
        found: dict[str, ResolvedFile] = {}
        later: list[tuple[str, _RecordedFile | None]] = []
        for path in paths:
            if self.store.in_flight(path):  # its own key needs its summary
                later.append((path, None))
                continue
            recorded = self._recorded(path, layout)
            if recorded is not None and any(self.store.in_flight(read) for read, _, _ in recorded.reads):
                later.append((path, recorded))
            elif recorded is not None and self._holds(recorded):
                found[path] = recorded.resolved
        for path, known in later:
            recorded = known or self._recorded(path, layout)
            if recorded is not None and self._holds(recorded):
                found[path] = recorded.resolved
        return found

    def _recorded(self, path: str, layout: str) -> _RecordedFile | None:
        return self.cache.get(self._key(path, layout), _RecordedFile)

    def _holds(self, recorded: _RecordedFile) -> bool:
        for path, fingerprint, names in recorded.reads:
            if self._fingerprint(path) == fingerprint:
                continue
            if names is None or path not in self.audited:
                return False
            if any(self._digest_of(path, name) != digest for name, digest in names):
                return False
        return True

    def remember(self, path: str, layout: str, resolved: ResolvedFile) -> None:
        # Entries serve any checkout with these files: one whose messages name the directory is not kept.
        if any(self.directory in diagnostic.message for diagnostic in resolved.diagnostics):
            return
        reads = tuple(
            (
                read,
                self._fingerprint(read),
                None if names is None or read not in self.audited
                else tuple((name, self._digest_of(read, name)) for name in (*names, _PROBLEM)),
            )
            for read, names in resolved.read
        )
        self.cache.put(self._key(path, layout), pickle.dumps(_RecordedFile(reads, resolved), PICKLE_PROTOCOL))
