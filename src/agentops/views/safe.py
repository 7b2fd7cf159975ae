"""Text from manifests, the API or GitHub, made safe to print, with the one escaping (model/escape.py).

A newline inside a value could forge a plan line or a `::workflow-command::` in Actions, ESC
could clear the screen, `\\r` could overwrite a line, a bidi override could reorder what a
reviewer reads. The Console (views/terminal.py) applies `printable` to every document and `value`
to every message it prints, so nothing reaches a terminal or a CI log unescaped; views also use
`value` on what they put inside a line, where only they know which newlines are their own.
"""

from __future__ import annotations

from agentops.model.escape import escape

# What a document keeps: its own line structure.
LINES = "\n\t"


def printable(text: str, styles: bool = False) -> str:
    """A document of lines: every hidden character but newline and tab escaped (with `styles`,
    colour sequences pass), and no line a workflow command."""
    return escape(text, LINES, styles)


def value(text: object) -> str:
    """One value, or one whole line: newlines escaped too, so it can never start a line of its own."""
    return escape(str(text))
