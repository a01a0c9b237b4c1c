"""The oracle: a random SDK, a faithful port with known differences put in, and the exact findings.

Hypothesis draws a small spec (tests.sdkgen) and a set of non-interfering injections
(tests.injections), each one known difference that one catalog rule must report on one type or
field. Both trees are written to disk and audited through the real command line code path
(`auditor.cli.app`, `--format json`); the findings must be exactly the injected ones plus the
spec's inherent ones (bytes-as-base64), with the same rule, type, field and severity.
"""

from __future__ import annotations

import json
import tempfile
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from auditor.cli import app
from tests.injections import Injection, candidates, compatible, inject
from tests.sdkgen import ExpectedFinding, Spec, generate_spec, render_port, render_python, write_tree

RUNNER = CliRunner()
MAX_INJECTIONS = 8


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[Spec, list[Injection]]:
    rng = draw(st.randoms(use_true_random=False))
    type_count = draw(st.integers(min_value=2, max_value=8))
    spec = generate_spec(rng, type_count, fields_per_type=(1, 6), types_per_module=(1, 4))
    # The kind is drawn first, so that kinds that fit few places are drawn as often as the others.
    by_kind: dict[str, list[Injection]] = {}
    for candidate in candidates(spec):
        by_kind.setdefault(candidate.kind, []).append(candidate)
    picks = st.tuples(st.sampled_from(sorted(by_kind)), st.integers(min_value=0, max_value=999))
    count = draw(st.integers(min_value=1, max_value=MAX_INJECTIONS))
    drawn = draw(st.lists(picks, min_size=count, max_size=count))
    chosen = [by_kind[kind][index % len(by_kind[kind])] for kind, index in drawn]
    return spec, compatible(chosen, spec)


def _audit(python_root: Path, elixir_root: Path) -> dict:
    result = RUNNER.invoke(app, [str(python_root), str(elixir_root), "--format", "json", "--fail-on", "never"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _listing(files: dict[str, str]) -> str:
    return "\n".join(f"--- {path}\n{text}" for path, text in sorted(files.items()))


def _key(finding: ExpectedFinding) -> tuple[str, str, str, str]:
    return (finding.rule, finding.severity, finding.type, finding.field or "-")


@settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(scenarios())
def test_the_audit_reports_exactly_the_injected_differences(scenario: tuple[Spec, list[Injection]]) -> None:
    check_scenario(*scenario)


def check_scenario(spec: Spec, injections: list[Injection]) -> None:
    port, expected = inject(spec, injections)
    python_files = render_python(spec)
    elixir_files = render_port(port, spec.package)
    for injection in injections:
        event(injection.kind)
    note(f"injections: {', '.join(map(str, injections)) or 'none'}")
    note(_listing(python_files))
    note(_listing(elixir_files))
    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary)
        report = _audit(write_tree(root / "py", python_files), write_tree(root / "ex", elixir_files))
    actual = Counter(
        _key(ExpectedFinding(f["rule"], f["severity"], f["type"], f["field"])) for f in report["findings"]
    )
    wanted = Counter(_key(finding) for finding in expected)
    assert actual == wanted, (
        f"unexpected: {sorted((actual - wanted).elements())}\nmissing: {sorted((wanted - actual).elements())}\n"
        f"injections: {[str(i) for i in injections]}\ndiagnostics: {report['diagnostics']}"
    )
