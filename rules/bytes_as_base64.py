"""bytes-as-base64: Python bytes is a (base64) string in Elixir; a convention, not a defect."""

from auditor.align import FieldPair
from auditor.compare import Context, Mismatch
from auditor.findings import Severity
from auditor.model import BYTES, STR
from auditor.rulebase import Example, Rule, Verdict


def classify(mismatch: Mismatch, field: FieldPair | None, context: Context) -> Verdict | None:
    if mismatch.python == BYTES and mismatch.elixir == STR:
        return Verdict(
            Severity.INFO,
            "Python bytes travel as base64 text on the wire; the port keeps the string, which is "
            "wire-compatible as long as it holds the base64 form.",
        )
    return None


RULE = Rule(
    slug="bytes-as-base64",
    severity="info",
    summary="Python bytes is a String.t() in Elixir (base64 on the wire).",
    explanation=(
        "JSON has no bytes: pydantic serialises bytes as base64 text, so a port that keeps the base64 "
        "string is wire-compatible. The note reminds callers that the string is encoded, not raw data."
    ),
    fix="Nothing to fix; document that the field holds base64, or decode it with `Base.decode64/1`.",
    examples=(
        Example(
            python="from pydantic import BaseModel\n\nclass Image(BaseModel):\n    data: bytes\n",
            elixir="defmodule Api.Image do\n  defstruct [:data]\n  @type t :: %__MODULE__{data: String.t()}\nend\n",
            fires=(("Image", "data", Severity.INFO),),
        ),
        Example(
            python="from pydantic import BaseModel\n\nclass Image(BaseModel):\n    data: str\n",
            elixir="defmodule Api.Image do\n  defstruct [:data]\n  @type t :: %__MODULE__{data: String.t()}\nend\n",
        ),
    ),
    classify=classify,
)
