"""What a pool worker runs: a front end's summarizer over the files or part it is handed, pickled once.

The parser host imports this module before it forks its workers, so it imports nothing the workers
would not use: the pool's own machinery stays in `auditor.extraction`, which workers never need.
"""

from __future__ import annotations

import gc
import pickle
import signal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

    from auditor.cache import SummaryCache

PICKLE_PROTOCOL = 5


def prepare_worker() -> None:
    # Ctrl-C reaches the whole process group; the parent alone reports it, workers must stay silent.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Workers build and pickle acyclic trees; cyclic collection passes over them are pure overhead.
    gc.disable()


def summarize_chunk(
    summarize: Callable[[str, bytes], Any],
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


def summarize_part(summarize: Callable[[str, Any], Any], path: str, part: Any) -> bytes:
    return pickle.dumps(summarize(path, part), protocol=PICKLE_PROTOCOL)
