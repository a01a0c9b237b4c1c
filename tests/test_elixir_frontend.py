"""Tests for the Elixir front end: every test writes real Elixir source and checks the exact model."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor.elixir import extract_elixir
from auditor.model import (
    ANY,
    ATOM,
    BOOL,
    DATE,
    DATETIME,
    DURATION,
    FLOAT,
    INT,
    NONE,
    STR,
    TIME,
    AtomSet,
    Default,
    DefaultKind,
    Diagnostic,
    Field,
    ListOf,
    LiteralOf,
    Location,
    MapOf,
    RecordEntry,
    RecordOf,
    Ref,
    SideModel,
    TupleOf,
    TypeDef,
    TypeKind,
    UnionOf,
    Unknown,
)


def write(root: Path, files: dict[str, str | bytes]) -> list[str]:
    for relative, content in files.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
    return list(files)


def extract(root: Path, files: dict[str, str | bytes]) -> SideModel:
    return extract_elixir(root, write(root, files))


def extract_one(root: Path, source: str) -> SideModel:
    return extract(root, {"lib/sample.ex": source})


def typedef(model: SideModel, qualname: str) -> TypeDef:
    found = model.by_qualname().get(qualname)
    assert found is not None, f"{qualname} not in {sorted(model.by_qualname())}"
    return found


def at(line: int, path: str = "lib/sample.ex") -> Location:
    return Location(path, line)


# --- structs -------------------------------------------------------------------------------------


def test_defstruct_list_with_typespec_and_enforce_keys(tmp_path: Path) -> None:
    model = extract_one(
        tmp_path,
        """
        defmodule Shop.Order do
          @enforce_keys [:id]
          defstruct [:id, :note]

          @type t :: %__MODULE__{
                  id: String.t(),
                  note: String.t() | nil
                }
        end
        """,
    )
    assert model == SideModel(
        root=str(tmp_path),
        files=("lib/sample.ex",),
        types=(
            TypeDef(
                qualname="Shop.Order",
                name="Order",
                kind=TypeKind.STRUCT,
                location=at(1),
                fields=(
                    Field("id", STR, True, False, None, at(3), "String.t()", typespec_line=6),
                    Field("note", STR, False, True, None, at(3), "String.t() | nil", typespec_line=7),
                ),
                module="Shop.Order",
            ),
        ),
    )


def test_defstruct_keyword_forms_and_field_lines(tmp_path: Path) -> None:
    model = extract_one(
        tmp_path,
        """
        defmodule A do
          defstruct a: 1, b: nil
        end

        defmodule B do
          defstruct [
            :a,
            b: 2
          ]
        end

        defmodule C do
          defstruct(x: "y")
        end
        """,
    )
    a_fields = typedef(model, "A").fields
    assert [(f.name, f.default, f.location.line) for f in a_fields] == [
        ("a", Default(DefaultKind.VALUE, "1", 1), 2),
        ("b", None, 2),
    ]
    b_fields = typedef(model, "B").fields
    assert [(f.name, f.default, f.location.line) for f in b_fields] == [
        ("a", None, 7),
        ("b", Default(DefaultKind.VALUE, "2", 2), 8),
    ]
    assert typedef(model, "C").fields == (
        Field("x", Unknown(""), False, False, Default(DefaultKind.VALUE, '"y"', "y"), at(13), ""),
    )


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("nil", None),
        ('"text"', Default(DefaultKind.VALUE, '"text"', "text")),
        ('"a\\"b"', Default(DefaultKind.VALUE, '"a\\"b"', 'a"b')),
        ('"#{x}"', Default(DefaultKind.EXPR, '"#{x}"')),
        ("42", Default(DefaultKind.VALUE, "42", 42)),
        ("-7", Default(DefaultKind.VALUE, "-7", -7)),
        ("1_000_000", Default(DefaultKind.VALUE, "1_000_000", 1_000_000)),
        ("0x1F", Default(DefaultKind.VALUE, "0x1F", 31)),
        ("1.5", Default(DefaultKind.VALUE, "1.5", 1.5)),
        ("-0.25", Default(DefaultKind.VALUE, "-0.25", -0.25)),
        ("1.0e-3", Default(DefaultKind.VALUE, "1.0e-3", 0.001)),
        ("true", Default(DefaultKind.VALUE, "true", True)),
        ("false", Default(DefaultKind.VALUE, "false", False)),
        (":length", Default(DefaultKind.ATOM, ":length", "length")),
        (':"with space"', Default(DefaultKind.ATOM, ':"with space"', "with space")),
        ("[]", Default(DefaultKind.EMPTY_LIST, "[]")),
        ("%{}", Default(DefaultKind.EMPTY_MAP, "%{}")),
        ("%Other{}", Default(DefaultKind.STRUCT, "%Other{}", "Other")),
        ("%Deep.Other{a: 1}", Default(DefaultKind.STRUCT, "%Deep.Other{a: 1}", "Other")),
        ("%Short{}", Default(DefaultKind.STRUCT, "%Short{}", "Aliased")),
        ("%__MODULE__{}", Default(DefaultKind.STRUCT, "%__MODULE__{}", "Holder")),
        ("[1, 2]", Default(DefaultKind.EXPR, "[1, 2]")),
        ("%{a: 1}", Default(DefaultKind.EXPR, "%{a: 1}")),
        ("@default_value", Default(DefaultKind.EXPR, "@default_value")),
        ('System.get_env("X")', Default(DefaultKind.EXPR, 'System.get_env("X")')),
    ],
)
def test_defstruct_default_kinds(tmp_path: Path, written: str, expected: Default | None) -> None:
    model = extract_one(
        tmp_path,
        f"""
        defmodule Holder do
          alias Some.Aliased, as: Short
          defstruct value: {written}
        end
        """,
    )
    assert typedef(model, "Holder").fields[0].default == expected


def test_typespec_named_struct_and_missing_keys(tmp_path: Path) -> None:
    model = extract_one(
        tmp_path,
        """
        defmodule App.Thing do
          alias App.Thing
          defstruct [:a, :b]
          @type t :: %Thing{a: integer()}
        end
        """,
    )
    assert typedef(model, "App.Thing").fields == (
        Field("a", INT, False, False, None, at(3), "integer()", typespec_line=4),
        Field("b", Unknown(""), False, False, None, at(3), ""),
    )


def test_multiline_annotation_collapses_whitespace_and_drops_comments(tmp_path: Path) -> None:
    model = extract_one(
        tmp_path,
        """
        defmodule M do
          defstruct [:value]
          @type t :: %__MODULE__{
                  value:
                    String.t()
                    # a list of ids is accepted too
                    | [integer()]
                    | nil
                }
        end
        """,
    )
    field = typedef(model, "M").fields[0]
    assert field.annotation == "String.t() | [integer()] | nil"
    assert field.type == UnionOf((STR, ListOf(INT)))
    assert field.nullable


def test_non_literal_defstruct_falls_back_to_typespec(tmp_path: Path) -> None:
    model = extract_one(
        tmp_path,
        """
        defmodule Dyn do
          @fields [:a]
          defstruct @fields
          @type t :: %__MODULE__{a: boolean()}
        end
        """,
    )
    assert typedef(model, "Dyn").fields == (Field("a", BOOL, False, False, None, at(4), "boolean()"),)
    assert model.diagnostics == (
        Diagnostic(
            "lib/sample.ex",
            3,
            "warning",
            "Dyn: defstruct argument is not a literal list; fields taken from @type t",
        ),
    )


def test_struct_from_typespec_only(tmp_path: Path) -> None:
    model = extract_one(
        tmp_path,
        """
        defmodule Schema do
          @type t :: %__MODULE__{id: integer()}
        end
        """,
    )
    assert typedef(model, "Schema") == TypeDef(
        "Schema",
        "Schema",
        TypeKind.STRUCT,
        at(1),
        fields=(Field("id", INT, False, False, None, at(2), "integer()"),),
        module="Schema",
    )


# --- modules and aliases -------------------------------------------------------------------------


def test_nested_modules_and_alias_resolution(tmp_path: Path) -> None:
    model = extract_one(
        tmp_path,
        """
        defmodule Outer do
          alias Far.Away
          alias Group.{One, Two}
          alias Long.Name.Here, as: Short

          defmodule Inner do
            defstruct [:a, :b, :c, :d, :e, :f, :g]
            @type t :: %__MODULE__{
                    a: Away.t(),
                    b: One.t(),
                    c: Two.kind(),
                    d: Short.t(),
                    e: __MODULE__.Sub.t(),
                    f: Sibling.t(),
                    g: Unaliased.Mod.t()
                  }
          end

          defmodule Sibling do
            defstruct []
          end

          defmodule __MODULE__.Extra do
            defstruct [:x]
          end
        end

        defmodule Other do
          defstruct [:away]
          @type t :: %__MODULE__{away: Away.t()}
        end
        """,
    )
    assert sorted(model.by_qualname()) == ["Other", "Outer.Extra", "Outer.Inner", "Outer.Sibling"]
    inner = typedef(model, "Outer.Inner")
    assert inner.name == "Inner"
    assert inner.location == at(6)
    assert [f.type for f in inner.fields] == [
        Ref("Far.Away"),
        Ref("Group.One"),
        Ref("Group.Two.kind"),
        Ref("Long.Name.Here"),
        Ref("Outer.Inner.Sub"),
        Ref("Outer.Sibling"),
        Ref("Unaliased.Mod"),
    ]
    # Aliases are lexical: Outer's alias does not reach a later top-level module.
    assert typedef(model, "Other").fields[0].type == Ref("Away")


def test_several_modules_per_file_and_several_files(tmp_path: Path) -> None:
    model = extract(
        tmp_path,
        {
            "lib/b.ex": "defmodule B do\n  defstruct [:x]\nend\ndefmodule C do\n  defstruct [:y]\nend\n",
            "lib/a.exs": "defmodule A do\n  defstruct [:z]\nend\n",
        },
    )
    assert model.files == ("lib/a.exs", "lib/b.ex")
    assert [(t.qualname, t.location) for t in model.types] == [
        ("A", Location("lib/a.exs", 1)),
        ("B", Location("lib/b.ex", 1)),
        ("C", Location("lib/b.ex", 4)),
    ]


def test_quoted_modules_are_not_extracted(tmp_path: Path) -> None:
    model = extract_one(
        tmp_path,
        """
        defmodule Gen do
          defmacro __using__(_) do
            quote do
              defmodule Generated do
                defstruct [:a]
              end
            end
          end
        end
        """,
    )
    assert model.types == ()


# --- typespecs -----------------------------------------------------------------------------------

LOWERING_CASES = [
    ("integer()", INT),
    ("non_neg_integer()", INT),
    ("pos_integer()", INT),
    ("neg_integer()", INT),
    ("0..255", INT),
    ("42", INT),
    ("float()", FLOAT),
    ("number()", UnionOf((INT, FLOAT))),
    ("boolean()", BOOL),
    ("true", BOOL),
    ("true | false", BOOL),
    ("String.t()", STR),
    ("String.t", STR),
    ("binary()", STR),
    ("bitstring()", STR),
    ("charlist()", STR),
    ("atom()", ATOM),
    ("module()", ATOM),
    ("term()", ANY),
    ("any()", ANY),
    ("any", ANY),
    ("nil", NONE),
    ("DateTime.t()", DATETIME),
    ("NaiveDateTime.t()", DATETIME),
    ("Date.t()", DATE),
    ("Time.t()", TIME),
    ("Duration.t()", DURATION),
    ("[integer()]", ListOf(INT)),
    ("[integer(), ...]", ListOf(INT)),
    ("list(String.t())", ListOf(STR)),
    ("nonempty_list(float())", ListOf(FLOAT)),
    ("[]", ListOf(ANY)),
    ("list()", ListOf(ANY)),
    ("map()", MapOf(ANY, ANY)),
    ("%{}", MapOf(ANY, ANY)),
    ("%{String.t() => integer()}", MapOf(STR, INT)),
    ("%{optional(atom()) => float()}", MapOf(ATOM, FLOAT)),
    ("%{required(String.t()) => boolean()}", MapOf(STR, BOOL)),
    # Fixed keys make a record: each key keeps its own type and whether it must be present.
    ("%{a: integer(), b: String.t()}", RecordOf((RecordEntry("a", INT, True), RecordEntry("b", STR, True)))),
    (
        "%{required(:code) => integer(), optional(:message) => String.t() | nil, \"id\" => String.t()}",
        RecordOf(
            (
                RecordEntry("code", INT, True),
                RecordEntry("message", UnionOf((STR, NONE)), False),
                RecordEntry("id", STR, True),
            )
        ),
    ),
    # `k => v | nil` parses as `(k => v) | nil`; the nil is the value's.
    ("%{String.t() => integer() | nil}", MapOf(STR, UnionOf((INT, NONE)))),
    ("struct()", MapOf(ATOM, ANY)),
    ("keyword()", MapOf(ATOM, ANY)),
    ("keyword(integer())", MapOf(ATOM, INT)),
    ("Keyword.t()", MapOf(ATOM, ANY)),
    ("[timeout: integer()]", MapOf(ATOM, INT)),
    ("{integer(), String.t()}", TupleOf((INT, STR))),
    ("{:ok, term()}", TupleOf((AtomSet(("ok",)), ANY))),
    ("{}", TupleOf(())),
    (":png | :jpeg", AtomSet(("png", "jpeg"))),
    (":a | nil | :b", UnionOf((AtomSet(("a", "b")), NONE))),
    (":auto | integer()", UnionOf((AtomSet(("auto",)), INT))),
    ('"a" | "b"', LiteralOf(("a", "b"))),
    ("integer() | String.t() | nil", UnionOf((INT, STR, NONE))),
    ("(integer() | float()) | nil", UnionOf((INT, FLOAT, NONE))),
    ("Other.t()", Ref("Other")),
    ("Other.t(integer())", Ref("Other")),
    ("Ali.t()", Ref("Full.Aliased")),
    ("Ali.kind()", Ref("Full.Aliased.kind")),
    ("Ali.kind", Ref("Full.Aliased.kind")),
    ("%Ali{}", Ref("Full.Aliased")),
    ("t()", Ref("Spec")),
    ("t", Ref("Spec")),
    ("helper()", Ref("Spec.helper")),
    ("hidden", Ref("Spec.hidden")),
    ("__MODULE__.t()", Ref("Spec")),
    ("id :: integer()", INT),
    ("undefined_thing()", Unknown("undefined_thing()")),
    ("(integer() -> atom())", Unknown("(integer() -> atom())")),
    (":queue.queue()", Unknown(":queue.queue()")),
]


@pytest.mark.parametrize(("spec", "expected"), LOWERING_CASES)
def test_typespec_lowering(tmp_path: Path, spec: str, expected: object) -> None:
    model = extract_one(
        tmp_path,
        f"""
        defmodule Spec do
          alias Full.Aliased, as: Ali
          @type t :: String.t()
          @type helper :: integer()
          @typep hidden :: atom()
          @type probe :: {spec}
        end
        """,
    )
    assert typedef(model, "Spec.probe").target == expected


def test_type_variables_lower_to_any(tmp_path: Path) -> None:
    model = extract_one(
        tmp_path,
        """
        defmodule Result do
          @type result(value) :: {:ok, value} | {:error, String.t()}
        end
        """,
    )
    assert typedef(model, "Result.result").target == UnionOf(
        (TupleOf((AtomSet(("ok",)), ANY)), TupleOf((AtomSet(("error",)), STR)))
    )


# --- enums and type aliases ----------------------------------------------------------------------


def test_enum_modules(tmp_path: Path) -> None:
    model = extract_one(
        tmp_path,
        """
        defmodule Color do
          @type t :: :red | :green
          def values, do: [:red, :green]
        end

        defmodule Wire do
          @type t :: "json" | "msgpack"
        end
        """,
    )
    assert typedef(model, "Color") == TypeDef(
        "Color", "Color", TypeKind.ENUM, at(1), target=AtomSet(("red", "green")), module="Color"
    )
    assert typedef(model, "Wire") == TypeDef(
        "Wire", "Wire", TypeKind.ENUM, at(6), target=LiteralOf(("json", "msgpack")), module="Wire"
    )
    assert "Color.t" not in model.by_qualname()


def test_local_types_and_non_struct_t(tmp_path: Path) -> None:
    model = extract_one(
        tmp_path,
        """
        defmodule Ids do
          @type t :: String.t()
          @typep internal :: integer()
          @opaque handle :: reference()
          @type mode :: :fast | :slow
          @type either :: integer() | String.t()
        end

        defmodule Response do
          @type t :: A.t() | B.t()
        end
        """,
    )
    assert model.types == (
        TypeDef("Ids", "Ids", TypeKind.SCALAR_ALIAS, at(1), target=STR, module="Ids"),
        TypeDef("Ids.either", "either", TypeKind.UNION, at(6), target=UnionOf((INT, STR)), module="Ids"),
        TypeDef(
            "Ids.handle",
            "handle",
            TypeKind.SCALAR_ALIAS,
            at(4),
            target=Unknown("reference()"),
            module="Ids",
            public=False,
        ),
        TypeDef(
            "Ids.internal", "internal", TypeKind.SCALAR_ALIAS, at(3), target=INT, module="Ids", public=False
        ),
        TypeDef("Ids.mode", "mode", TypeKind.UNION, at(5), target=AtomSet(("fast", "slow")), module="Ids"),
        TypeDef(
            "Response",
            "Response",
            TypeKind.UNION,
            at(9),
            target=UnionOf((Ref("A"), Ref("B"))),
            module="Response",
        ),
    )


def test_struct_t_is_not_emitted_as_local_type(tmp_path: Path) -> None:
    model = extract_one(
        tmp_path,
        """
        defmodule Box do
          defstruct [:kind]
          @type kind :: :small | :large
          @type t :: %__MODULE__{kind: kind()}
        end
        """,
    )
    assert sorted(model.by_qualname()) == ["Box", "Box.kind"]
    assert typedef(model, "Box").fields[0].type == Ref("Box.kind")


# --- TypedStruct ---------------------------------------------------------------------------------


def test_typedstruct_nil_and_enforce_rules(tmp_path: Path) -> None:
    model = extract_one(
        tmp_path,
        """
        defmodule Plain do
          use TypedStruct

          typedstruct do
            field :loose, String.t()
            field :given, integer(), default: 3
            field :nil_default, String.t(), default: nil
            field :forced, String.t(), enforce: true
          end
        end
        """,
    )
    assert typedef(model, "Plain") == TypeDef(
        "Plain",
        "Plain",
        TypeKind.STRUCT,
        at(1),
        fields=(
            Field("loose", STR, False, True, None, at(5), "String.t()"),
            Field("given", INT, False, False, Default(DefaultKind.VALUE, "3", 3), at(6), "integer()"),
            Field("nil_default", STR, False, False, None, at(7), "String.t()"),
            Field("forced", STR, True, False, None, at(8), "String.t()"),
        ),
        module="Plain",
    )


def test_typedstruct_enforce_block_and_submodule(tmp_path: Path) -> None:
    model = extract_one(
        tmp_path,
        """
        defmodule Parent do
          use TypedStruct

          typedstruct module: Child, enforce: true do
            @derive {Jason.Encoder, only: [:a]}
            field :a, integer()
            field :b, integer(), default: 0
            field :c, integer() | nil, enforce: false

            field(
              :d,
              [t()],
              default: []
            )
          end
        end
        """,
    )
    assert typedef(model, "Parent.Child") == TypeDef(
        "Parent.Child",
        "Child",
        TypeKind.STRUCT,
        at(4),
        fields=(
            Field("a", INT, True, False, None, at(6), "integer()"),
            Field("b", INT, False, False, Default(DefaultKind.VALUE, "0", 0), at(7), "integer()"),
            Field("c", INT, False, True, None, at(8), "integer() | nil"),
            Field(
                "d",
                ListOf(Ref("Parent.Child")),
                False,
                False,
                Default(DefaultKind.EMPTY_LIST, "[]"),
                at(10),
                "[t()]",
            ),
        ),
        module="Parent.Child",
        wire_fields=("a",),
    )
    assert "Parent" not in model.by_qualname()


# --- encoders ------------------------------------------------------------------------------------


def test_derive_variants(tmp_path: Path) -> None:
    model = extract_one(
        tmp_path,
        """
        defmodule Only do
          @derive {Jason.Encoder, only: [:b, :a]}
          defstruct [:a, :b, :c]
        end

        defmodule Except do
          @derive {Jason.Encoder,
                   except: [:b]}
          defstruct [:a, :b, :c]
        end

        defmodule All do
          @derive [Jason.Encoder]
          defstruct [:a]
        end

        defmodule Bare do
          @derive Jason.Encoder
          defstruct [:a]
        end

        defmodule Mixed do
          @derive [Inspect, {Jason.Encoder, only: [:a]}]
          defstruct [:a, :b]
        end
        """,
    )
    assert typedef(model, "Only").wire_fields == ("b", "a")
    assert typedef(model, "Except").wire_fields == ("a", "c")
    assert typedef(model, "All").wire_fields is None
    assert typedef(model, "Bare").wire_fields is None
    assert typedef(model, "Mixed").wire_fields == ("a",)


def test_defimpl_encoders(tmp_path: Path) -> None:
    model = extract(
        tmp_path,
        {
            "lib/a.ex": """
            defmodule App.Req do
              defstruct [:a, :b]
            end

            defimpl Jason.Encoder, for: App.Req do
              def encode(value, opts) do
                Jason.Encode.map(%{a: value.a}, opts)
              end
            end

            defmodule App.Inside do
              defstruct [:a, :b]

              defimpl Jason.Encoder, for: __MODULE__ do
                def encode(value, opts) do
                  Jason.Encode.map(Map.take(value, [:b]), opts)
                end
              end
            end

            defimpl String.Chars, for: App.Plain do
              def to_string(_), do: ""
            end
            """,
            "lib/b.ex": """
            defmodule App.Plain do
              defstruct [:a]
            end
            """,
            "lib/c.ex": """
            alias App.Later
            defimpl Jason.Encoder, for: Later do
              def encode(value, opts), do: Jason.Encode.map(%{}, opts)
            end
            """,
            "lib/d.ex": "defmodule App.Later do\n  defstruct [:a]\nend\n",
        },
    )
    assert typedef(model, "App.Req").custom_encoder
    assert typedef(model, "App.Req").wire_fields is None
    assert typedef(model, "App.Inside").custom_encoder
    assert typedef(model, "App.Inside").wire_fields == ("b",)
    assert not typedef(model, "App.Plain").custom_encoder
    assert typedef(model, "App.Later").custom_encoder


# --- bad input -----------------------------------------------------------------------------------


def test_syntax_error_skips_only_the_broken_module(tmp_path: Path) -> None:
    model = extract(
        tmp_path,
        {
            "lib/broken.ex": """
            defmodule Good do
              defstruct [:a]
            end

            defmodule Bad do
              @type t :: %{a: }
              defstruct [:b]
            end

            defmodule AlsoGood do
              defstruct [:c]
            end
            """,
            "lib/fine.ex": "defmodule Fine do\n  defstruct [:d]\nend\n",
        },
    )
    assert sorted(model.by_qualname()) == ["AlsoGood", "Fine", "Good"]
    assert model.diagnostics == (
        Diagnostic("lib/broken.ex", 6, "error", "syntax error; modules containing it were skipped"),
    )


def test_unclosed_module_reports_a_diagnostic(tmp_path: Path) -> None:
    model = extract(
        tmp_path,
        {
            "lib/open.ex": "defmodule Open do\n  defstruct [:a]\n  def x(\n",
            "lib/fine.ex": "defmodule Fine do\n  defstruct [:d]\nend\n",
        },
    )
    assert [t.qualname for t in model.types] == ["Fine"]
    assert len(model.diagnostics) == 1
    assert model.diagnostics[0].path == "lib/open.ex"
    assert model.diagnostics[0].level == "error"


def test_invalid_utf8_and_missing_file(tmp_path: Path) -> None:
    model = extract(
        tmp_path,
        {
            "lib/latin.ex": b"defmodule Latin do\n  # caf\xe9\n  defstruct [:a]\nend\n",
            "lib/fine.ex": "defmodule Fine do\n  defstruct [:d]\nend\n",
        },
    )
    missing = extract_elixir(tmp_path, ["lib/fine.ex", "lib/nowhere.ex"])
    assert [t.qualname for t in model.types] == ["Fine"]
    assert model.diagnostics == (
        Diagnostic("lib/latin.ex", 2, "error", "not valid UTF-8 (byte 26); file skipped"),
    )
    assert [t.qualname for t in missing.types] == ["Fine"]
    assert [(d.path, d.line, d.level) for d in missing.diagnostics] == [("lib/nowhere.ex", 1, "error")]


def test_non_ascii_text_does_not_shift_what_follows_it(tmp_path: Path) -> None:
    # Node offsets are bytes: text after a multi-byte character (and after a BOM) must still be
    # read at the right place, both in a file that is all ASCII and in one that is not.
    template = (
        "defmodule {name} do\n"
        '  @moduledoc "{doc}"\n'
        '  defstruct [label: "{label}", kind: :plain]\n'
        "  @type t :: %__MODULE__{{label: String.t(), kind: :plain | :fancy}}\n"
        "end\n"
    )
    accented = "\ufeff" + template.format(name="Accents", doc="Grüße, café ✓", label="naïve")
    plain = template.format(name="Plain", doc="Hello", label="naive")
    model = extract(tmp_path, {"lib/accents.ex": accented, "lib/plain.ex": plain})
    for qualname, label_value in (("Accents", "naïve"), ("Plain", "naive")):
        label, kind = typedef(model, qualname).fields
        assert (label.name, label.type, label.annotation, label.location.line) == ("label", STR, "String.t()", 3)
        assert label.default == Default(DefaultKind.VALUE, f'"{label_value}"', label_value)
        assert (kind.name, kind.type, kind.annotation) == ("kind", AtomSet(("plain", "fancy")), ":plain | :fancy")
        assert kind.default == Default(DefaultKind.ATOM, ":plain", "plain")
    assert model.diagnostics == ()


def test_duplicate_module_keeps_first_file(tmp_path: Path) -> None:
    model = extract(
        tmp_path,
        {
            "lib/a.ex": "defmodule Dup do\n  defstruct [:a]\nend\n",
            "lib/b.ex": "defmodule Dup do\n  defstruct [:b]\nend\n",
        },
    )
    assert [f.name for f in typedef(model, "Dup").fields] == ["a"]
    assert model.diagnostics == (
        Diagnostic("lib/b.ex", 1, "warning", "Dup is already defined at lib/a.ex:1; ignored"),
    )


def test_output_is_deterministic(tmp_path: Path) -> None:
    files = write(
        tmp_path,
        {
            "lib/z.ex": "defmodule Z do\n  @type t :: :a | :b\nend\n",
            "lib/y.ex": "defmodule Y do\n  defstruct [:a]\n  @type x :: integer()\nend\n",
            "lib/w.ex": "defmodule W do\n  def x(\nend\n",
        },
    )
    first = extract_elixir(tmp_path, files)
    second = extract_elixir(tmp_path, list(reversed(files)))
    assert first == second
    assert [t.qualname for t in first.types] == sorted(t.qualname for t in first.types)


# --- properties ----------------------------------------------------------------------------------

FIELD_NAMES = st.lists(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=8).filter(
        lambda name: name[0] != "_" and name not in {"do", "end", "nil", "true", "false", "when", "in", "fn"}
    ),
    min_size=1,
    max_size=6,
    unique=True,
)

# (Elixir default source, expected Default) pairs.
DEFAULTS = st.one_of(
    st.just(("nil", None)),
    st.integers(min_value=-(10**9), max_value=10**9).map(
        lambda n: (str(n), Default(DefaultKind.VALUE, str(n), n))
    ),
    st.text(alphabet="abc xyz", max_size=5).map(
        lambda s: (f'"{s}"', Default(DefaultKind.VALUE, f'"{s}"', s))
    ),
    st.booleans().map(lambda b: (str(b).lower(), Default(DefaultKind.VALUE, str(b).lower(), b))),
    st.sampled_from(["ok", "error", "pending"]).map(
        lambda a: (f":{a}", Default(DefaultKind.ATOM, f":{a}", a))
    ),
    st.just(("[]", Default(DefaultKind.EMPTY_LIST, "[]"))),
    st.just(("%{}", Default(DefaultKind.EMPTY_MAP, "%{}"))),
)

# (typespec source, expected type, admits nil) triples.
SPECS = st.sampled_from(
    [
        ("integer()", INT, False),
        ("String.t() | nil", STR, True),
        ("[float()]", ListOf(FLOAT), False),
        ("%{String.t() => boolean()}", MapOf(STR, BOOL), False),
        (":a | :b | nil", AtomSet(("a", "b")), True),
        ("nil", NONE, True),
    ]
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    names=FIELD_NAMES,
    data=st.data(),
)
def test_property_defstruct_round_trip(tmp_path: Path, names: list[str], data: st.DataObject) -> None:
    defaults = [data.draw(DEFAULTS) for _ in names]
    enforced = [data.draw(st.booleans()) for _ in names]
    specs = [data.draw(st.one_of(st.none(), SPECS)) for _ in names]
    enforce_line = (
        "  @enforce_keys [" + ", ".join(f":{n}" for n, e in zip(names, enforced, strict=True) if e) + "]"
    )
    struct_lines = ["  defstruct ["]
    for index, (name, (default_source, _)) in enumerate(zip(names, defaults, strict=True)):
        comma = "," if index < len(names) - 1 else ""
        struct_lines.append(f"    {name}: {default_source}{comma}")
    struct_lines.append("  ]")
    spec_entries = [f"{n}: {s[0]}" for n, s in zip(names, specs, strict=True) if s is not None]
    source = "\n".join(
        [
            "defmodule Gen.Rec do",
            enforce_line,
            *struct_lines,
            "  @type t :: %__MODULE__{" + ", ".join(spec_entries) + "}",
            "end",
            "",
        ]
    )
    (tmp_path / "gen.ex").write_text(source, encoding="utf-8")
    model = extract_elixir(tmp_path, ["gen.ex"])
    assert model.diagnostics == ()
    expected = tuple(
        Field(
            name,
            spec[1] if spec is not None else Unknown(""),
            is_enforced,
            spec[2] if spec is not None else False,
            default,
            Location("gen.ex", 4 + index),
            spec[0] if spec is not None else "",
            typespec_line=5 + len(names) if spec is not None else None,
        )
        for index, (name, (_, default), is_enforced, spec) in enumerate(
            zip(names, defaults, enforced, specs, strict=True)
        )
    )
    assert typedef(model, "Gen.Rec").fields == expected


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    names=FIELD_NAMES,
    block_enforce=st.booleans(),
    data=st.data(),
)
def test_property_typedstruct_semantics(
    tmp_path: Path, names: list[str], block_enforce: bool, data: st.DataObject
) -> None:
    options = [
        (data.draw(st.sampled_from([None, "1", "nil"])), data.draw(st.sampled_from([None, True, False])))
        for _ in names
    ]
    lines = ["defmodule Gen.Typed do", "  use TypedStruct", ""]
    lines.append("  typedstruct enforce: true do" if block_enforce else "  typedstruct do")
    for name, (default, enforce) in zip(names, options, strict=True):
        extra = ""
        if default is not None:
            extra += f", default: {default}"
        if enforce is not None:
            extra += f", enforce: {str(enforce).lower()}"
        lines.append(f"    field :{name}, integer(){extra}")
    lines += ["  end", "end", ""]
    (tmp_path / "typed.ex").write_text("\n".join(lines), encoding="utf-8")
    fields = typedef(extract_elixir(tmp_path, ["typed.ex"]), "Gen.Typed").fields
    for index, (name, (default, enforce)) in enumerate(zip(names, options, strict=True)):
        has_default = default is not None
        expected_enforced = (block_enforce and not has_default) if enforce is None else enforce
        field = fields[index]
        assert field.name == name
        assert field.required == expected_enforced
        assert field.nullable == (not has_default and not expected_enforced)
        assert field.type == INT
        assert field.default == (Default(DefaultKind.VALUE, "1", 1) if default == "1" else None)
        assert field.location == Location("typed.ex", 5 + index)


def test_clean_nested_module_survives_error_in_its_parent(tmp_path: Path) -> None:
    model = extract_one(
        tmp_path,
        """
        defmodule Parent do
          defmodule Child do
            @enforce_keys ~w(a)a
            defstruct [:a]
          end

          @type broken :: %{a: }
          defstruct [:x]
        end
        """,
    )
    assert [t.qualname for t in model.types] == ["Parent.Child"]
    assert typedef(model, "Parent.Child").fields[0].required
    assert [(d.line, d.level) for d in model.diagnostics] == [(7, "error")]
