"""Text from manifests or the API, made safe to print: control characters become visible escapes.

A newline inside a value could forge a plan line or a `::workflow-command::` in Actions, ESC
could clear the screen, `\\r` could overwrite a line, a bidi override could reorder what a
reviewer reads. Values are escaped; the lines a view writes itself are left alone.
"""

from __future__ import annotations

import re

# C0 except tab and newline, DEL, C1, and the bidi controls (embeddings, overrides, isolates, marks).
_UNSAFE_IN_LINE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_UNSAFE_IN_VALUE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """Multi-line output with every control character but newline and tab escaped."""
    return _UNSAFE_IN_LINE.sub(_escape, text)


def value(text: object) -> str:
    """One value on one line: newlines escaped too (a value can never start a line of its own)."""
    return _UNSAFE_IN_VALUE.sub(_escape, str(text))
