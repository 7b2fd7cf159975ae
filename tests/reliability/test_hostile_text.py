"""Every byte from outside is escaped in every output.

Manifests, live deployments, registry objects, API errors, run and session ids all carry hostile
text (newlines that start `::error` workflow commands, `##[` commands, `\\r`, NUL, ANSI and OSC
escapes, bidi overrides, a line separator, HTML and an @mention); every command in every format
must print it as visible text: no hidden character, no line a GitHub Actions runner would read as
a command, JSON that still parses to the original text, Markdown with no live HTML or mention.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

import anthropic
import pytest

from agentops.emulator import Faults
from agentops.model import tags
from tests.fake_github import FakeGitHub, github_env
from tests.helpers import post_json
from tests.stack import STACK, Stack, console_body, create, live_by_name, manifest

HOSTILE = (
    "\n::error file=deployments/a.yaml,line=1::pwned\r\x1b[2J\x1b]0;title\x07\x1b[8m\x00\u202eevil\u2028"
    "##[warning]old-style <details><summary>s</summary> @octocat \u200b\x85"
)
# A name may hold only printable characters; these still read as commands, HTML or a mention.
NAME = "::error::pwned ##[error]x <img src=x> @octocat"
ORPHAN_TAG = "::warning::orphan ##[error]y @octocat"
CONSOLE_NAME = "::notice::console ##[error]z <img src=y> @octocat"
OTHER_STACK = "::warning::other ##[error]w @octocat"
HIDDEN = {"Cc", "Cf", "Zl", "Zp"}
STYLE = re.compile(r"\x1b\[[0-9;]*m")


def assert_terminal_safe(text: str, styles: bool = False) -> None:
    """What a terminal or a CI log may receive: lines of visible characters, no workflow command."""
    shown = STYLE.sub("", text) if styles else text
    hidden = sorted({f"U+{ord(c):04X}" for c in shown if c not in "\n\t" and unicodedata.category(c) in HIDDEN})
    assert not hidden, (hidden, text)
    commands = [line for line in shown.split("\n") if line.lstrip().startswith("::")]
    assert not commands, commands
    assert "##[" not in shown
    assert "\x1b[8m" not in text  # conceal: never a style agentops uses


def _strings(data: Any) -> list[str]:
    """Every string in a JSON document."""
    if isinstance(data, str):
        return [data]
    values = data.values() if isinstance(data, dict) else data if isinstance(data, list) else []
    return [text for value in values for text in _strings(value)]


def _prose(markdown: str) -> str:
    """The Markdown outside fenced blocks and code spans, where HTML and mentions are live."""
    out, fence = [], ""
    for line in markdown.split("\n"):
        opening = re.match(r"^(`{3,})", line)
        if fence:
            if opening and len(opening.group(1)) >= len(fence) and not line.strip("`").strip():
                fence = ""
            continue
        if opening:
            fence = opening.group(1)
            continue
        out.append(re.sub(r"(`+).+?(?<!`)\1(?!`)", "", line))
    return "\n".join(out)


def assert_markdown_safe(markdown: str) -> None:
    assert_terminal_safe(markdown)
    prose = _prose(markdown)
    for live in ("@octocat", "<img", "<summary>s</summary>", "<details><summary>s"):
        assert live not in prose, (live, prose)


@dataclass
class World:
    stack: Stack
    client: anthropic.Anthropic

    def run(self, *args: str, env: dict[str, str] | None = None, code: int | None = None) -> Any:
        result = self.stack.run(*args, env=env)
        assert "Traceback" not in result.output
        if code is not None:
            assert result.exit_code == code, result.output
        assert_terminal_safe(result.stdout, styles="--color" in args)
        assert_terminal_safe(result.stderr)
        return result


@pytest.fixture
def world(stack: Stack, client: anthropic.Anthropic) -> World:
    """Managed deployments, then hostile text everywhere: manifests, live state, the registry, errors."""
    post_json(client, "/_emulator/agents", {"id": "agent_011helper" + HOSTILE, "name": "helper-agent"})
    kept = [manifest("job-drift"), manifest("job-run"), manifest("job-fail")]
    stack.write(*kept)
    assert stack.apply().exit_code == 0
    live = live_by_name(stack.emulator)
    client.beta.deployments.update(live["job-drift"]["id"], description=HOSTILE)
    create(client, console_body("orphan", description=HOSTILE,
                                metadata={tags.STACK: STACK, tags.NAME: ORPHAN_TAG}))
    create(client, console_body(CONSOLE_NAME, description=HOSTILE))
    create(client, console_body(OTHER_STACK, metadata={tags.STACK: OTHER_STACK, tags.NAME: OTHER_STACK}))
    stack.emulator.faults = Faults(hostile_text=HOSTILE, run_errors={live["job-fail"]["id"]: "unknown_error"})
    stack.write(
        *kept,
        manifest(NAME, description=HOSTILE, prompt=HOSTILE, agent={"name": "helper-agent"}),
    )
    return World(stack, client)


def test_plan_in_every_format(world: World) -> None:
    root = str(world.stack.root)
    text = world.run("plan", root, code=0).stdout
    assert "pwned" in text and "orphan" in text and "evil" in text
    world.run("plan", root, "--color", "always", code=0)
    world.run("plan", root, "--verbose", code=0)
    data = json.loads(world.run("plan", root, "--format", "json", code=0).stdout)
    # Escaping keeps the JSON valid and lossless: the hostile text decodes back as it was written.
    assert any(HOSTILE in text for text in _strings(data))
    assert_markdown_safe(world.run("plan", root, "--format", "markdown", code=0).stdout)
    summary = world.stack.root / "summary.md"
    world.run("plan", root, env={"GITHUB_STEP_SUMMARY": str(summary)}, code=0)
    assert "pwned" in summary.read_text()
    assert_markdown_safe(summary.read_text())


def test_api_errors_in_every_format(world: World) -> None:
    root = str(world.stack.root)
    world.stack.emulator.faults = Faults(hostile_text=HOSTILE, rate_5xx=1.0)
    failed = world.run("plan", root, code=1)
    assert "pwned" in failed.stderr
    as_json = world.run("plan", root, "--format", "json", code=1)
    assert HOSTILE in json.loads(as_json.stdout)["error"]


def test_apply_results_in_text_and_json(world: World) -> None:
    root = str(world.stack.root)
    world.stack.emulator.faults = Faults(hostile_text=HOSTILE, write_5xx=1.0)  # reads work, writes fail
    applied = world.run("apply", root, "--auto-approve", code=1)
    assert "pwned" in applied.stderr
    again = world.run("apply", root, "--auto-approve", "--format", "json", code=1)
    results = json.loads(again.stdout)["results"]
    assert any(HOSTILE in r["message"] for r in results)


def test_run_status_and_fleet(world: World) -> None:
    root = str(world.stack.root)
    started = world.run("run", "job-run", root, code=0)
    assert "pwned" in started.stdout  # the run and session ids the API answered
    assert HOSTILE in json.loads(world.run("run", "job-run", root, "--format", "json", code=0).stdout)["run"]["id"]
    failed = world.run("run", "job-fail", root, code=1)
    assert "pwned" in failed.stderr
    world.run("run", "job-fail", root, "--format", "json", code=1)
    status = world.run("status", root).stdout
    assert "pwned" in status
    json.loads(world.run("status", root, "--format", "json").stdout)
    world.run("fleet", root, code=0)
    json.loads(world.run("fleet", root, "--format", "json", code=0).stdout)


def test_import_lines_and_refusals(world: World) -> None:
    out = str(world.stack.root / "deployments")
    dry = world.run("import", "--all", "--dry-run", "--out", out, code=0)
    assert "console" in dry.stdout
    json.loads(world.run("import", "--all", "--dry-run", "--out", out, "--format", "json", code=0).stdout)
    refused = world.run("import", OTHER_STACK, "--dry-run", "--out", out, code=1)  # another stack's
    assert "other" in refused.stderr
    as_json = world.run("import", OTHER_STACK, "--dry-run", "--out", out, "--format", "json", code=1)
    assert any(OTHER_STACK in text for text in _strings(json.loads(as_json.stdout)))


def test_comment_and_report(world: World, github: FakeGitHub) -> None:
    root = str(world.stack.root)
    env = github_env(github)
    world.run("comment", root, "--pr", "7", env=env, code=0)
    (comment,) = github.bodies(7)
    assert "pwned" in comment
    assert_markdown_safe(comment)
    world.run("report", root, env=env, code=0)
    (issue,) = github.issues.values()
    assert_markdown_safe(str(issue["body"]))
    assert_terminal_safe(str(issue["title"]))


def test_validate_problems_quote_the_manifest_escaped(stack: Stack) -> None:
    bad = stack.root / "deployments" / "bad.yaml"
    stack.write(manifest("job-a"))
    bad.write_text(f"name: job-b\n'x{HOSTILE}': 1\nagent: agent_1\nenvironment_id: env_1\nprompt: hi\n")
    (stack.root / "deployments" / "broken.yaml").write_text(f"name: [unclosed {NAME}\n")
    for args in (["validate", str(stack.root)], ["validate", str(stack.root), "--format", "json"],
                 ["plan", str(stack.root)], ["plan", str(stack.root), "--format", "json"]):
        result = stack.run(*args)
        assert result.exit_code == 1
        assert_terminal_safe(result.stdout)
        assert_terminal_safe(result.stderr)
