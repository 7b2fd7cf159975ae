"""Issue #24's "Done when", end to end with `--env` across two workspaces (two emulators, the CLI in
process, the real SDK over HTTP): environments, agents and deployments referenced by name and by
relative path plan, apply and converge in both; a system-prompt change is a line diff, one new agent
version and a re-pin of the followers in the workspace applied, the pinned one stays; a console edit
between a saved plan and its apply is refused."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anthropic
import pytest
import yaml

from agentops.emulator import EmulatorServer
from agentops.model import tags
from tests.commands.test_control_plane import SANDBOX, TRIAGE, declare
from tests.helpers import make_client
from tests.stack import STACK, Stack

ENVS = ("staging", "production")
CONFIG = {"stack": STACK, "api": {"writes_per_minute": 0, "reads_per_minute": 0},
          "environments": {env: {} for env in ENVS}}
SYSTEM = "You triage issues.\nLabel each one.\nBe brief."
EDITED = "You triage issues.\nLabel each one.\nBe thorough."


def _job(name: str, agent: Any, environment: Any) -> dict[str, Any]:
    return {"name": name, "agent": agent, "environment": environment, "prompt": f"Do the {name} job."}


# `named` follows by name, `pathed` follows by relative path (as `ant apply` writes it), `pinned` stays on v1.
JOBS = [_job("named", {"name": "triage"}, {"name": "sandbox"}),
        _job("pathed", "./agents/triage.yaml", "./environments/sandbox.yaml"),
        _job("pinned", {"name": "triage", "version": 1}, {"name": "sandbox"})]


class Workspaces:
    """One repository, and per environment its own emulator and SDK client."""

    def __init__(self, repo: Stack, servers: dict[str, EmulatorServer], clients: dict[str, anthropic.Anthropic]):
        self.repo, self.servers, self.clients = repo, servers, clients

    def run(self, env: str, *args: str) -> Any:
        return self.repo.run("--env", env, *args, env={"ANTHROPIC_BASE_URL": self.servers[env].url})

    def in_sync(self, env: str) -> bool:
        result = self.run(env, "plan", str(self.repo.root), "--detailed-exitcode")
        assert result.exit_code in (0, 2), result.output
        return result.exit_code == 0

    def plan(self, env: str) -> dict[str, Any]:
        result = self.run(env, "plan", str(self.repo.root), "--format", "json")
        assert result.exit_code == 0, result.output
        data: dict[str, Any] = json.loads(result.stdout)
        return data

    def agent(self, env: str) -> Any:
        [found] = [a for a in self.clients[env].beta.agents.list() if a.name == "triage" and a.archived_at is None]
        return found

    def pins(self, env: str) -> dict[str, int]:
        """Each live deployment's pinned agent version, by name (checked to be this workspace's agent)."""
        agent_id = self.agent(env).id
        rows = [d for d in self.servers[env].raw_deployments() if not d.get("archived_at")]
        assert all(d["agent"]["id"] == agent_id for d in rows)
        return {d["name"]: d["agent"]["version"] for d in rows}

    def versions(self, env: str) -> list[int]:
        return sorted(v.version for v in self.clients[env].beta.agents.versions.list(self.agent(env).id))


@pytest.fixture
def spaces(tmp_path: Path, emulator: EmulatorServer) -> Iterator[Workspaces]:
    with EmulatorServer() as production, make_client(emulator.url) as stg, make_client(production.url) as prd:
        repo = Stack.create(tmp_path, emulator, stack=STACK)
        (tmp_path / "agentops.yaml").write_text(yaml.safe_dump(CONFIG))
        declare(repo, agents=[{**TRIAGE, "system": SYSTEM}], environments=[SANDBOX], deployments=JOBS)
        yield Workspaces(repo, {"staging": emulator, "production": production}, {"staging": stg, "production": prd})


def _applied(spaces: Workspaces) -> None:
    for env in ENVS:
        result = spaces.run(env, "apply", str(spaces.repo.root), "--auto-approve")
        assert result.exit_code == 0, result.output


def test_both_workspaces_plan_apply_and_converge_by_name_and_by_path(spaces: Workspaces) -> None:
    for env in ENVS:
        planned = spaces.plan(env)
        assert [(a["address"], a["action"]) for a in planned["actions"]] == [
            ("environment.sandbox", "create"), ("agent.triage", "create"), ("deployment.named", "create"),
            ("deployment.pathed", "create"), ("deployment.pinned", "create")]
        # By path and by name: the same object, created by this apply.
        bodies = {a["name"]: a["body"] for a in planned["actions"] if a["resource"] == "deployment"}
        assert bodies["pathed"]["agent"] == bodies["named"]["agent"] == "(known after apply: agent triage)"
        assert bodies["pathed"]["environment_id"] == "(known after apply: environment sandbox)"
    _applied(spaces)
    for env in ENVS:
        assert spaces.in_sync(env)
        agent = spaces.agent(env)
        assert (agent.metadata[tags.STACK], agent.metadata[tags.ENV], agent.system) == (STACK, env, SYSTEM)
        [sandbox] = [e for e in spaces.clients[env].beta.environments.list() if e.archived_at is None]
        assert sandbox.metadata[tags.ENV] == env
        assert {d["environment_id"] for d in spaces.servers[env].raw_deployments()} == {sandbox.id}
        assert spaces.pins(env) == {"named": 1, "pathed": 1, "pinned": 1}


def test_a_prompt_change_is_a_line_diff_one_version_and_a_repin_in_the_workspace_applied(
        spaces: Workspaces) -> None:
    _applied(spaces)
    declare(spaces.repo, agents=[{**TRIAGE, "system": EDITED}], environments=[SANDBOX], deployments=JOBS)
    planned = spaces.plan("staging")
    changed = {(a["address"], a["action"]): a for a in planned["actions"] if a["action"] != "noop"}
    assert set(changed) == {("agent.triage", "update"), ("deployment.named", "update"),
                            ("deployment.pathed", "update")}
    system = {c["field"]: c for c in changed[("agent.triage", "update")]["changes"]}["system"]
    assert system["diff"][2:] == ["@@ -1,3 +1,3 @@", " You triage issues.", " Label each one.", "-Be brief.",
                                  "+Be thorough."]
    text = spaces.run("staging", "plan", str(spaces.repo.root))
    assert "-Be brief.\n" in text.output and "+Be thorough.\n" in text.output
    # Each re-pin is its own line.
    repins = [line.strip() for line in text.output.splitlines() if line.endswith("(agent triage v1 -> v2 (follows))")]
    assert [line.split(" [")[0] for line in repins] == ["~ update named", "~ update pathed"]
    assert "Plan: 0 to create, 3 to update, 0 to pause, 0 to unpause, 0 to archive." in text.output

    spaces.servers["staging"].reset_counts()
    assert spaces.run("staging", "apply", str(spaces.repo.root), "--auto-approve").exit_code == 0
    assert spaces.versions("staging") == [1, 2]  # exactly one new version
    assert spaces.agent("staging").system == EDITED
    assert spaces.pins("staging") == {"named": 2, "pathed": 2, "pinned": 1}
    assert spaces.in_sync("staging")
    # Production was not applied: its agent and deployments have not moved, and its plan shows the change.
    assert spaces.versions("production") == [1]
    assert spaces.pins("production") == {"named": 1, "pathed": 1, "pinned": 1}
    assert not spaces.in_sync("production")
    assert spaces.run("production", "apply", str(spaces.repo.root), "--auto-approve").exit_code == 0
    assert spaces.versions("production") == [1, 2]
    assert spaces.pins("production") == {"named": 2, "pathed": 2, "pinned": 1}
    assert spaces.in_sync("production") and spaces.in_sync("staging")


def test_a_deployment_updated_and_repinned_counts_as_one_update(spaces: Workspaces) -> None:
    _applied(spaces)
    described = [{**JOBS[0], "description": "Named."}, *JOBS[1:]]
    declare(spaces.repo, agents=[{**TRIAGE, "system": EDITED}], environments=[SANDBOX], deployments=described)
    planned = spaces.plan("staging")
    # `named` has two writes (its own update, then its re-pin), and is one object updated.
    assert [a["address"] for a in planned["actions"] if a["action"] == "update"].count("deployment.named") == 2
    assert planned["summary"] == "Plan: 0 to create, 3 to update, 0 to pause, 0 to unpause, 0 to archive."
    result = spaces.run("staging", "apply", str(spaces.repo.root), "--auto-approve")
    assert result.exit_code == 0, result.output
    assert "Apply complete: 3 succeeded, 0 failed." in result.output  # counted as the summary counts
    assert spaces.pins("staging") == {"named": 2, "pathed": 2, "pinned": 1}


def test_a_console_edit_between_a_saved_plan_and_its_apply_is_refused_in_that_workspace(
        spaces: Workspaces, tmp_path: Path) -> None:
    _applied(spaces)
    declare(spaces.repo, agents=[{**TRIAGE, "system": EDITED}], environments=[SANDBOX], deployments=JOBS)
    saved = {env: tmp_path / f"{env}.plan" for env in ENVS}
    for env in ENVS:
        assert spaces.run(env, "plan", str(spaces.repo.root), "--out", str(saved[env])).exit_code == 0
    edited = spaces.agent("production")
    spaces.clients["production"].beta.agents.update(edited.id, version=edited.version, description="console")

    writes = spaces.servers["production"].write_count()
    refused = spaces.run("production", "apply", str(saved["production"]), "--auto-approve")
    assert refused.exit_code == 1
    assert f"agent.triage: {edited.id} changed since the plan" in refused.output
    assert spaces.servers["production"].write_count() == writes
    assert spaces.pins("production") == {"named": 1, "pathed": 1, "pinned": 1}
    # Staging had no console edit: its saved plan applies.
    assert spaces.run("staging", "apply", str(saved["staging"]), "--auto-approve").exit_code == 0
    assert spaces.pins("staging") == {"named": 2, "pathed": 2, "pinned": 1}

    # The race a claim check cannot see (the edit lands just before the agent's update): refused by the
    # API (409), and the followers are not written.
    fresh = tmp_path / "fresh.plan"
    assert spaces.run("production", "plan", str(spaces.repo.root), "--out", str(fresh)).exit_code == 0
    server = spaces.servers["production"]
    server.reset_counts()
    server.faults = server.faults.updated({"agent_races": 1})
    raced = spaces.run("production", "apply", str(fresh), "--auto-approve")
    assert raced.exit_code == 1
    assert [status for method, path, status in server.requests if method == "POST"] == [409]
    assert spaces.pins("production") == {"named": 1, "pathed": 1, "pinned": 1}
