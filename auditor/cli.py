"""Stage 6: the `parity-audit` command."""

from __future__ import annotations

import gc
import os
import sys
from dataclasses import replace
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from auditor import __version__, parser_host
from auditor.atomic import write_atomically
from auditor.audit import AuditOptions, AuditResult, UsageError, run_audit
from auditor.config import find_settings
from auditor.extraction import default_jobs
from auditor.findings import FailOn, Severity
from auditor.progress import TerminalProgress
from auditor.reports import renderer
from auditor.rulebase import Rule
from auditor.rules import CATALOG, RULES_BY_SLUG

EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


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
        if not separator or not python_name.strip() or not elixir_module.strip():
            raise _usage_error(f"--map takes PythonName=Full.Elixir.Module, got {entry!r}.")
        name_map[python_name.strip()] = elixir_module.strip()
    return name_map


def _parse_reports(entries: list[str]) -> list[tuple[OutputFormat, Path]]:
    reports: list[tuple[OutputFormat, Path]] = []
    for entry in entries:
        name, separator, path = entry.partition("=")
        if not separator or not path or name not in OutputFormat.__members__.values():
            formats = ", ".join(OutputFormat)
            raise _usage_error(f"--report takes FORMAT=PATH with FORMAT one of {formats}, got {entry!r}.")
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


def _default_cache_dir() -> Path:
    from platformdirs import user_cache_dir  # imported only when it is needed: --cache-dir or --no-cache skip it

    return Path(user_cache_dir("parity-audit"))


def exit_code(result: AuditResult, fail_on: FailOn) -> int:
    if fail_on is FailOn.NEVER:
        return 0
    threshold = Severity(fail_on.value).rank
    failing = any(
        f.severity is not Severity.INFO and f.severity.rank <= threshold and result.is_new(f) for f in result.findings
    )
    return EXIT_FINDINGS if failing else 0


@app.command()
def audit(
    python_checkout: Annotated[
        Path | None, typer.Argument(help="Checkout of the Python SDK (the reference; default: `python` in the config).")
    ] = None,
    elixir_checkout: Annotated[
        Path | None, typer.Argument(help="Checkout of the Elixir port (audited; default: `elixir` in the config).")
    ] = None,
    python_include: Annotated[
        list[str] | None, typer.Option(help="Gitignore-style glob of Python files to audit (repeatable).")
    ] = None,
    elixir_include: Annotated[
        list[str] | None, typer.Option(help="Gitignore-style glob of Elixir files to audit (repeatable).")
    ] = None,
    map_: Annotated[
        list[str] | None,
        typer.Option("--map", help="Pin a pair: PythonName=Full.Elixir.Module (repeatable)."),
    ] = None,
    exclude_type: Annotated[
        list[str] | None, typer.Option(help="Leave types whose name matches this glob out (repeatable).")
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
        OutputFormat, typer.Option("--format", help="Report format.")
    ] = OutputFormat.TEXT,
    output: Annotated[
        Path | None,
        typer.Option(help="Write the --format report to this file; the text report still goes to stdout."),
    ] = None,
    report: Annotated[
        list[str] | None,
        typer.Option(metavar="FORMAT=PATH", help="Also write a report in FORMAT to PATH (repeatable)."),
    ] = None,
    fail_on: Annotated[
        FailOn | None, typer.Option(help="Exit 1 when a finding has this severity or a worse one (default: P2).")
    ] = None,
    baseline: Annotated[
        Path | None,
        typer.Option(help="Fail only on findings this baseline file (from --write-baseline) does not record."),
    ] = None,
    write_baseline: Annotated[
        Path | None,
        typer.Option(metavar="FILE", help="Record today's findings in this baseline file; the run then exits 0."),
    ] = None,
    show_rules: Annotated[
        bool, typer.Option("--list-rules", help="Print the rule catalog and exit.")
    ] = False,
    explain_slug: Annotated[
        str | None, typer.Option("--explain", metavar="SLUG", help="Explain one rule and exit.")
    ] = None,
    jobs: Annotated[
        int | None, typer.Option(min=1, help="Parse files in this many processes (default: the number of CPUs).")
    ] = None,
    cache_dir: Annotated[
        Path | None, typer.Option(help="Where per-file extraction results are cached (default: the user cache dir).")
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
        excluded_types=tuple(exclude_type or settings.exclude_type or ()),
        jobs=jobs or settings.jobs or default_jobs(),
        cache_dir=None if no_cache else cache_dir or settings.cache_dir or _default_cache_dir(),
        severity_overrides=settings.severity_overrides,
        disabled_rules=settings.disabled_rules,
        ignores=settings.ignores,
        baseline=baseline or settings.baseline,
        python_rev=python_rev,
        elixir_rev=elixir_rev,
    )
    threshold = fail_on or FailOn(settings.fail_on or FailOn.P2)
    # The run allocates millions of small immutable objects and creates no garbage cycles worth
    # collecting; the cyclic collector's repeated passes over them cost more than a third of the run.
    gc.disable()
    try:
        with TerminalProgress() as progress:
            result = run_audit(replace(options, progress=progress))
    except UsageError as error:
        raise _usage_error(str(error)) from None
    except KeyboardInterrupt:
        # Whatever was being written is written atomically, so stopping here leaves no partial file.
        typer.echo("parity-audit: interrupted", err=True)
        # Under `python -m`, CPython ends the process with SIGINT instead of this exit code when the
        # Ctrl-C landed in code run from a string (the methods a dataclass or namedtuple generates),
        # even though it was caught; evaluating a string again clears that mark.
        exec("None")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    try:
        if write_baseline is not None:
            from auditor.baseline import baseline_document  # only for the run that writes one

            _write_file(write_baseline, "the baseline file", baseline_document(result.findings))
        files = [(output_format, output)] if output is not None else []
        for file_format, path in files + extra_reports:
            _write_file(path, f"the {file_format} report to", renderer(file_format.value)(result).encode("utf-8"))
        _print_report(result, OutputFormat.TEXT if output is not None else output_format)
    except UsageError as error:
        raise _usage_error(str(error)) from None
    raise typer.Exit(0 if write_baseline is not None else exit_code(result, threshold))


def _write_file(path: Path, what: str, data: bytes) -> None:
    try:
        write_atomically(path, data)
    except OSError as error:
        raise UsageError(f"cannot write {what} {path}: {error.strerror or error}.") from None


def _print_report(result: AuditResult, output_format: OutputFormat) -> None:
    if output_format is OutputFormat.TEXT and sys.stdout.isatty():
        from auditor.reports.text_report import show  # rich, only for the report that needs it

        show(result)
    else:
        sys.stdout.write(renderer(output_format.value)(result))


def main() -> None:
    """The console entry point."""
    try:
        app(prog_name="parity-audit")
    except SystemExit as ended:
        code = ended.code
    else:
        code = 0
    parser_host.release()
    if not isinstance(code, int) or code == EXIT_INTERRUPTED:
        # The ordinary exit prints a message code, and after Ctrl-C waits for the workers to stop.
        sys.exit(code)
    # Tearing down the heap a large audit built costs a tenth of a second or more and serves no one:
    # every file is written and closed by now, so the process ends once its output is out.
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # a reader that went away (`| head`) missed nothing it asked for
        pass
    os._exit(code)
