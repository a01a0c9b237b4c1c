"""Stage 6: the `parity-audit` command."""

from __future__ import annotations

import gc
import sys
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from auditor import __version__
from auditor.audit import AuditOptions, AuditResult, UsageError, run_audit
from auditor.config import Settings, find_settings
from auditor.extraction import default_jobs
from auditor.findings import FailOn
from auditor.output_file import destination, write_output
from auditor.progress import TerminalProgress
from auditor.reports import MarkdownSize, ReportOptions, renderer
from auditor.rulebase import Rule
from auditor.rules import CATALOG, RULES_BY_SLUG

EXIT_FINDINGS = 1
EXIT_USAGE = 2
STANDARD_OUTPUT = Path("-")
"""An output path that means standard output."""


class OutputFormat(StrEnum):
    TEXT = "text"
    JSON = "json"
    MARKDOWN = "markdown"
    SARIF = "sarif"
    GITHUB = "github"


app = typer.Typer(add_completion=False, rich_markup_mode=None)


def _usage_error(message: str) -> typer.Exit:
    typer.echo(f"parity-audit: {message}", err=True)
    return typer.Exit(EXIT_USAGE)


def _parse_map(entries: list[str]) -> dict[str, str]:
    name_map: dict[str, str] = {}
    for entry in entries:
        python_name, separator, elixir_module = entry.partition("=")
        # An empty module (`--map Name=`) keeps the type unpaired.
        if not separator or not python_name.strip():
            raise _usage_error(f"--map takes PYTHON_NAME=ELIXIR_MODULE, got {entry!r}.")
        name_map[python_name.strip()] = elixir_module.strip()
    return name_map


def _parse_reports(entries: list[str]) -> list[tuple[OutputFormat, Path]]:
    reports: list[tuple[OutputFormat, Path]] = []
    for entry in entries:
        name, separator, path = entry.partition("=")
        if not separator or not path or name not in OutputFormat.__members__.values():
            formats = ", ".join(OutputFormat)
            raise _usage_error(f"--report takes FORMAT=FILE with FORMAT one of {formats}, got {entry!r}.")
        reports.append((OutputFormat(name), Path(path)))
    return reports


def explain(rule: Rule) -> str:
    lines = [
        f"{rule.slug} ({rule.severity})",
        "",
        rule.summary,
        "",
        "Why it matters",
        f"  {rule.explanation}",
        "",
        "How to fix",
        f"  {rule.fix}",
    ]
    for example in rule.examples:
        verdict = "Fires" if example.fires else "Does not fire"
        lines += ["", f"{verdict} on:", "  Python:"]
        lines += [f"    {line}" for line in example.python.rstrip().splitlines()]
        lines += ["  Elixir:"]
        lines += [f"    {line}" for line in example.elixir.rstrip().splitlines()]
    return "\n".join(lines) + "\n"


def list_rules() -> str:
    """The catalog as a Markdown table: readable in a terminal, and pasted verbatim into the README."""
    rows = ["| slug | severity | fires when |", "|---|---|---|"]
    rows += [f"| `{rule.slug}` | {rule.severity} | {rule.summary} |" for rule in CATALOG]
    return "\n".join(rows) + "\n"


def _baseline_to_read(baseline: Path | None, write_baseline: Path | None) -> Path | None:
    """The baseline the run compares with. A run that writes one adopts the baseline: the file the config
    names may not exist yet, and then there is nothing to compare with."""
    if baseline is not None and write_baseline is not None and not (baseline.exists() or baseline.is_symlink()):
        return None
    return baseline


def _default_cache_dir() -> Path:
    from platformdirs import user_cache_dir  # imported only when it is needed: --cache-dir or --no-cache skip it

    return Path(user_cache_dir("parity-audit"))




# The inputs both commands read, declared once: `fix` takes the audit's inputs and options.
PythonCheckout = Annotated[
    Path | None,
    typer.Argument(
        metavar="PYTHON_CHECKOUT",
        help="Checkout of the Python SDK (the reference; default: `python` in the config).",
    ),
]
ElixirCheckout = Annotated[
    Path | None,
    typer.Argument(
        metavar="ELIXIR_CHECKOUT",
        help="Checkout of the Elixir port (audited; default: `elixir` in the config).",
    ),
]
PythonInclude = Annotated[
    list[str] | None,
    typer.Option(metavar="GLOB", help="Gitignore-style glob of Python files to audit (repeatable)."),
]
ElixirInclude = Annotated[
    list[str] | None,
    typer.Option(metavar="GLOB", help="Gitignore-style glob of Elixir files to audit (repeatable)."),
]
MapOption = Annotated[
    list[str] | None,
    typer.Option(
        "--map",
        metavar="PYTHON_NAME=ELIXIR_MODULE",
        help="Pin a pair the alignment does not find, or keep a type unpaired with `Name=` (repeatable).",
    ),
]
ExcludeType = Annotated[
    list[str] | None,
    typer.Option(
        metavar="GLOB",
        help="Leave types whose name matches this glob out; a glob with a dot matches qualified names "
        "(`Acme.Chat.*`, `pkg.module.*`) (repeatable).",
    ),
]
PythonRev = Annotated[
    str | None,
    typer.Option(metavar="REV", help="Audit this git revision of the Python checkout instead of its work tree."),
]
NoInfer = Annotated[
    bool,
    typer.Option("--no-infer", help="Pair types by pins and names only, not by shape (fields, values, usage)."),
]
Jobs = Annotated[
    int | None,
    typer.Option(min=1, metavar="N", help="Parse files in N processes (default: the number of CPUs)."),
]
CacheDir = Annotated[
    Path | None,
    typer.Option(metavar="DIR", help="Where per-file extraction results are cached (default: the user cache dir)."),
]
NoCache = Annotated[bool, typer.Option("--no-cache", help="Neither read nor write the cache.")]
ConfigFile = Annotated[
    Path | None,
    typer.Option(
        metavar="FILE",
        help="Read settings from this TOML file (default: .parity-audit.toml, else the [tool.parity-audit] "
        "table of pyproject.toml, in the current directory); command-line options win over it.",
    ),
]


@dataclass(frozen=True)
class _Inputs:
    """What both commands read from the command line, before the config file fills the gaps."""

    python_checkout: Path | None
    elixir_checkout: Path | None
    python_include: list[str] | None
    elixir_include: list[str] | None
    map_: list[str] | None
    exclude_type: list[str] | None
    python_rev: str | None
    no_infer: bool
    jobs: int | None
    cache_dir: Path | None
    no_cache: bool
    config: Path | None

    def options(self) -> tuple[AuditOptions, Settings]:
        """The audit's options (the command line, else the config file, else the defaults), and the config
        file's settings for the options only one command has."""
        try:
            settings = find_settings(self.config)
            python_root = self.python_checkout or settings.checkout("python")
            elixir_root = self.elixir_checkout or settings.checkout("elixir")
        except UsageError as error:
            raise _usage_error(str(error)) from None
        if python_root is None or elixir_root is None:
            raise _usage_error(
                "give the Python checkout and the Elixir checkout, in that order, or `python` and `elixir` in a "
                "config."
            )
        # Whatever the command line gives is truthy (a repeated option is a non-empty list, --jobs is at
        # least 1), so `or` takes it over the config file's value, and that over the default; a list
        # replaces the file's list.
        options = AuditOptions(
            python_root=python_root,
            elixir_root=elixir_root,
            python_includes=tuple(self.python_include or settings.python_include or ()),
            elixir_includes=tuple(self.elixir_include or settings.elixir_include or ()),
            name_map=_parse_map(self.map_) if self.map_ else settings.name_map or {},
            pinned_at=None if self.map_ else settings.pinned_at,
            excluded_types=tuple(self.exclude_type or settings.exclude_type or ()),
            infer=not self.no_infer and settings.infer is not False,
            jobs=self.jobs or settings.jobs or default_jobs(),
            cache_dir=None if self.no_cache else self.cache_dir or settings.cache_dir or _default_cache_dir(),
            severity_overrides=settings.severity_overrides,
            disabled_rules=settings.disabled_rules,
            ignores=settings.ignores,
            out_of_scope=settings.out_of_scope,
            baseline=settings.baseline,
            python_rev=self.python_rev,
            fail_on=FailOn(settings.fail_on or FailOn.P2),
        )
        return options, settings


def _audited(options: AuditOptions) -> AuditResult:
    # The run allocates millions of small immutable objects and creates no garbage cycles worth
    # collecting; the cyclic collector's repeated passes over them cost more than a third of the run.
    gc.disable()
    try:
        with TerminalProgress() as progress:
            return run_audit(replace(options, progress=progress))
    except UsageError as error:
        raise _usage_error(str(error)) from None


@app.command()
def audit(
    python_checkout: PythonCheckout = None,
    elixir_checkout: ElixirCheckout = None,
    python_include: PythonInclude = None,
    elixir_include: ElixirInclude = None,
    map_: MapOption = None,
    exclude_type: ExcludeType = None,
    python_rev: PythonRev = None,
    elixir_rev: Annotated[
        str | None,
        typer.Option(metavar="REV", help="Audit this git revision of the Elixir checkout instead of its work tree."),
    ] = None,
    output_format: Annotated[
        OutputFormat,
        typer.Option("--format", metavar="FORMAT", help=f"Report format: {'|'.join(OutputFormat)}."),
    ] = OutputFormat.TEXT,
    markdown_size: Annotated[
        MarkdownSize | None,
        typer.Option(
            metavar="SIZE",
            help=f"The --format markdown report: {'|'.join(MarkdownSize)}; summary is the compact form for a pull "
            "request, auto (default) uses it when the full report is over 60,000 characters. A --report markdown "
            "file is always the full report.",
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE",
            help="Write the --format report to this file (`-`: stdout); stdout still gets the text report unless "
            "an output is `-`."
        ),
    ] = None,
    report: Annotated[
        list[str] | None,
        typer.Option(metavar="FORMAT=FILE", help="Also write a report in FORMAT to FILE (repeatable)."),
    ] = None,
    fail_on: Annotated[
        FailOn | None,
        typer.Option(
            metavar="LEVEL",
            help=f"Exit 1 when a finding has this severity or a worse one: {'|'.join(FailOn)} (default: P2).",
        ),
    ] = None,
    baseline: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE",
            help="Fail only on findings this baseline file (from --write-baseline) does not record.",
        ),
    ] = None,
    write_baseline: Annotated[
        Path | None,
        typer.Option(metavar="FILE", help="Record today's findings in this baseline file; the run then exits 0."),
    ] = None,
    no_infer: NoInfer = False,
    show_baselined: Annotated[
        bool,
        typer.Option("--show-baselined", help="List the findings the baseline records in full, not only count them."),
    ] = False,
    show_unported: Annotated[
        bool,
        typer.Option(
            "--show-unported",
            help="List every missing type no ported type uses in the text report, not only a count per group.",
        ),
    ] = False,
    show_rules: Annotated[
        bool, typer.Option("--list-rules", help="Print the rule catalog and exit.")
    ] = False,
    explain_slug: Annotated[
        str | None, typer.Option("--explain", metavar="SLUG", help="Explain one rule and exit.")
    ] = None,
    jobs: Jobs = None,
    cache_dir: CacheDir = None,
    no_cache: NoCache = False,
    config: ConfigFile = None,
    version: Annotated[bool, typer.Option("--version", help="Print the version and exit.")] = False,
) -> None:
    """Audit the types of an Elixir port against the Python SDK it ports.

    `parity-audit fix PYTHON_CHECKOUT ELIXIR_CHECKOUT` prints the Elixir code that closes the gaps.
    """
    if version:
        typer.echo(f"parity-audit {__version__}")
        return
    if show_rules:
        typer.echo(list_rules(), nl=False)
        return
    if explain_slug is not None:
        rule = RULES_BY_SLUG.get(explain_slug)
        if rule is None:
            raise _usage_error(f"no rule is called {explain_slug!r}; --list-rules shows them all.")
        typer.echo(explain(rule), nl=False)
        return
    extra_reports = _parse_reports(report or [])
    _check_outputs(output_format, output, extra_reports, write_baseline)
    inputs = _Inputs(
        python_checkout, elixir_checkout, python_include, elixir_include, map_, exclude_type, python_rev,
        no_infer, jobs, cache_dir, no_cache, config,
    )
    options, settings = inputs.options()
    options = replace(
        options,
        baseline=_baseline_to_read(baseline or options.baseline, write_baseline),
        elixir_rev=elixir_rev,
        # A run that writes the baseline records what fails today instead of failing on it.
        fail_on=FailOn.NEVER if write_baseline is not None else fail_on or options.fail_on,
    )
    result = _audited(options)
    shown = ReportOptions(show_baselined=show_baselined)
    # The --format report may be the compact one; a --report markdown file keeps the full one, and the
    # compact one names it.
    full_markdown = next(
        (str(path) for fmt, path in extra_reports if fmt is OutputFormat.MARKDOWN and path != STANDARD_OUTPUT), None
    )
    sized = replace(
        shown,
        show_unported=show_unported,
        markdown_size=markdown_size or MarkdownSize(settings.markdown_size or MarkdownSize.AUTO),
        full_markdown=full_markdown,
    )
    try:
        if write_baseline is not None:
            from auditor.baseline import baseline_document  # only for the run that writes one

            _write_file(write_baseline, "the baseline file", baseline_document(result.findings))
            recorded = len(result.findings)
            typer.echo(f"wrote {recorded} finding{'' if recorded == 1 else 's'} to {write_baseline}", err=True)
        files = [(output_format, output, sized)] if output is not None else []
        for file_format, path, options in files + [(fmt, path, shown) for fmt, path in extra_reports]:
            rendered = renderer(file_format.value)(result, options)
            _write_file(path, f"the {file_format} report to", rendered.encode("utf-8"))
        if STANDARD_OUTPUT not in {write_baseline, output, *(path for _, path in extra_reports)}:
            _print_report(result, OutputFormat.TEXT if output is not None else output_format, sized)
    except UsageError as error:
        raise _usage_error(str(error)) from None
    raise typer.Exit(EXIT_FINDINGS if result.failing() else 0)


def _check_outputs(
    output_format: OutputFormat,
    output: Path | None,
    reports: list[tuple[OutputFormat, Path]],
    write_baseline: Path | None,
) -> None:
    """Refuses, before the audit runs, an output that can never be written (a directory, a symlink loop) and
    two outputs that would be one file, however their paths are spelled."""
    named = [
        ("--write-baseline", "the baseline file", write_baseline),
        ("--output", f"the {output_format} report to", output),
    ]
    named += [(f"--report {file_format}", f"the {file_format} report to", path) for file_format, path in reports]
    claimed: dict[Hashable, str] = {}
    for option, what, path in named:
        if path is None:
            continue
        try:
            written_to = STANDARD_OUTPUT if path == STANDARD_OUTPUT else destination(path)
        except OSError as error:
            raise _usage_error(f"cannot write {what} {path}: {error.strerror or error}.") from None
        if written_to in claimed:
            where = "standard output" if path == STANDARD_OUTPUT else path
            raise _usage_error(f"{claimed[written_to]} and {option} both write to {where}; give each its own path.")
        claimed[written_to] = option


def _write_file(path: Path, what: str, data: bytes) -> None:
    if path == STANDARD_OUTPUT:
        # As the report printed there: a reader that went away (`| head`) is no write failure of ours.
        sys.stdout.buffer.write(data)
        return
    try:
        write_output(path, data)
    except OSError as error:
        raise UsageError(f"cannot write {what} {path}: {error.strerror or error}.") from None


def _print_report(result: AuditResult, output_format: OutputFormat, shown: ReportOptions) -> None:
    if output_format is OutputFormat.TEXT:
        from auditor.reports.text_report import write_report  # the one report whose output depends on stdout

        write_report(result, shown, sys.stdout)
    else:
        sys.stdout.write(renderer(output_format.value)(result, shown))


def run(arguments: Sequence[str]) -> int:
    """Runs the command on these arguments and returns its exit code; a Ctrl-C comes back as 130."""
    chosen, arguments = _command_for(arguments)
    command = typer.main.get_command(chosen)
    prog_name = "parity-audit fix" if chosen is fix_app else "parity-audit"
    try:
        # Not standalone, typer hands back what the command returned (None) or the code of the typer.Exit
        # it raised, turns a Ctrl-C into code 130, and raises what the option parser refuses.
        code = command.main(list(arguments), prog_name=prog_name, standalone_mode=False)
    except typer.TyperException as error:  # click's UsageError family: a bad value, an unknown option...
        typer.echo(f"parity-audit: {_one_sentence(error.format_message())}", err=True)
        return error.exit_code
    return code if isinstance(code, int) else 0


def _one_sentence(message: str) -> str:
    """Click's message in the style of ours: one line, lowercase first, a full stop at the end."""
    line = " ".join(message.split())
    return line[:1].lower() + line[1:] + ("" if line.endswith(".") else ".")


FIX_COMMAND = "fix"
fix_app = typer.Typer(add_completion=False, rich_markup_mode=None)


@fix_app.command()
def fix(
    python_checkout: PythonCheckout = None,
    elixir_checkout: ElixirCheckout = None,
    python_include: PythonInclude = None,
    elixir_include: ElixirInclude = None,
    map_: MapOption = None,
    exclude_type: ExcludeType = None,
    python_rev: PythonRev = None,
    no_infer: NoInfer = False,
    jobs: Jobs = None,
    cache_dir: CacheDir = None,
    no_cache: NoCache = False,
    config: ConfigFile = None,
    write: Annotated[
        bool, typer.Option("--write", help="Apply the patch to the Elixir checkout instead of printing it.")
    ] = False,
    every_type: Annotated[
        bool, typer.Option("--all", help="Create every missing type, not only those a ported type needs.")
    ] = False,
) -> None:
    """Print the Elixir code that closes the missing-type, missing-field and missing-literal gaps as a diff."""
    from auditor.fix import plan_fix, unified_diff, write_plan  # only the fix command needs them

    inputs = _Inputs(
        python_checkout, elixir_checkout, python_include, elixir_include, map_, exclude_type, python_rev,
        no_infer, jobs, cache_dir, no_cache, config,
    )
    options, _ = inputs.options()
    # The patch closes every gap the audit sees: no baseline hides one, and no severity fails the run.
    result = _audited(replace(options, baseline=None, fail_on=FailOn.NEVER))
    name_map, elixir_root = options.name_map, options.elixir_root
    kept_unpaired = [name for name, module in name_map.items() if not module]
    plan = plan_fix(result, elixir_root, every_type, kept_unpaired)
    for item in plan.not_placed:
        typer.echo(f"parity-audit: not placed: {item.where}: {item.reason}", err=True)
    fixed = len(plan.fixed)
    summary = f"{fixed} finding{'' if fixed == 1 else 's'} closed"
    if write:
        try:
            written = write_plan(elixir_root, plan)
        except OSError as error:
            raise _usage_error(f"cannot write into {elixir_root}: {error.strerror or error}.") from None
        typer.echo(f"parity-audit: {summary}; wrote {len(written)} files under {elixir_root}", err=True)
    else:
        sys.stdout.write(unified_diff(elixir_root, plan))
        typer.echo(f"parity-audit: {summary} by this patch; `git apply` it or run with --write", err=True)


def _command_for(arguments: Sequence[str]) -> tuple[typer.Typer, list[str]]:
    """`fix` as the first argument runs the fix command, unless it names a directory: then it is the Python
    checkout of an audit, as it always was."""
    if arguments and arguments[0] == FIX_COMMAND and not Path(FIX_COMMAND).is_dir():
        return fix_app, list(arguments[1:])
    return app, list(arguments)
