"""State survives a restart on the same database file, in-process and as `agentops emulator`."""

from __future__ import annotations

from pathlib import Path

import anthropic

from agentops.emulator import EmulatorServer
from tests.emulator.support import cli_emulator
from tests.helpers import get_json, make_client, make_deployment_body, post_json

TOKEN = "ghp_persisted_token"


def populate(sdk: anthropic.Anthropic) -> list[str]:
    kept = sdk.beta.deployments.create(**make_deployment_body(
        name="kept", metadata={"k": "v"},
        resources=[{"type": "github_repository", "url": "u", "authorization_token": TOKEN}],
        schedule={"type": "cron", "expression": "0 9 * * *", "timezone": "Europe/Berlin"},
    ))
    paused = sdk.beta.deployments.create(**make_deployment_body(name="paused"))
    sdk.beta.deployments.pause(paused.id)
    archived = sdk.beta.deployments.create(**make_deployment_body(name="archived"))
    sdk.beta.deployments.archive(archived.id)
    return [kept.id, paused.id, archived.id]


def test_restart_keeps_everything(tmp_path: Path) -> None:
    db = tmp_path / "emulator.db"
    with EmulatorServer(db_path=db) as first, make_client(first.url) as sdk:
        first.register_agent("agent_reg", versions=2)
        populate(sdk)
        before = [d.model_dump() for d in sdk.beta.deployments.list(include_archived=True)]
        raw_before = first.raw_deployments()
    with EmulatorServer(db_path=db) as second, make_client(second.url) as sdk:
        after = [d.model_dump() for d in sdk.beta.deployments.list(include_archived=True)]
        assert after == before
        assert second.raw_deployments() == raw_before
        assert raw_before[0]["resources"][0]["authorization_token"] == TOKEN
        assert sdk.beta.agents.retrieve("agent_reg").version == 2


def test_cli_restart_keeps_everything(tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    with cli_emulator("--db", str(db)) as url, make_client(url) as sdk:
        ids = populate(sdk)
        before = sdk.beta.deployments.list(include_archived=True).data
    with cli_emulator("--db", str(db)) as url, make_client(url) as sdk:
        assert sdk.beta.deployments.list(include_archived=True).data == before
        assert {d.id for d in before} == set(ids)
        raw = get_json(sdk, "/_emulator/deployments")
        # The stored token survived the restart; the control endpoint shows only that it is there.
        assert any(r["resources"] and r["resources"][0]["authorization_token"] == "***" for r in raw["data"])
        assert TOKEN not in str(raw)


def test_cli_seed_and_faults_flags(tmp_path: Path) -> None:
    seed = tmp_path / "seed.yaml"
    seed.write_text("agents:\n  - id: agent_s\n    versions: 3\nenvironments:\n  - id: env_s\n")
    with cli_emulator("--seed", str(seed), "--rate-429", "1", "--retry-after", "7") as url, make_client(url) as sdk:
        try:
            sdk.beta.deployments.list()
        except anthropic.RateLimitError as exc:
            assert exc.response.headers["retry-after"] == "7"
        else:
            raise AssertionError("expected a 429")
        post_json(sdk, "/_emulator/faults", {"rate_429": 0})
        assert sdk.beta.agents.retrieve("agent_s").version == 3
        created = sdk.beta.deployments.create(**make_deployment_body(agent="agent_s", environment_id="env_s"))
        assert created.agent.version == 3
