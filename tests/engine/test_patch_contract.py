"""The plan is the contract: an update sends exactly what the plan shows (hypothesis, pure core).

Random manifests (with `lifecycle.ignore_changes` on fields and metadata keys, secrets,
`status`, `previous_names`) meet random live drift; the patch is checked against the plan's
changes, then applied with the API's own update rules and planned again.
"""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from agentops.engine.desired import desired
from agentops.engine.diff import sent_paths, shown
from agentops.engine.identity import Live
from agentops.engine.plan import ActionKind, Options, Plan, build_plan
from agentops.manifest.schema import Manifest
from agentops.model import tags

STACK = "contract"
IGNORABLE = ("description", "schedule", "resources", "vault_ids", "initial_events", "status",
             "metadata.keep", "metadata.team", "metadata.console")
SCHEDULES = (None, {"expression": "0 9 * * 1", "timezone": "UTC"},
             {"expression": "*/15 * * * *", "timezone": "Europe/Berlin"})
RESOURCES = (
    [],
    [{"type": "github_repository", "url": "https://github.com/o/r", "authorization_token": "${REPO_TOKEN}"}],
    [{"type": "memory_store", "memory_store_id": "mem_1"}],
)
VAULTS = ([], ["vlt_1"], ["vlt_1", "vlt_2"])
META_KEYS = ("team", "owner", "keep")


def _events(text: str) -> list[dict[str, Any]]:
    return [{"type": "user.message", "content": [{"type": "text", "text": text}]}]


@st.composite
def manifests(draw: st.DrawFn) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "job",
        "agent": "agent_1",
        "environment_id": "env_1",
        "initial_events": _events(draw(st.sampled_from(["hello", "hi"]))),
        "status": draw(st.sampled_from(["active", "paused"])),
        "resources": copy.deepcopy(draw(st.sampled_from(RESOURCES))),
        "vault_ids": list(draw(st.sampled_from(VAULTS))),
    }
    description = draw(st.sampled_from([None, "d1", "d2"]))
    if description:
        data["description"] = description
    schedule = draw(st.sampled_from(SCHEDULES))
    if schedule:
        data["schedule"] = dict(schedule)
    metadata = draw(st.dictionaries(st.sampled_from(META_KEYS), st.sampled_from(["a", "b"]), max_size=3))
    if metadata:
        data["metadata"] = metadata
    data["lifecycle"] = {"ignore_changes": draw(st.lists(st.sampled_from(IGNORABLE), unique=True, max_size=4))}
    if draw(st.booleans()):
        data["name"], data["previous_names"] = "job-renamed", ["job"]
    return data


@st.composite
def drift(draw: st.DrawFn) -> dict[str, Any]:
    """What someone did in the console to the live deployment."""
    return {
        "metadata": draw(st.dictionaries(st.sampled_from((*META_KEYS, "console")),
                                         st.sampled_from(["a", "b", "console-value"]), max_size=4)),
        "description": draw(st.sampled_from([None, "d1", "console"])),
        "schedule": draw(st.sampled_from(SCHEDULES)),
        "vault_ids": list(draw(st.sampled_from(VAULTS))),
        "status": draw(st.sampled_from(["active", "paused"])),
        "touch": draw(st.lists(st.sampled_from(["metadata", "description", "schedule", "vault_ids", "status"]),
                               unique=True)),
    }


def _desired(data: dict[str, Any], token: str) -> Any:
    return desired(Manifest.model_validate(data), "deployments/job.yaml", 1, STACK, {"REPO_TOKEN": token})


def _read(stored: dict[str, Any]) -> Live:
    """The deployment as the API returns it: tokens are write-only."""
    body = copy.deepcopy(stored)
    for resource in body.get("resources") or []:
        resource.pop("authorization_token", None)
    return Live.from_json(body)


def _update(stored: dict[str, Any], patch: dict[str, Any]) -> None:
    """The API's update rules (seed: Update Deployment): metadata per key, the rest replaced."""
    for name, value in patch.items():
        if name == "metadata":
            for key, item in value.items():
                if item is None:
                    stored["metadata"].pop(key, None)
                else:
                    stored["metadata"][key] = item
        elif value is None or value == "":
            stored.pop(name, None)
        else:
            stored[name] = copy.deepcopy(value)


def _apply(stored: dict[str, Any], plan: Plan) -> None:
    for action in plan.writes:
        if action.kind in (ActionKind.UPDATE, ActionKind.ADOPT):
            _update(stored, action.patch or {})
        elif action.kind is ActionKind.PAUSE:
            stored["status"] = "paused"
        elif action.kind is ActionKind.UNPAUSE:
            stored["status"] = "active"


def _live(old: dict[str, Any], console: dict[str, Any], token: str) -> dict[str, Any]:
    stored = copy.deepcopy(_desired({**old, "name": "job", "previous_names": []}, token).body)
    stored.update(id="depl_1", created_at="2026-01-01T00:00:00Z", updated_at="2026-01-01T00:00:00Z",
                  status=old["status"])
    for field in console["touch"]:
        if field == "metadata":
            stored["metadata"].update(console["metadata"])
        elif console[field] is None:
            stored.pop(field, None)
        else:
            stored[field] = copy.deepcopy(console[field])
    return stored


@settings(max_examples=400, deadline=None)
@given(
    want=manifests(), old=manifests(), console=drift(),
    tokens=st.tuples(st.sampled_from(["tok-1", "tok-2"]), st.sampled_from(["tok-1", "tok-2"])),
)
def test_the_patch_is_what_the_plan_shows_and_converges(
    want: dict[str, Any], old: dict[str, Any], console: dict[str, Any], tokens: tuple[str, str]
) -> None:
    live_token, new_token = tokens
    stored = _live(old, console, live_token)
    before = copy.deepcopy(stored)
    wanted = _desired(want, new_token)
    plan = build_plan([wanted], [_read(stored)], Options(stack=STACK))
    ignored = set(wanted.ignore_changes)

    for action in plan.writes:
        if action.kind not in (ActionKind.UPDATE, ActionKind.ADOPT):
            continue
        for path in sent_paths(action.patch or {}):
            assert shown(path, list(action.changes)), (path, action.changes)  # (a) sent => shown
            assert path not in ignored, path  # (b) never an ignored field or key
            assert not (path.startswith(f"{tags.PREFIX}") and path not in (tags.STACK, tags.NAME))
        assert action.patch  # an update always sends something, and only what it shows

    _apply(stored, plan)
    again = build_plan([_desired(want, new_token)], [_read(stored)], Options(stack=STACK))
    assert not again.has_changes, [(a.kind, a.changes) for a in again.writes]  # (c) converges

    for path in ignored:  # (d) ignored fields keep their live values
        if path == "status":
            assert stored["status"] == before["status"]
        elif path.startswith("metadata."):
            key = path.removeprefix("metadata.")
            assert stored["metadata"].get(key) == before["metadata"].get(key)
        else:
            assert stored.get(path) == before.get(path)


def test_the_issue_reproduction_keeps_the_ignored_key() -> None:
    """Round 2's example: `keep` is ignored; only `owner` changes and only `owner` is sent."""
    data = {"name": "a", "agent": "agent_1", "environment_id": "env_1", "initial_events": _events("hello"),
            "metadata": {"owner": "team-a", "keep": "manifest-value"},
            "lifecycle": {"ignore_changes": ["metadata.keep"]}}
    wanted = _desired(data, "t")
    stored = {**copy.deepcopy(wanted.body), "id": "depl_1", "created_at": "x", "updated_at": "x", "status": "active"}
    stored["metadata"].update(owner="team-b", keep="console-value")
    plan = build_plan([wanted], [_read(stored)], Options(stack=STACK))
    (update,) = plan.writes
    assert update.patch == {"metadata": {"owner": "team-a"}}
    assert [c.path for c in update.changes] == ["metadata.owner"]
