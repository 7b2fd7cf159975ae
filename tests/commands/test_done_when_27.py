"""Issue #27's "Done when", end to end (the CLI in process, the real SDK over HTTP to the emulator): one
repository with a vault holding credentials of all three types, two skills, a memory store, an agent
using the skills and a deployment using the vault (by path) and the store (by name) plans, applies and
converges; a rotated secret is seen; an immutable credential field is replaced with no gap; a skill
edit makes one version and re-pins its agent and the agent's follower; `destroy` leaves nothing of the
stack live and nothing of another stack touched; no secret appears in any output on the way."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import anthropic
import pytest
import yaml

from agentops.model import tags
from agentops.model.skillfiles import read_record
from tests.commands.test_control_plane import TRIAGE
from tests.commands.test_destroy import _live
from tests.commands.test_skills import live_skills, skill
from tests.commands.test_vaults import (
    BEARER,
    NPM,
    OAUTH,
    SECRETS,
    live_credentials,
    live_vaults,
    stored,
    vault,
)
from tests.stack import STACK, Stack

NOTES = {"name": "team-notes", "description": "What the team learnt."}
JOB = {"name": "nightly", "agent": {"name": "triage"}, "environment_id": "env_011main", "prompt": "Triage.",
       "vaults": ["./vaults/tools.yaml"],
       "resources": [{"type": "memory_store", "memory_store": {"name": "team-notes"}, "access": "read_only"}]}
# What the stack owns once applied: every kind the planner manages.
EVERY_KIND = {"vault.tools", "credential.tools/github", "credential.tools/linear", "credential.tools/npm",
              "skill.triage-notes", "skill.pr-summary", "memory_store.team-notes", "agent.triage", "deployment.nightly"}
ROTATED = {"GITHUB_MCP_TOKEN": "ghp_mcp_SECRET_rotated_6666"}


def declare(repo: Stack, *credentials: dict[str, Any]) -> None:
    """The whole stack: the vault (with `credentials`), two skills, the store, the agent and the deployment."""
    repo.write(JOB)
    for folder, item in (("vaults", vault(*credentials)), ("memory_stores", NOTES),
                         ("agents", {**TRIAGE, "skills": ["./../skills/triage-notes/", {"name": "pr-summary"}]})):
        (repo.root / "deployments" / folder).mkdir(exist_ok=True)
        name = item.get("display_name") or item["name"]
        (repo.root / "deployments" / folder / f"{name}.yaml").write_text(yaml.safe_dump(item, sort_keys=False))
    if not (repo.root / "deployments" / "skills").exists():
        skill(repo, "triage-notes", reference="Labels: bug, feature.\n")
        skill(repo, "pr-summary")


class Outputs:
    """Every output of every command run through it (text, JSON, markdown, saved plans): none may hold a secret."""

    def __init__(self, repo: Stack):
        self.repo = repo
        self.seen: list[str] = []

    def run(self, *args: str, env: dict[str, str] | None = None, codes: tuple[int, ...] = (0,)) -> str:
        result = self.repo.run(*args, env={**SECRETS, "ANTHROPIC_LOG": "debug", **(env or {})})
        assert result.exit_code in codes, result.output
        self.seen.append(result.output)
        return result.output

    def plans(self, tmp: Path, env: dict[str, str] | None = None) -> dict[str, Any]:
        """The plan in every format and saved; returns the JSON one."""
        root = str(self.repo.root)
        self.run("-v", "plan", root, env=env)
        self.run("plan", root, "--format", "markdown", env=env)
        saved = tmp / "saved.plan"
        self.run("plan", root, "--out", str(saved), env=env)
        self.seen.append(saved.read_text())
        data: dict[str, Any] = json.loads(self.run("plan", root, "--format", "json", env=env))
        return data

    def in_sync(self, env: dict[str, str] | None = None) -> bool:
        """Whether the plan has nothing to do (exit 0 with --detailed-exitcode, 2 when it has)."""
        result = self.repo.run("plan", str(self.repo.root), "--detailed-exitcode", env={**SECRETS, **(env or {})})
        assert result.exit_code in (0, 2), result.output
        self.seen.append(result.output)
        return result.exit_code == 0

    def apply(self, env: dict[str, str] | None = None) -> None:
        self.run("apply", str(self.repo.root), "--auto-approve", env=env)
        self.run("apply", str(self.repo.root), "--auto-approve", "--format", "json", env=env)  # nothing left: a no-op


def writes(repo: Stack) -> list[tuple[str, str]]:
    return [(method, path) for method, path, _status in repo.emulator.requests if method in ("POST", "DELETE")]


def owned(client: anthropic.Anthropic, stack: str) -> set[str]:
    """The addresses of the live objects of every kind that `stack` owns: a skill by the record file
    in its latest version, a credential through its vault's tags, the others by their own tags."""
    live = _live(client)
    vaults = {v["id"]: v["metadata"][tags.NAME] for v in live["vault"] if v["metadata"].get(tags.STACK) == stack}
    found = {f"credential.{vaults[c['vault_id']]}/{c['display_name']}" for c in live["credential"]
             if c["vault_id"] in vaults}
    for item in live["skill"]:
        content = client.beta.skills.versions.download(item["latest_version_id"], skill_id=item["id"]).read()
        if read_record(content).get("metadata", {}).get(tags.STACK) == stack:
            found.add(f"skill.{item['display_name']}")
    return found | {f"{kind}.{item['metadata'][tags.NAME]}" for kind, items in live.items()
                    if kind not in ("skill", "credential") for item in items
                    if (item.get("metadata") or {}).get(tags.STACK) == stack}


def test_the_whole_stack_converges_rotates_replaces_repins_and_is_destroyed_without_a_secret_shown(
        stack: Stack, client: anthropic.Anthropic, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    out = Outputs(stack)
    declare(stack, OAUTH, BEARER, NPM)

    # Plans, applies and converges.
    planned = out.plans(tmp_path)
    assert planned["order"] == [["vault.tools"], ["credential.tools/github", "credential.tools/linear",
                                                  "credential.tools/npm"], ["skill.pr-summary", "skill.triage-notes"],
                                ["memory_store.team-notes"], ["agent.triage"], ["deployment.nightly"]]
    out.apply()
    assert out.in_sync()
    tools = live_vaults(client)["tools"]
    credentials = live_credentials(client, tools.id)
    assert sorted(credentials) == ["github", "linear", "npm"]
    assert stored(stack, tools.id, credentials["npm"].id) == {"secret_value": SECRETS["NPM_PUBLISH"]}
    skills = live_skills(client)
    [agent] = [a for a in client.beta.agents.list() if a.name == "triage"]
    assert {(s.skill_id, s.version) for s in agent.skills} == {(s.id, s.latest_version_id) for s in skills.values()}
    [store] = [s for s in client.beta.memory_stores.list() if s.name == "team-notes"]
    [job] = [d for d in stack.emulator.raw_deployments() if d["name"] == "nightly"]
    assert job["vault_ids"] == [tools.id] and job["resources"][0]["memory_store_id"] == store.id
    assert job["agent"] == {"type": "agent", "id": agent.id, "version": agent.version}

    # A rotated secret is seen: one credential update that sends the new value.
    rotated = out.plans(tmp_path, ROTATED)
    assert [(a["address"], a["action"]) for a in rotated["actions"] if a["action"] != "noop"] == [
        ("credential.tools/github", "update")]
    out.apply(ROTATED)
    assert stored(stack, tools.id, credentials["github"].id) == {"token": ROTATED["GITHUB_MCP_TOKEN"]}
    assert out.in_sync(ROTATED)

    # An immutable field changed: the new credential is created before the old one is archived.
    declare(stack, OAUTH, BEARER, {**NPM, "auth": {**NPM["auth"], "secret_name": "NPM_AUTH_TOKEN"}})
    replaced = out.plans(tmp_path, ROTATED)
    assert [(a["address"], a["action"]) for a in replaced["actions"] if a["action"] != "noop"] == [
        ("credential.tools/npm", "create"), ("credential.tools/npm", "archive")]
    stack.emulator.reset_counts()
    out.run("apply", str(stack.root), "--auto-approve", env=ROTATED)
    assert writes(stack) == [("POST", f"/v1/vaults/{tools.id}/credentials"),
                             ("POST", f"/v1/vaults/{tools.id}/credentials/{credentials['npm'].id}/archive")]
    assert live_credentials(client, tools.id)["npm"].auth.secret_name == "NPM_AUTH_TOKEN"
    assert out.in_sync(ROTATED)

    # A skill edit: exactly one new version, the agent re-pinned (one new version of it) and its follower too.
    skill(stack, "triage-notes", "Triage better.\n", reference="Labels: bug, feature.\n")
    edited = out.plans(tmp_path, ROTATED)
    assert [(a["address"], a["action"]) for a in edited["actions"] if a["action"] != "noop"] == [
        ("skill.triage-notes", "update"), ("agent.triage", "update"), ("deployment.nightly", "update")]
    stack.emulator.reset_counts()
    out.run("apply", str(stack.root), "--auto-approve", env=ROTATED)
    assert writes(stack) == [("POST", f"/v1/skills/{skills['triage-notes'].id}/versions"),
                             ("POST", f"/v1/agents/{agent.id}"), ("POST", f"/v1/deployments/{job['id']}")]
    now = live_skills(client)
    repinned = client.beta.agents.retrieve(agent.id)
    assert repinned.version == agent.version + 1  # one new agent version
    pins = {s.skill_id: s.version for s in repinned.skills}
    assert pins == {now["triage-notes"].id: now["triage-notes"].latest_version_id,
                    now["pr-summary"].id: skills["pr-summary"].latest_version_id}
    assert now["triage-notes"].latest_version_id != skills["triage-notes"].latest_version_id
    assert client.beta.deployments.retrieve(job["id"]).agent.version == repinned.version
    assert out.in_sync(ROTATED)
    out.run("status", str(stack.root), env=ROTATED)

    # Another stack of the same names beside it: destroy leaves it, and takes every kind of this one.
    other = Stack.create(tmp_path / "other", stack.emulator, stack="team-b")
    declare(other, OAUTH, BEARER, NPM)
    theirs_out = Outputs(other)
    theirs_out.run("apply", str(other.root), "--auto-approve", "--new-stack")
    theirs = owned(client, "team-b")
    assert theirs == owned(client, STACK) == EVERY_KIND
    saved = tmp_path / "destroy.plan"
    out.run("destroy", str(stack.root), "--out", str(saved), "--format", "json", env=ROTATED)
    out.seen.append(saved.read_text())
    stack.emulator.reset_counts()
    out.run("destroy", str(stack.root), "--auto-approve", env=ROTATED)
    # In reverse dependency order: nothing archived while something live still uses it; skills deleted.
    assert [("credentials" if "/credentials/" in path else path.split("/")[2], method)
            for method, path in writes(stack)] == [
        ("deployments", "POST"), ("agents", "POST"), ("memory_stores", "POST"), ("skills", "DELETE"),
        ("skills", "DELETE"), ("credentials", "POST"), ("credentials", "POST"), ("credentials", "POST"),
        ("vaults", "POST")]
    assert owned(client, STACK) == set()
    assert owned(client, "team-b") == theirs
    assert "triage-notes" in live_skills(client)  # team-b's, the same name

    secrets = [*SECRETS.values(), *ROTATED.values()]
    shown = "\n".join([*out.seen, *theirs_out.seen, caplog.text])
    assert [secret for secret in secrets if secret in shown] == []
