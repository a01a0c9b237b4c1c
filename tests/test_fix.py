"""`parity-audit fix`: the patch closes the gaps it claims and adds no finding, applies with `git apply`,
and every file it writes parses (and compiles, where Elixir is).

The proof loop: audit, plan the fix on a copy of the port, apply it, audit again. The findings after are
exactly the findings before less the missing-type, missing-field and missing-literal ones the plan claims:
none added, none changed, also where the port's own habit is one a rule flags.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import tempfile
from collections import Counter
from dataclasses import replace
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
from tests.injections import Injection, candidates, compatible, inject
from tests.sdkgen import (
    STRING_T,
    ExList,
    ExMap,
    ExText,
    ExType,
    ExUnion,
    ExValues,
    Port,
    Spec,
    generate_spec,
    write_pair,
    write_tree,
)

GOLDEN = Path(__file__).parent / "fixtures" / "fix_sample_repos.diff"
REGENERATE = os.environ.get("PARITY_REGENERATE_GOLDEN") == "1"


def _audit(python: Path, elixir: Path) -> AuditResult:
    return run_audit(AuditOptions(python, elixir))


def _identity(finding: Finding) -> tuple[str, str, str, str, str]:
    # A fixed missing type's later findings name the new module; the Python side and field identify them.
    side = finding.python_type or finding.elixir_type or ""
    return (finding.rule, finding.severity, side, finding.field or "", finding.message)


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
    assert all(f.rule in FIXED_RULES for f in plan.fixed)
    expected = Counter(map(_identity, before.findings)) - Counter(map(_identity, plan.fixed))
    assert sorted(map(_identity, after.findings)) == sorted(expected.elements())
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


def _port_with_drops(seed: int, drops: int) -> tuple[Spec, list[Injection], Port] | None:
    """A generated SDK, up to `drops` of its types or fields its port leaves out, and that port; None if the
    SDK has nothing to leave out."""
    rng = random.Random(seed)
    spec = generate_spec(
        rng, rng.randint(3, 7), fields_per_type=(1, 6), types_per_module=(1, 4), literal_alias_uses=0.4
    )
    droppable = [c for c in candidates(spec) if c.kind in ("drop-type", "drop-field")]
    if not droppable:
        return None
    injections = compatible(rng.sample(droppable, min(drops, len(droppable))), spec)
    return spec, injections, inject(spec, injections)[0]


def _proved(spec: Spec, port: Port) -> FixPlan:
    """The fix plan for the generated pair, proved by `prove` on a written copy of it."""
    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary)
        return prove(*write_pair(root, spec, port), root / "work", every_type=True)[0]


@settings(max_examples=30, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=0, max_value=10**6), st.integers(min_value=1, max_value=4))
def test_the_patch_closes_dropped_types_and_fields_of_generated_ports(seed: int, drops: int) -> None:
    dropped = _port_with_drops(seed, drops)
    if dropped is None:
        return
    spec, injections, port = dropped
    plan = _proved(spec, port)
    # Every dropped field is closed or listed; a dropped type too, unless nothing the port keeps needs it.
    handled = {(f.type_name, f.field) for f in plan.fixed} | {(n.where, None) for n in plan.not_placed}
    for injection in injections:
        if injection.kind == "drop-field":
            where = (injection.type_name, injection.fields[0])
            assert where in handled or (f"{where[0]}.{where[1]}", None) in handled, where


def _with_flagged_habits(port: Port) -> Port:
    """The port as one that keeps datetimes as strings and its Literal fields and enums as bare atoms:
    habits the audit flags (datetime-as-string, atom-enum), which the fix must not copy into what it writes."""

    def retyped(expr: ExType) -> ExType:
        match expr:
            case ExText(text="DateTime.t()"):
                return STRING_T
            case ExValues():
                return replace(expr, atoms=True)
            case ExList(item=item):
                return replace(expr, item=retyped(item))
            case ExMap(value=value):
                return replace(expr, value=retyped(value))
            case ExUnion(members=members):
                return ExUnion(tuple(map(retyped, members)))
        return expr

    modules = []
    for module in port.modules:
        if module.struct is not None:
            fields = tuple(replace(item, type=retyped(item.type)) for item in module.struct.fields)
            module = replace(module, struct=replace(module.struct, fields=fields))
        if isinstance(module.own_type, ExValues) and not module.converters:
            module = replace(module, own_type=replace(module.own_type, atoms=True))
        modules.append(module)
    return Port(tuple(modules))


@settings(max_examples=30, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=0, max_value=10**6), st.integers(min_value=1, max_value=4))
def test_a_habit_the_audit_flags_is_not_copied(seed: int, drops: int) -> None:
    dropped = _port_with_drops(seed, drops)
    if dropped is None:
        return
    spec, _, port = dropped
    _proved(spec, _with_flagged_habits(port))


_HABIT_PYTHON = {
    "shop/types/order.py": (
        "from datetime import datetime\nfrom enum import Enum\nfrom typing import Literal\n\n"
        "from pydantic import BaseModel\n\n\n"
        'class Speed(str, Enum):\n    FAST = "fast"\n    SLOW = "slow"\n\n\n'
        "class Receipt(BaseModel):\n    issued_at: datetime\n    blob: bytes\n\n\n"
        'class Stamp(BaseModel):\n    at: datetime\n    speed: Speed\n    source: Literal["web", "shop"]\n\n\n'
        'class Order(BaseModel):\n    id: str\n    kind: Literal["retail", "bulk"]\n    placed_at: datetime\n'
        "    paid_at: datetime\n"
        "    stamp: Stamp\n    receipt: Receipt | None = None\n"
    ),
}
# The port keeps datetimes as strings (datetime-as-string, P2) and Literals as atoms (atom-enum, info), and
# lacks Stamp, Speed, Receipt and paid_at.
_HABIT_ELIXIR = {
    "lib/shop/types/order.ex": (
        "defmodule Shop.Types.Order do\n  @enforce_keys [:id, :kind, :placed_at, :stamp]\n"
        "  defstruct [:id, :kind, :placed_at, :stamp, :receipt]\n\n"
        "  @type t :: %__MODULE__{\n          id: String.t(),\n          kind: :retail | :bulk,\n"
        "          placed_at: String.t(),\n"
        "          stamp: Shop.Types.Stamp.t(),\n          receipt: Shop.Types.Receipt.t() | nil\n        }\nend\n"
    ),
}


def test_the_fix_writes_the_clean_form_where_the_port_habit_is_flagged(tmp_path: Path) -> None:
    python = write_tree(tmp_path / "py", _HABIT_PYTHON)
    elixir = write_tree(tmp_path / "ex", _HABIT_ELIXIR)
    plan, diff, port = prove(python, elixir, tmp_path / "work", every_type=True)
    assert "placed_at: String.t()" in (port / "lib/shop/types/order.ex").read_text()  # the habit, untouched
    assert "paid_at: DateTime.t()" in diff
    stamp = (port / "lib/shop/types/stamp.ex").read_text()
    assert "at: DateTime.t()" in stamp and 'source: "web" | "shop"' in stamp
    assert sorted(plan.new_files) == ["lib/shop/types/speed.ex", "lib/shop/types/stamp.ex"]
    # No Elixir typespec is read as bytes: each form of `blob` draws bytes-as-base64, so Receipt is listed.
    assert [(item.where, item.reason) for item in plan.not_placed] == [
        ("Receipt", "the audit would report bytes-as-base64 on every form the fix can write for it")
    ]


def test_a_new_enum_takes_converters_where_bare_atoms_would_be_flagged(tmp_path: Path) -> None:
    enum_habit = {
        # One atom enum without converters: the port writes enums as bare atoms, which atom-enum notes.
        "lib/shop/types/mode.ex": "defmodule Shop.Types.Mode do\n  @type t :: :on | :off\nend\n",
        **_HABIT_ELIXIR,
    }
    python_with_mode = {
        "shop/types/mode.py": 'from enum import Enum\n\n\nclass Mode(str, Enum):\n    ON = "on"\n    OFF = "off"\n',
        **_HABIT_PYTHON,
    }
    python = write_tree(tmp_path / "py", python_with_mode)
    elixir = write_tree(tmp_path / "ex", enum_habit)
    _, _, port = prove(python, elixir, tmp_path / "work", every_type=True)
    speed = (port / "lib/shop/types/speed.ex").read_text()
    assert "@type t :: :fast | :slow" in speed
    assert 'def to_api(:fast), do: "fast"' in speed and 'def from_api("slow"), do: :slow' in speed
