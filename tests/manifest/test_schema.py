"""The JSON Schema editors use: every field described, secret fields constrained to ${VAR}."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest

from agentops.manifest import load_project
from agentops.manifest.descriptions import DESCRIPTIONS
from agentops.views.schemas import MANIFEST_KINDS as SCHEMA_KINDS
from agentops.views.schemas import manifest_schema
from tests.manifest.test_validate import REPO


def _properties(node: Any, where: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        for name, prop in (node.get("properties") or {}).items():
            yield f"{where}.{name}", prop
        for key, value in node.items():
            yield from _properties(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _properties(item, f"{where}[{index}]")


@pytest.mark.parametrize(("kind", "least"), [("deployment", 60), ("agent", 60), ("environment", 20), ("vault", 30),
                                             ("memory_store", 8), ("skill", 2)])
def test_every_field_has_a_description(kind: str, least: int) -> None:
    found = list(_properties(manifest_schema(kind)))
    assert len(found) > least
    undescribed = [where for where, prop in found if not prop.get("description")]
    assert undescribed == []


def test_no_description_is_stale() -> None:
    models: dict[str, Any] = {}
    for kind, model in SCHEMA_KINDS.items():
        schema = manifest_schema(kind)
        models.update({model.__name__: schema, **schema.get("$defs", {})})
    assert set(DESCRIPTIONS) == set(models)
    for model, fields in DESCRIPTIONS.items():
        assert set(fields) == set(models[model]["properties"]), model


def test_an_editor_agrees_on_agents_environments_and_references() -> None:
    agent = {"type": "agent", "name": "a", "model": {"id": "claude-opus-5", "effort": "high"},
             "tools": [{"type": "agent_toolset_20260401", "configs": [{"name": "bash", "enabled": False}]}],
             "multiagent": {"type": "coordinator", "agents": ["./b.md", {"name": "c"}, {"type": "self"}]}}
    jsonschema.validate(agent, manifest_schema("agent"))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**agent, "type": "environment"}, manifest_schema("agent"))
    environment = {"name": "e", "config": {"type": "cloud", "networking": {"type": "limited", "allowed_hosts": ["x"]}}}
    jsonschema.validate(environment, manifest_schema("environment"))
    deployment = {"name": "d", "agent": "../agents/a.md", "environment": "../environments/e.yaml", "prompt": "Go."}
    jsonschema.validate(deployment, manifest_schema())
    jsonschema.validate({**deployment, "agent": "agent_011CZ"}, manifest_schema())


def test_secret_fields_carry_the_reference_pattern() -> None:
    token = manifest_schema()["$defs"]["GitHubRepositoryResource"]["properties"]["authorization_token"]
    pattern = re.compile(token["pattern"])
    assert pattern.match("${REPO_TOKEN}")
    assert not pattern.match("ghp_literal") and not pattern.match("prefix-${REPO_TOKEN}")


def _resource(token: str) -> dict[str, Any]:
    return {"name": "a", "agent": "agent_1", "environment_id": "env_1", "prompt": "hi",
            "resources": [{"type": "github_repository", "url": "https://github.com/o/r", "authorization_token": token}]}


def test_an_editor_validating_with_the_schema_agrees_with_validate() -> None:
    schema = manifest_schema()
    jsonschema.validate(_resource("${REPO_TOKEN}"), schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(_resource("ghp_literal"), schema)
    for env in ("staging", "production"):
        for loaded in load_project(REPO, env=env).manifests:
            dumped = loaded.manifest.model_dump(mode="json", exclude_none=True)
            # A reference by path is loaded as {name, path}; the file holds the path as written.
            dumped.update({key: ref["path"] for key, ref in dumped.items() if isinstance(ref, dict) and "path" in ref})
            jsonschema.validate(dumped, schema)
