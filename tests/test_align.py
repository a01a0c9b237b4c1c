"""Alignment of types by name and module path, on hand-built neutral-model values."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.align import KEEP_UNPAIRED, Alignment, Edge, Found, How, align, choose, pair_fields, unknown_pins
from auditor.model import (
    INT,
    AtomSet,
    Field,
    LiteralOf,
    Location,
    Ref,
    SideModel,
    TypeDef,
    TypeExpr,
    TypeKind,
    UnionOf,
    snake_case,
)

HERE = Location("x", 1)


def struct(qualname: str, module: str, *fields: str) -> TypeDef:
    return TypeDef(
        qualname,
        qualname.rsplit(".", 1)[-1],
        TypeKind.STRUCT,
        HERE,
        fields=tuple(Field(name, INT, True, False, None, HERE, "int") for name in fields),
        module=module,
    )


def side(*types: TypeDef) -> SideModel:
    return SideModel("root", ("f",), types)


def test_fields_pair_by_name_then_alias_then_a_snake_case_spelling() -> None:
    python = struct("sdk.Params", "sdk", "maxTokens", "top-k", "seed", "max_tokens_hint")
    elixir = struct("Api.Params", "Api.Params", "max_tokens", "top_k", "seed", "max_tokens_hint", "extra")
    assert [
        (p.python.name if p.python else None, p.elixir.name if p.elixir else None) for p in pair_fields(python, elixir)
    ] == [
        ("maxTokens", "max_tokens"),
        ("top-k", "top_k"),
        ("seed", "seed"),
        ("max_tokens_hint", "max_tokens_hint"),
        (None, "extra"),
    ]
    # An exact name is taken first, whatever the order: `max_tokens` here is nobody's snake_case.
    exact = struct("sdk.Both", "sdk", "maxTokens", "max_tokens")
    pairs = pair_fields(exact, struct("Api.Both", "Api.Both", "max_tokens"))
    assert [(p.python.name if p.python else None, p.elixir.name if p.elixir else None) for p in pairs] == [
        ("maxTokens", None),
        ("max_tokens", "max_tokens"),
    ]


def test_snake_case() -> None:
    assert snake_case("CheckpointType") == "checkpoint_type"
    assert snake_case("HTTPConfig") == "http_config"
    assert snake_case("ModelID") == "model_id"


def test_types_line_up_by_last_segment_and_fields_by_name() -> None:
    python = side(struct("sdk.types.job.Job", "sdk.types.job", "id", "size"))
    elixir = side(struct("Port.Types.Job", "Port.Types.Job", "size", "extra"))
    alignment = align(python, elixir, {})
    (pair,) = alignment.pairs
    assert pair.elixir is not None and pair.elixir.qualname == "Port.Types.Job"
    assert [(f.python and f.python.name, f.elixir and f.elixir.name) for f in pair.fields] == [
        ("id", None),
        ("size", "size"),
        (None, "extra"),
    ]
    assert alignment.counterparts == {"sdk.types.job.Job": "Port.Types.Job"}


def test_the_best_module_path_wins_and_a_tie_is_a_diagnostic() -> None:
    python = side(struct("gem.types.response.Citation", "gem.types.response"))
    elixir = side(
        struct("Gem.Types.Response.Citation", "Gem.Types.Response.Citation"),
        struct("Gem.Other.Citation", "Gem.Other.Citation"),
    )
    alignment = align(python, elixir, {})
    paired = [p for p in alignment.pairs if p.python is not None]
    assert paired[0].elixir is not None and paired[0].elixir.qualname == "Gem.Types.Response.Citation"

    tied = side(struct("A.X.Citation", "A.X.Citation"), struct("B.Y.Citation", "B.Y.Citation"))
    alignment = align(python, tied, {})
    assert [p.elixir for p in alignment.pairs if p.python is not None] == [None]
    assert "several Elixir types" in alignment.diagnostics[0].message
    assert sum(1 for p in alignment.pairs if p.python is None) == 2


def test_map_overrides_names() -> None:
    python = side(struct("g.types.Citation", "g.types"))
    elixir = side(struct("G.Response.CitationSource", "G.Response.CitationSource"))
    alignment = align(python, elixir, {"Citation": "G.Response.CitationSource"})
    assert alignment.counterparts == {"g.types.Citation": "G.Response.CitationSource"}
    missing = {"Citation": "G.Nope"}
    assert align(python, elixir, missing).counterparts == {}
    assert unknown_pins(python, elixir, missing) == [("Citation", "G.Nope", "elixir", None)]


def test_literal_aliases_line_up_with_snake_case_local_types() -> None:
    python = side(
        TypeDef(
            "sdk.ckpt.CheckpointType",
            "CheckpointType",
            TypeKind.UNION,
            HERE,
            target=LiteralOf(("a",)),
            module="sdk.ckpt",
        )
    )
    local = TypeDef(
        "Port.Ckpt.checkpoint_type",
        "checkpoint_type",
        TypeKind.UNION,
        HERE,
        target=AtomSet(("a",)),
        module="Port.Ckpt",
    )
    alignment = align(python, side(local), {})
    assert alignment.counterparts == {"sdk.ckpt.CheckpointType": "Port.Ckpt.checkpoint_type"}
    # A local type is never reported as an Elixir-only type.
    assert all(p.python is not None for p in alignment.pairs)


def typed_struct(qualname: str, module: str, fields: dict[str, TypeExpr]) -> TypeDef:
    return TypeDef(
        qualname,
        qualname.rsplit(".", 1)[-1],
        TypeKind.STRUCT,
        HERE,
        fields=tuple(Field(name, expr, True, False, None, HERE, "x") for name, expr in fields.items()),
        module=module,
    )


def module_struct(qualname: str, *fields: str) -> TypeDef:
    return struct(qualname, qualname, *fields)


def pairs_of(alignment: Alignment) -> dict[str, tuple[str, str]]:
    return {
        pair.python.name: (pair.elixir.qualname, pair.found.how.value)
        for pair in alignment.pairs
        if pair.python is not None and pair.elixir is not None and pair.found is not None
    }


def test_a_module_path_that_spells_the_name_pairs_whatever_the_fields() -> None:
    python = side(
        struct("sdk.jobs.JobOperationAdd", "sdk.jobs", "kind"),
        struct("sdk.reports.ReportComment", "sdk.reports", "body"),
        struct("sdk.invoices.InvoiceEndpoint", "sdk.invoices", "url"),
    )
    elixir = side(
        module_struct("Acme.Job.Operation.Add", "other"),
        module_struct("Acme.Reports.Comment", "body"),
        module_struct("Acme.InvoiceEndpoints.Endpoint", "url"),
    )
    assert pairs_of(align(python, elixir, {}, infer=False)) == {
        "JobOperationAdd": ("Acme.Job.Operation.Add", "path"),
        "ReportComment": ("Acme.Reports.Comment", "path"),
        "InvoiceEndpoint": ("Acme.InvoiceEndpoints.Endpoint", "path"),
    }


def test_a_dropped_prefix_and_a_synonym_pair_by_shape_unless_inference_is_off() -> None:
    python = side(
        struct("sdk.gen.GenerateResponseUsage", "sdk.gen", "input_tokens", "output_tokens", "cached_tokens"),
        struct("sdk.git.GitRefInfo", "sdk.git", "sha", "ref_name", "committed_at", "id"),
        struct("sdk.shop.Invoice", "sdk.shop", "id", "total"),
    )
    elixir = side(
        module_struct("Acme.Response.Usage", "input_tokens", "output_tokens", "cached_tokens"),
        module_struct("Acme.Git.BranchInfo", "sha", "ref_name", "committed_at", "id"),
        module_struct("Acme.Shop.Invoice", "id", "total"),
    )
    alignment = align(python, elixir, {})
    assert pairs_of(alignment) == {
        "GenerateResponseUsage": ("Acme.Response.Usage", "shape"),
        "GitRefInfo": ("Acme.Git.BranchInfo", "shape"),
        "Invoice": ("Acme.Shop.Invoice", "name"),
    }
    usage = next(p for p in alignment.pairs if p.name == "GenerateResponseUsage")
    assert usage.found is not None and usage.found.evidence == "3 of 3 fields shared; name shares response, usage"
    assert pairs_of(align(python, elixir, {}, infer=False)) == {"Invoice": ("Acme.Shop.Invoice", "name")}


def test_a_shared_field_alone_or_a_common_one_is_no_evidence() -> None:
    python = side(struct("sdk.shop.Invoice", "sdk.shop", "total"), struct("sdk.shop.Order", "sdk.shop", "id", "name"))
    elixir = side(module_struct("Acme.Receipt", "total"), module_struct("Acme.Person", "id", "name", "email"))
    assert pairs_of(align(python, elixir, {})) == {}


def test_a_literal_alias_pairs_with_the_local_type_of_the_struct_that_uses_it() -> None:
    stage = TypeDef(
        "sdk.jobs.JobStage",
        "JobStage",
        TypeKind.UNION,
        HERE,
        target=LiteralOf(("queued", "running")),
        module="sdk.jobs",
    )
    runtime = typed_struct("sdk.jobs.JobRuntime", "sdk.jobs", {"stage": Ref("sdk.jobs.JobStage"), "pid": INT})
    local = TypeDef(
        "Acme.Jobs.Runtime.stage",
        "stage",
        TypeKind.UNION,
        HERE,
        target=AtomSet(("queued", "running")),
        module="Acme.Jobs.Runtime",
    )
    ported = typed_struct(
        "Acme.Jobs.Runtime", "Acme.Jobs.Runtime", {"stage": Ref("Acme.Jobs.Runtime.stage"), "pid": INT}
    )
    alignment = align(side(stage, runtime), side(ported, local), {})
    assert pairs_of(alignment) == {
        "JobRuntime": ("Acme.Jobs.Runtime", "path"),
        "JobStage": ("Acme.Jobs.Runtime.stage", "local-type"),
    }
    found = next(p.found for p in alignment.pairs if p.name == "JobStage")
    assert found is not None and found.evidence == "2 of 2 values shared; name shares stage; used as JobRuntime.stage"


def test_a_false_friend_of_another_kind_is_never_paired_and_says_so() -> None:
    python = side(struct("sdk.tools.Tool", "sdk.tools", "name", "schema"))
    union_module = TypeDef(
        "Acme.Tool", "Tool", TypeKind.UNION, HERE, target=UnionOf((Ref("Acme.A"), Ref("Acme.B"))), module="Acme.Tool"
    )
    alignment = align(python, side(union_module), {})
    assert [(p.key, p.note) for p in alignment.pairs] == [
        (("sdk.tools.Tool", ""), "same name as Acme.Tool, different shape"),
        (("", "Acme.Tool"), "same name as sdk.tools.Tool, different shape"),
    ]
    # With the real counterpart namespaced, the model pairs with it and the union module says where.
    alignment = align(python, side(union_module, module_struct("Acme.Interactions.Tool", "name", "schema")), {})
    assert pairs_of(alignment) == {"Tool": ("Acme.Interactions.Tool", "name")}
    extra = next(p for p in alignment.pairs if p.python is None)
    assert extra.note == "same name as sdk.tools.Tool; sdk.tools.Tool is paired with Acme.Interactions.Tool"
    assert all(p.name_shared for p in alignment.pairs)


def test_a_same_name_struct_sharing_almost_nothing_loses_to_one_that_shares_most() -> None:
    python = side(struct("sdk.chat.Content", "sdk.chat", "text", "language", "tokens", "mime_type"))
    elixir = side(
        module_struct("Acme.Types.Content", "blob"),
        module_struct("Acme.Types.Chat.TextContent", "text", "language", "tokens", "mime_type"),
    )
    assert pairs_of(align(python, elixir, {})) == {"Content": ("Acme.Types.Chat.TextContent", "shape")}
    # Nothing better: the same-name struct is the counterpart, its drift is for the rules to report.
    assert pairs_of(align(python, side(module_struct("Acme.Types.Content", "blob")), {})) == {
        "Content": ("Acme.Types.Content", "name")
    }


def test_an_empty_pin_keeps_a_type_unpaired() -> None:
    python = side(struct("sdk.shop.Invoice", "sdk.shop", "total"))
    elixir = side(module_struct("Acme.Invoice", "total"))
    alignment = align(python, elixir, {"Invoice": KEEP_UNPAIRED})
    assert [(p.key, p.note) for p in alignment.pairs] == [
        (("sdk.shop.Invoice", ""), "kept unpaired by the map entry Invoice="),
        (("", "Acme.Invoice"), "same name as sdk.shop.Invoice, different shape"),
    ]


def test_a_tie_names_the_map_lines_that_resolve_it() -> None:
    python = side(struct("sdk.Citation", "sdk", "url"))
    elixir = side(module_struct("A.X.Citation", "url"), module_struct("B.Y.Citation", "url"))
    (diagnostic,) = align(python, elixir, {}).diagnostics
    assert diagnostic.message == (
        "Citation matches several Elixir types equally well (A.X.Citation, B.Y.Citation); "
        "pin one with --map Citation=A.X.Citation or --map Citation=B.Y.Citation"
    )


def _edge(python: str, elixir: str, score: float) -> Edge:
    return Edge(struct(python, python), module_struct(elixir), Found(How.SHAPE, score, ""))


def test_the_choice_is_the_largest_total_score_not_the_first_best_pick() -> None:
    # Best first would take A-X (0.9) and leave B with Y (0.3); the assignment takes A-Y and B-X.
    edges = [_edge("A", "X", 0.9), _edge("A", "Y", 0.8), _edge("B", "X", 0.85), _edge("B", "Y", 0.3)]
    assert sorted((e.python.qualname, e.elixir.qualname) for e in choose(edges)) == [("A", "Y"), ("B", "X")]


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5), st.integers(1, 100)), min_size=1, max_size=20))
def test_the_assignment_is_one_to_one_and_as_good_as_any_other(cells: list[tuple[int, int, int]]) -> None:
    scores = {(f"P{p}", f"E{e}"): score / 100 for p, e, score in cells}
    edges = [_edge(p, e, score) for (p, e), score in sorted(scores.items())]
    chosen = choose(edges)
    assert len({e.python.qualname for e in chosen}) == len({e.elixir.qualname for e in chosen}) == len(chosen)
    best = _brute_force_best(scores)
    assert abs(sum(e.found.score for e in chosen) - best) < 1e-9


def _brute_force_best(scores: dict[tuple[str, str], float]) -> float:
    pythons = sorted({p for p, _ in scores})
    elixirs = sorted({e for _, e in scores})

    def best(index: int, taken: frozenset[str]) -> float:
        if index == len(pythons):
            return 0.0
        options = [best(index + 1, taken)]
        for elixir in elixirs:
            if elixir not in taken and (pythons[index], elixir) in scores:
                options.append(scores[pythons[index], elixir] + best(index + 1, taken | {elixir}))
        return max(options)

    return best(0, frozenset())
