"""Alignment of types by name and module path, on hand-built neutral-model values."""

from __future__ import annotations

from auditor.align import align, snake_case
from auditor.model import INT, AtomSet, Field, LiteralOf, Location, SideModel, TypeDef, TypeKind

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
    missing = align(python, elixir, {"Citation": "G.Nope"})
    assert missing.diagnostics and "G.Nope" in missing.diagnostics[0].message


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
