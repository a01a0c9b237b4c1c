"""`--format github`: workflow command lines that GitHub's runner reads back exactly as the audit meant them."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from auditor.audit import AuditOptions, run_audit
from auditor.findings import BaselineStatus, Ignore, Suppressed
from auditor.model import Location
from auditor.reports.github_report import command, escape_data, escape_property, render
from tests.bad_input.corpus import run_cli
from tests.conftest import write_tree

PYTHON = '''from typing import Literal

from pydantic import BaseModel


class Invoice(BaseModel):
    total: int
    note: str = ""


Currency = Literal["eur", "usd"]
'''

ELIXIR = """defmodule Shop.Invoice do
  defstruct [:total, :cache]
  @type t :: %__MODULE__{total: integer(), cache: term()}
end
"""

# Each finding by hand: Currency is a Literal alias the port lacks and no ported type uses (missing-type, P2,
# at its Python line 11);
# `note` is optional and absent (missing-field, P1, at the Elixir module, line 1); `cache` exists only in
# the port (extra-field, P3, at the defstruct line 2; its Python side is the class, line 6).
CURRENCY = (
    "title=P2 missing-type%3A Currency::Currency (union) has no Elixir counterpart, and no ported type uses it: "
    "unported API surface.%0Apython: {py}/shop/types.py:11"
)
NOTE = (
    "title=P1 missing-field%3A Invoice.note::`note` (optional) is not a field of the Elixir struct: the port "
    "cannot send it and drops it from responses.%0Apython: str ({py}/shop/types.py:8)%0A"
    "elixir: {ex}lib/shop/invoice.ex:1"
)
CACHE = (
    "title=P3 extra-field%3A Invoice.cache::`cache` exists only in the port: the Python SDK neither sends nor "
    "expects it.%0Apython: {py}/shop/types.py:6%0Aelixir: term() ({ex}lib/shop/invoice.ex:2)"
)


def unescape_data(text: str) -> str:
    """The runner's reading of a message (actions/runner ActionCommand.UnescapeData): %25 last."""
    for escaped, token in (("%0D", "\r"), ("%0A", "\n"), ("%25", "%")):
        text = text.replace(escaped, token)
    return text


def unescape_property(text: str) -> str:
    """The runner's reading of a property value (ActionCommand.UnescapeProperty)."""
    for escaped, token in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(escaped, token)
    return text


def parse(line: str) -> tuple[str, dict[str, str], str]:
    """A workflow command split as the runner splits it (ActionCommand.TryParseV2)."""
    assert line.startswith("::"), line
    end = line.index("::", 2)
    name, _, properties = line[2:end].partition(" ")
    parsed = {}
    for entry in properties.strip().split(","):
        key, _, value = entry.partition("=")
        if key and value:
            parsed[key] = unescape_property(value)
    return name, parsed, unescape_data(line[end + 2 :])


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A workflow's workspace: the SDK in `py/`, the port in `port/`, the working directory at the top."""
    write_tree(tmp_path / "py", {"shop/__init__.py": "", "shop/types.py": PYTHON})
    write_tree(tmp_path / "port", {"lib/shop/invoice.ex": ELIXIR})
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_cli_prints_one_exact_line_per_finding(workspace: Path) -> None:
    run = run_cli(Path("py"), Path("port"), "--format", "github", "--no-cache", "--fail-on", "never", cwd=workspace)
    assert run.returncode == 0, run.stderr
    assert run.stdout.decode("utf-8").splitlines() == [
        "::error file=port/lib/shop/invoice.ex,line=1," + NOTE.format(py="py", ex="port/"),
        "::warning file=py/shop/types.py,line=11," + CURRENCY.format(py="py"),
        "::notice file=port/lib/shop/invoice.ex,line=2," + CACHE.format(py="py", ex="port/"),
    ]


def test_a_side_outside_the_workspace_is_annotated_without_a_file(workspace: Path, monkeypatch) -> None:
    monkeypatch.chdir(workspace / "port")
    lines = render(run_audit(AuditOptions(Path("../py"), Path(".")))).splitlines()
    assert lines == [
        "::error file=lib/shop/invoice.ex,line=1," + NOTE.format(py="../py", ex=""),
        "::warning " + CURRENCY.format(py="../py"),
        "::notice file=lib/shop/invoice.ex,line=2," + CACHE.format(py="../py", ex=""),
    ]


def test_an_absolute_root_gives_no_file(workspace: Path) -> None:
    result = run_audit(AuditOptions(workspace / "py", workspace / "port"))
    for line in render(result).splitlines():
        _, properties, _ = parse(line)
        assert set(properties) == {"title"}


def test_baselined_findings_are_notices_after_new_ones_and_suppressed_ones_are_left_out(workspace: Path) -> None:
    result = run_audit(AuditOptions(Path("py"), Path("port")))
    note, currency, cache = result.findings
    accepted = Suppressed(cache, "config", "local state", Location("parity-audit.toml", 3))
    baseline = BaselineStatus("baseline.json", frozenset({currency}), fixed=0)
    lines = render(replace(result, findings=(note, currency), suppressed=(accepted,), baseline=baseline)).splitlines()
    assert lines == [
        "::error file=port/lib/shop/invoice.ex,line=1," + NOTE.format(py="py", ex="port/"),
        "::notice file=py/shop/types.py,line=11," + CURRENCY.format(py="py").replace("title=", "title=baselined ", 1),
    ]


def test_diagnostics_come_first_at_their_file_and_line(workspace: Path) -> None:
    write_tree(workspace / "port", {"lib/shop/broken.ex": "defmodule Shop.Broken do\n  defstruct [:a\nend\n"})
    result = run_audit(AuditOptions(Path("py"), Path("port")))
    [(_, diagnostic)] = result.diagnostics
    lines = render(result).splitlines()
    assert len(lines) == 1 + len(result.findings)
    assert parse(lines[0]) == (
        "error",
        {"file": "port/lib/shop/broken.ex", "line": str(diagnostic.line), "title": "parity-audit elixir error"},
        diagnostic.message,
    )


HOSTILE_KEY = "we,ird:key 100%"


def test_hostile_names_paths_and_messages_read_back_exactly(workspace: Path) -> None:
    # A quoted atom makes a struct key of commas, colons and a percent sign: a real extra-field finding.
    hostile_port = ELIXIR.replace(":cache", f':"{HOSTILE_KEY}"').replace("cache:", f'"{HOSTILE_KEY}":')
    write_tree(workspace / "port", {"lib/shop/invoice.ex": hostile_port})
    result = run_audit(AuditOptions(Path("py"), Path("port")))
    extra = next(f for f in result.findings if f.rule == "extra-field")
    assert extra.field == HOSTILE_KEY and extra.elixir is not None
    hostile = replace(
        extra,
        type_name="In\nvoice",
        message="::warning file=x.py::injected\r\nsecond %0A line, %25 :: end",
        elixir=replace(extra.elixir, location=Location("lib/a,b:c/100%\n.ex", 4)),
    )
    output = render(replace(result, findings=(hostile,)))
    [line] = output.splitlines()
    assert output == line + "\n" and "\r" not in output
    name, properties, message = parse(line)
    assert name == "notice"
    assert properties == {
        "file": "port/lib/a,b:c/100%\n.ex",
        "line": "4",
        "title": f"P3 extra-field: In\nvoice.{HOSTILE_KEY}",
    }
    assert message == (
        "::warning file=x.py::injected\r\nsecond %0A line, %25 :: end\n"
        "python: py/shop/types.py:6\n"
        "elixir: term() (port/lib/a,b:c/100%\n.ex:4)"
    )


def test_control_characters_from_audited_code_are_replaced(workspace: Path) -> None:
    result = run_audit(AuditOptions(Path("py"), Path("port")))
    hostile = replace(result.findings[0], message="red \x1b[31m bell \x07 separator \u2028 end")
    [line] = render(replace(result, findings=(hostile,))).splitlines()
    _, _, message = parse(line)
    assert message.startswith("red \N{REPLACEMENT CHARACTER}[31m bell \N{REPLACEMENT CHARACTER} separator ")
    assert "\x1b" not in line and "\x07" not in line and "\u2028" not in line


@given(st.text())
def test_escaped_data_never_breaks_the_line_and_reads_back_exactly(text: str) -> None:
    escaped = escape_data(text)
    assert "\n" not in escaped and "\r" not in escaped
    assert unescape_data(escaped) == text


@given(st.text())
def test_escaped_properties_never_end_the_properties_and_read_back_exactly(text: str) -> None:
    escaped = escape_property(text)
    assert not set(escaped) & {"\n", "\r", ":", ","}
    assert unescape_property(escaped) == text


# Text that reaches `command` unchanged: CR and LF are escaped, other control characters replaced.
_COMMAND_TEXT = st.text(
    st.characters(exclude_categories=("Cc", "Cs", "Zl", "Zp")) | st.sampled_from("\r\n%:,=: "), min_size=1
)


@given(message=_COMMAND_TEXT, file=_COMMAND_TEXT)
def test_any_message_and_file_read_back_from_one_line(message: str, file: str) -> None:
    line = command("warning", message, "a title", file, 7)
    assert len(line.splitlines()) == 1
    assert parse(line) == ("warning", {"file": file, "line": "7", "title": "a title"}, message)


def test_a_stale_config_ignore_is_annotated_at_the_config_file_as_given(workspace: Path) -> None:
    stale = Ignore("missing-field", "Nowhere", None, "left over", Location("ci/parity.toml", 7))
    result = run_audit(AuditOptions(Path("py"), Path("port"), ignores=(stale,)))
    [(side, diagnostic)] = result.diagnostics
    assert side == "config"
    kind, properties, message = parse(render(result).splitlines()[0])
    assert (kind, properties["file"], properties["line"]) == ("warning", "ci/parity.toml", "7")
    assert message == diagnostic.message
