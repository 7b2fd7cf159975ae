"""`agentops schema --config`: agentops.yaml's JSON Schema, every key described, agreeing with the loader."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest
import yaml

from agentops.manifest.config_descriptions import CONFIG_DESCRIPTIONS
from agentops.views.schemas import config_schema
from tests.manifest.test_schema import _properties
from tests.manifest.test_validate import REPO, run


def test_schema_config_prints_agentops_yaml_schema() -> None:
    code, out, _ = run("schema", "--config")
    schema = json.loads(out)
    assert code == 0 and schema["title"] == "agentops.yaml"
    jsonschema.Draft202012Validator.check_schema(schema)
    assert json.loads(run("schema", "--output", "config")[1]) == schema
    jsonschema.validate(yaml.safe_load((REPO / "agentops.yaml").read_text()), schema)


def test_schema_config_and_another_output_is_a_usage_error() -> None:
    code, out, err = run("schema", "--config", "--output", "plan")
    assert (code, out) == (1, "") and "--config and --output plan" in err


def test_every_config_key_is_described_and_no_description_is_stale() -> None:
    schema = config_schema()
    found = list(_properties(schema))
    assert len(found) > 40
    assert [where for where, prop in found if not prop.get("description")] == []
    models = {"Config": schema, **schema["$defs"]}
    assert set(CONFIG_DESCRIPTIONS) == set(models)
    for model, fields in CONFIG_DESCRIPTIONS.items():
        assert set(fields) == set(models[model]["properties"]), model


@pytest.mark.parametrize(("config", "valid"), [
    ({"stack": "s", "policy": {"require_budget": "error"}}, True),
    ({"stack": "s", "policy": {"require_budget": {"level": "warn"}}}, True),
    ({"stack": "s", "policy": {"allowed_hours": {"level": "error", "from": "06:00", "to": "22:00"}}}, True),
    ({"stack": "s", "environments": {"prod": {"vars": {"tier": "p"}, "policy": {"max_scheduled": {
        "level": "error", "count": 3}}}}, "api": {"writes_per_minute": 0}, "secrets": {"allow": ["AWS_ROLE"]}}, True),
    ({"stack": "s", "policy": {"require_metadata": "error"}}, False),
    ({"stack": "s", "policy": {"require_budgt": "error"}}, False),
    ({"stack": "s", "max_archive": -1}, False),
    ({"stack": "s", "api": {"reads_per_minute": 2_000_000}}, False),
    ({"stack": "s", "local": {"seeds": "x.yaml"}}, False),
    ({"manifests": "deployments"}, False),
])
def test_an_editor_agrees_with_the_loader(config: dict[str, Any], valid: bool, tmp_path: Any) -> None:
    (tmp_path / "agentops.yaml").write_text(yaml.safe_dump(config))
    (tmp_path / "deployments").mkdir()
    (tmp_path / "deployments" / "d.yaml").write_text("name: d\nagent: agent_1\nenvironment_id: env_1\n"
                                                     "budget: {type: limit, max_list_cost: {amount: '5', "
                                                     "currency: USD}}\nmetadata: {owner: me}\nprompt: Go.\n")
    editor = jsonschema.Draft202012Validator(config_schema()).is_valid(config)
    assert editor == valid
    assert (run("validate", str(tmp_path))[0] == 0) == valid


def _key_paths(node: dict[str, Any], defs: dict[str, Any], where: str, seen: set[str]) -> Iterator[str]:
    """Every key path under `node` (`environments.<name>.vars`); a model met again (an
    environment's policy) is named once, by its path, not walked again."""
    for option in node.get("anyOf", []):
        yield from _key_paths(option, defs, where, seen)
    ref = node.get("$ref", "").removeprefix("#/$defs/")
    if ref:
        if ref in seen:
            return
        seen.add(ref)
        node = defs[ref]
    if isinstance(node.get("additionalProperties"), dict) and node["additionalProperties"].get("$ref"):
        yield from _key_paths(node["additionalProperties"], defs, f"{where}.<name>", seen)
    for name, prop in node.get("properties", {}).items():
        path = f"{where}.{name}".lstrip(".")
        # Every rule's `level` is documented once, as policy.<rule>.level.
        yield "policy.<rule>.level" if name == "level" else path
        yield from _key_paths(prop, defs, path, seen)


def test_every_config_key_is_in_the_reference() -> None:
    schema = config_schema()
    paths = set(_key_paths(schema, schema["$defs"], "", set()))
    assert {"stack", "secrets.allow", "policy.allowed_hours.from", "api.reads_per_minute", "local.seed",
            "environments.<name>.vars", "environments.<name>.policy"} <= paths
    reference = (REPO / "docs" / "config.md").read_text()
    assert sorted(path for path in paths if f"`{path}`" not in reference) == []
    assert "docs/config.md" in (REPO / "README.md").read_text()
