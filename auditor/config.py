"""Settings from a config file, which the command line overrides option by option.

The file is `--config PATH`, else `.parity-audit.toml` in the current directory, else the
`[tool.parity-audit]` table of `pyproject.toml` there. Nothing here knows the command line's
defaults: a key the file does not set stays None, so the CLI can tell "not configured" apart.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Literal

from auditor import result_cache
from auditor.align import KEEP_UNPAIRED
from auditor.audit import UsageError
from auditor.findings import FailOn, Ignore, OutOfScope, Severity
from auditor.model import Location
from auditor.reports import MarkdownSize
from auditor.rules import RULES_BY_SLUG

CONFIG_FILE = ".parity-audit.toml"
PYPROJECT_FILE = "pyproject.toml"
PYPROJECT_TABLE = ("tool", "parity-audit")

KEYS = (
    "python",
    "elixir",
    "python-include",
    "elixir-include",
    "exclude-type",
    "map",
    "unpaired",
    "infer",
    "fail-on",
    "markdown-size",
    "jobs",
    "cache-dir",
    "baseline",
    "disable",
    "severity",
    "ignore",
    "unported",
)
IGNORE_KEYS = ("type", "field", "rule", "reason")
FAIL_ON_VALUES = tuple(value.value for value in FailOn)
MARKDOWN_SIZES = tuple(size.value for size in MarkdownSize)


@dataclass(frozen=True)
class Settings:
    """What one config file sets; None where it sets nothing. Paths are resolved against its directory."""

    source: str | None = None
    """The config file as given (or as found in the current directory); None when there is none."""
    table: tuple[str, ...] = ()
    """The table of `source` read: `("tool", "parity-audit")` in a pyproject.toml, else the top level."""
    python: Path | None = None
    elixir: Path | None = None
    python_include: tuple[str, ...] | None = None
    elixir_include: tuple[str, ...] | None = None
    exclude_type: tuple[str, ...] | None = None
    name_map: Mapping[str, str] | None = None
    """`[map]` pins and `unpaired` names (whose Elixir side is `KEEP_UNPAIRED`)."""
    pinned_at: Mapping[str, Location] = field(default_factory=lambda: MappingProxyType({}))
    """Where each `name_map` entry is written: this file and the line of its key (of `unpaired`)."""
    infer: bool | None = None
    fail_on: str | None = None
    """One of FAIL_ON_VALUES."""
    markdown_size: str | None = None
    """One of MARKDOWN_SIZES."""
    jobs: int | None = None
    cache_dir: Path | None = None
    baseline: Path | None = None
    disabled_rules: frozenset[str] = frozenset()
    severity_overrides: Mapping[str, Severity] = field(default_factory=lambda: MappingProxyType({}))
    ignores: tuple[Ignore, ...] = ()
    out_of_scope: tuple[OutOfScope, ...] = ()
    """The `[unported]` table: globs of Python types the port leaves out on purpose, each with its reason."""

    def checkout(self, side: Literal["python", "elixir"]) -> Path | None:
        """The configured checkout of one side, checked only when it is used, so a command line overriding
        a checkout the file names (one that exists on another machine) does not fail on it."""
        path = self.python if side == "python" else self.elixir
        if path is None:
            return None
        result_cache.observe(path)
        if not path.is_dir():
            key = f"{_key_name(self.table, side)} in {self.source}"
            raise UsageError(f"The {side.capitalize()} checkout {path} ({key}) does not exist or is not a directory.")
        return path


def find_settings(config: Path | None) -> Settings:
    """The settings of `config`, else of the config file in the current directory, else empty ones."""
    if config is not None:
        result_cache.observe(config)
        if not config.is_file():
            raise UsageError(f"The config file {config} does not exist or is not a file.")
        return read_settings(config)
    dotfile = Path(CONFIG_FILE)
    result_cache.observe(dotfile)
    if dotfile.is_file():
        return read_settings(dotfile)
    pyproject = Path(PYPROJECT_FILE)
    result_cache.observe(pyproject)
    if pyproject.is_file():
        text, document = _load(pyproject)
        table = _pyproject_table(pyproject, document)
        if table is not None:
            return _FileReader(pyproject, text, PYPROJECT_TABLE).settings(table)
    return Settings()


def read_settings(path: Path) -> Settings:
    """One config file: a pyproject.toml from its `[tool.parity-audit]` table, any other file from its top level."""
    text, document = _load(path)
    if path.name != PYPROJECT_FILE:
        return _FileReader(path, text, ()).settings(document)
    table = _pyproject_table(path, document)
    if table is None:
        raise UsageError(f"{path} has no [tool.parity-audit] table.")
    return _FileReader(path, text, PYPROJECT_TABLE).settings(table)


def _load(path: Path) -> tuple[str, dict[str, object]]:
    import tomllib  # only when there is a file to read: most runs of a CI job have none

    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise UsageError(f"The config file {path} cannot be read: it is not UTF-8.") from None
    except OSError as error:
        raise UsageError(f"The config file {path} cannot be read: {error.strerror or error}.") from None
    try:
        return text, tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        # tomllib names the line of every error but one: the document ending too early.
        last_line = text.count("\n") + 1
        message = str(error).replace("at end of document", f"at the end of the file, line {last_line}")
        raise UsageError(f"{path} is not valid TOML: {message}.") from None


def _pyproject_table(path: Path, document: Mapping[str, object]) -> Mapping[str, object] | None:
    tool = document.get("tool")
    table = tool.get("parity-audit") if isinstance(tool, dict) else None
    if table is not None and not isinstance(table, dict):
        name = _key_name(PYPROJECT_TABLE[:-1], PYPROJECT_TABLE[-1])
        raise UsageError(f"{name} in {path} must be a table, got {_shown(table)}.")
    return table


def _key_name(table: tuple[str, ...], key: str) -> str:
    return repr(".".join((*table, key)))


def _shown(value: object) -> str:
    """A TOML value for a message: a scalar as written, an array or a table (which may be long) by its kind."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float | str):
        return repr(value)
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return "a date or time"


def _suggestion(word: str, known: Iterable[str]) -> str:
    import difflib  # only a mistake needs it, and most runs make none

    close = difflib.get_close_matches(word, list(known), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


class _FileReader:
    """Validates one file's table into Settings; every message names the key and the file."""

    def __init__(self, path: Path, text: str, table: tuple[str, ...]) -> None:
        self.path = path
        self.text = text
        self.table = table

    def settings(self, table: Mapping[str, object]) -> Settings:
        for key in table:
            if key not in KEYS:
                raise UsageError(f"Unknown key {self._name(key)} in {self.path}{_suggestion(key, KEYS)}.")
        return Settings(
            source=str(self.path),
            table=self.table,
            python=self._path(table, "python"),
            elixir=self._path(table, "elixir"),
            python_include=self._strings(table, "python-include"),
            elixir_include=self._strings(table, "elixir-include"),
            exclude_type=self._strings(table, "exclude-type"),
            name_map=self._name_map(table),
            pinned_at=self._pinned_at(table),
            infer=self._flag(table, "infer"),
            fail_on=self._choice(table, "fail-on", FAIL_ON_VALUES),
            markdown_size=self._choice(table, "markdown-size", MARKDOWN_SIZES),
            jobs=self._jobs(table),
            cache_dir=self._path(table, "cache-dir"),
            baseline=self._path(table, "baseline"),
            disabled_rules=frozenset(
                self._slug(self._where("disable"), slug) for slug in self._strings(table, "disable") or ()
            ),
            severity_overrides=self._severity_overrides(table),
            ignores=self._ignores(table),
            out_of_scope=self._out_of_scope(table),
        )

    def _name(self, key: str) -> str:
        return _key_name(self.table, key)

    def _where(self, key: str) -> str:
        return f"{self._name(key)} in {self.path}"

    def _wrong(self, key: str, expected: str, value: object) -> UsageError:
        return UsageError(f"{self._where(key)} must be {expected}, got {_shown(value)}.")

    def _text(self, key: str, value: object) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self._wrong(key, "a non-empty string", value)
        return value

    def _path(self, table: Mapping[str, object], key: str) -> Path | None:
        if key not in table:
            return None
        # An absolute path stays absolute; a relative one is relative to the file, wherever the run starts.
        return self.path.parent / self._text(key, table[key])

    def _strings(self, table: Mapping[str, object], key: str) -> tuple[str, ...] | None:
        if key not in table:
            return None
        values = table[key]
        if not isinstance(values, list) or not all(isinstance(v, str) and v.strip() for v in values):
            raise self._wrong(key, "an array of non-empty strings", values)
        return tuple(values)

    def _choice(self, table: Mapping[str, object], key: str, choices: tuple[str, ...]) -> str | None:
        return self._chosen(key, table[key], choices) if key in table else None

    def _chosen(self, key: str, value: object, choices: tuple[str, ...]) -> str:
        if not isinstance(value, str) or value not in choices:
            raise self._wrong(key, f"one of {', '.join(choices)}", value)
        return value

    def _jobs(self, table: Mapping[str, object]) -> int | None:
        jobs = table.get("jobs")
        if jobs is not None and (isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1):
            raise self._wrong("jobs", "an integer of at least 1", jobs)
        return jobs

    def _subtable(self, table: Mapping[str, object], key: str) -> Mapping[str, object]:
        value = table.get(key, {})
        if not isinstance(value, dict):
            raise self._wrong(key, "a table", value)
        return value

    def _flag(self, table: Mapping[str, object], key: str) -> bool | None:
        value = table.get(key)
        if value is not None and not isinstance(value, bool):
            raise self._wrong(key, "true or false", value)
        return value

    def _name_map(self, table: Mapping[str, object]) -> Mapping[str, str] | None:
        if "map" not in table and "unpaired" not in table:
            return None
        # An empty module keeps the type unpaired, as `--map Name=` does.
        entries = {
            name: module if module == KEEP_UNPAIRED else self._text(f"map.{name}", module)
            for name, module in self._subtable(table, "map").items()
        }
        entries.update(dict.fromkeys(self._strings(table, "unpaired") or (), KEEP_UNPAIRED))
        return MappingProxyType(entries)

    def _pinned_at(self, table: Mapping[str, object]) -> Mapping[str, Location]:
        if not table.get("map") and not table.get("unpaired"):
            return MappingProxyType({})
        lines = key_lines(self.text)
        unpaired_line = lines.get((*self.table, "unpaired"), 0)
        where = {name: Location(str(self.path), unpaired_line) for name in self._strings(table, "unpaired") or ()}
        for name in self._subtable(table, "map"):
            where[name] = Location(str(self.path), lines.get((*self.table, "map", name), 0))
        return MappingProxyType(where)

    def _slug(self, where: str, slug: str) -> str:
        if slug not in RULES_BY_SLUG:
            raise UsageError(
                f"{where} names {slug!r}, which is not a rule slug{_suggestion(slug, RULES_BY_SLUG)}; "
                "--list-rules shows them all."
            )
        return slug

    def _severity_overrides(self, table: Mapping[str, object]) -> Mapping[str, Severity]:
        overrides: dict[str, Severity] = {}
        for slug, severity in self._subtable(table, "severity").items():
            self._slug(self._where("severity"), slug)
            overrides[slug] = Severity(self._chosen(f"severity.{slug}", severity, tuple(Severity)))
        return MappingProxyType(overrides)

    def _out_of_scope(self, table: Mapping[str, object]) -> tuple[OutOfScope, ...]:
        entries = self._subtable(table, "unported")
        if not entries:
            return ()
        lines = key_lines(self.text)
        return tuple(
            OutOfScope(
                glob,
                self._text(f"unported.{glob}", reason),
                Location(str(self.path), lines.get((*self.table, "unported", glob), 0)),
            )
            for glob, reason in entries.items()
        )

    def _ignores(self, table: Mapping[str, object]) -> tuple[Ignore, ...]:
        entries = table.get("ignore", [])
        if not isinstance(entries, list) or not all(isinstance(entry, dict) for entry in entries):
            raise self._wrong("ignore", "an array of tables", entries)
        if not entries:
            return ()
        lines = entry_lines(self.text, (*self.table, "ignore"))
        return tuple(self._ignore(entry, line) for entry, line in zip(entries, lines, strict=True))

    def _ignore(self, entry: Mapping[str, object], line: int) -> Ignore:
        entry_name = f"{self._name('ignore')} entry on line {line} of {self.path}"
        for key in entry:
            if key not in IGNORE_KEYS:
                raise UsageError(f"Unknown key {key!r} in the {entry_name}{_suggestion(key, IGNORE_KEYS)}.")
        for key in ("type", "rule", "reason"):
            if key not in entry:
                raise UsageError(f"The {entry_name} has no {key!r}, which every ignore entry needs.")
        for key, value in entry.items():
            if not isinstance(value, str) or not value.strip():
                raise UsageError(f"{key!r} in the {entry_name} must be a non-empty string, got {_shown(value)}.")
        field_name = entry.get("field")
        return Ignore(
            rule=self._slug(f"'rule' in the {entry_name}", str(entry["rule"])),
            type_name=str(entry["type"]),
            field=None if field_name is None else str(field_name),
            reason=str(entry["reason"]),
            where=Location(str(self.path), line),
        )


# Where entries start, which tomllib does not say. The scan reads only documents tomllib accepted, so
# it can trust their shape: it tells keys, headers, strings, arrays and inline tables apart, no more.
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_SCALAR_END = ",]}\n#"


@dataclass
class _Lines:
    """What one scan of a document found: where each entry of one array of tables starts, and each key's line."""

    array: tuple[str, ...]
    entries: list[int] = field(default_factory=list)
    keys: dict[tuple[str, ...], int] = field(default_factory=dict)


def entry_lines(text: str, array: tuple[str, ...]) -> list[int]:
    """The 1-based line each entry of the array of tables at `array` starts on, in order.

    Every form counts: a `[[a.b]]` header per entry, `b = [{...}, {...}]` under `[a]`, `a.b = [...]`,
    and `a = {b = [...]}`.
    """
    return _scan(text, array).entries


def key_lines(text: str) -> dict[tuple[str, ...], int]:
    """The 1-based line of every key outside arrays, by its full dotted path: `[map]` then `A = ...`,
    `map.A = ...` and `map = {A = ...}` all give `("map", "A")`."""
    return _scan(text, ()).keys


def _scan(text: str, array: tuple[str, ...]) -> _Lines:
    found = _Lines(array)
    position = 0
    table: tuple[str, ...] = ()
    while (position := _skip_blank(text, position, newlines=True)) < len(text):
        if text.startswith("[", position):
            start = position
            brackets = 2 if text.startswith("[[", position) else 1
            table, position = _key(text, position + brackets)
            position = _skip_blank(text, position, newlines=False) + brackets
            if brackets == 2 and table == array:
                found.entries.append(_line(text, start))
        else:
            start = position
            key, position = _key(text, position)
            found.keys.setdefault((*table, *key), _line(text, start))
            position = _skip_blank(text, position, newlines=False) + 1  # the "="
            position = _value(text, position, (*table, *key), found)
    return found


def _line(text: str, position: int) -> int:
    return text.count("\n", 0, position) + 1


def _skip_blank(text: str, position: int, *, newlines: bool) -> int:
    """Past spaces and comments, and past line breaks when `newlines`."""
    blank = " \t\r\n" if newlines else " \t"
    while position < len(text):
        if text[position] == "#":
            end = text.find("\n", position)
            position = len(text) if end < 0 else end
        elif text[position] in blank:
            position += 1
        else:
            break
    return position


def _key(text: str, position: int) -> tuple[tuple[str, ...], int]:
    """A dotted key, quoted parts decoded, and the position after it."""
    import tomllib  # loaded already: only a document tomllib accepted is scanned

    parts: list[str] = []
    while True:
        position = _skip_blank(text, position, newlines=False)
        if text[position] in "\"'":
            end = _string_end(text, position)
            parts.append(tomllib.loads(f"part = {text[position:end]}")["part"])
        else:
            bare = _BARE_KEY.match(text, position)
            assert bare is not None, "tomllib accepted the document, so a key starts here"
            end = bare.end()
            parts.append(bare.group())
        position = _skip_blank(text, end, newlines=False)
        if not text.startswith(".", position):
            return tuple(parts), position
        position += 1


def _string_end(text: str, start: int) -> int:
    quote = text[start]
    delimiter = quote * 3 if text.startswith(quote * 3, start) else quote
    position = start + len(delimiter)
    while not text.startswith(delimiter, position):
        position += 2 if quote == '"' and text[position] == "\\" else 1
    end = position + len(delimiter)
    # A multi-line string may hold one or two quotes just inside its closing delimiter: `"""a""""` is `a"`.
    while len(delimiter) == 3 and end - position < 5 and text.startswith(quote, end):
        end += 1
    return end


def _value(text: str, position: int, path: tuple[str, ...] | None, found: _Lines) -> int:
    """The end of the value at `position`, which sits at `path` (None inside an array).

    Records in `found` the line of each inline table that is an element of its array, and of each key
    of an inline table outside arrays.
    """
    position = _skip_blank(text, position, newlines=False)
    opening = text[position]
    if opening in "\"'":
        return _string_end(text, position)
    if opening not in "[{":
        while position < len(text) and text[position] not in _SCALAR_END:
            position += 1
        return position
    closing = "]" if opening == "[" else "}"
    position += 1
    while (position := _skip_blank(text, position, newlines=True)) < len(text) and text[position] != closing:
        if opening == "[":
            if path == found.array and text[position] == "{":
                found.entries.append(_line(text, position))
            position = _value(text, position, None, found)
        else:
            start = position
            key, position = _key(text, position)
            inner = None if path is None else (*path, *key)
            if inner is not None:
                found.keys.setdefault(inner, _line(text, start))
            position = _skip_blank(text, position, newlines=False) + 1  # the "="
            position = _value(text, position, inner, found)
        position = _skip_blank(text, position, newlines=True)
        if text.startswith(",", position):
            position += 1
    return position + 1
