"""One sticky comment per stack x environment: the marker tells the pairs apart, and is unchanged without one."""

from __future__ import annotations

from agentops.engine.plan import Plan
from agentops.views.markdown import marker, render_markdown


def test_markers_per_pair_and_unchanged_without_environments() -> None:
    assert marker("support") == "<!-- agentops:stack=support -->"
    pairs = {marker("support", env) for env in (None, "staging", "production")}
    assert len(pairs) == 3 and all(not a.startswith(b[:-4] + " -->") for a in pairs for b in pairs if a != b)


def test_the_comment_names_environment_and_resolved_names() -> None:
    plan = Plan(stack="support", actions=(), env="staging", resolved=(("agent", "triage-bot", "agent_011x"),))
    text = render_markdown(plan)
    assert text.startswith(marker("support", "staging"))
    assert "environment `staging`" in text and "agent `triage-bot` → `agent_011x`" in text
