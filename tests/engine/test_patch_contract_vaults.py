"""The plan is the contract for vaults and their credentials too (hypothesis, pure core, no server): an
update sends only what the plan shows, never an ignored field, no secret value is in any planned write,
a change an update cannot make is a replacement (a create and an archive, never an update; blocked when
the new credential keeps the old one's MCP server), and one apply converges.

Random vault manifests with credentials of the three auth types meet random console edits and secret
rotations; the reference is the emulator's own vault and credential endpoints (emulator/vaults.py,
emulator/credentials.py) on an in-memory store, called directly: no HTTP, no SDK. Writes go to them as
the executor sends them: pending ids filled in, `${VAR}` references resolved at the last moment.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from agentops.emulator.credentials import Credentials
from agentops.emulator.faults import Faults
from agentops.emulator.registry import Registry
from agentops.emulator.store import Store
from agentops.emulator.vaults import Vaults
from agentops.engine.desired_objects import own_ids
from agentops.engine.diff import sent_paths, shown
from agentops.engine.identity import Live
from agentops.engine.plan import ActionKind, Options, Plan, build_plan
from agentops.engine.resources import fill
from agentops.engine.secrets import resolve
from agentops.engine.vaults import credential_live, read_credentials, split_id, vaults_state
from agentops.manifest.loader import LoadedVault
from agentops.manifest.vault_schema import VaultManifest
from agentops.model import credential, tags
from agentops.model.kinds import CREDENTIAL_IMMUTABLE

STACK = "contract"
WORKSPACE = "default"
VAULT = "tools"
NOW = datetime(2026, 4, 1, tzinfo=UTC)
# Two values per variable: a draw of the other one is a rotation. Long and distinct, so a leak is found.
VALUES = ("first-SECRET-value-1111", "second-SECRET-value-2222")
# Each credential slot has its own MCP servers: two slots never clash over one (a replacement may).
URLS = {"alpha": ("https://mcp.alpha.example/", "https://mcp.alpha.example/v2"),
        "beta": ("https://mcp.beta.example/", "https://mcp.beta.example/v2")}
META = st.dictionaries(st.sampled_from(("team", "owner")), st.sampled_from(("a", "b")), max_size=2)
LOCATIONS = (None, {"header": True}, {"body": True}, {"body": True, "header": False}, {"header": True, "body": True})
NETWORKS = ({"type": "unrestricted"}, {"type": "limited", "allowed_hosts": ["registry.npmjs.org"]},
            {"type": "limited", "allowed_hosts": ["*.example.com", "10.0.0.1"]})


def _var(slot: str, field: str) -> str:
    return f"${{{slot.upper()}_{field}}}"


@st.composite
def refreshes(draw: st.DrawFn, slot: str) -> dict[str, Any]:
    endpoint: dict[str, Any] = {"type": draw(st.sampled_from(("none", "client_secret_basic", "client_secret_post")))}
    if endpoint["type"] != "none":
        endpoint["client_secret"] = _var(slot, "CLIENT")
    refresh: dict[str, Any] = {"client_id": draw(st.sampled_from(("agentops", "other"))),
                               "refresh_token": _var(slot, "REFRESH"),
                               "token_endpoint": draw(st.sampled_from(("https://auth.example/token",
                                                                       "https://auth.example/v2/token"))),
                               "token_endpoint_auth": endpoint}
    for key, options in (("resource", (None, "https://api.example/")), ("scope", (None, "", "read", "read write"))):
        value = draw(st.sampled_from(options))
        if value is not None:
            refresh[key] = value
    return refresh


@st.composite
def auths(draw: st.DrawFn, slot: str) -> dict[str, Any]:
    kind = draw(st.sampled_from(("mcp_oauth", "static_bearer", "environment_variable")))
    if kind == "static_bearer":
        return {"type": kind, "mcp_server_url": draw(st.sampled_from(URLS[slot])), "token": _var(slot, "TOKEN")}
    if kind == "environment_variable":
        auth: dict[str, Any] = {"type": kind, "secret_name": draw(st.sampled_from(("NPM_TOKEN", "PYPI_TOKEN"))),
                                "secret_value": _var(slot, "VALUE"),
                                "networking": copy.deepcopy(draw(st.sampled_from(NETWORKS)))}
        location = draw(st.sampled_from(LOCATIONS))
        if location is not None:
            auth["injection_location"] = dict(location)
        return auth
    auth = {"type": kind, "mcp_server_url": draw(st.sampled_from(URLS[slot])), "access_token": _var(slot, "ACCESS")}
    if draw(st.booleans()):
        auth["expires_at"] = "2030-01-01T00:00:00Z"
    if draw(st.booleans()):
        auth["refresh"] = draw(refreshes(slot))
    return auth


@st.composite
def vaults(draw: st.DrawFn) -> dict[str, Any]:
    credentials = []
    for slot in URLS:
        if draw(st.booleans()):
            item: dict[str, Any] = {"display_name": slot, "auth": draw(auths(slot))}
            metadata = draw(META)
            if metadata:
                item["metadata"] = metadata
            credentials.append(item)
    data: dict[str, Any] = {"display_name": VAULT, "credentials": credentials,
                            "lifecycle": {"ignore_changes": draw(st.sampled_from(([], ["metadata.keep"])))}}
    metadata = draw(META)
    if metadata:
        data["metadata"] = metadata
    return data


def environs() -> st.SearchStrategy[dict[str, str]]:
    names = [f"{slot.upper()}_{field}" for slot in URLS
             for field in ("ACCESS", "REFRESH", "CLIENT", "TOKEN", "VALUE")]
    return st.fixed_dictionaries({name: st.sampled_from(VALUES) for name in names})


@st.composite
def console_edits(draw: st.DrawFn) -> dict[str, Any]:
    """What someone changed in the console: update bodies for the vault and each credential slot."""
    vault: dict[str, Any] = {}
    if draw(st.booleans()):
        vault["display_name"] = "tools (console)"
    metadata = draw(st.sampled_from(({}, {"keep": "console"}, {"team": "c"})))
    if metadata:
        vault["metadata"] = metadata
    credentials = {}
    for slot in URLS:
        edit: dict[str, Any] = {}
        metadata = draw(st.sampled_from(({}, {"console": "x"}, {"team": "c"}, {tags.SECRETS: None})))
        if metadata:
            edit["metadata"] = metadata
        auth = draw(st.sampled_from(({}, {"networking": {"type": "unrestricted"}}, {"injection_location": {"body": True}},
                                     {"refresh": {"scope": "console"}})))
        if auth:
            edit["auth"] = auth
        credentials[slot] = edit
    return {"vault": vault, "credentials": credentials}


@dataclass
class World:
    """The emulator's vault and credential endpoints on an in-memory store, called directly."""

    store: Store
    vaults: Vaults
    credentials: Credentials
    registry: Registry

    @classmethod
    def new(cls) -> World:
        store = Store()
        registry = Registry(store, lambda: NOW, strict=True)
        return cls(store, Vaults(store, registry), Credentials(store, registry, lambda: NOW, Faults), registry)

    def live(self, loaded: LoadedVault) -> list[Live]:
        """The live vaults and the credentials the planner reads, as `Api` lists them."""
        vaults = [Live.from_json(item, "vault") for item in self.registry.list(WORKSPACE, "vault", {})["data"]]
        out = list(vaults)
        for vault in read_credentials([loaded], vaults, STACK, None):
            page = self.credentials.list(WORKSPACE, vault.id, {})
            out.extend(credential_live(vault, item) for item in page["data"])
        return out

    def apply(self, plan: Plan, environ: Mapping[str, str]) -> None:
        """Each write as the executor sends it (pending ids filled, secrets resolved), in the plan's order."""
        created: dict[tuple[str, str], str] = {}
        for action in plan.writes:
            if action.kind is ActionKind.CREATE:
                body = resolve(fill(action.body or {}, created), environ)
                if action.resource == "vault":
                    created[("vault", action.name)] = self.vaults.create(WORKSPACE, body)["id"]
                else:
                    vault_id = body.pop("vault_id")
                    created[(action.resource, action.name)] = self.credentials.create(WORKSPACE, vault_id, body)["id"]
            elif action.kind in (ActionKind.UPDATE, ActionKind.ADOPT):
                body = resolve(fill(action.patch or {}, created), environ)
                assert action.id is not None
                if action.resource == "vault":
                    self.vaults.update(WORKSPACE, action.id, body)
                else:
                    self.credentials.update(WORKSPACE, *split_id(action.id), body)
            else:
                assert action.kind is ActionKind.ARCHIVE and action.id is not None, action
                if action.resource == "vault":
                    self.registry.archive(WORKSPACE, "vault", action.id)
                else:
                    self.credentials.archive(WORKSPACE, *split_id(action.id))

    def edit(self, console: Mapping[str, Any]) -> None:
        """The console's edits of the live vault and its credentials (an auth edit only where its type has the field)."""
        [vault] = self.registry.list(WORKSPACE, "vault", {})["data"]
        if console["vault"]:
            self.vaults.update(WORKSPACE, vault["id"], copy.deepcopy(console["vault"]))
        for item in self.credentials.list(WORKSPACE, vault["id"], {})["data"]:
            edit = copy.deepcopy(console["credentials"][item["display_name"]])
            auth = edit.pop("auth", {})
            has = "refresh" if "refresh" in auth else "networking"  # the field its type must have
            if auth and item["auth"].get(has) is not None:
                edit["auth"] = {"type": item["auth"]["type"], **auth}
            if edit:
                self.credentials.update(WORKSPACE, vault["id"], item["id"], edit)

    def secrets(self) -> dict[str, dict[str, str]]:
        """The secrets each active credential was last sent (the API never returns them), by display name."""
        [vault] = self.registry.list(WORKSPACE, "vault", {})["data"]
        out = {}
        for item in self.credentials.list(WORKSPACE, vault["id"], {})["data"]:
            stored = self.store.get_credential(WORKSPACE, vault["id"], item["id"])
            assert stored is not None
            out[item["display_name"]] = stored.secrets
        return out


def _loaded(data: Mapping[str, Any]) -> LoadedVault:
    return LoadedVault(VaultManifest.model_validate(data), "vaults/tools.yaml", 1)


def _plan(world: World, data: Mapping[str, Any], environ: Mapping[str, str]) -> Plan:
    """The plan of one vault manifest against the world, built as plumbing/reconcile.py builds it."""
    loaded = _loaded(data)
    live = world.live(loaded)
    own = own_ids({"vault": [(VAULT, ())]}, live, STACK, None, adopt=False)
    return build_plan(vaults_state([loaded], STACK, None, environ, own), live, Options(stack=STACK))


def _at(auth: Mapping[str, Any] | None, dotted: str) -> Any:
    value: Any = auth
    for key in dotted.split("."):
        value = value.get(key) if isinstance(value, Mapping) else None
    return value


def _needs_new(old: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
    """Whether the update params cannot turn `old` into `new` (the SDK's update params, read independently
    of the engine): another type, an immutable field, a refresh added or removed or its client
    authentication changed (the API keeps the type it was created with)."""
    if old["type"] != new["type"]:
        return True
    if any(_at(old, path) != _at(new, path) for path in CREDENTIAL_IMMUTABLE[old["type"]]):
        return True
    return _at(old, "refresh.token_endpoint_auth.type") != _at(new, "refresh.token_endpoint_auth.type")


def _stored(auth: Mapping[str, Any], environ: Mapping[str, str]) -> dict[str, str]:
    """The secrets a credential holds once its `${VAR}` references are sent: field name -> value."""
    return {path[-1]: environ[str(value)[2:-1]] for path, value in credential.secrets(auth)}


def _leaks(plan: Plan, values: set[str]) -> list[str]:
    """The secret values anywhere in the plan as planned: its JSON and every action's body, patch and shapes."""
    text = json.dumps([plan.to_dict(), *[(a.body, a.patch, a.before, a.after, [c.to_dict() for c in a.changes],
                                          a.reason) for a in plan.actions]], default=str)
    return sorted(value for value in values if value in text)


def _check(plan: Plan, ignored: set[str]) -> None:
    """Every update's sent path is shown as changed and none is ignored."""
    for action in plan.writes:
        if action.kind is not ActionKind.UPDATE:
            assert action.kind in (ActionKind.CREATE, ActionKind.ARCHIVE), action
            continue
        sent = dict(action.patch or {})
        assert sent
        for path in sent_paths(sent):
            assert shown(path, list(action.changes)), (action.name, path, action.changes)
            assert path not in ignored, path


@settings(max_examples=300, deadline=None)
@given(old=vaults(), want=vaults(), console=console_edits(), before=environs(), after=environs())
def test_a_vault_and_credentials_patch_is_what_the_plan_shows_and_converges(
    old: dict[str, Any], want: dict[str, Any], console: dict[str, Any], before: dict[str, str],
    after: dict[str, str],
) -> None:
    world = World.new()
    world.apply(_plan(world, old, before), before)
    world.edit(console)
    live = {c.tag_name: c for c in world.live(_loaded(want)) if c.kind == "credential"}
    [vault_before] = world.registry.list(WORKSPACE, "vault", {})["data"]

    plan = _plan(world, want, after)
    assert not _leaks(plan, set(before.values()) | set(after.values()))
    olds = {item["display_name"]: item["auth"] for item in old["credentials"]}
    wants = {item["display_name"]: item["auth"] for item in want["credentials"]}
    replaced = {slot for slot in olds.keys() & wants.keys() if _needs_new(olds[slot], wants[slot])}
    clashing = {f"{VAULT}/{slot}" for slot in replaced
                if wants[slot].get("mcp_server_url") is not None
                and wants[slot].get("mcp_server_url") == olds[slot].get("mcp_server_url")}
    assert {blocker.name for blocker in plan.blockers} == clashing, plan.blockers
    if clashing:
        return  # blocked: nothing is written (the two-step way is the user's)
    for slot in olds.keys() & wants.keys():
        name = f"{VAULT}/{slot}"
        steps = [(a.kind, a.id) for a in plan.writes if a.name == name]
        if slot in replaced:  # the new credential first, then the old one archived; never an update
            assert steps == [(ActionKind.CREATE, None), (ActionKind.ARCHIVE, live[name].id)], steps
        else:
            assert all(kind is ActionKind.UPDATE for kind, _ in steps), steps
    _check(plan, set(want["lifecycle"]["ignore_changes"]))

    world.apply(plan, after)
    assert world.secrets() == {slot: _stored(auth, after) for slot, auth in wants.items()}
    again = _plan(world, want, after)
    assert not again.has_changes and not again.blockers, [(a.name, a.kind, a.changes) for a in again.writes]
    [vault_after] = world.registry.list(WORKSPACE, "vault", {})["data"]
    assert vault_after["metadata"][tags.STACK] == STACK
    if "metadata.keep" in want["lifecycle"]["ignore_changes"]:
        assert vault_after["metadata"].get("keep") == vault_before["metadata"].get("keep")
