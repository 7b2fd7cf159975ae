"""The GitHub workflows and the composite action: schema-valid, zizmor-clean, and least privilege."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))
OURS = {name: REPO / ".github" / "workflows" / f"agentops-{name}.yml" for name in ("plan", "apply", "drift")}
ACTION = REPO / "action.yml"
BIN = Path(sys.executable).parent
PINNED = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}$")
SCAFFOLD_PIN = "acme/agentops@0123456789abcdef0123456789abcdef01234567"


def load(path: Path) -> dict[Any, Any]:
    data: dict[Any, Any] = yaml.safe_load(path.read_text())
    # YAML 1.1 reads the key `on` as True.
    if True in data:
        data["on"] = data.pop(True)
    return data


def run(tool: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / tool), *args], capture_output=True, text=True, cwd=REPO, timeout=120)


def test_workflows_match_the_github_schema() -> None:
    result = run("check-jsonschema", "--builtin-schema", "vendor.github-workflows", *map(str, WORKFLOWS))
    assert result.returncode == 0, result.stdout + result.stderr


def test_action_matches_the_github_schema() -> None:
    result = run("check-jsonschema", "--builtin-schema", "vendor.github-actions", str(ACTION))
    assert result.returncode == 0, result.stdout + result.stderr


def test_zizmor_finds_nothing_at_medium_or_higher() -> None:
    inputs = [*map(str, WORKFLOWS), str(ACTION), str(REPO / ".pre-commit-hooks.yaml")]
    result = run("zizmor", "--offline", "--min-severity", "medium", "--format", "plain", *inputs)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings to report" in result.stdout


def steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


@pytest.mark.parametrize("path", [*WORKFLOWS, ACTION], ids=lambda p: p.name)
def test_every_action_is_pinned_by_full_sha_with_a_version_comment(path: Path) -> None:
    text = path.read_text()
    uses = re.findall(r"^\s*(?:- )?uses:\s*(\S+)(.*)", text, re.M)
    assert uses
    for ref, comment in uses:
        if ref == "./":
            continue  # this repository's own action, at the commit being checked out
        assert PINNED.match(ref), ref
        assert re.match(r"\s*# v\d", comment), f"{ref} lacks a version comment"


@pytest.fixture(scope="module")
def scaffolded(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The workflows `agentops init` writes into a new repository, pinned to a commit."""
    root = tmp_path_factory.mktemp("scaffold")
    result = subprocess.run(
        [str(BIN / "agentops"), "init", str(root), "--stack", "payments", "--action", SCAFFOLD_PIN],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return sorted((root / ".github" / "workflows").glob("*.yml"))


def test_scaffolded_workflows_are_schema_valid_and_zizmor_clean(scaffolded: list[Path]) -> None:
    schema = run("check-jsonschema", "--builtin-schema", "vendor.github-workflows", *map(str, scaffolded))
    assert schema.returncode == 0, schema.stdout + schema.stderr
    audit = run("zizmor", "--offline", "--min-severity", "medium", "--format", "plain", *map(str, scaffolded))
    assert audit.returncode == 0 and "No findings to report" in audit.stdout, audit.stdout + audit.stderr


def test_scaffolded_workflows_use_only_commit_pinned_actions(scaffolded: list[Path]) -> None:
    for path in scaffolded:
        uses = re.findall(r"^\s*(?:- )?uses:\s*(\S+)", path.read_text(), re.M)
        assert SCAFFOLD_PIN in uses, path.name
        assert all(PINNED.match(ref) for ref in uses), (path.name, uses)


@pytest.mark.parametrize("name", sorted(OURS))
def test_least_privilege_and_secrets_only_from_secrets(name: str) -> None:
    workflow = load(OURS[name])
    assert "pull_request_target" not in workflow["on"]
    assert workflow["permissions"] == {}
    for job in workflow["jobs"].values():
        assert set(job["permissions"]) <= {"contents", "pull-requests", "issues"}
        assert job["permissions"]["contents"] == "read"
    text = OURS[name].read_text()
    for value in re.findall(r"(ANTHROPIC_API_KEY|GITHUB_TOKEN): (.+)", text):
        assert value[1].startswith("${{ secrets."), value
    for step in steps(workflow):
        if "actions/checkout" in step.get("uses", ""):
            assert step["with"]["persist-credentials"] is False


@pytest.mark.parametrize("name", sorted(OURS))
def test_one_job_per_stack_and_environment_through_a_matrix(name: str) -> None:
    job = load(OURS[name])["jobs"][name]
    targets = "first" if name == "apply" else "targets"  # apply promotes the rest afterwards
    assert job["strategy"]["matrix"]["target"] == f"${{{{ fromJSON(needs.stacks.outputs.{targets}) }}}}"
    assert job["if"] == f"needs.stacks.outputs.{targets} != '[]'"
    assert job["env"]["STACK_DIR"] == "${{ matrix.target.stack }}"
    # The environment reaches agentops through its variable (empty: none declared), never a script.
    assert job["env"]["AGENTOPS_ENV"] == "${{ matrix.target.env }}"


def test_plan_labels_drift_comments_and_skips_forks() -> None:
    workflow = load(OURS["plan"])
    assert set(workflow["on"]) == {"pull_request"}
    job = workflow["jobs"]["plan"]
    assert job["permissions"] == {"contents": "read", "pull-requests": "write"}
    by_name = {step.get("name"): step for step in job["steps"]}
    assert "--base-ref" in by_name["Plan"]["run"]
    assert "agentops comment" in by_name["Comment on the pull request"]["run"]
    fork = "github.event.pull_request.head.repo.fork"
    assert by_name["Plan"]["if"] == by_name["Comment on the pull request"]["if"] == f"${{{{ !{fork} }}}}"
    assert by_name["No plan for a fork"]["if"] == fork
    assert "GITHUB_STEP_SUMMARY" in by_name["No plan for a fork"]["run"]
    assert "agentops validate" in by_name["Validate"]["run"] and "if" not in by_name["Validate"]


def test_apply_never_overlaps_per_stack() -> None:
    workflow = load(OURS["apply"])
    assert workflow["on"]["push"]["branches"] == ["main"]
    group = {"group": "agentops-apply-${{ matrix.target.stack }}-${{ matrix.target.env }}", "cancel-in-progress": False}
    for name in ("apply", "promote"):
        job = workflow["jobs"][name]
        assert job["concurrency"] == group
        assert "--auto-approve" in job["steps"][-1]["run"]


def test_drift_fails_the_run_on_changes() -> None:
    workflow = load(OURS["drift"])
    assert "schedule" in workflow["on"]
    assert "--detailed-exitcode" in steps(workflow)[-1]["run"]
    assert 'exit "$code"' in steps(workflow)[-1]["run"]


def test_drift_reports_through_one_issue_per_stack() -> None:
    workflow = load(OURS["drift"])
    job = workflow["jobs"]["drift"]
    assert job["permissions"] == {"contents": "read", "issues": "write"}
    assert "agentops report --detailed-exitcode" in steps(workflow)[-1]["run"]
    assert steps(workflow)[-1]["env"]["GITHUB_TOKEN"] == "${{ secrets.GITHUB_TOKEN }}"


def test_pre_commit_hook_runs_validate() -> None:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert hooks[0]["id"] == "agentops-validate" and hooks[0]["entry"] == "agentops validate"
    pattern = re.compile(hooks[0]["files"])
    assert pattern.search("stacks/prod/deployments/triage.yaml") and pattern.search("agentops.yaml")
    # a custom `manifests:` folder, any manifest extension in any case
    for path in ("stacks/prod/agents/triage.yml", "agents/NEW.YAML", "agents/a.json", "agents/b.md"):
        assert pattern.search(path), path
    assert not pattern.search("src/agentops/cli/app.py")


def test_ci_tests_every_supported_python() -> None:
    workflow = load(REPO / ".github" / "workflows" / "ci.yml")
    job = workflow["jobs"]["test"]
    assert job["strategy"]["matrix"]["python"] == ["3.11", "3.12", "3.13"]
    setup = next(s for s in job["steps"] if "actions/setup-python" in s.get("uses", ""))
    assert setup["with"]["python-version"] == "${{ matrix.python }}"
    assert job["steps"][-1]["run"] == "bash .ci/run"


@pytest.mark.parametrize("path", [*WORKFLOWS, ACTION], ids=lambda p: p.name)
def test_no_expression_is_pasted_into_a_script(path: Path) -> None:
    """Data reaches scripts through env only: `${{ }}` inside `run:` is script injection."""
    data = load(path)
    all_steps = data["runs"]["steps"] if "runs" in data else steps(data)
    for step in all_steps:
        assert "${{" not in step.get("run", ""), step.get("name")


@pytest.mark.parametrize("name", sorted(OURS))
def test_a_stack_folder_is_never_read_as_an_option(name: str) -> None:
    """A folder named like `--auto-approve` stays a path: every agentops call ends `-- "$STACK_DIR"`."""
    calls = [
        line.strip()
        for step in steps(load(OURS[name]))
        for line in step.get("run", "").splitlines()
        if line.strip().startswith("agentops ")
    ]
    assert calls
    assert all(call.endswith(' -- "$STACK_DIR"') for call in calls), calls


@pytest.mark.parametrize("name", sorted(OURS))
def test_stacks_come_from_the_action_with_what_changed(name: str) -> None:
    job = load(OURS[name])["jobs"]["stacks"]
    find = next(step for step in job["steps"] if step.get("id") == "find")
    assert find["uses"] == "./" and find["with"]["command"] == "stacks"
    wanted = ("first", "rest") if name == "apply" else ("targets",)
    assert job["outputs"] == {key: f"${{{{ steps.find.outputs.{key} }}}}" for key in wanted}
    since = {
        "plan": "${{ github.event.pull_request.base.sha }}",
        "apply": "${{ github.event_name == 'push' && github.event.before || '' }}",
        "drift": None,
    }[name]
    assert find["with"].get("changed-since") == since
    if since:  # the base must be in the checkout for git to diff against it
        assert job["steps"][0]["with"]["fetch-depth"] == 0


def test_plan_has_no_paths_filter_that_could_miss_a_manifests_folder() -> None:
    assert load(OURS["plan"])["on"] == {"pull_request": None}
    assert "paths" not in load(OURS["apply"])["on"]["push"]


def test_apply_runs_only_from_the_default_branch_behind_an_environment() -> None:
    workflow = load(OURS["apply"])
    assert set(workflow["on"]) == {"push", "workflow_dispatch"}
    guard = "github.ref == format('refs/heads/{0}', github.event.repository.default_branch)"
    assert workflow["jobs"]["stacks"]["if"] == guard  # the apply job needs it, so it is skipped too
    job = workflow["jobs"]["apply"]
    # Each stack's first environment (staging) behind its GitHub environment; no environments: production.
    assert job["needs"] == "stacks" and job["environment"] == "${{ matrix.target.env || 'production' }}"
    assert any("ANTHROPIC_API_KEY" in step.get("env", {}) for step in job["steps"])
    # Later environments only after every first apply succeeded, each behind its own GitHub
    # environment (where required reviewers approve), one environment at a time.
    promote = workflow["jobs"]["promote"]
    assert promote["needs"] == ["stacks", "apply"] and "always()" not in str(promote.get("if"))
    assert promote["if"] == "needs.stacks.outputs.rest != '[]'"
    assert promote["environment"] == "${{ matrix.target.env }}"
    assert promote["strategy"]["matrix"]["target"] == "${{ fromJSON(needs.stacks.outputs.rest) }}"
    assert promote["strategy"]["max-parallel"] == 1
    assert promote["env"]["AGENTOPS_ENV"] == "${{ matrix.target.env }}"
    assert any("ANTHROPIC_API_KEY" in step.get("env", {}) for step in promote["steps"])
    for other in ("plan", "drift"):
        assert all("environment" not in j for j in load(OURS[other])["jobs"].values())
