"""Time as the emulator sees it: an injectable clock and RFC 3339 millisecond timestamps."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def to_us(moment: datetime) -> int:
    """Microseconds since the epoch, exactly (float timestamps lose microseconds); naive = UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def to_ms(moment: datetime) -> int:
    return to_us(moment) // 1000


def from_ms(ms: int) -> datetime:
    return _EPOCH + timedelta(milliseconds=ms)


def rfc3339(ms: int) -> str:
    """`2026-04-01T09:30:00.123Z`: the API's timestamp format."""
    moment = _EPOCH + timedelta(seconds=ms // 1000)
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + f".{ms % 1000:03d}Z"


def parse_instant(text: str) -> int:
    """Parse an RFC 3339 / ISO 8601 instant into microseconds since the epoch."""
    return to_us(datetime.fromisoformat(text.strip()))
