"""Errors that help: suggestions by edit distance, Terraform's -out, did-you-mean in manifests, hints
as JSON fields, and a file:line on every blocker of a manifest's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from agentops.cli import main
from agentops.model.words import closest, did_you_mean
from tests.stack import Stack, manifest


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


@pytest.mark.parametrize(("typed", "meant"), [
    (["aply"], "'apply'"),
    (["plna"], "'plan'"),
    (["validte"], "'validate'"),
    (["apply", "--auto-aprove"], "'--auto-approve'"),
    (["plan", "--detailed-exitcod"], "'--detailed-exitcode'"),
    (["plan", "--max-archiv", "1"], "'--max-archive'"),
])
def test_typos_suggest_the_nearest_command_or_flag(typed: list[str], meant: str) -> None:
    code, output = _run(*typed)
    assert code == 1
    assert f"did you mean {meant}?" in output.splitlines()[-1], output


def test_nothing_near_suggests_nothing_wrong() -> None:
    code, output = _run("apply", "--zzzzzzzz")
    assert code == 1 and "did you mean" not in output
    code, output = _run("frobnicate")
    assert code == 1 and "did you mean" not in output and "Commands: apply" in output


def test_edit_distance_ties_and_limits() -> None:
    assert closest("aply", ["apply", "plan"]) == ["apply"]
    assert closest("xyz", ["apply"]) == []
    assert did_you_mean("Europe/Berln", ["Europe/Berlin", "Europe/Paris"]) == "did you mean 'Europe/Berlin'?"


def test_terraform_out_is_an_alias_of_out(stack: Stack, tmp_path: Path) -> None:
    stack.write(manifest("job"))
    saved = tmp_path / "p.json"
    result = stack.run("plan", str(stack.root), "-out", str(saved))
    assert result.exit_code == 0, result.output
    assert json.loads(saved.read_text())["summary"].startswith("Plan: 1 to create")


def test_timezones_and_event_types_get_a_did_you_mean_as_the_json_hint(stack: Stack) -> None:
    events = [{"type": "user.mesage", "content": [{"type": "text", "text": "hi"}]}]
    stack.write(manifest("zoned", schedule={"expression": "0 9 * * *", "timezone": "Europe/Berln"}),
                {**manifest("typed"), "prompt": None, "initial_events": events})
    (stack.root / "deployments" / "typed.yaml").write_text(
        (stack.root / "deployments" / "typed.yaml").read_text().replace("prompt: null\n", ""))
    result = stack.run("validate", str(stack.root), "--format", "json")
    problems = {p["path"]: p for p in json.loads(result.stdout)["problems"]}
    zone = problems["schedule.timezone"]
    assert zone["hint"] == "did you mean 'Europe/Berlin'?" and "did you mean" not in zone["message"]
    assert problems["initial_events[0]"]["hint"] == "did you mean 'user.message'?"
    text = stack.run("validate", str(stack.root))
    assert "1 of 2 manifest files" not in text.output and "2 problems in 2 of 2 manifest files" in text.output


def test_a_blocker_of_a_manifest_has_its_file_and_line(stack: Stack) -> None:
    stack.emulator.register_vault("vlt_011gone")
    stack.emulator.archive_vault("vlt_011gone")
    stack.write(manifest("job", vault_ids=["vlt_011gone"]))
    plan = stack.plan_json()
    [problem] = plan["problems"]
    assert problem["file"] == "deployments/job.yaml:1"
    stack.write(manifest("job"))
    targeted = stack.plan_json("--target", "jbo")
    [problem] = targeted["problems"]
    assert problem["hint"] == "did you mean 'job'?" and "did you mean" not in problem["message"]
