"""Normalizers: only what a manifest can express is compared, at every depth, on both sides."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from agentops.engine.desired import FIELDS
from agentops.engine.identity import Live
from agentops.engine.normalize import Context, normalize, same_shape, unknown_kinds
from agentops.engine.plan import ActionKind, Options, build_plan
from agentops.model import tags
from tests.engine.test_plan import STACK, manifest, want


def test_keys_the_api_starts_returning_are_not_drift() -> None:
    """A new default inside a resource or a content block must not make every plan an update."""
    wanted = want(manifest(resources=[{"type": "memory_store", "memory_store_id": "mem_1"}]))
    body = {**wanted.body, "id": "depl_1", "created_at": "x", "updated_at": "x", "status": "active"}
    body["resources"] = [{**body["resources"][0], "max_entries": 500}]
    body["initial_events"] = [
        {**event, "content": [{**block, "cache_control": {"type": "ephemeral"}} for block in event["content"]]}
        for event in body["initial_events"]
    ]
    live = Live.from_json(body)
    assert normalize(live.body, Context()) == normalize(wanted.body, Context())
    plan = build_plan([wanted], [live], Options(stack=STACK))
    assert [a.kind for a in plan.actions] == [ActionKind.NOOP]


def test_an_unknown_resource_type_is_a_warning_not_drift() -> None:
    wanted = want(manifest())
    body = {**wanted.body, "id": "depl_1", "created_at": "x", "updated_at": "x", "status": "active"}
    body["resources"] = [{"type": "vector_index", "index_id": "vx_1"}]
    live = Live.from_json(body)
    assert unknown_kinds(live.body) == ["resources: 'vector_index'"]
    plan = build_plan([wanted], [live], Options(stack=STACK))
    assert [a.kind for a in plan.actions] == [ActionKind.NOOP]
    assert any("'vector_index' cannot be written in a manifest" in w for w in plan.warnings)


# --- field-locality: what lets an in-sync deployment be told apart cheaply -----------------------

_EVENTS = (
    [{"type": "user.message", "content": [{"type": "text", "text": "hi"}]}],
    [{"type": "user.message", "content": [{"type": "text", "text": "hi", "cache_control": {"type": "ephemeral"}}]}],
    [{"type": "user.define_outcome", "description": "d", "rubric": {"type": "text", "content": "r"}}],
    [{"type": "user.define_outcome", "description": "d", "rubric": {"type": "text", "content": "r"},
      "max_iterations": 3}],
    [{"type": "user.message", "content": [{"type": "text", "text": "hi"}]}, {"type": "future.event"}],
)
_RESOURCES = (
    None,
    [],
    [{"type": "github_repository", "url": "https://github.com/o/r.git", "authorization_token": "${T}"}],
    [{"type": "github_repository", "url": "https://github.com/o/r.git", "mount_path": "/workspace/r"}],
    [{"type": "memory_store", "memory_store_id": "m"}],
    [{"type": "memory_store", "memory_store_id": "m", "access": "read_write", "max_entries": 5}],
    [{"type": "vector_index", "index_id": "v"}],
)
_FIELD_VALUES: dict[str, tuple[Any, ...]] = {
    "name": ("a", "b"),
    "description": (None, "", "d"),
    "agent": (None, "agent_1", {"type": "agent", "id": "agent_1", "version": 1},
              {"id": "agent_1", "type": "agent", "version": 2}),
    "environment_id": ("env_1", "env_2"),
    "initial_events": _EVENTS,
    "schedule": (None, {"type": "cron", "expression": "0 9 * * 1", "timezone": "UTC"},
                 {"expression": "0  9 * * 1", "timezone": "UTC", "last_run_at": None, "upcoming_runs_at": []},
                 {"type": "cron", "expression": "0 10 * * 1", "timezone": "UTC"}),
    "resources": _RESOURCES,
    "vault_ids": (None, [], ["v1"], ["v1", "v2"]),
    "metadata": (None, {}, {"team": "a"}, {"team": "a", tags.SECRETS: "f1"}, {"team": "a", tags.SECRETS: "f2"}),
    "budget": (None, {"type": "limit", "max_list_cost": {"amount": "100", "currency": "USD"}}),
}
IGNORABLE = ("description", "schedule", "resources", "vault_ids", "initial_events", "metadata.team")


@st.composite
def bodies(draw: st.DrawFn) -> dict[str, Any]:
    body: dict[str, Any] = {"id": "depl_1", "status": "active"}
    for name, values in _FIELD_VALUES.items():
        if draw(st.booleans()):
            body[name] = copy.deepcopy(draw(st.sampled_from(values)))
    return body


contexts = st.builds(
    Context,
    agent_pinned=st.booleans(),
    ignore_changes=st.lists(st.sampled_from(IGNORABLE), unique=True, max_size=3).map(tuple),
    secrets_unknown=st.booleans(),
)


@settings(max_examples=300, deadline=None)
@given(body=bodies(), context=contexts)
def test_every_normalizer_is_field_local(body: dict[str, Any], context: Context) -> None:
    """Each field normalizes the same alone as within its body: `same_shape` depends on it."""
    whole = normalize(body, context)
    for name in FIELDS:
        alone = normalize({name: body.get(name)}, context)
        assert (name in alone) == (name in whole)
        if name in whole:
            assert alone[name] == whole[name], name


@settings(max_examples=500, deadline=None)
@given(live=bodies(), wanted=bodies(), context=contexts, share=st.sets(st.sampled_from(FIELDS)))
def test_same_shape_agrees_with_normalizing_both_sides(
    live: dict[str, Any], wanted: dict[str, Any], context: Context, share: set[str]
) -> None:
    # Shared fields make the raw-equal shortcut actually run (random pairs rarely share a value).
    for name in share:
        if name in wanted:
            live[name] = copy.deepcopy(wanted[name])
    expected = normalize(live, context) == normalize(wanted, context)
    assert same_shape(live, context, wanted, normalize(wanted, context)) is expected


def test_an_in_sync_live_body_is_the_same_shape() -> None:
    wanted = want(manifest(resources=[{"type": "memory_store", "memory_store_id": "mem_1"}]))
    body = {**wanted.body, "id": "depl_1", "status": "active", "agent": {"type": "agent", "id": "agent_1"}}
    body["resources"] = [{**body["resources"][0], "access": "read_write"}]
    ctx = Context()
    assert same_shape(body, ctx, wanted.body, normalize(wanted.body, ctx))
    body["description"] = "changed in the console"
    assert not same_shape(body, ctx, wanted.body, normalize(wanted.body, ctx))
