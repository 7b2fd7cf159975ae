"""-q prints the summary line and errors only; -v adds detail; no warning in a quickstart's plan."""

from __future__ import annotations

from tests.stack import Stack, manifest


def test_quiet_plan_is_the_summary_line(stack: Stack) -> None:
    stack.write(manifest("job"), manifest("other"))
    loud = stack.run("plan", str(stack.root))
    quiet = stack.run("-q", "plan", str(stack.root))
    assert loud.exit_code == quiet.exit_code == 0
    assert len(loud.stdout.splitlines()) > 3
    assert quiet.stdout == "Plan: 2 to create, 0 to update, 0 to pause, 0 to unpause, 0 to archive.\n"
    assert quiet.stderr == ""


def test_quiet_plan_still_says_what_blocks_it(stack: Stack) -> None:
    repo = {"type": "github_repository", "url": "https://github.com/o/r", "authorization_token": "${UNSET_TOKEN}"}
    stack.write(manifest("job", resources=[repo]))
    quiet = stack.run("-q", "plan", str(stack.root))
    assert quiet.exit_code == 1
    assert "UNSET_TOKEN is not set" in quiet.stderr and quiet.stdout.startswith("Plan: ")


def test_quiet_validate_drops_warnings_and_verbose_names_each_manifest(stack: Stack) -> None:
    repo = {"type": "github_repository", "url": "https://github.com/o/r", "authorization_token": "${UNSET_TOKEN}"}
    stack.write(manifest("job", resources=[repo]), manifest("other"))
    loud = stack.run("validate", str(stack.root))
    assert "warning:" in loud.stderr
    quiet = stack.run("-q", "validate", str(stack.root))
    assert quiet.stderr == "" and quiet.stdout.startswith("2 manifests valid")
    verbose = stack.run("-v", "validate", str(stack.root))
    assert "valid: deployments/job.yaml:1: job" in verbose.stderr
    assert "valid: deployments/other.yaml:1: other" in verbose.stderr


def test_a_plan_without_secrets_warns_of_nothing(stack: Stack) -> None:
    stack.write(manifest("job"))
    for command in ("validate", "plan"):
        result = stack.run(command, str(stack.root))
        assert result.exit_code == 0 and "arning" not in result.output, result.output
