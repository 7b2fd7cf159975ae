"""The one escaping: every hidden character visible, JSON kept valid and lossless, workflow commands defused."""

from __future__ import annotations

import json
import sys
import unicodedata

import pytest

from agentops.model.escape import HIDDEN, escape

CATEGORIES = {"Cc", "Cf", "Zl", "Zp"}


def _listed() -> set[int]:
    return {point for first, last in HIDDEN for point in range(first, last + 1)}


def test_the_table_holds_every_hidden_character_this_python_knows() -> None:
    known = {p for p in range(sys.maxunicode + 1) if unicodedata.category(chr(p)) in CATEGORIES}
    assert known <= _listed()
    # Anything more is a character a later Unicode version assigned (this table is Unicode 15's).
    assert all(unicodedata.category(chr(p)) == "Cn" for p in _listed() - known)


def test_every_hidden_character_is_escaped_and_round_trips_through_json() -> None:
    for point in sorted(_listed()):
        char = chr(point)
        assert escape(f"a{char}b").isprintable(), hex(point)
        document = json.dumps({"v": f"a{char}b"}, ensure_ascii=False)
        assert json.loads(escape(document, "\n\t"))["v"] == f"a{char}b", hex(point)


def test_visible_text_passes_unchanged() -> None:
    text = "café → 日本語 😀 tab\there ::not-at-start ## [x]"
    assert escape(text, "\n\t") == text


@pytest.mark.parametrize(("text", "shown"), [
    ("::error file=a::x", "\\u003a:error file=a::x"),
    ("  \u3000::warning::y", "  \u3000\\u003a:warning::y"),
    ("ok ##[error]z", "ok \\u0023#[error]z"),
    ("line\n::notice::n", "line\\x0a::notice::n"),  # no longer a line of its own
])
def test_workflow_commands_are_defused(text: str, shown: str) -> None:
    assert escape(text) == shown


def test_a_document_keeps_its_lines_and_defuses_each() -> None:
    assert escape("a\n::error::x\n\tb\r", "\n\t") == "a\n\\u003a:error::x\n\tb\\x0d"


def test_styles_pass_only_when_asked_and_only_colour() -> None:
    coloured = "\x1b[31mred\x1b[0m \x1b[2J\x1b]0;t\x07"
    assert escape(coloured, styles=True) == "\x1b[31mred\x1b[0m \\x1b[2J\\x1b]0;t\\x07"
    assert "\x1b" not in escape(coloured)
