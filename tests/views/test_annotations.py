"""CI annotations under GitHub Actions: file, line and column, escaped so no value ends or forges a command."""

from __future__ import annotations

from pathlib import Path

from agentops.engine.plan import Blocker, Plan
from agentops.model.problems import Problem
from agentops.views.annotations import annotation, for_plan, for_validation
from tests.stack import Stack, manifest

ACTIONS = {"GITHUB_ACTIONS": "true"}


def test_properties_and_data_are_escaped_as_github_requires() -> None:
    line = annotation("error", "50% done\r\nnext::x", "dir/a,b:c.yaml", 3, 7)
    assert line == "::error file=dir/a%2Cb%3Ac.yaml,line=3,col=7::50%25 done\\x0d\\x0anext::x"
    assert "\n" not in line and "\r" not in line


def test_hostile_text_cannot_start_a_command_of_its_own() -> None:
    problem = Problem("deployments/x.yaml", 1, 1, "name", "bad\n::warning file=evil::forged", None)
    [line] = for_validation([problem], [])
    assert line.count("\n") == 0 and line.startswith("::error file=deployments/x.yaml,line=1,col=1::")
    assert "::warning file=evil" not in line.split("::", 2)[1]


def test_a_blocker_is_an_error_at_its_manifest_line_and_a_warning_has_no_file() -> None:
    plan = Plan("s", (), blockers=(Blocker("vault v is archived", "job", "deployments/job.yaml:4", "restore it"),),
                warnings=("job: something to know",))
    assert for_plan(plan) == [
        "::error file=deployments/job.yaml,line=4::job: vault v is archived (restore it)",
        "::warning::job: something to know",
    ]


def test_validate_annotates_under_actions_only_and_writes_the_step_summary(stack: Stack, tmp_path: Path) -> None:
    stack.write(manifest("zoned", schedule={"expression": "0 9 * * *", "timezone": "Europe/Berln"}))
    outside = stack.run("validate", str(stack.root))
    assert "::error" not in outside.output
    summary = tmp_path / "summary.md"
    inside = stack.run("validate", str(stack.root), env={**ACTIONS, "GITHUB_STEP_SUMMARY": str(summary)})
    assert inside.exit_code == 1
    [line] = [x for x in inside.stderr.splitlines() if x.startswith("::error")]
    assert line.startswith("::error file=deployments/zoned.yaml,line=7,col=13::")  # where the timezone is
    assert line.endswith("::schedule.timezone: 'Europe/Berln' is not an IANA timezone (did you mean 'Europe/Berlin'?)")
    assert "1 problem in 1 of 1 manifest file" in summary.read_text()


def test_plan_annotates_its_blockers_and_manifest_problems(stack: Stack) -> None:
    stack.emulator.register_vault("vlt_011gone")
    stack.emulator.archive_vault("vlt_011gone")
    stack.write(manifest("job", vault_ids=["vlt_011gone"]))
    blocked = stack.run("plan", str(stack.root), "--format", "json", env=ACTIONS)
    assert blocked.exit_code == 1
    assert any(x.startswith("::error file=deployments/job.yaml,line=1::job: vault vlt_011gone")
               for x in blocked.stderr.splitlines()), blocked.stderr
    assert "::error" not in blocked.stdout  # the JSON document stays clean
    stack.write(manifest("job", schedule={"expression": "0 9 * * *", "timezone": "Europe/Berln"}))
    invalid = stack.run("plan", str(stack.root), env=ACTIONS)
    assert any(x.startswith("::error file=deployments/job.yaml,line=") for x in invalid.stderr.splitlines())
