"""Text taken from audited code, made safe to show: one rule for every report.

Control characters (C0, DEL, C1) could move a terminal's cursor or recolour a log; U+2028/U+2029 break
lines for readers that split on them; lone surrogates cannot be encoded; bidirectional controls make
a name display as another (a spoofed field name). Each becomes U+FFFD, so a reader sees that
something was there. A report that handles some of these itself (escapes or folds line breaks)
keeps them for that.
"""

from __future__ import annotations

import re
from functools import cache

_UNSAFE = (
    (0x00, 0x1F),
    (0x7F, 0x9F),
    (0x2028, 0x2029),
    (0xD800, 0xDFFF),
    (0x061C, 0x061C),
    (0x200E, 0x200F),
    (0x202A, 0x202E),
    (0x2066, 0x2069),
)
"""Ranges of unsafe code points, both ends included."""


@cache
def _pattern(kept: str) -> re.Pattern[str]:
    """One character class of the unsafe characters but the kept ones: a lookahead to skip those took five
    times as long on every string, and the text report cleans thousands."""
    ranges: list[tuple[int, int]] = []
    for start, end in _UNSAFE:
        for code in sorted({ord(character) for character in kept if start <= ord(character) <= end}):
            if start < code:
                ranges.append((start, code - 1))
            start = code + 1
        if start <= end:
            ranges.append((start, end))
    return re.compile("[" + "".join(f"\\U{start:08x}-\\U{end:08x}" for start, end in ranges) + "]")


def replace_unsafe(text: str, kept: str = "") -> str:
    """`text` with every unsafe character but those in `kept` replaced by U+FFFD."""
    if text.isprintable():  # most text: every unsafe character is a control, format or separator character
        return text
    return _pattern(kept).sub("\N{REPLACEMENT CHARACTER}", text)
