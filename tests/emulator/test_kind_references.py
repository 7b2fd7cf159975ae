"""References to vaults, memory stores and skills: refused when missing or archived at write time, and
the run errors (with auto-pause) once they are archived or deleted later."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import anthropic
import pytest

from agentops.emulator import EmulatorServer
from tests.emulator.support import ManualClock
from tests.helpers import make_client, make_deployment_body, raises_api_error

SKILL = [("triage/SKILL.md", b"---\nname: triage\ndescription: Sorts issues.\n---\n", "text/markdown")]
HOURLY = {"type": "cron", "expression": "0 * * * *", "timezone": "UTC"}


@dataclass
class Stack:
    sdk: anthropic.Anthropic
    vault: str
    store: str
    skill: str
    skill_version: str
    agent: str

    def memory(self, store_id: str | None = None) -> dict[str, str]:
        return {"type": "memory_store", "memory_store_id": store_id or self.store}


def build(sdk: anthropic.Anthropic) -> Stack:
    vault = sdk.beta.vaults.create(display_name="creds").id
    store = sdk.beta.memory_stores.create(name="notes").id
    skill = sdk.skills.create(files=SKILL)
    agent = sdk.beta.agents.create(name="triage-bot", model="claude-sonnet-4-6",
                                   skills=[{"type": "custom", "skill_id": skill.id}])
    return Stack(sdk, vault, store, skill.id, skill.latest_version_id, agent.id)


@pytest.fixture
def strict(clock: ManualClock) -> Iterator[tuple[EmulatorServer, Stack]]:
    seed = {"environments": [{"id": "env_1"}]}
    with EmulatorServer(seed=seed, clock=clock) as server, make_client(server.url) as sdk:
        yield server, build(sdk)


def test_an_agent_pins_the_latest_skill_version_unless_told(strict: tuple[EmulatorServer, Stack]) -> None:
    _, stack = strict
    agent = stack.sdk.beta.agents.retrieve(stack.agent)
    assert [(s.skill_id, s.version) for s in agent.skills] == [(stack.skill, stack.skill_version)]
    newer = stack.sdk.skills.versions.create(stack.skill, files=SKILL).id
    assert stack.sdk.beta.agents.retrieve(stack.agent).skills[0].version == stack.skill_version  # no silent follow
    repinned = stack.sdk.beta.agents.update(stack.agent, version=1,
                                            skills=[{"type": "custom", "skill_id": stack.skill}])
    assert (repinned.version, repinned.skills[0].version) == (2, newer)
    pinned = stack.sdk.beta.agents.update(stack.agent, version=2, skills=[
        {"type": "custom", "skill_id": stack.skill, "version": stack.skill_version}])
    assert pinned.skills[0].version == stack.skill_version


@pytest.mark.parametrize(("skill", "message"), [
    ({"type": "custom", "skill_id": "skill_missing"}, r"skills\[0\]: skill 'skill_missing' not found"),
    ({"type": "custom", "skill_id": "SKILL", "version": "skillver_nope"}, r"skills\[0\].version: "),
])
def test_agents_refuse_missing_skills(strict: tuple[EmulatorServer, Stack], skill: dict[str, str],
                                      message: str) -> None:
    _, stack = strict
    skill = {**skill, "skill_id": stack.skill if skill["skill_id"] == "SKILL" else skill["skill_id"]}
    with raises_api_error(400, message):
        stack.sdk.beta.agents.create(name="a", model="claude-sonnet-4-6", skills=[skill])  # type: ignore[list-item]
    with raises_api_error(400, message):
        stack.sdk.beta.agents.update(stack.agent, version=1, skills=[skill])  # type: ignore[list-item]


def test_agents_refuse_a_deleted_skill(strict: tuple[EmulatorServer, Stack]) -> None:
    _, stack = strict
    stack.sdk.skills.delete(stack.skill)
    with raises_api_error(400, "not found"):
        stack.sdk.beta.agents.create(name="a", model="claude-sonnet-4-6",
                                     skills=[{"type": "custom", "skill_id": stack.skill}])


def test_default_mode_presumes_unknown_skills_and_stores_exist(client: anthropic.Anthropic) -> None:
    agent = client.beta.agents.create(name="a", model="claude-sonnet-4-6",
                                      skills=[{"type": "custom", "skill_id": "skill_elsewhere"}])
    assert agent.skills[0].version == "latest"
    created = client.beta.deployments.create(**make_deployment_body(
        resources=[{"type": "memory_store", "memory_store_id": "memstore_elsewhere"}]))
    assert client.beta.deployments.run(created.id).error is None


@pytest.mark.parametrize(("breaks", "message"), [
    ("archive", r"resources\[0\].memory_store_id: memory_store .* is archived"),
    ("delete", r"resources\[0\].memory_store_id: memory_store .* not found"),
    ("unknown", r"resources\[0\].memory_store_id: memory_store 'memstore_nope' not found"),
])
def test_deployments_refuse_an_unusable_memory_store(strict: tuple[EmulatorServer, Stack], breaks: str,
                                                     message: str) -> None:
    _, stack = strict
    body = make_deployment_body(agent=stack.agent, environment_id="env_1")
    existing = stack.sdk.beta.deployments.create(**body)
    if breaks == "archive":
        stack.sdk.beta.memory_stores.archive(stack.store)
    elif breaks == "delete":
        stack.sdk.beta.memory_stores.delete(stack.store)
    store = "memstore_nope" if breaks == "unknown" else stack.store
    with raises_api_error(400, message):
        stack.sdk.beta.deployments.create(**{**body, "resources": [stack.memory(store)]})
    with raises_api_error(400, message):
        stack.sdk.beta.deployments.update(existing.id, resources=[stack.memory(store)])  # type: ignore[list-item]


def test_deployments_refuse_an_archived_vault_archived_through_the_sdk(strict: tuple[EmulatorServer, Stack]) -> None:
    _, stack = strict
    stack.sdk.beta.vaults.archive(stack.vault)
    with raises_api_error(400, r"vault_ids\[0\]: vault .* is archived"):
        stack.sdk.beta.deployments.create(**make_deployment_body(agent=stack.agent, environment_id="env_1",
                                                                 vault_ids=[stack.vault]))


BREAKS: dict[str, tuple[Callable[[Stack], object], str]] = {
    "vault archived": (lambda s: s.sdk.beta.vaults.archive(s.vault), "vault_archived_error"),
    "vault deleted": (lambda s: s.sdk.beta.vaults.delete(s.vault), "vault_not_found_error"),
    "memory store archived": (lambda s: s.sdk.beta.memory_stores.archive(s.store), "memory_store_archived_error"),
    # The API has no memory_store_not_found_error: "a referenced resource ... its kind was not reported".
    "memory store deleted": (lambda s: s.sdk.beta.memory_stores.delete(s.store), "session_resource_not_found_error"),
    "skill deleted": (lambda s: s.sdk.skills.delete(s.skill), "skill_not_found_error"),
    "pinned skill version deleted": (
        lambda s: (s.sdk.skills.versions.create(s.skill, files=SKILL),
                   s.sdk.skills.versions.delete(s.skill_version, skill_id=s.skill)),
        "skill_not_found_error"),
}


@pytest.mark.parametrize("case", sorted(BREAKS))
def test_a_run_fails_with_the_matching_error_and_a_scheduled_one_pauses(
    strict: tuple[EmulatorServer, Stack], clock: ManualClock, case: str
) -> None:
    server, stack = strict
    scheduled = stack.sdk.beta.deployments.create(**make_deployment_body(
        agent=stack.agent, environment_id="env_1", vault_ids=[stack.vault], resources=[stack.memory()],
        schedule=HOURLY))
    clock.advance(3600)
    assert [run["error"] for run in server.tick()] == [None]
    assert stack.sdk.beta.deployments.run(scheduled.id).error is None
    action, error_type = BREAKS[case]
    action(stack)
    manual = stack.sdk.beta.deployments.run(scheduled.id)
    assert manual.error is not None and manual.error.type == error_type and manual.error.message
    assert stack.sdk.beta.deployments.retrieve(scheduled.id).status == "active"  # a manual run never pauses
    clock.advance(3600)
    (fired,) = server.tick()
    assert fired["error"]["type"] == error_type
    paused = stack.sdk.beta.deployments.retrieve(scheduled.id)
    assert paused.status == "paused"
    assert paused.paused_reason is not None and paused.paused_reason.error.type == error_type  # type: ignore[union-attr]
