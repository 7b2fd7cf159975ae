"""`--format json` is complete: invalid manifests and failures are JSON too, with file/line/column keys."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.stack import Stack, manifest


def _problems(stack: Stack, *args: str) -> dict[str, Any]:
    result = stack.run(*args, str(stack.root), "--format", "json")
    assert result.exit_code == 1, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


@pytest.mark.parametrize("command", ["plan", "apply", "status"])
def test_invalid_manifests_print_their_problems_as_json(stack: Stack, command: str) -> None:
    stack.write(manifest("bad", schedule={"expression": "0 25 * * *", "timezone": "Europe/Paris"}, colour="red"))
    data = _problems(stack, command, *(["--auto-approve"] if command == "apply" else []))
    assert data["errored"] is True and data["applyable"] is False
    assert len(data["problems"]) >= 2
    for problem in data["problems"]:
        assert set(problem) == {"file", "line", "column", "path", "message", "hint", "excerpt"}
        assert isinstance(problem["line"], int) and isinstance(problem["column"], int)
        assert problem["file"].endswith(".yaml") and problem["line"] >= 1
    paths = {problem["path"] for problem in data["problems"]}
    assert "schedule.expression" in paths and "colour" in paths
    assert stack.emulator.write_count() == 0


def test_an_api_failure_is_json_too(stack: Stack) -> None:
    stack.write(manifest("fine"))
    result = stack.run("status", str(stack.root), "--format", "json", env={"ANTHROPIC_BASE_URL": "http://127.0.0.1:9"})
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["errored"] is True and "cannot reach the API" in data["error"]
