"""Client-side pacing: one limiter per run, shared by every thread that calls the API.

The API documents its limits per minute but enforces them continuously (a 60/min limit may
be enforced as one request a second), so each request class gets a token bucket holding a
fraction of a second's worth of requests, refilled slightly below the configured rate: a
parallel apply then meets almost no 429s, where without pacing most of its writes would.
A 429 still happens (other clients share the organization's limits): its `retry-after` holds
back every thread of that class, the rate drops, and it climbs back with each success.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

# Stay this far under the configured rate and start with half of the server's one-second
# bucket, so timing jitter between client and server does not turn into 429s.
HEADROOM = 0.97
BURST_SHARE = 0.5
# After a 429 the rate is cut to this share; each success recovers this share of the limit.
SLOWDOWN = 0.5
RECOVERY = 0.02
FLOOR_SHARE = 0.05


@dataclass
class _Class:
    """One request class's limit, as a virtual schedule (GCRA): `due` is when the bucket is empty."""

    limit: float  # requests per second, the most this class is ever sent at
    rate: float
    burst: int  # requests that may go at once on a full bucket
    due: float = 0.0
    throttled: int = 0
    # 429s answered to requests sent before the last slowdown took effect say nothing new.
    slowed_until: float = 0.0


class Pacer:
    """`wait(kind)` before each request; `throttled(kind, retry_after)` on a 429; `ok(kind)` after success.

    `kind` is "writes" or "reads"; a limit of 0 (or less) leaves that class unpaced.
    """

    def __init__(
        self,
        writes_per_minute: float,
        reads_per_minute: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._classes: dict[str, _Class] = {}
        for kind, per_minute in (("writes", writes_per_minute), ("reads", reads_per_minute)):
            if per_minute > 0:
                limit = per_minute / 60 * HEADROOM
                self._classes[kind] = _Class(limit, limit, max(1, int(per_minute / 60 * BURST_SHARE)))

    def reserve(self, kind: str) -> float:
        """Claim the next slot of `kind`; the seconds to wait before sending (0 when it may go now)."""
        paced = self._classes.get(kind)
        if paced is None:
            return 0.0
        with self._lock:
            now = self._clock()
            due = max(paced.due, now)
            start = max(now, due - (paced.burst - 1) / paced.rate)
            paced.due = due + 1 / paced.rate
            return start - now

    def wait(self, kind: str) -> None:
        delay = self.reserve(kind)
        if delay > 0:
            self._sleep(delay)

    def throttled(self, kind: str, retry_after: float | None) -> None:
        """A 429: nothing of `kind` goes before `retry_after` seconds, and the rate drops."""
        paced = self._classes.get(kind)
        if paced is None:
            return
        with self._lock:
            paced.throttled += 1
            now = self._clock()
            if now >= paced.slowed_until:
                paced.rate = max(paced.limit * FLOOR_SHARE, paced.rate * SLOWDOWN)
            # No burst after a 429: the bucket restarts empty once the wait is over.
            hold = now + (retry_after or 1 / paced.rate)
            paced.slowed_until = max(paced.slowed_until, hold)
            paced.due = max(paced.due, hold + (paced.burst - 1) / paced.rate)

    def ok(self, kind: str) -> None:
        """A success: the rate climbs back towards the limit."""
        paced = self._classes.get(kind)
        if paced is not None and paced.rate < paced.limit:
            with self._lock:
                paced.rate = min(paced.limit, paced.rate + paced.limit * RECOVERY)

    def rate(self, kind: str) -> float | None:
        """The current requests per second of `kind` (None when unpaced): what an ETA can count on."""
        paced = self._classes.get(kind)
        return None if paced is None else paced.rate

    def throttled_count(self, kind: str) -> int:
        paced = self._classes.get(kind)
        return 0 if paced is None else paced.throttled


@dataclass(frozen=True)
class Rates:
    """Requests per minute per class as given by flags; None defers to agentops.yaml's `api:`."""

    writes_per_minute: float | None = None
    reads_per_minute: float | None = None

    def resolved(self, writes_per_minute: float, reads_per_minute: float) -> tuple[float, float]:
        """The rates in force: these flags, the given configured ones where no flag was given."""
        return (
            writes_per_minute if self.writes_per_minute is None else self.writes_per_minute,
            reads_per_minute if self.reads_per_minute is None else self.reads_per_minute,
        )

    def pacer(self, writes_per_minute: float, reads_per_minute: float) -> Pacer:
        return Pacer(*self.resolved(writes_per_minute, reads_per_minute))


AS_CONFIGURED = Rates()  # no flags: agentops.yaml decides
