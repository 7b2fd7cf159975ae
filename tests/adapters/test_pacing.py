"""The shared limiter on a fake clock: bursts, spacing, 429s held back and slowed down, recovery."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from agentops.adapters.pacing import BURST_SHARE, HEADROOM, Pacer, Rates


class FakeTime:
    """A clock the test moves; nothing here sleeps (`reserve` returns the wait instead)."""

    def __init__(self) -> None:
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        raise AssertionError("reserve() never sleeps")


def slots(pacer: Pacer, kind: str, count: int) -> list[float]:
    """When each of `count` back-to-back requests may go, with the clock standing still."""
    return [round(pacer.reserve(kind), 6) for _ in range(count)]


def test_a_burst_goes_at_once_then_requests_are_spaced_under_the_limit() -> None:
    time = FakeTime()
    pacer = Pacer(600, 0, clock=time.clock, sleep=time.sleep)
    interval = 1 / (10 * HEADROOM)
    burst = int(10 * BURST_SHARE)
    waits = slots(pacer, "writes", 20)
    assert waits[:burst] == [0.0] * burst
    assert waits[burst:] == [round(interval * k, 6) for k in range(1, 20 - burst + 1)]
    # 20 requests never need more than the server's one-second bucket plus its refill.
    assert waits[-1] * 10 + 10 >= 20


def test_classes_are_paced_separately_and_zero_is_unpaced() -> None:
    time = FakeTime()
    pacer = Pacer(60, 0, clock=time.clock, sleep=time.sleep)
    assert slots(pacer, "reads", 50) == [0.0] * 50
    assert pacer.rate("reads") is None
    assert slots(pacer, "writes", 2) == [0.0, round(1 / HEADROOM, 6)]


def test_a_429_holds_every_thread_back_for_retry_after_and_halves_the_rate_once() -> None:
    time = FakeTime()
    pacer = Pacer(600, 0, clock=time.clock, sleep=time.sleep)
    full = pacer.rate("writes")
    assert full is not None
    slots(pacer, "writes", 5)
    for _ in range(16):  # every request in flight is answered 429 at about the same time
        pacer.throttled("writes", 2.0)
    assert pacer.throttled_count("writes") == 16
    assert pacer.rate("writes") == pytest.approx(full / 2)  # one slowdown per wave, not sixteen
    waits = slots(pacer, "writes", 3)
    assert waits[0] == pytest.approx(2.0)  # nothing before retry-after, and no burst after it
    assert waits[1] - waits[0] == pytest.approx(2 / full, abs=1e-5)
    # A 429 to a request sent after the wait is news: slower again.
    time.now = 2.5
    pacer.throttled("writes", 1.0)
    assert pacer.rate("writes") == pytest.approx(full / 4)


def test_successes_recover_the_rate_up_to_the_limit_not_beyond() -> None:
    time = FakeTime()
    pacer = Pacer(600, 0, clock=time.clock, sleep=time.sleep)
    full = pacer.rate("writes")
    pacer.throttled("writes", 1.0)
    for _ in range(24):
        pacer.ok("writes")
    recovering = pacer.rate("writes")
    assert full is not None and recovering is not None and full / 2 < recovering < full
    for _ in range(100):
        pacer.ok("writes")
    assert pacer.rate("writes") == full


def test_one_pacer_shared_by_many_threads_hands_out_distinct_slots() -> None:
    time = FakeTime()
    pacer = Pacer(6000, 0, clock=time.clock, sleep=time.sleep)
    with ThreadPoolExecutor(max_workers=16) as pool:
        waits = sorted(round(wait, 9) for wait in pool.map(lambda _: pacer.reserve("writes"), range(400)))
    interval = 1 / (100 * HEADROOM)
    burst = int(100 * BURST_SHARE)
    assert waits[:burst] == [0.0] * burst
    gaps = [b - a for a, b in zip(waits[burst - 1 :], waits[burst:], strict=False)]
    assert all(gap == pytest.approx(interval) for gap in gaps)


def test_flags_override_the_configured_rates_class_by_class() -> None:
    pacer = Rates(writes_per_minute=120).pacer(300, 0)
    assert pacer.rate("writes") == pytest.approx(2 * HEADROOM)
    assert pacer.rate("reads") is None
    assert Rates(reads_per_minute=0).pacer(300, 1200).rate("reads") is None
