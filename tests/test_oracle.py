"""The oracle: a random SDK, a faithful port with known differences put in, the exact findings and pairs.

Hypothesis draws a small spec (tests.sdkgen), a set of non-interfering injections (tests.injections),
each one known difference that one catalog rule must report on one type or field, and renames
(tests.renames): types the port keeps under another module path or as a local type, and same-name
false friends of another kind (or a struct of other fields). Both trees are written to disk and audited
through the real command line code path (`auditor.cli.app`, `--format json`, no pins). The findings
must be exactly the injected ones plus the spec's inherent ones (bytes-as-base64, extra-type for a
false friend), with the same rule, type, field and severity; and every Python type must pair with
exactly the Elixir module or local type the port keeps it as, found the way its rename allows
(`alignment.how`), or with none when the port dropped it.

Without renames, inference has nothing to find: the report is byte-identical with `--no-infer`.
With a warm cache, per-file and whole-result, the report is byte-identical with a `--no-cache` run.

`PARITY_ORACLE_EXAMPLES=5000` runs the nightly-size oracle: the same scenarios, seeded by
`PARITY_ORACLE_SEED` (default 0), counted to the end instead of stopping at the first failure.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
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
from tests.sdkgen import ExpectedFinding, Spec, generate_spec, render_port, render_python, write_pair, write_tree

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
    spec = generate_spec(
        rng, type_count, fields_per_type=(1, 6), types_per_module=(1, 4), literal_alias_uses=0.4, wire_keys=0.4
    )
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


@dataclass(frozen=True)
class PairDifference:
    """One Python type paired otherwise than the scenario says; `cause` is what the scenario did to it
    (its rename, or none, and the injections on it), so that a long run can count differences by cause."""

    text: str
    cause: str


@dataclass
class Outcome:
    """How one audit differs from what the scenario says it must report."""

    unexpected: list[FindingKey]
    missing: list[FindingKey]
    wrong: list[PairDifference]
    """Python types paired with another Elixir type than their own, or paired when they must not be."""
    missed: list[PairDifference]
    """Python types left unpaired although the port has their counterpart."""
    otherwise: list[PairDifference]
    """Right pairs found by another tier than the rename allows (a path rename found by shape)."""
    details: str
    listing: str
    """Both source trees, to show with a failing example."""

    @property
    def clean(self) -> bool:
        return not (self.unexpected or self.missing or self.wrong or self.missed or self.otherwise)

    def summary(self) -> str:
        return (
            f"wrong pairs: {len(self.wrong)}, missed pairs: {len(self.missed)}, "
            f"found another way: {len(self.otherwise)}\n"
            + "".join(f"  {d.text} [{d.cause}]\n" for d in (*self.wrong, *self.missed, *self.otherwise))
            + f"unexpected findings: {self.unexpected}\nmissing findings: {self.missing}\n{self.details}"
        )


def _cause(spec: Spec, injections: list[Injection], name: str) -> str:
    rename = spec.renamed(name)
    kinds = sorted({injection.kind for injection in injections if injection.type_name == name})
    kind = type(spec.named(name)).__name__.removesuffix("Spec")
    return " + ".join([f"{kind} {rename.way if rename else 'kept its name'}", *kinds])


def _pair_differences(
    spec: Spec, injections: list[Injection], report: dict
) -> tuple[list[PairDifference], list[PairDifference], list[PairDifference]]:
    dropped = {injection.type_name for injection in injections if injection.kind == "drop-type"}
    expected = expected_pairs(spec, dropped)
    actual = {entry["python"]["name"]: entry for entry in report["types"] if entry["python"] is not None}
    wrong = [
        PairDifference(f"{name}: not a type of the spec, paired as {actual[name]['elixir']}", "unknown")
        for name in sorted(actual.keys() - expected)
    ]
    missed: list[PairDifference] = []
    otherwise: list[PairDifference] = []
    for name, want in sorted(expected.items()):
        entry = actual.get(name)
        got = entry["elixir"]["module"] if entry is not None and entry["elixir"] is not None else None
        cause = _cause(spec, injections, name)
        if got is None and want.elixir is not None:
            missed.append(PairDifference(f"{name}: expected {want.elixir}, got none", cause))
        elif got != want.elixir:
            alignment = entry and entry["alignment"]
            wrong.append(PairDifference(f"{name}: expected {want.elixir or 'none'}, got {got} ({alignment})", cause))
        elif entry is not None and got is not None and entry["alignment"]["how"] not in want.hows:
            hows = "/".join(sorted(want.hows))
            otherwise.append(PairDifference(f"{name}: {got} found as {entry['alignment']}, expected {hows}", cause))
    return wrong, missed, otherwise


def check_scenario(spec: Spec, injections: list[Injection]) -> Outcome:
    port, expected = inject(spec, injections)
    python_files = render_python(spec)
    elixir_files = render_port(port, spec.package)
    renames = ", ".join(f"{r.name} ({r.way})" for r in spec.renames) or "none"
    description = f"injections: {', '.join(map(str, injections)) or 'none'}\nrenames: {renames}"
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
        f"{_listing(python_files)}\n{_listing(elixir_files)}",
    )


def observed(spec: Spec, injections: list[Injection]) -> Outcome:
    """`check_scenario` inside a hypothesis test: what was drawn is counted, a failure shows both trees."""
    for injection in injections:
        event(injection.kind)
    for rename in spec.renames:
        event(f"rename: {rename.way}")
    for friend in spec.false_friends:
        event(f"false friend: {friend.kind}")
    outcome = check_scenario(spec, injections)
    note(outcome.listing)
    return outcome


@settings(max_examples=200, deadline=None, derandomize=True, suppress_health_check=SLOW_AND_LARGE)
@given(scenarios())
def test_the_audit_reports_exactly_the_injected_differences_and_pairs(scenario: tuple[Spec, list[Injection]]) -> None:
    outcome = observed(*scenario)
    assert outcome.clean, outcome.summary()


@pytest.mark.parametrize("seed", [0, 2, 7])
def test_a_large_renamed_port_pairs_every_type(seed: int) -> None:
    # Sixty types of six to fourteen fields, most of them renamed: a type inferred by shape has
    # many rivals that share its words and field names, which the oracle's small specs never have.
    rng = random.Random(seed)
    spec = rename_port(generate_spec(rng, 60, literal_alias_uses=0.2), rng, [])
    assert len(spec.renames) >= 30
    outcome = check_scenario(spec, [])
    assert outcome.clean, outcome.summary()


@settings(max_examples=100, deadline=None, derandomize=True, suppress_health_check=SLOW_AND_LARGE)
@given(scenarios(renamed=False))
def test_without_renames_inference_changes_nothing(scenario: tuple[Spec, list[Injection]]) -> None:
    spec, injections = scenario
    port, _ = inject(spec, injections)
    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary)
        python_root, elixir_root = write_pair(root, spec, port)
        assert _audit(python_root, elixir_root) == _audit(python_root, elixir_root, "--no-infer")


@dataclass
class Tally:
    """Every outcome of a long run: pair differences counted by cause, and the smallest example of each."""

    examples: int = 0
    failed: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    covered: Counter[str] = field(default_factory=Counter)
    smallest: dict[str, tuple[int, str]] = field(default_factory=dict)

    def add(self, spec: Spec, outcome: Outcome) -> None:
        self.examples += 1
        self.failed += not outcome.clean
        self.covered.update(f"rename {rename.way}" for rename in spec.renames)
        self.covered.update(f"false friend {friend.kind}" for friend in spec.false_friends)
        found: list[str] = [
            *(f"wrong pair: {d.cause}" for d in outcome.wrong),
            *(f"missed pair: {d.cause}" for d in outcome.missed),
            *(f"found another way: {d.cause}" for d in outcome.otherwise),
        ]
        if outcome.unexpected or outcome.missing:
            found.append("wrong findings")
        self.counts.update(found)
        size = len(spec.types)
        for kind in found:
            if size < self.smallest.get(kind, (size + 1, ""))[0]:
                self.smallest[kind] = (size, outcome.summary())

    def total(self, prefix: str) -> int:
        return sum(count for kind, count in self.counts.items() if kind.startswith(prefix))

    def report(self) -> str:
        lines = [
            f"{self.examples} examples, {self.failed} failed: {self.total('wrong pair')} wrong pairs, "
            f"{self.total('missed pair')} missed pairs, {self.total('found another way')} found another way, "
            f"{self.counts['wrong findings']} examples with wrong findings",
            *(f"  {count:5} {kind}" for kind, count in sorted(self.counts.items())),
            "covered: " + ", ".join(f"{kind} {count}" for kind, count in sorted(self.covered.items())),
        ]
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
        tally.add(scenario[0], observed(*scenario))

    run()
    print(tally.report())
    assert tally.failed == 0, tally.report()


@pytest.fixture(scope="module")
def warm_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache for every example: what earlier examples stored (the same generated files recur across
    them, under other roots) is warm for the later ones."""
    return tmp_path_factory.mktemp("oracle-cache")


@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=SLOW_AND_LARGE)
@given(scenarios())
def test_a_warm_cache_changes_no_oracle_report(warm_cache: Path, scenario: tuple[Spec, list[Injection]]) -> None:
    spec, injections = scenario
    port, _ = inject(spec, injections)
    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary)
        python, elixir = write_pair(root, spec, port)
        uncached = _audit(python, elixir, "--no-cache")
        # As a user runs it, so that the second run is answered by the whole-result cache, which is
        # consulted before the command line code this process would run.
        command = [sys.executable, "-m", "auditor", str(python), str(elixir), "--format", "json"]
        command += ["--fail-on", "never", "--cache-dir", str(warm_cache)]
        for _ in ("filling the cache", "served by it"):
            run = subprocess.run(command, capture_output=True, text=True, check=False)
            assert (run.returncode, run.stdout) == (0, uncached), run.stderr
