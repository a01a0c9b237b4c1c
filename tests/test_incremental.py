"""Resolved Python files kept between runs: which edits resolve which files again, and that a run from
kept files reports exactly what a run from scratch reports."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor.audit import AuditOptions, UsageError, run_audit
from auditor.python import extractor
from auditor.reports import renderer
from tests.sdkgen import generate_spec, render_elixir, render_python, write_tree

MODEL = "from pydantic import BaseModel\n\nfrom .mid import Amount\n\n\nclass {name}(BaseModel):\n    total: Amount\n"
MODELS = {
    "shop/__init__.py": "",
    "shop/money.py": "Cents = int\n",
    "shop/mid.py": "from typing import Optional\n\nfrom .money import Cents\n\nAmount = Optional[Cents]\n",
    "shop/a.py": MODEL.format(name="Order"),
    "shop/b.py": MODEL.format(name="Refund"),
    "shop/c.py": "from pydantic import BaseModel\n\n\nclass Note(BaseModel):\n    text: str\n",
}
PORT = {
    f"lib/shop/{name.lower()}.ex": (
        f"defmodule Shop.{name} do\n  defstruct [:{field}]\n"
        f"  @type t :: %__MODULE__{{{field}: {spec}}}\nend\n"
    )
    for name, field, spec in [
        ("Order", "total", "integer() | nil"),
        ("Refund", "total", "integer() | nil"),
        ("Note", "text", "String.t()"),
    ]
}
BOTH_TOTALS = [("type-mismatch", "Order", "total"), ("type-mismatch", "Refund", "total")]


class ResolvedFiles:
    """Records which audited files a run resolved rather than took from the cache."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.paths: list[str] = []
        original = extractor._Extractor.resolved

        def resolved(this: extractor._Extractor, path: str) -> extractor.ResolvedFile:
            self.paths.append(path)
            return original(this, path)

        monkeypatch.setattr(extractor._Extractor, "resolved", resolved)

    def taken(self) -> list[str]:
        paths, self.paths = sorted(self.paths), []
        return paths


@pytest.fixture
def shop(tmp_path: Path) -> tuple[Path, Path]:
    return write_tree(tmp_path / "py", MODELS), write_tree(tmp_path / "ex", PORT)


def _report(python: Path, elixir: Path, cache: Path | None, jobs: int = 1) -> str:
    try:
        return renderer("json")(run_audit(AuditOptions(python, elixir, cache_dir=cache, jobs=jobs)))
    except UsageError as error:  # an edit may leave no Python type at all
        return str(error)


def _findings(python: Path, elixir: Path, cache: Path, jobs: int = 1) -> list[tuple[str, str, str | None]]:
    result = run_audit(AuditOptions(python, elixir, cache_dir=cache, jobs=jobs))
    return [(finding.rule, finding.type_name, finding.field) for finding in result.findings]


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize(
    ("path", "text", "resolved_again", "findings"),
    [
        pytest.param("shop/c.py", MODELS["shop/c.py"] + "# a comment\n", [], [], id="a-comment"),
        pytest.param(
            "shop/mid.py", MODELS["shop/mid.py"] + "Spare = int\n", ["shop/mid.py"], [], id="a-name-no-one-reads"
        ),
        pytest.param(
            "shop/mid.py",
            MODELS["shop/mid.py"].replace("Optional[Cents]", "Optional[str]"),
            ["shop/a.py", "shop/b.py", "shop/mid.py"],
            BOTH_TOTALS,
            id="an-alias-two-files-use",
        ),
        pytest.param(
            # b.py reads `Cents` only through the lowering of `Amount` that a.py ran first: the memo's reads count.
            "shop/money.py",
            "Cents = str\n",
            ["shop/a.py", "shop/b.py", "shop/money.py"],
            BOTH_TOTALS,
            id="a-file-read-through-a-memo",
        ),
        pytest.param(
            "shop/c.py",
            MODELS["shop/c.py"].replace("text: str", "text: int"),
            ["shop/c.py"],
            [("type-mismatch", "Note", "text")],
            id="a-field-of-a-file-no-one-reads",
        ),
        pytest.param(
            "shop/c.py",
            "\n" + MODELS["shop/c.py"],
            ["shop/c.py"],
            [],
            id="lines-moved",
        ),
    ],
)
def test_an_edit_resolves_again_the_files_that_read_what_it_changed(
    tmp_path: Path,
    shop: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
    jobs: int,
    path: str,
    text: str,
    resolved_again: list[str],
    findings: list[tuple[str, str, str | None]],
) -> None:
    python, elixir = shop
    resolved = ResolvedFiles(monkeypatch)
    cache = tmp_path / "cache"
    assert _findings(python, elixir, cache, jobs) == []
    assert resolved.taken() == sorted(MODELS)
    (python / path).write_text(text)
    assert _findings(python, elixir, cache, jobs) == findings
    assert resolved.taken() == resolved_again
    kept = _report(python, elixir, cache, jobs)
    assert resolved.taken() == []
    assert kept == _report(python, elixir, None)


def test_a_name_that_a_star_import_stops_providing_resolves_its_readers_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = {
        **MODELS,
        "shop/cash.py": "from typing import Optional\n\nAmount = Optional[str]\n",
        "shop/mid.py": "from .money import *\n",
        "shop/money.py": "from typing import Optional\n\nAmount = Optional[int]\n",
    }
    python, elixir = write_tree(tmp_path / "py", files), write_tree(tmp_path / "ex", PORT)
    resolved = ResolvedFiles(monkeypatch)
    cache = tmp_path / "cache"
    assert _findings(python, elixir, cache) == []
    resolved.taken()
    (python / "shop/mid.py").write_text("from .cash import *\n")
    assert _findings(python, elixir, cache) == BOTH_TOTALS
    assert resolved.taken() == ["shop/a.py", "shop/b.py", "shop/mid.py"]


def test_a_file_added_resolves_everything_again(
    tmp_path: Path, shop: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new file can change which module a name means, so no kept file is trusted."""
    python, elixir = shop
    resolved = ResolvedFiles(monkeypatch)
    cache = tmp_path / "cache"
    _findings(python, elixir, cache)
    first = resolved.taken()
    (python / "shop/d.py").write_text("X = 1\n")
    _findings(python, elixir, cache)
    assert resolved.taken() == sorted([*first, "shop/d.py"])


EDITS = [
    "append a module-level name",
    "change an alias",
    "delete a line",
    "duplicate a line",
    "add a blank first line",
    "copy another file over it",
]


def _edit(tree: Path, choice: random.Random) -> None:
    files = sorted(tree.rglob("*.py"))
    victim = choice.choice(files)
    lines = victim.read_text().splitlines(keepends=True)
    edit = choice.choice(EDITS)
    if edit == "append a module-level name":
        lines.append(f"_extra_{choice.randrange(100)} = 1\n")
    elif edit == "change an alias":
        swapped = {"= int": "= str", "= str": "= int"}
        lines = [next((line.replace(a, b, 1) for a, b in swapped.items() if a in line), line) for line in lines]
    elif edit == "delete a line" and lines:
        del lines[choice.randrange(len(lines))]
    elif edit == "duplicate a line" and lines:
        at = choice.randrange(len(lines))
        lines.insert(at, lines[at])
    elif edit == "add a blank first line":
        lines.insert(0, "\n")
    else:
        lines = choice.choice(files).read_text().splitlines(keepends=True)
    victim.write_text("".join(lines))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10**6), types=st.integers(3, 12), edits=st.integers(1, 3))
def test_runs_from_kept_files_report_what_a_fresh_run_reports(
    tmp_path: Path, seed: int, types: int, edits: int
) -> None:
    work = tmp_path / str(seed)
    shutil.rmtree(work, ignore_errors=True)
    spec = generate_spec(random.Random(seed), types)
    python, elixir = write_tree(work / "py", render_python(spec)), write_tree(work / "ex", render_elixir(spec))
    cache = work / "cache"
    _report(python, elixir, cache)
    choice = random.Random(seed + 1)
    for _ in range(edits):
        _edit(python, choice)
        assert _report(python, elixir, cache) == _report(python, elixir, None)


def test_a_file_whose_syntax_error_moves_resolves_its_readers_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A resolved file reports the problems of the files it read: a moved error is a changed file."""
    order = MODEL.format(name="Order").replace(".mid", ".broken")
    files = {**MODELS, "shop/broken.py": "Amount = (\n", "shop/a.py": order}
    python, elixir = write_tree(tmp_path / "py", files), write_tree(tmp_path / "ex", PORT)
    resolved = ResolvedFiles(monkeypatch)
    cache = tmp_path / "cache"
    _report(python, elixir, cache)
    resolved.taken()
    (python / "shop/broken.py").write_text("\n\nAmount = (\n")
    kept = _report(python, elixir, cache)
    assert resolved.taken() == ["shop/a.py", "shop/broken.py"]
    assert kept == _report(python, elixir, None)
