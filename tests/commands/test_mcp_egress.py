"""A deployment whose agent's MCP server its environment's limited networking does not allow would be
auto-paused at its next fire (mcp_egress_blocked_error): the plan blocks it, end to end."""

from __future__ import annotations

from typing import Any

from tests.commands.test_control_plane import SANDBOX, TRIAGE, declare, job, plan
from tests.engine.test_egress import DOCS
from tests.stack import Stack

WITH_MCP = {**TRIAGE, "mcp_servers": [DOCS],
            "tools": [*TRIAGE["tools"], {"type": "mcp_toolset", "mcp_server_name": "docs"}]}


def _networking(**limited: Any) -> dict[str, Any]:
    return {**SANDBOX, "config": {"type": "cloud", "networking": {"type": "limited", **limited}}}


def test_an_mcp_server_the_environment_blocks_is_a_blocker_with_zero_writes(stack: Stack) -> None:
    declare(stack, agents=[WITH_MCP], environments=[SANDBOX], deployments=[job()])
    planned = plan(stack)
    [problem] = planned["problems"]
    assert (problem["name"], problem["file"]) == ("nightly", "deployments/nightly.yaml:1")
    assert problem["message"] == (
        "agent triage's MCP server 'docs' (mcp.example.com) is not reachable from environment sandbox: its limited "
        "networking allows neither this host nor MCP servers; the API auto-pauses the deployment at its next fire "
        "(mcp_egress_blocked_error)")
    writes = stack.emulator.write_count()
    assert stack.apply().exit_code == 1
    assert stack.emulator.write_count() == writes

    # A paused deployment would fail only once unpaused: a warning.
    declare(stack, agents=[WITH_MCP], environments=[SANDBOX], deployments=[{**job(), "status": "paused"}])
    planned = plan(stack)
    assert planned["problems"] == []
    assert any(w.startswith("nightly: agent triage's MCP server 'docs'") for w in planned["warnings"])


def test_an_allowed_host_or_allow_mcp_servers_lets_it_apply(stack: Stack) -> None:
    for networking in ({"allowed_hosts": ["api.github.com", "mcp.example.com"]}, {"allow_mcp_servers": True}):
        declare(stack, agents=[WITH_MCP], environments=[_networking(**networking)], deployments=[job()])
        assert plan(stack)["problems"] == [], networking
    assert stack.apply().exit_code == 0
