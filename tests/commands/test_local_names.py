"""`--local` and names: a name the embedded emulator does not have says how to seed it, in the blocker's hint."""

from __future__ import annotations

import json
from typing import Any

from tests.stack import Stack, manifest

NAMED = manifest("nightly", agent={"name": "my-agent"})
MISSING = "no agent named 'my-agent' in the workspace (referenced by name)"


def problems(stack: Stack, *flags: str) -> list[dict[str, Any]]:
    result = stack.run(*flags, "plan", str(stack.root), "--format", "json")
    assert result.exit_code == 1, result.output
    found: list[dict[str, Any]] = json.loads(result.stdout)["problems"]
    return found


def example_line(hint: str) -> str:
    """The seed line a hint gives: its last backquoted part."""
    return hint.rsplit("`", 2)[-2]


def test_a_missing_name_under_local_says_how_to_seed_and_the_line_given_works(stack: Stack) -> None:
    stack.write(NAMED)
    [problem] = problems(stack, "--local")
    assert problem["message"] == MISSING
    assert "`local: {seed: local-seed.yaml}`" in problem["hint"] and "agentops.yaml" in problem["hint"]
    assert example_line(problem["hint"]) == "agents: [{id: agent_local_1, name: my-agent}]"
    text = stack.run("--local", "plan", str(stack.root))
    assert text.exit_code == 1 and problem["hint"] in text.output
    # Doing what the hint says makes the name resolve.
    # (A seed makes the emulator strict: the manifest's environment id is listed too.)
    (stack.root / "local-seed.yaml").write_text(f"{example_line(problem['hint'])}\nenvironments: [{{id: env_011main}}]\n")
    with (stack.root / "agentops.yaml").open("a") as config:
        config.write("local: {seed: local-seed.yaml}\n")
    planned = stack.run("--local", "plan", str(stack.root))
    assert planned.exit_code == 0, planned.output
    assert "agent my-agent → agent_local_1" in planned.stdout


def test_with_a_seed_the_hint_names_that_file(stack: Stack) -> None:
    (stack.root / "seeds.yaml").write_text("agents: [{id: agent_other, name: other-agent}]\nenvironments: [{id: env_011main}]\n")
    with (stack.root / "agentops.yaml").open("a") as config:
        config.write("local: {seed: seeds.yaml}\n")
    stack.write(NAMED)
    [problem] = problems(stack, "--local")
    assert problem["hint"].startswith("--local resolves names from seeds.yaml (agentops.yaml local.seed)")
    assert example_line(problem["hint"]) == "agents: [{id: agent_local_1, name: my-agent}]"


def test_against_a_real_workspace_there_is_no_seed_hint(stack: Stack) -> None:
    stack.write(NAMED)
    [problem] = problems(stack)
    assert problem["message"] == MISSING and problem["hint"] is None
