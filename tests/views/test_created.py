"""A create shows what it makes: every field, secrets by variable name, next runs; hostile text stays inert."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import cmarkgfm
import yaml

from agentops.engine.plan import ActionKind, Options, Plan, build_plan
from agentops.views.markdown import render_markdown
from agentops.views.text import render_text
from tests.engine.test_plan import ENV, STACK, manifest, want
from tests.stack import TOKEN, Stack
from tests.stack import manifest as stack_manifest

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)  # a Saturday
PROMPT = "\n".join(f"Step {i}: do the thing." for i in range(1, 9))


def full_manifest(name: str = "weekly-report", prompt: str = PROMPT, **fields: Any) -> Any:
    data: dict[str, Any] = {
        "description": "Weekly report for the team",
        "initial_events": [{"type": "user.message", "content": [{"type": "text", "text": prompt}]}],
        "metadata": {"owner": "data-team"},
        "resources": [{"type": "github_repository", "url": "https://github.com/acme/reports",
                       "authorization_token": "${REPO_TOKEN}"}],
        "vault_ids": ["vlt_011abc"],
        "schedule": {"expression": "0 9 * * 1", "timezone": "Europe/Paris"},
    }
    return manifest(name, **{**data, **fields})


def plan_of(*ms: Any) -> Plan:
    return build_plan([want(m) for m in ms], [], Options(stack=STACK))


def create_block(text: str) -> list[str]:
    """The detail lines under the text plan's create line, unindented."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if "+ create" in line) + 1
    block = []
    for line in lines[start:]:
        if not line.startswith("      "):
            break
        block.append(line[6:])
    return block


def test_text_create_shows_every_field_and_next_runs() -> None:
    text = render_text(plan_of(full_manifest()), now=NOW)
    block = create_block(text)
    shown = "\n".join(block)
    assert '"Weekly report for the team"' in shown
    assert 'owner: "data-team"' in shown and "agentops.stack" not in shown
    assert 'url: "https://github.com/acme/reports"' in shown
    assert 'authorization_token: "${REPO_TOKEN}"' in shown
    assert ENV["REPO_TOKEN"] not in text
    assert '"vlt_011abc"' in shown
    # Mondays at 09:00 in Paris (CET in winter), three of them, counted from NOW.
    assert "# next runs: Mon 2026-11-30 09:00 CET; Mon 2026-12-07 09:00 CET; Mon 2026-12-14 09:00 CET" in shown
    # The prompt: its first lines and a count; the whole of it only with verbose.
    assert "# prompt: 8 lines, first 5 shown (-v shows all)" in shown
    assert "Step 5: do the thing." in shown and "Step 6" not in shown
    whole = "\n".join(create_block(render_text(plan_of(full_manifest()), verbose=True, now=NOW)))
    assert "Step 8: do the thing." in whole and "first 5 shown" not in whole
    # The block is real YAML, and says what the body says.
    parsed = yaml.safe_load(whole)
    assert parsed["prompt"] == PROMPT
    assert parsed["schedule"] == {"type": "cron", "expression": "0 9 * * 1", "timezone": "Europe/Paris"}
    assert parsed["resources"][0]["authorization_token"] == "${REPO_TOKEN}"


def test_without_now_no_next_runs_and_paused_create_never_claims_runs() -> None:
    assert "# next runs" not in render_text(plan_of(full_manifest()))
    paused = render_text(plan_of(full_manifest(status="paused")), now=NOW)
    assert "# next runs" not in paused
    assert "fires only after an unpause" in paused
    assert 'expression: "0 9 * * 1"' in paused  # still shown: it is what gets made


def test_markdown_create_is_a_yaml_block() -> None:
    html_md = render_markdown(plan_of(full_manifest()), now=NOW)
    fences = re.findall(r"^(`{3,})yaml\n(.*?)^\1$", html_md, flags=re.M | re.S)
    assert len(fences) == 1
    parsed = yaml.safe_load(fences[0][1])
    assert parsed["description"] == "Weekly report for the team"
    assert parsed["metadata"] == {"owner": "data-team"}
    assert "Mon 2026-11-30 09:00 CET" in fences[0][1]


HOSTILE = "evil\x1b[2J\rname\nX\u202egnp.exe `` ``` </summary><h1>x</h1>\n# Injected heading"


def test_hostile_text_stays_on_its_line_in_text() -> None:
    m = full_manifest(name="hostile", prompt=HOSTILE, description=HOSTILE)
    text = render_text(plan_of(m), verbose=True, now=NOW)
    assert not re.search("[\x1b\r\u202e]", text)
    # Each line the view writes starts as the view wrote it: no value begins a line of its own.
    for line in text.splitlines():
        assert not line.startswith(("# Injected", "X", "name")), line
    block = create_block(text)
    # Shown inert, yet still the exact value: the YAML escapes decode back to it.
    assert yaml.safe_load("\n".join(block))["description"] == HOSTILE


def test_hostile_text_cannot_break_markdown() -> None:
    m = full_manifest(name="hostile", prompt=HOSTILE, description=HOSTILE,
                      )
    plan = plan_of(m)
    assert [a.kind for a in plan.actions] == [ActionKind.CREATE]
    md = render_markdown(plan, now=NOW)
    assert not re.search("[\x1b\r\u202e]", md)
    html = cmarkgfm.github_flavored_markdown_to_html(md, options=cmarkgfm.Options.CMARK_OPT_UNSAFE)
    # One <details> with one <summary>, closed where the view closes it; no raw tag from the manifest.
    assert html.count("<summary>") == 1 and html.count("</summary>") == 1
    summary = html[html.index("<summary>"): html.index("</summary>")]
    assert re.findall(r"</?\w+", summary) == ["<summary", "<code", "</code", "<b", "</b"]
    assert "<h1>" not in html
    headings = re.findall(r"<h(\d)>(.*?)</h\1>", html)
    assert [level for level, _ in headings] == ["3", "4"], headings
    assert "Injected heading" not in "".join(title for _, title in headings)


def test_plan_shows_the_create_end_to_end(stack: Stack) -> None:
    stack.write(
        stack_manifest(
            "nightly",
            description="Nightly run",
            prompt="Line one\nLine two",
            schedule={"expression": "30 2 * * *", "timezone": "America/New_York"},
            resources=[{"type": "github_repository", "url": "https://github.com/acme/app",
                        "authorization_token": "${REPO_TOKEN}"}],
        )
    )
    result = stack.run("plan", str(stack.root))
    assert result.exit_code == 0, result.output
    assert TOKEN not in result.output
    assert 'authorization_token: "${REPO_TOKEN}"' in result.stdout
    assert "# prompt: 2 lines" in result.stdout
    runs = re.search(r"# next runs: (.*)", result.stdout)
    assert runs is not None
    times = runs.group(1).split("; ")
    assert len(times) == 3 and all(t.endswith(("02:30 EST", "02:30 EDT")) for t in times), times
    md = stack.run("plan", str(stack.root), "--format", "markdown")
    assert "```yaml" in md.stdout and "Nightly run" in md.stdout and TOKEN not in md.output


def test_old_values_are_red_and_new_ones_green_only_with_colour() -> None:
    from agentops.engine.diff import Change
    from agentops.views.text import change_lines

    change = Change("description", "old", "new")
    assert change_lines(change) == ['description: "old" -> "new"']
    painted = change_lines(change, paint=lambda text, fg: f"<{fg}>{text}</{fg}>")
    assert painted == ['description: <red>"old"</red> -> <green>"new"</green>']
