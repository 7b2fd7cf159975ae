"""Per-minute request limits, modelled as the API's token buckets (one per request class).

The API documents its limits per minute but enforces them continuously: a bucket holds about
one second's worth of requests and refills at the per-minute rate, so a burst is refused long
before a minute's allowance is spent. Buckets are per emulator (the limits are the
organization's), and time comes from the emulator's clock, so tests need no sleeps.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass

from agentops.emulator.clock import Clock, to_us

CLASSES = ("writes", "reads")


def parse(text: str) -> dict[str, float]:
    """`writes=600/min,reads=1200/min` as `{"writes": 600.0, "reads": 1200.0}`; a ValueError names the bad part."""
    limits: dict[str, float] = {}
    for part in filter(None, (piece.strip() for piece in text.split(","))):
        name, _, value = part.partition("=")
        number, _, unit = value.strip().partition("/")
        if name.strip() not in CLASSES or unit.strip() != "min":
            raise ValueError(f"{part!r}: expected writes=N/min or reads=N/min")
        try:
            rate = float(number)
        except ValueError:
            raise ValueError(f"{part!r}: {number!r} is not a number") from None
        if not 0 < rate < math.inf:
            raise ValueError(f"{part!r}: the rate must be a positive number")
        limits[name.strip()] = rate
    if not limits:
        raise ValueError("expected writes=N/min and/or reads=N/min")
    return limits


@dataclass
class _Bucket:
    tokens: float
    at_us: int


class RateLimiter:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[str, _Bucket] = {}

    def take(self, kind: str, per_minute: float) -> int | None:
        """Spend one request of `kind`; None if allowed, else the seconds to wait (retry-after)."""
        if per_minute <= 0:
            return None
        capacity = max(1.0, per_minute / 60)
        per_us = per_minute / 60_000_000
        now = to_us(self._clock())
        with self._lock:
            bucket = self._buckets.setdefault(kind, _Bucket(capacity, now))
            # A clock set back (tests) refills nothing rather than draining the bucket.
            bucket.tokens = min(capacity, bucket.tokens + max(0, now - bucket.at_us) * per_us)
            bucket.at_us = max(bucket.at_us, now)
            if bucket.tokens >= 1:
                bucket.tokens -= 1
                return None
            # The API's retry-after is whole seconds; rounding up never invites an early retry.
            return max(1, math.ceil((1 - bucket.tokens) / per_us / 1_000_000))
