"""Per-minute rate limits: token buckets on the emulator's clock, 429 + retry-after like the API."""

from __future__ import annotations

from collections.abc import Iterator

import anthropic
import pytest

from agentops.emulator import EmulatorServer, Faults, ratelimit
from agentops.emulator.ratelimit import RateLimiter
from tests.emulator.support import ManualClock, cli_emulator, run_cli
from tests.helpers import api_error, get_json, make_client, make_deployment_body, post_json, raises_api_error


@pytest.fixture
def limited(clock: ManualClock) -> Iterator[tuple[EmulatorServer, anthropic.Anthropic]]:
    faults = Faults(writes_per_minute=60, reads_per_minute=120)
    with EmulatorServer(clock=clock, faults=faults) as server, make_client(server.url) as sdk:
        yield server, sdk


def test_write_over_the_limit_is_a_429_with_retry_after(
    limited: tuple[EmulatorServer, anthropic.Anthropic], clock: ManualClock
) -> None:
    server, sdk = limited
    sdk.beta.deployments.create(**make_deployment_body(name="first"))
    with pytest.raises(anthropic.RateLimitError) as info:
        sdk.beta.deployments.create(**make_deployment_body(name="second"))
    assert info.value.response.headers["retry-after"] == "1"
    error = api_error(info.value)
    assert error["type"] == "rate_limit_error" and "60 writes per minute" in error["message"]
    assert info.value.response.json()["request_id"] == info.value.response.headers["request-id"]
    assert [d["name"] for d in server.raw_deployments()] == ["first"]  # a refused write changes nothing
    sdk.beta.deployments.list()  # reads have their own bucket
    clock.advance(1)
    sdk.beta.deployments.create(**make_deployment_body(name="second"))
    assert server.rate_limited_count() == 1
    assert get_json(sdk, "/_emulator/stats")["rate_limited"] == 1


def test_reads_have_their_own_limit(limited: tuple[EmulatorServer, anthropic.Anthropic], clock: ManualClock) -> None:
    _, sdk = limited
    sdk.beta.deployments.list()
    sdk.beta.deployments.list()  # 120/min: the bucket holds one second's worth, two reads
    with pytest.raises(anthropic.RateLimitError):
        sdk.beta.deployments.list()
    sdk.beta.deployments.create(**make_deployment_body())
    clock.advance(0.5)
    sdk.beta.deployments.list()


def test_bucket_refills_at_the_per_minute_rate(clock: ManualClock) -> None:
    limiter = RateLimiter(clock)
    accepted = 0
    for _ in range(2400):  # two simulated minutes, one attempt every 50 ms
        accepted += limiter.take("writes", 600) is None
        clock.advance(0.05)
    # 600/min over 2 minutes, plus the one-second burst the bucket starts with.
    assert 1200 <= accepted <= 1210


def test_burst_is_one_seconds_worth(clock: ManualClock) -> None:
    limiter = RateLimiter(clock)
    assert [limiter.take("writes", 600) for _ in range(11)] == [None] * 10 + [1]
    clock.advance(0.1)
    assert limiter.take("writes", 600) is None
    assert limiter.take("writes", 600) == 1
    assert limiter.take("writes", 0) is None  # 0 is unlimited


def test_retry_after_covers_the_wait(clock: ManualClock) -> None:
    limiter = RateLimiter(clock)
    assert limiter.take("writes", 2) is None
    assert limiter.take("writes", 2) == 30
    clock.advance(29)
    assert limiter.take("writes", 2) == 1
    clock.advance(1)
    assert limiter.take("writes", 2) is None


def test_limits_over_the_faults_endpoint(client: anthropic.Anthropic, emulator: EmulatorServer) -> None:
    assert post_json(client, "/_emulator/faults", {"writes_per_minute": 1})["writes_per_minute"] == 1
    client.beta.deployments.create(**make_deployment_body())
    with pytest.raises(anthropic.RateLimitError) as info:
        client.beta.deployments.create(**make_deployment_body())
    assert int(info.value.response.headers["retry-after"]) >= 59
    post_json(client, "/_emulator/faults", {"writes_per_minute": 0})
    client.beta.deployments.create(**make_deployment_body())
    with raises_api_error(400, "non-negative"):
        post_json(client, "/_emulator/faults", {"reads_per_minute": -1})


@pytest.mark.parametrize(("text", "expected"), [
    ("writes=600/min,reads=1200/min", {"writes": 600.0, "reads": 1200.0}),
    (" reads = 30/min ", {"reads": 30.0}),
    ("writes=0.5/min", {"writes": 0.5}),
])
def test_parse(text: str, expected: dict[str, float]) -> None:
    assert ratelimit.parse(text) == expected


@pytest.mark.parametrize(("text", "reason"), [
    ("", "expected writes=N/min"), ("writes=600", "expected writes=N/min"),
    ("writes=600/s", "expected writes=N/min"), ("deletes=5/min", "expected writes=N/min"),
    ("writes=x/min", "not a number"), ("writes=0/min", "positive"), ("writes=-3/min", "positive"),
    ("writes=inf/min", "positive"),
])
def test_parse_rejects(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        ratelimit.parse(text)


def test_cli_rate_limit_flag() -> None:
    with cli_emulator("--rate-limit", "writes=1/min") as url, make_client(url) as sdk:
        sdk.beta.deployments.create(**make_deployment_body())
        with pytest.raises(anthropic.RateLimitError):
            sdk.beta.deployments.create(**make_deployment_body())
        assert get_json(sdk, "/_emulator/faults")["writes_per_minute"] == 1


def test_cli_rejects_a_bad_rate_limit() -> None:
    """A usage error exits 1 like every error: 2 means only "changes present"."""
    result = run_cli("--rate-limit", "writes=fast")
    assert result.exit_code == 1 and "--rate-limit" in result.stderr and "writes=N/min" in result.stderr
