"""Statement lines from the logical-line scan: the scan agrees with Python's tokenizer, the counting
agrees with libcst's positions, and whatever either does not model falls back to a parser."""

from __future__ import annotations

import io
import tokenize

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from auditor.python.lines import statement_lines
from auditor.python.logical_lines import LogicalLines, logical_lines
from auditor.python.summary import ClassDefinition, summarize_python
from tests.test_python_summary import LINES_SOURCE, _summarized_statements


def _tokenizer_logical_lines(text: str) -> LogicalLines:
    """The same facts, from the stdlib tokenizer: the line of each logical line's first token."""
    starts: list[int] = []
    longest_reach = 0
    start: int | None = None
    skipped = (tokenize.NL, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER)
    # Universal newlines: the tokenizer, as `ast` does, breaks lines at a lone carriage return too.
    for token in tokenize.generate_tokens(io.StringIO(text, newline=None).readline):
        if token.type in skipped:
            continue
        if token.type == tokenize.NEWLINE:
            if start is not None:
                starts.append(start)
                longest_reach = max(longest_reach, token.start[0] - start)
            start = None
        elif start is None:
            start = token.start[0]
    return LogicalLines(tuple(starts), longest_reach)


TOKENIZER_CASES = [
    "x = 1\ny = 2\n",
    "x = 1\ny = 2",  # no final line break
    "x = '#'  # a comment with 'quotes\"\ny = \"it's\"\n",
    's = """one\n\'\'\' two "" \\""" three"""\nt = 1\n',
    "r = r'\\'' + r'\\\\'\nb = b'\\x00'\n",
    "data = [\n    1,  # one\n\n    # two\n    (2, {3: [4]}),\n]\nafter = 0\n",
    "total = 1 + \\\n    2 + \\\n    3\nnext_one = 4\n",
    "s = 'a\\\nb'\nt = 2\n",  # a backslash-newline inside a one-quote string
    "x = 1\r\ny = (\r\n    2\r\n)\r\nz = '''a\r\nb'''\r\n",
    "x = 1\ry = (\r 2\r)\r",
    "\f\nclass A:\n\f    x: int\n",
    "@decorator(\n    1,\n)\nclass A:\n    '''Doc.'''\n\n    x: int = (\n        1\n    )\n",
    "def f():\n    return {\n        'a': 1,\n    }\n\n\nclass B: pass\n",
    "\n\n# only comments\n\n",
    "",
]


@pytest.mark.parametrize("text", TOKENIZER_CASES)
def test_the_scan_finds_the_tokenizers_logical_lines(text: str) -> None:
    assert logical_lines(text) == _tokenizer_logical_lines(text)


@pytest.mark.parametrize(
    "text",
    [
        "x = f'{y}'\n",
        "x = Rb'a' + rf'b'\n",
        "x = fR'{y}'\n",
        "x = (1\n",  # unbalanced: not Python
        "x = 1\n\\\ny = 2\n",  # the first token of a logical line after a continuation
        "x = 'unterminated\n",
    ],
)
def test_the_scan_gives_up_on_what_it_does_not_model(text: str) -> None:
    assert logical_lines(text) is None


COUNTED_SOURCE = """\
\"\"\"Module docstring
over two lines.\"\"\"
import pydantic

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
@other
class Model(pydantic.BaseModel):
    \"\"\"Doc
    string.\"\"\"

    x: int = (
        1
    )
    y: str
    if V2:
        z: int
    elif V3:
        w: int
    else:
        v: int = \\
            2

    @property
    def method(self) -> None:
        for item in items:
            inner = 1
        else:
            pass
        while True:
            break
        match command:
            case [x]:
                pass
            case _:
                pass
        try:
            pass
        except* ValueError:
            pass
        if x: return 1
        def nested(): return 2


class OneLine(pydantic.BaseModel):
    a: int


type Alias = int
"""


def test_counted_lines_match_libcst_positions() -> None:
    tree = cst.parse_module(COUNTED_SOURCE)
    scanned = logical_lines(COUNTED_SOURCE)
    assert scanned is not None

    def no_parser() -> None:
        raise AssertionError("the stdlib parser was asked")

    line_of = statement_lines(tree, scanned, no_parser)
    positions = MetadataWrapper(tree, unsafe_skip_copy=True).resolve(PositionProvider)
    statements = _summarized_statements(tree)
    assert len(statements) > 20
    assert [line_of(node) for node in statements] == [positions[node].start.line for node in statements]


def test_shapes_the_count_cannot_place_fall_back_to_the_stdlib_parser() -> None:
    # LINES_SOURCE has `x = (...); y: str` and `class OneLine: a: int; b: int`.
    tree = cst.parse_module(LINES_SOURCE)
    asked: list[bool] = []

    def stdlib_tree() -> None:
        asked.append(True)  # and then, as None says, it could not parse: libcst's positions answer
        return None

    line_of = statement_lines(tree, logical_lines(LINES_SOURCE), stdlib_tree)
    positions = MetadataWrapper(tree, unsafe_skip_copy=True).resolve(PositionProvider)
    statements = _summarized_statements(tree)
    assert [line_of(node) for node in statements] == [positions[node].start.line for node in statements]
    assert asked == [True]


def test_lines_of_a_file_with_crlf_line_breaks() -> None:
    source = "import pydantic\r\n\r\n\r\nclass A(pydantic.BaseModel):\r\n    '''Doc\r\n    more'''\r\n    x: int\r\n"
    definition = dict(summarize_python("crlf.py", source.encode()).bindings)["A"]
    assert isinstance(definition, ClassDefinition)
    assert definition.line == 4
    assert [field.line for field in definition.fields] == [7]
