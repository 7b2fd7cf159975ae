"""Typed API errors (`error.details.error_code`) through the emulator and the SDK into plan and apply:
policy blocks are sent once and say who can lift them; authorization_check_unavailable is retried
after its Retry-After, a create too, without a lookup; an unknown code gets a generic hint."""

from __future__ import annotations

import json

import pytest

from agentops.adapters.executor import Executor
from agentops.emulator import Faults
from agentops.model.errors import ERROR_CODES, error_hint
from tests.stack import Stack, live_by_name, manifest

POLICY_BLOCKS = sorted(code for code, known in ERROR_CODES.items() if not known.retry)
RETRY_AFTER = 3.0


def _writes(stack: Stack) -> list[tuple[str, str, int]]:
    return [r for r in stack.emulator.requests if r[0] == "POST"]


@pytest.mark.parametrize("code", POLICY_BLOCKS)
def test_a_policy_block_is_sent_once_and_says_who_can_lift_it(stack: Stack, code: str) -> None:
    stack.write(manifest("nightly"))
    stack.emulator.faults = Faults(error_code=code, error_code_method="POST")
    result = stack.run("apply", str(stack.root), "--auto-approve", "--format", "json")
    assert result.exit_code == 1 and "Traceback" not in result.output
    [failed] = json.loads(result.stdout)["results"]
    assert (failed["ok"], failed["error_code"]) == (False, code)
    details = {"field": "human_review"} if code == "approval_required" else None
    assert failed["message"].endswith(f"hint: {error_hint(code, details)}")
    assert f"API error {ERROR_CODES[code].status} " in failed["message"]
    assert "organization admin" in failed["message"] and "Not retried" in failed["message"]
    assert error_hint(code, details) in result.stderr  # the progress line says it too
    # Sent once: no retry, and no lookup by tags (a 4xx is no lost create).
    assert _writes(stack) == [("POST", "/v1/deployments", ERROR_CODES[code].status)]
    assert stack.emulator.raw_deployments() == []


def test_a_policy_block_on_a_read_fails_the_plan_in_one_line_and_is_not_retried(stack: Stack) -> None:
    stack.write(manifest("nightly"))
    stack.emulator.faults = Faults(error_code="environment_update_disabled", error_code_method="GET")
    result = stack.run("plan", str(stack.root))
    assert result.exit_code == 1 and "Traceback" not in result.output
    [line] = [x for x in result.stderr.splitlines() if x.startswith("error: ")]
    assert "(permission_error, environment_update_disabled)" in line
    assert line.endswith(error_hint("environment_update_disabled"))
    # The plan's reads run side by side; none of them is sent twice.
    paths = [path for _, path, _ in stack.emulator.requests]
    assert "/v1/deployments" in paths and len(paths) == len(set(paths))


def test_authorization_check_unavailable_creates_again_after_retry_after_without_a_lookup(stack: Stack) -> None:
    slept: list[float] = []
    stack.sleep = slept.append
    stack.write(manifest("nightly"))
    stack.emulator.faults = Faults(error_code="authorization_check_unavailable", error_code_method="POST",
                                   error_code_times=2, retry_after=RETRY_AFTER)
    stack.emulator.reset_counts()
    result = stack.apply()
    assert result.exit_code == 0, result.output
    assert slept == [RETRY_AFTER, RETRY_AFTER]
    # Nothing was done by the two refused creates: no listing to look for a lost one in between.
    apply_requests = stack.emulator.requests[-3:]
    assert apply_requests == [("POST", "/v1/deployments", 503)] * 2 + [("POST", "/v1/deployments", 200)]
    assert list(live_by_name(stack.emulator)) == ["nightly"]


def test_authorization_check_unavailable_on_updates_and_reads_waits_retry_after(stack: Stack) -> None:
    stack.write(manifest("nightly"))
    assert stack.apply().exit_code == 0
    stack.write(manifest("nightly", description="retuned"))
    slept: list[float] = []
    stack.sleep = slept.append
    stack.emulator.faults = Faults(error_code="authorization_check_unavailable", error_code_times=1,
                                   retry_after=RETRY_AFTER)
    assert stack.run("plan", str(stack.root)).exit_code == 0  # its first read was refused, then retried
    stack.emulator.faults = Faults(error_code="authorization_check_unavailable", error_code_method="POST",
                                   error_code_times=1, retry_after=RETRY_AFTER)
    result = stack.apply()
    assert result.exit_code == 0, result.output
    assert slept == [RETRY_AFTER, RETRY_AFTER]
    assert live_by_name(stack.emulator)["nightly"]["description"] == "retuned"


def test_authorization_check_unavailable_that_never_ends_fails_with_its_hint(stack: Stack) -> None:
    slept: list[float] = []
    stack.sleep = slept.append
    stack.write(manifest("nightly"))
    stack.emulator.faults = Faults(error_code="authorization_check_unavailable", error_code_method="POST",
                                   retry_after=RETRY_AFTER)
    result = stack.run("apply", str(stack.root), "--auto-approve", "--format", "json")
    assert result.exit_code == 1 and "Traceback" not in result.output
    [failed] = json.loads(result.stdout)["results"]
    assert failed["error_code"] == "authorization_check_unavailable"
    assert failed["message"].endswith(error_hint("authorization_check_unavailable"))
    attempts = Executor.max_attempts
    assert slept == [RETRY_AFTER] * (attempts - 1)
    assert _writes(stack) == [("POST", "/v1/deployments", 503)] * attempts
    assert stack.emulator.raw_deployments() == []


def test_an_unknown_code_is_shown_with_its_message_and_a_generic_hint(stack: Stack) -> None:
    stack.write(manifest("nightly"))
    stack.emulator.faults = Faults(error_code="brand_new_code", error_code_method="POST")
    result = stack.run("apply", str(stack.root), "--auto-approve", "--format", "json")
    assert result.exit_code == 1 and "Traceback" not in result.output
    [failed] = json.loads(result.stdout)["results"]
    assert failed["error_code"] == "brand_new_code"
    assert "brand new code (emulated fault)" in failed["message"]  # the API's message, as it sent it
    assert failed["message"].endswith(error_hint("brand_new_code"))
    assert len(_writes(stack)) == 1
