"""The per-kind description the one planner works from: a managed kind's fields, normalizers,
patch rules, write order, and how a reference to an object not created yet is written.

A new kind (vault, skill, memory store) is one more `Resource` in `RESOURCES` and one more
name in `manifest/kinds.py`'s ORDER (its place in the write order); its desired state, its
SDK calls (adapters/api.py `_WRITES`) and its body models (model/bodies.py) are the rest.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from agentops.engine.desired import FIELDS
from agentops.engine.normalize import NORMALIZERS, Context, Normalizer, Shape
from agentops.engine.normalize_objects import (
    AGENT_FIELDS,
    AGENT_NORMALIZERS,
    ENVIRONMENT_FIELDS,
    ENVIRONMENT_NORMALIZERS,
)
from agentops.engine.normalize_stores import (
    MEMORY_STORE_FIELDS,
    MEMORY_STORE_NORMALIZERS,
    SKILL_FIELDS,
    SKILL_NORMALIZERS,
)
from agentops.engine.normalize_vaults import (
    CREDENTIAL_FIELDS,
    CREDENTIAL_NORMALIZERS,
    VAULT_FIELDS,
    VAULT_NORMALIZERS,
    replaced_by,
    same_server,
    update_auth,
)
from agentops.manifest.kinds import ORDER as WRITE_ORDER
from agentops.model import bodies, spec, vault_bodies

DEPLOYMENT = "deployment"
# A vault's credentials are written in its manifest, and right after it (archived right before it).
CREDENTIAL = "credential"
KINDS = tuple(k for kind in WRITE_ORDER for k in ((kind, CREDENTIAL) if kind == "vault" else (kind,)))
_ORDER: dict[str, int] = {kind: index for index, kind in enumerate(KINDS)}


@dataclass(frozen=True)
class Resource:
    """How the planner compares and writes one kind of object."""

    kind: str
    fields: tuple[str, ...]  # the create body's fields a manifest owns (compared, patched)
    normalizers: tuple[Normalizer, ...]  # applied to the desired body and the live object alike
    create: type[BaseModel]  # the API's create body: a saved plan's create is checked against it
    update: type[BaseModel]
    replaced: tuple[str, ...] = ()  # lists an update replaces whole: sent in full on any change
    # Objects the API merges into the stored one: sent as the normalized desired value, every
    # default explicit, so the result is the manifest's whatever the merge keeps.
    filled: tuple[str, ...] = ()
    cleared: Mapping[str, Any] = field(default_factory=dict)  # what a removed field is sent as
    # Fields sent whole on any change, as this function of the desired value makes it (the update
    # params' shape of a create's field).
    sent: Mapping[str, Callable[[Any], Any]] = field(default_factory=dict)
    secrets_in: str = "resources"  # the field whose write-only secrets a changed fingerprint resends
    # Why an update cannot turn the live object (normalized) into the desired one, or None: a replace.
    replace: Callable[[Shape, Shape], str | None] | None = None
    # What a replacement keeps that two live objects cannot share, so it cannot create first, or None.
    clash: Callable[[Shape, Shape], str | None] | None = None
    whole: bool = False  # an update sends the whole desired body (a skill's new version replaces it all)
    # The live field an update sends back as it was planned against (optimistic concurrency): the
    # API refuses the update (409) when the object changed since.
    concurrency: str | None = None

    @property
    def order(self) -> int:
        """Its place in the write order (manifest/kinds.py ORDER): creates and updates ascending."""
        return _ORDER[self.kind]

    def normalize(self, body: Mapping[str, Any], context: Context) -> Shape:
        shape: Shape = dict(body)
        for step in self.normalizers:
            shape = step(shape, context)
        return shape


RESOURCES: dict[str, Resource] = {
    "environment": Resource("environment", ENVIRONMENT_FIELDS, ENVIRONMENT_NORMALIZERS, bodies.EnvironmentCreate,
                            bodies.EnvironmentUpdate, filled=("config",), cleared={"description": ""}),
    "skill": Resource("skill", SKILL_FIELDS, SKILL_NORMALIZERS, bodies.SkillUpload, bodies.SkillUpload, whole=True),
    "memory_store": Resource("memory_store", MEMORY_STORE_FIELDS, MEMORY_STORE_NORMALIZERS, bodies.MemoryStoreCreate,
                             bodies.MemoryStoreUpdate, cleared={"description": ""}),
    "agent": Resource("agent", AGENT_FIELDS, AGENT_NORMALIZERS, bodies.AgentCreate, bodies.AgentUpdate,
                      replaced=("tools", "mcp_servers", "skills"), filled=("multiagent",),
                      cleared={"description": "", "system": ""}, concurrency="version"),
    "vault": Resource("vault", VAULT_FIELDS, VAULT_NORMALIZERS, vault_bodies.VaultCreate, vault_bodies.VaultUpdate),
    CREDENTIAL: Resource(CREDENTIAL, CREDENTIAL_FIELDS, CREDENTIAL_NORMALIZERS, vault_bodies.PlannedCredentialCreate,
                         vault_bodies.CredentialUpdate, sent={"auth": update_auth}, secrets_in="auth",
                         replace=replaced_by, clash=same_server),
    DEPLOYMENT: Resource(DEPLOYMENT, FIELDS, NORMALIZERS, spec.CreateBody, spec.UpdateBody,
                         replaced=("initial_events", "resources", "vault_ids"), cleared={"description": ""}),
}
ORDER = tuple(RESOURCES[kind] for kind in KINDS)


def phase(kind: str, archive: bool, waits: bool = False) -> int:
    """When an action runs: creates and updates kind by kind in the write order (an action that
    waits for an object of its own kind created first runs one step later), archives in reverse."""
    if archive:
        return 2 * len(ORDER) + (len(ORDER) - 1 - RESOURCES[kind].order)
    return 2 * RESOURCES[kind].order + (1 if waits else 0)


# --- references to objects created by the same apply -------------------------------------------

# The id of an object this plan creates, as the plan shows it; the executor puts in the id the
# create returned. Never sent: a write holding one whose create failed is not made.
_PENDING = re.compile(r"\(known after apply: ([a-z_]+) (.+)\)")


def pending(kind: str, name: str) -> str:
    return f"(known after apply: {kind} {name})"


def pending_refs(value: Any) -> set[tuple[str, str]]:
    """Every (kind, name) whose id `value` waits for, at any depth."""
    if isinstance(value, str):
        found = _PENDING.fullmatch(value)
        return {(found.group(1), found.group(2))} if found else set()
    if isinstance(value, Mapping):
        return {ref for item in value.values() for ref in pending_refs(item)}
    if isinstance(value, list):
        return {ref for item in value for ref in pending_refs(item)}
    return set()


def fill(value: Any, created: Mapping[tuple[str, str], str]) -> Any:
    """`value` with each pending id replaced by the one its create returned (KeyError: not created)."""
    if isinstance(value, str):
        found = _PENDING.fullmatch(value)
        return created[(found.group(1), found.group(2))] if found else value
    if isinstance(value, Mapping):
        return {key: fill(item, created) for key, item in value.items()}
    if isinstance(value, list):
        return [fill(item, created) for item in value]
    return value
