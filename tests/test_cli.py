"""The command line: exit codes, usage errors, output formats, options."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from auditor.rules import CATALOG

from auditor.cli import app, list_rules, run
from tests.conftest import REPO_ROOT, SAMPLE_ELIXIR, SAMPLE_PYTHON, invoke, write_tree

MODEL = "from pydantic import BaseModel\n\nclass Invoice(BaseModel):\n    total: int\n    note: str = ''\n"
PORT_AT_PARITY = (
    'defmodule Shop.Invoice do\n  defstruct [:total, note: ""]\n'
    "  @type t :: %__MODULE__{total: integer(), note: String.t()}\nend\n"
)


def pair(tmp_path: Path, python: str = MODEL, elixir: str = PORT_AT_PARITY) -> tuple[Path, Path]:
    return (
        write_tree(tmp_path / "py", {"shop/__init__.py": "", "shop/types.py": python}),
        write_tree(tmp_path / "ex", {"lib/shop/invoice.ex": elixir}),
    )


def test_json_has_the_documented_shape() -> None:
    result = invoke(SAMPLE_PYTHON, SAMPLE_ELIXIR, "--format", "json")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert set(document) == {
        "schema_version",
        "tool",
        "inputs",
        "summary",
        "types",
        "findings",
        "diagnostics",
        "suppressed",
        "baseline",
    }
    assert document["schema_version"] == 1
    inputs = {"root", "files", "types", "revision", "commit", "commit_date", "branch"}
    assert set(document["inputs"]["python"]) == set(document["inputs"]["elixir"]) == inputs
    assert set(document["summary"]["types"]) == {
        "parity",
        "wire-compatible",
        "mismatch",
        "missing-in-elixir",
        "elixir-only",
    }
    assert set(document["summary"]["findings"]) == {"P0", "P1", "P2", "P3", "info"}
    summary = document["summary"]
    assert (summary["suppressed"], summary["baselined"], summary["new"]) == (0, 0, 42)
    assert (document["suppressed"], document["baseline"]) == ([], None)
    assert sum(document["summary"]["findings"].values()) == len(document["findings"]) == 42
    finding = document["findings"][0]
    assert set(finding) == {
        "rule", "severity", "type", "field", "python_type", "elixir_type", "message", "python", "elixir",
        "fingerprint", "baselined",
    }
    assert finding["severity"] == "P0"
    type_entry = next(t for t in document["types"] if t["name"] == "Asset")
    assert type_entry["python"] == {
        "name": "Asset", "qualname": "pixelmill.types.asset.Asset", "path": "pixelmill/types/asset.py", "line": 10
    }
    assert type_entry["elixir"]["module"] == "Pixelmill.Types.Asset"
    # 6 of 7 fields shared and url extra: 6/8; 5 of the 6 of one type class (byte_size is not): 0.5 + 0.5 * 0.72
    assert type_entry["alignment"] == {"how": "name", "score": 0.86, "evidence": "6 of 7 fields shared"}
    assert next(t for t in document["types"] if t["name"] == "ErrorBody")["python"] is None


def test_output_is_byte_identical_between_runs() -> None:
    for output_format in ("json", "text"):
        first = invoke(SAMPLE_PYTHON, SAMPLE_ELIXIR, "--format", output_format).stdout
        second = invoke(SAMPLE_PYTHON, SAMPLE_ELIXIR, "--format", output_format).stdout
        assert first == second


def test_text_report_lists_findings_by_the_type_they_break_with_both_sides() -> None:
    text = invoke(SAMPLE_PYTHON, SAMPLE_ELIXIR).stdout
    assert text.startswith("Coverage: Python types ported 27 of 29 (93.1%): models 21 of 22, enums 2 of 2, unions 4")
    # Worst severity first; among P0 types, Asset (which a ported type reaches) before ProofJob and UsageReport.
    assert text.index("\nP0  Asset  (reached from 1 ported type)\n") < text.index("\nP0  ProofJob\n")
    assert text.index("\nP0  UsageReport\n") < text.index("\nP1  Finish  (reached from 4 ported types)\n")
    assert text.index("\nP1  Finish") < text.index("\nP2  ") < text.index("\nP3  ")
    assert "pages  P0 flattened-nesting" in text
    # A missing type a ported type needs is listed under that type, by its name.
    assert "\n  Orientation  P1 missing-type  Orientation (union) has no Elixir counterpart, and the ported " in text
    assert "python: List[Size]  (pixelmill/types/job.py:44)" in text
    assert "elixir: [String.t()]  (lib/pixelmill/types/proof_job.ex:16)" in text
    assert "\x1b[" not in text  # no colour codes when not writing to a terminal


@pytest.mark.parametrize(("fail_on", "expected"), [("P0", 1), ("P1", 1), ("P2", 1), ("P3", 1), ("never", 0)])
def test_fail_on_thresholds_on_the_samples(fail_on: str, expected: int) -> None:
    assert invoke(SAMPLE_PYTHON, SAMPLE_ELIXIR, "--fail-on", fail_on).exit_code == expected


def test_p3_findings_fail_only_at_p3(tmp_path: Path) -> None:
    extra = PORT_AT_PARITY.replace("note: String.t()}", "note: String.t(), cache: term()}").replace(
        "[:total,", "[:total, :cache,"
    )
    python, elixir = pair(tmp_path, elixir=extra)
    assert invoke(python, elixir).exit_code == 0
    assert invoke(python, elixir, "--fail-on", "P3").exit_code == 1


def test_parity_exits_zero(tmp_path: Path) -> None:
    python, elixir = pair(tmp_path)
    result = invoke(python, elixir, "--format", "json", "--fail-on", "P3")
    assert result.exit_code == 0, result.stdout
    assert json.loads(result.stdout)["summary"]["types"]["parity"] == 1


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("{missing}", "{elixir}"), "The Python checkout {missing} does not exist"),
        (("{python}", "{missing}"), "The Elixir checkout {missing} does not exist"),
        (("{empty}", "{elixir}"), "No Python types"),
        (("{python}", "{empty}"), "No Elixir types"),
        (("{python}",), "give the Python checkout and the Elixir checkout"),
        (("{python}", "{elixir}", "--map", "nonsense"), "--map takes PYTHON_NAME=ELIXIR_MODULE"),
        (("--explain", "no-such-rule"), "no rule is called 'no-such-rule'"),
        (
            ("{python}", "{elixir}", "--map", "Invoce=Shop.Invoice"),
            "--map Invoce=Shop.Invoice names no Python type that is audited (did you mean Invoice?).",
        ),
        (
            ("{elixir}", "{python}"),
            "under {elixir}; it holds 1 Elixir file: the arguments look swapped "
            "(give the Python checkout first, then the Elixir one).",
        ),
        (
            ("{python}", "{elixir}", "--python-include", "shop/types.py", "--python-include", "shop/model/**"),
            None,
        ),
        (
            ("{python}", "{elixir}", "--python-include", "shop/model/**", "--python-include", "sdk/*.py"),
            "were found in 0 .py files under {python}; the include globs 'shop/model/**', 'sdk/*.py' matched no file.",
        ),
        (
            ("{python}", "{elixir}", "--elixir-include", "lib/billing/*.ex"),
            "were found in 0 .ex files under {elixir}; the include glob 'lib/billing/*.ex' matched no file.",
        ),
    ],
)
def test_usage_errors_exit_2_with_one_sentence(tmp_path: Path, arguments, message: str) -> None:
    python, elixir = pair(tmp_path)
    empty = write_tree(tmp_path / "empty", {"lib/readme.ex": "# nothing\n", "notes.py": "x = 1\n"})
    places = {"python": python, "elixir": elixir, "missing": tmp_path / "nope", "empty": empty}
    result = invoke(*(argument.format(**places) for argument in arguments))
    if message is None:  # a glob that matches nothing beside one that matches is no error
        assert result.exit_code == 0, result.stderr
        return
    assert result.exit_code == 2
    assert message.format(**places) in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_map_pins_a_pair_and_exclude_type_leaves_types_out(tmp_path: Path) -> None:
    renamed = PORT_AT_PARITY.replace("Shop.Invoice", "Shop.Billing.Bill")
    python, elixir = pair(tmp_path, elixir=renamed)
    unmapped = json.loads(invoke(python, elixir, "--format", "json").stdout)
    assert {f["rule"] for f in unmapped["findings"]} == {"missing-type", "extra-type"}
    mapped = json.loads(
        invoke(python, elixir, "--format", "json", "--map", "Invoice=Shop.Billing.Bill").stdout
    )
    assert mapped["findings"] == []
    assert mapped["types"][0]["elixir"]["module"] == "Shop.Billing.Bill"
    excluded = invoke(python, elixir, "--exclude-type", "Inv*")
    assert excluded.exit_code == 2 and "No Python types" in excluded.stderr


def test_include_globs_select_files_but_imports_resolve_everywhere(tmp_path: Path) -> None:
    python = write_tree(
        tmp_path / "py",
        {
            "src/shop/__init__.py": "",
            "src/shop/_base.py": "import pydantic\n\nclass Base(pydantic.BaseModel):\n    pass\n",
            "src/shop/ids.py": "InvoiceID = str\n",
            "src/shop/types/__init__.py": "",
            "src/shop/types/invoice.py": (
                "from .._base import Base\nfrom ..ids import InvoiceID\n\nclass Invoice(Base):\n    id: InvoiceID\n"
            ),
            "src/shop/other.py": "from ._base import Base\n\nclass Unrelated(Base):\n    x: int\n",
        },
    )
    elixir = write_tree(
        tmp_path / "ex",
        {
            "lib/shop/types/invoice.ex": (
                "defmodule Shop.Types.Invoice do\n  @enforce_keys [:id]\n  defstruct [:id]\n"
                "  @type t :: %__MODULE__{id: String.t()}\nend\n"
            ),
            "lib/shop/client.ex": "defmodule Shop.Client do\n  defstruct [:conn]\nend\n",
        },
    )
    result = invoke(
        python,
        elixir,
        "--python-include",
        "src/shop/types/**",
        "--elixir-include",
        "lib/shop/types/**",
        "--format",
        "json",
        "--fail-on",
        "P3",
    )
    document = json.loads(result.stdout)
    assert result.exit_code == 0, document["findings"]
    assert [t["name"] for t in document["types"]] == ["Invoice"]
    assert document["inputs"]["python"]["files"] == 2


def test_output_file_receives_the_report_and_the_text_report_still_goes_to_stdout(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    result = invoke(SAMPLE_PYTHON, SAMPLE_ELIXIR, "--format", "json", "--output", target)
    assert result.stdout == invoke(SAMPLE_PYTHON, SAMPLE_ELIXIR, "--format", "text").stdout
    assert json.loads(target.read_text())["summary"]["findings"]["P0"] == 3
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_repeated_report_options_write_each_format_once(tmp_path: Path) -> None:
    json_path, text_path = tmp_path / "audit.json", tmp_path / "out" / "audit.txt"
    text_path.parent.mkdir()
    result = invoke(SAMPLE_PYTHON, SAMPLE_ELIXIR, "--format", "json", "--report", f"json={json_path}",
                    "--report", f"text={text_path}")
    assert json_path.read_text() == result.stdout
    assert text_path.read_text() == invoke(SAMPLE_PYTHON, SAMPLE_ELIXIR, "--format", "text").stdout


def test_a_report_that_cannot_be_written_or_dated_is_a_usage_error(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "a-file").write_text("")
    unwritable = invoke(SAMPLE_PYTHON, SAMPLE_ELIXIR, "--report", f"json={tmp_path / 'a-file' / 'a.json'}")
    assert unwritable.exit_code == 2
    assert unwritable.stderr.startswith("parity-audit: cannot write the json report to ")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    undated = invoke(SAMPLE_PYTHON, SAMPLE_ELIXIR, "--format", "markdown")
    assert undated.exit_code == 2
    assert "SOURCE_DATE_EPOCH" in undated.stderr
    assert len(undated.stderr.splitlines()) == 1


def test_a_report_option_without_a_known_format_is_a_usage_error(tmp_path: Path) -> None:
    for entry in ("pdf=x.pdf", "json", "json="):
        result = invoke(SAMPLE_PYTHON, SAMPLE_ELIXIR, "--report", entry)
        assert result.exit_code == 2
        assert "--report takes FORMAT=FILE" in result.stderr


def test_list_rules_and_explain_come_from_the_catalog() -> None:
    listed = invoke("--list-rules")
    assert listed.exit_code == 0
    for rule in CATALOG:
        assert f"| `{rule.slug}` |" in listed.stdout
        explained = invoke("--explain", rule.slug)
        assert explained.exit_code == 0
        assert rule.explanation in explained.stdout and rule.fix in explained.stdout
        assert rule.examples[0].python.splitlines()[-1].strip() in explained.stdout


def test_readme_rule_table_is_the_catalog() -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert list_rules() in readme


def test_console_script_runs_as_a_process() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "auditor", str(SAMPLE_PYTHON), str(SAMPLE_ELIXIR), "--fail-on", "never"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert "flattened-nesting" in completed.stdout


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        (("--fail-on", "p1"), "'--fail-on': 'p1'"),
        (("--jobs", "0"), "'--jobs': 0"),
        (("--format", "xml"), "'--format': 'xml'"),
        (("--frobnicate",), "--frobnicate"),
        (("surplus",), "(surplus)"),
        (("--format",), "'--format'"),
    ],
)
def test_option_parser_errors_are_one_line_usage_errors(tmp_path: Path, capsys, arguments, named: str) -> None:
    python, elixir = pair(tmp_path)
    code = run([str(python), str(elixir), *arguments])
    shown = capsys.readouterr()
    assert (code, shown.out) == (2, "")
    assert shown.err.startswith("parity-audit: ") and shown.err.count("\n") == 1
    assert named in shown.err


def test_an_option_parser_error_through_the_console_entry_point_is_one_line() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "auditor", str(SAMPLE_PYTHON), str(SAMPLE_ELIXIR), "--fail-on", "p1"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 2
    assert completed.stderr == (
        "parity-audit: invalid value for '--fail-on': 'p1' is not one of 'P0', 'P1', 'P2', 'P3', 'never'.\n"
    )


def test_a_reader_that_went_away_gets_no_traceback() -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # gone before a byte of the report is written, as with `| head -c 0`
    try:
        completed = subprocess.run(
            [sys.executable, "-m", "auditor", str(SAMPLE_PYTHON), str(SAMPLE_ELIXIR), "--no-cache"],
            stdout=write_end,
            stderr=subprocess.PIPE,
            check=False,
        )
    finally:
        os.close(write_end)
    assert completed.returncode >= 0  # it ended by itself, not by a signal
    assert completed.stderr == b""


def test_help_and_version_exit_0(capsys) -> None:
    assert run(["--version"]) == 0
    assert capsys.readouterr().out.startswith("parity-audit ")
    assert run(["--help"]) == 0
    assert capsys.readouterr().out.startswith("Usage: parity-audit [OPTIONS] [PYTHON_CHECKOUT] [ELIXIR_CHECKOUT]\n")


def _help_placeholders(capsys) -> dict[str, str]:
    """Each option of `--help` and the placeholder of its value ("" for a flag)."""
    assert run(["--help"]) == 0
    shown = capsys.readouterr().out
    assert re.search(r"<[^>]*>", shown) is None  # click's own style, e.g. <path> or <int range>
    return dict(re.findall(r"^  (--[a-z-]+) ?(\S*)", shown, re.MULTILINE))


def test_help_names_every_value_with_an_uppercase_placeholder(capsys) -> None:
    placeholders = _help_placeholders(capsys)
    for parameter in typer.main.get_command(app).params:
        if parameter.param_type_name != "option":
            continue
        name = parameter.opts[0]
        if parameter.is_flag:
            assert placeholders[name] == "", name
        else:
            assert re.fullmatch(r"[A-Z][A-Z_]*(=[A-Z][A-Z_]*)?", placeholders[name]), (name, placeholders[name])


def test_readme_option_table_uses_the_help_placeholders(capsys) -> None:
    placeholders = _help_placeholders(capsys)
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `(--[a-z-]+) ?([^`]*)`", readme, re.MULTILINE)
    assert rows
    assert {option: placeholders[option] for option, _ in rows} == dict(rows)


RENAMED_SDK = (
    "from pydantic import BaseModel\n\n"
    "class InvoiceLine(BaseModel):\n    sku: str\n    quantity: int\n\n"
    "class GenerateResponseUsage(BaseModel):\n    input_tokens: int\n    output_tokens: int\n    cached_tokens: int\n"
)
RENAMED_PORT = (
    "defmodule Shop.Invoice.Line do\n  defstruct [:sku, :quantity]\n"
    "  @type t :: %__MODULE__{sku: String.t(), quantity: integer()}\nend\n"
    "defmodule Shop.Response.Usage do\n  defstruct [:input_tokens, :output_tokens, :cached_tokens]\n"
    "  @type t :: %__MODULE__{input_tokens: integer(), output_tokens: integer(), cached_tokens: integer()}\nend\n"
)


def test_pairs_not_found_by_name_are_listed_for_a_maintainer_to_confirm(tmp_path: Path) -> None:
    python, elixir = pair(tmp_path, RENAMED_SDK, RENAMED_PORT)
    text = invoke(python, elixir).stdout
    assert (
        "Pairs not found by name\n"
        "  GenerateResponseUsage = Shop.Response.Usage  shape 0.70: 3 of 3 fields shared; name shares response, usage\n"
        "  InvoiceLine = Shop.Invoice.Line  path 1.00: 2 of 2 fields shared\n"
        "  Pin another counterpart with --map Name=Module, or keep a type unpaired with --map Name=.\n"
    ) in text
    markdown = invoke(python, elixir, "--format", "markdown").stdout
    assert "## Pairs not found by name (2)" in markdown
    assert "| `shop.types.InvoiceLine` | `Shop.Invoice.Line` | path | 1.00 | 2 of 2 fields shared |" in markdown
    document = json.loads(invoke(python, elixir, "--format", "json").stdout)
    assert [t["alignment"]["how"] for t in document["types"]] == ["shape", "path"]
    assert document["findings"] == []


def test_no_infer_and_an_empty_map_keep_types_unpaired(tmp_path: Path) -> None:
    python, elixir = pair(tmp_path, RENAMED_SDK, RENAMED_PORT)

    def statuses(*options: str) -> list[tuple[str, str]]:
        document = json.loads(invoke(python, elixir, "--format", "json", *options).stdout)
        return [(t["name"], t["status"]) for t in document["types"]]

    assert statuses("--no-infer") == [
        ("GenerateResponseUsage", "missing-in-elixir"),
        ("InvoiceLine", "parity"),
        ("Usage", "elixir-only"),
    ]
    assert statuses("--map", "InvoiceLine=") == [
        ("GenerateResponseUsage", "parity"),
        ("InvoiceLine", "missing-in-elixir"),
        ("Line", "elixir-only"),
    ]
    (tmp_path / "unpaired.toml").write_text('unpaired = ["GenerateResponseUsage"]\ninfer = true\n')
    assert statuses("--config", str(tmp_path / "unpaired.toml"))[0] == ("GenerateResponseUsage", "missing-in-elixir")


def test_a_qualified_exclude_glob_matches_modules_and_python_qualified_names(tmp_path: Path) -> None:
    python, elixir = pair(tmp_path, RENAMED_SDK, RENAMED_PORT)

    def names(*options: str) -> list[str]:
        document = json.loads(invoke(python, elixir, "--format", "json", *options).stdout)
        return [t["name"] for t in document["types"]]

    assert names("--exclude-type", "Shop.Response.*") == ["GenerateResponseUsage", "InvoiceLine"]
    assert names("--exclude-type", "shop.types.Invoice*") == ["GenerateResponseUsage", "Line"]
    assert names("--exclude-type", "Line") == ["GenerateResponseUsage", "InvoiceLine"]  # a bare glob: last names
