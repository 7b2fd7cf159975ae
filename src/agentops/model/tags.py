"""Reserved metadata tags that carry ownership and secret fingerprints on live deployments."""

from __future__ import annotations

PREFIX = "agentops."
STACK = "agentops.stack"
NAME = "agentops.name"
SECRETS = "agentops.secrets"
# Only when agentops.yaml declares environments: staging and production may share a workspace.
ENV = "agentops.env"
# Kept on the live deployment so the guard still holds after its manifest is deleted.
PREVENT_ARCHIVE = "agentops.prevent_archive"


# A vault credential carries only the fingerprint of its secrets: its vault carries the ownership tags.
CREDENTIAL_RESERVED = 1


def reserved_count(has_secrets: bool, prevent_archive: bool = False, env: bool = False) -> int:
    """How many of the 16 metadata slots agentops itself uses for one deployment."""
    return 2 + int(has_secrets) + int(prevent_archive) + int(env)


def is_reserved(key: str) -> bool:
    return key.startswith(PREFIX)
