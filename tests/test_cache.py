"""The per-file cache and the summary store: reuse, invalidation, corruption, parallel equivalence."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from auditor.audit import AuditOptions, run_audit
from auditor.cache import SummaryCache
from auditor.elixir import ElixirFileSummary, read_elixir_summary, summarize_elixir
from auditor.extraction import SummaryPool, SummaryStore
from tests.conftest import write_tree

MODULE = "defmodule Shop.Item{n} do\n  defstruct [:id]\n  @type t :: %__MODULE__{{id: integer()}}\nend\n"


class CountingSummarizer:
    def __init__(self) -> None:
        self.calls: list[str] = []

    def __call__(self, path: str, data: bytes):
        self.calls.append(path)
        return summarize_elixir(path, data)


def _store(root: Path, cache: SummaryCache | None, summarize) -> SummaryStore:
    return SummaryStore(
        root, "Elixir", ElixirFileSummary, summarize, lambda path: read_elixir_summary(root, path), cache
    )


def _summarize_all(store: SummaryStore, paths: list[str], jobs: int) -> None:
    with SummaryPool(jobs) as pool:
        pool.submit(store, paths)


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "port", {f"lib/item{n}.ex": MODULE.format(n=n) for n in range(6)})


@pytest.mark.parametrize("first_jobs", [1, 2])
def test_an_unchanged_file_is_never_summarized_twice(tmp_path: Path, checkout: Path, first_jobs: int) -> None:
    cache = SummaryCache(tmp_path / "cache")
    paths = [f"lib/item{n}.ex" for n in range(6)]
    first = CountingSummarizer()
    _summarize_all(_store(checkout, cache, first), paths, jobs=first_jobs)
    if first_jobs == 1:  # pool workers count in their own copy of the summarizer
        assert sorted(first.calls) == paths
    assert len(list((tmp_path / "cache").rglob("*.pickle"))) == len(paths)

    (checkout / "lib/item3.ex").write_text(MODULE.format(n=33))
    second = CountingSummarizer()
    store = _store(checkout, cache, second)
    _summarize_all(store, paths, jobs=1)
    assert second.calls == ["lib/item3.ex"]
    assert store.load("lib/item3.ex").types[0].qualname == "Shop.Item33"


def test_the_key_covers_language_path_and_content() -> None:
    base = SummaryCache.key("Elixir", "lib/a.ex", b"x")
    assert base != SummaryCache.key("Python", "lib/a.ex", b"x")
    assert base != SummaryCache.key("Elixir", "lib/b.ex", b"x")
    assert base != SummaryCache.key("Elixir", "lib/a.ex", b"y")
    assert base == SummaryCache.key("Elixir", "lib/a.ex", b"x")


def _header_of(entry: Path) -> bytes:
    """An entry's format line and key line, without the pickled summary after them."""
    data = entry.read_bytes()
    return data[: data.index(b"\n", data.index(b"\n") + 1) + 1]


@pytest.mark.parametrize(
    "damage",
    [
        lambda entry, key: entry.write_bytes(b"\x00not a pickle"),
        lambda entry, key: entry.write_bytes(entry.read_bytes()[: len(entry.read_bytes()) // 2]),
        lambda entry, key: entry.write_bytes(entry.read_bytes().replace(key.encode(), b"0" * len(key))),
        lambda entry, key: entry.write_bytes(_header_of(entry) + pickle.dumps({"unexpected": "shape"})),
    ],
    ids=["garbage", "truncated", "foreign-key", "wrong-shape"],
)
def test_a_damaged_entry_is_ignored_and_rewritten(tmp_path: Path, checkout: Path, damage) -> None:
    cache = SummaryCache(tmp_path / "cache")
    data = (checkout / "lib/item0.ex").read_bytes()
    key = SummaryCache.key("Elixir", "lib/item0.ex", data)
    _summarize_all(_store(checkout, cache, summarize_elixir), ["lib/item0.ex"], jobs=1)
    (entry,) = (tmp_path / "cache").rglob("*.pickle")
    damage(entry, key)
    assert cache.get(key, ElixirFileSummary) is None
    counting = CountingSummarizer()
    store = _store(checkout, cache, counting)
    _summarize_all(store, ["lib/item0.ex"], jobs=1)
    # A cached summary is unpickled when first loaded; that is where damage shows and the file is parsed.
    summary = store.load("lib/item0.ex")
    assert counting.calls == ["lib/item0.ex"]
    assert cache.get(key, ElixirFileSummary) == summary


def test_a_process_pool_gives_the_same_summaries(checkout: Path) -> None:
    paths = [f"lib/item{n}.ex" for n in range(6)]
    serial = _store(checkout, None, summarize_elixir)
    _summarize_all(serial, paths, jobs=1)
    parallel = _store(checkout, None, summarize_elixir)
    _summarize_all(parallel, paths, jobs=2)
    assert parallel.summaries == serial.summaries


def test_an_unreadable_file_becomes_the_front_ends_diagnostic(checkout: Path) -> None:
    store = _store(checkout, None, summarize_elixir)
    _summarize_all(store, ["lib/missing.ex"], jobs=2)
    (diagnostic,) = store.load("lib/missing.ex").diagnostics
    assert diagnostic.path == "lib/missing.ex" and "cannot read" in diagnostic.message


def test_an_unwritable_cache_costs_nothing_but_speed(tmp_path: Path, checkout: Path) -> None:
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache directory should be")
    store = _store(checkout, SummaryCache(blocker), summarize_elixir)
    _summarize_all(store, ["lib/item0.ex"], jobs=1)
    assert store.load("lib/item0.ex").types


INVOICE = "from pydantic import BaseModel\nfrom .money import Cents\n\nclass Invoice(BaseModel):\n    total: Cents\n"
INVOICE_PORT = "defmodule Shop.Invoice do\n  defstruct [:total]\n  @type t :: %__MODULE__{total: integer()}\nend\n"


@pytest.fixture
def shop(tmp_path: Path) -> tuple[Path, Path]:
    python = write_tree(
        tmp_path / "py",
        {"shop/__init__.py": "", "shop/types.py": INVOICE, "shop/money.py": "Cents = int\n"},
    )
    return python, write_tree(tmp_path / "ex", {"lib/shop/invoice.ex": INVOICE_PORT})


def _findings(python: Path, elixir: Path, cache: Path, **options: object) -> list[tuple[str, str | None, str]]:
    result = run_audit(AuditOptions(python, elixir, cache_dir=cache, **options))  # type: ignore[arg-type]
    return [(finding.rule, finding.field, finding.message) for finding in result.findings]


def test_damaged_resolved_files_are_ignored(tmp_path: Path, shop: tuple[Path, Path]) -> None:
    python, elixir = shop
    cache = tmp_path / "cache"
    _findings(python, elixir, cache)
    for entry in cache.rglob("*.pickle"):
        entry.write_bytes(_header_of(entry) + b"\x80\x05garbage")
    (elixir / "lib/shop/invoice.ex").write_text(INVOICE_PORT.replace("integer()", "String.t()"))
    assert [rule for rule, _, _ in _findings(python, elixir, cache)] == ["type-mismatch"]


def test_entries_made_by_other_tool_code_are_never_used(monkeypatch: pytest.MonkeyPatch) -> None:
    import auditor.cache

    keys = (SummaryCache.key("python", "a.py", b"x = 1\n"), SummaryCache.derived_key("python-side", ["a"]))
    monkeypatch.setattr(auditor.cache, "code_stamp", lambda: "an edited checkout of the tool")
    edited = (SummaryCache.key("python", "a.py", b"x = 1\n"), SummaryCache.derived_key("python-side", ["a"]))
    assert edited[0] != keys[0] and edited[1] != keys[1]
