"""`agentops status` as a table for a terminal: times in each schedule's timezone, as wide as the screen."""

from __future__ import annotations

from typing import Any

from agentops.views.safe import value
from agentops.views.times import human, zone_of

COLUMNS = ("NAME", "STATUS", "SCHEDULE", "NEXT RUN", "LAST RUN", "DRIFT")
GAP = "  "
# No column is cut narrower than this (or than its header): past it, the table is wider than the screen.
MIN_WIDTH = 8
ELLIPSIS = "…"


def _cells(row: dict[str, Any]) -> tuple[str, ...]:
    schedule = row["schedule"]
    when = f"{schedule['expression']} ({schedule['timezone']})" if schedule else "-"
    zone = zone_of(schedule["timezone"]) if schedule else None
    return tuple(value(cell) for cell in (
        row["name"],
        row["status_text"],
        when,
        human(row["next_run"], zone),
        human(row["last_run"], zone),
        row["verdict"],
    ))


def _fit(widths: list[int], width: int) -> list[int]:
    """Narrow the widest columns, one character at a time, until the table fits in `width`."""
    widths = list(widths)
    floors = [max(MIN_WIDTH, len(title)) for title in COLUMNS]
    while sum(widths) + len(GAP) * (len(widths) - 1) > width:
        shrinkable = [i for i, w in enumerate(widths) if w > floors[i]]
        if not shrinkable:
            break
        widest = max(shrinkable, key=lambda i: widths[i])
        widths[widest] -= 1
    return widths


def _cut(cell: str, width: int) -> str:
    return cell if len(cell) <= width else cell[: width - 1] + ELLIPSIS


def render_table(table: list[dict[str, Any]], width: int | None = None) -> str:
    """The rows as aligned columns; with `width`, the widest columns are cut with … to fit it."""
    lines = [COLUMNS, *(_cells(row) for row in table)]
    widths = [max(len(line[i]) for line in lines) for i in range(len(COLUMNS))]
    if width is not None:
        widths = _fit(widths, width)
    text = "\n".join(
        GAP.join(_cut(cell, w).ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip()
        for line in lines
    )
    return text + "\n"


def _on(version: dict[str, Any], first: bool) -> str:
    count = len(version["deployments"])
    label = f"v{version['version']}" if version["version"] is not None else "the latest version"
    return (f"{count} deployment{'' if count == 1 else 's'} on {label}" if first else f"{count} on {label}") + (
        " (behind)" if version["behind"] else "")


def render_agent_lines(agents: list[dict[str, Any]]) -> str:
    """One line per agent: `agent triage-bot v5: 3 deployments on v5, 1 on v4 (behind)`."""
    lines = []
    for row in agents:
        newest = f" v{row['version']}" if row["version"] is not None else ""
        state = " (archived)" if row["archived"] else "" if row["found"] else " (not found)"
        pinned = ", ".join(_on(version, index == 0) for index, version in enumerate(row["versions"]))
        lines.append(value(f"agent {row['name']}{newest}{state}: {pinned or 'no deployments'}"))
    return "".join(f"{line}\n" for line in lines)
