"""How counts read in messages: one noun, singular or plural."""

from __future__ import annotations


def plural(count: object, noun: str) -> str:
    """`1 file`, `2 files` (a count that is not 1, or not a number, takes the plural)."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
