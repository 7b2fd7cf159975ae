"""Policy rules for agents and environments, checked offline where each manifest is loaded."""

from __future__ import annotations

import pytest

from agentops.manifest.loader import load_project
from tests.manifest.conftest import Writer

TOOLSET = "tools:\n  - type: agent_toolset_20260401\n"


def _found(project: Writer, policy: str, files: dict[str, str], env: str | None = None) -> list[str]:
    root = project({"agentops.yaml": "stack: s\n" + policy, **files})
    loaded = load_project(root, env=env)
    return [str(p) for p in loaded.problems] + [f"warn {w}" for w in loaded.warnings]


def test_allowed_models_covers_the_model_and_its_advisor(project: Writer) -> None:
    found = _found(project, "policy:\n  allowed_models: {level: error, models: [claude-opus-5]}\n", {
        "deployments/agents/ok.yaml": "name: ok\nmodel: {id: claude-opus-5, effort: high}\n",
        "deployments/agents/lead.yaml": "name: lead\nmodel: claude-haiku-5-5\nmultiagent:\n"
                                        "  type: multiagent_20261001\n  advisor: {type: enabled, model: claude-fable-5}\n",
    })
    assert found == [
        "deployments/agents/lead.yaml:2:8: model: policy allowed_models (error): 'lead' uses model "
        "'claude-haiku-5-5', which is not allowed (allowed: claude-opus-5)",
        "deployments/agents/lead.yaml:5:35: multiagent.advisor.model: policy allowed_models (error): 'lead' uses "
        "model 'claude-fable-5', which is not allowed (allowed: claude-opus-5)",
    ]


@pytest.mark.parametrize(("tools", "flagged"), [
    # The agent toolset's own default is always_allow: writing nothing allows everything.
    (TOOLSET, ["tools[0]: policy forbid_always_allow (error): 'a' lets bash run",
               "tools[0]: policy forbid_always_allow (error): 'a' lets write run"]),
    (TOOLSET + "    default_config: {permission_policy: {type: always_ask}}\n", []),
    (TOOLSET + "    configs:\n      - {name: bash, permission_policy: {type: always_ask}}\n"
               "      - {name: write, enabled: false}\n", []),
    (TOOLSET + "    default_config: {permission_policy: {type: always_ask}}\n"
               "    configs:\n      - {name: bash, permission_policy: {type: always_allow}}\n",
     ["tools[0].configs[0].permission_policy: policy forbid_always_allow (error): 'a' lets bash run"]),
    ("tools:\n  - {type: custom, name: lookup, description: d, input_schema: {type: object}}\n", []),
])
def test_forbid_always_allow_follows_the_effective_permission(project: Writer, tools: str, flagged: list[str]) -> None:
    found = _found(project, "policy:\n  forbid_always_allow: {level: error, tools: [bash, write]}\n",
                   {"deployments/agents/a.yaml": "name: a\nmodel: claude-opus-5\n" + tools})
    assert len(found) == len(flagged)
    for line, fragment in zip(sorted(found), sorted(flagged), strict=True):
        assert fragment in line


def test_require_agent_description_warns(project: Writer) -> None:
    found = _found(project, "policy:\n  require_agent_description: warn\n", {
        "deployments/agents/a.yaml": "name: a\nmodel: claude-opus-5\n",
        "deployments/agents/b.md": "---\nname: b\nmodel: claude-opus-5\ndescription: Triages issues.\n---\nGo.\n",
    })
    assert found == ["warn deployments/agents/a.yaml:1:1: description: policy require_agent_description (warn): "
                     "'a' has no description (add description: what the agent does and who owns it)"]


def test_environment_networking_holds_where_an_environment_of_agentops_yaml_asks(project: Writer) -> None:
    files = {
        "deployments/environments/open.yaml": "name: open\nconfig: {type: cloud}\n",
        "deployments/environments/unset.yaml": "name: unset\n",
        "deployments/environments/closed.yaml": "name: closed\nconfig:\n  type: cloud\n  networking:\n"
                                                "    type: limited\n    allowed_hosts: [api.github.com]\n",
        "deployments/environments/runners.yaml": "name: runners\nconfig: {type: self_hosted}\n",
    }
    config = ("environments:\n  staging: {}\n  production:\n    policy:\n"
              "      environment_networking: {level: error, require: limited}\n")
    assert _found(project, config, files, env="staging") == []
    found = _found(project, config, files, env="production")
    assert [line.split(": policy ")[0] for line in found] == [
        "deployments/environments/open.yaml:2:9: config",
        "deployments/environments/runners.yaml:2:9: config",
        "deployments/environments/unset.yaml:1:1",
    ]
    assert "has unrestricted networking (the default)" in found[0]
    assert "is self-hosted" in found[1]


def test_parameters_are_checked_with_hints(project: Writer) -> None:
    found = _found(project, "policy:\n  forbid_always_allow: {level: error, tools: [bsh]}\n"
                            "  environment_networking: error\n", {})
    assert any("policy.forbid_always_allow.tools[0]" in line for line in found), found
    assert any("write environment_networking: {level: error, require: limited}" in line for line in found), found
