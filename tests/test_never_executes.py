"""The tool reads the code it audits and never runs it: every file below writes a marker when
imported, executed or compiled, and after a real CLI run no marker exists."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from tests.bad_input.corpus import CliRun, run_cli
from tests.conftest import write_tree

# Python modules whose import would shadow what the tool itself imports, were the checkout on sys.path.
SHADOWING_MODULES = ("typer", "rich", "libcst", "pathspec", "tree_sitter", "json", "orjson", "click")


def _python_marker(marker: Path) -> str:
    return f"open({str(marker)!r}, 'w').write('ran')\n"


def _elixir_marker(marker: Path) -> str:
    return f'File.write!({str(marker)!r}, "ran")\n'.replace("'", '"')


def _python_checkout(root: Path, markers: Path) -> Path:
    model = (
        "from pydantic import BaseModel\n\n"
        + _python_marker(markers / "types-module")
        + "\n\nclass Invoice(BaseModel):\n    total: int\n"
        + "    "
        + _python_marker(markers / "class-body")
    )
    files = {
        "shop/__init__.py": _python_marker(markers / "package-init"),
        "shop/types.py": model,
        "shop/__main__.py": _python_marker(markers / "package-main"),
        "conftest.py": _python_marker(markers / "conftest"),
        "setup.py": "from setuptools import setup\n" + _python_marker(markers / "setup") + "setup(name='shop')\n",
        "sitecustomize.py": _python_marker(markers / "sitecustomize"),
        "usercustomize.py": _python_marker(markers / "usercustomize"),
    }
    files.update({f"{name}.py": _python_marker(markers / f"shadow-{name}") for name in SHADOWING_MODULES})
    return write_tree(root, files)


def _elixir_checkout(root: Path, markers: Path) -> Path:
    port = (
        _elixir_marker(markers / "ex-file-top")
        + "defmodule Shop.Invoice do\n  "
        + _elixir_marker(markers / "ex-module-body")
        + "  defstruct [:total]\n  @type t :: %__MODULE__{total: integer()}\n"
        + "  @after_compile __MODULE__\n  def __after_compile__(_env, _bytecode), do: "
        + _elixir_marker(markers / "ex-after-compile")
        + "end\n"
    )
    return write_tree(
        root,
        {
            "lib/shop/invoice.ex": port,
            "lib/shop/script.exs": _elixir_marker(markers / "exs-in-lib") + "defmodule Shop.Script do\nend\n",
            "mix.exs": _elixir_marker(markers / "mix-exs")
            + "defmodule Shop.MixProject do\n  use Mix.Project\n  def project, do: [app: :shop]\nend\n",
            "config/config.exs": "import Config\n" + _elixir_marker(markers / "config-exs"),
            ".iex.exs": _elixir_marker(markers / "iex-exs"),
        },
    )


def _assert_nothing_ran(run: CliRun, markers: Path, *checkouts: Path) -> None:
    assert "Traceback" not in run.stderr, run.stderr[-3000:]
    assert run.returncode == 0, run.stderr
    assert sorted(path.name for path in markers.iterdir()) == []
    for checkout in checkouts:
        # Importing a module would also have left bytecode behind.
        assert not list(checkout.rglob("__pycache__")), f"bytecode was written in {checkout}"
        assert not list(checkout.rglob("*.beam")), f"BEAM files were written in {checkout}"
    # The audit did read the files: the model and its port lined up.
    assert [entry["name"] for entry in run.document()["types"]] == ["Invoice"]


@pytest.fixture
def checkouts(tmp_path: Path) -> tuple[Path, Path, Path]:
    markers = tmp_path / "markers"
    markers.mkdir()
    return _python_checkout(tmp_path / "py", markers), _elixir_checkout(tmp_path / "ex", markers), markers


def test_auditing_runs_none_of_the_audited_code(checkouts: tuple[Path, Path, Path], tmp_path: Path) -> None:
    python_root, elixir_root, markers = checkouts
    run = run_cli(
        python_root,
        elixir_root,
        "--format",
        "json",
        "--fail-on",
        "never",
        "--elixir-include",
        "**/*.ex",
        "--elixir-include",
        "**/*.exs",
        cwd=tmp_path,
    )
    _assert_nothing_ran(run, markers, python_root, elixir_root)


def test_the_installed_command_run_inside_the_checkout_imports_nothing_from_it(
    checkouts: tuple[Path, Path, Path],
) -> None:
    """The console script does not put the working directory on sys.path, so modules in the audited
    checkout named like the tool's own dependencies are never imported in their place."""
    python_root, elixir_root, markers = checkouts
    script = shutil.which("parity-audit", path=str(Path(sys.executable).parent))
    if script is None:
        pytest.skip("the parity-audit console script is not installed next to this interpreter")
    run = run_cli(
        Path("."), elixir_root, "--format", "json", "--fail-on", "never", cwd=python_root, command=(script,)
    )
    _assert_nothing_ran(run, markers, python_root, elixir_root)
