"""The installed `agentops plan` (and status, fleet, report) read through a companion process: what the
user sees is the same as reading in process, and the command's own process never imports the SDK."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from agentops.emulator import EmulatorServer
from agentops.emulator.faults import Faults
from tests.fake_github import FakeGitHub, github_env
from tests.runs import break_some
from tests.stack import TOKEN, Stack, manifest

# The installed script's entry (`main()` without arguments, so it is a process of its own: GC off,
# a companion for plan), with an import hook that records whether this process imports the SDK.
SCRIPT = """
import os, sys
class Spy:
    def find_spec(self, name, path=None, target=None):
        if name == "anthropic":
            with open(os.environ["SDK_SPY"], "a") as seen:
                seen.write("imported")
        return None
sys.meta_path.insert(0, Spy())
from agentops.cli import main
sys.argv[0] = "agentops"
main()
"""


def installed(stack: Stack, tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    spy = tmp_path / "sdk-imported"
    environ = {**stack.subprocess_env(), "SDK_SPY": str(spy), **env}
    environ.pop("COLUMNS", None)
    return subprocess.run(
        [sys.executable, "-c", SCRIPT, *args], env=environ, capture_output=True, text=True, timeout=120, check=False
    )


def sdk_imported(tmp_path: Path) -> bool:
    return (tmp_path / "sdk-imported").exists()


def comparable(fmt: str, output: str) -> object:
    """The output without the one thing two runs differ in: the clock time the fleet section was made at."""
    if fmt != "json":
        return output
    data = json.loads(output)
    data.get("fleet", data).pop("now", None)  # the fleet section's, or `fleet`'s own
    return data


def a_mixed_workspace(stack: Stack) -> None:
    """Some to update, one to create, one to archive, one paused: a plan with every kind of change."""
    stack.write(manifest("kept"), manifest("edited"), manifest("dropped"), manifest("paused"))
    assert stack.apply().exit_code == 0
    stack.write(
        manifest("kept"),
        manifest("edited", prompt="A new prompt."),
        manifest("paused", status="paused"),
        manifest("new", resources=[{"type": "github_repository", "url": "https://github.com/o/r",
                                    "authorization_token": "${REPO_TOKEN}"}]),
    )


@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_the_installed_plan_shows_what_the_in_process_plan_shows(stack: Stack, tmp_path: Path, fmt: str) -> None:
    a_mixed_workspace(stack)
    args = ("plan", str(stack.root), "--format", fmt, "--detailed-exitcode")
    inside = stack.run(*args)
    apart = installed(stack, tmp_path, *args)
    assert apart.returncode == inside.exit_code == 2, apart.stderr
    assert comparable(fmt, apart.stdout) == comparable(fmt, inside.stdout)
    assert not sdk_imported(tmp_path)
    assert TOKEN not in apart.stdout + apart.stderr


@pytest.mark.parametrize("command", ["status", "fleet"])
def test_the_read_only_commands_show_the_same_through_the_companion(
    stack: Stack, tmp_path: Path, command: str
) -> None:
    a_mixed_workspace(stack)
    args = (command, str(stack.root), "--format", "json")
    inside = stack.run(*args)
    apart = installed(stack, tmp_path, *args)
    assert apart.returncode == inside.exit_code == 0, apart.stderr
    assert comparable("json", apart.stdout) == comparable("json", inside.stdout)
    assert not sdk_imported(tmp_path)


def test_the_report_reads_through_the_companion(stack: Stack, tmp_path: Path, github: FakeGitHub) -> None:
    break_some(stack)
    done = installed(stack, tmp_path, "report", str(stack.root), "--detailed-exitcode", **github_env(github))
    assert done.returncode == 2, done.stderr
    [issue] = [i for i in github.issues.values() if i["user"]["login"] == github.own_login]  # type: ignore[index]
    assert "auto-paused" in str(issue["title"])
    assert TOKEN not in str(issue["body"]) + done.stdout + done.stderr
    assert not sdk_imported(tmp_path)


def test_it_costs_the_same_requests_as_the_in_process_plan(
    stack: Stack, tmp_path: Path, emulator: EmulatorServer
) -> None:
    a_mixed_workspace(stack)
    emulator.reset_counts()
    assert stack.run("plan", str(stack.root)).exit_code == 0
    inside = sorted((method, path) for method, path, _ in emulator.requests)
    emulator.reset_counts()
    assert installed(stack, tmp_path, "plan", str(stack.root)).returncode == 0
    assert sorted((method, path) for method, path, _ in emulator.requests) == inside
    assert emulator.write_count() == 0


def test_health_and_a_saved_plan_work_through_the_companion(stack: Stack, tmp_path: Path) -> None:
    a_mixed_workspace(stack)
    saved = tmp_path / "plan.json"
    done = installed(stack, tmp_path, "plan", str(stack.root), "--health", "--out", str(saved))
    assert done.returncode == 0, done.stderr
    assert "Health: 0 failing, 0 auto-paused, 4 healthy." in done.stdout
    assert TOKEN not in saved.read_text() + done.stdout + done.stderr
    assert stack.run("apply", str(saved), "--auto-approve").exit_code == 0
    assert stack.in_sync()
    assert not sdk_imported(tmp_path)


def test_an_api_failure_is_the_same_one_line_error(stack: Stack, tmp_path: Path, emulator: EmulatorServer) -> None:
    stack.write(manifest("one"))
    emulator.faults = Faults(rate_429=1.0, retry_after=0.0)
    inside = stack.run("plan", str(stack.root))
    apart = installed(stack, tmp_path, "plan", str(stack.root))
    assert apart.returncode == inside.exit_code == 1
    assert apart.stderr.strip().splitlines()[-1] == inside.output.strip().splitlines()[-1]
    assert apart.stderr.strip().splitlines()[-1].startswith("error: API error 429")
    assert "Traceback" not in apart.stderr


def test_problems_in_the_manifests_come_first_and_a_missing_key_after(
    stack: Stack, tmp_path: Path, emulator: EmulatorServer
) -> None:
    stack.write(manifest("broken", schedule={"expression": "not cron"}))
    done = installed(stack, tmp_path, "plan", str(stack.root), ANTHROPIC_API_KEY="")
    assert done.returncode == 1
    assert "broken.yaml" in done.stderr and "ANTHROPIC_API_KEY" not in done.stderr
    stack.write(manifest("fine"))
    done = installed(stack, tmp_path, "plan", str(stack.root), ANTHROPIC_API_KEY="")
    assert done.returncode == 1 and "ANTHROPIC_API_KEY is not set" in done.stderr
    assert emulator.requests == []


def test_local_plans_and_help_start_no_companion(stack: Stack, tmp_path: Path) -> None:
    # --local serves its emulator from the plan's own process; --help reads nothing.
    stack.write(manifest("local-one"))
    assert installed(stack, tmp_path, "plan", "--help").returncode == 0
    assert not sdk_imported(tmp_path)
    done = installed(stack, tmp_path, "--local", "plan", str(stack.root))
    assert done.returncode == 0, done.stderr
    assert "1 to create" in done.stdout
    assert sdk_imported(tmp_path)


def test_the_spy_sees_an_sdk_import_in_this_process(stack: Stack, tmp_path: Path) -> None:
    # apply writes through the SDK in its own process: the spy reports it (so False above means something).
    stack.write(manifest("applied"))
    done = installed(stack, tmp_path, "apply", str(stack.root), "--auto-approve")
    assert done.returncode == 0, done.stderr
    assert sdk_imported(tmp_path)


def test_agentops_companion_0_reads_in_process_with_the_same_result(stack: Stack, tmp_path: Path) -> None:
    a_mixed_workspace(stack)
    args = ("plan", str(stack.root), "--format", "json")
    apart = installed(stack, tmp_path, *args)
    assert not sdk_imported(tmp_path)
    inside = installed(stack, tmp_path, *args, AGENTOPS_COMPANION="0")
    assert sdk_imported(tmp_path)
    assert inside.returncode == apart.returncode == 0
    assert comparable("json", inside.stdout) == comparable("json", apart.stdout)
