"""The GitHub workflows and the composite action: schema-valid, zizmor-clean, and least privilege."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from agentops.commands.init import render_workflow

REPO = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))
OURS = {
    name: REPO / ".github" / "workflows" / f"agentops-{name}.yml" for name in ("plan", "apply", "promote", "drift")
}
ACTION = REPO / "action.yml"
BIN = Path(sys.executable).parent
PINNED = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}$")
SCAFFOLD_PIN = "acme/agentops@0123456789abcdef0123456789abcdef01234567"
# What this repository's copies add to the templates: a note on `uses: ./` and its own fixtures left out.
SELF_USE = " # this repository's own action, at the checked-out commit # zizmor: ignore[self-repository]"
EXCLUDE = '          exclude: "tests/\\nsrc/agentops/templates/" # this repository\'s fixtures and templates\n'


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
        if ref in ("./", "./.github/workflows/agentops-promote.yml"):
            continue  # this repository's own action or called workflow, at the commit being checked out
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
        assert SCAFFOLD_PIN in uses or path.name == "agentops-apply.yml", path.name
        called = "./.github/workflows/agentops-promote.yml"  # the scaffold's own file, at the same commit
        assert all(PINNED.match(ref) or ref == called for ref in uses), (path.name, uses)


@pytest.mark.parametrize("name", sorted(OURS))
def test_least_privilege_keyless_and_no_api_key(name: str) -> None:
    workflow = load(OURS[name])
    assert "pull_request_target" not in workflow["on"]
    assert workflow["permissions"] == {}
    for job in workflow["jobs"].values():
        assert set(job["permissions"]) <= {"contents", "pull-requests", "issues", "id-token", "actions"}
        assert job["permissions"]["contents"] == "read"
        # Only a job that talks to the API gets an OIDC token, and it runs in a GitHub environment.
        if "id-token" in job["permissions"] and "uses" not in job:
            assert job["environment"].startswith("${{ ")
    text = OURS[name].read_text()
    # Keyless: not even an expression that expands to an empty ANTHROPIC_API_KEY (agentops refuses it).
    assert "ANTHROPIC_API_KEY" not in text and "secrets." not in text
    for value in re.findall(r"(ANTHROPIC_\w+|GITHUB_TOKEN): (.+)", text):
        assert value[1].startswith(("${{ vars.", "${{ github.token }}")), value
    for step in steps(workflow):
        if "actions/checkout" in step.get("uses", ""):
            assert step["with"]["persist-credentials"] is False


@pytest.mark.parametrize("name", ["plan", "drift"])
def test_one_job_per_stack_and_environment_through_a_matrix(name: str) -> None:
    job = load(OURS[name])["jobs"][name]
    assert job["strategy"]["matrix"]["target"] == "${{ fromJSON(needs.stacks.outputs.targets) }}"
    assert job["if"] == "needs.stacks.outputs.targets != '[]'"
    assert job["env"]["STACK_DIR"] == "${{ matrix.target.stack }}"
    # The environment reaches agentops through its variable (empty: none declared), never a script.
    assert job["env"]["AGENTOPS_ENV"] == "${{ matrix.target.env }}"
    # ... and the job runs in the GitHub environment of the same name: that environment's identity.
    assert job["environment"] == "${{ matrix.target.env || 'production' }}"
    assert job["permissions"]["id-token"] == "write"


def test_plan_labels_drift_comments_saves_the_plan_and_skips_forks() -> None:
    workflow = load(OURS["plan"])
    assert set(workflow["on"]) == {"pull_request"}
    job = workflow["jobs"]["plan"]
    assert job["permissions"] == {"contents": "read", "pull-requests": "write", "id-token": "write"}
    by_name = {step.get("name"): step for step in job["steps"]}
    assert "--base-ref HEAD^1" in by_name["Plan"]["run"] and job["steps"][0]["with"]["fetch-depth"] == 2
    assert "agentops comment --plan" in by_name["Comment on the pull request"]["run"]
    fork = "github.event.pull_request.head.repo.fork"
    assert by_name["Plan"]["if"] == by_name["Comment on the pull request"]["if"] == f"${{{{ !{fork} }}}}"
    assert by_name["No plan for a fork"]["if"] == fork
    assert "GITHUB_STEP_SUMMARY" in by_name["No plan for a fork"]["run"]
    assert "agentops validate" in by_name["Validate"]["run"] and "if" not in by_name["Validate"]
    # A failed validation edits the comment instead of leaving the last commit's plan up.
    stale = by_name["Mark the comment as not current (validation failed)"]
    assert "steps.validate.conclusion == 'failure'" in stale["if"] and "failure()" in stale["if"]
    assert "agentops comment --stale-because" in stale["run"]
    # The saved plan goes up as an artifact named by the pull request's head commit.
    assert by_name["Name the reviewed plan by the pull request's head commit"]["env"] == {
        "HEAD_SHA": "${{ github.event.pull_request.head.sha }}"}
    upload = next(step for step in job["steps"] if "upload-artifact" in step.get("uses", ""))
    assert upload["with"]["name"] == "${{ steps.artifact.outputs.name }}"
    assert upload["with"]["path"] == "${{ env.PLAN_FILE }}"


def test_drift_fails_the_run_on_changes() -> None:
    workflow = load(OURS["drift"])
    assert "schedule" in workflow["on"]
    assert "--detailed-exitcode" in steps(workflow)[-1]["run"]
    assert 'exit "$code"' in steps(workflow)[-1]["run"]


def test_drift_reports_through_one_issue_per_stack() -> None:
    workflow = load(OURS["drift"])
    job = workflow["jobs"]["drift"]
    assert job["permissions"] == {"contents": "read", "issues": "write", "id-token": "write"}
    assert "agentops report --detailed-exitcode" in steps(workflow)[-1]["run"]
    assert steps(workflow)[-1]["env"]["GITHUB_TOKEN"] == "${{ github.token }}"


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


@pytest.mark.parametrize("name", ["plan", "promote", "drift"])  # apply only calls promote
def test_a_stack_folder_is_never_read_as_an_option(name: str) -> None:
    """A folder named like `--auto-approve` stays a path: every agentops call ends `-- "$STACK_DIR"`."""
    calls = [
        line.strip()
        for step in steps(load(OURS[name]))
        for line in step.get("run", "").splitlines()
        if line.strip().startswith("agentops ")
    ]
    assert calls
    # A saved plan is applied from inside the stack (`cd -- "$STACK_DIR"`), its file after `--`.
    assert all(' -- "$STACK_DIR"' in call or call.endswith(' -- "$PLAN"') for call in calls), calls


@pytest.mark.parametrize("name", ["plan", "apply", "drift"])
def test_stacks_come_from_the_action_with_what_changed(name: str) -> None:
    job = load(OURS[name])["jobs"]["stacks"]
    find = next(step for step in job["steps"] if step.get("id") == "find")
    assert find["uses"] == "./" and find["with"]["command"] == "stacks"
    wanted = ("chains",) if name == "apply" else ("targets",)
    assert job["outputs"] == {key: f"${{{{ steps.find.outputs.{key} }}}}" for key in wanted}
    since = {
        "plan": "HEAD^1",  # the merge commit's first parent: the base the pull request is merged into
        "apply": "${{ github.event_name == 'push' && github.event.before || '' }}",
        "drift": None,
    }[name]
    assert find["with"].get("changed-since") == since
    depth = {"plan": 2, "apply": 0, "drift": None}[name]  # only as deep as the diff needs
    assert job["steps"][0]["with"].get("fetch-depth") == depth


def test_plan_has_no_paths_filter_that_could_miss_a_manifests_folder() -> None:
    assert load(OURS["plan"])["on"] == {"pull_request": None}
    assert "paths" not in load(OURS["apply"])["on"]["push"]


def test_apply_runs_only_from_the_default_branch_and_chains_each_stack() -> None:
    workflow = load(OURS["apply"])
    assert set(workflow["on"]) == {"push", "workflow_dispatch"}
    assert workflow["on"]["push"]["branches"] == ["main"]
    guard = "github.ref == format('refs/heads/{0}', github.event.repository.default_branch)"
    assert workflow["jobs"]["stacks"]["if"] == guard  # the promote job needs it, so it is skipped too
    # One called workflow per stack: its chain of environments holds no other stack.
    promote = workflow["jobs"]["promote"]
    assert promote["uses"] == "./.github/workflows/agentops-promote.yml"
    assert promote["strategy"]["matrix"]["chain"] == "${{ fromJSON(needs.stacks.outputs.chains) }}"
    assert promote["strategy"]["fail-fast"] is False and "max-parallel" not in promote["strategy"]
    assert promote["with"] == {"stack": "${{ matrix.chain.stack }}", "environments": "${{ toJSON(matrix.chain.envs) }}"}
    assert promote["concurrency"]["cancel-in-progress"] is False


def test_each_environment_needs_the_one_before_for_its_stack() -> None:
    jobs = load(OURS["promote"])["jobs"]
    assert list(jobs) == ["env-1", "env-2"]  # this repository's agentops.yaml: staging, production
    first, second = jobs["env-1"], jobs["env-2"]
    assert "needs" not in first and "if" not in first
    assert first["environment"] == "${{ fromJSON(inputs.environments)[0] || 'production' }}"
    assert second["needs"] == "env-1"  # skipped unless staging succeeded for this stack
    assert second["if"] == "toJSON(fromJSON(inputs.environments)[1]) != 'null'"
    assert second["environment"] == "${{ fromJSON(inputs.environments)[1] }}"
    for job in (first, second):
        assert job["concurrency"]["cancel-in-progress"] is False
        assert job["permissions"]["id-token"] == "write"
        by_name = {step.get("name"): step for step in job["steps"]}
        assert "agentops.plumbing.reviewed find" in by_name["Find the plan reviewed on the merged pull request"]["run"]
        apply = by_name["Apply (the result goes to the job summary)"]
        assert "--auto-approve" in apply["run"] and apply["env"]["REVIEWED"] == "${{ steps.reviewed.outputs.run-id }}"
        download = next(step for step in job["steps"] if "download-artifact" in step.get("uses", ""))
        assert download["if"] == "steps.reviewed.outputs.run-id != ''"


def test_the_repository_runs_the_workflows_init_writes() -> None:
    """Its own copies are the keyless templates with `./`, plus only what this repository needs."""
    for name, path in OURS.items():
        rendered = render_workflow(f"agentops-{name}.yml", action="./", auth="keyless", branch="main", stages=2)
        ours = path.read_text().replace(SELF_USE, "").replace(EXCLUDE, "")
        assert ours == rendered, name


@pytest.fixture(scope="module")
def trunk_scaffold(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """What `init --environments staging,qa,production` writes in a repository whose default branch is trunk."""
    root = tmp_path_factory.mktemp("trunk")
    subprocess.run(["git", "init", "-q", "-b", "trunk", str(root)], check=True, timeout=60)
    done = subprocess.run(
        [str(BIN / "agentops"), "init", str(root), "--stack", "payments", "--action", SCAFFOLD_PIN,
         "--environments", "staging,qa,production"],
        capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "runs on pushes to trunk (the branch checked out" in done.stdout
    return sorted((root / ".github" / "workflows").glob("*.yml"))


def test_the_trunk_scaffold_is_keyless_chained_and_applies_on_trunk(trunk_scaffold: list[Path]) -> None:
    by_name = {path.name: load(path) for path in trunk_scaffold}
    assert by_name["agentops-apply.yml"]["on"]["push"]["branches"] == ["trunk"]
    stages = by_name["agentops-promote.yml"]["jobs"]
    assert [job.get("needs") for job in stages.values()] == [None, "env-1", "env-2"]
    for path in trunk_scaffold:
        text = path.read_text()
        assert "ANTHROPIC_API_KEY" not in text and "secrets." not in text, path.name
    for name in ("agentops-plan.yml", "agentops-drift.yml"):
        job = by_name[name]["jobs"][name.removeprefix("agentops-").removesuffix(".yml")]
        assert job["environment"] == "${{ matrix.target.env || 'production' }}"
        assert job["permissions"]["id-token"] == "write"


def test_zizmor_auditor_persona_finds_nothing(trunk_scaffold: list[Path]) -> None:
    """The pedantic and auditor checks too (secrets-outside-env among them), on ours and the scaffold."""
    for inputs in ([*map(str, WORKFLOWS), str(ACTION)], list(map(str, trunk_scaffold))):
        audit = run("zizmor", "--offline", "--persona", "auditor", "--format", "plain", *inputs)
        assert audit.returncode == 0 and "No findings to report" in audit.stdout, audit.stdout + audit.stderr
    schema = run("check-jsonschema", "--builtin-schema", "vendor.github-workflows", *map(str, trunk_scaffold))
    assert schema.returncode == 0, schema.stdout + schema.stderr
