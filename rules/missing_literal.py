"""missing-literal: a Python single-value Literal discriminator is absent in Elixir."""

from collections.abc import Iterator

from auditor.align import TypePair
from auditor.compare import Context, single_literal
from auditor.findings import Finding, Severity
from auditor.rulebase import Example, Rule, make_finding


def check(pair: TypePair, context: Context) -> Iterator[Finding]:
    if pair.elixir is None:
        return
    for field in pair.fields:
        if field.python is None or field.elixir is not None:
            continue
        literal = single_literal(field.python.type, context)
        if literal is not None:
            yield make_finding(
                RULE.slug,
                Severity.P2,
                pair,
                field,
                f"the discriminator `{field.python.name}` = {literal.values[0]!r} is not in the port: the "
                "server cannot tell this variant from the others of its union.",
            )


RULE = Rule(
    slug="missing-literal",
    severity="P2",
    summary="A Python discriminator field typed with a single Literal value is absent in Elixir.",
    explanation=(
        'Fields such as `type: Literal["sample"] = "sample"` tag the variant of a tagged union. '
        "The Python SDK always sends the tag; a port that leaves it out sends an untagged object that "
        "the server may reject or decode as the wrong variant."
    ),
    fix='Add the field with its value as the default: `defstruct [..., type: "sample"]`.',
    examples=(
        Example(
            python=(
                "from typing import Literal\nfrom pydantic import BaseModel\n\n"
                "class TextPart(BaseModel):\n    text: str\n    type: Literal['text'] = 'text'\n"
            ),
            elixir="defmodule Chat.TextPart do\n  defstruct [:text]\n  @type t :: %__MODULE__{text: String.t()}\nend\n",
            fires=(("TextPart", "type", Severity.P2),),
        ),
        Example(
            python=(
                "from typing import Literal\nfrom pydantic import BaseModel\n\n"
                "class TextPart(BaseModel):\n    text: str\n    type: Literal['text'] = 'text'\n"
            ),
            elixir=(
                'defmodule Chat.TextPart do\n  defstruct [:text, type: "text"]\n'
                "  @type t :: %__MODULE__{text: String.t(), type: String.t()}\nend\n"
            ),
        ),
    ),
    check_pair=check,
    replaces=("missing-field",),
)
