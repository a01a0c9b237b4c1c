"""The whole-result cache: a run it serves gives exactly what the run it replays would give, however the files
it depends on change between runs, and a damaged entry is never trusted.

Runs are processes, as users start them; each test has its own cache directory. A run "served" from the cache
is told apart by what it imports (`python -X importtime`): it never imports the CLI.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor import __version__, result_cache
from tests.conftest import REPO_ROOT, write_tree

MODELS = """from pydantic import BaseModel

from sdk._shared import Ident


class Job(BaseModel):
    id: Ident
    name: str
"""
PORT = """defmodule Sdk.Types.Job do
  defstruct [:id, :name]
  @type t :: %__MODULE__{id: String.t(), name: String.t()}
end
"""
STATUS = """from enum import Enum


class Status(str, Enum):
    DONE = "done"
"""
CONFIG = """python = "python"
elixir = "elixir"
python-include = ["sdk/types/**"]
fail-on = "P1"
"""


@dataclass(frozen=True)
class Run:
    stdout: bytes
    stderr: bytes
    code: int


def _environment(cache: Path) -> dict[str, str]:
    environment = {name: value for name, value in os.environ.items() if name not in ("COLUMNS", "PYTHONWARNINGS")}
    # This checkout's code first, whatever the venv has installed (a worktree may share another checkout's venv).
    environment["PYTHONPATH"] = str(REPO_ROOT)
    environment["XDG_CACHE_HOME"] = str(cache)
    return environment


def run(workspace: Path, *arguments: str) -> Run:
    completed = subprocess.run(
        [sys.executable, "-m", "auditor", *arguments],
        cwd=workspace,
        capture_output=True,
        env=_environment(workspace.parent / "cache"),
        timeout=300,
    )
    return Run(completed.stdout, completed.stderr, completed.returncode)


def served(workspace: Path, *arguments: str) -> tuple[Run, bool]:
    """A run, and whether the cache served it (then the CLI was never imported)."""
    completed = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "auditor", *arguments],
        cwd=workspace,
        capture_output=True,
        env=_environment(workspace.parent / "cache"),
        timeout=300,
    )
    lines = completed.stderr.splitlines(keepends=True)
    stderr = b"".join(line for line in lines if not line.startswith(b"import time:"))
    imported = any(line.rstrip().endswith(b"auditor.cli") for line in lines if line.startswith(b"import time:"))
    return Run(completed.stdout, stderr, completed.returncode), not imported


def fresh(workspace: Path, *arguments: str) -> Run:
    return run(workspace, *arguments, "--no-cache")


def _workspace(root: Path) -> Path:
    """A Python SDK with an audited module importing a module that is only resolved, its port, and a config."""
    workspace = root / "workspace"
    write_tree(
        workspace,
        {
            ".parity-audit.toml": CONFIG,
            "python/sdk/__init__.py": "",
            "python/sdk/_shared.py": "Ident = str\n",
            "python/sdk/types/__init__.py": "",
            "python/sdk/types/models.py": MODELS,
            "python/sdk/types/status.py": STATUS,
            "elixir/lib/sdk/types/job.ex": PORT,
        },
    )
    return workspace


def _edit(path: Path, old: str, new: str) -> None:
    """Replaces `old` in the file, if the file and `old` are still there (an earlier change may have removed them)."""
    if path.is_file() and old in path.read_text():
        path.write_text(path.read_text().replace(old, new))


def _rename(path: Path, name: str) -> None:
    if path.exists():
        path.rename(path.with_name(name))


def _edit_unseen_by_stat(path: Path) -> None:
    """Changes the bytes but neither the size nor the modification time, as an edit within the clock's tick can."""
    if path.is_file():
        status = path.stat()
        text = path.read_text()
        path.write_text(text.replace("str", "int") if "str" in text else text.replace("int", "str"))
        os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns))


def _move_config_to_pyproject(workspace: Path) -> None:
    """The config moves into pyproject.toml, where it also keeps Job unpaired."""
    dotfile = workspace / ".parity-audit.toml"
    if dotfile.is_file():
        moved = "[tool.parity-audit]\n" + dotfile.read_text() + 'unpaired = ["Job"]\n'
        (workspace / "pyproject.toml").write_text(moved)
        dotfile.unlink()


Change = Callable[[Path], None]
CHANGES: dict[str, Change] = {
    "audited file edited": lambda w: _edit(w / "python/sdk/types/models.py", "    name: str\n", "    name: int\n"),
    "audited field added": lambda w: _edit(w / "python/sdk/types/models.py", "id: Ident\n", "id: Ident\n    n: int\n"),
    "resolved module edited": lambda w: _edit(w / "python/sdk/_shared.py", "= str", "= int"),
    "resolved module edited unseen by stat": lambda w: _edit_unseen_by_stat(w / "python/sdk/_shared.py"),
    "resolved module renamed": lambda w: _rename(w / "python/sdk/_shared.py", "_common.py"),
    "resolved module deleted": lambda w: (w / "python/sdk/_shared.py").unlink(missing_ok=True),
    "module added where resolution looked": lambda w: (w / "python/sdk/_shared.py").write_text("Ident = bytes\n"),
    "audited file added": lambda w: (w / "python/sdk/types/extra.py").write_text(
        "from pydantic import BaseModel\n\n\nclass Extra(BaseModel):\n    size: int\n"
    ),
    "audited file deleted": lambda w: (w / "python/sdk/types/models.py").unlink(missing_ok=True),
    "package marker deleted": lambda w: (w / "python/sdk/__init__.py").unlink(missing_ok=True),
    "port edited": lambda w: _edit(w / "elixir/lib/sdk/types/job.ex", "name: String.t()", "name: integer()"),
    "port file renamed": lambda w: _rename(w / "elixir/lib/sdk/types/job.ex", "work.ex"),
    "config edited": lambda w: _edit(w / ".parity-audit.toml", 'fail-on = "P1"', 'exclude-type = ["Status"]'),
    "config moved into pyproject.toml": _move_config_to_pyproject,
}
"""Each change applies after any other: one whose file an earlier change removed does nothing."""
OPTIONS = [
    (),
    ("--format", "json"),
    ("--format", "markdown"),
    ("--fail-on", "never", "--format", "sarif"),
    ("python", "elixir", "--python-include", "sdk/**"),
]


def _same_as_fresh(workspace: Path, options: tuple[str, ...]) -> bool:
    """Runs twice with the cache, and checks both against a run without it; True when the second was served."""
    first = run(workspace, *options)
    second, was_served = served(workspace, *options)
    uncached = fresh(workspace, *options)
    assert first == uncached
    assert second == uncached
    return was_served


@pytest.mark.parametrize("change", list(CHANGES))
def test_a_change_is_seen_and_then_served(tmp_path: Path, change: str) -> None:
    workspace = _workspace(tmp_path)
    report = ("--format", "json")
    assert _same_as_fresh(workspace, report)
    before = fresh(workspace, *report)
    CHANGES[change](workspace)
    assert _same_as_fresh(workspace, report)
    assert fresh(workspace, *report) != before  # the change shows: a stale answer would have been caught


@pytest.mark.parametrize(
    "added", [pytest.param("python/sdk/_shared.py", id="module"), pytest.param("python/sdk/__init__.py", id="package")]
)
def test_a_file_added_where_resolution_looked_and_found_none_is_seen(tmp_path: Path, added: str) -> None:
    workspace = _workspace(tmp_path)
    text = (workspace / added).read_text()
    (workspace / added).unlink()
    assert _same_as_fresh(workspace, ("--format", "json"))
    without = fresh(workspace, "--format", "json")
    (workspace / added).write_text(text)
    assert _same_as_fresh(workspace, ("--format", "json"))
    assert fresh(workspace, "--format", "json") != without


def test_each_option_set_is_its_own_entry(tmp_path: Path) -> None:
    workspace = _workspace(tmp_path)
    for options in OPTIONS:
        assert _same_as_fresh(workspace, options)
    for options in OPTIONS:
        assert served(workspace, *options) == (fresh(workspace, *options), True)


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    steps=st.lists(
        st.tuples(st.sampled_from(sorted(CHANGES)), st.sampled_from(range(len(OPTIONS)))), min_size=1, max_size=3
    )
)
def test_any_sequence_of_changes_and_options_gives_what_an_uncached_run_gives(
    steps: list[tuple[str, int]],
) -> None:
    with tempfile.TemporaryDirectory() as root:
        workspace = _workspace(Path(root))
        for change, options in steps:
            run(workspace, *OPTIONS[options])
            CHANGES[change](workspace)
            assert run(workspace, *OPTIONS[options]) == fresh(workspace, *OPTIONS[options])


def test_report_files_are_written_again_when_served(tmp_path: Path) -> None:
    workspace = _workspace(tmp_path)
    options = ("--report", "json=out/report.json", "--write-baseline", "baseline.json")
    first = run(workspace, *options)
    written = (workspace / "out/report.json").read_bytes(), (workspace / "baseline.json").read_bytes()
    (workspace / "out/report.json").unlink()
    (workspace / "baseline.json").write_text("stale")
    second, was_served = served(workspace, *options)
    assert was_served and second == first
    assert ((workspace / "out/report.json").read_bytes(), (workspace / "baseline.json").read_bytes()) == written


def test_a_report_path_that_became_a_directory_is_refused_as_without_the_cache(tmp_path: Path) -> None:
    workspace = _workspace(tmp_path)
    options = ("--report", "json=report.json")
    run(workspace, *options)
    (workspace / "report.json").unlink()
    (workspace / "report.json").mkdir()
    refused, was_served = served(workspace, *options)
    assert not was_served and refused.code == 2 and b"report.json" in refused.stderr
    assert refused == fresh(workspace, *options)


def _entries(workspace: Path) -> list[Path]:
    return sorted((workspace.parent / "cache" / "parity-audit" / result_cache.RESULTS_FOLDER).iterdir())


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda data: data[: len(data) // 2], id="truncated"),
        pytest.param(lambda data: data[:-3] + b"xyz", id="corrupt"),
        pytest.param(lambda data: b"parity-audit-result-0\n" + data.split(b"\n", 1)[1], id="other-format"),
        pytest.param(lambda data: b"", id="empty"),
        pytest.param(lambda data: b"\x00" * 40, id="garbage"),
    ],
)
def test_a_damaged_entry_is_ignored_and_replaced(tmp_path: Path, damage: Callable[[bytes], bytes]) -> None:
    workspace = _workspace(tmp_path)
    expected = run(workspace, "--format", "json")
    [entry] = _entries(workspace)
    entry.write_bytes(damage(entry.read_bytes()))
    again, was_served = served(workspace, "--format", "json")
    assert not was_served and again == expected
    assert served(workspace, "--format", "json") == (expected, True)


def test_an_entry_of_another_shape_with_a_valid_checksum_is_ignored(tmp_path: Path) -> None:
    workspace = _workspace(tmp_path)
    expected = run(workspace)
    [entry] = _entries(workspace)
    header = entry.read_bytes().split(b"\n", 2)
    payload = __import__("marshal").dumps(({"a": 1}, [], {}, [], [], [], "0"))
    checksum = result_cache.blake2b(payload).hexdigest().encode()
    entry.write_bytes(b"\n".join([header[0], header[1], checksum, payload]))
    again, was_served = served(workspace)
    assert not was_served and again == expected


def test_a_run_ending_in_a_usage_error_is_not_stored(tmp_path: Path) -> None:
    workspace = _workspace(tmp_path)
    refused = run(workspace, "python", "nowhere")
    assert refused.code == 2
    assert not (workspace.parent / "cache" / "parity-audit" / result_cache.RESULTS_FOLDER).exists()


def test_no_cache_stores_nothing(tmp_path: Path) -> None:
    workspace = _workspace(tmp_path)
    fresh(workspace)
    fresh(workspace, "--format", "json")
    assert not (workspace.parent / "cache" / "parity-audit").exists()


def test_version_and_help_answer_as_the_command_does(tmp_path: Path) -> None:
    workspace = _workspace(tmp_path)
    version, was_served = served(workspace, "--version")
    assert was_served and version == Run(f"parity-audit {__version__}\n".encode(), b"", 0)
    # Through the command, as any other spelling of the request would go.
    assert run(workspace, "--version", "--fail-on", "never") == version
    for arguments in (("--help",), ("fix", "--help")):
        first = run(workspace, *arguments)
        assert first.code == 0 and b"Usage: parity-audit" in first.stdout
        assert served(workspace, *arguments) == (first, True)


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_a_new_commit_is_seen_though_no_file_changed(tmp_path: Path) -> None:
    workspace = _workspace(tmp_path)
    git = ["git", "-C", str(workspace / "python"), "-c", "user.name=t", "-c", "user.email=t@t"]
    quiet = {"capture_output": True, "check": True}
    subprocess.run([*git, "init", "-q", "-b", "main"], **quiet)  # type: ignore[call-overload]
    subprocess.run([*git, "add", "-A"], **quiet)  # type: ignore[call-overload]
    subprocess.run([*git, "commit", "-q", "-m", "one"], **quiet)  # type: ignore[call-overload]
    assert _same_as_fresh(workspace, ("--format", "json"))
    subprocess.run([*git, "commit", "-q", "--allow-empty", "-m", "two"], **quiet)  # type: ignore[call-overload]
    assert _same_as_fresh(workspace, ("--format", "json"))
    subprocess.run([*git, "checkout", "-q", "-b", "other"], **quiet)  # type: ignore[call-overload]
    assert _same_as_fresh(workspace, ("--format", "json"))


def test_eviction_keeps_the_entries_used_last(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(result_cache, "MOST_ENTRIES", 3)
    for number in range(5):
        entry = tmp_path / f"entry{number}"
        entry.write_bytes(b"x")
        os.utime(entry, ns=(number * 10**9, number * 10**9))
    result_cache._evict(str(tmp_path))
    assert sorted(path.name for path in tmp_path.iterdir()) == ["entry2", "entry3", "entry4"]


def test_the_default_directory_is_the_one_platformdirs_names(monkeypatch: pytest.MonkeyPatch) -> None:
    from platformdirs import user_cache_dir

    for value in ("/somewhere/cache", "relative/cache", ""):
        monkeypatch.setenv("XDG_CACHE_HOME", value)
        assert result_cache.default_cache_dir() == user_cache_dir("parity-audit")
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert result_cache.default_cache_dir() == user_cache_dir("parity-audit")


def test_the_check_imports_nothing_beyond_the_interpreters_start(tmp_path: Path) -> None:
    # -S: a bare interpreter, without what site-packages' .pth files load (an editable install's finder
    # imports pathlib, importlib.util...); os and stat are what site itself always imports.
    probe = (
        f"import os, stat, sys; sys.path.insert(0, {str(REPO_ROOT)!r}); before = set(sys.modules); "
        f"import auditor.result_cache as cache; cache.replay(['--cache-dir', {str(tmp_path)!r}]); "
        "print(sorted(set(sys.modules) - before))"
    )
    completed = subprocess.run([sys.executable, "-S", "-c", probe], capture_output=True, text=True, check=True)
    assert completed.stdout.strip() == "['__future__', '_blake2', 'auditor', 'auditor.result_cache']"
