"""A file that does not parse becomes a diagnostic; everything else is still audited."""

from __future__ import annotations

from pathlib import Path

from auditor.audit import AuditOptions, run_audit
from tests.conftest import write_tree

MODELS = (
    "from pydantic import BaseModel\n\nclass Invoice(BaseModel):\n    total: int\n\n"
    "class Receipt(BaseModel):\n    total: str\n"
)
PORT = (
    "defmodule Shop.Invoice do\n  defstruct [:total]\n  @type t :: %__MODULE__{total: String.t()}\nend\n"
    "defmodule Shop.Receipt do\n  defstruct [:total]\n  @type t :: %__MODULE__{total: String.t()}\nend\n"
)


def _audit(tmp_path: Path, python_extra: dict[str, str | bytes], elixir_extra: dict[str, str | bytes]):
    python = write_tree(tmp_path / "py", {"shop/__init__.py": "", "shop/types.py": MODELS})
    elixir = write_tree(tmp_path / "ex", {"lib/shop.ex": PORT})
    for root, extra in ((python, python_extra), (elixir, elixir_extra)):
        for relative, content in extra.items():
            path = root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content)
    return run_audit(AuditOptions(python, elixir))


def _summary(result) -> list[tuple[str, str, str | None]]:
    return sorted((f.rule, f.type_name, f.field or "") for f in result.findings)


def test_broken_files_are_diagnostics_and_the_rest_is_audited(tmp_path: Path) -> None:
    clean = _audit(tmp_path / "clean", {}, {})
    broken = _audit(
        tmp_path / "broken",
        {"shop/bad.py": "class Broken(BaseModel):\n    x: int = = 3\n", "shop/binary.py": b"\x00\xff\xfe\x00garbage"},
        {"lib/bad.ex": "defmodule Bad do\n  defstruct [:a\nend\n", "lib/latin1.ex": b"defmodule L do \xe9 end"},
    )
    assert _summary(broken) == _summary(clean) == [("type-mismatch", "Invoice", "total")]
    reported = {(side, d.path, d.level) for side, d in broken.diagnostics}
    assert reported == {
        ("python", "shop/bad.py", "error"),
        ("python", "shop/binary.py", "error"),
        ("elixir", "lib/bad.ex", "error"),
        ("elixir", "lib/latin1.ex", "error"),
    }
    lines = {d.path: d.line for _, d in broken.diagnostics}
    assert lines["shop/bad.py"] == 2
    assert lines["lib/bad.ex"] >= 2
