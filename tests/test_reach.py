"""Coverage and reachability: which missing types the ported ones need, which are unported surface, and the
numbers every report opens with."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.audit import AuditOptions, run_audit
from auditor.findings import OutOfScope, Severity
from auditor.model import Location
from auditor.reach import _reached_from, shortest_paths
from auditor.reports import ReportOptions, json_report, markdown_report, sarif_report, text_report
from tests.conftest import invoke, write_tree

PYTHON = '''from typing import List, Literal, Optional

from pydantic import BaseModel

Voice = Literal["alto", "bass"]


class Speech(BaseModel):
    voice: Voice


class GenerationConfig(BaseModel):
    speech: Optional[Speech] = None
    temperature: float


class Session(BaseModel):
    id: str
    config: GenerationConfig


class BatchItem(BaseModel):
    session: Session


class Batch(BaseModel):
    items: List[BatchItem]


class Ping(BaseModel):
    at: int
'''

ELIXIR = """defmodule Chat.Session do
  defstruct [:id, :config]
  @type t :: %__MODULE__{id: String.t(), config: map()}
end
"""


def audited(tmp_path: Path, **options: object):
    python = write_tree(tmp_path / "py", {"chat/__init__.py": "", "chat/types.py": PYTHON})
    elixir = write_tree(tmp_path / "ex", {"lib/chat/session.ex": ELIXIR})
    return run_audit(AuditOptions(python, elixir, **options))  # type: ignore[arg-type]


UNPORTED = "has no Elixir counterpart, and no ported type uses it: unported API surface."


def missing(result) -> dict[str, tuple[Severity, str]]:
    return {f.type_name: (f.severity, f.message) for f in result.findings if f.rule == "missing-type"}


def test_a_missing_type_a_ported_type_needs_is_p1_with_its_path_and_the_rest_p2(tmp_path: Path) -> None:
    found = missing(audited(tmp_path))
    assert found == {
        "GenerationConfig": (
            Severity.P1,
            "GenerationConfig (struct) has no Elixir counterpart, and the ported Session.config needs it "
            "(Session.config → GenerationConfig): the port can neither build nor decode it.",
        ),
        "Speech": (
            Severity.P1,
            "Speech (struct) has no Elixir counterpart, and the ported Session.config needs it "
            "(Session.config → GenerationConfig → Speech): the port can neither build nor decode it.",
        ),
        "Voice": (
            Severity.P1,
            "Voice (union) has no Elixir counterpart, and the ported Session.config needs it "
            "(Session.config → GenerationConfig → Speech → Voice): the port can neither build nor decode it.",
        ),
        # Batch reaches the ported Session, but nothing ported reaches Batch: surface the port has not started.
        "Batch": (Severity.P2, f"Batch (struct) {UNPORTED}"),
        "BatchItem": (Severity.P2, f"BatchItem (struct) {UNPORTED}"),
        "Ping": (Severity.P2, f"Ping (struct) {UNPORTED}"),
    }


def test_unported_types_are_grouped_by_the_root_type_they_hang_from(tmp_path: Path) -> None:
    result = audited(tmp_path)
    groups = [(group.root, group.types) for group in result.reach.unported]
    assert groups == [
        ("chat.types.Batch", ("chat.types.Batch", "chat.types.BatchItem")),
        ("chat.types.Ping", ("chat.types.Ping",)),
    ]


def test_coverage_is_exact_in_every_report_and_opens_the_text_and_markdown(tmp_path: Path, monkeypatch) -> None:
    result = audited(tmp_path)
    line = (
        "Coverage: Python types ported 1 of 7 (14.3%): models 1 of 6, enums 0 of 0, unions 0 of 1; "
        "fields of ported models 2 of 2 (100.0%); 200.0 findings per 100 ported fields"
    )
    assert text_report.render(result).splitlines()[0] == line
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    assert markdown_report.render(result).split("\n\n")[1] == f"**{line}**"
    expected = {
        "types": {"ported": 1, "total": 7, "percent": 14.3},
        "by_kind": {
            "models": {"ported": 1, "total": 6, "percent": 16.7},
            "enums": {"ported": 0, "total": 0, "percent": None},
            "unions": {"ported": 0, "total": 1, "percent": 0.0},
        },
        "fields": {"ported": 2, "total": 2, "percent": 100.0},
        # Session.config's untyped map, and the three missing types Session needs.
        "breaking_findings": 4,
        "findings_per_100_fields": 200.0,
        "missing_types": {"needed": 3, "unported": 3},
        "out_of_scope": 0,
    }
    document = json.loads(json_report.render(result))
    assert document["summary"]["coverage"] == expected
    speech = next(t for t in document["types"] if t["name"] == "Speech")
    assert speech["needed_by"] == ["Session.config", "GenerationConfig", "Speech"]
    assert speech["unported_group"] is None
    item = next(t for t in document["types"] if t["name"] == "BatchItem")
    assert (item["needed_by"], item["unported_group"]) == (None, "chat.types.Batch")
    assert json.loads(sarif_report.render(result))["runs"][0]["properties"]["coverage"] == expected


def test_the_text_work_list_puts_needed_types_under_the_type_they_break(tmp_path: Path) -> None:
    text = text_report.render(audited(tmp_path))
    session = text.index("\nP1  Session\n")
    assert text.index("\n  config  P1 untyped-container", session) > session
    assert "\n  Speech  P1 missing-type  Speech (struct) has no Elixir counterpart" in text
    heading = "\nUnported API surface: 3 missing types no ported type uses, in 2 groups; --show-unported lists them\n"
    assert text.index(heading) > session
    assert "\n  Batch (chat.types): 2 types\n  Ping (chat.types): 1 type\n" in text
    assert "Ping  P2" not in text
    shown = text_report.render(audited(tmp_path), ReportOptions(show_unported=True))
    assert "\n  Batch (chat.types): 2 types\n    Batch  P2 missing-type  (chat/types.py:26)\n" in shown
    assert "    BatchItem  P2 missing-type  (chat/types.py:22)\n" in shown


def test_markdown_lists_unported_surface_collapsed_and_out_of_the_priorities(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    report = markdown_report.render(audited(tmp_path))
    section = report.split("## Unported API surface (3 types)\n", 1)[1]
    assert "<details>\n<summary>3 types in 2 groups</summary>" in section
    assert "| `Batch` | `chat.types` | 2 | `Batch`, `BatchItem` |" in section
    priorities = report.split("## Priority fixes", 1)[1].split("\n## ", 1)[0]
    assert "`Ping`" not in priorities and "`Speech`" in priorities
    work = report.split("## Work list", 1)[1].split("\n## ", 1)[0]
    assert "- **P1** `Session`\n  - `GenerationConfig` — P1 `missing-type` — " in work
    assert "\n  - `config` — P1 `untyped-container` — " in work


def test_unported_config_suppresses_a_surface_with_its_reason_and_coverage_drops_it(tmp_path: Path) -> None:
    entry = OutOfScope("chat.types.Batch*", "Batches come in v2.", Location("parity.toml", 4))
    stale = OutOfScope("Nothing*", "left over", Location("parity.toml", 5))
    result = audited(tmp_path, out_of_scope=(entry, stale))
    assert {(s.finding.type_name, s.reason, s.where.line) for s in result.suppressed} == {
        ("Batch", "Batches come in v2.", 4),
        ("BatchItem", "Batches come in v2.", 4),
    }
    assert "Batch" not in missing(result)
    document = json.loads(json_report.render(result))
    assert document["summary"]["coverage"]["types"] == {"ported": 1, "total": 5, "percent": 20.0}
    assert document["summary"]["coverage"]["out_of_scope"] == 2
    assert [d.message for _, d in result.diagnostics] == [
        "the unported entry 'Nothing*' matches no audited Python type; correct or delete it"
    ]


def test_the_config_file_reads_unported_globs_with_reasons(tmp_path: Path) -> None:
    audited(tmp_path)
    config = tmp_path / "parity.toml"
    config.write_text('fail-on = "never"\n\n[unported]\n"chat.types.Ping" = "Health checks stay in Python."\n')
    result = invoke(tmp_path / "py", tmp_path / "ex", "--config", config, "--no-cache", "--format", "json")
    document = json.loads(result.stdout)
    (suppressed,) = [s for s in document["suppressed"] if s["type"] == "Ping"]
    assert suppressed["suppression"]["reason"] == "Health checks stay in Python."
    assert suppressed["suppression"]["line"] == 4
    empty = tmp_path / "empty.toml"
    empty.write_text('[unported]\n"chat.*" = ""\n')
    refused = invoke(tmp_path / "py", tmp_path / "ex", "--config", empty)
    assert refused.exit_code == 2
    assert "'unported.chat.*'" in refused.stderr and "non-empty string" in refused.stderr


def test_a_severity_override_of_the_slug_applies_to_both_severities(tmp_path: Path) -> None:
    result = audited(tmp_path, severity_overrides={"missing-type": Severity.P3})
    assert {severity for severity, _ in missing(result).values()} == {Severity.P3}


# --- the search itself -------------------------------------------------------------------------------

NODES = "abcdef"


def brute_force(starts: list[tuple[str, str]], edges: dict[str, list[str]]) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Every walk of up to len(NODES) nodes, and for each end the least (length, label, path) of them."""
    best: dict[str, tuple[int, str, tuple[str, ...]]] = {}
    walks = [(label, (node,)) for label, node in starts]
    while walks:
        following = []
        for label, walk in walks:
            key = (len(walk), label, walk)
            if walk[-1] not in best or key < best[walk[-1]]:
                best[walk[-1]] = key
            if len(walk) < len(NODES):
                following.extend((label, (*walk, successor)) for successor in edges.get(walk[-1], ()))
        walks = following
    return {node: (label, walk) for node, (_, label, walk) in best.items()}


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from("xyz"), st.sampled_from(NODES)), max_size=4),
    st.dictionaries(st.sampled_from(NODES), st.lists(st.sampled_from(NODES), max_size=4)),
)
def test_shortest_paths_are_the_least_of_the_shortest_walks(starts, edges) -> None:
    assert shortest_paths(starts, lambda node: edges.get(node, [])) == brute_force(starts, edges)


def test_the_least_path_wins_among_equally_short_ones() -> None:
    edges = {"b": ["d"], "a": ["d"], "d": ["e"]}
    paths = shortest_paths([("y", "b"), ("x", "a"), ("x", "c")], lambda node: edges.get(node, []))
    assert paths["d"] == ("x", ("a", "d"))
    assert paths["e"] == ("x", ("a", "d", "e"))
    assert all(len(path) <= 3 for _, path in paths.values())


def _reached_by_search(ported: list[str], edges: dict[str, list[tuple[str, str]]]) -> dict[str, int]:
    """The definition, one search per ported type backwards along the edges."""
    counts = {}
    for qualname in ported:
        seen, frontier = {qualname}, [qualname]
        while frontier:
            node = frontier.pop()
            for source, found in edges.items():
                if source not in seen and any(target == node for _, target in found):
                    seen.add(source)
                    frontier.append(source)
        counts[qualname] = len((seen - {qualname}) & set(ported))
    return counts


@settings(max_examples=300, deadline=None)
@given(
    st.integers(min_value=1, max_value=12).flatmap(
        lambda size: st.tuples(
            st.just([f"T{index}" for index in range(size)]),
            st.lists(st.tuples(st.integers(0, size - 1), st.integers(0, size - 1)), max_size=3 * size),
            st.sets(st.integers(0, size - 1)),
        )
    )
)
def test_how_many_ported_types_reach_each_one_matches_a_search_per_type(
    graph: tuple[list[str], list[tuple[int, int]], set[int]],
) -> None:
    # Random graphs have self-references, cycles, diamonds and edges repeated under two field names.
    names, links, ported_indexes = graph
    edges: dict[str, list[tuple[str, str]]] = {name: [] for name in names}
    for number, (source, target) in enumerate(links):
        edges[names[source]].append((f"f{number % 2}", names[target]))
    ported = sorted(names[index] for index in ported_indexes)
    assert _reached_from(ported, edges) == _reached_by_search(ported, edges)
