"""The markdown plan: snapshots, escaping, and the comment size limit, from the pure core only."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from agentops.engine.drift import label
from agentops.engine.plan import Action, Blocker, Options, Plan, build_plan
from agentops.views.markdown import COMMENT_LIMIT, render_apply_markdown, render_markdown
from tests.engine.test_plan import STACK, live_from, manifest, want

SNAPSHOTS = Path(__file__).parent / "snapshots"
HOSTILE_NAME = "a `name` with </summary><script>x</script> | @team"
HOSTILE_PROMPT = "Write the notes.\n```\n</details>\n<!-- agentops:stack=core -->\nend"


def events(text: str) -> list[dict[str, Any]]:
    return [{"type": "user.message", "content": [{"type": "text", "text": text}]}]


def representative() -> tuple[Plan, Plan]:
    """A plan with every kind of action, a blocker and a warning; and its base-ref counterpart."""
    before = [
        manifest("release-notes", initial_events=events("Write the notes.\nLine two\nend")),
        manifest("support-digest"),
        manifest("old-job"),
        manifest("nightly-triage", description="triage"),
    ]
    live = [
        live_from(before[0], id="depl_01"),
        live_from(
            before[1],
            id="depl_02",
            status="paused",
            paused_reason={"type": "error", "error": {"type": "budget_exceeded"}},
        ),
        live_from(before[2], id="depl_03"),
        live_from(before[3], id="depl_04", vault_ids=["vlt_added_in_the_console"]),
    ]
    head = [
        manifest("release-notes", initial_events=events(HOSTILE_PROMPT)),
        manifest("support-digest"),
        manifest("nightly-triage", description="Triage <b>new</b> issues *fast*"),
        manifest(HOSTILE_NAME, status="paused"),
    ]
    blockers = [Blocker("agent agent_9 does not exist <img src=x>", "support-digest", "deployments/s.yaml:3")]
    options = Options(stack=STACK, max_archive=5)
    head_plan = build_plan([want(m) for m in head], live, options, blockers)
    base_plan = build_plan([want(m) for m in before], live, options)
    return head_plan, base_plan


def check_snapshot(name: str, text: str) -> None:
    path = SNAPSHOTS / name
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        path.write_text(text)
    assert text == path.read_text(), f"markdown changed; rerun with UPDATE_SNAPSHOTS=1 and review {path}"


def test_snapshot_of_a_representative_plan() -> None:
    head, _ = representative()
    check_snapshot("plan.md", render_markdown(head))


def test_snapshot_of_a_plan_labelled_against_a_base_ref() -> None:
    head, base = representative()
    check_snapshot("plan-base-ref.md", render_markdown(label(head, base, "main")))


def test_layout_summary_first_banners_and_a_details_block_per_deployment() -> None:
    head, _ = representative()
    text = render_markdown(head)
    lines = text.splitlines()
    assert lines[0] == "<!-- agentops:stack=core -->"
    assert lines[3] == f"**{head.summary()}**"
    assert "> [!WARNING]" in text and "archives 1 deployment**" in text
    assert "> [!CAUTION]" in text and "agent agent&#95;9 does not exist &#60;img src=x&#62;" in text
    # One block per deployment (a create and its pause share one); the prompt's </details> is in a fence.
    assert text.count("<details><summary>") == lines.count("</details>") == 5
    assert "This plan is too long" not in text


def fences(text: str) -> list[tuple[str, str]]:
    """(opening fence, body) of each fenced block, parsed the way CommonMark closes fences."""
    blocks, lines, i = [], text.splitlines(), 0
    while i < len(lines):
        opening = re.match(r"^(`{3,})", lines[i])
        if not opening:
            i += 1
            continue
        fence, body, i = opening.group(1), [], i + 1
        while i < len(lines) and not re.fullmatch(rf"`{{{len(fence)},}}\s*", lines[i]):
            body.append(lines[i])
            i += 1
        blocks.append((fence, "\n".join(body)))
        i += 1
    return blocks


def test_manifest_text_cannot_break_the_markup() -> None:
    head, _ = representative()
    text = render_markdown(head)
    # Outside code, nothing from a manifest survives as markup.
    outside = "\n".join(line for line in text.splitlines() if not line.startswith(("+", "-", " ")))
    assert "<script>" not in outside and "</summary><script>" not in text
    assert "@team" not in text and "&#64;team" in text
    # The prompt's look-alike marker is quoted inside the fence, never on the first line.
    assert text.startswith("<!-- agentops:stack=core -->\n")
    # The prompt's ``` stays inside the diff block: the block closes only at its own fence.
    diff = [body for fence, body in fences(text) if len(fence) > 3]
    assert len(diff) == 1 and "</details>" in diff[0] and "\n+```\n" in diff[0]
    assert "<!-- agentops:stack=core -->" in diff[0]


def many(n: int, blockers: int = 3) -> Plan:
    """A big plan made in-process: n long-prompt updates with diffs, and some blocking problems."""
    ms = [
        manifest(f"deployment-{i:04d}", initial_events=events(f"Old prompt {i}\n" + "line\n" * 20))
        for i in range(n)
    ]
    live = [live_from(m) for m in ms]
    changed = [
        manifest(f"deployment-{i:04d}", initial_events=events(f"New prompt {i}\n" + "line\n" * 20))
        for i in range(n)
    ]
    problems = [
        Blocker(f"problem number {i} must be visible", f"deployment-{i:04d}") for i in range(blockers)
    ]
    return build_plan([want(m) for m in changed], live, Options(stack=STACK), problems)


def test_three_thousand_deployments_fit_in_a_comment() -> None:
    plan = many(3000)
    text = render_markdown(plan, full_plan_url="https://github.test/o/r/actions/runs/1")
    assert len(text) < COMMENT_LIMIT
    assert "**Plan: 0 to create, 3000 to update, 0 to pause, 0 to unpause, 0 to archive.**" in text
    for i in range(3):
        assert f"problem number {i} must be visible" in text
    assert "This plan is too long for one comment (65,536 characters)" in text
    assert "[the workflow run](https://github.test/o/r/actions/runs/1)" in text
    assert "<details>" not in text and "```" not in text  # collapsed to a list of names
    assert "deployment-2999" in text  # short names all fit


def test_names_are_cut_last_and_counted() -> None:
    long_names = build_plan(
        [want(manifest(f"{'very-long-deployment-name-' * 8}{i:04d}")) for i in range(3000)],
        [],
        Options(stack=STACK),
    )
    text = render_markdown(long_names)
    assert len(text) < COMMENT_LIMIT
    cut = int(re.search(r"; (\d+) names? left out", text).group(1))  # type: ignore[union-attr]
    assert 0 < cut < 3000
    assert f"… and {cut} more" in text


def test_diffs_are_dropped_before_blocks_collapse() -> None:
    plan = many(40, blockers=0)
    full = render_markdown(plan)
    assert "```diff" in full and "too long" not in full
    smaller = render_markdown(plan, limit=len(full) - 1)
    assert "```diff" not in smaller and smaller.count("<details>") == 40
    assert "the per-field diffs were left out." in smaller


def test_blocking_problems_are_kept_whole_even_when_names_are_cut() -> None:
    text = render_markdown(many(3000, blockers=200))
    assert len(text) < COMMENT_LIMIT
    assert all(f"problem number {i} must be visible" in text for i in range(200))


@dataclass
class Outcome:
    action: Action
    ok: bool
    message: str


def test_apply_results_keep_every_failure() -> None:
    plan = many(3, blockers=0)
    outcomes = [Outcome(a, a.name != "deployment-0001", "ok") for a in plan.writes]
    outcomes[1].message = "HTTP 500 <b>boom</b>"
    text = render_apply_markdown(plan, outcomes)
    assert "**Apply complete: 2 succeeded, 1 failed.**" in text
    assert "- **update** deployment-0001: HTTP 500 &#60;b&#62;boom&#60;/b&#62;" in text
    assert "- **update** (2): deployment-0000, deployment-0002" in text


def test_apply_results_count_an_objects_own_update_and_its_repin_once() -> None:
    plan = many(2, blockers=0)
    own = plan.writes[0]
    repin = replace(own, follows="agent.triage")
    outcomes = [Outcome(own, True, "ok"), Outcome(repin, True, "ok"), Outcome(plan.writes[1], True, "ok")]
    assert "**Apply complete: 2 succeeded, 0 failed.**" in render_apply_markdown(plan, outcomes)


@pytest.mark.parametrize("stack", ["prod", "team a --> <b>"])
def test_marker_is_hidden_and_per_stack(stack: str) -> None:
    text = render_markdown(Plan(stack=stack, actions=()))
    first = text.splitlines()[0]
    assert first.startswith("<!-- agentops:stack=") and first.endswith(" -->")
    assert first.count("-->") == 1
    assert "No changes." in text
