"""Generators for bad input, and helpers to audit the sample repos with it through the real CLI.

Every case adds one bad file (or link, or FIFO) to a copy of `sample_repos/`; big and binary
content is generated at test time so nothing large is committed. Shared by the bad-input corpus,
the mutation fuzz, the never-executes and the escaping tests.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import os
import random
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from tests.conftest import REPO_ROOT, SAMPLE_ELIXIR, SAMPLE_PYTHON

Side = Literal["python", "elixir"]

FIVE_MB = 5 * 1024 * 1024
NESTING = 500

# Where a case puts its bad file: inside the audited types package of each sample repo.
PYTHON_TYPES_DIR = "pixelmill/types"
ELIXIR_TYPES_DIR = "lib/pixelmill/types"


# --- running the tool ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CliRun:
    returncode: int
    stdout: bytes
    stderr: str

    def document(self) -> dict[str, Any]:
        return json.loads(self.stdout.decode("utf-8"))


def run_cli(
    python_root: Path,
    elixir_root: Path,
    *options: str,
    timeout: float = 60,
    preexec_fn: Callable[[], None] | None = None,
    cwd: Path | None = None,
    command: Sequence[str] = (sys.executable, "-m", "auditor"),
) -> CliRun:
    """`python -m auditor PY EX OPTIONS...` (or another `command`) in a fresh process, as a user runs it."""
    completed = subprocess.run(
        [*command, str(python_root), str(elixir_root), *options],
        capture_output=True,
        timeout=timeout,
        preexec_fn=preexec_fn,
        cwd=cwd or REPO_ROOT,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT), "COLUMNS": "120", "TERM": "dumb"},
        check=False,
    )
    return CliRun(completed.returncode, completed.stdout, completed.stderr.decode("utf-8", "replace"))


def copy_samples(destination: Path) -> tuple[Path, Path]:
    """Fresh copies of both sample repos under `destination`: (python root, elixir root)."""
    python_root = destination / "python_sdk"
    elixir_root = destination / "elixir_sdk"
    shutil.copytree(SAMPLE_PYTHON, python_root, symlinks=True)
    shutil.copytree(SAMPLE_ELIXIR, elixir_root, symlinks=True)
    return python_root, elixir_root


def findings_outside(document: dict[str, Any], excluded_paths: Iterable[str]) -> list[dict[str, Any]]:
    """The report's findings minus those located (on either side) in one of `excluded_paths`."""
    excluded = set(excluded_paths)
    kept = []
    for finding in document["findings"]:
        located = {side["path"] for side in (finding["python"], finding["elixir"]) if side is not None}
        if not located & excluded:
            kept.append(finding)
    return kept


def failing_exit_code(document: dict[str, Any]) -> int:
    """The exit code the default `--fail-on P2` must give for this report."""
    return 1 if any(finding["severity"] in ("P0", "P1", "P2") for finding in document["findings"]) else 0


# --- unreadable files when running as root ------------------------------------------------------

_PR_CAPBSET_DROP = 24
_CAP_DAC_OVERRIDE = 1
_CAP_DAC_READ_SEARCH = 2


def drop_file_read_override() -> None:
    """preexec_fn: drop CAP_DAC_OVERRIDE/CAP_DAC_READ_SEARCH from the bounding set before exec.

    Root keeps its uid, but the exec'd interpreter no longer bypasses file permissions, so a
    chmod-000 file is really unreadable to it.
    """
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    for capability in (_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH):
        if libc.prctl(_PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


def unreadable_file_support(probe_dir: Path) -> tuple[Callable[[], None] | None, str | None]:
    """(preexec_fn to use, None) when a chmod-000 file can be made unreadable to the tool, else
    (None, the reason it cannot)."""
    probe = probe_dir / "probe.txt"
    probe.write_text("secret")
    probe.chmod(0)
    preexec: Callable[[], None] | None = None
    if os.geteuid() == 0:
        preexec = drop_file_read_override
    try:
        completed = subprocess.run(
            [sys.executable, "-c", f"open({str(probe)!r}).read()"],
            capture_output=True,
            preexec_fn=preexec,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError) as error:
        return None, f"running as root and cannot drop CAP_DAC_OVERRIDE to simulate it: {error}"
    finally:
        probe.chmod(0o600)
    if completed.returncode == 0:
        return None, "permissions do not deny reads here (root without a droppable CAP_DAC_OVERRIDE)"
    return preexec, None


# --- content generators -------------------------------------------------------------------------


def python_model(name: str, fields: Sequence[str]) -> str:
    body = "".join(f"    {field}\n" for field in fields)
    return f"\n\nclass {name}(BaseModel):\n{body}"


PYTHON_HEADER = "from typing import List, Optional\n\nfrom pydantic import BaseModel\n"


def elixir_struct(name: str, fields: dict[str, str]) -> str:
    keys = ", ".join(f":{key}" for key in fields)
    specs = ", ".join(f"{key}: {spec}" for key, spec in fields.items())
    return f"defmodule Pixelmill.Types.{name} do\n  defstruct [{keys}]\n  @type t :: %__MODULE__{{{specs}}}\nend\n"


def python_syntax_error() -> str:
    return PYTHON_HEADER + python_model("Broken", ["count: int = = 3"])


def elixir_syntax_error() -> str:
    return "defmodule Pixelmill.Types.Broken do\n  defstruct [:count\n  @type t :: %__MODULE__{count: integer()}\nend\n"


def python_truncated() -> str:
    """A module cut off in the middle of a class body, inside an open bracket."""
    whole = PYTHON_HEADER + python_model(
        "HalfWritten", ["count: int", "labels: List[Optional[str]] = []", "note: Optional[str] = None"]
    )
    return whole[: whole.index("Optional[str]]") + len("Optional[st")]


def elixir_truncated() -> str:
    whole = elixir_struct("HalfWritten", {"count": "integer()", "labels": "[String.t() | nil]"})
    return whole[: whole.index("[String.t()") + len("[String.t")]


def python_invalid_utf8() -> bytes:
    return (PYTHON_HEADER + python_model("Latin", ["name: str = 'caf"])).encode() + b"\xe9'\n"


def elixir_invalid_utf8() -> bytes:
    return elixir_struct("Latin", {"name": "String.t()"}).encode() + b"# caf\xe9 \xff\xfe\n"


def binary_blob(seed: int, size: int = 64 * 1024) -> bytes:
    """Deterministic noise that starts like no text file does, so it is never valid UTF-8."""
    return b"\x00\xff\xfe\x00\x89PNG\r\n\x1a\n" + random.Random(seed).randbytes(size)


def nested(template: str, leaf: str, depth: int) -> str:
    """`template` wrapped around `leaf` `depth` times: nested("List[{}]", "int", 2) == "List[List[int]]"."""
    prefix, suffix = template.split("{}")
    return prefix * depth + leaf + suffix * depth


def python_deep() -> str:
    return PYTHON_HEADER + python_model("Deep", ["count: int", f"rows: {nested('List[{}]', 'int', NESTING)}"])


def elixir_deep() -> str:
    return elixir_struct("Deep", {"count": "integer()", "rows": nested("list({})", "integer()", NESTING)})


GENERATED_TYPES = 200


def python_huge() -> str:
    """5 MB: generated models followed by one large string constant (embedded data).

    Dense Python code of this size is covered separately (`dense_python`): libcst alone needs
    far longer than this corpus can afford for it.
    """
    parts = [PYTHON_HEADER]
    for index in range(GENERATED_TYPES):
        parts.append(python_model(f"Generated{index}", ["count: int", "label: Optional[str] = None"]))
    parts.append('\n\n_EMBEDDED = """\n')
    rows = _rows(FIVE_MB - sum(map(len, parts)), lambda i: f"row {i}: {i * 7919 % 100003:08x} lorem ipsum\n")
    return "".join([*parts, rows, '"""\n'])


def dense_python() -> str:
    """5 MB of dense, valid Python code: models and a large literal table."""
    parts = [PYTHON_HEADER]
    for index in range(GENERATED_TYPES):
        parts.append(python_model(f"Generated{index}", ["count: int", "label: Optional[str] = None"]))
    parts.append("\n\n_TABLE = [\n")
    rows = _rows(FIVE_MB - sum(map(len, parts)), lambda i: f'    ("row{i}", {i}, {i * 7 % 1000}.5, None),\n')
    return "".join([*parts, rows, "]\n"])


def elixir_huge() -> str:
    """5 MB of dense, valid Elixir: generated structs and a module holding a large literal table."""
    parts = [
        elixir_struct(f"Generated{index}", {"count": "integer()", "label": "String.t() | nil"})
        for index in range(GENERATED_TYPES)
    ]
    parts.append("defmodule Pixelmill.Types.Table do\n  @moduledoc false\n  @rows [\n")
    rows = _rows(FIVE_MB - sum(map(len, parts)), lambda i: f'    {{"row{i}", {i}, {i * 7 % 1000}.5, nil}},\n')
    return "".join([*parts, rows, "  ]\n  def rows, do: @rows\nend\n"])


def _rows(size: int, row: Callable[[int], str]) -> str:
    pieces: list[str] = []
    total = 0
    index = 0
    while total < size:
        piece = row(index)
        pieces.append(piece)
        total += len(piece)
        index += 1
    return "".join(pieces)


HUGE_DIGITS = 5000
"""More digits than Python converts from text by default (`sys.get_int_max_str_digits()`, 4300)."""


def python_huge_number() -> str:
    return PYTHON_HEADER + python_model("HugeNumber", ["count: int = " + "7" * HUGE_DIGITS])


def elixir_huge_number() -> str:
    return (
        "defmodule Pixelmill.Types.HugeNumber do\n"
        f"  defstruct count: {'7' * HUGE_DIGITS}\n"
        "  @type t :: %__MODULE__{count: integer()}\nend\n"
    )


def python_outside_type() -> str:
    return PYTHON_HEADER + python_model("Outsider", ["secret: str"])


def elixir_outside_type() -> str:
    return elixir_struct("Outsider", {"secret": "String.t()"})


# --- the corpus ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class BadCase:
    """One bad file added to a copy of the sample repos.

    `build(checkout_root, relative_path, outside_dir)` creates it; `diagnosed` says whether the
    report must carry a diagnostic naming `relative` with a line; `needs_unreadable` marks the
    case that needs a file the tool cannot read.
    """

    name: str
    side: Side
    relative: str
    build: Callable[[Path, str, Path], None]
    diagnosed: bool
    needs_unreadable: bool = False
    timeout: float = 30
    audited_types: tuple[str, ...] = ()
    """Types of the bad file that must be in the report (a big valid file is audited, not dropped)."""
    hidden_types: tuple[str, ...] = ()
    """Types that must not be in the report (behind a link leaving the checkout, unreadable)."""


def _write(content: Callable[[], str | bytes]) -> Callable[[Path, str, Path], None]:
    def build(root: Path, relative: str, _outside: Path) -> None:
        data = content()
        (root / relative).write_bytes(data.encode("utf-8") if isinstance(data, str) else data)

    return build


def _symlink_loop(root: Path, relative: str, _outside: Path) -> None:
    path = root / relative
    partner = path.with_name("zz_loop_partner" + path.suffix)
    path.symlink_to(partner.name)
    partner.symlink_to(path.name)
    (path.parent / "zz_cycle").symlink_to(".", target_is_directory=True)
    (path.parent / "zz_up").symlink_to("../..", target_is_directory=True)


def _leaving_symlink(content: Callable[[], str]) -> Callable[[Path, str, Path], None]:
    def build(root: Path, relative: str, outside: Path) -> None:
        suffix = Path(relative).suffix
        target = outside / f"outsider{suffix}"
        outside.mkdir(parents=True, exist_ok=True)
        target.write_text(content(), encoding="utf-8")
        (root / relative).symlink_to(target)
        (root / relative).with_name("zz_outside_dir").symlink_to(outside, target_is_directory=True)

    return build


def _unreadable(content: Callable[[], str]) -> Callable[[Path, str, Path], None]:
    def build(root: Path, relative: str, _outside: Path) -> None:
        path = root / relative
        path.write_text(content(), encoding="utf-8")
        path.chmod(0)

    return build


def _fifo(root: Path, relative: str, _outside: Path) -> None:
    os.mkfifo(root / relative)


def _directory(root: Path, relative: str, _outside: Path) -> None:
    (root / relative).mkdir()
    (root / relative / "README").write_text("a directory whose name looks like a source file\n")


def _cases(side: Side) -> list[BadCase]:
    python = side == "python"
    folder, suffix = (PYTHON_TYPES_DIR, ".py") if python else (ELIXIR_TYPES_DIR, ".ex")

    def path(stem: str) -> str:
        return f"{folder}/{stem}{suffix}"

    def pick(python_content: Callable[[], Any], elixir_content: Callable[[], Any]) -> Callable[[], Any]:
        return python_content if python else elixir_content

    return [
        BadCase(
            f"{side}-syntax-error",
            side,
            path("zz_syntax"),
            _write(pick(python_syntax_error, elixir_syntax_error)),
            True,
        ),
        BadCase(
            f"{side}-truncated", side, path("zz_truncated"), _write(pick(python_truncated, elixir_truncated)), True
        ),
        BadCase(
            f"{side}-invalid-utf8",
            side,
            path("zz_latin1"),
            _write(pick(python_invalid_utf8, elixir_invalid_utf8)),
            True,
        ),
        BadCase(f"{side}-binary", side, path("zz_binary"), _write(lambda: binary_blob(len(suffix))), True),
        BadCase(f"{side}-empty", side, path("zz_empty"), _write(lambda: b""), False),
        BadCase(
            f"{side}-5mb",
            side,
            path("zz_huge"),
            _write(pick(python_huge, elixir_huge)),
            False,
            timeout=20,
            audited_types=("Generated0", f"Generated{GENERATED_TYPES - 1}"),
        ),
        BadCase(f"{side}-nested-{NESTING}", side, path("zz_deep"), _write(pick(python_deep, elixir_deep)), True),
        BadCase(
            f"{side}-huge-integer",
            side,
            path("zz_huge_number"),
            _write(pick(python_huge_number, elixir_huge_number)),
            False,
            # Elixir must audit it; the Python front end (libcst + int()) may diagnose it instead.
            audited_types=() if python else ("HugeNumber",),
        ),
        BadCase(f"{side}-symlink-loop", side, path("zz_loop"), _symlink_loop, False),
        BadCase(
            f"{side}-symlink-outside",
            side,
            path("zz_outside"),
            _leaving_symlink(pick(python_outside_type, elixir_outside_type)),
            False,
            hidden_types=("Outsider",),
        ),
        BadCase(
            f"{side}-unreadable",
            side,
            path("zz_unreadable"),
            _unreadable(pick(python_outside_type, elixir_outside_type)),
            True,
            needs_unreadable=True,
            hidden_types=("Outsider",),
        ),
        BadCase(f"{side}-fifo", side, path("zz_fifo"), _fifo, False),
        BadCase(f"{side}-directory", side, path("zz_directory"), _directory, False),
    ]


CASES: tuple[BadCase, ...] = (*_cases("python"), *_cases("elixir"))
