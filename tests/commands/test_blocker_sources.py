"""Every blocker says where it comes from (issue 26): a line of agentops.yaml (or of the base
revision's), the manifests folder, or, with no file to point at, the flag or the workspace in its
JSON `source`. End to end: the CLI, the real SDK, the emulator; annotations as under GitHub Actions."""

from __future__ import annotations

from typing import Any

import pytest

from agentops.engine.plan import Blocker, Plan
from agentops.engine.planfile import parse
from agentops.views.json import render_saved
from tests.commands.test_fleet_e2e import DAILY, _seed_scheduled
from tests.commands.test_plan_base_ref import git
from tests.stack import STACK, Stack, manifest

ACTIONS = {"GITHUB_ACTIONS": "true"}
UNPACED = "api: {writes_per_minute: 0, reads_per_minute: 0}\n"


def _config(stack: Stack, *lines: str) -> None:
    """agentops.yaml: the stack on line 1, no pacing on line 2, then `lines` from line 3."""
    (stack.root / "agentops.yaml").write_text(f"stack: {STACK}\n{UNPACED}" + "".join(f"{x}\n" for x in lines))


def _only_problem(stack: Stack, *args: str) -> dict[str, Any]:
    data = stack.plan_json(*args)
    assert data["errored"] is True
    [problem] = data["problems"]
    found: dict[str, Any] = problem
    return found


def _errors(stack: Stack, *args: str) -> list[str]:
    """The ::error annotations a plan emits under GitHub Actions (on stderr)."""
    result = stack.run("plan", str(stack.root), *args, env=ACTIONS)
    assert result.exit_code == 1, result.output
    return [line for line in result.stderr.splitlines() if line.startswith("::error")]


def _one_removed(stack: Stack) -> None:
    """Two deployments live, then one manifest removed: the plan archives one."""
    stack.write(manifest("a"), manifest("b"))
    applied = stack.apply()
    assert applied.exit_code == 0, applied.output
    stack.write(manifest("a"))


def test_max_archive_in_agentops_yaml_points_at_its_line(stack: Stack) -> None:
    _config(stack, "# archives are rare here", "max_archive: 0")
    _one_removed(stack)
    problem = _only_problem(stack)
    assert (problem["file"], problem["source"]) == ("agentops.yaml:4", None)
    assert problem["message"].startswith("plan archives 1 deployment, more than the limit of 0")
    text = stack.run("plan", str(stack.root))
    assert "agentops.yaml:4: plan archives 1 deployment" in text.output
    assert "agentops.yaml:4: plan archives" in stack.run("plan", str(stack.root), "--format", "markdown").stdout
    [error] = _errors(stack)
    assert error.startswith("::error file=agentops.yaml,line=4::plan archives 1 deployment")


def test_max_archive_from_the_flag_names_the_flag_not_a_file(stack: Stack) -> None:
    _config(stack, "max_archive: 5")  # the flag wins over agentops.yaml's value, and is named
    _one_removed(stack)
    problem = _only_problem(stack, "--max-archive", "0")
    assert (problem["file"], problem["source"]) == (None, "--max-archive")
    assert "--max-archive: plan archives 1 deployment" in stack.run("plan", str(stack.root), "--max-archive", "0").output
    [error] = _errors(stack, "--max-archive", "0")
    assert error.startswith("::error::--max-archive: plan archives 1 deployment")  # no file property


def test_a_guard_of_the_base_revision_names_that_revision_and_its_line(stack: Stack) -> None:
    _config(stack, "max_archive: 0")
    stack.write(manifest("a"), manifest("b"))
    git(stack.root, "init", "-q")
    git(stack.root, "add", ".")
    git(stack.root, "commit", "-q", "-m", "base")
    assert stack.apply().exit_code == 0
    # The pull request removes one and loosens the cap, on another line: the base's line is cited.
    stack.write(manifest("a"))
    _config(stack, "# loosened", "# for the cleanup", "max_archive: 9")
    problem = _only_problem(stack, "--base-ref", "main")
    assert (problem["file"], problem["source"]) == (None, "main:agentops.yaml:3")
    text = stack.run("plan", str(stack.root), "--base-ref", "main").output
    assert "main:agentops.yaml:3: plan archives 1 deployment, more than the limit of 0" in text
    [error] = _errors(stack, "--base-ref", "main")
    assert error.startswith("::error::main:agentops.yaml:3: plan archives")  # not a line of this checkout


def test_a_target_naming_nothing_names_the_flag(stack: Stack) -> None:
    stack.write(manifest("nightly"))
    problem = _only_problem(stack, "--target", "nightlyy")
    assert (problem["file"], problem["source"], problem["name"]) == (None, "--target", None)
    assert problem["hint"] == "did you mean 'nightly'?"
    text = stack.run("plan", str(stack.root), "--target", "nightlyy").output
    assert "--target: --target 'nightlyy' matches no manifest" in text
    [error] = _errors(stack, "--target", "nightlyy")
    assert error.startswith("::error::--target: --target 'nightlyy' matches no manifest")


@pytest.mark.parametrize("folder", ["deployments", "ops/jobs"])
def test_an_empty_manifests_folder_points_at_the_folder(stack: Stack, folder: str) -> None:
    _config(stack, f"manifests: {folder}")
    (stack.root / folder).mkdir(parents=True, exist_ok=True)
    (stack.root / folder / "job.yaml").write_text("name: job\nagent: agent_011alpha\nenvironment_id: env_011main\n"
                                                  "prompt: Go.\n")
    assert stack.apply().exit_code == 0
    (stack.root / folder / "job.yaml").unlink()
    problem = _only_problem(stack)
    assert (problem["file"], problem["source"]) == (f"{folder}/", None)
    assert problem["message"].startswith("no manifests found: refusing to archive all 1 deployment")
    [error] = _errors(stack)
    assert error.startswith(f"::error file={folder}/::no manifests found")


def test_the_organization_cap_comes_from_the_workspace(stack: Stack) -> None:
    _seed_scheduled(stack.emulator, 1000)
    stack.write(manifest("nightly", schedule=DAILY))
    problem = _only_problem(stack)
    assert (problem["file"], problem["source"]) == (None, "workspace")
    assert problem["message"].startswith("scheduled_cap (error)")
    [error] = _errors(stack)
    assert error.startswith("::error::workspace: scheduled_cap (error)")


def test_a_fleet_policy_rule_points_at_its_line_the_environment_s_own_first(stack: Stack) -> None:
    _config(stack, "policy:", "  max_scheduled: {level: error, count: 0}")
    stack.write(manifest("nightly", schedule=DAILY))
    problem = _only_problem(stack)
    assert (problem["file"], problem["source"], problem["name"]) == ("agentops.yaml:4", None, None)
    assert problem["message"].startswith("policy max_scheduled (error)")
    [error] = _errors(stack)
    assert error.startswith("::error file=agentops.yaml,line=4::policy max_scheduled (error)")
    # An environment's own rule is the one in force there: its line is cited, not the repository's.
    _config(stack, "policy:", "  max_scheduled: {level: warn, count: 0}", "environments:", "  prod:",
            "    policy:", "      max_scheduled: {level: error, count: 0}", "  dev: {}")
    problem = _only_problem(stack, "--env", "prod")
    assert (problem["file"], problem["source"]) == ("agentops.yaml:8", None)
    assert stack.plan_json("--env", "dev")["errored"] is False  # the repository's rule only warns


def test_an_unknown_stack_names_the_flag_or_the_stack_line(stack: Stack) -> None:
    stack.write(manifest("job"))
    assert stack.apply().exit_code == 0
    writes = stack.emulator.write_count()
    flagged = stack.run("--stack", "team-b", "apply", str(stack.root), "--auto-approve")
    assert flagged.exit_code == 1
    assert "--stack: no live deployment belongs to stack 'team-b'" in flagged.output
    # The same typo written in agentops.yaml points at its line.
    (stack.root / "agentops.yaml").write_text(f"# the stack\nstack: team-b\n{UNPACED}")
    written = stack.apply()
    assert written.exit_code == 1
    assert "agentops.yaml:2: no live deployment belongs to stack 'team-b'" in written.output
    assert stack.emulator.write_count() == writes


def test_a_saved_plan_keeps_where_each_blocker_comes_from() -> None:
    plan = Plan("s", (), blockers=(Blocker("over the cap", source="workspace"),
                                   Blocker("too many archives", file="agentops.yaml:3")))
    again = parse(render_saved(plan))
    assert again.blockers == plan.blockers
    assert [str(b) for b in again.blockers] == ["workspace: over the cap", "agentops.yaml:3: too many archives"]
