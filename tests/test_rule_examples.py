"""Every rule's own example pairs: the firing one reports exactly what it lists, the quiet one nothing."""

from __future__ import annotations

import pytest
from auditor.rules import CATALOG

from auditor.rulebase import Example, Rule

CASES = [
    pytest.param(rule, example, id=f"{rule.slug}-{'fires' if example.fires else 'quiet'}-{index}")
    for rule in CATALOG
    for index, example in enumerate(rule.examples)
]


@pytest.mark.parametrize(("rule", "example"), CASES)
def test_rule_example(audit, rule: Rule, example: Example) -> None:
    result = audit(example.python, example.elixir)
    reported = sorted(
        (f.type_name, f.field or "", f.severity.value) for f in result.findings if f.rule == rule.slug
    )
    expected = sorted((name, field or "", severity.value) for name, field, severity in example.fires)
    assert reported == expected
    if example.says is not None:
        assert all(example.says in f.message for f in result.findings if f.rule == rule.slug)


def test_every_rule_has_a_firing_and_a_quiet_example() -> None:
    for rule in CATALOG:
        assert any(example.fires for example in rule.examples), rule.slug
        assert any(not example.fires for example in rule.examples), rule.slug


def test_slugs_are_unique_and_kebab_case() -> None:
    slugs = [rule.slug for rule in CATALOG]
    assert len(slugs) == len(set(slugs))
    assert all(slug == slug.lower() and " " not in slug and "_" not in slug for slug in slugs)
