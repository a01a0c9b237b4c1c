"""atom-enum: Python strings and Elixir atoms that map one-to-one; a convention, not a defect."""

from auditor.align import FieldPair
from auditor.compare import Context, Mismatch, compare_values
from auditor.findings import Severity
from auditor.rulebase import Example, Rule, Verdict


def classify(mismatch: Mismatch, field: FieldPair | None, context: Context) -> Verdict | None:
    comparison = compare_values(mismatch.python, mismatch.elixir)
    if comparison is None or comparison.python_only or comparison.elixir_only or not comparison.via_atoms:
        return None
    return Verdict(
        Severity.INFO,
        "Python uses string values, the port atoms that map one-to-one: wire-compatible as long as "
        "the port converts them when encoding and decoding.",
    )


RULE = Rule(
    slug="atom-enum",
    severity="info",
    summary="Python string values and Elixir atoms that map one-to-one (case-insensitively).",
    explanation=(
        "Idiomatic Elixir represents a closed set of strings as atoms. On the wire the values are "
        "identical when the port encodes atoms as their names, so this is a convention to know about, "
        "not a defect."
    ),
    fix="Nothing to fix; keep the atom <-> string conversion next to the type.",
    examples=(
        Example(
            python='from typing import Literal\n\nState = Literal["queued", "done"]\n',
            elixir="defmodule Api.Types do\n  @type state :: :queued | :done\nend\n",
            fires=(("State", None, Severity.INFO),),
        ),
        Example(
            python='from typing import Literal\n\nState = Literal["queued", "done"]\n',
            elixir='defmodule Api.Types do\n  @type state :: "queued" | "done"\nend\n',
        ),
    ),
    classify=classify,
)
