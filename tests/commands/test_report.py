"""`agentops report`: one sticky issue per stack on a loopback fake GitHub, opened, updated, closed."""

from __future__ import annotations

from agentops.views.markdown import escape
from agentops.views.report import report_marker
from tests.fake_github import FakeGitHub, github_env
from tests.runs import MANIFESTS, break_some, line_of
from tests.stack import STACK, TOKEN, Stack, manifest


def _ours(github: FakeGitHub) -> list[dict[str, object]]:
    return [i for i in github.issues.values() if i["user"]["login"] == github.own_login]  # type: ignore[index]


def test_report_opens_updates_and_closes_one_issue(stack: Stack, github: FakeGitHub) -> None:
    marker = report_marker("team-a")
    planted = github.open_issue("a trap", f"{marker}\nclick here", author="mallory")
    github.open_issue("a pull request", f"{marker}\nnot an issue", author=github.own_login, pull=True)
    break_some(stack)
    env = github_env(github)

    first = stack.run("report", str(stack.root), "--detailed-exitcode", env=env)
    assert first.exit_code == 2, first.output
    [issue] = [i for i in _ours(github) if "pull_request" not in i]
    assert f"opened issue #{issue['number']}" in first.stdout
    body = str(issue["body"])
    assert body.startswith(marker + "\n") and len(body) < 65_536
    assert "auto-paused" in str(issue["title"]) and "failing" in str(issue["title"])
    nightly = stack.root / "deployments" / "nightly.yaml"
    where = f"deployments/nightly.yaml:{line_of(nightly, '- vlt_011doomed')}"
    assert "Fix: " + escape(f"vault vlt_011doomed is archived: restore it or remove it from vault_ids in {where}") in body
    assert escape("environment env_011gone is archived: restore it") in body
    assert escape("session creation was rate limited") in body
    assert "Blocking problems" in body  # the archived references also block the plan
    assert TOKEN not in body and TOKEN not in first.output
    assert planted["body"] == f"{marker}\nclick here" and planted["state"] == "open"
    assert stack.emulator.write_count() == 0  # detection only

    again = stack.run("report", str(stack.root), env=env)
    assert again.exit_code == 0, again.output
    assert f"updated issue #{issue['number']}" in again.stdout
    assert len(_ours(github)) == 2  # still one issue (and the planted pull request)

    # Fix everything: drop the archived vault and environment, retune the flaky one; apply.
    fixed = {
        "nightly": {"vault_ids": ["vlt_011fine"]},
        "envy": {"environment_id": "env_011main"},
        "flaky": {"description": "retuned"},
    }
    stack.write(*({**m, **fixed.get(m["name"], {})} for m in MANIFESTS))
    assert stack.apply().exit_code == 0
    closed = stack.run("report", str(stack.root), "--detailed-exitcode", env=env)
    assert closed.exit_code == 0, closed.output
    assert f"closed issue #{issue['number']}" in closed.stdout
    assert issue["state"] == "closed" and issue["state_reason"] == "completed"
    [closing] = github.bodies(int(str(issue["number"])))
    assert closing.startswith("All clean again") and TOKEN not in closing
    assert planted["state"] == "open"

    quiet = stack.run("report", str(stack.root), env=env)
    assert quiet.exit_code == 0 and "no report issue is open" in quiet.stdout
    assert len(github.issues) == 3  # nothing new was opened


def test_report_needs_a_token_and_says_which_permission_is_missing(stack: Stack, github: FakeGitHub) -> None:
    break_some(stack)
    missing = stack.run("report", str(stack.root), env={**github_env(github), "GITHUB_TOKEN": ""})
    assert missing.exit_code == 1 and "GITHUB_TOKEN is not set" in missing.stderr
    github.read_only = True
    denied = stack.run("report", str(stack.root), env=github_env(github))
    assert denied.exit_code == 1 and "issues: write" in denied.stderr and TOKEN not in denied.output


def test_report_keeps_one_issue_per_stack_and_environment(stack: Stack, github: FakeGitHub) -> None:
    (stack.root / "agentops.yaml").write_text(
        f"stack: {STACK}\nenvironments:\n  staging: {{}}\n  production: {{}}\n")
    stack.write(manifest("nightly"))  # not deployed anywhere yet: drift in both environments
    env = github_env(github)

    opened = {name: stack.run("--env", name, "report", str(stack.root), env=env) for name in ("staging", "production")}
    assert all(result.exit_code == 0 for result in opened.values()), [r.output for r in opened.values()]
    issues = {name: next(i for i in _ours(github) if str(i["body"]).startswith(report_marker(STACK, name) + "\n"))
              for name in opened}
    assert issues["staging"]["number"] != issues["production"]["number"]
    assert str(issues["production"]["title"]).startswith(f"agentops: stack {STACK} (production): ")
    assert "environment `staging`" in str(issues["staging"]["body"])
    # The marker without an environment (a stack that declares none) finds neither.
    assert not any(str(i["body"]).startswith(report_marker(STACK) + "\n") for i in _ours(github))

    again = stack.run("report", str(stack.root), env={**env, "AGENTOPS_ENV": "production"})
    assert again.exit_code == 0, again.output
    assert f"updated issue #{issues['production']['number']}" in again.stdout
    assert len(_ours(github)) == 2

    assert stack.run("--env", "staging", "apply", str(stack.root), "--auto-approve").exit_code == 0
    closed = stack.run("--env", "staging", "report", str(stack.root), env=env)
    assert f"closed issue #{issues['staging']['number']}" in closed.stdout
    assert issues["staging"]["state"] == "closed" and issues["production"]["state"] == "open"
    assert "in environment `staging`" in github.bodies(int(str(issues["staging"]["number"])))[0]

    unpicked = stack.run("report", str(stack.root), env=env)
    assert unpicked.exit_code == 1 and "pick one with --env NAME" in unpicked.output
