"""The type comparison that every type rule builds on, on hand-built neutral-model values."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from auditor.compare import (
    Context,
    Mismatch,
    compare_values,
    describe,
    differences,
    same_default,
)
from auditor.model import (
    ANY,
    ATOM,
    BOOL,
    DATETIME,
    FLOAT,
    INT,
    NONE,
    STR,
    AtomSet,
    Default,
    DefaultKind,
    ListOf,
    LiteralOf,
    Location,
    MapOf,
    Ref,
    TupleOf,
    TypeDef,
    TypeExpr,
    TypeKind,
    UnionOf,
    Unknown,
    union_of,
)

HERE = Location("x", 1)
PY_MODEL = TypeDef("sdk.types.Model", "Model", TypeKind.STRUCT, HERE, module="sdk.types")
PY_STATE = TypeDef(
    "sdk.types.State", "State", TypeKind.UNION, HERE, target=LiteralOf(("a", "b")), module="sdk.types"
)
EX_MODEL = TypeDef("Api.Model", "Model", TypeKind.STRUCT, HERE, module="Api.Model")
EX_OTHER = TypeDef("Api.Other", "Other", TypeKind.STRUCT, HERE, module="Api.Other")
EX_STATE = TypeDef(
    "Api.Types.state", "state", TypeKind.UNION, HERE, target=AtomSet(("a", "b")), module="Api.Types"
)
CONTEXT = Context(
    {t.qualname: t for t in (PY_MODEL, PY_STATE)},
    {t.qualname: t for t in (EX_MODEL, EX_OTHER, EX_STATE)},
    {"sdk.types.Model": "Api.Model", "sdk.types.State": "Api.Types.state"},
)


def test_aligned_models_are_the_same_type() -> None:
    assert differences(Ref("sdk.types.Model"), Ref("Api.Model"), CONTEXT) == []
    assert differences(ListOf(Ref("sdk.types.Model")), ListOf(Ref("Api.Model")), CONTEXT) == []


def test_a_different_model_is_a_mismatch() -> None:
    assert differences(Ref("sdk.types.Model"), Ref("Api.Other"), CONTEXT) == [
        Mismatch(Ref("sdk.types.Model"), Ref("Api.Other"))
    ]


def test_unknown_references_fall_back_to_the_simple_name() -> None:
    assert differences(Ref("elsewhere.Thing"), Ref("Port.Thing"), CONTEXT) == []
    assert differences(Ref("elsewhere.Thing"), Ref("Port.Other"), CONTEXT) != []


def test_numbers_are_compatible_with_number_but_not_with_each_other() -> None:
    number = union_of([INT, FLOAT])
    assert differences(INT, number, CONTEXT) == []
    assert differences(FLOAT, number, CONTEXT) == []
    assert differences(FLOAT, INT, CONTEXT) == [Mismatch(FLOAT, INT)]


def test_mismatches_are_the_innermost_disagreement() -> None:
    python = ListOf(MapOf(STR, Ref("sdk.types.Model")))
    elixir = ListOf(MapOf(ANY, ANY))
    assert differences(python, elixir, CONTEXT) == [Mismatch(Ref("sdk.types.Model"), ANY)]


def test_python_any_accepts_everything_and_unknown_is_never_judged() -> None:
    assert differences(ANY, ListOf(INT), CONTEXT) == []
    assert differences(INT, Unknown("weird()"), CONTEXT) == []


def test_aliases_are_expanded_before_comparing() -> None:
    assert differences(Ref("sdk.types.State"), Ref("Api.Types.state"), CONTEXT) == []
    assert differences(Ref("sdk.types.State"), STR, CONTEXT) == [Mismatch(LiteralOf(("a", "b")), STR)]


def test_union_members_line_up_in_any_order() -> None:
    python = union_of([Ref("sdk.types.Model"), STR])
    assert differences(python, union_of([STR, Ref("Api.Model")]), CONTEXT) == []
    assert differences(python, union_of([STR, Ref("Api.Other")]), CONTEXT) != []


def test_datetime_against_a_union_that_admits_strings() -> None:
    elixir = union_of([DATETIME, STR])
    assert differences(DATETIME, elixir, CONTEXT) == [Mismatch(DATETIME, elixir)]


def test_nested_none_is_ignored_and_tuples_compare_with_lists() -> None:
    assert differences(ListOf(union_of([INT, NONE])), ListOf(INT), CONTEXT) == []
    assert differences(TupleOf((INT, INT)), ListOf(INT), CONTEXT) == []


def test_a_discriminator_is_fixed_by_an_elixir_default() -> None:
    fixed = Default(DefaultKind.VALUE, '"text"', "text")
    assert differences(LiteralOf(("text",)), STR, CONTEXT, fixed) == []
    assert differences(LiteralOf(("text",)), STR, CONTEXT) == [Mismatch(LiteralOf(("text",)), STR)]


def test_value_sets_compare_exactly_for_strings_and_case_insensitively_for_atoms() -> None:
    atoms = compare_values(LiteralOf(("PNG", "jpeg")), AtomSet(("png", "jpeg", "webp")))
    assert atoms is not None
    assert atoms.python_only == () and atoms.elixir_only == (":webp",) and atoms.via_atoms
    strings = compare_values(LiteralOf(("PNG",)), LiteralOf(("png",)))
    assert strings is not None and strings.python_only == ("PNG",)
    assert compare_values(LiteralOf(("a",)), STR) is None


def test_defaults() -> None:
    none = Default(DefaultKind.NONE, "None")
    assert same_default(None, None) is True
    assert same_default(none, None) is True
    assert same_default(None, Default(DefaultKind.VALUE, "1", 1)) is False
    assert same_default(Default(DefaultKind.VALUE, "3", 3), None) is False
    assert same_default(none, Default(DefaultKind.STRUCT, "%Other{}", "Other")) is False
    assert same_default(Default(DefaultKind.VALUE, '"png"', "png"), Default(DefaultKind.ATOM, ":PNG", "PNG"))
    assert same_default(Default(DefaultKind.VALUE, "1.0", 1.0), Default(DefaultKind.VALUE, "1", 1))
    assert not same_default(Default(DefaultKind.VALUE, "True", True), Default(DefaultKind.VALUE, "1", 1))
    assert same_default(Default(DefaultKind.EXPR, "f()"), Default(DefaultKind.EXPR, "g()")) is None


def test_describe_is_language_neutral() -> None:
    assert describe(ListOf(MapOf(STR, Ref("sdk.types.Model")))) == "list[map[str, Model]]"
    assert describe(AtomSet(("a", "b"))) == ":a | :b"
    assert describe(UnionOf((INT, NONE))) == "int | none"


SCALARS = st.sampled_from([STR, INT, FLOAT, BOOL, DATETIME, ATOM])
LEAVES = SCALARS | st.builds(
    lambda values: LiteralOf(tuple(values)), st.lists(st.text("abc", min_size=1), min_size=1, unique=True)
)
EXPRESSIONS = st.recursive(
    LEAVES,
    lambda inner: st.one_of(
        st.builds(ListOf, inner),
        st.builds(MapOf, st.just(STR), inner),
        st.builds(lambda items: TupleOf(tuple(items)), st.lists(inner, min_size=1, max_size=3)),
    ),
    max_leaves=8,
)


@given(EXPRESSIONS)
def test_an_expression_never_differs_from_itself(expr) -> None:
    assert differences(expr, expr, CONTEXT) == []


@given(EXPRESSIONS, EXPRESSIONS)
def test_containers_pass_their_items_disagreements_through(left, right) -> None:
    assert differences(ListOf(left), ListOf(right), CONTEXT) == differences(left, right, CONTEXT)
    assert differences(MapOf(STR, left), MapOf(STR, right), CONTEXT) == differences(left, right, CONTEXT)


def test_number_is_compatible_with_a_python_number_inside_a_union_too() -> None:
    # Found by the oracle: `Union[float, datetime]` ported as `number() | DateTime.t()`.
    number_or_date = union_of([INT, FLOAT, DATETIME])
    assert differences(union_of([FLOAT, DATETIME]), number_or_date, CONTEXT) == []
    assert differences(union_of([INT, DATETIME]), number_or_date, CONTEXT) == []
    # Without a number member on the Python side, the integer and float members are still extra.
    assert differences(union_of([STR, DATETIME]), number_or_date, CONTEXT) != []
    assert differences(union_of([FLOAT, STR]), union_of([INT, STR]), CONTEXT) != []


def _recursive_union(side: str, leaf: TypeExpr) -> TypeDef:
    """`Inc = list[int] | dict[int, Inc | bool] | dict[str, Inc | bool] | leaf`: a union of maps of itself."""
    own = Ref(f"{side}.Inc")
    value = UnionOf((own, BOOL))
    target = UnionOf((ListOf(INT), MapOf(INT, value), MapOf(STR, value), leaf))
    return TypeDef(f"{side}.Inc", "Inc", TypeKind.UNION, HERE, target=target, module=side)


def test_a_recursive_union_is_compared_once_per_pair_of_members() -> None:
    # Unpaired, the references are expanded at every level: without remembering what is being compared
    # and what already failed, this walk would be exponential in the expansion limit.
    python = _recursive_union("sdk", STR)
    for elixir, matches in ((_recursive_union("Api", STR), True), (_recursive_union("Api", FLOAT), False)):
        context = Context({python.qualname: python}, {elixir.qualname: elixir}, {})
        found = differences(Ref(python.qualname), Ref(elixir.qualname), context)
        assert found == ([] if matches else [Mismatch(python.target, elixir.target)])
