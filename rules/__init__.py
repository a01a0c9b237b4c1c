"""The rule catalog: one module per rule, each with its documentation and example pairs.

This folder installs as `auditor.rules`. `CATALOG` is in precedence order: for a disagreement
between two type expressions, the first type rule that recognises it reports it, so the specific
rules come before `type-mismatch`, which recognises everything.
"""

from auditor.rulebase import Rule

from . import (
    atom_enum,
    bytes_as_base64,
    constraint_widened,
    datetime_as_string,
    decoder_drops_field,
    default_mismatch,
    encoder_drops_field,
    enum_catch_all,
    enum_value_mismatch,
    extra_field,
    extra_type,
    flattened_nesting,
    folded_into_map,
    literal_widened,
    missing_field,
    missing_literal,
    missing_type,
    optionality_mismatch,
    type_mismatch,
    union_mismatch,
    union_widened,
    untyped_container,
    wire_name_mismatch,
)

CATALOG: tuple[Rule, ...] = tuple(
    module.RULE
    for module in (
        missing_type,
        extra_type,
        missing_field,
        extra_field,
        wire_name_mismatch,
        encoder_drops_field,
        decoder_drops_field,
        missing_literal,
        folded_into_map,
        flattened_nesting,
        untyped_container,
        datetime_as_string,
        bytes_as_base64,
        enum_value_mismatch,
        enum_catch_all,
        atom_enum,
        literal_widened,
        union_mismatch,
        union_widened,
        constraint_widened,
        type_mismatch,
        optionality_mismatch,
        default_mismatch,
    )
)

RULES_BY_SLUG: dict[str, Rule] = {rule.slug: rule for rule in CATALOG}
