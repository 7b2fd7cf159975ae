"""Every run error type the API has, and one it may add, through the emulator and the SDK into
`status`, `plan --health`, `report` and `run`: each with its own fix line, none with a traceback."""

from __future__ import annotations

import json
import re

import pytest

from agentops.emulator import Faults
from agentops.model.errors import RUN_ERRORS, run_error
from agentops.views.markdown import escape
from tests.fake_github import FakeGitHub, github_env
from tests.stack import Stack, live_by_name, manifest

NEW_TYPE = "quota_exhausted_error"  # not in SDK 2.17: the API may add types at any time
TYPES = [*sorted(RUN_ERRORS), NEW_TYPE]
SCHEDULE = {"expression": "0 6 * * *", "timezone": "UTC"}


def _name(error_type: str) -> str:
    return error_type.removesuffix("_error").replace("_", "-")


def _fix_pattern(error_type: str) -> re.Pattern[str]:
    """The type's own fix line, whatever its placeholders became."""
    template = re.escape(run_error(error_type).fix)
    return re.compile(re.sub(r"\\\{\w+\\\}", ".+", template) + "(; then agentops apply unpauses it)?")


@pytest.fixture
def broken(stack: Stack) -> dict[str, str]:
    """One scheduled deployment per type, whose scheduled run failed with it; ids by type."""
    stack.write(*(manifest(_name(t), schedule=SCHEDULE, vault_ids=["vlt_011a"]) for t in TYPES))
    assert stack.apply().exit_code == 0
    live = live_by_name(stack.emulator)
    ids = {t: live[_name(t)]["id"] for t in TYPES}
    stack.emulator.faults = Faults(run_errors={ids[t]: t for t in TYPES})
    for error_type, deployment_id in ids.items():
        assert stack.emulator.fire(deployment_id)["error"]["type"] == error_type
    stack.emulator.faults = Faults()
    stack.emulator.reset_counts()
    return ids


def test_status_gives_every_type_its_fix(stack: Stack, broken: dict[str, str]) -> None:
    data = json.loads(stack.run("status", str(stack.root), "--format", "json").stdout)
    health = {d["name"]: d for d in data["health"]["deployments"]}
    text = stack.run("status", str(stack.root))
    assert text.exit_code == 0 and "Traceback" not in text.output
    for error_type in TYPES:
        item = health[_name(error_type)]
        pauses = run_error(error_type).pauses
        assert item["state"] == ("auto_paused" if pauses else "failing"), error_type
        assert item["paused_reason"] == (error_type if pauses else None)
        assert item["last_error"]["type"] == error_type
        assert _fix_pattern(error_type).fullmatch(item["fix"]), (error_type, item["fix"])
        assert f"fix: {item['fix']}" in text.stdout
        # The run's own message is shown, which is all there is for a type agentops does not know.
        assert f"last error {error_type}: {item['last_error']['message']} (" in text.stdout
    assert f"auto-paused: {NEW_TYPE}" in text.stdout
    assert stack.emulator.write_count() == 0


def test_plan_health_and_report_give_every_type_its_fix(
    stack: Stack, broken: dict[str, str], github: FakeGitHub
) -> None:
    data = json.loads(stack.run("plan", str(stack.root), "--format", "json", "--health").stdout)
    fixes = {d["name"]: d["fix"] for d in data["health"]["deployments"]}
    markdown = stack.run("plan", str(stack.root), "--health", "--format", "markdown").stdout
    report = stack.run("report", str(stack.root), env=github_env(github))
    assert report.exit_code == 0, report.output
    [issue] = github.issues.values()
    for error_type in TYPES:
        fix = fixes[_name(error_type)]
        assert _fix_pattern(error_type).fullmatch(fix), (error_type, fix)
        assert f"Fix: {escape(fix)}" in markdown
        assert f"Fix: {escape(fix)}" in str(issue["body"])
    # The plan names each auto-pause's error in its unpause reason, a new type too.
    reasons = {a["name"]: a["reason"] for a in data["actions"] if a["action"] == "unpause"}
    assert f"auto-paused after a failed run ({NEW_TYPE})" in reasons[_name(NEW_TYPE)]


def test_run_fails_with_the_type_its_message_and_its_fix(stack: Stack, broken: dict[str, str]) -> None:
    stack.emulator.faults = Faults(run_errors={deployment_id: t for t, deployment_id in broken.items()})
    for error_type in TYPES:
        name = _name(error_type)
        result = stack.run("run", name, str(stack.root), "--format", "json")
        assert result.exit_code == 1 and "Traceback" not in result.output, result.output
        out = json.loads(result.stdout)
        assert out["run"]["error"]["type"] == error_type and out["errored"] is True
        assert _fix_pattern(error_type).fullmatch(out["fix"]), (error_type, out["fix"])
        assert f"failed: {error_type}: {out['run']['error']['message']}; fix: {out['fix']}" in result.stderr
    assert "the manifest of 'vault-archived'" in json.loads(
        stack.run("run", "vault-archived", str(stack.root), "--format", "json").stdout)["fix"]
