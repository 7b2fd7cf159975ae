"""Injected faults as the SDK sees them, and the request statistics tests rely on."""

from __future__ import annotations

import contextlib

import anthropic
import pytest

from agentops.emulator import EmulatorServer, Faults
from agentops.model.errors import ERROR_CODES
from tests.helpers import (
    SDK_ERRORS,
    api_error,
    get_json,
    make_client,
    make_deployment_body,
    post_json,
    raises_api_error,
)


def test_rate_limit_with_retry_after(client: anthropic.Anthropic, emulator: EmulatorServer) -> None:
    emulator.faults = Faults(rate_429=1.0, retry_after=3.5)
    with pytest.raises(anthropic.RateLimitError) as info:
        client.beta.deployments.create(**make_deployment_body())
    assert info.value.response.headers["retry-after"] == "3.5"
    assert api_error(info.value)["type"] == "rate_limit_error"
    assert "x-should-retry" not in info.value.response.headers
    assert emulator.raw_deployments() == []
    assert emulator.write_count() == 1
    assert emulator.requests == [("POST", "/v1/deployments", 429)]


def test_server_error(client: anthropic.Anthropic, emulator: EmulatorServer) -> None:
    emulator.faults.rate_5xx = 1.0
    with pytest.raises(anthropic.InternalServerError) as info:
        client.beta.deployments.list()
    assert info.value.status_code == 500
    assert "x-should-retry" not in info.value.response.headers
    assert emulator.requests == [("GET", "/v1/deployments", 500)]


def test_sdk_retries_faults_when_allowed(emulator: EmulatorServer) -> None:
    emulator.faults = Faults(rate_429=0.5, retry_after=0.01, seed=7)  # the SDK ignores 0
    with make_client(emulator.url, max_retries=10) as sdk:
        for _ in range(5):
            sdk.beta.deployments.list()
    statuses = [status for _, _, status in emulator.requests]
    assert statuses.count(200) == 5 and 429 in statuses


def test_dropped_write_is_committed(client: anthropic.Anthropic, emulator: EmulatorServer) -> None:
    emulator.faults.drop_rate = 1.0
    with pytest.raises(anthropic.APIConnectionError):
        client.beta.deployments.create(**make_deployment_body(name="ghost"))
    assert emulator.requests == [("POST", "/v1/deployments", 0)]
    emulator.faults.drop_rate = 0.0
    # Reads are never dropped, and the lost create is there.
    assert [d.name for d in client.beta.deployments.list()] == ["ghost"]
    assert emulator.write_count() == 1


def test_latency_times_out_a_short_client_timeout(emulator: EmulatorServer) -> None:
    emulator.faults.latency = 0.5
    with make_client(emulator.url, timeout=0.05) as sdk, pytest.raises(anthropic.APITimeoutError):
        sdk.beta.deployments.list()


def test_faults_and_stats_over_http(client: anthropic.Anthropic, emulator: EmulatorServer) -> None:
    assert get_json(client, "/_emulator/faults")["rate_429"] == 0.0
    updated = post_json(client, "/_emulator/faults", {"rate_5xx": 1.0, "seed": 3})
    assert updated["rate_5xx"] == 1.0 and emulator.faults.rate_5xx == 1.0
    with pytest.raises(anthropic.InternalServerError):
        client.beta.deployments.create(**make_deployment_body())
    stats = get_json(client, "/_emulator/stats")
    assert stats == {"write_count": 1, "rate_limited": 0, "requests": [["POST", "/v1/deployments", 500]]}
    post_json(client, "/_emulator/reset-stats")
    assert emulator.write_count() == 0 and emulator.requests == []
    with raises_api_error(400, "unknown fault"):
        post_json(client, "/_emulator/faults", {"rate_teapot": 1})
    with raises_api_error(400, "between 0 and 1"):
        post_json(client, "/_emulator/faults", {"drop_rate": 2})


def test_counts_reset(client: anthropic.Anthropic, emulator: EmulatorServer) -> None:
    created = client.beta.deployments.create(**make_deployment_body())
    client.beta.deployments.retrieve(created.id)
    assert emulator.write_count() == 1 and len(emulator.requests) == 2
    emulator.reset_counts()
    assert emulator.write_count() == 0 and emulator.requests == []


def test_seeded_faults_are_reproducible() -> None:
    def pattern() -> list[int]:
        with EmulatorServer(faults=Faults(rate_5xx=0.5, seed=42)) as server, make_client(server.url) as sdk:
            for _ in range(12):
                with contextlib.suppress(anthropic.InternalServerError):
                    sdk.beta.deployments.list()
            return [status for _, _, status in server.requests]

    assert pattern() == pattern()


@pytest.mark.parametrize("code", sorted(SDK_ERRORS))
def test_each_typed_error_reaches_the_sdk_as_its_class(
    code: str, client: anthropic.Anthropic, emulator: EmulatorServer
) -> None:
    emulator.faults = Faults(error_code=code, retry_after=2.5)
    with pytest.raises(anthropic.APIStatusError) as info:
        client.beta.deployments.create(**make_deployment_body())
    error = info.value
    assert isinstance(error, SDK_ERRORS[code])
    assert (error.status_code, error.error_code) == (ERROR_CODES[code].status, code)
    assert api_error(error)["details"]["error_code"] == code
    assert error.request_id == error.response.headers["request-id"]
    # Only the error that says when to ask again carries Retry-After.
    expected = "2.5" if ERROR_CODES[code].retry else None
    assert error.response.headers.get("retry-after") == expected
    assert emulator.raw_deployments() == []


def test_approval_required_names_its_field(client: anthropic.Anthropic, emulator: EmulatorServer) -> None:
    emulator.faults = Faults(error_code="approval_required")
    with pytest.raises(anthropic.BadRequestError) as info:
        client.beta.deployments.list()
    assert api_error(info.value)["details"] == {"error_code": "approval_required", "field": "human_review"}
    assert api_error(info.value)["type"] == "invalid_request_error"


def test_a_typed_error_only_for_one_method_and_a_number_of_times(
    client: anthropic.Anthropic, emulator: EmulatorServer
) -> None:
    post_json(client, "/_emulator/faults", {"error_code": "environment_update_disabled",
                                            "error_code_method": "POST", "error_code_times": 2})
    client.beta.deployments.list()  # reads are untouched
    for _ in range(2):
        with pytest.raises(anthropic.PermissionDeniedError):
            client.beta.deployments.create(**make_deployment_body())
    client.beta.deployments.create(**make_deployment_body())
    assert [status for _, _, status in emulator.requests] == [200, 403, 403, 200]
    assert get_json(client, "/_emulator/faults")["error_code_times"] == 0


def test_a_code_the_sdk_does_not_know_is_a_plain_400(client: anthropic.Anthropic, emulator: EmulatorServer) -> None:
    emulator.faults = Faults(error_code="brand_new_code")
    with pytest.raises(anthropic.BadRequestError) as info:
        client.beta.deployments.list()
    assert info.value.error_code == "brand_new_code" and type(info.value) is anthropic.BadRequestError


@pytest.mark.parametrize("settings", [
    {"error_code": "Not A Code"}, {"error_code_method": "PUT"}, {"error_code_times": -1}, {"error_code_times": "2"},
])
def test_bad_typed_error_settings_are_refused(settings: dict[str, object], client: anthropic.Anthropic) -> None:
    with raises_api_error(400, "error_code"):
        post_json(client, "/_emulator/faults", settings)
