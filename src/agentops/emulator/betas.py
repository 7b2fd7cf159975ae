"""Which `anthropic-beta` header each API path needs.

Managed Agents paths need `managed-agents-2026-04-01`. Skills are GA: `client.skills` sends no beta
header (the beta client's `versions.download` only sends what it is given). Memory stores accept
`agent-memory-2026-07-22` (what the SDK sends) or `managed-agents-2026-04-01`, "not both": the API
refuses a call carrying both. The SDK docs give no status or type for that refusal; it is judged a
400 `invalid_request_error`, as every other header problem is.
"""

from __future__ import annotations

from agentops.model.kinds import MANAGED_AGENTS_BETA, MEMORY_BETA

_GA = ("/v1/skills",)
_MEMORY = ("/v1/memory_stores",)


def _under(path: str, roots: tuple[str, ...]) -> bool:
    return any(path == root or path.startswith(root + "/") for root in roots)


def refusal(path: str, header: str) -> str | None:
    """Why a /v1 request with this `anthropic-beta` header value is refused; None when it is not."""
    sent = {part.strip() for part in header.split(",") if part.strip()}
    if _under(path, _GA):
        return None
    if _under(path, _MEMORY):
        if {MEMORY_BETA, MANAGED_AGENTS_BETA} <= sent:
            return (f"memory store requests take the {MEMORY_BETA} or the {MANAGED_AGENTS_BETA} beta header, "
                    f"not both")
        if not sent & {MEMORY_BETA, MANAGED_AGENTS_BETA}:
            return f"the anthropic-beta header must include {MEMORY_BETA}"
        return None
    if MANAGED_AGENTS_BETA not in sent:
        return f"the anthropic-beta header must include {MANAGED_AGENTS_BETA}"
    return None
