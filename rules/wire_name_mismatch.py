"""wire-name-mismatch: the port's own encoder or decoder uses a key Python does not use for the field."""

from collections.abc import Iterator

from auditor.align import TypePair
from auditor.compare import Context
from auditor.findings import Finding, Severity
from auditor.rulebase import Example, Rule, fields_with_known_wire_names, make_finding, python_wire_names


def check(pair: TypePair, context: Context) -> Iterator[Finding]:
    if pair.elixir is None:
        return
    for field in fields_with_known_wire_names(pair):
        assert field.python is not None and field.elixir is not None
        accepted = python_wire_names(field)
        for keys, verb in ((pair.elixir.encoder, "writes"), (pair.elixir.decoder, "reads")):
            used = keys.of(field.elixir.name) if keys is not None else None
            used = tuple(key for key in used or () if key)
            if keys is None or not used or accepted & set(used):
                continue
            wire = field.python.alias or field.python.name
            yield make_finding(
                RULE.slug,
                Severity.P0,
                pair,
                field,
                f"the port's {keys.function}/1 {verb} {', '.join(repr(key) for key in used)} for "
                f"`{field.elixir.name}`, but the wire name is {wire!r}: the value is lost on the way "
                f"{'out' if verb == 'writes' else 'in'}.",
                elixir_at=keys.location,
            )


_ALIASED_MODEL = (
    "from pydantic import BaseModel, Field\n\nclass Sampling(BaseModel):\n"
    '    max_tokens: int = Field(alias="maxTokens")\n'
)
_PORT_HEAD = "defmodule Api.Sampling do\n  defstruct [:max_tokens]\n  @type t :: %__MODULE__{max_tokens: integer()}\n"

RULE = Rule(
    slug="wire-name-mismatch",
    severity="P0",
    summary="The port's own encoder or decoder uses a key that is neither the field's wire name nor its name.",
    explanation=(
        "Read from the port's conversion functions (`to_map`, `to_api`, `from_map`, `from_api`, ...) where "
        "they build or read a map with literal keys. Python's wire name is the field name or its pydantic "
        "alias. A key that is neither means the server never sees the value, or the port never reads it. "
        "A derived encoder that sends the snake_case field names is not a finding by itself."
    ),
    fix="Use the wire name Python uses (its alias, `maxTokens`, or the field name).",
    examples=(
        Example(
            python=_ALIASED_MODEL,
            elixir=(
                _PORT_HEAD
                + '  def to_api(%__MODULE__{} = s), do: %{"max_tokens_count" => s.max_tokens}\nend\n'
            ),
            fires=(("Sampling", "max_tokens", Severity.P0),),
        ),
        Example(
            python=_ALIASED_MODEL,
            elixir=(
                _PORT_HEAD
                + '  def to_api(%__MODULE__{} = s), do: %{"maxTokens" => s.max_tokens}\n'
                '  def from_api(m), do: %__MODULE__{max_tokens: m["maxTokens"] || m["max_tokens"]}\nend\n'
            ),
        ),
    ),
    check_pair=check,
)
