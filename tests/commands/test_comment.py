"""`agentops comment` end to end: the CLI, the emulator through the SDK, and a loopback GitHub."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agentops.views.markdown import marker
from tests.fake_github import ACTIONS_BOT, SOMEONE_ELSE, FakeGitHub, github_env
from tests.stack import STACK, TOKEN, Stack, manifest

PR = 7
SUMMARY_LINE = "Plan: 2 to create, 0 to update, 0 to pause, 0 to unpause, 0 to archive."


def test_first_run_creates_second_edits_in_place_other_stack_untouched(
    stack: Stack, github: FakeGitHub
) -> None:
    quoting = f"{marker('another-stack')}\n```\n{marker(STACK)}\n```\n"  # quotes our marker in a prompt
    other = github.add(PR, quoting)
    github.add(PR, "a human review comment")
    stack.write(manifest("job-a"), manifest("job-b"))

    first = stack.run("comment", str(stack.root), "--pr", str(PR), env=github_env(github))
    assert first.exit_code == 0, first.output
    assert "created the plan comment" in first.stdout
    ours = [b for b in github.bodies(PR) if b.startswith(marker(STACK))]
    assert len(ours) == 1 and SUMMARY_LINE in ours[0]

    assert stack.apply().exit_code == 0
    stack.write(manifest("job-a", description="now described"), manifest("job-b"))
    second = stack.run("comment", str(stack.root), "--pr", str(PR), env=github_env(github))
    assert second.exit_code == 0, second.output
    assert "updated the plan comment" in second.stdout
    ours = [b for b in github.bodies(PR) if b.startswith(marker(STACK))]
    assert len(ours) == 1
    assert "Plan: 0 to create, 1 to update" in ours[0] and "now described" in ours[0]
    assert len(github.bodies(PR)) == 3
    assert other["body"] == quoting
    assert [m for m, _ in github.requests].count("POST") == 1
    assert [m for m, _ in github.requests].count("PATCH") == 1
    assert TOKEN not in first.output + second.output


def test_pr_number_from_the_event_file_and_marker_found_on_a_later_page(
    stack: Stack, github: FakeGitHub, tmp_path: Path
) -> None:
    for i in range(130):
        github.add(PR, f"chatter {i}")
    earlier = github.add(PR, f"{marker(STACK)}\nold plan", author=github.own_login)
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": PR}}))
    stack.write(manifest("job-a"))

    result = stack.run("comment", str(stack.root), env=github_env(github, GITHUB_EVENT_PATH=str(event)))
    assert result.exit_code == 0, result.output
    assert "updated" in result.stdout
    assert "Plan: 1 to create" in earlier["body"]
    assert len(github.bodies(PR)) == 131


def test_a_planted_marker_from_someone_else_is_never_edited(stack: Stack, github: FakeGitHub) -> None:
    planted = github.add(PR, f"{marker(STACK)}\nNo changes.", author=SOMEONE_ELSE)
    stack.write(manifest("job-a"))

    first = stack.run("comment", str(stack.root), "--pr", str(PR), env=github_env(github))
    assert first.exit_code == 0, first.output
    assert "created the plan comment" in first.stdout
    assert planted["body"] == f"{marker(STACK)}\nNo changes."
    ours = [c for c in github.comments[PR] if c["user"]["login"] == github.own_login]
    assert len(ours) == 1 and "Plan: 1 to create" in ours[0]["body"]

    stack.write(manifest("job-a"), manifest("job-b"))
    second = stack.run("comment", str(stack.root), "--pr", str(PR), env=github_env(github))
    assert second.exit_code == 0, second.output
    assert "updated the plan comment" in second.stdout
    assert ("PATCH", f"/repos/octo/infra/issues/comments/{ours[0]['id']}") in github.requests
    assert "Plan: 2 to create" in ours[0]["body"]
    assert planted["body"] == f"{marker(STACK)}\nNo changes." and len(github.comments[PR]) == 2


def test_with_the_actions_token_only_the_actions_bot_comment_is_ours(
    stack: Stack, github: FakeGitHub
) -> None:
    github.login = None  # GET /user is 403 for the Actions GITHUB_TOKEN
    lookalike = github.add(PR, f"{marker(STACK)}\nforged", author="github-actions")
    ours = github.add(PR, f"{marker(STACK)}\nold plan", author=ACTIONS_BOT)
    stack.write(manifest("job-a"))

    result = stack.run("comment", str(stack.root), "--pr", str(PR), env=github_env(github))
    assert result.exit_code == 0, result.output
    assert "updated the plan comment" in result.stdout
    assert ("GET", "/user") in github.requests
    assert "Plan: 1 to create" in ours["body"] and lookalike["body"] == f"{marker(STACK)}\nforged"


def test_author_flag_names_the_identity_without_asking(stack: Stack, github: FakeGitHub) -> None:
    planted = github.add(PR, f"{marker(STACK)}\nforged", author=SOMEONE_ELSE)
    ours = github.add(PR, f"{marker(STACK)}\nold plan", author="Deploy-Bot[bot]")
    stack.write(manifest("job-a"))

    result = stack.run(
        "comment",
        str(stack.root),
        "--pr",
        str(PR),
        env=github_env(github, AGENTOPS_COMMENT_AUTHOR="deploy-bot[bot]"),
    )
    assert result.exit_code == 0, result.output
    assert ("GET", "/user") not in github.requests
    assert "Plan: 1 to create" in ours["body"] and planted["body"] == f"{marker(STACK)}\nforged"


@pytest.mark.parametrize(
    ("login", "listing", "message"),
    [
        ("", None, "GET /user answered without a login; pass --author LOGIN"),
        ("agentops-ci", {"message": "oops"}, "answered with no list of comments"),
    ],
)
def test_odd_github_answers_are_clear_errors_and_nothing_is_written(
    stack: Stack, github: FakeGitHub, login: str, listing: object, message: str
) -> None:
    github.login, github.listing = login, listing
    stack.write(manifest("job-a"))
    result = stack.run("comment", str(stack.root), "--pr", str(PR), env=github_env(github))
    assert result.exit_code == 1 and message in result.stderr
    assert "Traceback" not in result.output
    assert [m for m, _ in github.requests if m != "GET"] == []


def test_odd_comments_in_a_listing_are_skipped(stack: Stack, github: FakeGitHub) -> None:
    planted = f"{marker(STACK)}\nforged"
    github.listing = [
        "junk",
        None,
        {"id": 1, "user": "agentops-ci", "body": planted},
        {"id": 2, "user": None},
    ]
    stack.write(manifest("job-a"))
    result = stack.run("comment", str(stack.root), "--pr", str(PR), env=github_env(github))
    assert result.exit_code == 0, result.output
    assert "created the plan comment" in result.stdout


def test_a_saved_plan_is_posted_without_planning_again(
    stack: Stack, github: FakeGitHub, tmp_path: Path
) -> None:
    stack.write(manifest("job-a"))
    plan_file = tmp_path / "plan.json"
    assert stack.run("plan", str(stack.root), "--out", str(plan_file)).exit_code == 0
    stack.emulator.reset_counts()
    requests_before = len(stack.emulator.requests)

    result = stack.run("comment", "--plan", str(plan_file), "--pr", str(PR), env=github_env(github))
    assert result.exit_code == 0, result.output
    assert len(stack.emulator.requests) == requests_before  # no API call at all
    assert "Plan: 1 to create" in github.bodies(PR)[0]


@pytest.mark.parametrize(
    ("env", "read_only", "status", "hint"),
    [
        ({"GITHUB_TOKEN": "ghp_wrong_token_999"}, False, "401", "token was rejected"),
        ({}, True, "403", "pull-requests: write"),
        ({"GITHUB_REPOSITORY": "octo/missing"}, False, "404", "check GITHUB_REPOSITORY"),
    ],
)
def test_api_errors_are_clear_exit_1_and_never_show_the_token(
    stack: Stack, github: FakeGitHub, env: dict[str, str], read_only: bool, status: str, hint: str
) -> None:
    github.read_only = read_only
    stack.write(manifest("job-a"))
    result = stack.run("comment", str(stack.root), "--pr", str(PR), env={**github_env(github), **env})
    assert result.exit_code == 1
    assert f"error: GitHub API {status}" in result.stderr and hint in result.stderr
    assert "Traceback" not in result.output
    assert TOKEN not in result.output and "ghp_wrong_token_999" not in result.output
    assert github.bodies(PR) == []


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"GITHUB_TOKEN": ""}, "GITHUB_TOKEN is not set"),
        ({"GITHUB_REPOSITORY": "not-a-repo"}, "GITHUB_REPOSITORY must be OWNER/NAME"),
    ],
)
def test_missing_settings_fail_before_any_call(
    stack: Stack, github: FakeGitHub, env: dict[str, str], message: str
) -> None:
    stack.write(manifest("job-a"))
    result = stack.run("comment", str(stack.root), "--pr", str(PR), env={**github_env(github), **env})
    assert result.exit_code == 1 and message in result.stderr
    assert github.requests == [] and stack.emulator.write_count() == 0


def test_no_pr_number_is_a_clear_error(stack: Stack, github: FakeGitHub) -> None:
    stack.write(manifest("job-a"))
    result = stack.run("comment", str(stack.root), env=github_env(github))
    assert result.exit_code == 1 and "pass --pr N" in result.stderr


def test_unreachable_github_is_a_clear_error(stack: Stack) -> None:
    stack.write(manifest("job-a"))
    env = {"GITHUB_API_URL": "http://127.0.0.1:9", "GITHUB_REPOSITORY": "octo/infra"}
    result = stack.run("comment", str(stack.root), "--pr", str(PR), env=env)
    assert result.exit_code == 1 and "cannot reach the GitHub API" in result.stderr
    assert TOKEN not in result.output


def test_plan_and_apply_append_markdown_to_the_step_summary(stack: Stack, tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    env = {"GITHUB_STEP_SUMMARY": str(summary)}
    stack.write(manifest("job-a"), manifest("job-b"))
    assert stack.run("plan", str(stack.root), env=env).exit_code == 0
    after_plan = summary.read_text()
    assert f"**{SUMMARY_LINE}**" in after_plan and "<details>" in after_plan

    assert stack.run("apply", str(stack.root), "--auto-approve", env=env).exit_code == 0
    added = summary.read_text()[len(after_plan) :]
    assert "**Apply complete: 2 succeeded, 0 failed.**" in added
    assert "- **create** (2): job-a, job-b" in added
    assert TOKEN not in summary.read_text()


def test_plan_format_markdown(stack: Stack) -> None:
    stack.write(manifest("job-a"))
    result = stack.run("plan", str(stack.root), "--format", "markdown")
    assert result.exit_code == 0
    assert result.stdout.startswith(marker(STACK) + "\n")
    assert "**Plan: 1 to create, 0 to update, 0 to pause, 0 to unpause, 0 to archive.**" in result.stdout


def test_secret_values_never_reach_the_comment(stack: Stack, github: FakeGitHub) -> None:
    repo = {
        "type": "github_repository",
        "url": "https://github.com/acme/app",
        "authorization_token": "${REPO_PAT}",
    }
    stack.write(manifest("job-a", resources=[repo]))
    env = {**github_env(github), "REPO_PAT": "ghp_repo_pat_value_77"}
    assert stack.run("apply", str(stack.root), "--auto-approve", env=env).exit_code == 0
    env["REPO_PAT"] = "ghp_rotated_value_88"
    result = stack.run("comment", str(stack.root), "--pr", str(PR), env=env)
    assert result.exit_code == 0, result.output
    body = github.bodies(PR)[0]
    assert "authorization_token: ${REPO_PAT}" in body  # the rotation shows, the value does not
    assert "ghp_rotated_value_88" not in body and "ghp_rotated_value_88" not in result.output
