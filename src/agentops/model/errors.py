"""The API's error types and codes: what each means, what fixes it and who can. One table for every view.

Two vocabularies, as SDK 2.17 knows them:
- run errors: a deployment run's `error.type`, which is also an auto-paused deployment's
  `paused_reason.error.type` (the SDK's `BetaManagedAgents*RunErrorObject` types);
- typed API errors: a failed request's `error.details.error_code` (the SDK's `Beta*Error` classes).

The words come from the SDK's own descriptions of each type. A type or code not in a table
gets a generic hint: the API adds new ones, and a new one must never stop a command.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class RunError:
    """A run error type: the manifest field its fix is about, and the fix.

    `fix` may name {vault}, {environment}, {agent} and {where} (that field's file:line)."""

    field: Loc
    fix: str
    # A failed scheduled run with this error auto-pauses its deployment (all but two do).
    pauses: bool = True


RUN_ERRORS: dict[str, RunError] = {
    "vault_archived_error": RunError(
        ("vault_ids",), "{vault} is archived: restore it or remove it from vault_ids in {where}"),
    "vault_not_found_error": RunError(
        ("vault_ids",), "{vault} no longer exists: remove it from vault_ids in {where}"),
    "environment_archived_error": RunError(
        ("environment_id",),
        "environment {environment} is archived: restore it or set environment_id to an active one in {where}"),
    "environment_not_found_error": RunError(
        ("environment_id",),
        "environment {environment} no longer exists: set environment_id to an existing one in {where}"),
    "agent_archived_error": RunError(("agent",), "agent {agent} is archived: set agent to an active agent in {where}"),
    "file_not_found_error": RunError(
        ("resources",), "a file in resources no longer exists: upload it again or remove it in {where}"),
    "memory_store_archived_error": RunError(
        ("resources",), "a memory store in resources is archived: restore it or remove it in {where}"),
    "skill_not_found_error": RunError(
        ("agent",),
        "a skill of agent {agent} no longer exists: fix the agent's skills or pin an agent version that "
        "works in {where}"),
    "session_resource_not_found_error": RunError(
        (), "a resource the deployment references no longer exists (the API did not say which kind): check "
        "environment_id, vault_ids and resources in {where}"),
    "workspace_archived_error": RunError(
        (), "the workspace is archived (no manifest change helps): an organization admin can restore it in the "
        "Console, or point workspace_id in agentops.yaml at an active one"),
    "organization_disabled_error": RunError(
        (), "the organization is disabled: only Anthropic can enable it again; an organization admin can ask "
        "Anthropic support (no manifest change helps)"),
    "session_rate_limited_error": RunError(
        ("schedule",),
        "session creation was rate limited (the schedule keeps firing): spread the stack's schedules, "
        "e.g. schedule in {where}", pauses=False),
    "session_creation_rejected_error": RunError(
        ("initial_events",),
        "the API rejected the session as invalid (see the run's message; the schedule keeps firing): check the "
        "prompt or initial_events in {where}", pauses=False),
    "self_hosted_resources_unsupported_error": RunError(
        ("resources",),
        "environment {environment} is self-hosted and cannot mount resources: remove resources or use a "
        "cloud environment in {where}"),
    "mcp_egress_blocked_error": RunError(
        ("environment_id",),
        "an MCP server host of agent {agent} is blocked by environment {environment}'s network policy: "
        "allow the host there, or change environment_id in {where}"),
    # The API's own fallback: it knows no more than the run's message says.
    "unknown_error": RunError(
        (), "the API did not say why (see the run's message): run it again with `agentops run`; if it keeps "
        "failing, contact Anthropic support with the run id"),
}

# A type this table does not know yet (the API adds them): the run's message is all there is.
UNRECOGNIZED_RUN_ERROR = RunError(
    (), "agentops does not know this error type: the run's message says what went wrong; check the "
    "deployment's references in {where}, and update agentops to get a fix line for it")


def run_error(error_type: str) -> RunError:
    """What fixes a run error: its entry, or the generic one for a type agentops does not know."""
    return RUN_ERRORS.get(error_type, UNRECOGNIZED_RUN_ERROR)


def pause_error(paused_reason: object) -> str | None:
    """The error type of an auto-pause (`unknown_error` when the API gave none); None for any other pause.

    Takes the API's `paused_reason` as it came: a shape it does not document is no auto-pause."""
    if not isinstance(paused_reason, Mapping) or paused_reason.get("type") != "error":
        return None
    error = paused_reason.get("error")
    found = error.get("type") if isinstance(error, Mapping) else None
    return found if isinstance(found, str) and found else "unknown_error"


def run_failure(error: object) -> tuple[str, str]:
    """A run's `error` as (type, message), whatever its shape: unknown_error and "" for what is missing."""
    if not isinstance(error, Mapping):
        return "unknown_error", ""
    kind, message = error.get("type"), error.get("message")
    return (kind if isinstance(kind, str) and kind else "unknown_error"), (message if isinstance(message, str) else "")


@dataclass(frozen=True)
class ErrorCode:
    """A typed API error: the status the SDK's class for it has, whether a retry can help, and the hint.

    `retry`: the API did nothing and says when to ask again (`Retry-After`). Otherwise the code is a
    policy block: the same request fails the same way until someone lifts it, so it is never retried
    and the hint says who can. `hint` may name {field} (the request field, from `details`)."""

    status: int
    hint: str
    retry: bool = False


ERROR_CODES: dict[str, ErrorCode] = {
    "environment_create_disabled": ErrorCode(
        403, "Anthropic has turned off creating environments for this organization (existing environments still "
        "work): only Anthropic can turn it back on, so an organization admin must ask Anthropic support; "
        "use an existing environment until then. Not retried"),
    "environment_update_disabled": ErrorCode(
        403, "Anthropic has turned off updating environments for this organization (existing environments still "
        "work as they are): only Anthropic can turn it back on, so an organization admin must ask Anthropic "
        "support; leave the environment as it is until then. Not retried"),
    "approval_required": ErrorCode(
        400, "turning human review off ({field}) needs Anthropic's approval for the organization, which it does "
        "not have: an organization admin must request it from Anthropic support; keep human review on until "
        "then. Not retried"),
    "authorization_check_unavailable": ErrorCode(
        503, "one of the organization's approvals from Anthropic could not be read, so nothing was done: safe to "
        "try again; agentops retries after the Retry-After delay", retry=True),
}

# A code this table does not know yet: the API's message is the best guide.
UNRECOGNIZED_ERROR_CODE = ErrorCode(0, "agentops does not know this error code: the API's message says what to do")


def error_code(code: str) -> ErrorCode:
    return ERROR_CODES.get(code, UNRECOGNIZED_ERROR_CODE)


def error_hint(code: str, details: Mapping[str, object] | None = None) -> str:
    """The hint for a typed API error, with the request field `details` names (if any) filled in."""
    field = (details or {}).get("field")
    return error_code(code).hint.replace("{field}", field if isinstance(field, str) and field else "a field")
