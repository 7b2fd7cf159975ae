"""The one exception endpoints raise; the HTTP layer renders it in Anthropic's error shape."""

from __future__ import annotations

_TYPES = {
    400: "invalid_request_error",
    404: "not_found_error",
    405: "invalid_request_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
}


class ApiError(Exception):
    """An HTTP error response: status plus Anthropic's `error.type` and message."""

    def __init__(self, status: int, message: str, error_type: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.error_type = error_type or _TYPES.get(status, "api_error")

    def body(self) -> dict[str, object]:
        return {"type": "error", "error": {"type": self.error_type, "message": self.message}}


def bad_request(message: str) -> ApiError:
    return ApiError(400, message)


def not_found(message: str) -> ApiError:
    return ApiError(404, message)


# The `error.type` values of a failed deployment run (BetaManagedAgentsDeploymentRun.error).
RUN_ERROR_TYPES = frozenset({
    "environment_archived_error", "agent_archived_error", "environment_not_found_error",
    "vault_not_found_error", "vault_archived_error", "file_not_found_error",
    "memory_store_archived_error", "skill_not_found_error", "session_resource_not_found_error",
    "workspace_archived_error", "organization_disabled_error", "session_rate_limited_error",
    "session_creation_rejected_error", "unknown_error", "self_hosted_resources_unsupported_error",
    "mcp_egress_blocked_error",
})
# Those a failed scheduled run auto-pauses for (BetaManagedAgentsDeploymentPausedReasonErrorObject):
# rate limits and rejected requests keep the schedule firing.
PAUSING_ERROR_TYPES = RUN_ERROR_TYPES - {"session_rate_limited_error", "session_creation_rejected_error"}
