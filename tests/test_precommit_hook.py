"""The pre-commit hook, run by the real pre-commit framework against this repository.

`pre-commit try-repo` clones this repository (with its uncommitted changes), installs it into a hook
environment as pre-commit does for any user, and runs the hook in a port repository driven by its
`.parity-audit.toml`: the same path a team takes after adding the hook to `.pre-commit-config.yaml`.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO_ROOT, write_tree

pytestmark = [
    pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed"),
    pytest.mark.skipif(not (REPO_ROOT / ".git").exists(), reason="not a git checkout of parity-audit"),
]

SDK_TYPES = (
    "from pydantic import BaseModel\n\n"
    "class Invoice(BaseModel):\n"
    "    total: int\n"
    "    currency: str\n"
)
PORT_WITHOUT_CURRENCY = (
    "defmodule Shop.Invoice do\n"
    "  @enforce_keys [:total]\n"
    "  defstruct [:total]\n"
    "  @type t :: %__MODULE__{total: integer()}\n"
    "end\n"
)
CONFIG = 'python = "../sdk"\nelixir = "."\n'


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


def _pre_commit(port: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(REPO_ROOT), "parity-audit", "--all-files"],
        cwd=port,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_the_hook_manifest_names_one_python_hook_that_runs_on_source_changes() -> None:
    (hook,) = yaml.safe_load((REPO_ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "parity-audit"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is False
    assert hook["entry"] == "parity-audit"
    files = hook["files"]
    for name in ("lib/shop/invoice.ex", "test/invoice_test.exs", "src/shop/types.py", "stubs/types.pyi"):
        assert re.search(files, name), name
    for name in ("README.md", "mix.lock", "lib/shop/invoice.ex.bak"):
        assert not re.search(files, name), name


def test_pre_commit_fails_on_a_p0_and_passes_once_it_is_baselined(tmp_path: Path) -> None:
    write_tree(tmp_path / "sdk", {"shop/__init__.py": "", "shop/types.py": SDK_TYPES})
    port = write_tree(tmp_path / "port", {"lib/shop/invoice.ex": PORT_WITHOUT_CURRENCY, ".parity-audit.toml": CONFIG})
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "GIT_CONFIG_GLOBAL": str(tmp_path / "gitconfig"),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "Port Team",
        "GIT_AUTHOR_EMAIL": "port@example.com",
        "GIT_COMMITTER_NAME": "Port Team",
        "GIT_COMMITTER_EMAIL": "port@example.com",
    }
    # The parity-audit checkout may be owned by another user on a CI machine; the clone must not refuse it.
    subprocess.run(["git", "config", "--global", "safe.directory", "*"], env=env, check=True)
    subprocess.run(["git", "init", "-q", str(port)], env=env, check=True)
    subprocess.run(["git", "-C", str(port), "add", "-A"], env=env, check=True)

    failing = _pre_commit(port, env)
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert "parity-audit" in failing.stdout
    assert "Failed" in failing.stdout
    assert "missing-field" in failing.stdout
    assert "currency" in failing.stdout

    baselined = subprocess.run(
        [sys.executable, "-m", "auditor", "--write-baseline", "parity-baseline.json"],
        cwd=port,
        env=env,
        capture_output=True,
        text=True,
    )
    assert baselined.returncode == 0, baselined.stderr
    (port / ".parity-audit.toml").write_text(CONFIG + 'baseline = "parity-baseline.json"\n')
    subprocess.run(["git", "-C", str(port), "add", "-A"], env=env, check=True)

    passing = _pre_commit(port, env)
    assert passing.returncode == 0, passing.stdout + passing.stderr
    assert "Passed" in passing.stdout
