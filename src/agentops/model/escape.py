"""The one escaping of text that came from outside (manifests, the API, GitHub) before it is shown.

Every character that could move the cursor, end or overwrite a line, reorder or hide text (the
Unicode categories Cc, Cf, Zl and Zp: C0, DEL, C1, ANSI escapes, `\\r`, NUL, bidi controls,
zero-width characters, line separators) becomes a visible escape, and what GitHub Actions would
read as a workflow command (a line starting with `::`, or `##[` anywhere in a line) is defused,
so no value can forge an annotation, mask a word or stop command processing in a CI log.

The escapes are valid inside JSON strings (`\\u0085`, surrogate pairs above the BMP) and decode
to the original character, so a JSON document passes through unchanged in meaning; C0 characters
(which a JSON encoder has already escaped) are written `\\x1b`, as a terminal user reads them.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Cc, Cf, Zl and Zp as of Unicode 15, as (first, last) code points (tests/model/test_escape.py
# checks this against the running Python's unicodedata).
HIDDEN = (
    (0x00, 0x1F), (0x7F, 0x9F), (0xAD, 0xAD), (0x600, 0x605), (0x61C, 0x61C), (0x6DD, 0x6DD), (0x70F, 0x70F),
    (0x890, 0x891), (0x8E2, 0x8E2), (0x180E, 0x180E), (0x200B, 0x200F), (0x2028, 0x202E), (0x2060, 0x2064),
    (0x2066, 0x206F), (0xFEFF, 0xFEFF), (0xFFF9, 0xFFFB), (0x110BD, 0x110BD), (0x110CD, 0x110CD),
    (0x13430, 0x1343F), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A), (0xE0001, 0xE0001), (0xE0020, 0xE007F),
)
# An SGR sequence (colour, bold): what click.style writes for a terminal that asked for colour.
_STYLE = "\x1b\\[[0-9;]*m"
# `::command::` after leading whitespace (the runner trims it), and the older `##[command]` anywhere.
_COMMAND_LINE = re.compile(r"^([^\S\n]*):(?=:)", re.M)
_OLD_COMMAND = "##["


def code(char: str) -> str:
    """One character as a visible escape that is also a valid JSON string escape."""
    point = ord(char)
    if point < 0x20:
        return f"\\x{point:02x}"
    if point < 0x10000:
        return f"\\u{point:04x}"
    high, low = divmod(point - 0x10000, 0x400)
    return f"\\u{0xD800 + high:04x}\\u{0xDC00 + low:04x}"


def _class(ranges: list[tuple[int, int]]) -> str:
    return "[" + "".join(re.escape(chr(a)) + (f"-{re.escape(chr(b))}" if b > a else "") for a, b in ranges) + "]"


@lru_cache(maxsize=16)
def _pattern(keep: str, styles: bool, ascii_only: bool) -> re.Pattern[str]:
    """One regex character class of the hidden characters but `keep`. Above the BMP it matches
    every character (`_replace` leaves the visible ones alone): a class with astral ranges is
    several times slower to scan, and astral characters are rare. Text that is all ASCII is
    scanned for C0 and DEL only."""
    kept = {ord(char) for char in keep}
    ranges: list[tuple[int, int]] = []
    for first, last in HIDDEN:
        if (ascii_only and first > 0x7F) or first > 0xFFFF:
            continue
        for point in range(first, min(last, 0x7F if ascii_only else last) + 1):
            if point in kept:
                continue
            if ranges and ranges[-1][1] == point - 1:
                ranges[-1] = (ranges[-1][0], point)
            else:
                ranges.append((point, point))
    if not ascii_only:
        ranges.append((0x10000, 0x10FFFF))
    hidden = _class(ranges)
    return re.compile(f"({_STYLE})|{hidden}" if styles else hidden)


def _is_hidden(point: int) -> bool:
    return any(first <= point <= last for first, last in HIDDEN)


def _replace(match: re.Match[str]) -> str:
    style = match.group(1) if match.re.groups else None
    if style:
        return style
    char = match.group()
    return code(char) if _is_hidden(ord(char)) else char


def escape(text: str, keep: str = "", styles: bool = False) -> str:
    """`text` safe to print: hidden characters escaped (except those in `keep`, e.g. "\\n\\t" for a
    document of lines; with `styles`, colour sequences pass) and workflow commands defused."""
    text = _pattern(keep, styles, text.isascii()).sub(_replace, text)
    if "::" in text:
        text = _COMMAND_LINE.sub(lambda m: m.group(1) + code(":"), text)
    if _OLD_COMMAND in text:
        text = text.replace(_OLD_COMMAND, code("#") + "#[")
    return text
