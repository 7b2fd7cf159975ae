"""`plan --base-ref`: drift told apart from the change, with a real git repository in tmp_path."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import anthropic

from agentops.engine.drift import CHANGE, DRIFT, label
from agentops.model import tags
from tests.stack import Stack, manifest
from tests.views.test_markdown import representative

GIT_ENV = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.test",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.test",
}


def git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "init.defaultBranch=main", *args], cwd=root, env=GIT_ENV, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def live_id(stack: Stack, name: str) -> str:
    return next(d["id"] for d in stack.emulator.raw_deployments() if d["metadata"].get(tags.NAME) == name)


def test_pure_labels_split_an_update_into_change_and_drift() -> None:
    head, base = representative()
    labelled = label(head, base, "main")
    by_kind = {(a.name, a.kind): a for a in labelled.writes}
    assert by_kind[("support-digest", "unpause")].origin == DRIFT
    assert by_kind[("old-job", "archive")].origin == CHANGE
    triage = by_kind[("nightly-triage", "update")]
    assert {c.path: c.origin for c in triage.changes} == {"description": CHANGE, "vault_ids[0]": DRIFT}
    assert triage.origin == CHANGE
    assert labelled.base_ref == "main" and head.base_ref is None


def test_base_ref_end_to_end(stack: Stack) -> None:
    root = stack.root
    stack.write(manifest("job-a"), manifest("job-b"), manifest("job-c"))
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "manifests")
    assert stack.apply().exit_code == 0

    # The pull request changes job-a; someone edits job-b in the console (through the SDK).
    stack.write(manifest("job-a", description="changed in this PR"), manifest("job-b"), manifest("job-c"))
    sdk = anthropic.Anthropic(base_url=stack.emulator.url, api_key="test", max_retries=0)
    sdk.beta.deployments.update(live_id(stack, "job-b"), description="edited in the console")
    status_before = git(root, "status", "--porcelain")

    data = stack.plan_json("--base-ref", "main")
    origins = {(a["name"], a["action"]): a["origin"] for a in data["actions"]}
    assert origins == {("job-a", "update"): "change", ("job-b", "update"): "drift", ("job-c", "noop"): None}
    assert data["base_ref"] == "main"
    assert git(root, "status", "--porcelain") == status_before  # the working tree was not touched

    markdown = stack.run("plan", str(root), "--base-ref", "main", "--format", "markdown").stdout
    ours, drift = markdown.split("#### Drift: live already differs from main")
    assert "#### From this change" in ours and "job-a" in ours and "job-b" not in ours
    assert "job-b" in drift and "edited in the console" in drift and "job-a" not in drift


def test_a_saved_labelled_plan_keeps_its_labels(stack: Stack, tmp_path: Path) -> None:
    stack.write(manifest("job-a"))
    git(stack.root, "init", "-q")
    git(stack.root, "add", ".")
    git(stack.root, "commit", "-q", "-m", "manifests")
    stack.write(manifest("job-a"), manifest("job-new"))
    out = tmp_path / "plan.json"
    assert stack.run("plan", str(stack.root), "--base-ref", "HEAD", "--out", str(out)).exit_code == 0
    saved = json.loads(out.read_text())
    assert {a["name"]: a["origin"] for a in saved["actions"]} == {"job-a": DRIFT, "job-new": CHANGE}


def test_a_stack_new_in_the_change_is_all_change(stack: Stack) -> None:
    git(stack.root, "init", "-q")
    git(stack.root, "commit", "-q", "--allow-empty", "-m", "empty")
    stack.write(manifest("job-a"))
    data = stack.plan_json("--base-ref", "main")
    assert [(a["name"], a["origin"]) for a in data["actions"]] == [("job-a", CHANGE)]


def test_unknown_ref_and_no_repository_are_clear_errors(stack: Stack) -> None:
    stack.write(manifest("job-a"))
    outside = stack.run("plan", str(stack.root), "--base-ref", "main")
    assert outside.exit_code == 1 and "is not inside a git repository" in outside.stderr
    git(stack.root, "init", "-q")
    git(stack.root, "commit", "-q", "--allow-empty", "-m", "empty")
    unknown = stack.run("plan", str(stack.root), "--base-ref", "no-such-branch")
    assert unknown.exit_code == 1 and "--base-ref no-such-branch: no such commit" in unknown.stderr
    assert "Traceback" not in unknown.output
    assert stack.emulator.write_count() == 0
