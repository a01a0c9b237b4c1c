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
import textwrap
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


README = REPO_ROOT / "README.md"
REPOSITORY_PLACEHOLDER = "<URL of the parity-audit repository>"
ADOPTED_SDK = (
    "from pydantic import BaseModel\n\n"
    "class Invoice(BaseModel):\n"
    "    total: int\n"
    "    currency: str\n"
    "    note: str | None = None\n"
)
ADOPTED_PORT = (
    "defmodule Sdk.Types.Invoice do\n"
    "  @enforce_keys [:total, :currency]\n"
    "  defstruct [:total, :currency]\n"
    "  @type t :: %__MODULE__{total: integer(), currency: String.t()}\n"
    "end\n"
)


def _readme_block(language: str, first_line: str) -> str:
    """The README's fenced block of `language` that opens with `first_line`, as printed."""
    fenced = re.findall(rf"^( *)```{language}\n(.*?)^\1```", README.read_text(), flags=re.DOTALL | re.MULTILINE)
    blocks = [textwrap.dedent(block) for _indent, block in fenced]
    (block,) = [block for block in blocks if block.startswith(first_line + "\n")]
    return block


def test_the_readme_adoption_path_works_as_printed(tmp_path: Path) -> None:
    """The README's hook snippet (its repository URL pointed at this checkout) and config, in the order the
    README gives: add both, write the baseline, commit through the hook; then a removed field fails it."""
    hook_config = _readme_block("yaml", "# .pre-commit-config.yaml in the port repository")
    audit_config = _readme_block("toml", "# .parity-audit.toml in the port repository; paths are relative to this file")
    assert hook_config.count(REPOSITORY_PLACEHOLDER) == 1
    pinned = re.search(r"rev: (\S+)", hook_config)
    assert pinned is not None
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
    subprocess.run(["git", "config", "--global", "safe.directory", "*"], env=env, check=True)
    # The pinned commit must be one of this repository's, so that the snippet works against it as printed.
    known = subprocess.run(["git", "-C", str(REPO_ROOT), "cat-file", "-e", f"{pinned[1]}^{{commit}}"], env=env)
    assert known.returncode == 0, f"the README pins {pinned[1]}, which is no commit of this repository"

    write_tree(tmp_path / "python-sdk", {"src/sdk/__init__.py": "", "src/sdk/types/invoice.py": ADOPTED_SDK})
    port = write_tree(
        tmp_path / "port",
        {
            "lib/sdk/types/invoice.ex": ADOPTED_PORT,
            ".pre-commit-config.yaml": hook_config.replace(REPOSITORY_PLACEHOLDER, str(REPO_ROOT)),
            ".parity-audit.toml": audit_config,
        },
    )

    def run(*command: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(command, cwd=port, env=env, capture_output=True, text=True, timeout=600)

    run("git", "init", "-q")
    written = run(sys.executable, "-m", "auditor", "--write-baseline", "parity-baseline.json")
    assert (written.returncode, written.stderr) == (0, "wrote 1 finding to parity-baseline.json\n")
    assert run(sys.executable, "-m", "pre_commit", "install").returncode == 0
    run("git", "add", "-A")
    adopted = run("git", "commit", "-q", "-m", "Adopt parity-audit")
    assert adopted.returncode == 0, adopted.stdout + adopted.stderr

    (port / "lib/sdk/types/invoice.ex").write_text(
        ADOPTED_PORT.replace("[:total, :currency]", "[:total]").replace(", currency: String.t()", "")
    )
    run("git", "add", "-A")
    blocked = run("git", "commit", "-q", "-m", "Drop the currency")
    assert blocked.returncode == 1, blocked.stdout + blocked.stderr
    # git runs hooks with their standard output sent to its standard error.
    assert blocked.stderr.rstrip().splitlines()[-1] == (
        "failed: 1 new finding at or above P1 (Invoice.currency missing-field P0)"
    )
