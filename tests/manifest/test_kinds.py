"""Agents and environments beside deployments: how a file's kind is found, what each kind loads
as, references by path (as `ant apply` writes them), and a repository written for `ant apply`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from agentops.cli import main
from agentops.manifest import load_project
from agentops.manifest.kinds import from_path, infer
from agentops.manifest.schema import AgentByPath, EnvironmentByPath
from tests.manifest.conftest import Writer
from tests.stack import Stack, manifest

AGENT = "name: {name}\nmodel: claude-opus-5\n"
DEPLOYMENT = "name: {name}\nagent: agent_1\nenvironment_id: env_1\nprompt: Go.\n"


@pytest.mark.parametrize(("file", "manifests", "kind", "how"), [
    ("deployments/agents/triage.md", "deployments", "agent", "folder agents/"),
    ("team/environments/prod.yaml", ".", "environment", "folder environments/"),
    ("deployments/agent-triage.md", "deployments", "agent", "file name agent-triage.md"),
    ("deployments/team/environment_staging.yaml", "deployments", "environment", "file name environment_staging.yaml"),
    ("deployments/memory_store-notes.yaml", "deployments", "memory_store", "file name memory_store-notes.yaml"),
    ("deployments/skills/pr/SKILL.md", "deployments", "skill", "file name SKILL.md"),
    # `deployments/` is a kind folder only under another manifests folder: it beats a file name there.
    ("deployments/agent-x.md", ".", "deployment", "folder deployments/"),
    ("deployments/agents.yaml", "deployments", "deployment", "default"),
    ("deployments/agentops-nightly.yaml", "deployments", "deployment", "default"),
    ("deployments/nightly.yaml", "deployments", "deployment", "default"),
])
def test_kind_from_the_place_of_a_file(file: str, manifests: str, kind: str, how: str) -> None:
    inferred = from_path(file, manifests)
    assert (inferred.kind, inferred.how) == (kind, how)


def test_a_type_field_comes_first() -> None:
    inferred = infer({"type": "environment"}, "deployments/agents/x.yaml", "deployments")
    assert not isinstance(inferred, str) and inferred.kind == "environment"
    assert infer({"type": "agnet"}, "x.yaml") == (
        "unknown kind; expected one of: deployment, agent, environment, vault, skill, memory_store "
        "(did you mean 'agent'?)")


def test_each_kind_loads_in_its_own_list(project: Writer) -> None:
    root = project({
        "deployments/agents/triage.md": "---\nname: triage\nmodel: claude-opus-5\n---\n\nYou triage.\n",
        "deployments/agent-helper.yaml": AGENT.format(name="helper") + "system_file: _prompts/helper.txt\n",
        "deployments/_prompts/helper.txt": "\nYou help.\n\n",
        "deployments/environments/prod.md": "---\nname: prod\nconfig: {type: self_hosted}\n---\nOur runners.\n",
        "deployments/typed.yaml": "type: environment\nname: typed\n",
        # An agent and a deployment may share a name: names are unique per kind.
        "deployments/triage.yaml": DEPLOYMENT.format(name="triage"),
    })
    loaded = load_project(root)
    assert loaded.problems == []
    agents = {item.manifest.name: item.manifest for item in loaded.agents}
    assert agents["triage"].system == "You triage."
    assert agents["helper"].system == "You help."
    environments = {item.manifest.name: item.manifest for item in loaded.environments}
    assert environments["prod"].description == "Our runners."
    assert set(environments) == {"prod", "typed"}
    assert [item.manifest.name for item in loaded.manifests] == ["triage"]
    assert loaded.counts() == {"environment": 2, "vault": 0, "skill": 0, "memory_store": 0, "agent": 2, "deployment": 1}
    assert loaded.notices == []  # the system file is used, not skipped


def test_defaults_are_deployment_fields_overrides_and_variables_apply_to_every_kind(project: Writer) -> None:
    root = project({
        "agentops.yaml": "stack: test\ndefaults: {environment_id: env_1}\nenvironments:\n"
                         "  staging: {vars: {model: claude-haiku-5-5}}\n  production: {vars: {model: claude-opus-5}}\n",
        "deployments/agents/a.yaml": "name: a\nmodel: ${var.model}\noverrides:\n  production: {description: Prod.}\n",
        "deployments/environments/only-prod.yaml": "name: only-prod\nenvironments: [production]\n",
    })
    staging = load_project(root, env="staging")
    production = load_project(root, env="production")
    assert staging.problems == production.problems == []
    assert [(a.manifest.model, a.manifest.description) for a in staging.agents] == [("claude-haiku-5-5", None)]
    assert [(a.manifest.model, a.manifest.description) for a in production.agents] == [("claude-opus-5", "Prod.")]
    assert [e.manifest.name for e in staging.environments] == []
    assert [e.manifest.name for e in production.environments] == ["only-prod"]


def test_system_file_stays_inside_the_repository(project: Writer) -> None:
    root = project({"deployments/agents/a.yaml": AGENT.format(name="a") + "system_file: ../../../etc/passwd\n"})
    problems = load_project(root).problems
    assert [(p.path, p.message) for p in problems] == [("system_file", "resolves outside the repository")]


def _ant_repository(project: Writer) -> Path:
    """The project of `ant apply`'s documentation (skills and memory stores left out), as written for it."""
    return project({
        "agentops.yaml": "stack: ant\nmanifests: .\n",
        "claude-lock.json": json.dumps({"version": 1, "resources": {}}),
        "README.md": "# Managed agents\n",
        "agents/reviewer.md": "---\nname: Code reviewer\nmodel: claude-opus-5\ntools:\n"
                              "  - type: agent_toolset_20260401\n---\n\nYou review pull requests.\n",
        "agents/lead.md": "---\nname: Engineering lead\nmodel: claude-opus-5\nmultiagent:\n  type: coordinator\n"
                          "  agents:\n    - ./reviewer.md\n---\n\nYou coordinate engineering work.\n",
        "environments/cloud.yaml": "name: review-env\ndescription: Cloud container.\nconfig:\n  type: cloud\n"
                                   "  networking:\n    type: unrestricted\n",
        "deployments/nightly.md": "---\nname: Nightly review\nagent: ../agents/reviewer.md # the API's agent field\n"
                                  "environment_id: ../environments/cloud.yaml # sent as the environment's ID\n"
                                  "schedule:\n  type: cron\n  expression: \"0 3 * * *\"\n"
                                  "  timezone: America/Los_Angeles\n---\n\nReview any open pull requests.\n",
    })


def test_a_repository_written_for_ant_apply_validates_unchanged(project: Writer) -> None:
    root = _ant_repository(project)
    result = CliRunner().invoke(main, ["validate", str(root)])
    assert (result.exit_code, result.stdout.strip()) == (0, "4 manifests valid (1 environment, 2 agents, 1 deployment)")
    loaded = load_project(root)
    (nightly,) = loaded.manifests
    agent, environment = nightly.manifest.agent, nightly.manifest.environment
    # A path stands for the name its file declares, so the planner resolves it like {name: ...}.
    assert isinstance(agent, AgentByPath) and (agent.name, agent.path) == ("Code reviewer", "../agents/reviewer.md")
    assert isinstance(environment, EnvironmentByPath) and environment.name == "review-env"
    assert nightly.manifest.environment_id is None
    assert nightly.refs_at == {"agent": "deployments/nightly.md:3", "environment": "deployments/nightly.md:4"}
    lead = next(item.manifest for item in loaded.agents if item.manifest.name == "Engineering lead")
    (entry,) = [ref for _, ref in lead.references()]
    assert isinstance(entry, AgentByPath) and entry.name == "Code reviewer"


def test_a_reference_by_path_resolves_in_a_partial_load(project: Writer) -> None:
    root = _ant_repository(project)
    loaded = load_project(root / "deployments" / "nightly.md")
    assert loaded.problems == [] and loaded.partial
    assert [item.manifest.agent.name for item in loaded.manifests] == ["Code reviewer"]  # type: ignore[union-attr]


@pytest.mark.parametrize(("target", "message"), [
    ("../agents/two.yaml", "claude/agents/two.yaml holds 2 documents"),
    ("../../elsewhere/a.yaml", "elsewhere/a.yaml is outside the manifests folder claude/"),
    ("../agents", "claude/agents is a folder"),
])
def test_a_reference_by_path_names_one_object_the_stack_manages(project: Writer, target: str, message: str) -> None:
    root = project({
        "agentops.yaml": "stack: test\nmanifests: claude\n",
        "claude/agents/two.yaml": AGENT.format(name="a") + "---\n" + AGENT.format(name="b"),
        "elsewhere/a.yaml": AGENT.format(name="c"),
        "claude/deployments/d.yaml": f"name: d\nagent: {target}\nenvironment_id: env_1\nprompt: Go.\n",
    })
    problems = [p for p in load_project(root).problems if p.file == "claude/deployments/d.yaml"]
    assert [(p.line, p.path) for p in problems] == [(2, "agent")]
    assert problems[0].message.startswith(message)


def test_a_reference_in_another_environment_does_not_resolve(project: Writer) -> None:
    root = project({
        "agentops.yaml": "stack: test\nenvironments: {staging: {}, production: {}}\n",
        "deployments/agents/a.yaml": AGENT.format(name="a") + "environments: [production]\n",
        "deployments/d.yaml": "name: d\nagent: ./agents/a.yaml\nenvironment_id: env_1\nprompt: Go.\n",
    })
    assert load_project(root, env="production").problems == []
    (problem,) = load_project(root, env="staging").problems
    assert "does not exist in environment staging" in problem.message


def test_duplicate_names_are_per_kind(project: Writer) -> None:
    root = project({
        "deployments/environments/a.yaml": "name: shared\n",
        "deployments/environments/b.yaml": "name: shared\n",
        "deployments/agents/shared.yaml": AGENT.format(name="shared"),
    })
    problems = load_project(root).problems
    assert {(p.file, p.path) for p in problems} == {("deployments/environments/a.yaml", "name"),
                                                   ("deployments/environments/b.yaml", "name")}
    assert all("names identify environments" in (p.hint or "") for p in problems)


def test_validate_json_counts_each_kind(project: Writer) -> None:
    root = project({"deployments/agents/a.yaml": AGENT.format(name="a"), "deployments/d.yaml": DEPLOYMENT.format(name="d")})
    result = CliRunner().invoke(main, ["validate", str(root), "--format", "json"])
    report = json.loads(result.stdout)
    assert (report["manifests"], report["kinds"]) == (2, {"environment": 0, "vault": 0, "skill": 0, "memory_store": 0,
                                                          "agent": 1, "deployment": 1})


def test_schema_command_prints_each_kind() -> None:
    for kind in ("deployment", "agent", "environment"):
        result = CliRunner().invoke(main, ["schema", "--kind", kind])
        assert result.exit_code == 0
        assert json.loads(result.stdout)["title"] == f"agentops {kind} manifest"


def test_a_file_name_yields_to_a_deployments_own_fields(project: Writer) -> None:
    """Deployments named `agent-...` before there were kinds stay deployments; the folder and `type:` still rule."""
    root = project({
        "deployments/agent-archived.yaml": DEPLOYMENT.format(name="agent-archived"),
        "deployments/environment-not-found.md": "---\nname: env-check\nagent: agent_1\nenvironment_id: env_1\n---\nGo.\n",
        "deployments/agent-helper.yaml": AGENT.format(name="helper"),
    })
    loaded = load_project(root)
    assert loaded.problems == []
    assert sorted(item.manifest.name for item in loaded.manifests) == ["agent-archived", "env-check"]
    assert [item.manifest.name for item in loaded.agents] == ["helper"]


def test_an_agent_manifest_is_planned_before_the_deployments(stack: Stack) -> None:
    (stack.root / "deployments" / "agents").mkdir()
    (stack.root / "deployments" / "agents" / "triage.yaml").write_text("name: triage\nmodel: claude-sonnet-4-6\n")
    stack.write(manifest("job"))
    planned = stack.plan_json()
    assert not any("checked but not applied" in warning for warning in planned["warnings"])
    assert [a["address"] for a in planned["actions"]] == ["agent.triage", "deployment.job"]
