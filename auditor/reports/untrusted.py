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

_UNSAFE = "\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"


@cache
def _pattern(kept: str) -> re.Pattern[str]:
    if not kept:
        return re.compile(f"[{_UNSAFE}]")
    return re.compile(f"(?![{re.escape(kept)}])[{_UNSAFE}]")


def replace_unsafe(text: str, kept: str = "") -> str:
    """`text` with every unsafe character but those in `kept` replaced by U+FFFD."""
    return _pattern(kept).sub("\N{REPLACEMENT CHARACTER}", text)
