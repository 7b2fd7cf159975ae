"""A plan comment says what it shows: the commit, the time and the run; a failed validation
marks it as not current (with zero API calls); a merge applies the reviewed plan only when the
merged tree is the reviewed commit's tree. Against the emulator and a loopback GitHub."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from agentops.plumbing import reviewed
from agentops.views.markdown import marker
from tests.fake_github import REPO, FakeGitHub, github_env
from tests.stack import STACK, TOKEN, Stack, manifest

PR = 7
HEAD = "a" * 40  # the pull request's head commit
MERGE = "b" * 40  # the merge commit GitHub checks out for the run (GITHUB_SHA)
RUN = "https://github.test/octo/infra/actions/runs/4242"


def actions_env(github: FakeGitHub, tmp_path: Path) -> dict[str, str]:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": PR, "head": {"sha": HEAD}}}))
    return github_env(github, GITHUB_EVENT_PATH=str(event), GITHUB_SHA=MERGE, GITHUB_SERVER_URL="https://github.test",
                      GITHUB_RUN_ID="4242")


def ours(github: FakeGitHub) -> str:
    [body] = [b for b in github.bodies(PR) if b.startswith(marker(STACK) + "\n")]
    return body


def test_a_comment_names_its_commit_time_and_run(stack: Stack, github: FakeGitHub, tmp_path: Path) -> None:
    stack.write(manifest("job-a"))
    result = stack.run("comment", str(stack.root), env=actions_env(github, tmp_path))
    assert result.exit_code == 0, result.output
    stamp = ours(github).splitlines()[1]  # right under the marker the comment is found by
    assert f"[`{HEAD[:12]}`](https://github.test/{REPO}/commit/{HEAD})" in stamp
    assert MERGE[:12] not in stamp  # the merge commit GitHub made is not what the author pushed
    assert f"[workflow run]({RUN})" in stamp
    when = re.search(r"(\d{4}-\d\d-\d\d \d\d:\d\d) UTC", stamp)
    assert when is not None
    written = datetime.strptime(when.group(1), "%Y-%m-%d %H:%M").replace(tzinfo=UTC)
    assert abs(datetime.now(UTC) - written) < timedelta(minutes=5)
    assert "Plan: 1 to create" in ours(github)


def test_a_failed_validation_marks_the_comment_not_current_without_an_api_call(
    stack: Stack, github: FakeGitHub, tmp_path: Path
) -> None:
    env = actions_env(github, tmp_path)
    stack.write(manifest("job-a"))
    assert stack.run("comment", str(stack.root), env=env).exit_code == 0
    assert "Plan: 1 to create" in ours(github)

    stack.write(manifest("job-a", prompt=""))  # invalid: the next commit fails validation
    checked = stack.run("validate", str(stack.root))
    assert checked.exit_code == 1
    problems = tmp_path / "problems.txt"
    problems.write_text(checked.output)
    before = len(stack.emulator.requests)
    result = stack.run("comment", "--stale-because", str(problems), str(stack.root), env=env)
    assert result.exit_code == 0, result.output
    assert "marked the plan comment as not current" in result.stdout
    assert len(stack.emulator.requests) == before  # nothing asked of the API
    body = ours(github)
    assert len(github.bodies(PR)) == 1  # the same sticky comment, edited
    assert HEAD[:12] in body.splitlines()[1] and f"[workflow run]({RUN})" in body.splitlines()[1]
    assert "No current plan" in body and "Plan: 1 to create" not in body
    first_problem = next(line for line in checked.output.splitlines() if "prompt" in line)
    assert first_problem in body
    assert TOKEN not in result.output + body


def test_the_merge_applies_the_reviewed_plan_only_for_the_reviewed_tree(github: FakeGitHub, tmp_path: Path) -> None:
    name = reviewed.artifact_name(HEAD, "stacks/pay", "production")
    github.pulls_of[MERGE] = [{"number": PR, "merge_commit_sha": MERGE, "head": {"sha": HEAD}}]
    github.trees[HEAD] = "t" * 40
    github.artifacts += [
        # A fork's run may upload under the same name: never taken.
        {"name": name, "created_at": "2026-05-02T00:00:00Z",
         "workflow_run": {"id": 666, "head_sha": HEAD, "repository_id": 1, "head_repository_id": 2}},
        {"name": name, "created_at": "2026-05-01T00:00:00Z",
         "workflow_run": {"id": 555, "head_sha": HEAD, "repository_id": 1, "head_repository_id": 1}},
    ]

    def find(tree: str) -> tuple[str, str, list[str]]:
        output, summary = tmp_path / "output", tmp_path / "summary"
        output.write_text("")
        summary.write_text("")
        env = {**github_env(github, GITHUB_TOKEN=TOKEN, GITHUB_SHA=MERGE, MERGED_TREE=tree,
                            AGENTOPS_ENV="production", GITHUB_OUTPUT=str(output), GITHUB_STEP_SUMMARY=str(summary),
                            GITHUB_SERVER_URL="https://github.test", GITHUB_RUN_ID="4242")}
        assert reviewed.main(["find", "--", "stacks/pay"], env) == 0
        return output.read_text(), summary.read_text(), github.bodies(PR)

    output, summary, comments = find("t" * 40)
    assert output == f"name={name}\nrun-id=555\n"
    assert f"the plan reviewed on pull request #{PR}" in summary and comments == []

    output, summary, comments = find("u" * 40)  # the base moved on: the merged tree is another
    assert output == ""
    assert "plans stack `stacks/pay` in `production` afresh" in summary
    assert "the merged tree is not the tree of" in summary
    assert len(comments) == 1 and "afresh" in comments[0] and RUN in comments[0]
    find("u" * 40)
    assert len(github.bodies(PR)) == 1  # one sticky note per stack and environment

    github.pulls_of.clear()  # a push straight to the branch: nothing was reviewed
    output, summary, _ = find("t" * 40)
    assert output == "" and "no pull request was merged as commit" in summary


def test_the_plan_job_and_the_apply_job_name_the_artifact_alike(tmp_path: Path) -> None:
    output = tmp_path / "output"
    output.write_text("")
    env = {"HEAD_SHA": HEAD, "AGENTOPS_ENV": "qa", "GITHUB_OUTPUT": str(output)}
    assert reviewed.main(["name", "--", "stacks/odd name\n"], env) == 0
    name = output.read_text().removeprefix("name=").removesuffix("\n")
    assert name == reviewed.artifact_name(HEAD, "stacks/odd name\n", "qa")
    assert re.fullmatch(rf"agentops-plan-{HEAD}-[0-9a-f]{{16}}", name)  # only characters an artifact name allows
    assert name != reviewed.artifact_name(HEAD, "stacks/odd name\n", "production")
