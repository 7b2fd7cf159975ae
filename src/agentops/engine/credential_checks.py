"""`plan --validate-credentials`: which OAuth credentials a plan can have the API probe
(`mcp_oauth_validate`), and its verdicts as blockers and warnings.

The API probes a credential as stored. So a plan probes the credentials whose stored secrets it keeps
(in sync, or updated without new secrets): a failure there is what apply would leave in place. A
credential it creates, replaces or sends new secrets to holds its new values only once applied: the
plan names those, to be validated by a plan after the apply.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from agentops.engine.diff import ROTATED
from agentops.engine.plan import Action, ActionKind, Blocker
from agentops.engine.resources import CREDENTIAL


def _oauth(action: Action, types: Mapping[str, str]) -> bool:
    return action.resource == CREDENTIAL and types.get(action.name) == "mcp_oauth"


def probed(actions: Iterable[Action], types: Mapping[str, str]) -> tuple[list[Action], list[str]]:
    """The OAuth credentials to probe now (each once), and the names of those only an apply can make probeable."""
    now: dict[str, Action] = {}
    later: list[str] = []
    for action in actions:
        if not _oauth(action, types):
            continue
        resent = action.kind is ActionKind.CREATE or any(change.before == ROTATED for change in action.changes)
        if resent or action.kind is ActionKind.ARCHIVE:
            if resent and action.name not in later:
                later.append(action.name)
            continue
        if action.id is not None:
            now.setdefault(action.name, action)
    return [a for name, a in now.items() if name not in later], later


def _why(verdict: Mapping[str, Any]) -> str:
    """The probe's failing step in words: methods and status codes only (a response body may echo a token)."""
    parts = []
    probe = verdict.get("mcp_probe")
    if isinstance(probe, Mapping):
        answer = probe.get("http_response") or {}
        code = answer.get("status_code") if isinstance(answer, Mapping) else None
        parts.append(f"the MCP server refused {probe.get('method')}" + (f" with {code}" if code else " (no answer)"))
    refresh = verdict.get("refresh")
    if isinstance(refresh, Mapping):
        parts.append(f"refresh {refresh.get('status')}")
    return "; ".join(parts) or "no access token is stored"


def verdicts(results: Iterable[tuple[Action, Mapping[str, Any]]],
             where: Mapping[str, str]) -> tuple[list[Blocker], list[str]]:
    """An `invalid` verdict blocks (at the credential's line); `unknown` warns (the API says: try again)."""
    blockers, warnings = [], []
    for action, verdict in results:
        status = verdict.get("status")
        if status == "invalid":
            blockers.append(Blocker(f"mcp_oauth_validate: the credential is invalid ({_why(verdict)})", action.name,
                                    where.get(action.name, action.file),
                                    "authorize again and update the variables its secrets name"))
        elif status != "valid":
            warnings.append(f"credential {action.name}: mcp_oauth_validate could not tell whether it works "
                            f"({_why(verdict)}); validate again")
    return blockers, warnings


def unprobed(names: list[str]) -> list[str]:
    if not names:
        return []
    return [f"--validate-credentials: {', '.join(names)} get new secrets in this apply; the API probes "
            "only stored credentials, so validate them with a plan after the apply"]
