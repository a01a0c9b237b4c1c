"""Stage 1: find the source files of each checkout.

Include globs are gitignore-style patterns relative to the checkout root (matched by `pathspec`,
so `src/pkg/types/**` and `pkg/types.py` mean what they mean in a .gitignore). Symlinks are never
followed: a link may leave the checkout or loop. Only regular files are sources: a FIFO or device
named `x.py` would block or never end when read.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from auditor import result_cache

PYTHON_SKIPPED_DIRS = frozenset({"tests", "test", "docs", "examples", ".venv", "venv", "build", "dist"})
ELIXIR_SKIPPED_DIRS = frozenset({"deps", "_build", "test"})
PYTHON_SUFFIXES = (".py",)
ELIXIR_SUFFIXES = (".ex", ".exs")


@dataclass(frozen=True)
class Sources:
    """The files of one checkout: `audited` yield types, `resolvable` may be read to resolve imports."""

    root: Path
    audited: tuple[str, ...]
    resolvable: tuple[str, ...]
    unmatched_includes: tuple[str, ...] = ()
    """Include globs that select no file on their own."""


def is_walked(directory_name: str, skipped_dirs: frozenset[str]) -> bool:
    """Whether discovery looks inside a directory of this name (below the checkout root, and not a symlink)."""
    return directory_name not in skipped_dirs and not directory_name.startswith(".")


def _walk(root: Path, suffixes: tuple[str, ...], skipped_dirs: frozenset[str]) -> Iterator[str]:
    # Each directory is observed before os.walk lists it: the root now, a subdirectory when its parent is yielded.
    result_cache.observe_listing(root)
    for directory, subdirs, filenames in os.walk(root, followlinks=False):
        subdirs[:] = sorted(
            name
            for name in subdirs
            if is_walked(name, skipped_dirs) and not os.path.islink(os.path.join(directory, name))
        )
        for name in subdirs:
            result_cache.observe_listing(os.path.join(directory, name))
        relative_dir = Path(directory).relative_to(root)
        for filename in sorted(filenames):
            if filename.endswith(suffixes) and _is_regular_file(os.path.join(directory, filename)):
                yield (relative_dir / filename).as_posix()


def _is_regular_file(path: str) -> bool:
    """A plain file, not a symlink, FIFO, socket or device; a file that vanished is not one either."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def _selected(root: Path, candidates: tuple[str, ...], includes: Sequence[str]) -> Sources:
    """The candidates the include globs select, and the globs that select none of them on their own."""
    import pathspec  # a tenth of a small audit's start-up, paid only by runs that give include globs

    spec = pathspec.GitIgnoreSpec.from_lines(includes)
    selected = tuple(path for path in candidates if spec.match_file(path))
    unmatched = tuple(
        pattern
        for pattern in includes
        if not pattern.startswith("!")
        and not any(pathspec.GitIgnoreSpec.from_lines([pattern]).match_file(path) for path in candidates)
    )
    return Sources(root, selected, candidates, unmatched)


def python_sources(root: Path, includes: Sequence[str] = ()) -> Sources:
    """Every .py outside tests, docs, examples, virtualenvs, build output and hidden folders."""
    candidates = tuple(sorted(_walk(root, PYTHON_SUFFIXES, PYTHON_SKIPPED_DIRS)))
    return _selected(root, candidates, includes) if includes else Sources(root, candidates, candidates)


def elixir_sources(root: Path, includes: Sequence[str] = ()) -> Sources:
    """lib/ when it exists (else the whole checkout), never deps/, _build/ or test/.

    Include globs are matched against the whole checkout, so they may also select files outside lib/.
    """
    everything = tuple(sorted(_walk(root, ELIXIR_SUFFIXES, ELIXIR_SKIPPED_DIRS)))
    if includes:
        return _selected(root, everything, includes)
    sources = tuple(path for path in everything if path.endswith(".ex"))
    result_cache.observe(root / "lib")
    if (root / "lib").is_dir():
        sources = tuple(path for path in sources if path.startswith("lib/"))
    return Sources(root, sources, everything)
