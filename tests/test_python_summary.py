"""Phase one of the Python front end: per-file summaries, their texts and lines, and lazy loading."""

from __future__ import annotations

import os
import pickle
import textwrap
from pathlib import Path

import libcst as cst
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from libcst.metadata import MetadataWrapper, PositionProvider

from auditor.model import Ref, SideModel
from auditor.python import PythonFileSummary, extract_python, summarize_python
from auditor.python.cst_to_syntax import SyntaxConverter
from auditor.python.lines import statement_lines
from auditor.python.parsing import one_line_source, stdlib_parse
from auditor.python.summary import Assignment, ClassDefinition, UnreadableDefinition, summarize_file
from tests.conftest import SAMPLE_PYTHON, write_tree


def _round_trip(summary: PythonFileSummary) -> PythonFileSummary:
    return pickle.loads(pickle.dumps(summary, protocol=pickle.HIGHEST_PROTOCOL))


def _extract_through_pickles(root: Path, audited: list[str], all_files: list[str]) -> tuple[SideModel, list[str]]:
    loaded: list[str] = []

    def load(path: str) -> PythonFileSummary:
        loaded.append(path)
        return _round_trip(summarize_file(root, path))

    return extract_python(root, audited, all_files, load), loaded


# --- generated checkouts: summaries are deterministic, pickle, and extract identically ----------

ANNOTATIONS = [
    "int",
    "Optional[str]",
    "List[Dict[str, int]]",
    "Literal['a', 'b', None]",
    "'Forward'",
    "\"List['Forward']\"",
    "Union[int, str] | None",
    "Annotated[Union[Cat, Dog], Field(discriminator='kind')]",
    "Kind",
    "Tuple[int, ...]",
    "conlist(int, min_length=1)",
    "ClassVar[int]",
    "NotRequired[int]",
    "Optional[\n        Dict[str, int],  # wrapped\n    ]",
]
DEFAULTS = ["", " = None", " = 5", " = -2.5", " = 'x' 'y'", " = Field(default_factory=list)", " = []"]
DEFAULTS += [" = Field(..., alias='a')", " = {}", " = Kind", " = Cat(kind='cat')", " = lambda: 1", " = 60 * 60"]
BASES = ["BaseModel", "Base", "TypedDict", "str, Enum"]

HEADER = """\
from __future__ import annotations

import enum
from enum import Enum
from typing import Annotated, ClassVar, Dict, List, Literal, Optional, Tuple, Union

from pydantic import BaseModel, Field, conlist
from typing_extensions import NotRequired, TypeAlias, TypedDict

from .shared import Base, Cat, Dog, Kind
"""
SHARED = """\
from typing import Literal

import pydantic

Kind = Literal["cat", "dog"]


class Base(pydantic.BaseModel):
    pass


class Cat(Base):
    kind: Literal["cat"]


class Dog(Base):
    kind: Literal["dog"]
"""


def _module_source(classes: list[tuple[int, list[tuple[int, int]]]]) -> str:
    parts = [HEADER, "\nForward = Union[Cat, Dog]\nAlias: TypeAlias = 'Literal[1, 2]'\n"]
    for position, (base, fields) in enumerate(classes):
        lines = [f"    f{index}: {ANNOTATIONS[a]}{DEFAULTS[d]}" for index, (a, d) in enumerate(fields)]
        if BASES[base] == "str, Enum":
            lines = [f"    M{index} = {index}" for index in range(len(fields))] + ["    AUTO = enum.auto()"]
        body = "\n".join(lines) or "    pass"
        parts.append(f"\n\n@decorate(1)\nclass C{position}({BASES[base]}):\n{body}\n")
    return "".join(parts)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    modules=st.lists(
        st.lists(
            st.tuples(
                st.integers(0, len(BASES) - 1),
                st.lists(
                    st.tuples(st.integers(0, len(ANNOTATIONS) - 1), st.integers(0, len(DEFAULTS) - 1)),
                    max_size=6,
                ),
            ),
            max_size=4,
        ),
        min_size=1,
        max_size=3,
    )
)
def test_summaries_round_trip_and_extract_identically(tmp_path: Path, modules: list) -> None:
    files = {"pkg/__init__.py": "from .m0 import *\n", "pkg/shared.py": SHARED}
    files.update({f"pkg/m{index}.py": _module_source(classes) for index, classes in enumerate(modules)})
    write_tree(tmp_path, files)
    for path, source in files.items():
        summary = summarize_python(path, source.encode())
        assert summary == summarize_python(path, source.encode())
        assert _round_trip(summary) == summary
    all_files = sorted(files)
    direct = extract_python(tmp_path, all_files, all_files)
    through_pickles, _ = _extract_through_pickles(tmp_path, all_files, all_files)
    assert through_pickles == direct


def test_sample_sdk_extracts_identically_through_pickled_summaries() -> None:
    all_files = sorted(path.relative_to(SAMPLE_PYTHON).as_posix() for path in SAMPLE_PYTHON.rglob("*.py"))
    direct = extract_python(SAMPLE_PYTHON, all_files, all_files)
    through_pickles, loaded = _extract_through_pickles(SAMPLE_PYTHON, all_files, all_files)
    assert through_pickles == direct
    assert sorted(loaded) == sorted(set(loaded)), "a summary was loaded twice"


# --- lazy loading ------------------------------------------------------------------------------


def test_extraction_loads_only_the_files_names_lead_to(tmp_path: Path) -> None:
    files = {
        "pkg/__init__.py": "",
        "pkg/models.py": "import pydantic\nfrom pkg.kinds import Kind\n\nclass M(pydantic.BaseModel):\n    k: Kind\n",
        "pkg/kinds.py": "from typing import Literal\n\nKind = Literal['a', 'b']\n",
        "pkg/unrelated.py": "import pydantic\n\nclass U(pydantic.BaseModel):\n    x: int\n",
        "scripts/tool.py": "print('never needed')\n",
    }
    write_tree(tmp_path, files)
    model, loaded = _extract_through_pickles(tmp_path, ["pkg/models.py"], sorted(files))
    assert [(t.name, t.fields[0].type) for t in model.types] == [("M", Ref("pkg.kinds.Kind"))]
    assert "pkg/unrelated.py" not in loaded
    assert "scripts/tool.py" not in loaded
    assert sorted(loaded) == ["pkg/__init__.py", "pkg/kinds.py", "pkg/models.py"]


def test_unreadable_and_unparsable_files_become_summaries_with_a_problem(tmp_path: Path) -> None:
    missing = summarize_file(tmp_path, "missing.py")
    assert missing.bindings == () and missing.problem is not None
    assert missing.problem.message.startswith("cannot read file")
    broken = summarize_python("bad.py", b"import pydantic\n\nx = = 1\n")
    assert broken.problem is not None and broken.problem.line == 3
    assert _round_trip(broken) == broken


# --- one-line texts ----------------------------------------------------------------------------

EXPRESSIONS = [
    "Optional[\n    Union[\n        int,  # small\n        Dict[str, int],\n    ]\n]",
    "Field(\n    default=1,\n    alias='a',  # wire name\n)",
    "Tuple[int,]",
    "Tuple[int, str,]",
    "( int )",
    "-  1",
    "-(2.5)",
    "'a'  'b'",
    '"""two\nlines"""',
    "a . b [ c ]",
    "x[1:2]",
    "x[ *Ts ]",
    "[\n    1,\n    2,\n]",
    "{\n    'a': 1,\n    **rest,\n}",
    "{'a': (1, 2), 'b': {3}}",
    "()",
    "f(*args, **kwargs)",
    "lambda: [\n    1,\n]",
    "f'x{y}'",
    "b'bytes'",
    "60 * 60",
    "int |\\\n  None",
    "(1\n if flag\n else 2)",
]


@pytest.mark.parametrize("source", EXPRESSIONS)
def test_texts_are_what_one_line_source_renders(source: str) -> None:
    node = cst.parse_expression(source)
    assert SyntaxConverter().convert(node, in_type=True).text == one_line_source(node)


def test_string_annotations_are_parsed_into_forward_references() -> None:
    summary = summarize_python("m.py", b"class A:\n    x: \"List['A']\"\n    y: 'not a type'\n")
    (_, definition), = summary.bindings
    assert isinstance(definition, ClassDefinition)
    x, y = definition.fields
    assert x.annotation.text == "\"List['A']\""
    assert x.annotation.forward.text == "List['A']"  # type: ignore[union-attr]
    assert x.annotation.forward.elements[0].forward.text == "A"  # type: ignore[union-attr]
    assert y.annotation.forward is None  # type: ignore[union-attr]


# --- lines -------------------------------------------------------------------------------------

LINES_SOURCE = """\
import pydantic; import enum

if TYPE_CHECKING:
    A = 1
elif OTHER:
    B = 2
else:
    C = 3
try:
    D = 4
except ImportError:
    E = 5
else:
    F = 6
finally:
    G = 7
with ctx:
    H = 8


@decorator(
    1,
)
class Model(pydantic.BaseModel):
    \"\"\"Doc
    string.\"\"\"

    x: int = (
        1
    ); y: str
    if V2:
        z: int
    elif V3:
        w: int
    else:
        v: int = \\
            2

    def method(self) -> None:
        inner = 1


class OneLine: a: int; b: int
"""


def _summarized_statements(tree: cst.Module) -> list[cst.CSTNode]:
    """Every statement of the blocks a summary reads: module level, class bodies, if/try/with blocks."""
    found: list[cst.CSTNode] = []

    class Collector(cst.CSTVisitor):
        def on_visit(self, node: cst.CSTNode) -> bool:
            if isinstance(node, cst.BaseSmallStatement | cst.BaseCompoundStatement):
                found.append(node)
            return not isinstance(node, cst.FunctionDef | cst.BaseExpression)

    tree.visit(Collector())
    return found


def test_lines_from_the_stdlib_parser_match_libcst_positions() -> None:
    tree = cst.parse_module(LINES_SOURCE)
    line_of = statement_lines(tree, None, lambda: stdlib_parse(LINES_SOURCE))
    positions = MetadataWrapper(tree, unsafe_skip_copy=True).resolve(PositionProvider)
    statements = _summarized_statements(tree)
    assert len(statements) > 20
    assert [line_of(node) for node in statements] == [positions[node].start.line for node in statements]


def test_lines_of_syntax_newer_than_the_interpreter_still_come_out_right() -> None:
    summary = summarize_python("m.py", textwrap.dedent("x = 1\n\n\ntype Mode = int\n").encode())
    bindings = dict(summary.bindings)
    assert bindings["x"] == Assignment(1, bindings["x"].value, None)  # type: ignore[union-attr]
    mode = bindings["Mode"]
    assert isinstance(mode, Assignment) and mode.type_statement and mode.line == 4


def test_absurd_nesting_never_makes_summarizing_raise() -> None:
    depth = 1000  # libcst itself crashes the interpreter (native stack overflow) near 3000
    source = f"import pydantic\nX = {'[' * depth}{']' * depth}\n\nclass A(pydantic.BaseModel):\n    y: int\n"
    summary = summarize_python("deep.py", source.encode())
    assert _round_trip(summary) == summary
    bindings = dict(summary.bindings)
    if summary.problem is None:  # libcst parsed it; the value was too deep to convert
        assert isinstance(bindings["X"], UnreadableDefinition)
        assert isinstance(bindings["A"], ClassDefinition)


def test_a_fifo_named_like_a_module_is_a_problem_not_a_hang(tmp_path: Path) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this platform")
    os.mkfifo(tmp_path / "pipe.py")
    summary = summarize_file(tmp_path, "pipe.py")
    assert summary.problem is not None
    assert summary.problem.message == "cannot read file: not a regular file"
