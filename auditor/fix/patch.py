"""Stage 7d: a fix plan as a unified diff `git apply` accepts, or written into the checkout."""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from pathlib import Path

from auditor.fix.plan import FixPlan
from auditor.output_file import write_output

_NO_NEWLINE = "\\ No newline at end of file\n"


def edited_files(root: Path, plan: FixPlan) -> dict[str, tuple[str | None, str]]:
    """Path -> (text before, None for a new file; text after), in path order."""
    files: dict[str, tuple[str | None, str]] = {}
    for path, insertions in plan.insertions.items():
        original = (root / path).read_bytes()
        edited = bytearray()
        position = 0
        # Sorted by offset only: insertions at one offset keep the order they were planned in.
        for insertion in sorted(insertions, key=lambda insertion: insertion.offset):
            edited += original[position : insertion.offset] + insertion.text.encode("utf-8")
            position = insertion.offset
        edited += original[position:]
        files[path] = (original.decode("utf-8"), edited.decode("utf-8"))
    for path, text in plan.new_files.items():
        files[path] = (None, text)
    return dict(sorted(files.items()))


def unified_diff(root: Path, plan: FixPlan) -> str:
    return "".join(
        line for path, (before, after) in edited_files(root, plan).items() for line in _file_diff(path, before, after)
    )


def _file_diff(path: str, before: str | None, after: str) -> Iterator[str]:
    yield f"diff --git a/{path} b/{path}\n"
    if before is None:
        yield "new file mode 100644\n"
    lines = difflib.unified_diff(
        (before or "").splitlines(keepends=True),
        after.splitlines(keepends=True),
        "/dev/null" if before is None else f"a/{path}",
        f"b/{path}",
    )
    for line in lines:
        # A last line without its newline must say so, or `git apply` reads the next line as part of it.
        yield line if line.endswith("\n") else line + "\n" + _NO_NEWLINE


def write_plan(root: Path, plan: FixPlan) -> list[str]:
    """Writes every edited and new file (each atomically); returns their paths."""
    written = edited_files(root, plan)
    for path, (_, after) in written.items():
        write_output(root / path, after.encode("utf-8"))
    return list(written)
