"""Text from manifests or the API, made safe to print: control characters become visible escapes.

A newline inside a value could forge a plan line or a `::workflow-command::` in Actions, ESC
could clear the screen, `\\r` could overwrite a line, a bidi override could reorder what a
reviewer reads. Values are escaped; the lines a view writes itself are left alone.
"""

from __future__ import annotations

import re

# C0 except tab and newline, DEL, C1, line/paragraph separators, zero-width and BOM characters,
# and the bidi controls (marks, embeddings, overrides, isolates).
_INVISIBLE = "\x7f-\x9f\u061c\u200b-\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff"
_UNSAFE_IN_LINE = re.compile(f"[\x00-\x08\x0b-\x1f{_INVISIBLE}]")
_UNSAFE_IN_VALUE = re.compile(f"[\x00-\x1f{_INVISIBLE}]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """Multi-line output with every control character but newline and tab escaped."""
    return _UNSAFE_IN_LINE.sub(_escape, text)


def value(text: object) -> str:
    """One value on one line: newlines escaped too (a value can never start a line of its own)."""
    return _UNSAFE_IN_VALUE.sub(_escape, str(text))
