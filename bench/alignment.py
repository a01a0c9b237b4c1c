"""Benchmark: the alignment stage alone, in process, on the 10,000-type synthetic SDK pair.

The pair's two side models are extracted once by the real pipeline (`run_audit`, stopped as it reaches
the alignment), then `align` alone is timed, median of several runs, in three scenarios:

- faithful: the port as generated, every type found by its name;
- renamed: every Elixir type moved and renamed (`Acme.Types.Name` -> `Acme.Types.Renamed.NameV2`, a
  local type `kind` -> `kind_v2`, every reference following), so that neither the name nor the path
  tier finds any, and all of them go through shape inference;
- renamed-no-infer: the same with inference off (`--no-infer`), the cost of the name tiers alone.

Each line reports the median seconds, the pairs found (by how), and for the renamed port how many of
them are the faithful port's pairs.

Usage: python bench/alignment.py [--types 10000] [--runs 5] [--scenario NAME ...] [--profile NAME]
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from unittest import mock

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from auditor import audit  # noqa: E402
from auditor.align import Alignment, align, common_root  # noqa: E402
from auditor.model import (  # noqa: E402
    ListOf,
    MapOf,
    Ref,
    SideModel,
    TupleOf,
    TypeDef,
    TypeExpr,
    UnionOf,
    references,
)
from tests.sdkgen import generate_spec, render_elixir, render_python, write_tree  # noqa: E402

SCENARIOS = ("faithful", "renamed", "renamed-no-infer")
LIMIT = 0.5
"""Seconds the alignment may take at 10,000 types, whatever the port renamed."""


class _Reached(Exception):
    """Raised by the stand-in for `align`: the side models are known, the rest of the audit is not needed."""

    def __init__(self, python: SideModel, elixir: SideModel) -> None:
        super().__init__()
        self.python, self.elixir = python, elixir


def generate(types: int, directory: Path) -> tuple[Path, Path]:
    """The synthetic pair of `types` types, written under `directory` as `bench/run.py` writes it."""
    spec = generate_spec(random.Random(types), types)
    return (
        write_tree(directory / "python", render_python(spec)),
        write_tree(directory / "elixir", render_elixir(spec)),
    )


def extract(python: Path, elixir: Path) -> tuple[SideModel, SideModel]:
    """The two side models as the audit extracts them (no cache, every core)."""

    def reached(python: SideModel, elixir: SideModel, name_map: Mapping[str, str], infer: bool = True) -> Alignment:
        raise _Reached(python, elixir)

    with mock.patch.object(audit, "align", reached):
        try:
            audit.run_audit(audit.AuditOptions(python, elixir, jobs=os.cpu_count() or 1))
        except _Reached as models:
            return models.python, models.elixir
    raise AssertionError("the audit never reached the alignment")


# ---------------------------------------------------------------------------------------------
# The renamed port
# ---------------------------------------------------------------------------------------------


def _renamed_module(module: str, root: int) -> str:
    """`Acme.Types.Parent.Child` -> `Acme.Types.Renamed.ParentV2.ChildV2` (root = 2 segments)."""
    segments = module.split(".")
    return ".".join((*segments[:root], "Renamed", *(f"{segment}V2" for segment in segments[root:])))


def _rewritten(expr: TypeExpr | None, qualnames: Mapping[str, str]) -> TypeExpr | None:
    """The expression with every reference to a renamed type following the rename."""
    match expr:
        case Ref(qualname=qualname):
            return Ref(qualnames.get(qualname, qualname))
        case ListOf(item=item):
            return ListOf(_rewritten(item, qualnames))
        case MapOf(key=key, value=value):
            return MapOf(_rewritten(key, qualnames), _rewritten(value, qualnames))
        case TupleOf(items=items):
            return TupleOf(tuple(_rewritten(item, qualnames) for item in items))
        case UnionOf(members=members, discriminator=discriminator):
            return UnionOf(tuple(_rewritten(member, qualnames) for member in members), discriminator)
    return expr


def renamed(elixir: SideModel) -> tuple[SideModel, dict[str, str]]:
    """The port with every type moved and renamed, and the old qualified name -> the new one."""
    root = common_root(t.qualname for t in elixir.types if t.qualname == t.module)
    modules = {t.module: _renamed_module(t.module, root) for t in elixir.types}
    qualnames = {
        t.qualname: modules[t.module] if t.qualname == t.module else f"{modules[t.module]}.{t.name}_v2"
        for t in elixir.types
    }

    def moved(typedef: TypeDef) -> TypeDef:
        qualname = qualnames[typedef.qualname]
        fields = tuple(replace(f, type=_rewritten(f.type, qualnames)) for f in typedef.fields)
        return replace(
            typedef,
            qualname=qualname,
            name=qualname.rsplit(".", 1)[-1],
            module=modules[typedef.module],
            fields=fields,
            target=_rewritten(typedef.target, qualnames),
        )

    return replace(elixir, types=tuple(moved(t) for t in elixir.types)), qualnames


def _references(elixir: SideModel) -> Counter[bool]:
    """References to a type of the port (True) or to one outside it (False)."""
    known = {t.qualname for t in elixir.types}
    counts: Counter[bool] = Counter()

    def visit(expr: TypeExpr | None) -> None:
        for qualname in references(expr) if expr is not None else ():
            counts[qualname in known] += 1

    for typedef in elixir.types:
        visit(typedef.target)
        for field in typedef.fields:
            visit(field.type)
    return counts


# ---------------------------------------------------------------------------------------------
# Timing
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    elixir: SideModel
    infer: bool
    expected: frozenset[tuple[str, str]] | None = None
    """The faithful port's pairs as this port names them: how many pairs found are right."""


@dataclass(frozen=True)
class Result:
    scenario: Scenario
    median: float
    runs: tuple[float, ...]
    alignment: Alignment


def timed(python: SideModel, scenario: Scenario, runs: int) -> Result:
    seconds: list[float] = []
    alignment = None
    for _ in range(runs):
        # As the command line runs the audit: with the cyclic collector off (see `auditor/cli.py`), and
        # with the previous run's garbage gone before the clock starts.
        gc.collect()
        gc.disable()
        started = time.perf_counter()
        alignment = align(python, scenario.elixir, {}, scenario.infer)
        seconds.append(time.perf_counter() - started)
        gc.enable()
    assert alignment is not None
    return Result(scenario, statistics.median(seconds), tuple(seconds), alignment)


def scenarios(elixir: SideModel, faithful: Callable[[], Alignment]) -> dict[str, Callable[[], Scenario]]:
    """Each scenario, built when asked for (the renamed port needs the faithful alignment's pairs)."""

    def renamed_port(infer: bool) -> Scenario:
        port, qualnames = renamed(elixir)
        # The rename leaves no reference dangling that was not before.
        assert _references(port) == _references(elixir), (_references(port), _references(elixir))
        expected = frozenset(
            (pair.python.qualname, qualnames[pair.elixir.qualname])
            for pair in faithful().pairs
            if pair.python is not None and pair.elixir is not None
        )
        description = "every Elixir type renamed" + ("" if infer else ", `--no-infer`")
        return Scenario("renamed" if infer else "renamed-no-infer", description, port, infer, expected)

    return {
        "faithful": lambda: Scenario("faithful", "faithful port", elixir, True),
        "renamed": lambda: renamed_port(True),
        "renamed-no-infer": lambda: renamed_port(False),
    }


def describe(result: Result, types: int, runs: int) -> str:
    pairs = [pair for pair in result.alignment.pairs if pair.python is not None and pair.elixir is not None]
    how = Counter(pair.found.how.value for pair in pairs if pair.found is not None)
    by = ", ".join(f"{count:,} by {name}" for name, count in sorted(how.items(), key=lambda item: -item[1]))
    found = f"{len(pairs):,} pairs" + (f" ({by})" if by else "")
    expected = result.scenario.expected
    if expected is not None:
        right = sum(1 for pair in pairs if pair.key in expected)
        found += f", {right:,} of them the faithful port's"
    verdict = "under" if result.median < LIMIT else "over"
    command = f"python bench/alignment.py --types {types} --runs {runs} --scenario {result.scenario.name}"
    return (
        f"Alignment alone, {types:,} types, {result.scenario.description} (`{command}`): "
        f"{result.median:.2f} s ({verdict} {LIMIT} s), {found}. Run by run: "
        + ", ".join(f"{s:.2f}" for s in result.runs)
        + " s."
    )


def _models(types: int, roots: tuple[Path, Path] | None) -> tuple[SideModel, SideModel]:
    if roots is not None:
        return extract(*roots)
    work = Path(tempfile.mkdtemp(prefix="parity-audit-align-"))
    try:
        return extract(*generate(types, work))
    finally:
        shutil.rmtree(work, ignore_errors=True)


def report(
    types: int, runs: int, names: Sequence[str] = SCENARIOS, roots: tuple[Path, Path] | None = None
) -> Iterator[str]:
    """One line per scenario, as each is measured. `roots`: the pair of `types` types already written (by
    `bench/run.py`); None generates it in a temporary directory."""
    python, elixir = _models(types, roots)
    memo: dict[str, Alignment] = {}

    def faithful() -> Alignment:
        if "faithful" not in memo:
            memo["faithful"] = align(python, elixir, {}, True)
        return memo["faithful"]

    built = scenarios(elixir, faithful)
    for name in names:
        scenario = built[name]()
        result = timed(python, scenario, runs)
        if name == "faithful":
            memo["faithful"] = result.alignment
        yield describe(result, types, runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--types", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--scenario", nargs="+", choices=SCENARIOS, dest="scenarios")
    parser.add_argument("--profile", choices=SCENARIOS, help="cProfile one run")
    arguments = parser.parse_args()
    names = arguments.scenarios or SCENARIOS
    if arguments.profile is not None:
        profile(arguments.types, arguments.profile)
        return
    for line in report(arguments.types, arguments.runs, names):
        print(line, flush=True)


def profile(types: int, name: str) -> None:
    """One run of `align` in the scenario under cProfile; the top functions by their own and by total time."""
    import cProfile
    import pstats

    python, elixir = _models(types, None)
    scenario = scenarios(elixir, lambda: align(python, elixir, {}, True))[name]()
    profiler = cProfile.Profile()
    profiler.runcall(align, python, scenario.elixir, {}, scenario.infer)
    stats = pstats.Stats(profiler)
    stats.sort_stats("tottime").print_stats(15)
    stats.sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    main()
