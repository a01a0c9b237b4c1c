"""`parity-audit fix`: the patch closes the gaps it claims, adds no finding the port's own habits do not
already bring, applies with `git apply`, and every file it writes parses (and compiles, where Elixir is).

The proof loop: audit, plan the fix on a copy of the port, apply it, audit again. Every missing-type,
missing-field and missing-literal finding the plan claims must be gone; a new finding is allowed only for
a rule the port already shows (a habit the fix follows on purpose: atom enums without converters,
datetimes as strings, bytes as binaries).
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import tempfile
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor.audit import AuditOptions, AuditResult, run_audit
from auditor.cli import run
from auditor.elixir.syntax import first_syntax_error, parse
from auditor.findings import Finding
from auditor.fix import FIXED_RULES, FixPlan, plan_fix, unified_diff
from tests.conftest import SAMPLE_ELIXIR, SAMPLE_PYTHON
from tests.injections import candidates, compatible, inject
from tests.sdkgen import generate_spec, render_port, render_python, write_tree

GOLDEN = Path(__file__).parent / "fixtures" / "fix_sample_repos.diff"
REGENERATE = os.environ.get("PARITY_REGENERATE_GOLDEN") == "1"


def _audit(python: Path, elixir: Path) -> AuditResult:
    return run_audit(AuditOptions(python, elixir))


def _identity(finding: Finding) -> tuple[str, str, str]:
    # A fixed missing type's later findings name the new module; the Python side and field identify them.
    return (finding.rule, finding.python_type or "", finding.field or "")


def _apply(diff: str, root: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not on PATH: `git apply` cannot be checked")
    applied = subprocess.run(["git", "apply", "--allow-empty", "-"], input=diff.encode(), cwd=root, capture_output=True)
    assert applied.returncode == 0, applied.stderr.decode()


def prove(python: Path, elixir: Path, workdir: Path, every_type: bool = False) -> tuple[FixPlan, str, Path]:
    """Plans the fix on a copy of `elixir`, applies the printed diff there and audits again."""
    port = workdir / "port"
    shutil.copytree(elixir, port, symlinks=True)
    before = _audit(python, port)
    plan = plan_fix(before, port, every_type)
    diff = unified_diff(port, plan)
    _apply(diff, port)
    after = _audit(python, port)
    remaining = {_identity(f) for f in after.findings}
    assert all(f.rule in FIXED_RULES for f in plan.fixed)
    assert [f for f in plan.fixed if _identity(f) in remaining] == []
    new = Counter(map(_identity, after.findings)) - Counter(map(_identity, before.findings))
    habits = {finding.rule for finding in before.findings}
    assert [key for key in new.elements() if key[0] not in habits] == []
    for path in plan.new_files:
        source = (port / path).read_bytes()
        assert first_syntax_error(parse(source).root_node) is None, path
    for path in plan.insertions:
        assert first_syntax_error(parse((port / path).read_bytes()).root_node) is None, path
    return plan, diff, port


def test_the_sample_patch_is_pinned(tmp_path: Path) -> None:
    plan, diff, _ = prove(SAMPLE_PYTHON, SAMPLE_ELIXIR, tmp_path)
    if REGENERATE:
        GOLDEN.write_text(diff)
    assert diff == GOLDEN.read_text()
    assert sorted((f.rule, f.type_name, f.field) for f in plan.fixed) == [
        ("missing-field", "Asset", "filename"),
        ("missing-field", "PrintOrder", "notes"),
        ("missing-field", "ProofJob", "metadata"),
        ("missing-literal", "ImageLayer", "type"),
        ("missing-type", "Orientation", None),
    ]
    assert plan.not_placed == []


def test_every_missing_type_of_the_sample_is_created_with_all(tmp_path: Path) -> None:
    plan, _, port = prove(SAMPLE_PYTHON, SAMPLE_ELIXIR, tmp_path, every_type=True)
    assert sorted(plan.new_files) == ["lib/pixelmill/types/orientation.ex", "lib/pixelmill/types/shape_layer.ex"]
    shape_layer = (port / "lib/pixelmill/types/shape_layer.ex").read_text()
    assert "(pixelmill/types/layer.py:23)" in shape_layer
    assert 'type: "shape"' in shape_layer


def test_fix_write_applies_what_fix_prints(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    printed, written = tmp_path / "printed", tmp_path / "written"
    shutil.copytree(SAMPLE_ELIXIR, printed)
    shutil.copytree(SAMPLE_ELIXIR, written)
    assert run(["fix", str(SAMPLE_PYTHON), str(printed), "--no-cache"]) == 0
    _apply(capsys.readouterr().out, printed)
    assert run(["fix", str(SAMPLE_PYTHON), str(written), "--no-cache", "--write"]) == 0
    assert "5 findings closed" in capsys.readouterr().err
    for path in sorted(p.relative_to(printed) for p in printed.rglob("*") if p.is_file()):
        assert (written / path).read_bytes() == (printed / path).read_bytes(), path


def test_a_checkout_named_fix_is_still_audited(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(SAMPLE_PYTHON, tmp_path / "fix")
    monkeypatch.chdir(tmp_path)
    assert run(["fix", str(SAMPLE_ELIXIR), "--no-cache", "--fail-on", "never", "--format", "json"]) == 0


def test_fix_refuses_a_missing_checkout_in_one_sentence(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["fix", str(SAMPLE_PYTHON), str(tmp_path / "absent"), "--no-cache"]) == 2
    error = capsys.readouterr().err.strip()
    assert error.startswith("parity-audit: ") and error.count("\n") == 0


def test_generated_defstruct_modules_compile(tmp_path: Path) -> None:
    elixirc = shutil.which("elixirc")
    if elixirc is None:
        pytest.skip("no Elixir compiler (elixirc) on PATH: generated modules are only parsed, not compiled")
    plan, _, port = prove(SAMPLE_PYTHON, SAMPLE_ELIXIR, tmp_path, every_type=True)
    # Compiled without Jason: the derive is dropped, everything else is as generated.
    sources = []
    for path in sorted(plan.new_files):
        text = (port / path).read_text().replace("  @derive Jason.Encoder\n", "")
        sources.append(tmp_path / Path(path).name)
        sources[-1].write_text(text)
    compiled = subprocess.run(
        [elixirc, "-o", str(tmp_path / "ebin"), *map(str, sources)], capture_output=True, text=True, timeout=300
    )
    assert compiled.returncode == 0, compiled.stderr


@settings(max_examples=30, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=0, max_value=10**6), st.integers(min_value=1, max_value=4))
def test_the_patch_closes_dropped_types_and_fields_of_generated_ports(seed: int, drops: int) -> None:
    rng = random.Random(seed)
    spec = generate_spec(
        rng, rng.randint(3, 7), fields_per_type=(1, 6), types_per_module=(1, 4), literal_alias_uses=0.4
    )
    droppable = [c for c in candidates(spec) if c.kind in ("drop-type", "drop-field")]
    if not droppable:
        return
    injections = compatible(rng.sample(droppable, min(drops, len(droppable))), spec)
    port, _ = inject(spec, injections)
    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary)
        python = write_tree(root / "py", render_python(spec))
        elixir = write_tree(root / "ex", render_port(port, spec.package))
        plan, _, _ = prove(python, elixir, root / "work", every_type=True)
    # Every dropped field is closed or listed; a dropped type too, unless nothing the port keeps needs it.
    handled = {(f.type_name, f.field) for f in plan.fixed} | {(n.where, None) for n in plan.not_placed}
    for injection in injections:
        if injection.kind == "drop-field":
            where = (injection.type_name, injection.fields[0])
            assert where in handled or (f"{where[0]}.{where[1]}", None) in handled, where
