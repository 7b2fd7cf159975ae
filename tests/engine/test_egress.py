"""engine/egress.py: which MCP server hosts an environment's networking lets a container reach."""

from __future__ import annotations

from agentops.engine.egress import allows, host_of

DOCS = {"type": "url", "name": "docs", "url": "https://mcp.example.com/docs"}


def test_the_host_of_an_url_or_a_bare_entry() -> None:
    assert host_of("https://MCP.example.com:8443/sse") == "mcp.example.com"
    assert host_of("api.github.com") == "api.github.com"


def test_limited_networking_allows_listed_hosts_wildcards_or_every_mcp_server() -> None:
    limited = {"type": "limited", "allowed_hosts": ["api.github.com", "*.corp.example"]}
    assert not allows(limited, "mcp.example.com")
    assert allows(limited, "api.github.com") and allows(limited, "tools.corp.example")
    assert not allows(limited, "corp.example.evil")
    assert allows({**limited, "allow_mcp_servers": True}, "mcp.example.com")
    assert allows({"type": "unrestricted"}, "mcp.example.com") and allows(None, "mcp.example.com")
