"""Stage 6: the `parity-audit` command."""

from __future__ import annotations

import gc
import sys
from collections.abc import Hashable, Sequence
from dataclasses import replace
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from auditor import __version__
from auditor.audit import AuditOptions, AuditResult, UsageError, run_audit
from auditor.config import find_settings
from auditor.extraction import default_jobs
from auditor.findings import FailOn
from auditor.output_file import destination, write_output
from auditor.progress import TerminalProgress
from auditor.reports import ReportOptions, renderer
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




@app.command()
def audit(
    python_checkout: Annotated[
        Path | None,
        typer.Argument(
            metavar="PYTHON_CHECKOUT",
            help="Checkout of the Python SDK (the reference; default: `python` in the config).",
        ),
    ] = None,
    elixir_checkout: Annotated[
        Path | None,
        typer.Argument(
            metavar="ELIXIR_CHECKOUT",
            help="Checkout of the Elixir port (audited; default: `elixir` in the config).",
        ),
    ] = None,
    python_include: Annotated[
        list[str] | None,
        typer.Option(metavar="GLOB", help="Gitignore-style glob of Python files to audit (repeatable).")
    ] = None,
    elixir_include: Annotated[
        list[str] | None,
        typer.Option(metavar="GLOB", help="Gitignore-style glob of Elixir files to audit (repeatable).")
    ] = None,
    map_: Annotated[
        list[str] | None,
        typer.Option(
            "--map",
            metavar="PYTHON_NAME=ELIXIR_MODULE",
            help="Pin a pair the alignment does not find, or keep a type unpaired with `Name=` (repeatable).",
        ),
    ] = None,
    exclude_type: Annotated[
        list[str] | None,
        typer.Option(
            metavar="GLOB",
            help="Leave types whose name matches this glob out; a glob with a dot matches qualified names "
            "(`Acme.Chat.*`, `pkg.module.*`) (repeatable).",
        ),
    ] = None,
    python_rev: Annotated[
        str | None,
        typer.Option(metavar="REV", help="Audit this git revision of the Python checkout instead of its work tree."),
    ] = None,
    elixir_rev: Annotated[
        str | None,
        typer.Option(metavar="REV", help="Audit this git revision of the Elixir checkout instead of its work tree."),
    ] = None,
    output_format: Annotated[
        OutputFormat,
        typer.Option("--format", metavar="FORMAT", help=f"Report format: {'|'.join(OutputFormat)}."),
    ] = OutputFormat.TEXT,
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
    no_infer: Annotated[
        bool,
        typer.Option("--no-infer", help="Pair types by pins and names only, not by shape (fields, values, usage)."),
    ] = False,
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
    jobs: Annotated[
        int | None,
        typer.Option(min=1, metavar="N", help="Parse files in N processes (default: the number of CPUs)."),
    ] = None,
    cache_dir: Annotated[
        Path | None,
        typer.Option(metavar="DIR", help="Where per-file extraction results are cached (default: the user cache dir)."),
    ] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Neither read nor write the cache.")] = False,
    config: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE",
            help="Read settings from this TOML file (default: .parity-audit.toml, else the [tool.parity-audit] "
            "table of pyproject.toml, in the current directory); command-line options win over it.",
        ),
    ] = None,
    version: Annotated[bool, typer.Option("--version", help="Print the version and exit.")] = False,
) -> None:
    """Audit the types of an Elixir port against the Python SDK it ports."""
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
    try:
        settings = find_settings(config)
        python_root = python_checkout or settings.checkout("python")
        elixir_root = elixir_checkout or settings.checkout("elixir")
    except UsageError as error:
        raise _usage_error(str(error)) from None
    if python_root is None or elixir_root is None:
        raise _usage_error(
            "give the Python checkout and the Elixir checkout, in that order, or `python` and `elixir` in a config."
        )
    # Whatever the command line gives is truthy (a repeated option is a non-empty list, --jobs is at least 1),
    # so `or` takes it over the config file's value, and that over the default; a list replaces the file's list.
    options = AuditOptions(
        python_root=python_root,
        elixir_root=elixir_root,
        python_includes=tuple(python_include or settings.python_include or ()),
        elixir_includes=tuple(elixir_include or settings.elixir_include or ()),
        name_map=_parse_map(map_) if map_ else settings.name_map or {},
        pinned_at=None if map_ else settings.pinned_at,
        excluded_types=tuple(exclude_type or settings.exclude_type or ()),
        infer=not no_infer and settings.infer is not False,
        jobs=jobs or settings.jobs or default_jobs(),
        cache_dir=None if no_cache else cache_dir or settings.cache_dir or _default_cache_dir(),
        severity_overrides=settings.severity_overrides,
        disabled_rules=settings.disabled_rules,
        ignores=settings.ignores,
        out_of_scope=settings.out_of_scope,
        baseline=_baseline_to_read(baseline or settings.baseline, write_baseline),
        python_rev=python_rev,
        elixir_rev=elixir_rev,
        # A run that writes the baseline records what fails today instead of failing on it.
        fail_on=FailOn.NEVER if write_baseline is not None else fail_on or FailOn(settings.fail_on or FailOn.P2),
    )
    # The run allocates millions of small immutable objects and creates no garbage cycles worth
    # collecting; the cyclic collector's repeated passes over them cost more than a third of the run.
    gc.disable()
    try:
        with TerminalProgress() as progress:
            result = run_audit(replace(options, progress=progress))
    except UsageError as error:
        raise _usage_error(str(error)) from None
    shown = ReportOptions(show_baselined=show_baselined, show_unported=show_unported)
    try:
        if write_baseline is not None:
            from auditor.baseline import baseline_document  # only for the run that writes one

            _write_file(write_baseline, "the baseline file", baseline_document(result.findings))
            recorded = len(result.findings)
            typer.echo(f"wrote {recorded} finding{'' if recorded == 1 else 's'} to {write_baseline}", err=True)
        files = [(output_format, output)] if output is not None else []
        for file_format, path in files + extra_reports:
            rendered = renderer(file_format.value)(result, shown)
            _write_file(path, f"the {file_format} report to", rendered.encode("utf-8"))
        if STANDARD_OUTPUT not in {write_baseline, output, *(path for _, path in extra_reports)}:
            _print_report(result, OutputFormat.TEXT if output is not None else output_format, shown)
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
    if output_format is OutputFormat.TEXT and sys.stdout.isatty():
        from auditor.reports.text_report import show  # rich, only for the report that needs it

        show(result, shown)
    else:
        sys.stdout.write(renderer(output_format.value)(result, shown))


def run(arguments: Sequence[str]) -> int:
    """Runs the command on these arguments and returns its exit code; a Ctrl-C comes back as 130."""
    command = typer.main.get_command(app)
    try:
        # Not standalone, typer hands back what the command returned (None) or the code of the typer.Exit
        # it raised, turns a Ctrl-C into code 130, and raises what the option parser refuses.
        code = command.main(list(arguments), prog_name="parity-audit", standalone_mode=False)
    except typer.TyperException as error:  # click's UsageError family: a bad value, an unknown option...
        typer.echo(f"parity-audit: {_one_sentence(error.format_message())}", err=True)
        return error.exit_code
    return code if isinstance(code, int) else 0


def _one_sentence(message: str) -> str:
    """Click's message in the style of ours: one line, lowercase first, a full stop at the end."""
    line = " ".join(message.split())
    return line[:1].lower() + line[1:] + ("" if line.endswith(".") else ".")
