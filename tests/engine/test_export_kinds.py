"""Live agents and environments as manifests: no server-filled defaults, and the round trip
(manifest -> create body -> what the API stores) gives the live object back."""

from __future__ import annotations

from typing import Any

import pytest

from agentops.engine.export_kinds import LONG_PROMPT_LINES, agent_manifest, environment_manifest, fits_a_file
from agentops.manifest.agent_schema import AgentManifest
from agentops.manifest.environment_schema import EnvironmentManifest
from agentops.model import tags
from tests.roundtrip import comparable, create_body, stored_agent, stored_environment

LONG = "\n".join(f"Rule {i}: be precise." for i in range(LONG_PROMPT_LINES + 2))

AGENTS: list[dict[str, Any]] = [
    {"name": "bare", "model": "claude-opus-5"},
    {"name": "tuned", "model": {"id": "claude-opus-5", "effort": "low", "speed": "fast", "inference_geo": "eu"},
     "description": "Tuned.", "system": "Be brief."},
    {"name": "tools", "model": "claude-opus-5", "system": LONG,
     "tools": [
         {"type": "agent_toolset_20260401",
          "configs": [{"name": "bash", "permission_policy": {"type": "always_ask"}}, {"name": "web_fetch",
                                                                                    "enabled": False},
                      {"name": "read"}]},
         {"type": "mcp_toolset", "mcp_server_name": "docs",
          "default_config": {"permission_policy": {"type": "always_allow"}},
          "configs": [{"name": "search", "permission_policy": {"type": "always_ask"}}]},
         {"type": "custom", "name": "lookup", "description": "Look up a ticket.",
          "input_schema": {"type": "object", "properties": {"id": {"type": "string"}}}},
     ],
     "mcp_servers": [{"type": "url", "name": "docs", "url": "https://mcp.example.com/docs"}],
     "skills": [{"type": "anthropic", "skill_id": "xlsx"}, {"type": "anthropic", "skill_id": "pdf", "version": "2"}],
     "execution_identity": {"type": "aws_role", "role_arn": "arn:aws:iam::123456789012:role/agent"},
     "metadata": {"team": "support", tags.STACK: "team-a", tags.NAME: "tools", tags.PREVENT_ARCHIVE: "true"}},
    {"name": "off", "model": "claude-opus-5",
     "tools": [{"type": "agent_toolset_20260401", "default_config": {"enabled": False},
                "configs": [{"name": "read", "enabled": True}, {"name": "grep", "enabled": False}]}]},
    {"name": "coordinator", "model": "claude-opus-5",
     "multiagent": {"type": "coordinator", "agents": ["agent_011worker", {"type": "agent", "id": "agent_011b",
                                                                        "version": 1}]}},
    {"name": "team", "model": "claude-opus-5",
     "multiagent": {"type": "multiagent_20261001", "advisor": {"type": "enabled", "model": "claude-opus-5"}}},
]


@pytest.mark.parametrize("body", AGENTS, ids=[body["name"] for body in AGENTS])
def test_agent_round_trip_gives_the_live_agent_back(body: dict[str, Any]) -> None:
    live = {**stored_agent(body, "agent_011self"), "id": "agent_011self", "type": "agent", "version": 3}
    exported = agent_manifest(live, "_x.system.md")
    manifest = AgentManifest.model_validate(exported.manifest)
    if exported.system_text is not None:
        assert manifest.system_file == "_x.system.md" and "system" not in exported.manifest
        manifest = manifest.model_copy(update={"system": exported.system_text})
    assert stored_agent(create_body(manifest), "agent_011self") == comparable(live)


def test_agent_manifest_leaves_out_what_the_server_fills_in() -> None:
    bare = agent_manifest(stored_agent({"name": "bare", "model": "claude-opus-5",
                                        "tools": [{"type": "agent_toolset_20260401"}],
                                        "skills": [{"type": "anthropic", "skill_id": "xlsx"}]}, "agent_011x"))
    assert bare.manifest == {"name": "bare", "model": "claude-opus-5", "tools": [{"type": "agent_toolset_20260401"}],
                             "skills": [{"type": "anthropic", "skill_id": "xlsx"}]}
    tuned = agent_manifest(stored_agent(AGENTS[1], "agent_011x")).manifest
    assert tuned["model"] == {"id": "claude-opus-5", "effort": "low", "inference_geo": "eu", "speed": "fast"}


def test_tags_stay_out_and_prevent_archive_becomes_lifecycle() -> None:
    manifest = agent_manifest(stored_agent(AGENTS[2], "agent_011x"), "_x.system.md").manifest
    assert manifest["metadata"] == {"team": "support"}
    assert manifest["lifecycle"] == {"prevent_archive": True}
    assert manifest["execution_identity"] == {"type": "aws_role", "role_arn": "arn:aws:iam::123456789012:role/agent"}


def test_a_long_prompt_goes_to_a_file_only_when_it_reads_back_unchanged() -> None:
    assert fits_a_file(LONG)
    assert not fits_a_file("Short.")
    assert not fits_a_file("\n" + LONG)  # the loader trims blank edge lines of a file
    assert not fits_a_file(LONG.replace("\n", "\r\n"))
    no_file = agent_manifest(stored_agent({**AGENTS[2], "metadata": {}}, "agent_011x"))
    assert no_file.system_text is None and no_file.manifest["system"] == LONG


ENVIRONMENTS: list[dict[str, Any]] = [
    {"name": "bare"},
    {"name": "limited", "description": "Production.",
     "config": {"type": "cloud", "networking": {"type": "limited", "allowed_hosts": ["api.example.com"],
                                                "allow_package_managers": True},
                "packages": {"pip": ["requests==2.32.0"], "npm": []}},
     "metadata": {"tier": "prod", tags.STACK: "team-a"}},
    {"name": "closed", "config": {"type": "cloud", "networking": {"type": "limited"}}},
    {"name": "own", "config": {"type": "self_hosted"}},
]


@pytest.mark.parametrize("body", ENVIRONMENTS, ids=[body["name"] for body in ENVIRONMENTS])
def test_environment_round_trip_gives_the_live_environment_back(body: dict[str, Any]) -> None:
    live = {**stored_environment(body), "id": "env_011x", "type": "environment"}
    manifest = EnvironmentManifest.model_validate(environment_manifest(live).manifest)
    assert stored_environment(create_body(manifest)) == comparable(live)


def test_environment_manifest_is_short() -> None:
    assert environment_manifest(stored_environment(ENVIRONMENTS[0])).manifest == {"name": "bare"}
    assert environment_manifest(stored_environment(ENVIRONMENTS[1])).manifest == {
        "name": "limited", "description": "Production.",
        "config": {"type": "cloud", "networking": {"type": "limited", "allowed_hosts": ["api.example.com"],
                                                   "allow_package_managers": True},
                   "packages": {"pip": ["requests==2.32.0"]}},
        "metadata": {"tier": "prod"},
    }
    assert environment_manifest(stored_environment(ENVIRONMENTS[2])).manifest["config"] == {
        "type": "cloud", "networking": {"type": "limited"}}
