"""The reviewer's view of an agent change (pure renders): a changed prompt as a line diff in text,
Markdown (as GitHub renders it, through cmarkgfm) and JSON, a huge diff cut without breaking its
fence, and model and tool permission changes highlighted first."""

from __future__ import annotations

import json
import re
from typing import Any

import cmarkgfm

from agentops.engine.desired_objects import agent_desired
from agentops.engine.highlights import agent_highlights
from agentops.engine.identity import Live
from agentops.engine.plan import Options, Plan, build_plan
from agentops.engine.resolve import Resolution
from agentops.manifest.agent_schema import AgentManifest
from agentops.manifest.loader import LoadedAgent
from agentops.views.json import render_json
from agentops.views.markdown import COMMENT_LIMIT, DIFF_CHARS, DIFF_LINES, render_markdown
from agentops.views.text import render_text
from tests.engine.test_manifest_terms import _prompted
from tests.engine.test_plan import STACK, live_from, want

BASE = {"model": "claude-sonnet-4-6", "system": "You triage issues.\nBe brief.",
        "tools": [{"type": "agent_toolset_20260401", "configs": [{"name": "bash", "enabled": False}]}]}
HOSTILE = "You triage issues.\n```\n</details><script>alert(1)</script>\n<!-- agentops:stack=core -->\nBe brief."


def _agent(name: str, fields: dict[str, Any]) -> Any:
    loaded = LoadedAgent(AgentManifest.model_validate({"name": name, **fields}), f"agents/{name}.yaml", 1)
    return agent_desired(loaded, STACK, None, Resolution())


def agent_plan(old: dict[str, Any], new: dict[str, Any], name: str = "triage") -> Plan:
    """The plan that updates agent `name` from `old` (live, applied by this stack) to `new`."""
    live = Live.from_json({**_agent(name, old).body, "id": f"agent_{name}", "version": 3, "created_at": "t",
                           "updated_at": "t"}, "agent")
    return build_plan([_agent(name, new)], [live], Options(stack=STACK))


def html_of(markdown: str) -> str:
    return cmarkgfm.github_flavored_markdown_to_html(markdown, options=cmarkgfm.Options.CMARK_OPT_UNSAFE)


def diff_blocks(html: str) -> list[str]:
    """The text of each diff code block GitHub shows."""
    return re.findall(r'<pre lang="diff"><code>(.*?)</code></pre>', html, re.S)


def test_a_changed_system_prompt_is_a_line_diff_in_text_markdown_and_json() -> None:
    plan = agent_plan(BASE, {**BASE, "system": "You triage issues.\nBe very brief.\nLabel each one."})
    expected = ["--- live", "+++ manifest", "@@ -1,2 +1,3 @@", " You triage issues.", "-Be brief.",
                "+Be very brief.", "+Label each one."]
    text = render_text(plan)
    assert "      system:\n" + "".join(f"          {line}\n" for line in expected) in text
    (change,) = json.loads(render_json(plan))["actions"][0]["changes"]
    assert (change["field"], change["diff"]) == ("system", expected)
    html = html_of(render_markdown(plan))
    (block,) = diff_blocks(html)
    assert block.splitlines() == expected


def test_a_long_one_line_prompt_is_a_diff_too_and_a_short_value_is_not() -> None:
    long_old, long_new = "Be brief. " * 10, "Be thorough. " * 10
    plan = agent_plan({**BASE, "system": long_old, "description": "old"},
                      {**BASE, "system": long_new, "description": "new"})
    changes = {c["field"]: c["diff"] for c in json.loads(render_json(plan))["actions"][0]["changes"]}
    assert changes["system"] == ["--- live", "+++ manifest", "@@ -1 +1 @@", f"-{long_old}", f"+{long_new}"]
    assert changes["description"] is None
    assert 'description: "old" -> "new"' in render_text(plan)


def test_a_prompt_that_holds_fences_and_html_stays_inside_one_code_block() -> None:
    plan = agent_plan(BASE, {**BASE, "system": HOSTILE})
    markdown = render_markdown(plan)
    assert markdown.startswith("<!-- agentops:stack=core -->\n") and markdown.count("agentops:stack=core") == 2
    html = html_of(markdown)
    assert "<script>" not in html and html.count("<details>") == 1 and html.count("</details>") == 1
    (block,) = diff_blocks(html)
    assert "+```\n+&lt;/details&gt;&lt;script&gt;alert(1)&lt;/script&gt;\n+&lt;!-- agentops:stack=core --&gt;" in block


def test_a_deployment_prompt_uses_the_same_line_diff() -> None:
    old, new = _prompted("job", "Line one\nLine two"), _prompted("job", "Line one\nLine 2")
    plan = build_plan([want(new)], [live_from(old, id="depl_1")], Options(stack=STACK))
    (change,) = json.loads(render_json(plan))["actions"][0]["changes"]
    assert change["field"] == "prompt"
    assert change["diff"] == ["--- live", "+++ manifest", "@@ -1,2 +1,2 @@", " Line one", "-Line two", "+Line 2"]


def test_a_huge_prompt_diff_is_cut_with_a_note_and_its_fence_closed() -> None:
    huge = "\n".join(f"Rule {i}: {'be careful ' * 8}" for i in range(3000))
    small = agent_plan(BASE, {**BASE, "system": "You review.\nBe kind.", "model": "claude-opus-4-6"}, name="reviewer")
    plan = agent_plan(BASE, {**BASE, "system": huge})
    both = Plan(stack=STACK, actions=(*plan.actions, *small.actions))
    markdown = render_markdown(both)
    assert len(markdown) < COMMENT_LIMIT and "too long for one comment" not in markdown
    html = html_of(markdown)
    blocks = diff_blocks(html)
    assert len(blocks) == 2  # the small agent's diff is still shown whole
    shown = blocks[0].splitlines()
    assert "+Rule 0:" in blocks[0] and len(shown) <= DIFF_LINES and len(blocks[0]) <= DIFF_CHARS + len(shown)
    assert re.fullmatch(r"\+Rule \d+: (be careful ){8}", shown[-1])  # whole lines only
    assert f"<em>The diff is cut here: {3005 - len(shown)} more lines in the full plan.</em>" in html
    assert blocks[1].splitlines()[-4:] == ["-You triage issues.", "-Be brief.", "+You review.", "+Be kind."]
    # The text and JSON views are not size-bound: every line is there.
    assert len(json.loads(render_json(plan))["actions"][0]["changes"][0]["diff"]) == 3000 + 5


def test_model_and_permission_changes_are_highlighted_first() -> None:
    allowed = {"type": "agent_toolset_20260401", "configs": [{"name": "bash", "enabled": True},
                                                              {"name": "write", "permission_policy": {"type": "always_ask"}}]}
    plan = agent_plan(BASE, {**BASE, "model": "claude-opus-4-6", "tools": [allowed]})
    highlights = json.loads(render_json(plan))["highlights"]
    assert highlights == [
        {"address": "agent.triage", "kind": "model", "subject": "model", "before": "claude-sonnet-4-6",
         "after": "claude-opus-4-6", "loosened": False},
        {"address": "agent.triage", "kind": "permission", "subject": "bash", "before": "off",
         "after": "always_allow", "loosened": True},
        {"address": "agent.triage", "kind": "permission", "subject": "write", "before": "always_allow",
         "after": "always_ask", "loosened": False},
    ]
    text = render_text(plan)
    assert text.index("! agent triage: tool bash off -> always_allow (loosened)") < text.index("~ update agent triage")
    assert "! agent triage: model claude-sonnet-4-6 -> claude-opus-4-6\n" in text
    markdown = render_markdown(plan)
    assert markdown.index("[!IMPORTANT]") < markdown.index("<details>")
    html = html_of(markdown)
    assert "agent triage: tool bash <code>off</code> → <code>always_allow</code> <strong>(loosened)</strong>" in html


def test_mcp_defaults_and_model_settings_are_highlighted_and_other_changes_are_not() -> None:
    server = {"type": "url", "name": "github", "url": "https://mcp.example.com/github"}
    old = {**BASE, "mcp_servers": [server], "tools": [*BASE["tools"], {"type": "mcp_toolset", "mcp_server_name": "github"}]}
    loose = {"type": "mcp_toolset", "mcp_server_name": "github", "default_config": {"permission_policy": {"type": "auto"}}}
    new = {**old, "model": {"id": "claude-sonnet-4-6", "speed": "fast"}, "tools": [*BASE["tools"], loose]}
    assert [str(h) for h in agent_plan(old, new).highlights] == [
        "agent triage: model.speed standard -> fast", "agent triage: tool github/* always_ask -> auto (loosened)"]
    assert agent_plan(BASE, {**BASE, "system": "Other.", "description": "d"}).highlights == []
    effort = agent_highlights("agent.x", "agent x", {"model": {"id": "m"}}, {"model": {"id": "m", "effort": {"type": "high"}}})
    assert [str(h) for h in effort] == ["agent x: model.effort (none) -> high"]
