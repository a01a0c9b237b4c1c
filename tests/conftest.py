"""Shared helpers: write small Python/Elixir source trees and audit them."""

from __future__ import annotations

import shutil
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from auditor.audit import AuditOptions, AuditResult, run_audit
from auditor.cli import app
from tests.sdkgen import write_tree

__all__ = [
    "REPO_ROOT",
    "SAMPLE_ELIXIR",
    "SAMPLE_PYTHON",
    "audit_sources",
    "copy_samples",
    "edit_once",
    "invoke",
    "write_tree",
]

REPO_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_PYTHON = REPO_ROOT / "sample_repos" / "python_sdk"
SAMPLE_ELIXIR = REPO_ROOT / "sample_repos" / "elixir_sdk"


_RUNNER = CliRunner()


@pytest.fixture(autouse=True, scope="session")
def cache_in_a_temporary_directory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """A run without `--no-cache` or `--cache-dir` caches in the user's cache directory; in the tests it
    is a temporary one (the tool's own processes inherit it), so the suite writes nothing elsewhere."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg-cache")))
        yield


def with_default_sigint() -> None:
    """Run in a child before it starts the tool: a terminal's foreground job takes Ctrl-C with the
    default action, but a test run started as a background job of a script (`pytest &`) ignores SIGINT,
    and the tool would inherit that and rightly keep running."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def invoke(*args: str | Path) -> Result:
    """The real command line, in this process."""
    return _RUNNER.invoke(app, [str(arg) for arg in args])


def copy_samples(tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the sample pair to edit."""
    python, elixir = tmp_path / "python_sdk", tmp_path / "elixir_sdk"
    shutil.copytree(SAMPLE_PYTHON, python)
    shutil.copytree(SAMPLE_ELIXIR, elixir)
    return python, elixir


def edit_once(path: Path, old: str, new: str) -> None:
    """Replaces `old`, which must occur exactly once, so an edit can never silently miss."""
    text = path.read_text()
    assert text.count(old) == 1, f"{old!r} is not in {path} exactly once"
    path.write_text(text.replace(old, new))


def audit_sources(tmp_path: Path, python: str, elixir: str, **options: object) -> AuditResult:
    """Audits one Python module (`sdk/types.py`) against one Elixir file (`lib/sdk/types.ex`)."""
    python_root = write_tree(tmp_path / "python", {"sdk/__init__.py": "", "sdk/types.py": python})
    elixir_root = write_tree(tmp_path / "elixir", {"lib/sdk/types.ex": elixir})
    return run_audit(AuditOptions(python_root, elixir_root, **options))  # type: ignore[arg-type]


@pytest.fixture
def audit(tmp_path: Path):
    def run(python: str, elixir: str, **options: object) -> AuditResult:
        return audit_sources(tmp_path, python, elixir, **options)

    return run
