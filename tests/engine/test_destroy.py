"""What a destroy keeps because something staying live uses it: directly, through a kept object, any kind."""

from __future__ import annotations

from typing import Any

from agentops.engine.destroy import in_use
from agentops.engine.identity import Live


def _live(kind: str, object_id: str, **body: Any) -> Live:
    return Live.from_json({"id": object_id, "name": object_id, **body}, kind)


ENV = _live("environment", "env_1")
HELPER = _live("agent", "agent_helper")
LEAD = _live("agent", "agent_lead", multiagent={"agents": [{"type": "agent", "id": "agent_helper"}]})
JOB = _live("deployment", "depl_1", agent="agent_lead", environment_id="env_1")


def test_nothing_staying_uses_what_is_archived() -> None:
    assert in_use({"env_1", "agent_helper", "agent_lead", "depl_1"}, [ENV, HELPER, LEAD, JOB]) == {}


def test_what_a_staying_object_uses_is_kept_through_every_level() -> None:
    kept = in_use({"env_1", "agent_helper", "agent_lead"}, [ENV, HELPER, LEAD, JOB])
    assert {used: user.id for used, user in kept.items()} == {
        "env_1": "depl_1", "agent_lead": "depl_1", "agent_helper": "agent_lead"}


def test_text_that_only_mentions_an_id_is_no_use() -> None:
    staying = _live("agent", "agent_x", description="runs in env_2", metadata={"note": "env_2 soon"})
    assert in_use({"env_2"}, [_live("environment", "env_2"), staying]) == {}
    assert set(in_use({"env_2"}, [_live("environment", "env_2"), _live("deployment", "d", environment_id="env_2")]))\
        == {"env_2"}
