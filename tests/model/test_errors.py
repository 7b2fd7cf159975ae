"""The error table against the SDK: every run error and paused reason it knows has an entry, and
every typed error code has the status of the SDK's class for it."""

from __future__ import annotations

import typing
from typing import Any

import pytest
from anthropic.types.beta import beta_managed_agents_deployment_paused_reason_error_object as paused_reason
from anthropic.types.beta import beta_managed_agents_deployment_run as deployment_run

from agentops.model.errors import (
    ERROR_CODES,
    RUN_ERRORS,
    error_hint,
    pause_error,
    run_error,
    run_failure,
)
from tests.helpers import SDK_ERRORS


def _types(union: Any) -> set[str]:
    """The `type` literals of a discriminated union of the SDK (an Annotated Union of models)."""
    members = typing.get_args(typing.get_args(union)[0])
    return {typing.get_args(m.model_fields["type"].annotation)[0] for m in members if m is not type(None)}


def test_the_table_knows_every_run_error_type_of_the_sdk() -> None:
    assert set(RUN_ERRORS) == _types(deployment_run.Error)


def test_the_types_that_pause_are_the_sdks_paused_reasons() -> None:
    pausing = {t for t, known in RUN_ERRORS.items() if known.pauses}
    assert pausing == _types(paused_reason.BetaManagedAgentsDeploymentPausedReasonErrorObject)


def test_each_error_code_has_the_status_of_its_sdk_class() -> None:
    assert set(ERROR_CODES) == set(SDK_ERRORS)
    for code, cls in SDK_ERRORS.items():
        assert ERROR_CODES[code].status == cls.status_code, code
    # Only the one that says "nothing was done" is retried; the others are policy blocks.
    assert [c for c, known in ERROR_CODES.items() if known.retry] == ["authorization_check_unavailable"]


@pytest.mark.parametrize("code", ["environment_create_disabled", "environment_update_disabled", "approval_required"])
def test_a_policy_block_says_who_can_lift_it_and_that_it_is_not_retried(code: str) -> None:
    hint = error_hint(code, {"field": "human_review"})
    assert "organization admin" in hint and "Anthropic" in hint and hint.endswith("Not retried")
    assert "{" not in hint


def test_hints_for_what_the_table_does_not_know() -> None:
    assert error_hint("approval_required").count("a field") == 1  # details without a field
    assert error_hint("brand_new_code", {"field": "x"}).startswith("agentops does not know this error code")
    assert run_error("quota_exhausted_error").fix.startswith("agentops does not know this error type")


@pytest.mark.parametrize(("reason", "expected"), [
    ({"type": "error", "error": {"type": "vault_archived_error"}}, "vault_archived_error"),
    ({"type": "error", "error": {}}, "unknown_error"),
    ({"type": "error", "error": "gone"}, "unknown_error"),
    ({"type": "manual"}, None),
    (None, None),
    ("error", None),
])
def test_pause_error_reads_any_shape(reason: object, expected: str | None) -> None:
    assert pause_error(reason) == expected


def test_run_failure_reads_any_shape() -> None:
    assert run_failure({"type": "skill_not_found_error", "message": "m"}) == ("skill_not_found_error", "m")
    assert run_failure({"type": 3, "message": None}) == ("unknown_error", "")
    assert run_failure("boom") == ("unknown_error", "")
