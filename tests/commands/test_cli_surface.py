"""Every option says what it does; completion offers manifest names offline; run speaks JSON."""

from __future__ import annotations

import json

import click
import pytest
from click.shell_completion import ShellComplete

from agentops.cli.app import COMMANDS, main
from tests.stack import Stack, manifest


def _commands() -> dict[str, click.Command]:
    ctx = click.Context(main)
    found = {name: main.get_command(ctx, name) for name in COMMANDS}
    return {name: command for name, command in found.items() if command is not None}


def test_every_option_of_every_command_has_help() -> None:
    missing = []
    for name, command in {"(group)": main, **_commands()}.items():
        for param in command.params:
            if isinstance(param, click.Option) and not (param.help or "").strip():
                missing.append(f"{name} {param.opts[0]}")
    assert missing == [], missing
    assert len(_commands()) == len(COMMANDS)


def _complete(stack: Stack, args: list[str], incomplete: str) -> list[str]:
    complete = ShellComplete(main, {}, "agentops", "_AGENTOPS_COMPLETE")
    return [item.value for item in complete.get_completions(args, incomplete)]


def test_completion_offers_manifest_names_without_the_api(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    stack.write(manifest("nightly-triage"), manifest("nightly-digest"), manifest("weekly"))
    stack.emulator.reset_counts()
    # NAME comes before PATH, so `run` completes from the current folder's project.
    monkeypatch.chdir(stack.root)
    assert _complete(stack, ["run"], "night") == ["nightly-digest", "nightly-triage"]
    assert _complete(stack, ["plan", "--target"], "w") == ["weekly"]
    monkeypatch.chdir(stack.root / "deployments")  # a subfolder finds its project's agentops.yaml
    assert _complete(stack, ["plan", "--target"], "") == ["nightly-digest", "nightly-triage", "weekly"]
    assert stack.emulator.requests == []


def test_run_prints_the_run_as_json(stack: Stack) -> None:
    stack.write(manifest("nightly"))
    assert stack.apply().exit_code == 0
    result = stack.run("run", "nightly", str(stack.root), "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["name"] == "nightly" and data["errored"] is False
    assert data["run"]["id"] and data["run"]["session_id"]
    missing = stack.run("run", "nope", str(stack.root), "--format", "json")
    assert missing.exit_code == 1
    assert "no deployment named 'nope'" in json.loads(missing.stdout)["error"]


def test_each_commands_help_lists_only_the_options_it_uses() -> None:
    """Offline commands do not offer --local or --workspace-id; schema reads no project at all."""
    from click.testing import CliRunner

    from agentops.cli import main

    def options(command: str) -> str:
        return CliRunner().invoke(main, [command, "--help"]).output

    for offline in ("validate", "schema", "init"):
        assert "--local" not in options(offline) and "--workspace-id" not in options(offline), offline
    assert "--stack" not in options("schema") and "--env" not in options("schema")
    assert "--env NAME" not in options("init")
    for online in ("plan", "apply", "destroy", "status", "run", "import", "comment", "report", "fleet"):
        assert "--local" in options(online), online
