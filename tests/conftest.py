"""Shared helpers: write small Python/Elixir source trees and audit them."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.audit import AuditOptions, AuditResult, run_audit
from tests.sdkgen import write_tree

__all__ = ["REPO_ROOT", "SAMPLE_ELIXIR", "SAMPLE_PYTHON", "audit_sources", "write_tree"]

REPO_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_PYTHON = REPO_ROOT / "sample_repos" / "python_sdk"
SAMPLE_ELIXIR = REPO_ROOT / "sample_repos" / "elixir_sdk"


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
