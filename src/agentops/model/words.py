"""How counts read in messages: one noun, singular or plural."""

from __future__ import annotations

from collections.abc import Iterable


def plural(count: object, noun: str) -> str:
    """`1 file`, `2 files` (a count that is not 1, or not a number, takes the plural)."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def distance(a: str, b: str) -> int:
    """Edit distance: insertions, deletions, substitutions and swaps of neighbours (`aply` -> `apply`: 1)."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i]
        for j, y in enumerate(b, 1):
            cost = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y))
            if i > 1 and j > 1 and x == b[j - 2] and a[i - 2] == y:
                cost = min(cost, previous2[j - 2] + 1)
            current.append(cost)
        previous2, previous = previous, current
    return previous[-1]


def closest(word: str, vocabulary: Iterable[str]) -> list[str]:
    """The words of `vocabulary` nearest `word` by edit distance (case aside), if near enough to be
    a typo (at most a third of its length): one, or the few tied for nearest."""
    limit = max(1, len(word) // 3)
    scored = sorted((distance(word.lower(), known.lower()), known) for known in set(vocabulary))
    if not scored or scored[0][0] > limit:
        return []
    return [known for score, known in scored if score == scored[0][0]][:3]


def did_you_mean(word: str, vocabulary: Iterable[str]) -> str | None:
    """`did you mean 'apply'?` (or `'a' or 'b'`), or None when nothing is near."""
    found = closest(word, vocabulary)
    return f"did you mean {' or '.join(repr(known) for known in found)}?" if found else None
