"""Config files: where they are found, what every key does, how the command line overrides them, errors."""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import auditor.cli
from auditor.audit import AuditOptions, UsageError
from auditor.config import IGNORE_KEYS, KEYS, Settings, entry_lines, key_lines, read_settings
from auditor.findings import Ignore, Severity
from auditor.model import Location
from tests.conftest import REPO_ROOT, SAMPLE_ELIXIR, SAMPLE_PYTHON, invoke, write_tree

INVOICE = "from pydantic import BaseModel\n\nclass Invoice(BaseModel):\n    total: int\n"
BILL = "defmodule Shop.Billing.Bill do\n  defstruct [:total]\n  @type t :: %__MODULE__{total: integer()}\nend\n"


def report(*args: str | Path) -> dict:
    result = invoke(*args, "--format", "json")
    assert result.exit_code in (0, 1), result.stderr
    return json.loads(result.stdout)


def toml_string(text: str) -> str:
    """A TOML basic string holding `text`: JSON's escapes are TOML's, except that TOML also escapes DEL."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def sample_paths(base: Path) -> str:
    """`python` and `elixir` lines naming the sample pair relative to `base`, as a port repo would."""
    python, elixir = relative_samples(base)
    return f"python = {toml_string(python)}\nelixir = {toml_string(elixir)}\n"


def relative_samples(base: Path) -> tuple[str, str]:
    return os.path.relpath(SAMPLE_PYTHON, base), os.path.relpath(SAMPLE_ELIXIR, base)


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def audit_options(monkeypatch: pytest.MonkeyPatch) -> list[AuditOptions]:
    """The options the command line hands to the audit, which is stopped there with a usage error."""
    captured: list[AuditOptions] = []

    def capture(options: AuditOptions) -> None:
        captured.append(options)
        raise UsageError("stopped after the options were built.")

    monkeypatch.setattr(auditor.cli, "run_audit", capture)
    return captured


# Where the file is found


def test_no_arguments_with_a_config_file_give_the_report_of_the_explicit_command(in_tmp: Path) -> None:
    explicit = invoke(*relative_samples(in_tmp), "--format", "json")
    (in_tmp / ".parity-audit.toml").write_text(sample_paths(in_tmp))
    configured = invoke("--format", "json")
    assert configured.exit_code == explicit.exit_code == 1
    assert configured.stdout == explicit.stdout
    assert json.loads(configured.stdout)["inputs"]["python"]["root"] == os.path.relpath(SAMPLE_PYTHON, in_tmp)


def test_the_tool_parity_audit_table_of_pyproject_is_a_config(in_tmp: Path) -> None:
    explicit = invoke(*relative_samples(in_tmp), "--format", "json")
    (in_tmp / "pyproject.toml").write_text(
        '[project]\nname = "port"\n\n[tool.parity-audit]\n' + sample_paths(in_tmp) + 'fail-on = "never"\n'
    )
    configured = invoke("--format", "json")
    assert (configured.exit_code, explicit.exit_code) == (0, 1)
    assert configured.stdout == explicit.stdout


def test_a_pyproject_without_the_table_is_no_config(in_tmp: Path) -> None:
    (in_tmp / "pyproject.toml").write_text('[project]\nname = "port"\n\n[tool.ruff]\nline-length = 100\n')
    assert invoke(SAMPLE_PYTHON, SAMPLE_ELIXIR).exit_code == 1
    bare = invoke()
    assert bare.exit_code == 2
    assert "give the Python checkout and the Elixir checkout" in bare.stderr


def test_dot_parity_audit_toml_wins_over_pyproject_which_is_then_not_read(in_tmp: Path) -> None:
    (in_tmp / ".parity-audit.toml").write_text(sample_paths(in_tmp) + 'fail-on = "never"\n')
    (in_tmp / "pyproject.toml").write_text('[tool.parity-audit]\nfail-on = "P0"\nnot-a-key = 1\n')
    assert invoke().exit_code == 0


def test_config_option_wins_over_the_files_in_the_current_directory(in_tmp: Path) -> None:
    (in_tmp / ".parity-audit.toml").write_text(sample_paths(in_tmp) + 'fail-on = "never"\n')
    (in_tmp / "strict.toml").write_text(sample_paths(in_tmp) + 'fail-on = "P3"\n')
    assert invoke().exit_code == 0
    assert invoke("--config", "strict.toml").exit_code == 1


def test_relative_paths_are_relative_to_the_config_file_wherever_the_run_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config_dir = tmp_path / "port" / "audit"
    config_dir.mkdir(parents=True)
    (config_dir / "parity.toml").write_text(sample_paths(config_dir) + 'cache-dir = "cache"\n')
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    configured = report("--config", "../port/audit/parity.toml")
    python_root = Path("../port/audit") / os.path.relpath(SAMPLE_PYTHON, config_dir)
    assert configured["inputs"]["python"]["root"] == str(python_root)
    assert configured["findings"] == report(SAMPLE_PYTHON, SAMPLE_ELIXIR)["findings"]
    assert any((config_dir / "cache").iterdir())
    assert not (tmp_path / "elsewhere" / "cache").exists()


# What the keys do, and the command line over them


def test_command_line_checkouts_override_the_files(in_tmp: Path) -> None:
    python = write_tree(in_tmp / "py", {"shop/__init__.py": "", "shop/types.py": INVOICE})
    elixir = write_tree(in_tmp / "ex", {"lib/shop/bill.ex": BILL})
    (in_tmp / ".parity-audit.toml").write_text(sample_paths(in_tmp) + 'map = {Invoice = "Shop.Billing.Bill"}\n')
    overridden = report(python, elixir)
    assert [t["name"] for t in overridden["types"]] == ["Invoice"]
    assert overridden["findings"] == []  # the file's map still applies


def test_the_map_table_pins_pairs_and_a_command_line_map_replaces_it(in_tmp: Path) -> None:
    write_tree(in_tmp / "py", {"shop/__init__.py": "", "shop/types.py": INVOICE})
    write_tree(in_tmp / "ex", {"lib/shop/bill.ex": BILL})
    (in_tmp / ".parity-audit.toml").write_text('python = "py"\nelixir = "ex"\n\n[map]\nInvoice = "Shop.Billing.Bill"\n')
    assert report()["findings"] == []
    replaced = report("--map", "Invoice=")  # kept unpaired: the pin of the file no longer holds
    assert sorted(f["rule"] for f in replaced["findings"]) == ["extra-type", "missing-type"]


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        ('[map]\nA = "X.A"\n\n"B" = "X.B"\n', {("map", "A"): 2, ("map", "B"): 4}),
        ('map.A = "X.A"\nmap.B = "X.B"\n', {("map", "A"): 1, ("map", "B"): 2}),
        ('x = 1\nmap = {A = "X.A", B = "X.B"}\n', {("x",): 1, ("map",): 2, ("map", "A"): 2, ("map", "B"): 2}),
        ('[tool.parity-audit.map]\nA = "X.A"\n', {("tool", "parity-audit", "map", "A"): 2}),
    ],
)
def test_key_lines_find_every_key_in_each_form(lines: str, expected: dict[tuple[str, ...], int]) -> None:
    assert key_lines(lines) == expected


def test_a_map_entry_naming_no_python_type_is_a_warning_at_its_line(in_tmp: Path) -> None:
    write_tree(in_tmp / "py", {"shop/__init__.py": "", "shop/types.py": INVOICE})
    write_tree(in_tmp / "ex", {"lib/shop/bill.ex": BILL})
    (in_tmp / ".parity-audit.toml").write_text(
        'python = "py"\nelixir = "ex"\n\n[map]\nInvoice = "Shop.Billing.Bill"\n# gone\nReceipt = "Shop.Receipt"\n'
    )
    document = report()
    assert document["findings"] == []
    assert document["diagnostics"] == [
        {
            "level": "warning",
            "side": "config",
            "path": ".parity-audit.toml",
            "line": 7,
            "message": "the map entry Receipt = 'Shop.Receipt' names no Python type that is audited; "
            "correct or delete it",
        }
    ]


@pytest.mark.parametrize(
    ("file_lines", "command_line", "expected_command_line"),
    [
        (
            'python-include = ["pixelmill/types/asset.py"]\nelixir-include = ["lib/pixelmill/types/asset.ex"]\n',
            (),
            ("--python-include", "pixelmill/types/asset.py", "--elixir-include", "lib/pixelmill/types/asset.ex"),
        ),
        (
            'python-include = ["pixelmill/types/asset.py"]\n',
            ("--python-include", "pixelmill/types/job.py", "--python-include", "pixelmill/types/job_*.py"),
            ("--python-include", "pixelmill/types/job.py", "--python-include", "pixelmill/types/job_*.py"),
        ),
        ('exclude-type = ["Asset*", "Proof*"]\n', (), ("--exclude-type", "Asset*", "--exclude-type", "Proof*")),
        ('exclude-type = ["Asset*"]\n', ("--exclude-type", "Proof*"), ("--exclude-type", "Proof*")),
    ],
    ids=["includes", "cli-includes-replace", "exclude-type", "cli-exclude-type-replaces"],
)
def test_list_keys_select_as_their_options_do_and_a_command_line_list_replaces_them(
    in_tmp: Path, file_lines: str, command_line: tuple[str, ...], expected_command_line: tuple[str, ...]
) -> None:
    explicit = report(*relative_samples(in_tmp), *expected_command_line)
    assert explicit["types"] != report(*relative_samples(in_tmp))["types"]
    (in_tmp / ".parity-audit.toml").write_text(sample_paths(in_tmp) + file_lines)
    assert report(*command_line) == explicit


@pytest.mark.parametrize(
    ("file_fail_on", "command_line", "expected"),
    [("never", (), 0), ("P0", (), 1), ("never", ("--fail-on", "P2"), 1), ("P3", ("--fail-on", "never"), 0)],
)
def test_fail_on_from_the_file_and_from_the_command_line(
    in_tmp: Path, file_fail_on: str, command_line: tuple[str, ...], expected: int
) -> None:
    (in_tmp / ".parity-audit.toml").write_text(sample_paths(in_tmp) + f'fail-on = "{file_fail_on}"\n')
    assert invoke(*command_line).exit_code == expected


def test_markdown_size_from_the_file_and_from_the_command_line(in_tmp: Path) -> None:
    (in_tmp / ".parity-audit.toml").write_text(sample_paths(in_tmp) + 'markdown-size = "summary"\n')
    compact = invoke("--format", "markdown").stdout
    assert "This is the compact form of the report" in compact and "## Priority fixes" not in compact
    full = invoke("--format", "markdown", "--markdown-size", "full").stdout
    assert "## Priority fixes" in full and "This is the compact form" not in full


def test_jobs_cache_dir_and_baseline_reach_the_audit_and_the_command_line_wins(
    in_tmp: Path, audit_options: list[AuditOptions]
) -> None:
    (in_tmp / "cfg").mkdir()
    (in_tmp / "cfg" / "parity.toml").write_text(
        sample_paths(in_tmp / "cfg") + 'jobs = 3\ncache-dir = "cache"\nbaseline = "/abs/baseline.json"\n'
    )
    assert invoke("--config", "cfg/parity.toml").exit_code == 2
    overrides = ("--jobs", "1", "--cache-dir", "c2", "--baseline", "b.json")
    assert invoke("--config", "cfg/parity.toml", *overrides).exit_code == 2
    assert invoke("--config", "cfg/parity.toml", "--no-cache").exit_code == 2
    configured, overridden, uncached = audit_options
    assert (configured.jobs, configured.cache_dir, configured.baseline) == (
        3,
        Path("cfg/cache"),
        Path("/abs/baseline.json"),
    )
    assert (overridden.jobs, overridden.cache_dir, overridden.baseline) == (1, Path("c2"), Path("b.json"))
    assert uncached.cache_dir is None


def test_without_a_config_the_defaults_are_those_documented(in_tmp: Path, audit_options: list[AuditOptions]) -> None:
    invoke(SAMPLE_PYTHON, SAMPLE_ELIXIR)
    (options,) = audit_options
    assert options.jobs == (os.cpu_count() or 1)
    assert (options.python_includes, options.excluded_types, options.name_map) == ((), (), {})
    assert (options.severity_overrides, options.disabled_rules, options.ignores, options.baseline) == (
        {},
        frozenset(),
        (),
        None,
    )


# Severity overrides, disabled rules, ignores and the baseline: parsed exactly


TRIAGE_HEADERS = """\
baseline = "baselines/parity.json"
disable = ["atom-enum", "extra-type"]

[severity]
datetime-as-string = "P3"
bytes-as-base64 = "info"

# [[ignore]] in a comment is no entry
[[ignore]]
type = "Asset"
field = "filename"
rule = "missing-field"
reason = "The port uploads files by path (\\"}, {\\")."

[[ ignore ]]
type = "Telemetry*"
rule = "extra-field"
reason = '''
Elixir-only instrumentation,
[[ignore]] not an entry either.'''
"""

TRIAGE_INLINE = """\
baseline = "baselines/parity.json"
disable = ["atom-enum", "extra-type"]
severity = {datetime-as-string = "P3", bytes-as-base64 = "info"}
ignore = [
  # {type = "commented out"},
  {type = "Asset", field = "filename", rule = "missing-field", reason = "The port uploads files by path (\\"}, {\\")."},

  {type = "Telemetry*", rule = "extra-field", reason = '''
Elixir-only instrumentation,
[[ignore]] not an entry either.'''},
]
"""


def expected_triage(source: str, lines: tuple[int, int]) -> Settings:
    return Settings(
        source=source,
        baseline=Path(source).parent / "baselines/parity.json",
        disabled_rules=frozenset({"atom-enum", "extra-type"}),
        severity_overrides=MappingProxyType({"datetime-as-string": Severity.P3, "bytes-as-base64": Severity.INFO}),
        ignores=(
            Ignore(
                "missing-field",
                "Asset",
                "filename",
                'The port uploads files by path ("}, {").',
                Location(source, lines[0]),
            ),
            Ignore(
                "extra-field",
                "Telemetry*",
                None,
                "Elixir-only instrumentation,\n[[ignore]] not an entry either.",
                Location(source, lines[1]),
            ),
        ),
    )


@pytest.mark.parametrize(
    ("text", "lines"), [(TRIAGE_HEADERS, (9, 15)), (TRIAGE_INLINE, (6, 8))], ids=["headers", "inline"]
)
def test_triage_keys_parse_to_exact_values_with_the_line_of_each_ignore(in_tmp: Path, text: str, lines) -> None:
    (in_tmp / "cfg").mkdir()
    (in_tmp / "cfg" / ".parity-audit.toml").write_text(text)
    assert read_settings(Path("cfg/.parity-audit.toml")) == expected_triage("cfg/.parity-audit.toml", lines)


def test_the_pyproject_form_of_the_triage_keys(in_tmp: Path) -> None:
    text = (
        TRIAGE_HEADERS.replace("[severity]", "[tool.parity-audit.severity]")
        .replace("[[ignore]]\n", "[[tool.parity-audit.ignore]]\n")
        .replace("[[ ignore ]]", '[[tool . "parity-audit" . ignore]]')
    )
    (in_tmp / "pyproject.toml").write_text('[project]\nname = "port"\n\n[tool.parity-audit]\n' + text)
    expected = expected_triage("pyproject.toml", (13, 19))
    assert read_settings(Path("pyproject.toml")) == replace(expected, table=("tool", "parity-audit"))


def test_triage_settings_reach_the_audit_options(in_tmp: Path, audit_options: list[AuditOptions]) -> None:
    (in_tmp / ".parity-audit.toml").write_text(sample_paths(in_tmp) + TRIAGE_INLINE)
    invoke()
    invoke("--baseline", "other.json")
    (configured, overridden) = audit_options
    expected = expected_triage(".parity-audit.toml", (8, 10))
    for options in audit_options:
        assert options.severity_overrides == expected.severity_overrides
        assert options.disabled_rules == expected.disabled_rules
        assert options.ignores == expected.ignores
    assert configured.baseline == Path("baselines/parity.json")
    assert overridden.baseline == Path("other.json")


# Entry lines, whatever the file around them holds

ONE = '{type = "Asset", rule = "missing-field", reason = "later"}'


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        (f"[tool]\nparity-audit = {{ignore = [{ONE},\n  {ONE}]}}\n", [2, 3]),
        (f"tool.parity-audit.ignore = [\n  {ONE}, {ONE}\n]\n", [2, 2]),
        (f"[tool]\n'parity-audit'.\"ignore\" = [{ONE}]\n[tool.other]\nignore = [{ONE}]\n", [2]),
    ],
    ids=["nested-inline-tables", "dotted-key", "quoted-dotted-key"],
)
def test_every_inline_spelling_of_the_ignore_array_gives_its_entry_lines(in_tmp: Path, text: str, lines) -> None:
    (in_tmp / "pyproject.toml").write_text(text)
    parsed = read_settings(Path("pyproject.toml"))
    assert [ignore.where for ignore in parsed.ignores] == [Location("pyproject.toml", line) for line in lines]


TRICKY_TEXT = st.lists(
    st.sampled_from(["[[ignore]]", "[ignore]", "ignore = [{", "{", "}", "[", "]", "#", '"', "'", "\\", "\n", " ", "="])
    | st.text(st.characters(blacklist_categories=("Cs",)), max_size=3),
    max_size=6,
).map("".join)


def escaped_controls(text: str) -> str:
    return "".join(f"\\u{ord(c):04x}" if (c < " " and c not in "\t\n") or c == "\x7f" else c for c in text)


def multiline_basic(text: str) -> str:
    # A quote is escaped only where three would close the string, so escaped and raw quotes sit side by side.
    body = escaped_controls(text.replace("\\", "\\\\")).replace('"""', '""\\"')
    return f'"""\n{body}"""'  # the newline right after the opening quotes is not part of the string


def multiline_literal(text: str) -> str:
    allowed = all(c in "\t\n" or (c >= " " and c != "\x7f") for c in text) and "'''" not in text
    return f"'''\n{text}'''" if allowed else toml_string(text)


@st.composite
def toml_values(draw: st.DrawFn) -> tuple[str, str]:
    """(TOML source, the string it holds): basic and multi-line strings full of TOML syntax."""
    text = draw(TRICKY_TEXT)
    return draw(st.sampled_from([toml_string, multiline_basic, multiline_literal]))(text), text


BEFORE = st.lists(
    st.sampled_from(
        [
            "# [[ignore]] ignore = [{type = 'x'}]\n",
            'note = "[[ignore]] { ["\n',
            "matrix = [[1, 2], [{a = 1}, {b = [3]}]]\n",
            "other = [{type = 'x'}, {type = 'y'}]  # ]\n",
            "words = '''\n[[ignore]]\nignore = [{\n'''\n",
            "\n",
        ]
    ),
    unique=True,
    max_size=3,
).map("".join)
AFTER = st.sampled_from(["", "# [[ignore]]\n", '[[others]]\nwords = """\n[[ignore]]\n]"""\n', "\n\n"])


@settings(max_examples=200)
@given(
    inline=st.booleans(),
    pyproject=st.booleans(),
    before=BEFORE,
    entries=st.lists(
        st.tuples(st.dictionaries(st.sampled_from(IGNORE_KEYS), toml_values()), AFTER), min_size=1, max_size=4
    ),
)
def test_entry_lines_finds_every_ignore_entry_and_nothing_else(
    inline: bool, pyproject: bool, before: str, entries: list[tuple[dict[str, tuple[str, str]], str]]
) -> None:
    table = ("tool", "parity-audit") if pyproject else ()
    text = ("[tool.parity-audit]\n" if pyproject else "") + before + ("ignore = [ # {\n" if inline else "")
    expected: list[int] = []
    for fields, after in entries:
        expected.append(text.count("\n") + 1)
        if inline:
            text += "{" + ", ".join(f"{key} = {source}" for key, (source, _) in fields.items()) + "},\n"
            text += "# {'no': 'entry'}\n" + "\n" * after.count("\n")
        else:
            header = ".".join(("tool", '"parity-audit"', "ignore") if pyproject else ("ignore",))
            text += f"[[ {header} ]]  # [[ignore]]\n"
            text += "".join(f"{key} = {source}\n" for key, (source, _) in fields.items()) + after
    if inline:
        text += "]\n" + "".join(after for _, after in entries)
    document = tomllib.loads(text)
    for key in table:
        document = document[key]
    assert document["ignore"] == [{key: value for key, (_, value) in fields.items()} for fields, _ in entries]
    assert entry_lines(text, (*table, "ignore")) == expected


# Errors: exit 2, one sentence naming the key and the file


ABSOLUTE_SAMPLES = f"python = {toml_string(str(SAMPLE_PYTHON))}\nelixir = {toml_string(str(SAMPLE_ELIXIR))}\n"
IGNORE_ENTRY = '[[ignore]]\ntype = "Asset"\nrule = "missing-field"\nreason = "tracked upstream"\n'


@pytest.mark.parametrize(
    ("name", "text", "fragments"),
    [
        ("bad.toml", 'pythn = "py"\n', ["Unknown key 'pythn'", "did you mean 'python'?"]),
        ("pyproject.toml", '[tool.parity-audit]\nfail_on = "P1"\n', ["'tool.parity-audit.fail_on'", "'fail-on'"]),
        ("bad.toml", "python = 3\n", ["'python'", "must be a non-empty string, got 3"]),
        ("bad.toml", 'python-include = "src/**"\n', ["'python-include'", "must be an array of non-empty strings"]),
        ("bad.toml", 'exclude-type = ["A", 1]\n', ["'exclude-type'", "must be an array of non-empty strings"]),
        ("bad.toml", 'map = ["Invoice=Shop.Bill"]\n', ["'map'", "must be a table, got an array"]),
        ("bad.toml", "[map]\nInvoice = 3\n", ["'map.Invoice'", "must be a non-empty string, got 3"]),
        ("bad.toml", "infer = 1\n", ["'infer'", "must be true or false, got 1"]),
        ("bad.toml", 'unpaired = "Invoice"\n', ["'unpaired'", "must be an array of non-empty strings"]),
        ("bad.toml", 'jobs = "four"\n', ["'jobs'", "must be an integer of at least 1, got 'four'"]),
        ("bad.toml", "jobs = 0\n", ["'jobs'", "got 0"]),
        ("bad.toml", "jobs = true\n", ["'jobs'", "got true"]),
        ("bad.toml", 'cache-dir = ["c"]\n', ["'cache-dir'", "must be a non-empty string, got an array"]),
        ("bad.toml", "baseline = 1979-05-27\n", ["'baseline'", "got a date or time"]),
        ("bad.toml", 'fail-on = "P5"\n', ["'fail-on'", "must be one of P0, P1, P2, P3, never, got 'P5'"]),
        ("bad.toml", 'fail-on = "info"\n', ["'fail-on'", "got 'info'"]),
        ("bad.toml", 'markdown-size = "short"\n', ["'markdown-size'", "must be one of full, summary, auto"]),
        ("bad.toml", 'severity = "P1"\n', ["'severity'", "must be a table"]),
        ("bad.toml", '[severity]\nmissing-type = "P4"\n', ["'severity.missing-type'", "P0, P1, P2, P3, info"]),
        (
            "pyproject.toml",
            '[tool.parity-audit.severity]\ndatetime-as-strings = "P3"\n',
            ["'tool.parity-audit.severity'", "'datetime-as-strings'", "not a rule slug", "'datetime-as-string'"],
        ),
        ("bad.toml", 'disable = ["no-such-rule"]\n', ["'disable'", "'no-such-rule', which is not a rule slug"]),
        ("bad.toml", 'disable = "atom-enum"\n', ["'disable'", "must be an array"]),
        ("bad.toml", 'ignore = {type = "Asset"}\n', ["'ignore'", "must be an array of tables, got a table"]),
        ("bad.toml", 'ignore = ["Asset"]\n', ["'ignore'", "must be an array of tables, got an array"]),
        (
            "bad.toml",
            IGNORE_ENTRY.replace("missing-field", "missing-fields"),
            ["'rule' in the 'ignore' entry on line 1", "'missing-fields'", "did you mean 'missing-field'?"],
        ),
        ("bad.toml", "\n" + IGNORE_ENTRY.replace('type = "Asset"\n', ""), ["'ignore' entry on line 2", "no 'type'"]),
        ("bad.toml", IGNORE_ENTRY.replace('rule = "missing-field"\n', ""), ["'ignore' entry on line 1", "no 'rule'"]),
        (
            "pyproject.toml",
            "[tool.parity-audit]\n"
            + IGNORE_ENTRY.replace("[[ignore]]", "[[tool.parity-audit.ignore]]").replace(
                'reason = "tracked upstream"\n', ""
            ),
            ["'tool.parity-audit.ignore' entry on line 2", "no 'reason'"],
        ),
        (
            "bad.toml",
            IGNORE_ENTRY.replace("tracked upstream", " "),
            ["'reason' in the 'ignore' entry on line 1", "non-empty string, got ' '"],
        ),
        ("bad.toml", IGNORE_ENTRY + "field = 3\n", ["'field' in the 'ignore' entry on line 1", "got 3"]),
        ("bad.toml", IGNORE_ENTRY + 'reasons = "x"\n', ["Unknown key 'reasons'", "line 1", "did you mean 'reason'?"]),
        ("bad.toml", 'python = "py"\njobs = = 2\n', ["bad.toml is not valid TOML", "line 2"]),
        ("bad.toml", 'python-include = [\n"src/**",\n', ["bad.toml is not valid TOML", "line 3"]),
        ("bad.toml", 'python = "py"\npython = "py2"\n', ["bad.toml is not valid TOML", "line 2"]),
        ("pyproject.toml", "[tool.ruff]\nline-length = 100\n", ["pyproject.toml has no [tool.parity-audit] table"]),
        ("pyproject.toml", '[tool]\nparity-audit = "on"\n', ["'tool.parity-audit'", "must be a table, got 'on'"]),
        (
            "bad.toml",
            ABSOLUTE_SAMPLES.replace(str(SAMPLE_PYTHON), "missing-sdk"),
            ["The Python checkout missing-sdk ('python' in bad.toml) does not exist"],
        ),
        (
            "sub/bad.toml",
            ABSOLUTE_SAMPLES.replace(str(SAMPLE_ELIXIR), "../missing-port"),
            [f"The Elixir checkout {Path('sub/../missing-port')} ('elixir' in sub/bad.toml) does not exist"],
        ),
    ],
)
def test_config_errors_exit_2_with_one_sentence_naming_the_key_and_the_file(
    in_tmp: Path, name: str, text: str, fragments: list[str]
) -> None:
    (in_tmp / name).parent.mkdir(exist_ok=True)
    (in_tmp / name).write_text(text)
    result = invoke("--config", name)
    assert result.exit_code == 2, result.stdout
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1 and "Traceback" not in message
    assert name in message
    for fragment in fragments:
        assert fragment in message


def test_a_config_file_found_in_the_current_directory_is_checked_as_well(in_tmp: Path) -> None:
    (in_tmp / ".parity-audit.toml").write_text('jobs = "2"\n')
    result = invoke(SAMPLE_PYTHON, SAMPLE_ELIXIR)
    assert result.exit_code == 2
    assert "'jobs' in .parity-audit.toml must be an integer of at least 1, got '2'." in result.stderr
    (in_tmp / ".parity-audit.toml").unlink()
    (in_tmp / "pyproject.toml").write_text("[tool.parity-audit\n")
    assert "pyproject.toml is not valid TOML" in invoke(SAMPLE_PYTHON, SAMPLE_ELIXIR).stderr


@pytest.mark.parametrize("path", ["missing.toml", "folder"])
def test_a_config_option_naming_no_file_is_a_usage_error(in_tmp: Path, path: str) -> None:
    (in_tmp / "folder").mkdir()
    result = invoke(SAMPLE_PYTHON, SAMPLE_ELIXIR, "--config", path)
    assert result.exit_code == 2
    assert result.stderr.strip() == f"parity-audit: The config file {path} does not exist or is not a file."


def test_a_config_file_that_is_not_utf8_is_a_usage_error(in_tmp: Path) -> None:
    (in_tmp / "latin.toml").write_bytes('python = "caf\xe9"\n'.encode("latin-1"))
    result = invoke("--config", "latin.toml")
    assert result.exit_code == 2
    assert "The config file latin.toml cannot be read: it is not UTF-8." in result.stderr


def test_a_broken_config_does_not_stop_version_list_rules_or_explain(in_tmp: Path) -> None:
    (in_tmp / ".parity-audit.toml").write_text("not toml at all\n")
    assert invoke("--version").exit_code == 0
    assert invoke("--list-rules").exit_code == 0
    assert invoke("--explain", "atom-enum").exit_code == 0


KEY_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=20).filter(lambda key: key not in KEYS)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(key=KEY_TEXT, in_ignore=st.booleans())
def test_any_unknown_key_is_rejected_by_name(tmp_path: Path, key: str, in_ignore: bool) -> None:
    assume(not in_ignore or key not in IGNORE_KEYS)
    config = tmp_path / "fuzz.toml"
    line = f"{toml_string(key)} = 1\n"
    config.write_text(IGNORE_ENTRY + line if in_ignore else line, encoding="utf-8")
    result = invoke(SAMPLE_PYTHON, SAMPLE_ELIXIR, "--config", config)
    assert result.exit_code == 2
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1
    assert f"Unknown key {key!r} in " in message
    assert str(config) in message


def test_the_readme_example_and_error_are_what_the_tool_reads_and_says(in_tmp: Path) -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Configuration") :]
    example = section.split("```toml\n", 1)[1].split("```", 1)[0]
    (in_tmp / ".parity-audit.toml").write_text(example)
    parsed = read_settings(Path(".parity-audit.toml"))
    assert (parsed.python, parsed.elixir, parsed.fail_on, parsed.jobs) == (Path("../tinker"), Path("."), "P1", 4)
    assert parsed.ignores[0].where == Location(".parity-audit.toml", example.splitlines().index("[[ignore]]") + 1)
    error = section.split("```text\n$ parity-audit\n", 1)[1].split("\n```", 1)[0]
    (in_tmp / ".parity-audit.toml").write_text('python-includes = ["src/**"]\n')
    assert invoke().stderr.strip() == error


def test_config_ignores_severities_and_disabled_rules_take_effect_end_to_end(in_tmp: Path) -> None:
    plain = report(SAMPLE_PYTHON, SAMPLE_ELIXIR)
    filename = next(f for f in plain["findings"] if f["type"] == "Asset" and f["field"] == "filename")
    datetimes = [f for f in plain["findings"] if f["rule"] == "datetime-as-string"]
    assert filename["severity"] == "P0" and datetimes
    (in_tmp / ".parity-audit.toml").write_text(
        sample_paths(in_tmp)
        + 'disable = ["atom-enum"]\n'
        + '[severity]\n"datetime-as-string" = "P3"\n'
        + '[[ignore]]\ntype = "Asset"\nfield = "filename"\nrule = "missing-field"\n'
        + 'reason = "the server fills it in"\n'
        + '[[ignore]]\ntype = "Nowhere"\nrule = "missing-type"\nreason = "left over"\n'
    )
    configured = report()
    assert [f["fingerprint"] for f in configured["findings"] if f["rule"] == "atom-enum"] == []
    assert {f["severity"] for f in configured["findings"] if f["rule"] == "datetime-as-string"} == {"P3"}
    assert filename["fingerprint"] not in {f["fingerprint"] for f in configured["findings"]}
    (suppressed,) = configured["suppressed"]
    assert suppressed["fingerprint"] == filename["fingerprint"]
    assert suppressed["suppression"] == {
        "source": "config",
        "reason": "the server fills it in",
        "path": ".parity-audit.toml",
        "line": 6,
    }
    (stale,) = [d for d in configured["diagnostics"] if d["side"] == "config"]
    assert (stale["level"], stale["path"], stale["line"]) == ("warning", ".parity-audit.toml", 11)
    assert "Nowhere" in stale["message"]


def test_an_ignore_can_name_one_of_two_modules_that_share_a_name(in_tmp: Path) -> None:
    receipt = "defmodule Shop.{ns}.Receipt do\n  defstruct [:id]\nend\n"
    write_tree(in_tmp / "py", {"shop/__init__.py": "", "shop/types.py": INVOICE})
    write_tree(
        in_tmp / "ex",
        {
            "lib/shop/invoice.ex": BILL.replace("Billing.Bill", "Invoice"),
            "lib/shop/legacy/receipt.ex": receipt.format(ns="Legacy"),
            "lib/shop/old/receipt.ex": receipt.format(ns="Old"),
        },
    )
    (in_tmp / ".parity-audit.toml").write_text(
        'python = "py"\nelixir = "ex"\n\n[[ignore]]\ntype = "Shop.Old.Receipt"\nrule = "extra-type"\n'
        'reason = "Kept for old callers."\n'
    )
    document = report()
    assert [(f["type"], f["elixir_type"]) for f in document["findings"]] == [("Receipt", "Shop.Legacy.Receipt")]
    assert [s["elixir_type"] for s in document["suppressed"]] == ["Shop.Old.Receipt"]
    statuses = {(t["elixir"] or {}).get("module"): t["status"] for t in document["types"]}
    assert statuses == {
        "Shop.Invoice": "parity",
        "Shop.Legacy.Receipt": "elixir-only",
        "Shop.Old.Receipt": "elixir-only",
    }
