"""Properties of plan + apply over generated manifests and generated live states (hypothesis).

Plans are applied to the real emulator through the SDK; each example gets its own workspace.
"""

from __future__ import annotations

import random
import uuid
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agentops.adapters.api import Api
from agentops.adapters.executor import Executor
from agentops.emulator import EmulatorServer
from agentops.engine.desired import Desired, desired
from agentops.engine.plan import Options, Plan, build_plan
from agentops.manifest.schema import Manifest
from agentops.model import tags
from agentops.views.json import render_json
from tests.helpers import make_client

STACK = "prop"
NAMES = ("p-a", "p-b", "p-c", "p-d", "p-e")
KINDS = (
    "owned",
    "drifted",
    "paused",
    "archived",
    "duplicated",
    "other-stack",
    "untagged",
    "untagged-same-name",
)


def _events(text: str) -> list[dict[str, Any]]:
    return [{"type": "user.message", "content": [{"type": "text", "text": text}]}]


def _manifest(name: str, variant: int, status: str, team: str | None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": name,
        "agent": "agent_011prop",
        "environment_id": "env_011prop",
        "initial_events": _events(f"{name} job v{variant}"),
        "status": status,
    }
    if team:
        data["metadata"] = {"team": team}
    return data


manifests = st.dictionaries(
    st.sampled_from(NAMES),
    st.tuples(st.integers(0, 1), st.sampled_from(["active", "paused"]), st.sampled_from([None, "x", "y"])),
    max_size=len(NAMES),
).map(lambda found: [_manifest(name, *rest) for name, rest in sorted(found.items())])
live_states = st.lists(st.tuples(st.sampled_from((*NAMES, "p-gone")), st.sampled_from(KINDS)), max_size=8)


def _seed(api: Api, state: list[tuple[str, str]]) -> None:
    """Create the generated live state: owned (possibly drifted, paused, archived, twice) and foreign."""
    for name, kind in state:
        owned = {tags.STACK: STACK, tags.NAME: name}
        metadata = {
            "other-stack": {tags.STACK: "someone-else", tags.NAME: name},
            "untagged": {},
            "untagged-same-name": {},
        }.get(kind, owned)
        body = _manifest(name if kind != "untagged" else f"{name}-manual", 0, "active", None)
        body["metadata"] = metadata
        body.pop("status")
        if kind == "drifted":
            body["initial_events"] = _events("changed in the console")
        copies = 2 if kind == "duplicated" else 1
        for _ in range(copies):
            made = api.create(body)
        if kind == "paused":
            api.pause(made["id"])
        if kind == "archived":
            api.archive(made["id"])


def _desired(items: list[dict[str, Any]]) -> list[Desired]:
    return [desired(Manifest.model_validate(m), f"deployments/{m['name']}.yaml", 1, STACK, {}) for m in items]


def _plan(wants: list[Desired], api: Api) -> Plan:
    return build_plan(wants, api.list_deployments(), Options(stack=STACK), workspace_id=api.workspace_id)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(wanted=manifests, state=live_states, order=st.randoms(use_true_random=False))
def test_plan_apply_converges_and_never_writes_foreign(
    emulator: EmulatorServer, wanted: list[dict[str, Any]], state: list[tuple[str, str]], order: random.Random
) -> None:
    workspace = "wrkspc_" + uuid.uuid4().hex
    with make_client(emulator.url) as sdk:
        api = Api(sdk, workspace)
        _seed(api, state)
        wants = _desired(wanted)
        live = api.list_deployments()
        plan = build_plan(wants, live, Options(stack=STACK), workspace_id=workspace)

        # Deterministic: the same inputs in any listing order give a byte-identical JSON plan.
        shuffled = list(live)
        order.shuffle(shuffled)
        again = build_plan(list(wants), shuffled, Options(stack=STACK), workspace_id=workspace)
        assert render_json(again) == render_json(plan)

        owned = {item.id for item in live if item.stack == STACK}
        assert {a.deployment_id for a in plan.writes if a.deployment_id} <= owned
        if plan.errored:
            # Only two things block: an untagged deployment with a manifest's name (a conflict),
            # or no manifests at all while the stack has deployments (the empty-folder guard).
            assert any(kind == "untagged-same-name" for _, kind in state) or not wanted
            return

        foreign = [r for r in emulator.raw_deployments(workspace) if r["metadata"].get(tags.STACK) != STACK]
        results = Executor(api, STACK, {}, parallelism=4).run(plan)
        assert all(r.ok for r in results), [r.message for r in results if not r.ok]
        assert [
            r for r in emulator.raw_deployments(workspace) if r["metadata"].get(tags.STACK) != STACK
        ] == foreign

        after = _plan(wants, api)
        assert not after.has_changes, after.summary()
        alive = [d for d in api.list_deployments() if d.stack == STACK]
        assert sorted(d.tag_name or "" for d in alive) == sorted(m["name"] for m in wanted)
