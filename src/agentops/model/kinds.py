"""Vaults, credentials, skills and memory stores: the API's limits and rules, shared by manifests and the emulator.

Values are the SDK 2.17 docstrings' unless a comment says otherwise.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, StringConstraints

from agentops.model import spec

MANAGED_AGENTS_BETA = "managed-agents-2026-04-01"
# Memory-store calls carry this one (the SDK's default for `client.beta.memory_stores`); the SDK docs
# accept either header alone, and a call sending both is refused (issue 27).
MEMORY_BETA = "agent-memory-2026-07-22"

MAX_DISPLAY_NAME = 255  # vaults, credentials, skills and memory stores: "1-255 characters"
MAX_MEMORY_STORE_DESCRIPTION = 1024

# The API's names: "1-255 characters"; a memory store's "without control characters".
DisplayName = Annotated[str, StringConstraints(min_length=1, max_length=MAX_DISPLAY_NAME)]
MemoryStoreName = Annotated[str, StringConstraints(min_length=1, max_length=MAX_DISPLAY_NAME,
                                                   pattern=r"^[^\x00-\x1f\x7f]*$")]
MemoryStoreDescription = Annotated[str, StringConstraints(max_length=MAX_MEMORY_STORE_DESCRIPTION)]
# A name a manifest identifies an object by is stricter: printable (no bidi or invisible characters, which
# would let two names look alike) and not padded, as deployment names are.
ManifestName = Annotated[DisplayName, spec.printable(True), AfterValidator(spec.trimmed)]

# A credential's write-only fields, wherever they sit in `auth` (refresh.refresh_token,
# refresh.token_endpoint_auth.client_secret): accepted, stored, never returned.
CREDENTIAL_SECRET_FIELDS = ("access_token", "refresh_token", "client_secret", "token", "secret_value")
CREDENTIAL_TYPES = ("mcp_oauth", "static_bearer", "environment_variable")
# Fields an update cannot change (the update params' docstrings and their absence from them): a change
# needs a new credential. The auth `type` can never change either.
CREDENTIAL_IMMUTABLE: dict[str, tuple[str, ...]] = {
    "mcp_oauth": ("mcp_server_url", "refresh.client_id", "refresh.token_endpoint", "refresh.resource"),
    "static_bearer": ("mcp_server_url",),
    "environment_variable": ("secret_name",),
}
MAX_ALLOWED_HOSTS = 16  # environment_variable networking.allowed_hosts
# Not in the SDK: the Managed Agents vault docs (as third-party clients quote them) limit a vault to 20
# credentials and one active credential per mcp_server_url.
MAX_CREDENTIALS_PER_VAULT = 20

# Skills (Agent Skills docs): a kebab-case name of at most 64 characters without the reserved words,
# a non-empty description of at most 1024; neither may hold XML tags.
SKILL_NAME = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
MAX_SKILL_NAME = 64
MAX_SKILL_DESCRIPTION = 1024
SKILL_RESERVED_WORDS = ("anthropic", "claude")
SKILL_FILE = "SKILL.md"
MAX_SKILL_UPLOAD = 8 * 1024 * 1024  # the Skills API guide's total upload size (judgement where the SDK is silent)
