"""Environments end to end: one set of manifests, staging and production emulators with different
ids behind the same names, every bad input refused with zero writes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from agentops.emulator import EmulatorServer
from agentops.model import tags
from tests.helpers import make_client
from tests.stack import STACK, Stack

CONFIG = {
    "stack": STACK,
    "environments": {
        "staging": {"vars": {"agent": "triage-bot", "tier": "staging"}, "defaults": {"metadata": {"tier": "staging"}}},
        "production": {"vars": {"agent": "triage-bot", "tier": "production"},
                       "defaults": {"description": "Runs in production."}},
    },
}


def seed(prefix: str) -> dict[str, Any]:
    """The same names in every workspace, behind ids that differ per workspace."""
    return {
        "agents": [{"id": f"agent_{prefix}_triage", "name": "triage-bot", "versions": 3},
                   {"id": f"agent_{prefix}_other", "name": "other-bot"}],
        "environments": [{"id": f"env_{prefix}_default", "name": "default-env"}],
        "vaults": [{"id": f"vlt_{prefix}_gh", "display_name": "gh-creds"}],
    }


def named(name: str, **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": name,
        "agent": {"name": "${var.agent}"},
        "environment": {"name": "default-env"},
        "vaults": [{"name": "gh-creds"}],
        "prompt": f"Run {name} in ${{var.tier}}.",
        "schedule": {"expression": "0 6 * * 1-5", "timezone": "UTC"},
    }
    data.update(fields)
    return data


@pytest.fixture
def staging() -> Iterator[EmulatorServer]:
    with EmulatorServer(seed=seed("stg")) as server:
        yield server


@pytest.fixture
def production() -> Iterator[EmulatorServer]:
    with EmulatorServer(seed=seed("prd")) as server:
        yield server


def envs_repo(root: Path, emulator: EmulatorServer, config: dict[str, Any] | None = None) -> Stack:
    repo = Stack.create(root, emulator, stack=STACK)
    (root / "agentops.yaml").write_text(yaml.safe_dump(config or CONFIG, sort_keys=False))
    return repo


def at(emulator: EmulatorServer) -> dict[str, str]:
    return {"ANTHROPIC_BASE_URL": emulator.url}


def live(emulator: EmulatorServer) -> dict[str, dict[str, Any]]:
    return {d["name"]: d for d in emulator.raw_deployments() if not d.get("archived_at")}


def test_the_same_manifests_become_each_workspaces_ids(
    tmp_path: Path, staging: EmulatorServer, production: EmulatorServer
) -> None:
    repo = envs_repo(tmp_path, staging)
    repo.write(named("triage", overrides={"production": {"agent": {"name": "triage-bot", "version": 2}}}),
               named("stg-only", environments=["staging"]))
    for env, server in (("staging", staging), ("production", production)):
        result = repo.run("--env", env, "apply", str(tmp_path), "--auto-approve", env=at(server))
        assert result.exit_code == 0, result.output
        again = repo.run("plan", str(tmp_path), "--detailed-exitcode", env={**at(server), "AGENTOPS_ENV": env})
        assert again.exit_code == 0, again.output

    stg, prd = live(staging), live(production)
    assert set(stg) == {"triage", "stg-only"} and set(prd) == {"triage"}
    assert stg["triage"]["agent"]["id"] == "agent_stg_triage" and stg["triage"]["agent"]["version"] == 3
    assert prd["triage"]["agent"] == {"type": "agent", "id": "agent_prd_triage", "version": 2}
    assert (stg["triage"]["environment_id"], prd["triage"]["environment_id"]) == ("env_stg_default", "env_prd_default")
    assert (stg["triage"]["vault_ids"], prd["triage"]["vault_ids"]) == (["vlt_stg_gh"], ["vlt_prd_gh"])
    assert stg["triage"]["metadata"][tags.ENV] == "staging" and prd["triage"]["metadata"][tags.ENV] == "production"
    # vars and per-environment defaults: the environment's own values
    assert stg["triage"]["initial_events"][0]["content"][0]["text"] == "Run triage in staging."
    assert stg["triage"]["metadata"]["tier"] == "staging" and "tier" not in prd["triage"]["metadata"]
    assert prd["triage"]["description"] == "Runs in production." and not stg["triage"].get("description")


def test_plan_shows_names_and_ids_and_json_carries_resolved_and_env(tmp_path: Path, staging: EmulatorServer) -> None:
    repo = envs_repo(tmp_path, staging)
    repo.write(named("triage"))
    text = repo.run("--env", "staging", "plan", str(tmp_path))
    assert "agent triage-bot → agent_stg_triage" in text.output, text.output
    assert "environment default-env → env_stg_default" in text.output
    data = repo.plan_json("--env", "staging")
    assert data["env"] == "staging"
    assert data["resolved"] == {"agent": {"triage-bot": "agent_stg_triage"},
                                "environment": {"default-env": "env_stg_default"}, "vault": {"gh-creds": "vlt_stg_gh"}}
    # two plans: one listing per kind each, and no lookup by id for what was named
    listed = [path.split("?")[0] for method, path, _ in staging.requests if method == "GET" and "deployments" not in path]
    assert sorted(listed) == ["/v1/agents", "/v1/agents", "/v1/environments", "/v1/environments",
                              "/v1/memory_stores", "/v1/memory_stores", "/v1/skills", "/v1/skills",
                              "/v1/vaults", "/v1/vaults"]


def test_staging_and_production_share_a_workspace_without_touching_each_other(
    tmp_path: Path, staging: EmulatorServer
) -> None:
    repo = envs_repo(tmp_path, staging)
    repo.write(named("triage"))
    assert repo.run("--env", "production", "apply", str(tmp_path), "--auto-approve").exit_code == 0
    repo.write(named("triage", prompt="Changed only in staging."))
    staged = repo.run("--env", "staging", "apply", str(tmp_path), "--auto-approve")
    assert staged.exit_code == 0, staged.output
    rows = [d for d in staging.raw_deployments() if not d.get("archived_at")]
    assert sorted(d["metadata"][tags.ENV] for d in rows) == ["production", "staging"]
    repo.write(named("other"))  # triage removed: staging prunes its own, production keeps its one
    assert repo.run("--env", "staging", "apply", str(tmp_path), "--auto-approve").exit_code == 0
    rows = [d for d in staging.raw_deployments() if not d.get("archived_at")]
    assert sorted((d["name"], d["metadata"][tags.ENV]) for d in rows) == [("other", "staging"), ("triage", "production")]


def test_a_stack_without_environments_keeps_its_tags(tmp_path: Path, emulator: EmulatorServer) -> None:
    repo = Stack.create(tmp_path, emulator, stack=STACK)
    repo.write({"name": "plain", "agent": "agent_011alpha", "environment_id": "env_011main", "prompt": "Hi."})
    assert repo.apply().exit_code == 0
    (row,) = emulator.raw_deployments()
    assert sorted(row["metadata"]) == [tags.NAME, tags.STACK]
    assert repo.in_sync()
    data = repo.plan_json()
    assert data["env"] is None and data["resolved"] == {}


def _refused(repo: Stack, server: EmulatorServer, *args: str, expect: str) -> str:
    before = server.write_count()
    result = repo.run(*args, "plan", str(repo.root))
    applied = repo.run(*args, "apply", str(repo.root), "--auto-approve")
    assert result.exit_code == 1 and applied.exit_code == 1, result.output
    assert expect in result.output, result.output
    assert server.write_count() == before
    return result.output


def test_environment_choice_is_required_and_checked(tmp_path: Path, staging: EmulatorServer) -> None:
    repo = envs_repo(tmp_path, staging)
    repo.write(named("triage"))
    out = _refused(repo, staging, expect="pick one with --env")
    assert "production, staging" in out and "agentops.yaml:2" in out
    out = _refused(repo, staging, "--env", "stagin", expect="unknown environment 'stagin'")
    assert "did you mean 'staging'?" in out
    for command in (["status", str(tmp_path)], ["run", "triage", str(tmp_path)]):
        result = repo.run(*command)
        assert result.exit_code == 1 and "pick one with --env" in result.output, (command, result.output)
    plain = Stack.create(tmp_path / "plain", staging, stack=STACK)
    plain.write({"name": "p", "agent": "agent_stg_triage", "environment_id": "env_stg_default", "prompt": "p"})
    _refused(plain, staging, "--env", "staging", expect="declares no environments")


@pytest.mark.parametrize(
    ("fields", "written", "expect"),
    [
        ({"prompt": "Hello ${var.nope}."}, "${var.nope}", "undefined variable ${var.nope} [environment staging]"),
        ({"resources": [{"type": "github_repository", "url": "https://github.com/o/r",
                         "authorization_token": "${var.agent}"}]}, "authorization_token",
         "cannot be used in a secret field"),
        ({"schedule": {"expression": "${var.tier}", "timezone": "UTC"}}, "expression:", "[environment staging]"),
        ({"environment_id": "env_stg_default"}, "environment:", "not both"),
        ({"overrides": {"prod": {"description": "x"}}}, "prod:", "overrides environment 'prod'"),
        ({"environments": ["staging", "qa"]}, "- qa", "unknown environment 'qa'"),
        ({"environment": {"name": "missing-env"}}, "missing-env", "no environment named 'missing-env'"),
    ],
)
def test_bad_input_is_refused_at_its_line_with_zero_writes(
    tmp_path: Path, staging: EmulatorServer, fields: dict[str, Any], written: str, expect: str
) -> None:
    repo = envs_repo(tmp_path, staging)
    repo.write(named("triage", **fields))
    text = (tmp_path / "deployments" / "triage.yaml").read_text().splitlines()
    line = next(number for number, content in enumerate(text, 1) if written in content)
    out = _refused(repo, staging, "--env", "staging", expect=expect)
    assert f"deployments/triage.yaml:{line}:" in out, out


def test_ambiguous_and_archived_only_names_block(tmp_path: Path, staging: EmulatorServer) -> None:
    with make_client(staging.url) as sdk:
        sdk.beta.agents.create(name="triage-bot", model="claude-sonnet-4-6")
        staging.archive_environment("env_stg_default")
    repo = envs_repo(tmp_path, staging)
    repo.write(named("triage"))
    out = _refused(repo, staging, "--env", "staging", expect="agent name 'triage-bot' is ambiguous")
    assert "agent_stg_triage" in out
    assert "environment 'default-env' is archived (env_stg_default)" in out
    lines = (tmp_path / "deployments" / "triage.yaml").read_text().splitlines()
    agent_line = lines.index("  name: ${var.agent}") + 1
    assert f"deployments/triage.yaml:{agent_line}: triage: agent name" in out  # where the name is written


def test_validate_checks_every_environment(tmp_path: Path, staging: EmulatorServer) -> None:
    config = json.loads(json.dumps(CONFIG))
    del config["environments"]["production"]["vars"]["tier"]
    repo = envs_repo(tmp_path, staging, config)
    repo.write(named("triage"))
    result = repo.run("validate", str(tmp_path))
    assert result.exit_code == 1
    assert "deployments/triage.yaml:8:" in result.output  # the prompt, where ${var.tier} is written
    assert "undefined variable ${var.tier} [environment production]" in result.output
    assert "staging" not in result.output.replace("environments.production", "")
    assert repo.run("--env", "staging", "validate", str(tmp_path)).exit_code == 0


def test_saved_plan_is_refused_when_a_name_moves_or_the_environment_differs(
    tmp_path: Path, staging: EmulatorServer
) -> None:
    repo = envs_repo(tmp_path, staging)
    repo.write(named("triage"))
    out = tmp_path / "plan.json"
    assert repo.run("--env", "staging", "plan", str(tmp_path), "--out", str(out)).exit_code == 0
    saved = json.loads(out.read_text())
    assert saved["env"] == "staging" and saved["resolved"]["agent"] == {"triage-bot": "agent_stg_triage"}

    wrong = repo.run("--env", "production", "apply", str(out), "--auto-approve")
    assert wrong.exit_code == 1 and "for environment staging, not production" in wrong.output
    unpicked = repo.run("apply", str(out), "--auto-approve")
    assert unpicked.exit_code == 1 and "pick one with --env" in unpicked.output

    staging.archive_agent("agent_stg_triage")
    with make_client(staging.url) as sdk:
        new = sdk.beta.agents.create(name="triage-bot", model="claude-sonnet-4-6").id
    before = staging.write_count()
    moved = repo.run("--env", "staging", "apply", str(out), "--auto-approve")
    assert moved.exit_code == 1, moved.output
    assert f'resolved.agent triage-bot: saved "agent_stg_triage", planned now "{new}"' in moved.output
    assert staging.write_count() == before


def test_import_writes_names_and_round_trips(tmp_path: Path, staging: EmulatorServer) -> None:
    with make_client(staging.url) as sdk:
        for name in ("by-hand", "ids-kept"):
            sdk.beta.deployments.create(
                name=name, agent="agent_stg_triage", environment_id="env_stg_default", vault_ids=["vlt_stg_gh"],
                metadata={"tier": "staging"},
                initial_events=[{"type": "user.message", "content": [{"type": "text", "text": "hi"}]}])
    repo = envs_repo(tmp_path, staging)
    folder = ("--out", str(tmp_path / "deployments"))
    imported = repo.run("--env", "staging", "import", "by-hand", *folder)
    assert imported.exit_code == 0, imported.output
    assert repo.run("--env", "staging", "import", "ids-kept", "--ids", *folder).exit_code == 0
    manifest = yaml.safe_load((tmp_path / "deployments" / "by-hand.yaml").read_text())
    assert manifest["agent"] == {"name": "triage-bot"}
    assert manifest["environment"] == {"name": "default-env"} and manifest["vaults"] == [{"name": "gh-creds"}]
    kept = yaml.safe_load((tmp_path / "deployments" / "ids-kept.yaml").read_text())
    assert kept["agent"] == "agent_stg_triage" and kept["environment_id"] == "env_stg_default"
    result = repo.run("--env", "staging", "plan", str(tmp_path), "--detailed-exitcode")
    assert result.exit_code == 0, result.output
    assert all(d["metadata"][tags.ENV] == "staging" for d in staging.raw_deployments())


def test_local_runs_resolve_names_from_the_seed_agentops_yaml_names(tmp_path: Path, staging: EmulatorServer) -> None:
    config = {**CONFIG, "local": {"seed": "local-seed.yaml"}}
    repo = envs_repo(tmp_path, staging, config)
    (tmp_path / "local-seed.yaml").write_text(yaml.safe_dump(seed("loc")))
    repo.write(named("triage"))
    result = repo.run("--local", "--env", "staging", "apply", str(tmp_path), "--auto-approve")
    assert result.exit_code == 0, result.output
    again = repo.run("--local", "--env", "staging", "plan", str(tmp_path), "--detailed-exitcode")
    assert again.exit_code == 0 and "agent triage-bot → agent_loc_triage" in again.output, again.output
    assert staging.write_count() == 0  # the embedded emulator, not the test's server


def test_two_emulator_processes_get_the_right_ids_for_the_same_manifests(tmp_path: Path) -> None:
    """The issue's setting: two separate `agentops emulator` processes, one per environment."""
    from tests.emulator.support import cli_emulator

    seeds = {}
    for prefix in ("stg", "prd"):
        seeds[prefix] = tmp_path / f"{prefix}-seed.json"
        seeds[prefix].write_text(json.dumps(seed(prefix)))
    root = tmp_path / "repo"
    with EmulatorServer() as placeholder:  # the Stack needs an emulator; the runs below point elsewhere
        repo = envs_repo(root, placeholder)
    repo.write(named("triage"))
    with cli_emulator("--seed", str(seeds["stg"])) as stg_url, cli_emulator("--seed", str(seeds["prd"])) as prd_url:
        agents = {}
        for env, url in (("staging", stg_url), ("production", prd_url)):
            applied = repo.run("--env", env, "apply", str(root), "--auto-approve", env={"ANTHROPIC_BASE_URL": url})
            assert applied.exit_code == 0, applied.output
            with make_client(url) as sdk:
                (deployment,) = list(sdk.beta.deployments.list())
                agents[env] = (deployment.agent.id, deployment.environment_id, deployment.metadata[tags.ENV])
    assert agents == {
        "staging": ("agent_stg_triage", "env_stg_default", "staging"),
        "production": ("agent_prd_triage", "env_prd_default", "production"),
    }


@pytest.mark.parametrize("command", ["fleet", "status"])
def test_read_only_commands_act_on_the_chosen_environment(
    tmp_path: Path, staging: EmulatorServer, command: str
) -> None:
    repo = envs_repo(tmp_path, staging)
    repo.write(named("triage"))
    assert repo.run("--env", "staging", "apply", str(tmp_path), "--auto-approve").exit_code == 0
    result = repo.run("--env", "staging", command, str(tmp_path), "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    if command == "status":
        assert data["env"] == "staging" and [row["name"] for row in data["deployments"]] == ["triage"]
    else:
        assert data["cap"]["stack"] == {"before": 1, "after": 1}
    unchosen = repo.run(command, str(tmp_path))
    assert unchosen.exit_code == 1 and "staging" in unchosen.output


def test_fleet_and_policy_count_only_the_chosen_environment_in_a_shared_workspace(
    tmp_path: Path, staging: EmulatorServer
) -> None:
    """Staging and production in one workspace: production's two scheduled deployments must not
    count against staging's max_scheduled of 1."""
    config = {**CONFIG, "policy": {"max_scheduled": {"level": "error", "count": 1}}}
    repo = envs_repo(tmp_path, staging, config)
    repo.write(named("triage"), named("prd-only", environments=["production"]))
    production = repo.run("--env", "production", "plan", str(tmp_path))
    assert production.exit_code == 1 and "stack 'team-a' in environment 'production' would have 2" in production.output
    relaxed = {**CONFIG, "environments": {**CONFIG["environments"],  # type: ignore[dict-item]
                                          "production": {**CONFIG["environments"]["production"],  # type: ignore[index]
                                                         "policy": {"max_scheduled": {"level": "off", "count": 9}}}},
               "policy": {"max_scheduled": {"level": "error", "count": 1}}}
    (tmp_path / "agentops.yaml").write_text(yaml.safe_dump(relaxed, sort_keys=False))
    assert repo.run("--env", "production", "apply", str(tmp_path), "--auto-approve").exit_code == 0
    data = repo.plan_json("--env", "staging")
    assert data["fleet"]["cap"]["stack"] == {"before": 0, "after": 1}, data["fleet"]
    assert data["errored"] is False, data["problems"]
    applied = repo.run("--env", "staging", "apply", str(tmp_path), "--auto-approve")
    assert applied.exit_code == 0, applied.output
    again = repo.plan_json("--env", "staging")
    assert again["fleet"]["cap"]["stack"] == {"before": 1, "after": 1}
    blocked = repo.run("--env", "staging", "plan", str(tmp_path))
    assert blocked.exit_code == 0, blocked.output
