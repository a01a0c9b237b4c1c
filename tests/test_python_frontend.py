"""The Python front end, on source text written into temporary checkouts."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor.model import (
    ANY,
    BOOL,
    BYTES,
    DATE,
    DATETIME,
    DURATION,
    FLOAT,
    INT,
    NONE,
    STR,
    TIME,
    Default,
    DefaultKind,
    Diagnostic,
    Field,
    ListOf,
    LiteralOf,
    Location,
    MapOf,
    Ref,
    SideModel,
    TupleOf,
    TypeDef,
    TypeExpr,
    TypeKind,
    UnionOf,
    Unknown,
)
from auditor.python import extract_python
from auditor.python.modules import module_name_for

MODELS_BASE = """\
import pydantic


class BaseModel(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="ignore")


class StrictBase(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid")
"""


def write_tree(root: Path, files: dict[str, str]) -> None:
    for path, source in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(source))


def extract(root: Path, files: dict[str, str], audited_prefix: str = "") -> SideModel:
    """Writes the files and extracts every file under `audited_prefix` (all .py files resolve imports)."""
    write_tree(root, files)
    all_files = sorted(path for path in files if path.endswith(".py"))
    audited = [path for path in all_files if path.startswith(audited_prefix)]
    return extract_python(root, audited, all_files)


def by_name(model: SideModel) -> dict[str, TypeDef]:
    return {typedef.name: typedef for typedef in model.types}


def field(
    name: str,
    type_: TypeExpr,
    path: str,
    line: int,
    annotation: str,
    *,
    required: bool = True,
    nullable: bool = False,
    default: Default | None = None,
    alias: str | None = None,
) -> Field:
    return Field(name, type_, required, nullable, default, Location(path, line), annotation, alias)


NONE_DEFAULT = Default(DefaultKind.NONE, "None")


def one_field_type(tmp_path: Path, annotation: str, preamble: str = "") -> tuple[TypeExpr, bool]:
    """The lowered type and nullability of `value: <annotation>` in a pydantic model."""
    source = (
        "import datetime\nimport typing as t\nfrom datetime import date, time, timedelta\n"
        "from typing import *\nimport pydantic\nfrom pydantic import conint, constr, conlist\n"
        "from typing_extensions import Annotated, Literal, TypeAlias\n"
        f"{preamble}\n\nclass Holder(pydantic.BaseModel):\n    value: {annotation}\n"
    )
    model = extract(
        tmp_path,
        {
            "holder.py": source,
            "other.py": "import pydantic\n\nclass Other(pydantic.BaseModel):\n    x: int\n",
        },
    )
    holder = by_name(model)["Holder"]
    assert holder.fields[0].name == "value"
    return holder.fields[0].type, holder.fields[0].nullable


# --- module names and imports ------------------------------------------------------------------


def test_module_names_walk_up_packages() -> None:
    existing = {"src/tinker/__init__.py", "src/tinker/types/__init__.py", "scripts/tool.py"}
    assert module_name_for("src/tinker/types/checkpoint.py", existing) == ("tinker.types.checkpoint", False)
    assert module_name_for("src/tinker/types/__init__.py", existing) == ("tinker.types", True)
    assert module_name_for("scripts/tool.py", existing) == ("tool", False)


def test_pydantic_models_through_checkout_bases_and_reexport_chains(tmp_path: Path) -> None:
    files = {
        "src/sdk/__init__.py": "",
        "src/sdk/_models.py": MODELS_BASE,
        "src/sdk/types/__init__.py": (
            "from .checkpoint import Checkpoint as Checkpoint\n"
            "from .stop_reason import StopReason as StopReason\n"
        ),
        "src/sdk/types/_impl/__init__.py": "",
        "src/sdk/types/_impl/stop_reason.py": (
            "from typing_extensions import Literal, TypeAlias\n\n"
            "StopReason: TypeAlias = Literal['length', 'stop']\n"
        ),
        # a shim that only re-exports
        "src/sdk/types/stop_reason.py": "from ._impl.stop_reason import StopReason as StopReason\n",
        "src/sdk/types/model_id.py": "from typing_extensions import TypeAlias\n\nModelID: TypeAlias = str\n",
        "src/sdk/types/checkpoint.py": """\
            from datetime import datetime
            from typing import Optional

            from .._models import BaseModel, StrictBase
            from .model_id import ModelID
            from . import stop_reason


            class Checkpoint(BaseModel):
                id: ModelID
                \"\"\"The id\"\"\"

                reason: stop_reason.StopReason
                created: datetime
                size: Optional[int] = None


            class Request(StrictBase):
                checkpoint: "Checkpoint"
            """,
    }
    model = extract(tmp_path, files, "src/sdk/types")
    path = "src/sdk/types/checkpoint.py"
    assert model.files == tuple(sorted(path for path in files if path.startswith("src/sdk/types")))
    assert model.diagnostics == ()
    assert model.types == (
        TypeDef(
            qualname="sdk.types._impl.stop_reason.StopReason",
            name="StopReason",
            kind=TypeKind.UNION,
            location=Location("src/sdk/types/_impl/stop_reason.py", 3),
            target=LiteralOf(("length", "stop")),
            module="sdk.types._impl.stop_reason",
        ),
        TypeDef(
            qualname="sdk.types.checkpoint.Checkpoint",
            name="Checkpoint",
            kind=TypeKind.STRUCT,
            location=Location(path, 9),
            fields=(
                field("id", STR, path, 10, "ModelID"),
                field(
                    "reason",
                    Ref("sdk.types._impl.stop_reason.StopReason"),
                    path,
                    13,
                    "stop_reason.StopReason",
                ),
                field("created", DATETIME, path, 14, "datetime"),
                field(
                    "size",
                    INT,
                    path,
                    15,
                    "Optional[int]",
                    required=False,
                    nullable=True,
                    default=NONE_DEFAULT,
                ),
            ),
            module="sdk.types.checkpoint",
        ),
        TypeDef(
            qualname="sdk.types.checkpoint.Request",
            name="Request",
            kind=TypeKind.STRUCT,
            location=Location(path, 18),
            fields=(field("checkpoint", Ref("sdk.types.checkpoint.Checkpoint"), path, 19, '"Checkpoint"'),),
            module="sdk.types.checkpoint",
        ),
    )


def test_star_imports_and_module_aliases_resolve(tmp_path: Path) -> None:
    files = {
        "pkg/__init__.py": "",
        "pkg/base.py": (
            "import pydantic as pd\n\n__all__ = ['Base']\n\n"
            "class Base(pd.BaseModel):\n    pass\n\nHidden = int\n"
        ),
        "pkg/kinds.py": "import typing_extensions as te\n\nKind = te.Literal['a', 'b']\n",
        "pkg/types.py": """\
            from pkg.base import *
            import pkg.kinds
            import datetime as dt


            class Thing(Base):
                kind: pkg.kinds.Kind
                when: dt.date
                hidden: Hidden
            """,
    }
    model = extract(tmp_path, files, "pkg/types.py")
    thing = by_name(model)["Thing"]
    assert [(f.name, f.type) for f in thing.fields] == [
        ("kind", Ref("pkg.kinds.Kind")),
        ("when", DATE),
        # `Hidden` is not in base's `__all__`, so the star import does not bring it
        ("hidden", Unknown("Hidden")),
    ]


# --- what is a type ----------------------------------------------------------------------------


def test_only_data_models_enums_and_union_aliases_are_types(tmp_path: Path) -> None:
    source = """\
        import enum
        from typing import Dict, List, Union

        import pydantic


        class Model(pydantic.BaseModel):
            x: int


        class _Private(pydantic.BaseModel):
            x: int


        class Client:
            timeout: float = 1.0


        class ApiError(Exception):
            status: int


        class EmptyEnumBase(str, enum.Enum):
            def describe(self) -> str:
                return self.value


        class Color(EmptyEnumBase):
            RED = "red"


        ModelID = str
        Mapping = Dict[str, List[Model]]
        Either = Union[Model, Color]
        FLAGS = 1 | 2
        logger = object()
        """
    model = extract(tmp_path, {"types.py": source})
    assert sorted((t.name, t.kind) for t in model.types) == [
        ("Color", TypeKind.ENUM),
        ("Either", TypeKind.UNION),
        ("Model", TypeKind.STRUCT),
    ]
    assert by_name(model)["Color"].target == LiteralOf(("red",))
    assert by_name(model)["Either"].target == UnionOf((Ref("types.Model"), Ref("types.Color")))


def test_dataclasses_typed_dicts_and_named_tuples_are_structs(tmp_path: Path) -> None:
    source = """\
        import dataclasses
        from dataclasses import dataclass, field
        from typing import List, NamedTuple, Optional

        import pydantic.dataclasses
        from typing_extensions import NotRequired, Required, TypedDict


        @dataclass
        class Plain:
            a: int
            b: List[str] = field(default_factory=list)


        @dataclasses.dataclass(frozen=True)
        class Frozen:
            c: Optional[str] = field(default=None)


        @pydantic.dataclasses.dataclass
        class Validated:
            d: float = 0.5


        class Params(TypedDict, total=False):
            e: Required[int]
            f: str


        class MoreParams(Params):
            g: bool
            h: NotRequired[bool]


        class Point(NamedTuple):
            x: int
            y: int = 0
        """
    model = extract(tmp_path, {"shapes.py": source})
    types = by_name(model)
    assert {name: t.kind for name, t in types.items()} == dict.fromkeys(
        ["Frozen", "MoreParams", "Params", "Plain", "Point", "Validated"], TypeKind.STRUCT
    )
    p = "shapes.py"
    assert types["Plain"].fields == (
        field("a", INT, p, 11, "int"),
        field(
            "b",
            ListOf(STR),
            p,
            12,
            "List[str]",
            required=False,
            default=Default(DefaultKind.EMPTY_LIST, "default_factory=list"),
        ),
    )
    assert types["Frozen"].fields == (
        field("c", STR, p, 17, "Optional[str]", required=False, nullable=True, default=NONE_DEFAULT),
    )
    assert types["Validated"].fields == (
        field("d", FLOAT, p, 22, "float", required=False, default=Default(DefaultKind.VALUE, "0.5", 0.5)),
    )
    assert types["MoreParams"].fields == (
        field("e", INT, p, 26, "Required[int]"),
        field("f", STR, p, 27, "str", required=False),
        field("g", BOOL, p, 31, "bool"),
        field("h", BOOL, p, 32, "NotRequired[bool]", required=False),
    )
    assert types["Point"].fields == (
        field("x", INT, p, 36, "int"),
        field("y", INT, p, 37, "int", required=False, default=Default(DefaultKind.VALUE, "0", 0)),
    )


def test_enums_and_auto_values(tmp_path: Path) -> None:
    source = """\
        import enum
        from enum import Enum, IntEnum, StrEnum, auto


        class Finish(StrEnum):
            GLOSSY = auto()
            Matte = auto()


        class Level(IntEnum):
            LOW = auto()
            HIGH = 10
            HIGHER = auto()


        class Format(str, Enum):
            PNG = "png"
            JPEG = "jpeg"
            JPG = "jpeg"
            _ignore_ = "x"


        class Perm(enum.Flag):
            READ = auto()
            WRITE = auto()
            EXEC = auto()


        class Signed(Enum):
            MINUS = -1
            YES = True
            ODD = 1.5
        """
    model = extract(tmp_path, {"enums.py": source})
    targets = {t.name: t.target for t in model.types}
    assert all(t.kind is TypeKind.ENUM for t in model.types)
    assert targets == {
        "Finish": LiteralOf(("glossy", "matte")),
        "Level": LiteralOf((1, 10, 11)),
        "Format": LiteralOf(("png", "jpeg")),
        "Perm": LiteralOf((1, 2, 4)),
        "Signed": LiteralOf((-1, True)),
    }
    assert model.diagnostics == (
        Diagnostic(
            "enums.py",
            32,
            "warning",
            "enum member Signed.ODD has a value that is not a str, int or bool literal; "
            "it is left out of the enum's values",
        ),
    )


def test_union_aliases_with_discriminators(tmp_path: Path) -> None:
    source = """\
        from typing import Literal, Optional, Union

        import pydantic
        from pydantic import Discriminator, Field
        from typing_extensions import Annotated, TypeAlias

        from ._utils import PropertyInfo


        class A(pydantic.BaseModel):
            type: Literal["a"] = "a"


        class B(pydantic.BaseModel):
            type: Literal["b"] = "b"


        Tagged: TypeAlias = Annotated[Union[A, B], PropertyInfo(discriminator="type")]
        ByField = Annotated[Union[A, B], Field(discriminator="type")]
        ByMarker = Annotated[A | B, Discriminator("type")]
        Piped = A | B | None
        Kind = Literal["x", Literal["y", None]]
        type Modern = A | B


        class Holder(pydantic.BaseModel):
            piped: Piped
            kind: Kind
            inline: Union[A, B] = Field(discriminator="type")
        """
    model = extract(
        tmp_path,
        {"pkg/__init__.py": "", "pkg/_utils.py": "class PropertyInfo:\n    pass\n", "pkg/unions.py": source},
        "pkg/unions.py",
    )
    types = by_name(model)
    members = (Ref("pkg.unions.A"), Ref("pkg.unions.B"))
    assert types["Tagged"] == TypeDef(
        "pkg.unions.Tagged",
        "Tagged",
        TypeKind.UNION,
        Location("pkg/unions.py", 18),
        target=UnionOf(members, "type"),
        module="pkg.unions",
    )
    assert types["ByField"].target == UnionOf(members, "type")
    assert types["ByMarker"].target == UnionOf(members, "type")
    assert types["Piped"].target == UnionOf((*members, NONE))
    assert types["Kind"].target == UnionOf((LiteralOf(("x", "y")), NONE))
    assert types["Modern"].target == UnionOf(members)
    holder = types["Holder"].fields
    # a union alias with a None member stays a plain reference; its None makes the field nullable
    assert (holder[0].type, holder[0].nullable) == (Ref("pkg.unions.Piped"), True)
    assert (holder[1].type, holder[1].nullable) == (Ref("pkg.unions.Kind"), True)
    assert holder[2].type == UnionOf(members, "type")


# --- annotations -------------------------------------------------------------------------------

ANNOTATION_CASES: list[tuple[str, TypeExpr, bool]] = [
    ("str", STR, False),
    ("bytes", BYTES, False),
    ("None", NONE, True),
    ("Optional[int]", INT, True),
    ("int | None", INT, True),
    ("Union[int, str, None]", UnionOf((INT, STR)), True),
    ("Union[int, Union[str, int]]", UnionOf((INT, STR)), False),
    ("List[int]", ListOf(INT), False),
    ("list", ListOf(ANY), False),
    ("Sequence[str]", ListOf(STR), False),
    ("Iterable[str]", ListOf(STR), False),
    ("Set[int]", ListOf(INT), False),
    ("frozenset[int]", ListOf(INT), False),
    ("Tuple[int, ...]", ListOf(INT), False),
    ("tuple[int, str]", TupleOf((INT, STR)), False),
    ("Dict[str, float]", MapOf(STR, FLOAT), False),
    ("Mapping[str, Any]", MapOf(STR, ANY), False),
    ("dict", MapOf(ANY, ANY), False),
    ("Dict", MapOf(ANY, ANY), False),
    ("Literal['a', 'b']", LiteralOf(("a", "b")), False),
    ("Literal['a', Literal['b', 1], True]", LiteralOf(("a", "b", 1, True)), False),
    ("Literal['a', None]", LiteralOf(("a",)), True),
    ("Literal[-3]", LiteralOf((-3,)), False),
    ("Annotated[int, 'meta']", INT, False),
    ("'Other'", Ref("other.Other"), False),
    ("'List[Other]'", ListOf(Ref("other.Other")), False),
    ("datetime.datetime", DATETIME, False),
    ("datetime.date", DATE, False),
    ("time", TIME, False),
    ("timedelta", DURATION, False),
    ("Any", ANY, False),
    ("object", ANY, False),
    ("t.Optional[t.List[bool]]", ListOf(BOOL), True),
    ("Final[int]", INT, False),
    ("pydantic.StrictStr", STR, False),
    ("pydantic.PositiveInt", INT, False),
    ("pydantic.HttpUrl", STR, False),
    ("conint(gt=0)", INT, False),
    ("constr(max_length=3)", STR, False),
    ("conlist(int, min_length=1)", ListOf(INT), False),
    ("Type[int]", Unknown("Type[int]"), False),
    ("numpy.ndarray", Unknown("numpy.ndarray"), False),
    ("Missing", Unknown("Missing"), False),
]


@pytest.mark.parametrize(("annotation", "expected", "nullable"), ANNOTATION_CASES)
def test_annotation_lowering(tmp_path: Path, annotation: str, expected: TypeExpr, nullable: bool) -> None:
    from_other = "from other import Other"
    assert one_field_type(tmp_path, annotation, from_other) == (expected, nullable)


def test_scalar_and_container_aliases_are_inlined_recursively(tmp_path: Path) -> None:
    preamble = """
from other import Other
ModelID = str
MaybeID = Optional[ModelID]
Inputs: TypeAlias = Dict[ModelID, List[Other]]
Loop = List["Loop"]
"""
    assert one_field_type(tmp_path, "Inputs", preamble) == (MapOf(STR, ListOf(Ref("other.Other"))), False)
    assert one_field_type(tmp_path, "MaybeID", preamble) == (STR, True)
    assert one_field_type(tmp_path, "Loop", preamble) == (ListOf(Unknown("Loop")), False)


def test_recursive_models_and_union_aliases_terminate(tmp_path: Path) -> None:
    source = """\
        from typing import Dict, List, Optional, Union

        import pydantic

        Json = Union[str, int, None, List["Json"], Dict[str, "Json"]]


        class Node(pydantic.BaseModel):
            children: List["Node"]
            parent: Optional["Node"] = None
            data: Json = None
        """
    types = by_name(extract(tmp_path, {"tree.py": source}))
    json_ref = Ref("tree.Json")
    assert types["Json"].target == UnionOf((STR, INT, NONE, ListOf(json_ref), MapOf(STR, json_ref)))
    assert [(f.name, f.type, f.nullable) for f in types["Node"].fields] == [
        ("children", ListOf(Ref("tree.Node")), False),
        ("parent", Ref("tree.Node"), True),
        ("data", json_ref, True),
    ]


def test_multiline_annotations_are_recorded_on_one_line(tmp_path: Path) -> None:
    source = """\
        from typing import Dict, Optional, Union

        import pydantic


        class Wide(pydantic.BaseModel):
            value: Optional[
                Union[
                    int,  # small
                    Dict[str, int],
                ]
            ] = None
        """
    wide = by_name(extract(tmp_path, {"wide.py": source}))["Wide"]
    assert wide.fields[0].annotation == "Optional[Union[int, Dict[str, int]]]"
    assert wide.fields[0].type == UnionOf((INT, MapOf(STR, INT)))


def test_import_and_inheritance_cycles_terminate(tmp_path: Path) -> None:
    files = {
        "a.py": "from b import Y as X\n",
        "b.py": "from a import X as Y\n",
        "c.py": """\
            import pydantic
            from a import X


            class Left(Right):
                x: X


            class Right(Left):
                pass


            class Model(pydantic.BaseModel):
                x: X
                alias: "Model"
            """,
    }
    model = extract(tmp_path, files, "c.py")
    assert [t.name for t in model.types] == ["Model"]
    assert [f.type for f in model.types[0].fields] == [Unknown("X"), Ref("c.Model")]


# --- fields ------------------------------------------------------------------------------------


def test_field_defaults_and_aliases(tmp_path: Path) -> None:
    source = """\
        from enum import Enum
        from typing import Dict, List, Optional

        from pydantic import BaseModel, Field
        from typing_extensions import Annotated


        class Reason(str, Enum):
            LENGTH = "length"


        class Inner(BaseModel):
            x: int = 1


        class Defaults(BaseModel):
            required_ellipsis: int = Field(...)
            required_empty: int = Field(description="no default")
            optional_required: Optional[int]
            none_positional: Optional[int] = Field(None)
            keyword: int = Field(default=3, alias="kw")
            negative: float = -2.5
            text: str = "hi"
            flag: bool = True
            empty_list: List[int] = []
            empty_map: Dict[str, int] = {}
            list_factory: List[int] = Field(default_factory=list)
            dict_factory: Dict[str, int] = Field(default_factory=dict)
            struct_factory: Inner = Field(default_factory=Inner)
            other_factory: List[int] = Field(default_factory=lambda: [1])
            constructed: Inner = Inner(x=2)
            reason: Reason = Reason.LENGTH
            computed: int = 60 * 60
            annotated: Annotated[int, Field(default=7, alias="annotatedAlias")]
            serialized: str = Field("s", serialization_alias="ser")
        """
    fields = {f.name: f for f in by_name(extract(tmp_path, {"defaults.py": source}))["Defaults"].fields}
    expected: dict[str, tuple[bool, Default | None, str | None]] = {
        "required_ellipsis": (True, None, None),
        "required_empty": (True, None, None),
        "optional_required": (True, None, None),
        "none_positional": (False, NONE_DEFAULT, None),
        "keyword": (False, Default(DefaultKind.VALUE, "3", 3), "kw"),
        "negative": (False, Default(DefaultKind.VALUE, "-2.5", -2.5), None),
        "text": (False, Default(DefaultKind.VALUE, '"hi"', "hi"), None),
        "flag": (False, Default(DefaultKind.VALUE, "True", True), None),
        "empty_list": (False, Default(DefaultKind.EMPTY_LIST, "[]"), None),
        "empty_map": (False, Default(DefaultKind.EMPTY_MAP, "{}"), None),
        "list_factory": (False, Default(DefaultKind.EMPTY_LIST, "default_factory=list"), None),
        "dict_factory": (False, Default(DefaultKind.EMPTY_MAP, "default_factory=dict"), None),
        "struct_factory": (False, Default(DefaultKind.STRUCT, "default_factory=Inner", "Inner"), None),
        "other_factory": (False, Default(DefaultKind.EXPR, "default_factory=lambda: [1]"), None),
        "constructed": (False, Default(DefaultKind.STRUCT, "Inner(x=2)", "Inner"), None),
        "reason": (False, Default(DefaultKind.VALUE, "Reason.LENGTH", "length"), None),
        "computed": (False, Default(DefaultKind.EXPR, "60 * 60"), None),
        "annotated": (False, Default(DefaultKind.VALUE, "7", 7), "annotatedAlias"),
        "serialized": (False, Default(DefaultKind.VALUE, '"s"', "s"), "ser"),
    }
    assert {name: (f.required, f.default, f.alias) for name, f in fields.items()} == expected
    assert (fields["optional_required"].type, fields["optional_required"].nullable) == (INT, True)


def test_non_fields_are_skipped_and_if_blocks_are_searched(tmp_path: Path) -> None:
    source = """\
        from typing import ClassVar, Optional

        import pydantic

        PYDANTIC_V2 = True


        class Job(pydantic.BaseModel):
            \"\"\"A job.\"\"\"

            limit: ClassVar[int] = 3
            _secret: str = "x"
            id: str
            \"\"\"Field docstring.\"\"\"

            if PYDANTIC_V2:
                model_config = pydantic.ConfigDict(frozen=True)
                progress: float = 0.0
            else:
                progress: int = 0
                legacy: Optional[str] = None

                class Config:
                    frozen = True

            @pydantic.field_validator("id")
            @classmethod
            def _check(cls, value: str) -> str:
                return value

            @property
            def done(self) -> bool:
                return True
        """
    job = by_name(extract(tmp_path, {"job.py": source}))["Job"]
    assert [(f.name, f.type, f.location.line) for f in job.fields] == [
        ("id", STR, 13),
        ("progress", FLOAT, 18),
        ("legacy", STR, 21),
    ]


def test_inherited_fields_come_first_and_overrides_keep_their_position(tmp_path: Path) -> None:
    source = """\
        from dataclasses import dataclass
        from typing import Optional

        import pydantic


        class Base(pydantic.BaseModel):
            id: str
            note: Optional[str] = None


        class Mixin(pydantic.BaseModel):
            tag: str = "t"


        class Child(Base, Mixin):
            note: str = "set"
            extra: int


        @dataclass
        class DataBase:
            a: int


        class Undecorated(DataBase):
            not_a_field: int = 0


        @dataclass
        class DataChild(DataBase):
            b: int = 0
        """
    types = by_name(extract(tmp_path, {"family.py": source}))
    child = types["Child"].fields
    assert [(f.name, f.location.line) for f in child] == [("tag", 13), ("id", 8), ("note", 17), ("extra", 18)]
    assert (child[2].type, child[2].nullable, child[2].default) == (
        STR,
        False,
        Default(DefaultKind.VALUE, '"set"', "set"),
    )
    assert [f.name for f in types["Undecorated"].fields] == ["a"]
    assert [f.name for f in types["DataChild"].fields] == ["a", "b"]


def test_pydantic_v1_and_generic_models(tmp_path: Path) -> None:
    source = """\
        from typing import Generic, List, TypeVar

        from pydantic.generics import GenericModel
        from pydantic.v1 import BaseModel

        T = TypeVar("T")


        class Page(GenericModel, Generic[T]):
            items: List[T]


        class Legacy(BaseModel):
            page: Page[int]
        """
    types = by_name(extract(tmp_path, {"generic.py": source}))
    assert types["Page"].fields[0].type == ListOf(Unknown("T"))
    assert types["Legacy"].fields[0].type == Ref("generic.Page")


# --- duplicates --------------------------------------------------------------------------------


def test_duplicate_names_keep_the_exported_definition(tmp_path: Path) -> None:
    model_source = "import pydantic\n\n\nclass Datum(pydantic.BaseModel):\n    x: int\n"
    files = {
        "sdk/__init__.py": "",
        "sdk/types/__init__.py": "from .datum import Datum as Datum\n",
        "sdk/types/datum.py": model_source,
        "sdk/types/_internal/__init__.py": "from .datum import Datum\n",
        "sdk/types/_internal/datum.py": model_source,
    }
    model = extract(tmp_path, files, "sdk/types")
    assert [t.qualname for t in model.types] == ["sdk.types.datum.Datum"]
    assert model.diagnostics == (
        Diagnostic(
            "sdk/types/_internal/datum.py",
            4,
            "warning",
            "Datum is defined both in sdk/types/datum.py:4 and here; keeping sdk.types.datum.Datum "
            "(the exported one), dropping sdk.types._internal.datum.Datum",
        ),
    )


def test_duplicate_names_without_an_export_keep_the_first_path(tmp_path: Path) -> None:
    files = {
        "a.py": "from typing import Literal\n\nMode = Literal['x']\n",
        "b.py": "from typing import Literal\n\nMode = Literal['y']\n",
    }
    model = extract(tmp_path, files)
    assert [t.qualname for t in model.types] == ["a.Mode"]
    assert model.diagnostics == (
        Diagnostic(
            "b.py",
            3,
            "warning",
            "Mode is defined both in a.py:3 and here; keeping a.Mode (the first by path; none is exported), "
            "dropping b.Mode",
        ),
    )


# --- bad input ---------------------------------------------------------------------------------


def test_unparsable_files_become_diagnostics_and_the_rest_is_extracted(tmp_path: Path) -> None:
    write_tree(
        tmp_path, {"bad.py": "import pydantic\n\nx = = 1\n\nclass Bad(pydantic.BaseModel):\n    x: int\n"}
    )
    (tmp_path / "latin.py").write_bytes(b"x = 1\ny = '\xff'\n")
    (tmp_path / "blob.py").write_bytes(b"\x00\x01\x02binary")
    (tmp_path / "lib.py").write_text("Thing = = 1\n")
    (tmp_path / "good.py").write_text(
        "import pydantic\nfrom lib import Thing\n\nclass Good(pydantic.BaseModel):\n    x: Thing\n"
    )
    audited = ["bad.py", "blob.py", "good.py", "latin.py", "missing.py"]
    model = extract_python(tmp_path, audited, [*audited, "lib.py"])
    assert [t.name for t in model.types] == ["Good"]
    assert by_name(model)["Good"].fields[0].type == Unknown("Thing")
    assert [(d.path, d.line, d.level) for d in model.diagnostics] == [
        ("bad.py", 3, "error"),
        ("blob.py", 1, "error"),
        ("latin.py", 2, "error"),
        ("lib.py", 1, "error"),
        ("missing.py", 1, "error"),
    ]
    assert model.diagnostics[0].message.startswith("syntax error")


def test_output_is_deterministic(tmp_path: Path) -> None:
    files = {
        f"m{i}.py": f"import pydantic\n\nclass T{i}(pydantic.BaseModel):\n    x: int\n" for i in range(5)
    }
    first = extract(tmp_path, files)
    assert extract_python(tmp_path, sorted(files, reverse=True), sorted(files)) == first
    assert [t.qualname for t in first.types] == sorted(t.qualname for t in first.types)


# --- property: rendered models round-trip ------------------------------------------------------

FIELD_TYPES: list[tuple[str, TypeExpr, bool]] = [
    ("int", INT, False),
    ("str", STR, False),
    ("Optional[float]", FLOAT, True),
    ("List[Dict[str, int]]", ListOf(MapOf(STR, INT)), False),
    ("Literal['a', 'b']", LiteralOf(("a", "b")), False),
    ("datetime", DATETIME, False),
    ("Union[int, str] | None", UnionOf((INT, STR)), True),
    ("Tuple[int, bool]", TupleOf((INT, BOOL)), False),
    ("'Target'", Ref("gen.Target"), False),
    ("ModelID", STR, False),
]
FIELD_DEFAULTS: list[tuple[str, Default | None]] = [
    ("", None),
    (" = None", NONE_DEFAULT),
    (" = 5", Default(DefaultKind.VALUE, "5", 5)),
    (" = 'x'", Default(DefaultKind.VALUE, "'x'", "x")),
    (" = Field(default_factory=list)", Default(DefaultKind.EMPTY_LIST, "default_factory=list")),
    (" = Field(...)", None),
]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    specs=st.lists(
        st.tuples(
            st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True),
            st.integers(0, len(FIELD_TYPES) - 1),
            st.integers(0, len(FIELD_DEFAULTS) - 1),
        ),
        max_size=8,
        unique_by=lambda spec: spec[0],
    )
)
def test_generated_models_round_trip(tmp_path: Path, specs: list[tuple[str, int, int]]) -> None:
    header = (
        "from datetime import datetime\nfrom typing import Dict, List, Literal, Optional, Tuple, Union\n\n"
        "from pydantic import BaseModel, Field\n\nModelID = str\n\n\nclass Target(BaseModel):\n    pass\n\n\n"
        "class Generated(BaseModel):\n"
    )
    lines = [f"    {name}_f: {FIELD_TYPES[t][0]}{FIELD_DEFAULTS[d][0]}" for name, t, d in specs] or [
        "    pass"
    ]
    source = header + "\n".join(lines) + "\n"
    first_line = header.count("\n") + 1
    model = extract(tmp_path, {"gen.py": source})
    expected = tuple(
        field(
            f"{name}_f",
            FIELD_TYPES[t][1],
            "gen.py",
            first_line + position,
            FIELD_TYPES[t][0],
            required=FIELD_DEFAULTS[d][1] is None,
            nullable=FIELD_TYPES[t][2],
            default=FIELD_DEFAULTS[d][1],
        )
        for position, (name, t, d) in enumerate(specs)
    )
    assert by_name(model)["Generated"].fields == expected
    assert model.diagnostics == ()
