"""engine/versions.py and engine/stranded.py: which deployments are re-pinned or warned about, and
which archives would leave a deployment on an archived agent or environment (pure)."""

from __future__ import annotations

from typing import Any

from agentops.engine.desired import Desired
from agentops.engine.identity import Live, Match
from agentops.engine.stranded import stranded
from agentops.engine.versions import follow
from agentops.model import tags


def _agent(version: int) -> Live:
    return Live.from_json({"id": "agent_1", "name": "triage", "version": version,
                           "metadata": {tags.STACK: "s", tags.NAME: "triage"}}, "agent")


def _deployment(name: str, version: int, **body: Any) -> Live:
    return Live.from_json({"id": f"depl_{name}", "name": name, "environment_id": "env_1",
                           "agent": {"type": "agent", "id": "agent_1", "version": version}, **body})


def _pair(name: str, version: int, pinned: bool, agent: str = "agent_1") -> Match:
    want = Desired(name, f"{name}.yaml", 1, {"agent": {"type": "agent", "id": agent, "version": 1} if pinned
                                             else agent}, "active", pinned)
    return Match(want, _deployment(name, version))


def test_followers_move_with_an_update_or_to_the_newest_and_pinned_ones_only_warn() -> None:
    pairs = [_pair("follows", 3, False), _pair("pinned", 1, True), _pair("current", 4, False)]
    repins, warnings = follow(pairs, [_agent(4)], {"agent_1": "agent.triage"}, [])
    assert [(r.live.name, r.current, r.target, r.update) for r in repins] == [
        ("follows", 3, 5, "agent.triage"), ("current", 4, 5, "agent.triage")]
    assert warnings == ["pinned: pinned to agent triage v1, behind its newest v5 (made by this apply); raise "
                        "agent.version in its manifest to run the newest"]

    repins, warnings = follow(pairs, [_agent(4)], {}, [])
    assert [(r.live.name, r.target, r.update) for r in repins] == [("follows", 4, None)]
    assert repins[0].reason == "agent triage v3 -> v4 (follows; the agent changed outside this plan)"
    assert repins[0].patch == {"agent": {"type": "agent", "id": "agent_1", "version": 4}}


def test_a_deployment_moving_to_another_agent_or_rewritten_by_its_own_update_is_left_alone() -> None:
    assert follow([_pair("moves", 3, False, agent="agent_2")], [_agent(4)], {}, []) == ([], [])
    assert follow([_pair("own", 3, False)], [_agent(4)], {}, ["depl_own"]) == ([], [])


def test_an_archive_strands_a_deployment_unless_it_is_archived_or_repointed() -> None:
    on = [_deployment("a", 1), _deployment("b", 1)]
    found = stranded([("agent", "agent_1"), ("environment", "env_1")], on, [], {})
    assert {key: [d.name for d in users] for key, users in found.items()} == {
        ("agent", "agent_1"): ["a", "b"], ("environment", "env_1"): ["a", "b"]}
    moved = {"depl_b": [{"agent": "agent_2", "environment_id": "env_2"}]}
    assert stranded([("agent", "agent_1")], on, ["depl_a"], moved) == {}
    # A re-pin keeps the deployment on the same agent.
    repinned = {"depl_b": [{"agent": {"type": "agent", "id": "agent_1", "version": 2}}]}
    assert [d.name for d in stranded([("agent", "agent_1")], on, ["depl_a"], repinned)[("agent", "agent_1")]] == ["b"]
