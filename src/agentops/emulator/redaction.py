"""Write-only secrets: which fields they are, and how control endpoints show them (`***`)."""

from __future__ import annotations

from typing import Any

from agentops.model.kinds import CREDENTIAL_SECRET_FIELDS

# A resource's token, and every secret of a vault credential's `auth`.
WRITE_ONLY = ("authorization_token", *CREDENTIAL_SECRET_FIELDS)
MASK = "***"


def redact(value: Any) -> Any:
    """`value` with every write-only field's value replaced by `***`, at any depth.

    The key stays, so a test can still see that a token was sent or stored.
    """
    if isinstance(value, dict):
        return {key: MASK if key in WRITE_ONLY and item is not None else redact(item) for key, item in value.items()}
    if isinstance(value, list):
        return [redact(item) for item in value]
    return value
