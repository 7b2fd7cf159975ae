"""The reviewer's view end to end (the CLI in process, the SDK over HTTP to the emulator): an agent's
changed prompt as a line diff in every format, and its model and permission changes first; the
diff the plan showed is what apply sends."""

from __future__ import annotations

import json

import anthropic
import cmarkgfm
import jsonschema

from tests.commands.test_control_plane import JOB, SANDBOX, TRIAGE, declare, listed, plan
from tests.stack import Stack

CHANGED = {**TRIAGE, "model": "claude-opus-4-6", "system": "You triage issues.\nBe very brief.\n```\n<b>done</b>",
           "tools": [{"type": "agent_toolset_20260401", "configs": [{"name": "bash", "enabled": True}]}]}
DIFF = ["--- live", "+++ manifest", "@@ -1,2 +1,4 @@", " You triage issues.", "-Be brief.", "+Be very brief.",
        "+```", "+<b>done</b>"]


def test_an_agent_change_shows_its_prompt_diff_and_highlights_in_every_format(
        stack: Stack, client: anthropic.Anthropic) -> None:
    declare(stack, agents=[TRIAGE], environments=[SANDBOX], deployments=[JOB])
    assert stack.run("apply", str(stack.root), "--auto-approve").exit_code == 0
    declare(stack, agents=[CHANGED], environments=[SANDBOX], deployments=[JOB])

    data = plan(stack)
    jsonschema.validate(data, json.loads(stack.run("schema", "--output", "plan").stdout))
    # The agent's update (its following deployment is re-pinned beside it).
    (update,) = [a for a in data["actions"] if a["action"] == "update" and a["resource"] == "agent"]
    assert {c["field"]: c["diff"] for c in update["changes"]}["system"] == DIFF
    assert [(h["subject"], h["before"], h["after"], h["loosened"]) for h in data["highlights"]] == [
        ("model", "claude-sonnet-4-6", "claude-opus-4-6", False), ("bash", "off", "always_allow", True)]

    text = stack.run("plan", str(stack.root)).output
    assert text.index("! agent triage: tool bash off -> always_allow (loosened)") < text.index("~ update agent triage")
    assert "".join(f"          {line}\n" for line in DIFF) in text

    markdown = stack.run("plan", str(stack.root), "--format", "markdown").output
    html = cmarkgfm.github_flavored_markdown_to_html(markdown, options=cmarkgfm.Options.CMARK_OPT_UNSAFE)
    assert "<b>done</b>" not in html  # the prompt's HTML is code, not markup
    assert '<pre lang="diff"><code>' + "\n".join(DIFF).replace("<", "&lt;").replace(">", "&gt;") in html
    assert "agent triage: model <code>claude-sonnet-4-6</code> → <code>claude-opus-4-6</code>" in html

    assert stack.run("apply", str(stack.root), "--auto-approve").exit_code == 0
    assert listed(client, "agent")["triage"]["system"] == CHANGED["system"]
    assert plan(stack)["highlights"] == []
