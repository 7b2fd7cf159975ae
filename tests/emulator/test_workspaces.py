"""The anthropic-workspace-id header scopes all state."""

from __future__ import annotations

import anthropic
import pytest

from agentops.emulator import EmulatorServer
from tests.helpers import make_deployment_body


def test_workspaces_are_isolated(client: anthropic.Anthropic, emulator: EmulatorServer) -> None:
    default = client.beta.deployments.create(**make_deployment_body(name="default"))
    other = client.beta.deployments.create(**make_deployment_body(name="other"), workspace_id="wrkspc_b")
    assert [d.id for d in client.beta.deployments.list()] == [default.id]
    assert [d.id for d in client.beta.deployments.list(workspace_id="wrkspc_b")] == [other.id]
    assert [d.id for d in client.beta.deployments.list(extra_headers={"anthropic-workspace-id": "wrkspc_c"})] == []
    with pytest.raises(anthropic.NotFoundError):
        client.beta.deployments.retrieve(other.id)
    with pytest.raises(anthropic.NotFoundError):
        client.beta.deployments.pause(default.id, workspace_id="wrkspc_b")
    assert client.beta.deployments.retrieve(other.id, workspace_id="wrkspc_b").name == "other"
    assert [d["id"] for d in emulator.raw_deployments("wrkspc_b")] == [other.id]


def test_registry_is_per_workspace(client: anthropic.Anthropic, emulator: EmulatorServer) -> None:
    emulator.register_agent("agent_ws", versions=5, workspace="wrkspc_b")
    assert client.beta.agents.retrieve("agent_ws", workspace_id="wrkspc_b").version == 5
    # Unregistered in the default workspace: default mode presumes version 1 exists.
    assert client.beta.agents.retrieve("agent_ws").version == 1
    assert client.beta.deployments.create(**make_deployment_body(agent="agent_ws")).agent.version == 1
    emulator.archive_agent("agent_ws", workspace="wrkspc_b")
    assert client.beta.agents.retrieve("agent_ws").archived_at is None
