"""Cron fire times as the API documents them around DST: skipped times never fire, doubled ones twice."""

from __future__ import annotations

from datetime import datetime

from agentops.model import cron


def _fires(expression: str, zone: str, after: str, count: int) -> list[str]:
    runs = cron.next_runs(cron.parse(expression), cron.check_timezone(zone), datetime.fromisoformat(after), count)
    return [run.strftime("%Y-%m-%dT%H:%MZ") for run in runs]


def test_a_doubled_local_time_fires_twice_in_order() -> None:
    # Europe/Berlin falls back on 2026-10-25: 02:00-03:00 local happens twice.
    assert _fires("30 2 * * *", "Europe/Berlin", "2026-10-24T12:00:00+00:00", 3) == [
        "2026-10-25T00:30Z", "2026-10-25T01:30Z", "2026-10-26T01:30Z",
    ]
    # Two slots in the fold interleave by instant, not by wall time.
    assert _fires("15,45 1 * * *", "America/New_York", "2026-11-01T00:00:00+00:00", 4) == [
        "2026-11-01T05:15Z", "2026-11-01T05:45Z", "2026-11-01T06:15Z", "2026-11-01T06:45Z",
    ]


def test_a_skipped_local_time_does_not_fire() -> None:
    # Europe/Berlin springs forward on 2026-03-29: 02:30 local does not exist that day.
    assert _fires("30 2 * * *", "Europe/Berlin", "2026-03-28T12:00:00+00:00", 2) == [
        "2026-03-30T00:30Z", "2026-03-31T00:30Z",
    ]
