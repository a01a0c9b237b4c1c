"""The floor: the same files parsed by libcst and tree-sitter alone, in one process, nothing else.

Usage: python bench/floor.py PYTHON_ROOT ELIXIR_ROOT
"""

from __future__ import annotations

import sys
from pathlib import Path

import libcst
import tree_sitter_elixir
from tree_sitter import Language, Parser


def main(python_root: Path, elixir_root: Path) -> None:
    for path in sorted(python_root.rglob("*.py")):
        libcst.parse_module(path.read_bytes())
    parser = Parser(Language(tree_sitter_elixir.language()))
    for path in sorted(elixir_root.rglob("*.ex")):
        parser.parse(path.read_bytes())


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
