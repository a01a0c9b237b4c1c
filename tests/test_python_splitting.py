"""A large Python file cut at its top-level statements and parsed in parts summarizes exactly as the whole."""

from __future__ import annotations

import ast
import json
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor import audit, extraction
from auditor.extraction import Splitter, SummaryPool, SummaryStore
from auditor.python.splitting import SourcePart, merge_parts, split_source
from auditor.python.summary import PythonFileSummary, summarize_python, summarize_python_part
from tests.conftest import SAMPLE_ELIXIR, SAMPLE_PYTHON, invoke, write_tree
from tests.sdkgen import generate_spec, render_python

EDGES = '''\
# -*- coding: utf-8 -*-
"""A module of every shape a top-level statement takes."""
from __future__ import annotations

import typing as t
from typing import TYPE_CHECKING, Literal, Optional

if TYPE_CHECKING:
    from .models import Shared
else:
    Shared = object

try:
    from pydantic import BaseModel
except ImportError:  # pragma: no cover
    BaseModel = object
finally:
    pass

__all__ = ["Plain", "Decorated", "Kind"]
__all__ = ["overridden"]

Kind = Literal[
    "a",
    "b",
]
Width = \\
    int
a = 1; b = 2


# A comment at column 0 between two statements.
@t.final
# a comment between a decorator and its class
@decorator(
    "argument",
)
class Decorated(BaseModel):
    """Docstring with a line at column 0:
class NotAClass:
    pass
"""

    x: int = 1
# a comment at column 0 inside a class body
    y: Optional[str] = None

    if t.TYPE_CHECKING:
        z: Shared
    else:
        z: object

    def __init__(self, x: int, y: str | None = None) -> None:
        self.x = x
        self.y = y or ""


class Plain: value: int


def function(argument: int) -> int:
    return argument


else_branch = "a name that starts with a keyword"
Shared = "a second binding: the first wins"
'''

F_STRINGS = '''\
import typing

LABEL = f"{typing.__name__}"


class Model:
    name: str = f"x{1}"
    size: int


@typing.final
class Other:
    value: "Model"
'''


def _ast_starts(text: str) -> list[int]:
    """The first line of each top-level statement (of its first decorator), once per line."""
    return list(dict.fromkeys(
        statement.decorator_list[0].lineno
        if isinstance(statement, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and statement.decorator_list
        else statement.lineno
        for statement in ast.parse(text).body
    ))


def _merged(path: str, parts: list[SourcePart]) -> PythonFileSummary | None:
    return merge_parts(path, [summarize_python_part(path, part) for part in parts])


@pytest.mark.parametrize("source", [EDGES, F_STRINGS], ids=["scanned", "f-strings"])
def test_parts_start_where_top_level_statements_start(source: str) -> None:
    parts = split_source(source.encode(), 1)
    assert parts is not None
    assert [part.first_line for part in parts] == [1, *(line for line in _ast_starts(source) if line != 1)]
    assert "".join(part.text for part in parts) == source


@pytest.mark.parametrize(
    "source", [EDGES, F_STRINGS, EDGES.replace("\n", "\r\n")], ids=["scanned", "f-strings", "crlf"]
)
def test_every_statement_a_part_summarizes_as_the_whole_file(source: str) -> None:
    data = source.encode()
    parts = split_source(data, 1)
    assert parts is not None and len(parts) >= len(_ast_starts(source))
    whole = summarize_python("pkg/edges.py", data)
    assert whole.problem is None
    assert _merged("pkg/edges.py", parts) == whole


def test_a_coding_cookie_holds_for_every_part() -> None:
    data = EDGES.replace("utf-8", "latin-1").replace("Docstring", "Docstring \xe9t\xe9").encode("latin-1")
    parts = split_source(data, 1)
    assert parts is not None
    assert _merged("edges.py", parts) == summarize_python("edges.py", data)


def test_the_sample_sdk_and_a_generated_types_module_summarize_alike_split_or_whole() -> None:
    spec = generate_spec(random.Random(3), 60, types_per_module=(60, 60))
    sources = {path: text.encode() for path, text in render_python(spec).items()}
    sources |= {str(path): path.read_bytes() for path in sorted(SAMPLE_PYTHON.rglob("*.py"))}
    split = 0
    for path, data in sources.items():
        for part_size in (1, 200, 2000):
            parts = split_source(data, part_size)
            if parts is not None:
                split += 1
                assert _merged(path, parts) == summarize_python(path, data), (path, part_size)
    assert split > 20


def test_a_file_that_cannot_be_split_exactly_is_left_whole() -> None:
    assert split_source(b"x = 1\n", 1000) is None  # too small
    assert split_source(b"\xff\xfe = 1\n" * 10, 1) is None  # not UTF-8
    assert split_source(b'x = f"{1}"\ny = (\n', 1) is None  # neither the scan nor `ast` reads it


BROKEN = EDGES.replace("def function(argument: int) -> int:", "def function(argument: int) -> int")


def test_a_part_that_does_not_parse_leaves_the_merge_to_the_whole_file() -> None:
    data = BROKEN.encode()
    parts = split_source(data, 1)
    assert parts is not None
    assert _merged("edges.py", parts) is None
    assert summarize_python("edges.py", data).problem is not None


NAMES = st.sampled_from(["A", "B", "Kind", "Model", "__all__", "value"])
ANNOTATIONS = st.sampled_from(["int", "str | None", "list[Model]", "Literal['a', 'b']", "'Model'", "dict[str, int]"])


@st.composite
def statements(draw: st.DrawFn) -> str:
    name, other, annotation = draw(NAMES), draw(NAMES), draw(ANNOTATIONS)
    templates = [
        f"{name} = {annotation}\n",
        f"{name}: TypeAlias = {annotation}\n",
        f"{name} = [\n    {other!r},\n    'x',\n]\n",
        f"{name} = \\\n    {annotation}\n",
        f"{name} = 1; {other} = {annotation}\n",
        f"from .{other.lower().strip('_') or 'm'} import {name}\n",
        f"from pkg import *\nimport os.path as {name}\n",
        f"class {name}({other}):\n    x: {annotation}\n    y: {annotation} = 1\n",
        f"class {name}: x: {annotation}\n",
        f"@dataclass(\n    frozen=True,\n)\n# between\nclass {name}:\n"
        f"    '''doc\nclass {other}:\n'''\n    x: {annotation}\n",
        f"if TYPE_CHECKING:\n    from .m import {name}\nelse:\n    {name} = {annotation}\n",
        f"try:\n    {name} = {annotation}\nexcept ImportError:\n    {other} = int\n",
        f"def {name}(x: {annotation}) -> None:\n    return x\n",
        f"class {name}:\n    def __init__(self, {other.strip('_') or 'v'}: {annotation}) -> None:\n"
        f"        self.{other.strip('_') or 'v'} = {other.strip('_') or 'v'}\n",
        f"{name} = f'{{{other}}}'\n",
        f"{name} = 'text'  # trailing comment\n",
    ]
    statement = draw(st.sampled_from(templates))
    before = draw(st.sampled_from(["", "\n", "\n\n", "# comment\n", "\n# comment\n\n"]))
    return before + statement


@given(
    body=st.lists(statements(), min_size=2, max_size=25),
    part_size=st.integers(min_value=1, max_value=300),
    newline=st.sampled_from(["\n", "\r\n", "\r"]),
)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_a_split_module_summarizes_as_the_whole(body: list[str], part_size: int, newline: str) -> None:
    data = ("".join(body)).replace("\n", newline).encode()
    parts = split_source(data, part_size)
    if parts is None:
        return
    assert "".join(part.text for part in parts) == data.decode()
    assert _merged("pkg/mod.py", parts) == summarize_python("pkg/mod.py", data)


PYTHON_SPLITTER = Splitter(split_source, summarize_python_part, merge_parts)


def _python_store(root: Path, parser_loaded: bool) -> SummaryStore[PythonFileSummary]:
    return SummaryStore(
        root,
        "Python",
        PythonFileSummary,
        summarize_python,
        lambda path: PythonFileSummary(path),
        None,
        parser_loaded=lambda: parser_loaded,
        splitter=PYTHON_SPLITTER,
    )


@pytest.fixture
def small_splits(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every file of a few hundred bytes is split, in parts of about a hundred bytes."""
    monkeypatch.setattr(extraction, "SPLIT_ABOVE_BYTES", 300)
    monkeypatch.setattr(extraction, "PART_BYTES", 100)


@pytest.mark.usefixtures("small_splits")
@pytest.mark.parametrize(("jobs", "parser_loaded"), [(1, True), (2, False), (2, True)])
def test_a_pool_gives_a_split_file_the_summary_of_the_whole(tmp_path: Path, jobs: int, parser_loaded: bool) -> None:
    """With the parser loaded here, this process takes parts no worker has started; without, only workers parse."""
    root = write_tree(tmp_path / "sdk", {"pkg/edges.py": EDGES, "pkg/broken.py": BROKEN, "pkg/small.py": "x = 1\n"})
    store = _python_store(root, parser_loaded)
    with SummaryPool(jobs) as pool:
        pool.submit(store, ["pkg/broken.py", "pkg/edges.py", "pkg/small.py"])
        assert store.load("pkg/edges.py") == summarize_python("pkg/edges.py", EDGES.encode())
    assert store.load("pkg/small.py") == summarize_python("pkg/small.py", b"x = 1\n")
    diagnostic = store.load("pkg/broken.py").problem
    assert diagnostic is not None
    assert diagnostic == summarize_python("pkg/broken.py", BROKEN.encode()).problem


def _json_report(tmp_path: Path, jobs: str) -> bytes:
    output = tmp_path / "report.json"
    arguments = [SAMPLE_PYTHON, SAMPLE_ELIXIR, "--format", "json", "--fail-on", "never", "--no-cache", "--jobs", jobs]
    result = invoke(*arguments, "--output", output)
    assert result.exit_code == 0, result.output
    return output.read_bytes()


def test_findings_are_byte_identical_with_files_split(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    whole = _json_report(tmp_path, "1")
    assert json.loads(whole)["findings"]
    split_files: list[int] = []

    def counted(data: bytes, part_size: int) -> list[SourcePart] | None:
        parts = split_source(data, part_size)
        split_files.append(len(parts or ()))
        return parts

    monkeypatch.setattr(audit, "split_source", counted)
    monkeypatch.setattr(extraction, "SPLIT_ABOVE_BYTES", 300)
    monkeypatch.setattr(extraction, "PART_BYTES", 100)
    for jobs in ("1", "2"):
        split_files.clear()
        assert _json_report(tmp_path, jobs) == whole
        assert sum(count > 1 for count in split_files) >= 3
