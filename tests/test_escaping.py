"""Text taken from audited code (names, defaults, annotations, literal values) cannot reach the
terminal as control sequences or markup, and the JSON report carries it exactly."""

from __future__ import annotations

import io
import json
import sys
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from auditor.audit import AuditOptions, run_audit
from auditor.reports import ReportOptions
from auditor.reports.text_report import render_to
from auditor.reports.untrusted import replace_unsafe
from tests.bad_input.corpus import run_cli
from tests.conftest import write_tree

ESC = "\x1b"
BEL = "\x07"
CSI_RED = f"{ESC}[31m"
OSC_TITLE = f"{ESC}]0;pwned{BEL}"
MARKUP = "[bold red]boom[/bold red]"
HTML = "<script>alert(1)</script>"
PIPE = "a|b"
TICKS = "`tick`"

# Python: string defaults and Literal values hold raw ESC/BEL characters (legal inside a literal).
PYTHON = f'''from typing import Literal, Optional

from pydantic import BaseModel, Field


class Weird(BaseModel):
    kind: Literal["{PIPE}", "{TICKS}", "{HTML}", "{MARKUP}", "{CSI_RED}red", "{OSC_TITLE}"]
    note: str = "{MARKUP} | {TICKS} {HTML} {CSI_RED}"
    label: Optional[str] = Field(default="{OSC_TITLE}", alias="x|y")
    count: int = 1
'''

# Elixir: quoted atoms (as struct keys and enum members) and string defaults hold the same text.
ELIXIR = f'''defmodule Shop.Weird do
  defstruct [
    :kind,
    :label,
    :"weird|key `{MARKUP}` {CSI_RED}",
    note: "{HTML} | {MARKUP} {OSC_TITLE}",
    count: "{CSI_RED}1"
  ]

  @type t :: %__MODULE__{{
          kind: :"{PIPE}" | :"{TICKS}" | :"{MARKUP}" | :"{CSI_RED}red",
          label: String.t() | nil,
          "weird|key `{MARKUP}` {CSI_RED}": String.t(),
          note: String.t(),
          count: String.t()
        }}
end
'''

WEIRD_KEY = f"weird|key `{MARKUP}` {CSI_RED}"
PYTHON_NOTE_DEFAULT = f"{MARKUP} | {TICKS} {HTML} {CSI_RED}"
ELIXIR_NOTE_DEFAULT = f"{HTML} | {MARKUP} {OSC_TITLE}"


@pytest.fixture
def checkouts(tmp_path: Path) -> tuple[Path, Path]:
    return (
        write_tree(tmp_path / "py", {"shop/__init__.py": "", "shop/types.py": PYTHON}),
        write_tree(tmp_path / "ex", {"lib/shop/weird.ex": ELIXIR}),
    )


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def test_inputs_carry_raw_control_characters() -> None:
    assert ESC in PYTHON and BEL in PYTHON and ESC in ELIXIR and BEL in ELIXIR


def test_json_report_round_trips_the_exact_text(checkouts: tuple[Path, Path]) -> None:
    run = run_cli(*checkouts, "--format", "json", "--fail-on", "never")
    assert run.returncode == 0, run.stderr
    document = json.loads(run.stdout.decode("utf-8"))
    strings = list(_strings(document))
    fields = {finding["field"] for finding in document["findings"]}
    assert WEIRD_KEY in fields
    for expected in (PYTHON_NOTE_DEFAULT, ELIXIR_NOTE_DEFAULT, OSC_TITLE, f"{CSI_RED}red"):
        assert any(expected in text for text in strings), expected
    # An Elixir annotation written with a quoted atom comes back exactly as written.
    annotations = {f["elixir"]["annotation"] for f in document["findings"] if f["elixir"] is not None}
    assert any(f':"{MARKUP}"' in annotation for annotation in annotations)


def test_plain_text_report_has_no_control_characters_and_shows_markup_literally(
    checkouts: tuple[Path, Path],
) -> None:
    run = run_cli(*checkouts, "--format", "text", "--fail-on", "never")
    assert run.returncode == 0, run.stderr
    assert b"\x1b" not in run.stdout
    assert b"\x07" not in run.stdout
    text = run.stdout.decode("utf-8")
    for literal in (MARKUP, HTML, TICKS, "weird|key", PIPE):
        assert literal in text, literal
    # The control characters were replaced, not dropped: the reader can see something was there.
    assert "\N{REPLACEMENT CHARACTER}[31m" in text


def test_terminal_report_emits_only_its_own_styling(checkouts: tuple[Path, Path]) -> None:
    """On a terminal rich adds colour codes of its own, but none that came from the audited code."""
    result = run_audit(AuditOptions(*checkouts))
    buffer = io.StringIO()
    render_to(result, Console(file=buffer, force_terminal=True, color_system="truecolor", width=200), ReportOptions())
    output = buffer.getvalue()
    assert ESC in output  # rich's own styling is there...
    assert BEL not in output
    assert f"{ESC}]" not in output  # ...but no operating-system command such as a window title
    assert CSI_RED not in output  # rich writes truecolor codes (38;2;...), never this bare one
    assert MARKUP in output
    assert "\N{REPLACEMENT CHARACTER}]0;pwned" in output


def test_markdown_report_shows_hostile_text_as_text_only(checkouts: tuple[Path, Path]) -> None:
    from markdown_it import MarkdownIt

    run = run_cli(*checkouts, "--format", "markdown", "--fail-on", "never")
    assert run.returncode == 0, run.stderr
    text = run.stdout.decode("utf-8")
    assert ESC not in text and BEL not in text
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    html = [t.content for t in tokens if t.type == "html_block"]
    html += [child.content for t in tokens for child in t.children or () if child.type == "html_inline"]
    assert all("script" not in fragment for fragment in html), html
    inline = [child for token in tokens for child in token.children or ()]
    rendered_text = [child.content for child in inline if child.type in ("text", "code_inline")]
    assert any(HTML in fragment for fragment in rendered_text)
    assert any("weird|key" in fragment for fragment in rendered_text)


def test_sarif_and_github_outputs_carry_no_raw_control_characters(checkouts: tuple[Path, Path]) -> None:
    sarif = run_cli(*checkouts, "--format", "sarif", "--fail-on", "never")
    assert sarif.returncode == 0, sarif.stderr
    assert b"\x1b" not in sarif.stdout and b"\x07" not in sarif.stdout
    messages = [result["message"]["text"] for result in json.loads(sarif.stdout)["runs"][0]["results"]]
    assert any(WEIRD_KEY.replace("[", "\\[").replace("]", "\\]") in message for message in messages)

    github = run_cli(*checkouts, "--format", "github", "--fail-on", "never")
    assert github.returncode == 0, github.stderr
    assert b"\x1b" not in github.stdout and b"\x07" not in github.stdout
    lines = github.stdout.decode("utf-8").splitlines()
    assert lines and all(line.startswith("::") for line in lines)


BIDI_SPOOF = "admin\u202egnp.exe"


@pytest.mark.parametrize("output_format", ["text", "markdown", "github"])
def test_bidirectional_controls_never_reach_a_report(tmp_path: Path, output_format: str) -> None:
    """A right-to-left override makes a name display as another; every report replaces it."""
    python_root = write_tree(tmp_path / "py", {"shop/__init__.py": "", "shop/types.py": PYTHON})
    elixir = ELIXIR.replace(f':"weird|key `{MARKUP}` {CSI_RED}"', f':"{BIDI_SPOOF}"').replace(
        f'"weird|key `{MARKUP}` {CSI_RED}":', f'"{BIDI_SPOOF}":'
    )
    elixir_root = write_tree(tmp_path / "ex", {"lib/shop/weird.ex": elixir})
    run = run_cli(python_root, elixir_root, "--format", output_format, "--fail-on", "never")
    assert run.returncode == 0, run.stderr
    text = run.stdout.decode("utf-8")
    assert "\u202e" not in text
    assert "admin\N{REPLACEMENT CHARACTER}gnp" in text.replace("\\", "")


EXPLICIT_BIDI = {"LRE", "RLE", "PDF", "LRO", "RLO", "LRI", "RLI", "FSI", "PDI"}
BIDI_MARKS = {"LEFT-TO-RIGHT MARK", "RIGHT-TO-LEFT MARK", "ARABIC LETTER MARK"}


def _unsafe(character: str) -> bool:
    """Controls, surrogates, line and paragraph separators, and what reorders or marks bidirectional text."""
    return (
        unicodedata.category(character) in ("Cc", "Cs", "Zl", "Zp")
        or unicodedata.bidirectional(character) in EXPLICIT_BIDI
        or unicodedata.name(character, "") in BIDI_MARKS
    )


@pytest.mark.parametrize("kept", ["", "\t\n", "\t\r\n"])
def test_every_unsafe_code_point_but_the_kept_ones_is_replaced(kept: str) -> None:
    every = "".join(map(chr, range(sys.maxunicode + 1)))
    expected = "".join(
        "\N{REPLACEMENT CHARACTER}" if _unsafe(character) and character not in kept else character
        for character in every
    )
    assert replace_unsafe(every, kept) == expected
    assert [replace_unsafe(character, kept) for character in every] == list(expected)
