"""The Elixir front end: reads an Elixir port's sources (never running them) into a `SideModel`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from auditor.elixir.modules import FileExtraction, FileWalker
from auditor.elixir.sites import EnumSite, StructSite
from auditor.elixir.structs import EncoderImpl
from auditor.elixir.syntax import first_syntax_error, line_of, parse, reading
from auditor.model import Diagnostic, SideModel, TypeDef

__all__ = [
    "ElixirFileSummary",
    "EnumSite",
    "StructSite",
    "extract_elixir",
    "read_elixir_summary",
    "read_module_sites",
    "summarize_elixir",
]

ElixirFileSummary = FileExtraction


def extract_elixir(
    root: Path,
    audited: Sequence[str],
    load_summary: Callable[[str], ElixirFileSummary] | None = None,
) -> SideModel:
    """Extracts the types declared in `audited` (posix paths of .ex/.exs files relative to `root`).

    Each file is read through `load_summary` (default: read and summarize it here), so a caller can
    supply summaries from a cache or a process pool. Problems with one file become diagnostics; they
    never abort the run or hide other files.
    """
    load = load_summary or (lambda relative: read_elixir_summary(root, relative))
    files = sorted(set(audited))
    types: dict[str, TypeDef] = {}
    encoders: list[EncoderImpl] = []
    diagnostics: list[Diagnostic] = []
    for relative in files:
        extraction = load(relative)
        diagnostics.extend(extraction.diagnostics)
        encoders.extend(extraction.encoders)
        for typedef in extraction.types:
            if typedef.qualname in types:
                first = types[typedef.qualname].location
                diagnostics.append(
                    Diagnostic(
                        relative,
                        typedef.location.line,
                        "warning",
                        f"{typedef.qualname} is already defined at {first.path}:{first.line}; ignored",
                    )
                )
                continue
            types[typedef.qualname] = typedef
    _apply_encoders(types, encoders)
    return SideModel(
        root=str(root),
        files=tuple(files),
        types=tuple(types[name] for name in sorted(types)),
        diagnostics=tuple(sorted(set(diagnostics))),
    )


def read_elixir_summary(root: Path, relative: str) -> ElixirFileSummary:
    """Reads and summarizes one file; an unreadable file becomes a summary holding its diagnostic."""
    try:
        raw = (root / relative).read_bytes()
    except OSError as error:
        return FileExtraction(diagnostics=[Diagnostic(relative, 1, "error", f"cannot read file: {error}")])
    return summarize_elixir(relative, raw)


def summarize_elixir(relative: str, raw: bytes) -> ElixirFileSummary:
    """Everything one file contributes, as a picklable value that depends only on its path and bytes."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        message = f"not valid UTF-8 (byte {error.start}); file skipped"
        return FileExtraction(diagnostics=[Diagnostic(relative, line, "error", message)])
    # A BOM is not Elixir syntax; dropping it keeps the first line parseable.
    source = text.removeprefix("\ufeff").encode("utf-8")
    tree = parse(source)
    with reading(source):
        extraction = FileWalker(relative, source).walk_file(tree.root_node)
    error = first_syntax_error(tree.root_node)
    if error is not None:
        what = "missing " + error.type if error.is_missing else "syntax error"
        extraction.diagnostics.append(
            Diagnostic(relative, line_of(error), "error", f"{what}; modules containing it were skipped")
        )
    return extraction


def read_module_sites(relative: str, source: bytes) -> list[StructSite | EnumSite]:
    """Where the struct and enum modules of one UTF-8 file (without a BOM) can grow, with byte offsets into
    `source`; modules containing a syntax error have none."""
    with reading(source):
        walker = FileWalker(relative, source, read_sites=True)
        walker.walk_file(parse(source).root_node)
    return walker.sites or []


def _apply_encoders(types: dict[str, TypeDef], encoders: list[EncoderImpl]) -> None:
    # An impl may sit in another file than its struct, so encoders are applied once all files are read.
    for impl in encoders:
        typedef = types.get(impl.target)
        if typedef is None:
            continue
        wire_fields = impl.wire_fields if impl.wire_fields is not None else typedef.wire_fields
        types[impl.target] = replace(typedef, custom_encoder=True, wire_fields=wire_fields)
