"""Stage 7b': what the audit would say of Elixir code the fix considers writing, asked before it is written.

The fix follows the port's habits, but a habit can be one a rule flags (datetimes kept as strings, enums
as bare atoms). A candidate text is read by the Elixir front end, paired with its Python type and run
through every rule of the catalog, as the audit after the patch would; the fix writes the first candidate
no rule objects to, and lists what has none.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from auditor.align import TypePair, pair_fields
from auditor.compare import Context
from auditor.elixir import summarize_elixir
from auditor.engine import pair_findings
from auditor.model import Field, TypeDef
from auditor.rules import CATALOG

_VETTED_PATH = "parity-audit-fix-candidate.ex"
"""The path the candidate is read under; it names no file and is never written."""
UNREADABLE = "unreadable"
"""The objection to a candidate the Elixir front end cannot read as the module it should declare."""


@dataclass(frozen=True)
class Vetter:
    """Both sides' types and the counterparts the port will have once the fix is applied (its pairs and the
    modules the fix creates), so that a candidate's references resolve as they will after the patch."""

    python_types: Mapping[str, TypeDef]
    elixir_types: Mapping[str, TypeDef]
    counterparts: Mapping[str, str]

    def objections(self, python: TypeDef, module: str, source: str) -> tuple[str, ...]:
        """The slugs of the findings the audit would report on `module` (declared by `source`) paired with
        `python`, in report order; `UNREADABLE` when the front end does not read that module from it."""
        extraction = summarize_elixir(_VETTED_PATH, source.encode("utf-8"))
        elixir = next((typedef for typedef in extraction.types if typedef.qualname == module), None)
        if elixir is None or extraction.diagnostics:
            return (UNREADABLE,)
        context = Context(
            self.python_types,
            {**self.elixir_types, module: elixir},
            {**self.counterparts, python.qualname: module},
        )
        pair = TypePair(python, elixir, pair_fields(python, elixir))
        return tuple(dict.fromkeys(finding.rule for finding in pair_findings(pair, CATALOG, context)))

    def learned(self, source: str) -> Vetter:
        """The vetter that also knows the modules `source` declares (a new module the fix writes, which
        others the fix writes may refer to)."""
        extraction = summarize_elixir(_VETTED_PATH, source.encode("utf-8"))
        return replace(self, elixir_types={**self.elixir_types, **{t.qualname: t for t in extraction.types}})

    def field_objections(self, python: TypeDef, field: Field, module: str, source: str) -> tuple[str, ...]:
        """As `objections`, for one field: `source` declares `module` with that field alone."""
        return self.objections(replace(python, fields=(field,)), module, source)
