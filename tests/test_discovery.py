"""Which files each checkout contributes."""

from __future__ import annotations

import os
from pathlib import Path

from auditor.discovery import elixir_sources, python_sources
from tests.conftest import write_tree


def test_python_defaults_skip_tests_docs_virtualenvs_and_hidden_folders(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path,
        {
            "pkg/types.py": "",
            "pkg/tests/test_x.py": "",
            "test/t.py": "",
            "docs/conf.py": "",
            "examples/e.py": "",
            ".venv/lib/x.py": "",
            "venv/x.py": "",
            "build/x.py": "",
            "dist/x.py": "",
            ".hidden/x.py": "",
            "setup.py": "",
        },
    )
    assert python_sources(root).audited == ("pkg/types.py", "setup.py")


def test_include_globs_are_gitignore_style(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"src/pkg/types/a.py": "", "src/pkg/types/sub/b.py": "", "src/pkg/c.py": ""})
    sources = python_sources(root, ["src/pkg/types/**"])
    assert sources.audited == ("src/pkg/types/a.py", "src/pkg/types/sub/b.py")
    assert "src/pkg/c.py" in sources.resolvable
    assert python_sources(root, ["src/pkg/c.py"]).audited == ("src/pkg/c.py",)


def test_elixir_prefers_lib_and_never_reads_deps_build_or_test(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path,
        {
            "lib/a.ex": "",
            "lib/b.exs": "",
            "config/c.ex": "",
            "deps/d/lib/d.ex": "",
            "_build/e.ex": "",
            "test/f.ex": "",
        },
    )
    assert elixir_sources(root).audited == ("lib/a.ex",)
    (root / "lib" / "a.ex").unlink()
    (root / "lib" / "b.exs").unlink()
    (root / "lib").rmdir()
    assert elixir_sources(root).audited == ("config/c.ex",)


def test_symlinks_are_not_followed(tmp_path: Path) -> None:
    outside = write_tree(tmp_path / "outside", {"secret.py": ""})
    root = write_tree(tmp_path / "repo", {"pkg/a.py": ""})
    os.symlink(outside, root / "pkg" / "link")
    os.symlink(root, root / "pkg" / "loop")
    os.symlink(outside / "secret.py", root / "pkg" / "b.py")
    assert python_sources(root).audited == ("pkg/a.py",)
