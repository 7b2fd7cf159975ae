"""A live deployment as a clean manifest: the inverse of `normalize.desired`, pure data in and out.

What `normalize.normalize` would treat as equal is written the shortest way: server-only
fields, nulls and server defaults are left out, one text `user.message` becomes `prompt:`, an
agent is a bare id unless versions are pinned. Write-only tokens cannot be read back, so each
becomes a `${VAR}` reference the user must export before plan or apply.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import yaml

from agentops.engine.normalize import Context, expressible_value, normalize
from agentops.manifest.documents import strip_blank_lines
from agentops.manifest.layers import merge_defaults
from agentops.manifest.schema import Manifest
from agentops.model import spec, tags

DEFAULT_TOKEN_VAR = "REPO_TOKEN"
# Key order of a written manifest: identity first, then what it runs, then where and with what.
ORDER = (
    "name",
    "description",
    "agent",
    "environment_id",
    "environment",
    "status",
    "schedule",
    "prompt",
    "initial_events",
    "resources",
    "vault_ids",
    "vaults",
    "metadata",
    "budget",
    "lifecycle",
)
NEUTRAL = {"description": "", "status": "active"}
RESOURCE_ORDER = ("type", "url", "authorization_token", "checkout", "file_id", "memory_store_id")


def _without_defaults(item: dict[str, Any], project: Callable[[dict[str, Any]], Any]) -> dict[str, Any]:
    """Drop each key whose absence the comparable shape cannot tell from its value (a server default)."""
    out = dict(item)
    for key in [k for k in out if k != "type"]:
        trial = {k: v for k, v in out.items() if k != key}
        if project(trial) == project(out):
            out = trial
    return out


def _event(event: Mapping[str, Any]) -> dict[str, Any]:
    return _without_defaults(
        (expressible_value("initial_events", [event]) or [event])[0],
        lambda e: normalize({"initial_events": [e]}, Context())["initial_events"],
    )


def _resource(resource: Mapping[str, Any], token_var: str) -> dict[str, Any]:
    out = _without_defaults(
        (expressible_value("resources", [resource]) or [resource])[0],
        lambda r: normalize({"resources": [r]}, Context())["resources"],
    )
    if out.get("type") == "github_repository":
        out["authorization_token"] = f"${{{token_var}}}"
    ordered = {key: out[key] for key in RESOURCE_ORDER if key in out}
    return {**ordered, **out}


def _agent(agent: Any, pin_versions: bool, newest: Mapping[str, int]) -> Any:
    """The deployment's agent reference: pinned with --pin-versions, or when it runs a version older
    than the agent's newest (following would re-pin it: engine/versions.py), else following."""
    if isinstance(agent, str):
        return agent
    version = agent.get("version")
    behind = isinstance(version, int) and version < newest.get(agent["id"], version)
    if (pin_versions or behind) and version is not None:
        return {"id": agent["id"], "version": agent["version"]}
    return agent["id"]


def _prompt(events: list[dict[str, Any]]) -> str | None:
    """The text of a lone one-block user.message, when `prompt:` would load back to exactly it."""
    text = spec.prompt_text(events)
    # The loader trims blank edge lines of a prompt; text that has them keeps the long form.
    return text if text and strip_blank_lines(text) == text else None


def _subtract(data: dict[str, Any], defaults: Mapping[str, Any]) -> dict[str, Any]:
    """Leave out what agentops.yaml `defaults:` would fill in with the same value anyway."""
    out = dict(data)
    for key, value in defaults.items():
        if key not in out:
            # A default the live deployment does not have is cancelled by the value meaning "none".
            if key in NEUTRAL:
                out[key] = NEUTRAL[key]
            continue
        if isinstance(value, Mapping) and isinstance(out[key], Mapping):
            # A schedule is never created by a default, so its expression always stays.
            out[key] = {k: v for k, v in out[key].items() if value.get(k) != v or k == "expression"}
            if not out[key]:
                del out[key]
        elif out[key] == value:
            del out[key]
    return out


def to_manifest(
    live: Mapping[str, Any],
    *,
    token_var: str = DEFAULT_TOKEN_VAR,
    pin_versions: bool = False,
    newest: Mapping[str, int] | None = None,
    defaults: Mapping[str, Any] | None = None,
    names: Mapping[tuple[str, str], str] | None = None,
) -> dict[str, Any]:
    """The manifest for one live deployment (JSON as the API returns it).

    Every github_repository token becomes `${token_var}`. `defaults` are the `defaults:` of
    agentops.yaml; values they would supply are left out. `names` ((kind, id) -> a name no other
    live object of the kind has) turns ids into references by name.
    """
    names = names or {}
    data: dict[str, Any] = {"name": live["name"]}
    if live.get("description"):
        data["description"] = live["description"]
    data["agent"] = _agent(live["agent"], pin_versions, newest or {})
    agent_id = data["agent"] if isinstance(data["agent"], str) else data["agent"]["id"]
    if ("agent", agent_id) in names:
        version = {} if isinstance(data["agent"], str) else {"version": data["agent"]["version"]}
        data["agent"] = {"name": names[("agent", agent_id)], **version}
    if ("environment", live["environment_id"]) in names:
        data["environment"] = {"name": names[("environment", live["environment_id"])]}
    else:
        data["environment_id"] = live["environment_id"]
    if live.get("status") == "paused":
        data["status"] = "paused"
    schedule = live.get("schedule")
    if schedule:
        data["schedule"] = {"expression": schedule["expression"], "timezone": schedule["timezone"]}
    events = [_event(e) for e in live.get("initial_events") or []]
    prompt = _prompt(events)
    if prompt is not None:
        data["prompt"] = prompt
    else:
        data["initial_events"] = events
    if live.get("resources"):
        data["resources"] = [_resource(r, token_var) for r in live["resources"]]
    vaults = list(live.get("vault_ids") or [])
    if vaults and all(("vault", vault) in names for vault in vaults):
        data["vaults"] = [{"name": names[("vault", vault)]} for vault in vaults]
    elif vaults:
        data["vault_ids"] = vaults
    metadata = live.get("metadata") or {}
    user = {k: v for k, v in metadata.items() if not tags.is_reserved(k)}
    if user:
        data["metadata"] = user
    budget = expressible_value("budget", live.get("budget"))
    if budget:
        data["budget"] = budget
    if metadata.get(tags.PREVENT_ARCHIVE) == "true":
        data["lifecycle"] = {"prevent_archive": True}
    if defaults:
        data = _subtract(data, defaults)
    return {key: data[key] for key in ORDER if key in data}


class _Dumper(yaml.SafeDumper):
    """Block style for multi-line text, so prompts read as they were written."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def to_yaml(manifest: Mapping[str, Any], comments: list[str] | None = None) -> str:
    """The manifest as a YAML document, with `comments` as leading `#` lines."""
    header = "".join(f"# {line}\n" for line in comments or [])
    body = yaml.dump(dict(manifest), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    return header + body


def load_back(manifest: Mapping[str, Any], defaults: Mapping[str, Any] | None = None) -> Manifest:
    """The manifest as the loader reads it: `defaults:` merged, `prompt:` expanded (raises on bad data)."""
    data = merge_defaults(defaults or {}, manifest)
    prompt = data.pop("prompt", None)
    if prompt is not None:
        data["initial_events"] = [{"type": "user.message", "content": [{"type": "text", "text": prompt}]}]
    return Manifest.model_validate(data)
