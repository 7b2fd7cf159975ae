"""`agentops status` as a table for a terminal."""

from __future__ import annotations

from typing import Any

from agentops.views.safe import value

COLUMNS = ("NAME", "STATUS", "SCHEDULE", "NEXT RUN", "LAST RUN", "DRIFT")


def _drift_text(row: dict[str, Any]) -> str:
    if row["state"] == "not_deployed":
        return "no deployment (apply creates it)"
    if row["state"] == "no_manifest":
        return "no manifest (apply archives it)"
    if row["state"] == "untagged":
        return "not managed yet (agentops import or plan --adopt)"
    if row["state"] == "duplicate":
        return "duplicate (apply archives it)"
    return "drifted: " + ", ".join(row["drift"]) if row["drifted"] else "in sync"


def _cells(row: dict[str, Any]) -> tuple[str, ...]:
    schedule = row["schedule"]
    when = f"{schedule['expression']} ({schedule['timezone']})" if schedule else "-"
    return tuple(value(cell) for cell in (
        row["name"],
        row["status_text"],
        when,
        row["next_run"] or "-",
        row["last_run"] or "-",
        _drift_text(row),
    ))


def render_table(table: list[dict[str, Any]]) -> str:
    lines = [COLUMNS, *(_cells(row) for row in table)]
    widths = [max(len(line[i]) for line in lines) for i in range(len(COLUMNS))]
    text = "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in lines
    )
    return text + "\n"
