"""Normalizers: only what a manifest can express is compared, at every depth, on both sides."""

from __future__ import annotations

from agentops.engine.identity import Live
from agentops.engine.normalize import Context, normalize, unknown_kinds
from agentops.engine.plan import ActionKind, Options, build_plan
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
