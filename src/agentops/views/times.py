"""Times as a person reads them: in the schedule's own timezone, e.g. `Mon 2026-12-01 09:00 CET`.

Views never read the clock; "now" comes from the command layer.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from agentops.model import cron


def zone_of(name: object) -> tzinfo | None:
    try:
        return ZoneInfo(str(name)) if name else None
    except (ZoneInfoNotFoundError, ValueError):
        return None


def human(moment: datetime | str | None, zone: tzinfo | None = None) -> str:
    """`Mon 2026-12-01 09:00 CET` in `zone` (UTC when unknown); "-" for no time, the text itself when unparsable."""
    if moment is None or moment == "":
        return "-"
    when = moment
    if isinstance(moment, str):
        try:
            when = datetime.fromisoformat(moment.replace("Z", "+00:00"))
        except ValueError:
            return moment
    assert isinstance(when, datetime)
    local = when.astimezone(zone or ZoneInfo("UTC"))
    return local.strftime("%a %Y-%m-%d %H:%M %Z")


def next_fire_times(schedule: dict[str, object] | None, now: datetime | None, count: int = 3) -> list[str]:
    """The next `count` fire times of a cron schedule after `now`, human and in its timezone."""
    if not schedule or now is None:
        return []
    zone = zone_of(schedule.get("timezone"))
    try:
        spec = cron.parse(str(schedule.get("expression", "")))
    except cron.CronError:
        return []
    if zone is None:
        return []
    return [human(fire, zone) for fire in cron.next_runs(spec, zone, now, count)]
