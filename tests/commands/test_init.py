"""`agentops init`: a repository that validates at once, and never a silent overwrite."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

from agentops.cli import main
from agentops.commands.init import DISTRIBUTION, FILES, PLACEHOLDER, pin_from_direct_url
from agentops.manifest import load_project

REPO = Path(__file__).resolve().parents[2]


def init(*args: str) -> Result:
    return CliRunner().invoke(main, ["init", *args], catch_exceptions=False)


def test_init_then_validate_passes(tmp_path: Path) -> None:
    result = init(str(tmp_path), "--stack", "payments")
    assert result.exit_code == 0, result.output
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file()) == sorted(FILES)
    assert yaml.safe_load((tmp_path / "agentops.yaml").read_text())["stack"] == "payments"
    for workflow in tmp_path.glob(".github/workflows/*.yml"):
        assert "jobs" in yaml.safe_load(workflow.read_text())
    checked = CliRunner().invoke(main, ["validate", str(tmp_path)])
    assert checked.exit_code == 0, checked.output
    assert "3 manifests valid (1 environment, 1 agent, 1 deployment)" in checked.stdout


def test_init_with_environments_scaffolds_both_and_validates_in_each(tmp_path: Path) -> None:
    result = init(str(tmp_path), "--stack", "payments", "--environments", "staging,production")
    assert result.exit_code == 0, result.output
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file()) == sorted(FILES)
    config = yaml.safe_load((tmp_path / "agentops.yaml").read_text())
    assert list(config["environments"]) == ["staging", "production"]  # promotion order
    assert config["environments"]["production"]["vars"] == {"tier": "production"}
    example = yaml.safe_load((tmp_path / "deployments" / "example.yaml").read_text())
    assert set(example["agent"]) == {"name"} and set(example["environment"]) == {"name"}
    assert "${var.tier}" in example["description"]
    assert "--env staging plan" in result.stdout and "GitHub environment" in result.stdout
    checked = CliRunner().invoke(main, ["validate", str(tmp_path)])  # every environment
    assert checked.exit_code == 0, checked.output
    for env in ("staging", "production"):
        project = load_project(tmp_path, env=env)
        assert project.problems == []
        [loaded] = project.manifests
        assert loaded.manifest.description == f"Summarises yesterday's activity every weekday morning ({env})."
        assert loaded.manifest.metadata["tier"] == env


@pytest.mark.parametrize(("given", "message"), [
    ("staging,Prod", "'Prod': expected 1-64 lowercase"),
    ("staging,,production", "'': expected"),
    ("staging,staging", "staging named more than once"),
])
def test_bad_environments_are_refused_and_nothing_written(tmp_path: Path, given: str, message: str) -> None:
    result = init(str(tmp_path), "--stack", "payments", "--environments", given)
    assert result.exit_code == 1
    assert f"error: --environments: {message}" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_init_twice_does_not_overwrite(tmp_path: Path) -> None:
    assert init(str(tmp_path), "--stack", "payments").exit_code == 0
    config = tmp_path / "agentops.yaml"
    config.write_text("stack: edited\n")
    again = init(str(tmp_path), "--stack", "other")
    assert again.exit_code == 1
    assert "agentops.yaml" in again.stderr and ".github/workflows/agentops-plan.yml" in again.stderr
    assert config.read_text() == "stack: edited\n"

    forced = init(str(tmp_path), "--stack", "other", "--force")
    assert forced.exit_code == 0 and "overwrote" in forced.stdout
    assert yaml.safe_load(config.read_text())["stack"] == "other"


def test_init_partly_existing_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "deployments").mkdir()
    (tmp_path / "deployments" / "example.yaml").write_text("mine\n")
    result = init(str(tmp_path), "--stack", "payments")
    assert result.exit_code == 1 and "deployments/example.yaml" in result.stderr
    assert not (tmp_path / "agentops.yaml").exists()


def test_init_needs_a_stack_without_a_terminal(tmp_path: Path) -> None:
    result = init(str(tmp_path))
    assert result.exit_code == 1 and "pass --stack NAME" in result.stderr
    bad = init(str(tmp_path), "--stack", "Bad Name")
    assert bad.exit_code == 1 and "--stack 'Bad Name'" in bad.stderr
    assert list(tmp_path.iterdir()) == []


# A new stack repository uses the action pinned to a commit (this repository's own copies, `./`,
# are checked against the templates in tests/workflows). The apply workflow only calls promote.
PIN = "acme/agentops@0123456789abcdef0123456789abcdef01234567"
WORKFLOWS = [rel for rel in FILES if rel.startswith(".github/") and not rel.endswith("agentops-apply.yml")]


def install_step(workflow: Path) -> dict[str, Any]:
    data = yaml.safe_load(workflow.read_text())
    steps = [step for job in data["jobs"].values() for step in job.get("steps", [])]
    return next(step for step in steps if step.get("name") == "Install agentops")


def test_init_pins_the_workflows_to_the_given_commit(tmp_path: Path) -> None:
    result = init(str(tmp_path), "--stack", "payments", "--action", PIN)
    assert result.exit_code == 0, result.output
    assert f"install agentops from {PIN} (--action)" in result.stdout
    for name in WORKFLOWS:
        assert install_step(tmp_path / name) == {
            "name": "Install agentops",
            "uses": PIN,
            "with": {"command": "install"},
        }


@pytest.mark.parametrize(
    "pin",
    [
        "acme/agentops@main",
        "acme/agentops@v1.2.3",
        "acme/agentops@0123456",  # a short SHA can become ambiguous
        "acme/agentops@0123456789ABCDEF0123456789ABCDEF01234567",
        "agentops@0123456789abcdef0123456789abcdef01234567",
        "acme/agentops@0123456789abcdef0123456789abcdef01234567 # and more",
    ],
)
def test_an_unpinned_action_is_refused_and_nothing_written(tmp_path: Path, pin: str) -> None:
    result = init(str(tmp_path), "--stack", "payments", "--action", pin)
    assert result.exit_code == 1
    assert "--action:" in result.stderr and "full 40-character commit SHA" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_without_a_pin_the_workflows_get_a_placeholder_github_cannot_run(tmp_path: Path) -> None:
    result = init(str(tmp_path), "--stack", "payments")
    assert result.exit_code == 0, result.output
    assert f"warning: the workflows install agentops from {PLACEHOLDER}" in result.stderr
    for name in WORKFLOWS:
        assert install_step(tmp_path / name)["uses"] == PLACEHOLDER
    # Not a name GitHub could ever resolve: `<` and `>` are never in an owner or repository name.
    assert re.search(r"[<>]", PLACEHOLDER.split("@")[0])


def fake_install(site: Path, direct_url: dict[str, Any]) -> None:
    info = site / f"{DISTRIBUTION.replace('-', '_')}-0.1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {DISTRIBUTION}\nVersion: 0.1.0\n")
    (info / "direct_url.json").write_text(json.dumps(direct_url))


def test_init_pins_to_the_commit_pip_installed_agentops_from(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    commit = "89abcdef0123456789abcdef0123456789abcdef"
    site = tmp_path / "site"
    fake_install(
        site,
        {
            "url": "https://github.com/acme/agentops.git",
            "vcs_info": {"vcs": "git", "commit_id": commit, "requested_revision": commit},
        },
    )
    monkeypatch.syspath_prepend(str(site))
    repo = tmp_path / "repo"
    result = init(str(repo), "--stack", "payments")
    assert result.exit_code == 0, result.output
    assert f"acme/agentops@{commit} (the commit this agentops was installed from)" in result.stdout
    assert install_step(repo / WORKFLOWS[0])["uses"] == f"acme/agentops@{commit}"


SHA = "89abcdef0123456789abcdef0123456789abcdef"


@pytest.mark.parametrize(
    ("direct_url", "pin"),
    [
        (
            {"url": "https://github.com/acme/agentops", "vcs_info": {"vcs": "git", "commit_id": SHA}},
            "acme/agentops",
        ),
        (
            {"url": "git+https://github.com/a-b/c.d.git/", "vcs_info": {"vcs": "git", "commit_id": SHA}},
            "a-b/c.d",
        ),
        ({"url": "https://gitlab.com/acme/agentops", "vcs_info": {"vcs": "git", "commit_id": SHA}}, None),
        (
            {"url": "https://github.com/acme/agentops", "vcs_info": {"vcs": "git", "commit_id": "89abcde"}},
            None,
        ),
        (
            {
                "url": "https://github.com/acme/mono",
                "subdirectory": "tools/agentops",
                "vcs_info": {"vcs": "git", "commit_id": SHA},
            },
            None,
        ),
        ({"url": "file:///src/agentops", "dir_info": {"editable": True}}, None),
        ({"url": "https://github.com/acme/agentops", "vcs_info": {"vcs": "hg", "commit_id": SHA}}, None),
        ([], None),
    ],
)
def test_pin_from_pip_direct_url(direct_url: Any, pin: str | None) -> None:
    assert pin_from_direct_url(json.dumps(direct_url)) == (f"{pin}@{SHA}" if pin else None)
    assert pin_from_direct_url("{not json") is None


def test_init_writes_each_environments_workspace(tmp_path: Path) -> None:
    result = init(str(tmp_path), "--stack", "payments", "--environments", "staging,production",
                  "--workspace", "production=wrkspc_01Prod")
    assert result.exit_code == 0, result.output
    config = yaml.safe_load((tmp_path / "agentops.yaml").read_text())
    assert config["environments"]["production"]["workspace_id"] == "wrkspc_01Prod"
    assert "workspace_id" not in config["environments"]["staging"]  # not given, and no terminal to ask
    assert load_project(tmp_path, env="production").config.environments["production"].workspace_id == "wrkspc_01Prod"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--environments", "staging", "--workspace", "qa=wrkspc_1"), "'qa' is not one of --environments"),
        (("--environments", "staging", "--workspace", "staging=bad id"), "is not a workspace id"),
        (("--workspace", "staging=wrkspc_1"), "--workspace needs --environments"),
    ],
)
def test_bad_workspaces_are_refused_and_nothing_written(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    result = init(str(tmp_path), "--stack", "payments", *args)
    assert result.exit_code == 1 and message in result.stderr
    assert list(tmp_path.iterdir()) == []


def _git(root: Path, *args: str) -> None:
    import subprocess

    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, timeout=60)


def _apply_branches(root: Path) -> list[str]:
    branches: list[str] = yaml.safe_load((root / ".github/workflows/agentops-apply.yml").read_text())[True]["push"][
        "branches"]
    return branches


def test_the_apply_branch_is_the_default_branch_found_or_given(tmp_path: Path) -> None:
    checked_out = tmp_path / "trunk"
    _git(tmp_path, "init", "-q", "-b", "trunk", str(checked_out))
    result = init(str(checked_out), "--stack", "payments", "--action", PIN)
    assert result.exit_code == 0, result.output
    assert _apply_branches(checked_out) == ["trunk"]
    assert "runs on pushes to trunk (the branch checked out" in result.stdout
    # A clone: origin's HEAD wins over the branch checked out.
    clone = tmp_path / "clone"
    _git(tmp_path, "init", "-q", "-b", "work", str(clone))
    _git(clone, "symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/master")
    assert init(str(clone), "--stack", "payments", "--action", PIN).exit_code == 0
    assert _apply_branches(clone) == ["master"]
    given = init(str(clone), "--stack", "payments", "--action", PIN, "--force", "--branch", "release/2")
    assert given.exit_code == 0 and "runs on pushes to release/2 (--branch" in given.stdout
    assert _apply_branches(clone) == ["release/2"]
    plain = tmp_path / "plain"
    assert init(str(plain), "--stack", "payments", "--action", PIN).exit_code == 0
    assert _apply_branches(plain) == ["main"]


def test_a_branch_that_is_no_literal_filter_is_refused(tmp_path: Path) -> None:
    for branch in ("feature/*", "a b", "-x", "x..y"):
        result = init(str(tmp_path / "r"), "--stack", "payments", "--action", PIN, "--branch", branch)
        assert result.exit_code == 1 and "cannot be written as a literal workflow branch filter" in result.stderr
        assert not (tmp_path / "r").exists()


def test_keyless_by_default_and_the_api_key_on_request(tmp_path: Path) -> None:
    keyless, keyed = tmp_path / "keyless", tmp_path / "keyed"
    assert init(str(keyless), "--stack", "p", "--action", PIN, "--environments", "staging,production").exit_code == 0
    result = init(str(keyed), "--stack", "p", "--action", PIN, "--environments", "staging,production",
                  "--auth", "api-key")
    assert result.exit_code == 0, result.output
    for name in ("plan", "promote", "drift"):
        text = (keyless / f".github/workflows/agentops-{name}.yml").read_text()
        assert "ANTHROPIC_API_KEY" not in text and "id-token: write" in text
        assert "ANTHROPIC_FEDERATION_RULE_ID: ${{ vars.ANTHROPIC_FEDERATION_RULE_ID }}" in text
        text = (keyed / f".github/workflows/agentops-{name}.yml").read_text()
        assert "ANTHROPIC_API_KEY: ${{ secrets.ANTHROPIC_API_KEY }}" in text
        assert "id-token" not in text and "FEDERATION" not in text
        # Either way the job runs in the GitHub environment whose credential it uses.
        assert "environment: ${{" in text


@pytest.mark.parametrize("environments", [(), ("--environments", "staging,production")])
def test_init_seeds_the_local_loop_so_plan_and_apply_work_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, environments: tuple[str, ...]
) -> None:
    """The example declares the agent and environment it runs, so the local loop runs right after
    init without an API key and with nothing in the seed."""
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    assert init(str(tmp_path), "--stack", "payments", *environments).exit_code == 0
    assert yaml.safe_load((tmp_path / "agentops.yaml").read_text())["local"] == {"seed": "local-seed.yaml"}
    assert "# " in (tmp_path / "local-seed.yaml").read_text()  # commented: it says what to put there
    monkeypatch.chdir(tmp_path)
    env = ["--env", "staging"] if environments else []
    planned = CliRunner().invoke(main, ["--local", *env, "plan"])
    assert planned.exit_code == 0, planned.output
    assert "Plan: 3 to create" in planned.stdout and "warning" not in planned.output.lower()
    assert "1. environment.example-environment\n    2. agent.example-agent\n" in planned.stdout
    applied = CliRunner().invoke(main, ["--local", *env, "apply", "--auto-approve"])
    assert applied.exit_code == 0, applied.output
    assert "Apply complete: 3 succeeded" in applied.stdout
