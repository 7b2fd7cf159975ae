"""Apply against an emulator that enforces per-minute limits, through the real SDK over HTTP.

Counts are asserted (429s, deployments per name), never durations.
"""

from __future__ import annotations

from collections import Counter

import pytest

from agentops.emulator import EmulatorServer, Faults
from tests.stack import Stack, manifest

N = 40


@pytest.fixture
def limited(stack: Stack, emulator: EmulatorServer) -> Stack:
    emulator.faults = Faults(writes_per_minute=600)
    stack.write(*(manifest(f"paced-{i:02d}") for i in range(N)))
    return stack


def per_name(emulator: EmulatorServer) -> Counter[str]:
    return Counter(d["metadata"]["agentops.name"] for d in emulator.raw_deployments())


def test_paced_to_the_limit_a_parallel_apply_meets_no_429(limited: Stack, emulator: EmulatorServer) -> None:
    result = limited.apply("--parallelism", "16", "--writes-per-minute", "600")
    assert result.exit_code == 0, result.output
    assert "Pacing writes at 582 per minute: about 4 s for 40." in result.output
    assert emulator.rate_limited_count() == 0
    assert per_name(emulator) == Counter({f"paced-{i:02d}": 1 for i in range(N)})


def test_paced_too_fast_it_slows_down_on_429s_and_still_creates_each_once(
    limited: Stack, emulator: EmulatorServer
) -> None:
    # Twice the server's limit (as when other clients share the organization's): unpaced, about
    # every write meets a 429 (41 for these 40 when measured); the first wave of 429s halves the
    # rate and holds every thread back for retry-after, which ends them. Measured 4-11 on a busy
    # 2-core machine (threads that start late meet the second wave), so the bound is half of
    # the unpaced figure: still a test that the slow-down happens.
    result = limited.apply("--parallelism", "16", "--writes-per-minute", "1200")
    assert result.exit_code == 0, result.output
    throttled = emulator.rate_limited_count()
    assert 0 < throttled <= N // 2
    assert per_name(emulator) == Counter({f"paced-{i:02d}": 1 for i in range(N)})
    assert len(emulator.writes()) == N + throttled


def test_the_limits_come_from_agentops_yaml_when_no_flag_is_given(limited: Stack, emulator: EmulatorServer) -> None:
    (limited.root / "agentops.yaml").write_text("stack: team-a\napi: {writes_per_minute: 600}\n")
    result = limited.apply("--parallelism", "16")
    assert result.exit_code == 0, result.output
    assert "Pacing writes at 582 per minute" in result.output
    assert emulator.rate_limited_count() == 0
    assert sum(per_name(emulator).values()) == N


def test_a_bad_api_setting_is_one_clear_error_and_no_request(stack: Stack, emulator: EmulatorServer) -> None:
    (stack.root / "agentops.yaml").write_text("stack: team-a\napi: {writes_per_minute: -5}\n")
    stack.write(manifest("one"))
    result = stack.apply()
    assert result.exit_code == 1
    assert "agentops.yaml:2" in result.output and "api.writes_per_minute" in result.output
    assert emulator.requests == []
