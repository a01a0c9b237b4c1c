"""Seeded byte- and line-level mutations of source files, for the mutation fuzz."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Mutation:
    """One edit of one file: `operation` at `position` (a byte or line index, after wrapping)."""

    path: str
    operation: str
    position: int
    bit: int = 0

    def apply(self, data: bytes) -> bytes:
        return OPERATIONS[self.operation](data, self)

    def __str__(self) -> str:
        extra = f" bit {self.bit}" if self.operation == "flip-byte" else ""
        return f"{self.operation} at {self.position}{extra} in {self.path}"


def _byte_index(data: bytes, mutation: Mutation) -> int:
    return mutation.position % len(data)


def _flip_byte(data: bytes, mutation: Mutation) -> bytes:
    if not data:
        return data
    index = _byte_index(data, mutation)
    return data[:index] + bytes([data[index] ^ (1 << mutation.bit)]) + data[index + 1 :]


def _delete_byte(data: bytes, mutation: Mutation) -> bytes:
    if not data:
        return data
    index = _byte_index(data, mutation)
    return data[:index] + data[index + 1 :]


def _duplicate_byte(data: bytes, mutation: Mutation) -> bytes:
    if not data:
        return data
    index = _byte_index(data, mutation)
    return data[: index + 1] + data[index:]


def _line_edit(edit: Callable[[list[bytes], int], None]) -> Callable[[bytes, Mutation], bytes]:
    def apply(data: bytes, mutation: Mutation) -> bytes:
        lines = data.splitlines(keepends=True)
        if not lines:
            return data
        edit(lines, mutation.position % len(lines))
        return b"".join(lines)

    return apply


def _delete_line(lines: list[bytes], index: int) -> None:
    del lines[index]


def _duplicate_line(lines: list[bytes], index: int) -> None:
    lines.insert(index, lines[index])


def _swap_lines(lines: list[bytes], index: int) -> None:
    # The line-level flip: a line trades places with the next one (the last with the first).
    other = (index + 1) % len(lines)
    lines[index], lines[other] = lines[other], lines[index]


OPERATIONS: dict[str, Callable[[bytes, Mutation], bytes]] = {
    "flip-byte": _flip_byte,
    "delete-byte": _delete_byte,
    "duplicate-byte": _duplicate_byte,
    "delete-line": _line_edit(_delete_line),
    "duplicate-line": _line_edit(_duplicate_line),
    "swap-lines": _line_edit(_swap_lines),
}


def random_mutations(rng: random.Random, paths: Sequence[str], most: int = 3) -> list[Mutation]:
    """One to `most` mutations, each of a randomly chosen file among `paths`."""
    return [
        Mutation(rng.choice(paths), rng.choice(sorted(OPERATIONS)), rng.randrange(1 << 20), rng.randrange(8))
        for _ in range(rng.randint(1, most))
    ]


def apply_mutations(root: Path, originals: dict[str, bytes], mutations: Sequence[Mutation]) -> None:
    """Writes each mutated file under `root` (mutations of one file compose, in order)."""
    mutated: dict[str, bytes] = {}
    for mutation in mutations:
        mutated[mutation.path] = mutation.apply(mutated.get(mutation.path, originals[mutation.path]))
    for path, data in mutated.items():
        (root / path).write_bytes(data)


def restore(root: Path, originals: dict[str, bytes], mutations: Sequence[Mutation]) -> None:
    for path in {mutation.path for mutation in mutations}:
        (root / path).write_bytes(originals[path])
