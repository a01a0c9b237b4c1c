"""The oracle: a random SDK, a faithful port with known differences put in, the exact findings and pairs.

Hypothesis draws a small spec (tests.sdkgen), a set of non-interfering injections (tests.injections),
each one known difference that one catalog rule must report on one type or field, and renames
(tests.renames): types the port keeps under another module path or as a local type, and same-name
false friends of another kind. Both trees are written to disk and audited through the real command
line code path (`auditor.cli.app`, `--format json`, no pins). The findings must be exactly the injected
ones plus the spec's inherent ones (bytes-as-base64, extra-type for a false friend), with the same
rule, type, field and severity; and every Python type must pair with exactly the Elixir module or
local type the port keeps it as, found the way its rename allows, or with none when the port dropped it.

`PARITY_ORACLE_EXAMPLES=5000` runs the nightly-size oracle: the same scenarios, seeded by
`PARITY_ORACLE_SEED` (default 0), counted to the end instead of stopping at the first failure.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, event, given, note, seed, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from auditor.cli import app
from tests.injections import Injection, candidates, compatible, inject
from tests.renames import expected_pairs, rename_port
from tests.sdkgen import ExpectedFinding, Spec, generate_spec, render_port, render_python, write_tree

RUNNER = CliRunner()
MAX_INJECTIONS = 8
NIGHTLY_EXAMPLES = int(os.environ.get("PARITY_ORACLE_EXAMPLES", "0"))
NIGHTLY_SEED = int(os.environ.get("PARITY_ORACLE_SEED", "0"))
SLOW_AND_LARGE = [HealthCheck.too_slow, HealthCheck.data_too_large]

FindingKey = tuple[str, str, str, str]


@st.composite
def scenarios(draw: st.DrawFn, renamed: bool = True) -> tuple[Spec, list[Injection]]:
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
    injections = compatible(chosen, spec)
    # Renames come last: which types they may touch depends on what the injections did to them.
    return (rename_port(spec, rng, injections) if renamed else spec), injections


def _audit(python_root: Path, elixir_root: Path, *options: str) -> str:
    arguments = [str(python_root), str(elixir_root), "--format", "json", "--fail-on", "never", *options]
    result = RUNNER.invoke(app, arguments)
    assert result.exit_code == 0, result.output
    return result.stdout


def _listing(files: dict[str, str]) -> str:
    return "\n".join(f"--- {path}\n{text}" for path, text in sorted(files.items()))


def _key(finding: ExpectedFinding) -> FindingKey:
    return (finding.rule, finding.severity, finding.type, finding.field or "-")


@dataclass
class Outcome:
    """How one audit differs from what the scenario says it must report."""

    unexpected: list[FindingKey]
    missing: list[FindingKey]
    wrong: list[str]
    """Python types paired with another Elixir type than their own, or paired when they must not be."""
    missed: list[str]
    """Python types left unpaired although the port has their counterpart."""
    otherwise: list[str]
    """Right pairs found by another tier than the rename allows (a path rename found by shape)."""
    details: str

    @property
    def clean(self) -> bool:
        return not (self.unexpected or self.missing or self.wrong or self.missed or self.otherwise)

    def summary(self) -> str:
        return (
            f"wrong pairs: {len(self.wrong)}, missed pairs: {len(self.missed)}, "
            f"found another way: {len(self.otherwise)}\n"
            + "".join(f"  {line}\n" for line in (*self.wrong, *self.missed, *self.otherwise))
            + f"unexpected findings: {self.unexpected}\nmissing findings: {self.missing}\n{self.details}"
        )


def _pair_differences(spec: Spec, injections: list[Injection], report: dict) -> tuple[list[str], ...]:
    dropped = {injection.type_name for injection in injections if injection.kind == "drop-type"}
    expected = expected_pairs(spec, dropped)
    actual = {entry["python"]["name"]: entry for entry in report["types"] if entry["python"] is not None}
    wrong = [f"{name}: not a type of the spec, paired as {actual[name]['elixir']}" for name in actual.keys() - expected]
    missed: list[str] = []
    otherwise: list[str] = []
    for name, want in sorted(expected.items()):
        entry = actual.get(name)
        got = entry["elixir"]["module"] if entry is not None and entry["elixir"] is not None else None
        if got is None and want.elixir is not None:
            missed.append(f"{name}: expected {want.elixir}, got none")
        elif got != want.elixir:
            wrong.append(f"{name}: expected {want.elixir or 'none'}, got {got} ({entry and entry['alignment']})")
        elif entry is not None and got is not None and entry["alignment"]["how"] not in want.hows:
            otherwise.append(f"{name}: {got} found as {entry['alignment']}, expected {'/'.join(sorted(want.hows))}")
    return wrong, missed, otherwise


def check_scenario(spec: Spec, injections: list[Injection]) -> Outcome:
    port, expected = inject(spec, injections)
    python_files = render_python(spec)
    elixir_files = render_port(port, spec.package)
    for injection in injections:
        event(injection.kind)
    for rename in spec.renames:
        event(f"rename: {rename.way}")
    for friend in spec.false_friends:
        event(f"false friend: {friend.kind}")
    renames = ", ".join(f"{r.name} ({r.way})" for r in spec.renames) or "none"
    description = f"injections: {', '.join(map(str, injections)) or 'none'}\nrenames: {renames}"
    note(description)
    note(_listing(python_files))
    note(_listing(elixir_files))
    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary)
        report = json.loads(_audit(write_tree(root / "py", python_files), write_tree(root / "ex", elixir_files)))
    actual = Counter(
        _key(ExpectedFinding(f["rule"], f["severity"], f["type"], f["field"])) for f in report["findings"]
    )
    wanted = Counter(_key(finding) for finding in expected)
    wrong, missed, otherwise = _pair_differences(spec, injections, report)
    return Outcome(
        sorted((actual - wanted).elements()),
        sorted((wanted - actual).elements()),
        wrong,
        missed,
        otherwise,
        f"{description}\ndiagnostics: {report['diagnostics']}",
    )


@settings(max_examples=200, deadline=None, derandomize=True, suppress_health_check=SLOW_AND_LARGE)
@given(scenarios())
def test_the_audit_reports_exactly_the_injected_differences_and_pairs(scenario: tuple[Spec, list[Injection]]) -> None:
    outcome = check_scenario(*scenario)
    assert outcome.clean, outcome.summary()


@settings(max_examples=100, deadline=None, derandomize=True, suppress_health_check=SLOW_AND_LARGE)
@given(scenarios(renamed=False))
def test_without_renames_inference_changes_nothing(scenario: tuple[Spec, list[Injection]]) -> None:
    spec, injections = scenario
    port, _ = inject(spec, injections)
    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary)
        python_root = write_tree(root / "py", render_python(spec))
        elixir_root = write_tree(root / "ex", render_port(port, spec.package))
        assert _audit(python_root, elixir_root) == _audit(python_root, elixir_root, "--no-infer")


@dataclass
class Tally:
    """Every outcome of a long run, and the smallest failing example of each kind of failure."""

    examples: int = 0
    failed: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    smallest: dict[str, tuple[int, str]] = field(default_factory=dict)

    def add(self, spec: Spec, outcome: Outcome) -> None:
        self.examples += 1
        self.failed += not outcome.clean
        kinds = {
            "wrong pairs": len(outcome.wrong),
            "missed pairs": len(outcome.missed),
            "pairs found another way": len(outcome.otherwise),
            "examples with wrong findings": int(bool(outcome.unexpected or outcome.missing)),
        }
        self.counts.update(kinds)
        size = len(spec.types)
        for kind, count in kinds.items():
            if count and size < self.smallest.get(kind, (size + 1, ""))[0]:
                self.smallest[kind] = (size, outcome.summary())

    def report(self) -> str:
        counts = ", ".join(f"{kind}: {self.counts[kind]}" for kind in sorted(self.counts))
        lines = [f"{self.examples} examples, {self.failed} failed; {counts}"]
        for kind, (size, summary) in sorted(self.smallest.items()):
            lines.append(f"--- smallest example with {kind} ({size} types):\n{summary}")
        return "\n".join(lines)


@pytest.mark.skipif(
    not NIGHTLY_EXAMPLES,
    reason="the nightly-size oracle runs only with PARITY_ORACLE_EXAMPLES set (e.g. 5000; PARITY_ORACLE_SEED=0)",
)
def test_nightly_oracle_counts_wrong_and_missed_pairs() -> None:
    tally = Tally()

    @seed(NIGHTLY_SEED)
    @settings(
        max_examples=NIGHTLY_EXAMPLES,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=SLOW_AND_LARGE,
    )
    @given(scenarios())
    def run(scenario: tuple[Spec, list[Injection]]) -> None:
        tally.add(scenario[0], check_scenario(*scenario))

    run()
    print(tally.report())
    assert tally.failed == 0, tally.report()
