"""A live agent or environment as a clean manifest: the API's own field names, without what the
server fills in by itself, so the manifest says only what someone chose. Pure data in and out.

Left out as server defaults: `model` fields beyond the id when they hold the defaults (then the
model is the bare id string), an agent toolset's default_config and per-tool fields equal to
what the toolset resolves them to anyway, skill `version: latest`, an `execution_identity` of
the service account, unrestricted networking, empty package lists, the `organization` scope,
and every null, empty string and empty list. Each default is read from model/agent.py and
model/environment.py, where the planner's normalizers (engine/normalize_objects.py) and the
emulator read it too: one statement of what the server fills in. The round trip (manifest -> create body -> what
the API stores) gives the live object back; tests/engine/test_export_kinds.py checks it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from agentops.manifest.documents import strip_blank_lines
from agentops.model import agent, environment, tags

# Key order of a written manifest: identity first, then what the agent is, then where it reaches.
AGENT_ORDER = ("name", "description", "model", "system", "system_file", "tools", "mcp_servers", "skills",
               "multiagent", "execution_identity", "metadata", "lifecycle")
ENVIRONMENT_ORDER = ("name", "description", "config", "metadata", "lifecycle")
MEMORY_STORE_ORDER = ("name", "description", "metadata", "lifecycle")
# A prompt longer than this is written to a file of its own: a reviewer reads (and diffs) it as text.
LONG_PROMPT_LINES = 10
LONG_PROMPT_CHARS = 1000


@dataclass(frozen=True)
class Exported:
    """A manifest, and the system prompt to write to its `system_file` (None: the prompt is inline)."""

    manifest: dict[str, Any]
    system_text: str | None = None
    notes: tuple[str, ...] = ()  # comment lines for the manifest's head (a vault's variables to set)


def _model(live: Any) -> Any:
    if not isinstance(live, Mapping):
        return live
    effort = live.get("effort")
    level = effort.get("type") if isinstance(effort, Mapping) else effort
    out: dict[str, Any] = {"id": live["id"]}
    if level not in (None, agent.DEFAULT_EFFORT):
        out["effort"] = level
    out.update((key, live[key]) for key, default in agent.MODEL_DEFAULTS.items() if (live.get(key) or default) != default)
    return out["id"] if len(out) == 1 else out


def _tool(live: Mapping[str, Any]) -> dict[str, Any]:
    """A toolset without the defaults it resolves: its default_config when the API's, and in each
    config the `type` (always the name) and what equals the toolset's default."""
    if live.get("type") == "custom":
        return {key: value for key, value in live.items() if value is not None}
    kind = live["type"]
    resolved = agent.toolset_default(kind, live.get("default_config"))
    out: dict[str, Any] = {"type": kind}
    if live.get("mcp_server_name") is not None:
        out["mcp_server_name"] = live["mcp_server_name"]
    # What differs from the default_config the API gives a toolset without one.
    default = _without(resolved, agent.toolset_default(kind, None))
    configs = []
    for config in live.get("configs") or []:
        # What differs from the toolset's resolved default_config (`type` is always the name).
        item = {"name": config["name"], **_without({key: config.get(key) for key in resolved}, resolved)}
        configs.append(item)
    if configs:
        out["configs"] = configs
    if default:
        out["default_config"] = default
    return out


def _without(value: Mapping[str, Any], defaults: Mapping[str, Any]) -> dict[str, Any]:
    """`value` without what is null or equal to the server's default for it."""
    return {key: item for key, item in value.items() if item is not None and item != defaults.get(key)}


def _skill(live: Mapping[str, Any]) -> dict[str, Any]:
    out = {"type": live["type"], "skill_id": live["skill_id"]}
    if live.get("version") not in (None, "", agent.DEFAULT_SKILL_VERSION):
        out["version"] = live["version"]
    return out


def _dropped_nulls(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {key: _dropped_nulls(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_dropped_nulls(item) for item in value]
    return value


def _user_metadata(live: Mapping[str, Any], data: dict[str, Any]) -> None:
    metadata = live.get("metadata") or {}
    user = {key: value for key, value in metadata.items() if not tags.is_reserved(key)}
    if user:
        data["metadata"] = user
    if metadata.get(tags.PREVENT_ARCHIVE) == "true":
        data["lifecycle"] = {"prevent_archive": True}


def fits_a_file(text: str) -> bool:
    """Whether a prompt is long enough for a file of its own and reads back from one unchanged
    (the loader trims a file's blank edge lines, and newlines are read as '\\n')."""
    long = text.count("\n") + 1 > LONG_PROMPT_LINES or len(text) > LONG_PROMPT_CHARS
    return long and "\r" not in text and strip_blank_lines(text) == text


def agent_manifest(live: Mapping[str, Any], system_file: str | None = None) -> Exported:
    """The manifest of one live agent (JSON as the API returns it). With `system_file` (a path
    relative to the manifest), a long prompt goes there instead of into `system`."""
    data: dict[str, Any] = {"name": live["name"]}
    if live.get("description"):
        data["description"] = live["description"]
    data["model"] = _model(live["model"])
    system = live.get("system") or None
    text = None
    if system is not None and system_file is not None and fits_a_file(system):
        data["system_file"], text = system_file, system
    elif system is not None:
        data["system"] = system
    if live.get("tools"):
        data["tools"] = [_tool(tool) for tool in live["tools"]]
    if live.get("mcp_servers"):
        data["mcp_servers"] = [_dropped_nulls(server) for server in live["mcp_servers"]]
    if live.get("skills"):
        data["skills"] = [_skill(skill) for skill in live["skills"]]
    if live.get("multiagent"):
        data["multiagent"] = _dropped_nulls(live["multiagent"])
    identity = live.get("execution_identity")
    if identity and identity.get("type") != agent.SERVICE_ACCOUNT["type"]:
        data["execution_identity"] = _dropped_nulls(identity)
    _user_metadata(live, data)
    return Exported({key: data[key] for key in AGENT_ORDER if key in data}, text)


def _config(live: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """A cloud config without its defaults (None when nothing but defaults is left); self_hosted as is."""
    if not live:
        return None
    if live.get("type") != "cloud":
        return {"type": live["type"]}
    out: dict[str, Any] = {"type": "cloud"}
    networking = live.get("networking") or {}
    if networking.get("type") == "limited":
        out["networking"] = _without(networking, environment.LIMITED_DEFAULTS)
    packages = _without(live.get("packages") or {}, environment.default_config()["packages"])
    if packages:
        out["packages"] = packages
    return out if len(out) > 1 else None


def environment_manifest(live: Mapping[str, Any]) -> Exported:
    """The manifest of one live environment (JSON as the API returns it)."""
    data: dict[str, Any] = {"name": live["name"]}
    if live.get("description"):
        data["description"] = live["description"]
    config = _config(live.get("config"))
    if config is not None:
        data["config"] = config
    _user_metadata(live, data)
    return Exported({key: data[key] for key in ENVIRONMENT_ORDER if key in data})


def memory_store_manifest(live: Mapping[str, Any]) -> Exported:
    """The manifest of one live memory store (JSON as the API returns it)."""
    data: dict[str, Any] = {"name": live["name"]}
    if live.get("description"):
        data["description"] = live["description"]
    _user_metadata(live, data)
    return Exported({key: data[key] for key in MEMORY_STORE_ORDER if key in data})
