"""`--format json` is complete: invalid manifests and failures are JSON too, with file/line/column keys."""

from __future__ import annotations

import json
from typing import Any

import anthropic
import jsonschema
import pytest

from agentops.engine.plan import FORMAT_VERSION
from agentops.views.schemas import NAMES
from tests.stack import Stack, console_body, manifest


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


def _document(stack: Stack, output: str, *args: str, code: int = 0) -> dict[str, Any]:
    """A command's JSON output, checked against the schema `agentops schema --output` prints for it."""
    result = stack.run(*args, "--format", "json")
    assert result.exit_code == code, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    schema = json.loads(stack.run("schema", "--output", output).stdout)
    jsonschema.validate(data, schema)
    assert data["format_version"] == FORMAT_VERSION
    return data


def test_every_json_output_has_the_one_format_version_and_matches_its_schema(stack: Stack) -> None:
    stack.write(manifest("nightly", schedule={"expression": "0 6 * * 1-5", "timezone": "UTC"}), manifest("other"))
    root = str(stack.root)
    assert _document(stack, "validate", "validate", root)["valid"] is True
    assert _document(stack, "plan", "plan", root)["counts"]["create"] == 2
    assert _document(stack, "apply", "apply", root, "--auto-approve")["succeeded"] == 2
    assert "health" in _document(stack, "plan", "plan", root, "--health")
    assert len(_document(stack, "status", "status", root)["deployments"]) == 2
    fleet = _document(stack, "fleet", "fleet", root)
    assert "version" not in fleet and fleet["cap"]["stack"]["after"] == 1
    assert _document(stack, "run", "run", "nightly", root)["errored"] is False
    stack.write(manifest("broken", schedule={"expression": "0 25 * * *"}))
    assert _document(stack, "error", "plan", root, code=1)["errored"] is True


def test_an_import_and_an_api_failure_match_their_schemas(stack: Stack, client: anthropic.Anthropic) -> None:
    client.beta.deployments.create(**console_body("by-hand"))
    stack.write()
    data = _document(stack, "import", "import", "by-hand", "--dry-run", "--out", str(stack.root / "deployments"))
    assert [record["name"] for record in data["imported"]] == ["by-hand"]
    stack.env["ANTHROPIC_BASE_URL"] = "http://127.0.0.1:9"
    assert "cannot reach the API" in _document(stack, "error", "status", str(stack.root), code=1)["error"]


@pytest.mark.parametrize("output", NAMES)
def test_every_schema_is_a_valid_json_schema(stack: Stack, output: str) -> None:
    jsonschema.Draft202012Validator.check_schema(json.loads(stack.run("schema", "--output", output).stdout))
