"""Plans speak the manifest's language: keys as written, money with its unit, honest reasons, rename hints."""

from __future__ import annotations

import json
from typing import Any

from agentops.engine.plan import ActionKind
from agentops.manifest.schema import Manifest
from agentops.views.json import render_json
from agentops.views.markdown import render_markdown
from agentops.views.text import render_text
from tests.engine.test_plan import live_from, manifest, plan_for

PROMPT_PATH = "initial_events[0].content[0].text"


def _prompted(name: str = "alpha", text: str = "hello") -> Manifest:
    """A manifest with `prompt:`, as the loader makes it (the shorthand stands for initial_events)."""
    events = [{"type": "user.message", "content": [{"type": "text", "text": text}]}]
    return Manifest.model_validate(
        {"name": name, "agent": "agent_1", "environment_id": "env_1", "prompt": text, "initial_events": events})


def test_a_prompt_change_is_named_prompt_with_the_api_path_in_json() -> None:
    plan = plan_for([_prompted(text="goodbye")], [live_from(_prompted())])
    (change,) = plan.writes[0].changes
    assert (change.path, change.field) == (PROMPT_PATH, "prompt")
    assert plan.writes[0].reason == "live differs from manifest in prompt"
    text = render_text(plan)
    assert '      prompt: "hello" -> "goodbye"' in text and PROMPT_PATH not in text
    assert "`prompt`" in render_markdown(plan) and PROMPT_PATH not in render_markdown(plan)
    [shown] = json.loads(render_json(plan))["actions"][0]["changes"]
    assert shown["path"] == PROMPT_PATH and shown["field"] == "prompt"


def test_written_initial_events_keep_their_own_path() -> None:
    events = [{"type": "user.message", "content": [{"type": "text", "text": "goodbye"}]}]
    plan = plan_for([manifest(initial_events=events)], [live_from(manifest())])
    (change,) = plan.writes[0].changes
    assert change.field is None and change.shown == PROMPT_PATH


def test_a_budget_is_money_with_its_unit() -> None:
    def budget(cents: str) -> dict[str, Any]:
        return {"type": "limit", "max_list_cost": {"amount": cents, "currency": "USD"}}

    plan = plan_for([manifest(budget=budget("5"))], [live_from(manifest(budget=budget("500")))])
    assert "budget.max_list_cost.amount: USD 5.00 per run -> USD 0.05 per run" in render_text(plan)
    assert "USD 0.05 per run" in render_markdown(plan)
    created = render_text(plan_for([manifest("fresh", budget=budget("2500"))], []))
    assert "# budget: at most USD 25.00 per run (amount is in cents)" in created


def test_an_unpause_does_not_claim_a_pause_by_hand() -> None:
    # A pause by a manifest's `status: paused` is `manual` to the API, as one by hand is.
    plan = plan_for([manifest()], [live_from(manifest(status="paused"), status="paused")])
    (unpause,) = plan.writes
    assert unpause.kind is ActionKind.UNPAUSE
    assert "by hand" in unpause.reason and "does not say which" in unpause.reason
    assert not unpause.reason.startswith("paused by hand")


def test_a_rename_without_previous_names_gets_a_hint() -> None:
    old = live_from(manifest("nightly-report"))
    plan = plan_for([manifest("nightly-reports")], [old])
    assert [a.kind for a in plan.writes] == [ActionKind.CREATE, ActionKind.ARCHIVE]
    [hint] = [w for w in plan.warnings if "previous_names" in w]
    assert hint.startswith("nightly-reports: created while nightly-report") and "[nightly-report]" in hint
    # Unrelated names and prompts: no hint.
    other = plan_for([_prompted("billing", "bill")], [live_from(_prompted("cleanup", "clean"))])
    assert not [w for w in other.warnings if "previous_names" in w]


def test_counts_read_as_words() -> None:
    plan = plan_for([], [live_from(manifest("gone"))], allow_empty=True)
    assert "This plan archives 1 deployment;" in render_text(plan)
    one_line = render_text(plan_for([manifest("fresh")], []))
    assert "# prompt: 1 line\n" in one_line and "(s)" not in one_line
