"""What the rules produce: findings with a stable slug, a severity and both sides' locations."""

from __future__ import annotations

import fnmatch
import hashlib
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property

from auditor.model import Location


def type_and_field(type_name: str, field: str | None) -> str:
    """`Type.field`, or `Type` for the type as a whole: how reports and messages name where a finding is."""
    return type_name if field is None else f"{type_name}.{field}"


class Severity(StrEnum):
    P0 = "P0"
    P1 = "P1"
    P2 = "P2"
    P3 = "P3"
    INFO = "info"

    @property
    def rank(self) -> int:
        """0 is the most severe; sorting by rank lists P0 first and info last."""
        return _SEVERITY_RANKS[self]


_SEVERITY_RANKS = {severity: rank for rank, severity in enumerate(Severity)}


class FailOn(StrEnum):
    """The severity at or above which findings fail a run, or never."""

    P0 = "P0"
    P1 = "P1"
    P2 = "P2"
    P3 = "P3"
    NEVER = "never"


@dataclass(frozen=True)
class SideRef:
    """Where a finding points on one side, with the annotation as written there (None for a whole type)."""

    location: Location
    annotation: str | None = None


@dataclass(frozen=True)
class Finding:
    """One difference between the Python reference and the Elixir port.

    `type_name` is the Python type name (the Elixir last segment for Elixir-only types); `field` the
    Python field name (the Elixir one for Elixir-only fields), or None for a whole type. `python_type`
    and `elixir_type` name the pair (Python qualified name, Elixir module; None for a missing side):
    what the finding is keyed on. `qualified` is True when another pair has the same `type_name`.
    """

    rule: str
    severity: Severity
    type_name: str
    field: str | None
    message: str
    python: SideRef | None
    elixir: SideRef | None
    python_type: str | None = None
    elixir_type: str | None = None
    qualified: bool = False

    @property
    def pair(self) -> tuple[str, str]:
        return (self.python_type or "", self.elixir_type or "")

    @property
    def shown_type(self) -> str:
        """The type as reports name it: with its Elixir module (or Python qualified name) when another
        pair has the same name."""
        if not self.qualified:
            return self.type_name
        return f"{self.type_name} ({self.elixir_type or self.python_type})"

    @cached_property
    def fingerprint(self) -> str:
        """Stable across moved lines, reordered files and reworded messages: rule, type, field, side; and
        the pair's qualified names only when its type name is shared, so that a baseline written before
        pairs were told apart still matches every finding it could name."""
        return self._fingerprint(self.qualified)

    @cached_property
    def other_fingerprint(self) -> str:
        """The fingerprint the finding had with its type name shared (or not): a baseline written before
        another pair of that name came (or went) recorded this one."""
        return self._fingerprint(not self.qualified)

    def _fingerprint(self, qualified: bool) -> str:
        side = "both" if self.python and self.elixir else "python" if self.python else "elixir"
        parts = [self.rule, self.type_name, self.field or "", side]
        if qualified:
            parts.extend(self.pair)
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:20]

    def sort_key(self) -> tuple[int, str, tuple[str, str], str, str]:
        return (self.severity.rank, self.type_name, self.pair, self.field or "", self.rule)


@dataclass(frozen=True)
class Ignore:
    """A config entry that accepts one rule's findings on a type (on one field when `field` is set)."""

    rule: str
    type_name: str
    field: str | None
    reason: str
    where: Location
    """The config file (path as given) and the line the entry starts on."""


@dataclass(frozen=True)
class OutOfScope:
    """A config `[unported]` entry: Python types the port leaves out on purpose, and why. Their findings
    are suppressed with the reason, and coverage counts without them."""

    glob: str
    """Matches a Python qualified name when it has a dot (`pkg.batches.*`), else a type name."""
    reason: str
    where: Location

    def covers(self, type_name: str, qualname: str) -> bool:
        return fnmatch.fnmatchcase(qualname if "." in self.glob else type_name, self.glob)


@dataclass(frozen=True)
class Suppressed:
    """A finding the port team accepted, and who accepted it: a config ignore or an inline comment."""

    finding: Finding
    source: str
    """"config" (an `[[tool.parity-audit.ignore]]` entry) or "inline" (a `# parity-audit: ignore[...]`)."""
    reason: str
    where: Location
    """The ignore entry (config file path and line) or the comment (audited file path and line)."""


@dataclass(frozen=True)
class BaselineStatus:
    """How today's findings compare with a baseline file written by `--write-baseline`."""

    path: str
    baselined: frozenset[Finding]
    """Today's findings the baseline records, suppressed ones included: reported, but never failing the run."""
    fixed: int
    """Baselined findings that are gone."""
