"""Safe by default: exit codes mean one thing, typos are errors, paused never goes live, SIGINT settles."""

from __future__ import annotations

import signal
from collections import defaultdict

import pytest

from agentops.emulator import Faults
from agentops.model import tags
from tests.stack import STACK, Stack, manifest

SCHEDULE = {"expression": "* * * * *", "timezone": "UTC"}


@pytest.mark.parametrize("args", [["plan", "--bogus"], ["plan", "--format", "yaml"], ["nosuchcommand"]])
def test_usage_errors_exit_1_never_2(stack: Stack, args: list[str]) -> None:
    """2 means only "changes present": the drift workflow must never read a typo as drift."""
    result = stack.run(*args)
    assert result.exit_code == 1, result.output


def test_an_unknown_target_is_an_error_with_a_suggestion(stack: Stack) -> None:
    stack.write(manifest("nightly-report"), manifest("other"))
    result = stack.run("plan", str(stack.root), "--target", "nightly-reprot")
    assert result.exit_code == 1
    assert "did you mean 'nightly-report'?" in result.output
    assert "No changes" not in result.output


def test_a_plan_with_blockers_never_says_no_changes(stack: Stack) -> None:
    stack.write(manifest("job"))
    stack.run("--stack", "other", "apply", str(stack.root), "--auto-approve")  # owned by another stack
    stack.write(manifest("job", resources=[{
        "type": "github_repository", "url": "https://github.com/o/r", "authorization_token": "${UNSET_VAR}"}]))
    result = stack.run("plan", str(stack.root))
    assert result.exit_code == 1
    assert "UNSET_VAR is not set" in result.output and "No changes" not in result.output


def _sequence(stack: Stack) -> dict[str, list[str]]:
    """The writes each deployment received, in order (create, pause, update...)."""
    steps: dict[str, list[str]] = defaultdict(list)
    created = iter([d["id"] for d in sorted(stack.emulator.raw_deployments(), key=lambda d: d["created_at"])])
    for method, path, status in stack.emulator.requests:
        parts = path.strip("/").split("/")
        if method != "POST" or status != 200 or parts[:2] != ["v1", "deployments"]:
            continue
        if len(parts) == 2:
            steps[next(created)].append("create")
        else:
            steps[parts[2]].append(parts[3] if len(parts) == 4 else "update")
    return steps


def test_a_paused_manifest_is_never_live_with_its_schedule(stack: Stack) -> None:
    stack.write(*(manifest(f"held-{i}", status="paused", schedule=SCHEDULE) for i in range(3)))
    assert stack.apply().exit_code == 0
    assert set(map(tuple, _sequence(stack).values())) == {("create", "pause", "update")}
    live = [d for d in stack.emulator.raw_deployments() if d["metadata"].get(tags.STACK) == STACK]
    assert all(d["status"] == "paused" and d["schedule"]["expression"] == "* * * * *" for d in live)

    # An update that pauses pauses first, before the schedule it changes could fire.
    stack.write(*(manifest(f"held-{i}", schedule=SCHEDULE) for i in range(3)))
    assert stack.apply().exit_code == 0
    stack.emulator.reset_counts()
    stack.write(*(manifest(f"held-{i}", status="paused", schedule={**SCHEDULE, "expression": "0 * * * *"})
                  for i in range(3)))
    assert stack.apply().exit_code == 0
    assert set(map(tuple, _sequence(stack).values())) == {("pause", "update")}


def test_sigint_starts_nothing_new_and_leaves_nothing_paused_live(stack: Stack) -> None:
    count = 20
    stack.write(*(manifest(f"held-{i:02d}", status="paused", schedule=SCHEDULE) for i in range(count)))
    stack.emulator.faults = Faults(latency=0.05)
    process = stack.spawn_apply("--parallelism", "2", "--verbose")
    assert process.stderr is not None
    seen = []
    for raw in process.stderr:  # wait for real progress, then interrupt in the middle of the run
        seen.append(raw.decode())
        if "create held-" in seen[-1] and len(seen) >= 4:
            break
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    text = "".join(seen) + err.decode() + out.decode()
    assert process.returncode == 130, text
    assert "Interrupted (SIGINT)" in text and "not started" in text
    live = [d for d in stack.emulator.raw_deployments() if d["metadata"].get(tags.STACK) == STACK]
    assert 0 < len(live) < count
    assert [d["name"] for d in live if d["status"] == "active" and d.get("schedule")] == []
    # Every deployment started was finished: created, paused and scheduled.
    assert all(d["status"] == "paused" and d.get("schedule") for d in live)


def test_a_stack_typo_warns_and_strict_names_blocks(stack: Stack) -> None:
    stack.write(manifest("job"))
    assert stack.apply().exit_code == 0
    typo = stack.run("--stack", "team-b", "plan", str(stack.root))
    assert typo.exit_code == 0
    assert "this name is live in another stack" in typo.output and "'team-a'" in typo.output
    strict = stack.run("--stack", "team-b", "plan", str(stack.root), "--strict-names")
    assert strict.exit_code == 1 and "live in another stack" in strict.output


def test_an_unknown_stack_whose_names_other_stacks_run_blocks_an_unattended_apply(stack: Stack) -> None:
    stack.write(manifest("job"), manifest("other-job"))
    assert stack.apply().exit_code == 0
    writes = stack.emulator.write_count()
    typo = stack.run("--stack", "team-b", "apply", str(stack.root), "--auto-approve")
    assert typo.exit_code == 1
    assert "no live deployment belongs to stack 'team-b'" in typo.output and "--new-stack" in typo.output
    assert stack.emulator.write_count() == writes
    # A person who confirms sees the warning; a plan only warns.
    assert stack.run("--stack", "team-b", "plan", str(stack.root)).exit_code == 0
    # Meant: the new stack runs its own copies.
    meant = stack.run("--stack", "team-b", "apply", str(stack.root), "--auto-approve", "--new-stack")
    assert meant.exit_code == 0, meant.output
    assert "2 succeeded" in meant.output
    # Once the stack owns a deployment, its name is known: no flag needed any more.
    stack.write(manifest("job"), manifest("other-job"), manifest("third"))
    assert stack.run("--stack", "team-b", "apply", str(stack.root), "--auto-approve").exit_code == 0


def test_the_fingerprint_is_keyed_when_a_key_is_given(stack: Stack) -> None:
    repo = {"type": "github_repository", "url": "https://github.com/o/r", "authorization_token": "${REPO_TOKEN}"}
    stack.write(manifest("job", resources=[repo]))
    # Said once, by validate, at the secret's line; not in every plan (nor every PR comment).
    unkeyed = stack.run("validate", str(stack.root))
    assert unkeyed.output.count("fingerprint is unkeyed") == 1
    assert "deployments/job.yaml:" in unkeyed.output and "AGENTOPS_FINGERPRINT_KEY" in unkeyed.output
    assert "unkeyed" not in stack.run("plan", str(stack.root)).output
    assert "unkeyed" not in stack.run("validate", str(stack.root),
                                      env={"AGENTOPS_FINGERPRINT_KEY": "k" * 20}).output
    key = "fp-key-0123456789abcdef"
    keyed = stack.run("apply", str(stack.root), "--auto-approve", env={"AGENTOPS_FINGERPRINT_KEY": key})
    assert keyed.exit_code == 0 and "unkeyed" not in keyed.output and key not in keyed.output
    (live,) = [d for d in stack.emulator.raw_deployments() if d["metadata"].get(tags.STACK) == STACK]
    assert live["metadata"][tags.SECRETS].startswith("k1:")


def test_files_the_plan_did_not_read_are_named_in_it(stack: Stack) -> None:
    stack.write(manifest("job"))
    (stack.root / "deployments" / "notes.txt").write_text("not a manifest\n")
    (stack.root / "deployments" / "new-one.YAML").write_text(
        "name: new-one\nagent: agent_1\nenvironment_id: env_1\nprompt: hi\n"
    )
    result = stack.run("plan", str(stack.root))
    assert "notes.txt" in result.output and "skipped" in result.output
    assert "+ create new-one" in result.output  # an upper-case extension is a manifest too
