"""Long module-level data tables are cut before libcst parses a file, without moving any line."""

from __future__ import annotations

from auditor.python.parsing import BULKY_LINES, without_bulky_data
from auditor.python.summary import summarize_python


def _table(name: str, rows: int) -> str:
    return f"{name} = [\n" + "".join(f'    ({row}, "é{row}"),\n' for row in range(rows)) + "]  # trailing\n"


def test_a_long_table_becomes_an_ellipsis_on_the_same_lines() -> None:
    text = "import x\n" + _table("TABLE", BULKY_LINES + 5) + "class After:\n    n: int\n"
    cut = without_bulky_data(text)
    assert cut.count("\n") == text.count("\n")
    assert cut.splitlines()[1] == "TABLE = ...  # trailing"
    assert cut.splitlines().index("class After:") == text.splitlines().index("class After:")


def test_short_tables_all_and_non_data_values_are_kept() -> None:
    text = _table("SHORT", BULKY_LINES - 2) + _table("__all__", BULKY_LINES + 5)
    call = "Alias = make(\n" + "    1,\n" * (BULKY_LINES + 5) + ")\n"
    assert without_bulky_data(text + call) == text + call


def test_unparsable_text_is_left_for_libcst_to_report() -> None:
    text = _table("TABLE", BULKY_LINES + 5) + "def broken(:\n"
    assert without_bulky_data(text) == text


def test_lines_after_a_cut_table_are_reported_where_they_are() -> None:
    source = "from pydantic import BaseModel\n" + _table("ROWS", 200) + "class Late(BaseModel):\n    n: int\n"
    summary = summarize_python("pkg/late.py", source.encode())
    bindings = dict(summary.bindings)
    assert bindings["Late"].line == source.splitlines().index("class Late(BaseModel):") + 1
