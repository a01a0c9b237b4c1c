"""The whole pipeline: discovery -> extraction -> alignment -> rules, as one call.

Reports and the CLI consume the `AuditResult`; nothing here prints.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from auditor import result_cache
from auditor.align import AUDITED_KINDS, KEEP_UNPAIRED, TypePair, align, unknown_pins
from auditor.cache import SummaryCache
from auditor.discovery import (
    ELIXIR_SKIPPED_DIRS,
    ELIXIR_SUFFIXES,
    PYTHON_SKIPPED_DIRS,
    PYTHON_SUFFIXES,
    Sources,
    elixir_sources,
    python_sources,
)
from auditor.elixir import ElixirFileSummary, extract_elixir, read_elixir_summary, summarize_elixir
from auditor.engine import run_rules
from auditor.extraction import Splitter, SummaryPool, SummaryStore
from auditor.findings import BaselineStatus, FailOn, Finding, Ignore, OutOfScope, Severity, Suppressed
from auditor.git import RevisionError, Tree, opened
from auditor.model import Diagnostic, Location, SideModel, TypeDef
from auditor.progress import ProgressListener
from auditor.python import extract_python, summarize_python
from auditor.python.splitting import merge_parts, split_source
from auditor.python.summary import PythonFileSummary, summarize_file, summarize_python_part
from auditor.python.summary import parser_loaded as python_parser_loaded
from auditor.reach import NOTHING_REACHED, Reach, reach
from auditor.resolution_cache import KeptResolutions
from auditor.rules import CATALOG, RULES_BY_SLUG
from auditor.suppressions import CommentScan
from auditor.triage import triage

if TYPE_CHECKING:
    from auditor.baseline import RecordedBaseline


class UsageError(Exception):
    """A problem with how the tool was called; the message is one sentence for the user."""


class Status(StrEnum):
    PARITY = "parity"
    WIRE_COMPATIBLE = "wire-compatible"
    MISMATCH = "mismatch"
    MISSING_IN_ELIXIR = "missing-in-elixir"
    ELIXIR_ONLY = "elixir-only"


@dataclass(frozen=True)
class Checkout:
    """One input as reports name it: the path given and, for a git checkout, what is checked out."""

    root: str
    revision: str | None = None
    """The `--python-rev` / `--elixir-rev` audited instead of the work tree, as given."""
    commit: str | None = None
    commit_date: str | None = None
    """ISO 8601, the committer date."""
    branch: str | None = None


@dataclass(frozen=True)
class AuditOptions:
    python_root: Path
    elixir_root: Path
    python_includes: tuple[str, ...] = ()
    elixir_includes: tuple[str, ...] = ()
    name_map: Mapping[str, str] | None = None
    pinned_at: Mapping[str, Location] | None = None
    """The config entry of each `name_map` pin read from a config file; pins from `--map` have none."""
    excluded_types: tuple[str, ...] = ()
    """Globs of type names; one with a dot matches qualified names (`pkg.module.*`, `Acme.Chat.*`)."""
    infer: bool = True
    """Pair the types that names leave unpaired by their shape (`--no-infer` turns it off)."""
    jobs: int = 1
    cache_dir: Path | None = None
    progress: ProgressListener | None = None
    python_rev: str | None = None
    """Audit this git revision of the Python checkout, read from git objects, instead of its work tree."""
    elixir_rev: str | None = None
    severity_overrides: Mapping[str, Severity] | None = None
    """Rule slug -> the severity its findings get instead of the rule's own."""
    disabled_rules: frozenset[str] = frozenset()
    ignores: tuple[Ignore, ...] = ()
    out_of_scope: tuple[OutOfScope, ...] = ()
    """The config's `[unported]` entries: Python types the port leaves out on purpose."""
    baseline: Path | None = None
    """A file written by `--write-baseline`: findings it records are reported but never fail the run."""
    fail_on: FailOn = FailOn.P2
    """New findings at this severity or a worse one fail the run."""


@dataclass(frozen=True)
class TypeStatus:
    pair: TypePair
    status: Status


@dataclass(frozen=True)
class AuditResult:
    python: SideModel
    elixir: SideModel
    types: tuple[TypeStatus, ...]
    findings: tuple[Finding, ...]
    diagnostics: tuple[tuple[str, Diagnostic], ...]
    """(side, diagnostic), side being "python", "elixir", "alignment" (paths are Python-side) or "config"."""
    python_input: Checkout
    elixir_input: Checkout
    suppressed: tuple[Suppressed, ...] = ()
    """Findings left out of `findings` by a config ignore or an inline suppression."""
    baseline: BaselineStatus | None = None
    fail_on: FailOn = FailOn.P2
    reach: Reach = NOTHING_REACHED
    """Which missing types the ported ones need, and which no ported type reaches."""
    out_of_scope: frozenset[str] = frozenset()
    """Python qualified names of the audited types an `[unported]` entry leaves out of scope."""

    def is_new(self, finding: Finding) -> bool:
        """False for a finding the baseline records: it is reported but cannot fail the run."""
        return self.baseline is None or finding not in self.baseline.baselined

    def failing(self) -> list[Finding]:
        """The findings that fail the run, in report order: new ones at or above `fail_on`, never info."""
        if self.fail_on is FailOn.NEVER:
            return []
        threshold = Severity(self.fail_on.value).rank
        return [
            finding
            for finding in self.findings
            if finding.severity is not Severity.INFO and finding.severity.rank <= threshold and self.is_new(finding)
        ]


def _status(pair: TypePair, findings: Sequence[Finding]) -> Status:
    if pair.elixir is None:
        return Status.MISSING_IN_ELIXIR
    if pair.python is None:
        return Status.ELIXIR_ONLY
    if not findings:
        return Status.PARITY
    if all(finding.severity in (Severity.P3, Severity.INFO) for finding in findings):
        return Status.WIRE_COMPATIBLE
    return Status.MISMATCH


def _without_excluded(side: SideModel, patterns: Sequence[str]) -> SideModel:
    if not patterns:
        return side

    def excluded(typedef: TypeDef) -> bool:
        return any(fnmatch.fnmatchcase(typedef.qualname if "." in p else typedef.name, p) for p in patterns)

    return replace(side, types=tuple(t for t in side.types if not excluded(t)))


def _check_root(root: Path, language: str) -> None:
    result_cache.observe(root)
    if not root.is_dir():
        raise UsageError(f"The {language} checkout {root} does not exist or is not a directory.")


def _python_side(
    tree: Tree, files: Sources, store: SummaryStore[PythonFileSummary], cache: SummaryCache | None
) -> SideModel:
    memo = KeptResolutions(cache, store, files.audited) if cache is not None else None
    return tree.as_given(extract_python(tree.directory, files.audited, files.resolvable, store.load, memo))


def _check_rule_names(options: AuditOptions) -> None:
    named = {*options.disabled_rules, *(options.severity_overrides or {})}
    unknown = sorted(named - RULES_BY_SLUG.keys())
    if unknown:
        raise UsageError(
            f"There is no rule called {unknown[0]!r} to disable or give a severity; --list-rules shows them all."
        )


def _why_nothing(files: Sources, foreign: Sources, foreign_language: str) -> str:
    """What to add to "no types were found": the include globs that matched no file, or that the two
    checkouts look swapped (this one holds none of its language's files but some of the other's)."""
    if files.unmatched_includes:
        globs = ", ".join(repr(glob) for glob in files.unmatched_includes)
        return f"; the include glob{'s' if len(files.unmatched_includes) > 1 else ''} {globs} matched no file"
    if not files.resolvable and foreign.resolvable:
        count = len(foreign.resolvable)
        return (
            f"; it holds {count} {foreign_language} file{'s' if count > 1 else ''}: the arguments look swapped "
            "(give the Python checkout first, then the Elixir one)"
        )
    return ""


def _check_pins(python: SideModel, elixir: SideModel, options: AuditOptions) -> Iterator[tuple[str, Diagnostic]]:
    """A `--map` that names no type on either side is a usage error, a config `[map]` or `unpaired` entry a
    warning at its line: the command line is mistyped now, a config entry may have outlived a type."""
    for name, module, side, closest in unknown_pins(python, elixir, options.name_map or {}):
        hint = f" (did you mean {closest}?)" if closest is not None else ""
        missing = f"no Python type that is audited{hint}" if side == "python" else f"no Elixir type{hint}"
        where = (options.pinned_at or {}).get(name)
        if where is None:
            raise UsageError(f"--map {name}={module} names {missing}.")
        entry = f"the unpaired entry {name!r}" if module == KEEP_UNPAIRED else f"the map entry {name} = {module!r}"
        message = f"{entry} names {missing}; correct or delete it"
        yield "config", Diagnostic(where.path, where.line, "warning", message)


def _read_baseline(path: Path) -> RecordedBaseline:
    # Imported here, so that a run without a baseline never pays for the module and for json.
    from auditor.baseline import BaselineError, read_baseline

    try:
        return read_baseline(path)
    except BaselineError as error:
        raise UsageError(str(error)) from None


def _checkout(tree: Tree) -> Checkout:
    commit = tree.commit()
    if commit is None:
        return Checkout(str(tree.root), tree.revision)
    return Checkout(str(tree.root), tree.revision, commit.sha, commit.date, commit.branch)


def run_audit(options: AuditOptions) -> AuditResult:
    _check_root(options.python_root, "Python")
    _check_root(options.elixir_root, "Elixir")
    _check_rule_names(options)
    recorded = _read_baseline(options.baseline) if options.baseline is not None else None
    # Both sides are opened before the parse: a revision is read out of git, and the question which
    # commit a work tree has checked out runs in the background while the files are parsed.
    try:
        with (
            opened(options.python_root, options.python_rev, "Python", PYTHON_SUFFIXES, PYTHON_SKIPPED_DIRS) as python,
            opened(options.elixir_root, options.elixir_rev, "Elixir", ELIXIR_SUFFIXES, ELIXIR_SKIPPED_DIRS) as elixir,
        ):
            return _audit(options, python, elixir, recorded)
    except RevisionError as error:
        raise UsageError(str(error)) from None


def _audit(
    options: AuditOptions, python_tree: Tree, elixir_tree: Tree, recorded: RecordedBaseline | None
) -> AuditResult:
    python_files = python_sources(python_tree.directory, options.python_includes)
    elixir_files = elixir_sources(elixir_tree.directory, options.elixir_includes)
    cache = SummaryCache(options.cache_dir) if options.cache_dir is not None else None
    advanced = options.progress.advanced if options.progress is not None else None
    comments = (CommentScan("python", python_files.audited), CommentScan("elixir", elixir_files.audited))
    python_store = SummaryStore(
        python_tree.directory,
        "Python",
        PythonFileSummary,
        summarize_python,
        lambda path: summarize_file(python_tree.directory, path),
        cache,
        advanced,
        comments[0].notice,
        python_parser_loaded,
        Splitter(split_source, summarize_python_part, merge_parts),
    )
    elixir_store = SummaryStore(
        elixir_tree.directory,
        "Elixir",
        ElixirFileSummary,
        summarize_elixir,
        lambda path: read_elixir_summary(elixir_tree.directory, path),
        cache,
        advanced,
        comments[1].notice,
    )
    if options.progress is not None:
        options.progress.started("Python", len(python_files.audited))
        options.progress.started("Elixir", len(elixir_files.audited))
    with SummaryPool(options.jobs) as pool:
        pool.submit(python_store, python_files.audited)
        pool.submit(elixir_store, elixir_files.audited)
        pool.submitted_all()

        def python_side() -> SideModel:
            resolved = _python_side(python_tree, python_files, python_store, cache)
            return _without_excluded(resolved, options.excluded_types)

        def elixir_side() -> SideModel:
            extracted = extract_elixir(elixir_tree.directory, elixir_files.audited, elixir_store.load)
            return _without_excluded(elixir_tree.as_given(extracted), options.excluded_types)

        # Work starts at once, on the side the workers are done with (the Elixir side of a run whose
        # Elixir files all come from the cache); loading a file still being parsed waits for that file.
        if elixir_store.parsing:
            python, elixir = python_side(), elixir_side()
        else:
            elixir, python = elixir_side(), python_side()
    if not any(t.kind in AUDITED_KINDS for t in python.types):
        hint = _why_nothing(python_files, elixir_sources(python_tree.directory), "Elixir")
        raise UsageError(
            f"No Python types (pydantic models, dataclasses, TypedDicts, enums or Literal/Union aliases) "
            f"were found in {len(python_files.audited)} .py files under {options.python_root}{hint}."
        )
    if not any(t.kind in AUDITED_KINDS for t in elixir.types):
        hint = _why_nothing(elixir_files, python_sources(elixir_tree.directory), "Python")
        raise UsageError(
            f"No Elixir types (structs or atom-enum modules) were found in {len(elixir_files.audited)} "
            f".ex files under {options.elixir_root}{hint}."
        )
    pin_diagnostics = list(_check_pins(python, elixir, options))
    alignment = align(python, elixir, options.name_map or {}, options.infer)
    reached = reach(alignment)
    findings = run_rules(alignment, CATALOG, options.disabled_rules, reached.needed)
    triaged = triage(
        findings,
        alignment,
        options.severity_overrides or {},
        options.ignores,
        comments,
        recorded,
        options.out_of_scope,
    )
    by_pair: dict[tuple[str, str], list[Finding]] = {}
    for finding in triaged.findings:
        by_pair.setdefault(finding.pair, []).append(finding)
    statuses = tuple(TypeStatus(pair, _status(pair, by_pair.get(pair.key, []))) for pair in alignment.pairs)
    diagnostics = sorted(
        [("python", d) for d in python.diagnostics]
        + [("elixir", d) for d in elixir.diagnostics]
        + [("alignment", d) for d in alignment.diagnostics]
        + list(triaged.diagnostics)
        + pin_diagnostics
    )
    return AuditResult(
        python,
        elixir,
        statuses,
        triaged.findings,
        tuple(diagnostics),
        _checkout(python_tree),
        _checkout(elixir_tree),
        triaged.suppressed,
        triaged.baseline,
        options.fail_on,
        reached,
        frozenset(
            pair.python.qualname
            for pair in alignment.pairs
            if pair.python is not None
            and any(entry.covers(pair.python.name, pair.python.qualname) for entry in options.out_of_scope)
        ),
    )
