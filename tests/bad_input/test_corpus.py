"""Each bad file, added to a copy of the sample repos and audited by the real CLI, becomes at most a
diagnostic: no traceback, the exit code the findings dictate, and every other finding unchanged."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.bad_input.corpus import (
    CASES,
    BadCase,
    copy_samples,
    dense_python,
    failing_exit_code,
    findings_outside,
    run_cli,
    unreadable_file_support,
)


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The JSON report of the untouched sample repos."""
    python_root, elixir_root = copy_samples(tmp_path_factory.mktemp("baseline"))
    run = run_cli(python_root, elixir_root, "--format", "json")
    assert "Traceback" not in run.stderr
    document = run.document()
    assert run.returncode == failing_exit_code(document) == 1
    return document


def _type_names(document: dict[str, Any]) -> set[str]:
    return {entry["name"] for entry in document["types"]}


def _without_inferred_scores(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """An inferred pair's score weighs each field name by how rare it is in the whole SDK, so a
    file that adds types may move it by a hundredth; how the pair was found and its evidence may not
    change."""
    inferred = {"shape", "local-type"}
    return [
        {**entry, "alignment": {**entry["alignment"], "score": None}}
        if entry["alignment"] and entry["alignment"]["how"] in inferred
        else entry
        for entry in entries
    ]


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_bad_file_never_costs_the_rest_of_the_audit(
    case: BadCase, baseline: dict[str, Any], tmp_path: Path
) -> None:
    preexec = None
    if case.needs_unreadable:
        preexec, reason = unreadable_file_support(tmp_path)
        if reason is not None:
            pytest.skip(f"cannot make a file unreadable to the tool: {reason}")
    python_root, elixir_root = copy_samples(tmp_path / "checkouts")
    root = python_root if case.side == "python" else elixir_root
    case.build(root, case.relative, tmp_path / "outside")

    run = run_cli(python_root, elixir_root, "--format", "json", timeout=case.timeout, preexec_fn=preexec)

    assert "Traceback" not in run.stderr, run.stderr[-3000:]
    assert run.stderr == ""
    document = run.document()
    assert run.returncode == failing_exit_code(document)
    assert findings_outside(document, {case.relative}) == baseline["findings"]
    other_diagnostics = [d for d in document["diagnostics"] if d["path"] != case.relative]
    assert other_diagnostics == baseline["diagnostics"]
    own = [d for d in document["diagnostics"] if d["path"] == case.relative]
    if case.diagnosed:
        assert own, f"no diagnostic names {case.relative}"
        assert all(d["side"] == case.side and d["line"] >= 1 and d["message"] for d in own), own
    assert set(case.audited_types) <= _type_names(document)
    assert not set(case.hidden_types) & _type_names(document)
    assert _without_inferred_scores(baseline["types"]) == _without_inferred_scores(
        [
            entry
            for entry in document["types"]
            if not any(side and side["path"] == case.relative for side in (entry["python"], entry["elixir"]))
        ]
    )


def test_dense_five_megabyte_python_file_is_audited(tmp_path: Path) -> None:
    """200 models and a 100k-row data table: the table is cut before libcst parses the file, which
    otherwise takes about a minute on it (the timeout only guards against a hang)."""
    python_root, elixir_root = copy_samples(tmp_path)
    (python_root / "pixelmill/types/zz_dense.py").write_text(dense_python(), encoding="utf-8")
    run = run_cli(python_root, elixir_root, "--format", "json", "--fail-on", "never", timeout=120)
    assert run.returncode == 0
    assert "Generated0" in _type_names(run.document())
