"""Mutation fuzz: flip, delete and duplicate bytes and lines of the sample repos' sources, and the
audit (and both reports) must still complete. Only `UsageError` may stop it, e.g. when a mutation
leaves one side without any type.

Seeded and deterministic: case N always makes the same mutations. Of every ten cases, four mutate
Python files, five Elixir files and one both. PARITY_FUZZ_CASES raises the case count for a longer
local run (the default keeps CI to about a minute).

For speed, each side's extraction is memoized by the bytes of that side's files: a case that only
mutates Elixir files does not parse the unchanged Python sources again (the Python front end is by
far the slower one). The memo only wraps the extraction functions `run_audit` calls; everything else
(discovery, alignment, rules, reports) runs for real every case.
"""

from __future__ import annotations

import hashlib
import os
import random
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

import auditor.audit
from auditor.audit import AuditOptions, UsageError, run_audit
from auditor.reports import FORMATS, renderer
from tests.bad_input.corpus import copy_samples
from tests.bad_input.mutation import apply_mutations, random_mutations, restore

SEED = 20240611
CASES = int(os.environ.get("PARITY_FUZZ_CASES", "500"))
SOURCE_SUFFIXES = (".py", ".ex", ".exs")


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, bytes]]:
    """One copy of both sample repos (mutated and restored case by case) and their original bytes."""
    root = tmp_path_factory.mktemp("fuzz")
    copy_samples(root)
    originals = {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.suffix in SOURCE_SUFFIXES and path.is_file()
    }
    return root, originals


def _memoized_by_content(extract: Callable[..., Any]) -> Callable[..., Any]:
    """`extract(root, *path_lists)` memoized on its arguments and the bytes of the files listed.

    A call with any other kind of argument (say, a loader callback) goes straight through.
    """
    memo: dict[tuple[Any, ...], Any] = {}

    def run(root: Path, *arguments: Any, **keywords: Any) -> Any:
        path_lists = [argument for argument in arguments if _is_path_list(argument)]
        if keywords or len(path_lists) != len(arguments):
            return extract(root, *arguments, **keywords)
        digest = hashlib.sha256()
        for path in sorted({path for group in path_lists for path in group}):
            digest.update(path.encode() + b"\0" + (root / path).read_bytes() + b"\0")
        key = (str(root), tuple(tuple(group) for group in path_lists), digest.hexdigest())
        if key not in memo:
            memo[key] = extract(root, *arguments)
        return memo[key]

    return run


def _is_path_list(argument: Any) -> bool:
    return isinstance(argument, Sequence) and not isinstance(argument, str) and all(
        isinstance(item, str) for item in argument
    )


@pytest.fixture(scope="module", autouse=True)
def memoized_extraction() -> Any:
    with pytest.MonkeyPatch.context() as patch:
        for name in ("extract_python", "extract_elixir"):
            if hasattr(auditor.audit, name):  # without the memo the fuzz is only slower
                patch.setattr(auditor.audit, name, _memoized_by_content(getattr(auditor.audit, name)))
        yield


def _mutable_paths(case: int, originals: dict[str, bytes]) -> list[str]:
    python = sorted(path for path in originals if path.startswith("python_sdk/"))
    elixir = sorted(path for path in originals if path.startswith("elixir_sdk/"))
    if case % 10 == 9:
        return python + elixir
    return python if case % 10 < 4 else elixir


def test_fuzz_covers_both_languages(checkout: tuple[Path, dict[str, bytes]]) -> None:
    _root, originals = checkout
    assert {Path(path).suffix for path in originals} == set(SOURCE_SUFFIXES)


@pytest.mark.parametrize("case", range(CASES))
def test_mutated_sources_never_crash_the_audit(case: int, checkout: tuple[Path, dict[str, bytes]]) -> None:
    root, originals = checkout
    mutations = random_mutations(random.Random(f"{SEED}-{case}"), _mutable_paths(case, originals))
    apply_mutations(root, originals, mutations)
    try:
        result = run_audit(AuditOptions(root / "python_sdk", root / "elixir_sdk"))
        for output_format in FORMATS:
            renderer(output_format)(result)
    except UsageError:
        pass
    except Exception as error:
        described = "; ".join(str(mutation) for mutation in mutations)
        pytest.fail(f"case {case} ({described}) raised {type(error).__name__}: {error}")
    finally:
        restore(root, originals, mutations)
