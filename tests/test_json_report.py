"""The JSON report is written by orjson in the bytes `json.dumps(indent=2, ensure_ascii=False)` writes."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.audit import AuditOptions, run_audit
from auditor.reports import json_report
from tests.conftest import SAMPLE_ELIXIR, SAMPLE_PYTHON

# A lone surrogate is what a file name that is not UTF-8 decodes to; orjson refuses it.
ODD = st.sampled_from(
    ["\x00", "\x1f", "\x7f", '"', "\\", "/", "</script>", "\u2028", "é", "漢", "😀", "\ud800", "\udcff"]
)
text = st.lists(ODD | st.text(max_size=8), max_size=5).map("".join)
# Every float of the report is rounded to two decimals: a percentage, a score, findings per 100 fields.
rounded = st.floats(min_value=0, max_value=1e7, allow_nan=False).map(lambda value: round(value, 2))
scalars = st.none() | st.booleans() | st.integers() | rounded | text
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4)
    | st.lists(inner, max_size=3).map(tuple)
    | st.dictionaries(text, inner, max_size=4),
    max_leaves=30,
)


def standard(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


@settings(max_examples=300, deadline=None)
@given(values)
def test_dumps_writes_what_the_standard_library_writes(value: Any) -> None:
    assert json_report.dumps(value) == standard(value)


def test_the_report_is_its_document_indented_by_two() -> None:
    result = run_audit(AuditOptions(SAMPLE_PYTHON, SAMPLE_ELIXIR))
    assert json_report.render(result) == standard(json_report.document(result))
