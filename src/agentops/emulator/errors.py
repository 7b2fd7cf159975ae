"""The one exception endpoints raise; the HTTP layer renders it in Anthropic's error shape."""

from __future__ import annotations

import re

from agentops.model.errors import ERROR_CODES, RUN_ERRORS

_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    405: "invalid_request_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    503: "api_error",
}


class ApiError(Exception):
    """An HTTP error response: status plus Anthropic's `error.type`, message and, for a typed error,
    `details` (whose `error_code` names the cause)."""

    def __init__(
        self, status: int, message: str, error_type: str | None = None, details: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.error_type = error_type or _TYPES.get(status, "api_error")
        self.details = details

    def body(self) -> dict[str, object]:
        error: dict[str, object] = {"type": self.error_type, "message": self.message}
        if self.details is not None:
            error["details"] = dict(self.details)
        return {"type": "error", "error": error}


def bad_request(message: str) -> ApiError:
    return ApiError(400, message)


def not_found(message: str) -> ApiError:
    return ApiError(404, message)


# The `error.type` values of a failed deployment run (BetaManagedAgentsDeploymentRun.error).
RUN_ERROR_TYPES = frozenset(RUN_ERRORS)
# The form of every run error type, so also of one the API may add later: the emulator fails runs
# with any such name, to show that a type agentops does not know yet is still reported.
RUN_ERROR_NAME = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)*_error")


def pauses(error_type: str) -> bool:
    """Whether a failed scheduled run auto-pauses its deployment (BetaManagedAgentsDeploymentPausedReasonErrorObject):
    rate-limited and rejected session creations keep the schedule firing; a new type pauses."""
    known = RUN_ERRORS.get(error_type)
    return known is None or known.pauses


# The one field approval_required names (BetaApprovalRequiredErrorDetails.field).
APPROVAL_FIELD = "human_review"
ERROR_CODE = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)*")


def typed_error(code: str) -> ApiError:
    """A typed API error (`details.error_code`) with the status its SDK class has; a code the SDK does
    not know (one the API may add later) is a 400."""
    details = {"error_code": code}
    if code == "approval_required":
        details["field"] = APPROVAL_FIELD
    known = ERROR_CODES.get(code)
    return ApiError(known.status if known else 400, f"{code.replace('_', ' ')} (emulated fault)", details=details)
