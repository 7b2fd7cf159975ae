"""Desired state of the kinds a deployment runs on: each agent and environment manifest as the
API create body it asks for, tagged for ownership like a deployment (engine/desired.py), its
references by name replaced by ids; and the ids this stack's own objects have, or will have."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from agentops.engine.desired import Desired, Named, named_refs, owned
from agentops.engine.desired_stores import memory_store_desired, skill_desired
from agentops.engine.identity import Live, match
from agentops.engine.normalize_objects import AGENT_FIELDS, AGENT_PIN, EFFORT, ENVIRONMENT_FIELDS, SKILL_PIN
from agentops.engine.resolve import Ref, Resolution
from agentops.engine.resources import pending
from agentops.manifest.agent_schema import AgentManifest
from agentops.manifest.environment_schema import EnvironmentManifest
from agentops.manifest.loader import LoadedAgent, LoadedEnvironment, LoadedMemoryStore
from agentops.manifest.schema import AgentByName, SkillByName
from agentops.manifest.skill import LoadedSkill
from agentops.model import spec
from agentops.model.agent import DEFAULT_SKILL_VERSION, ModelConfig, Skill, dotted


def _set(body: dict[str, Any], loc: tuple[int | str, ...], value: Any) -> None:
    target: Any = body
    for part in loc[:-1]:
        target = target[part]
    target[loc[-1]] = value


def _given(manifest: AgentManifest, pinned: Iterable[str]) -> frozenset[str]:
    """What the agent's normalizers compare although the server fills it: see normalize_objects."""
    found = {AGENT_PIN + agent_id for agent_id in pinned}
    if isinstance(manifest.model, ModelConfig) and manifest.model.effort is not None:
        found.add(EFFORT)
    found.update(SKILL_PIN + skill.skill_id for skill in manifest.skills or ()
                 if isinstance(skill, Skill) and skill.version not in (None, DEFAULT_SKILL_VERSION))
    return frozenset(found)


# Fields the API checks against each other: every MCP server must be referenced by an mcp_toolset
# in the resulting tools. Ignoring one and writing the other could leave them apart (a 400), so
# ignoring either ignores both.
_COUPLED = ("tools", "mcp_servers")


def _ignored(paths: Iterable[str]) -> tuple[str, ...]:
    found = list(paths)
    if any(path in _COUPLED for path in found):
        found.extend(path for path in _COUPLED if path not in found)
    return tuple(found)


def _skills(body: dict[str, Any], manifest: AgentManifest, named: Mapping[str, Named],
            versions: Mapping[str, str]) -> set[str]:
    """Skills by name or path as the API's entries: pinned to the manifest's version, or following (the
    stack's own skill's latest version, which may be the one this apply uploads). The ids compared."""
    compared = set()
    for index, entry in enumerate(manifest.skills or []):
        if not isinstance(entry, SkillByName):
            continue
        skill_id = named[f"skills[{index}]"].value
        version = entry.version or versions.get(entry.name)
        body["skills"][index] = {"type": "custom", "skill_id": skill_id, **({"version": version} if version else {})}
        if version is not None:
            compared.add(SKILL_PIN + str(skill_id))
    return compared


def agent_desired(loaded: LoadedAgent, stack: str, env: str | None, resolution: Resolution,
                  versions: Mapping[str, str] | None = None) -> Desired:
    manifest = loaded.manifest
    body: dict[str, Any] = manifest.model_dump(mode="json", exclude_none=True, include=set(AGENT_FIELDS),
                                               warnings=False)
    named = named_refs(manifest, loaded.file, loaded.line, resolution, loaded.refs_at)
    pinned = []
    for loc, entry in manifest.references():
        if isinstance(entry, AgentByName):
            found = named[dotted(loc)].value
            _set(body, loc, {"type": "agent", "id": found,
                             **({"version": entry.version} if entry.version is not None else {})})
        elif isinstance(entry, spec.AgentRef):
            found = entry.id
        else:
            continue
        if entry.version is not None:
            pinned.append(found)
    following = _skills(body, manifest, named, versions or {})
    body["metadata"] = owned(manifest.metadata, stack, manifest.name, env, manifest.lifecycle.prevent_archive)
    return Desired(
        name=manifest.name, file=loaded.file, line=loaded.line, body=body, status="active", agent_pinned=False,
        prevent_archive=manifest.lifecycle.prevent_archive, ignore_changes=_ignored(manifest.lifecycle.ignore_changes),
        previous_names=tuple(manifest.previous_names), named=tuple(named.values()), kind="agent",
        given=_given(manifest, pinned) | following,
    )


def environment_desired(loaded: LoadedEnvironment, stack: str, env: str | None) -> Desired:
    manifest: EnvironmentManifest = loaded.manifest
    body: dict[str, Any] = manifest.model_dump(mode="json", exclude_none=True, include=set(ENVIRONMENT_FIELDS),
                                               warnings=False)
    body["metadata"] = owned(manifest.metadata, stack, manifest.name, env, manifest.lifecycle.prevent_archive)
    return Desired(
        name=manifest.name, file=loaded.file, line=loaded.line, body=body, status="active", agent_pinned=False,
        prevent_archive=manifest.lifecycle.prevent_archive, ignore_changes=tuple(manifest.lifecycle.ignore_changes),
        previous_names=tuple(manifest.previous_names), kind="environment",
    )


def objects_state(agents: Iterable[LoadedAgent], environments: Iterable[LoadedEnvironment], stack: str,
                  env: str | None, resolution: Resolution,
                  memory_stores: Iterable[LoadedMemoryStore] = (), skills: Iterable[Desired] = (),
                  versions: Mapping[str, str] | None = None) -> list[Desired]:
    """The declared environments, skills (`skill_desired`), memory stores and agents (following skills at
    `versions`), in the write order."""
    return [*(environment_desired(item, stack, env) for item in environments), *skills,
            *(memory_store_desired(item, stack, env) for item in memory_stores),
            *(agent_desired(item, stack, env, resolution, versions) for item in agents)]


def skills_desired(skills: Iterable[LoadedSkill], stack: str, env: str | None) -> list[Desired]:
    return [skill_desired(item, stack, env) for item in skills]


def own_ids(declared: Mapping[str, Iterable[tuple[str, tuple[str, ...]]]], live: Iterable[Live], stack: str,
            env: str | None, adopt: bool) -> dict[Ref, str]:
    """Each object this stack declares (kind -> (name, previous names)) -> the id of the live object
    the planner matches it with, or the id it will have once this apply creates it. Matched by the
    planner's own rules (engine/identity.py), so a reference and the object's action agree."""
    out: dict[Ref, str] = {}
    for kind, items in declared.items():
        stubs = [Desired(name, "", 0, {}, "active", False, previous_names=previous, kind=kind)
                 for name, previous in items]
        for pair in match(stubs, [item for item in live if item.kind == kind], stack, adopt=adopt, env=env).matches:
            ref = Ref(kind, pair.desired.name)
            out[ref] = pair.live.id if pair.live is not None else pending(kind, pair.desired.name)
    return out
