"""Read and check `agentops.yaml` (its schema: `config_schema`): every problem located, a usable
fallback when it has problems, each environment's defaults and policy checked on their own."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from agentops.manifest.config_schema import (
    CONFIG_FILE,
    LEVELS,
    ApiConfig,
    Config,
    EnvironmentConfig,
    LocalConfig,
    Policy,
    Rule,
    SecretsConfig,
    check_stack,
    inside_root,
)
from agentops.manifest.documents import parse_yaml, read_text
from agentops.manifest.errors import validation_problems
from agentops.manifest.positions import Locator, Tree
from agentops.manifest.schema import DEFAULTABLE, Manifest
from agentops.model.problems import Problem, Where
from agentops.model.words import did_you_mean

# Rules whose value is only a level, and what the parameters of the others look like.
_BARE = frozenset(name for name, info in Policy.model_fields.items() if info.annotation == Rule | None)
_EXAMPLES = {
    "require_metadata": "{level: error, keys: [owner]}",
    "allowed_hours": '{level: error, from: "06:00", to: "22:00"}',
    "min_interval_minutes": "{level: warn, minutes: 15}",
    "max_scheduled": "{level: error, count: 100}",
    "max_monthly_exposure": '{level: error, amount: "500", currency: USD}',
    "allowed_models": "{level: error, models: [claude-opus-5]}",
    "forbid_always_allow": "{level: error, tools: [bash, write]}",
    "environment_networking": "{level: error, require: limited}",
}


class _PolicyDocument(BaseModel):
    """Only so that policy errors are located under `policy.` in agentops.yaml."""

    policy: Policy


class _EnvironmentPolicies(BaseModel):
    """The same, under `environments.<name>.policy.`."""

    environments: dict[str, _PolicyDocument]


def _validated(usable: dict[str, Any], env: str | None) -> Policy:
    if env is None:
        return _PolicyDocument.model_validate({"policy": usable}).policy
    return _EnvironmentPolicies.model_validate({"environments": {env: {"policy": usable}}}).environments[env].policy


def _unquoted_off(value: Any) -> Any:
    """`off` as YAML 1.1 reads it unquoted (false), as a rule's value or its `level:`, is the level "off"."""
    if value is False:
        return "off"
    if isinstance(value, dict) and value.get("level") is False:
        return {**value, "level": "off"}
    return value


def check_policy(raw: Any, locator: Locator, env: str | None = None) -> tuple[Policy, list[Problem]]:
    """The `policy:` mapping (of environment `env`, when given) as a Policy, and a problem (with a
    did-you-mean) for each bad rule."""
    at: tuple[str, ...] = ("environments", env, "policy") if env is not None else ("policy",)
    if raw is None:
        return Policy(), []
    if not isinstance(raw, dict):
        return Policy(), [locator.problem(at, "expected a mapping of rule names to levels",
                                          "e.g. policy: {require_budget: error}")]
    problems: list[Problem] = []
    usable: dict[str, Any] = {}
    for name, value in raw.items():
        where = (*at, name)
        if name not in Policy.model_fields:
            problems.append(locator.problem(where, "unknown policy rule",
                                            did_you_mean(str(name), Policy.model_fields)
                                            or "rules: " + ", ".join(Policy.model_fields), key=True))
            continue
        value = _unquoted_off(value)
        if isinstance(value, str):
            if name not in _BARE:
                problems.append(locator.problem(where, "this rule takes parameters",
                                                f"write {name}: {_EXAMPLES[name]}"))
                continue
            value = {"level": value}
        level = value.get("level") if isinstance(value, dict) else None
        if isinstance(level, str) and level not in LEVELS:
            hint = did_you_mean(level, LEVELS) or "levels: error (blocks), warn (shown), off"
            at = where if isinstance(raw[name], str) else (*where, "level")
            problems.append(locator.problem(at, f"unknown level {level!r}", hint))
            continue
        usable[name] = value
    try:
        policy = _validated(usable, env)
    except ValidationError as exc:
        problems.extend(validation_problems(exc, locator, _PolicyDocument if env is None else _EnvironmentPolicies))
        return Policy(), problems
    return policy, problems



@dataclass(frozen=True)
class LoadedConfig:
    config: Config
    defaults: Tree | None  # the `defaults:` node, so problems with default values point into agentops.yaml
    problems: list[Problem]
    # Each environment's `defaults:` node, for the same reason.
    environment_defaults: dict[str, Tree] = field(default_factory=dict)
    # Where `environments:` is written (or the file's start), for problems about choosing one.
    environments_at: tuple[int, int] = (1, 1)
    # Where each setting is written (see `_settings`), for blockers a setting causes.
    settings: dict[str, Where] = field(default_factory=dict)


def _fallback(raw: Mapping[str, Any], stack: str | None) -> Config:
    """A best-effort Config from an invalid file, so the manifests can still be checked."""
    folder = raw.get("manifests")
    workspace = raw.get("workspace_id")
    return Config.model_construct(
        stack=stack or str(raw.get("stack") or ""),
        manifests=folder if isinstance(folder, str) and inside_root(folder) else "deployments",
        workspace_id=workspace if isinstance(workspace, str) else None,
        defaults={},
        secrets=SecretsConfig(),
        policy=Policy(),
        api=ApiConfig(),
        environments=_fallback_environments(raw.get("environments")),
        local=LocalConfig(),
    )


def _fallback_environments(raw: Any) -> dict[str, EnvironmentConfig]:
    """The environment names of an invalid file (so `--env` can still be checked), settings dropped."""
    if not isinstance(raw, dict):
        return {}
    return {str(name): EnvironmentConfig() for name in raw}


def load_config(root: Path, stack: str | None = None) -> LoadedConfig:
    """Read and check `root/agentops.yaml`; `stack` (from --stack) overrides the file's stack."""
    text, problem = read_text(root / CONFIG_FILE, CONFIG_FILE, root)
    if text is None:
        return LoadedConfig(_fallback({}, stack), None, [problem] if problem else [])
    found, problems = parse_yaml(text, CONFIG_FILE)
    if problems:
        return LoadedConfig(_fallback({}, stack), None, problems)
    if len(found) > 1:
        line, column = found[1][1].position(found[1][1].node)
        return LoadedConfig(_fallback({}, stack), None,
                            [Problem(CONFIG_FILE, line, column, "", "expected a single YAML document")])
    data, tree = found[0] if found else ({}, Tree(CONFIG_FILE, None))
    locator = Locator(tree, data)
    if not isinstance(data, dict):
        return LoadedConfig(_fallback({}, stack), None,
                            [locator.problem((), "expected a mapping with at least a 'stack' key")])
    if stack is not None:
        try:
            data = {**data, "stack": check_stack(stack)}
        except ValueError as exc:
            problems.append(Problem("--stack", 1, 1, "stack", str(exc)))
    policy, more = check_policy(data.get("policy"), locator)
    problems.extend(more)
    try:
        config = Config.model_validate({key: value for key, value in _without_policies(data).items() if key != "policy"})
    except ValidationError as exc:
        problems.extend(validation_problems(exc, locator, Config))
        config = _fallback(data, stack)
    defaults_tree, defaults, more = _check_defaults(data.get("defaults"), locator, ("defaults",))
    problems.extend(more)
    environments: dict[str, EnvironmentConfig] = {}
    environment_trees: dict[str, Tree] = {}
    for name, settings in config.environments.items():
        at = ("environments", name, "defaults")
        raw = (data.get("environments") or {}).get(name) or {}
        env_tree, env_defaults, more = _check_defaults(raw.get("defaults") if isinstance(raw, dict) else None,
                                                       locator, at)
        problems.extend(more)
        env_policy, more = (check_policy(raw.get("policy"), locator, name)
                            if isinstance(raw, dict) and "policy" in raw else (None, []))
        problems.extend(more)
        environments[name] = settings.model_copy(update={"defaults": env_defaults, "policy": env_policy})
        if env_tree is not None:
            environment_trees[name] = env_tree
    config = config.model_copy(update={"defaults": defaults, "environments": environments, "policy": policy})
    where = locator.problem(("environments",), "", key=True) if "environments" in data else None
    return LoadedConfig(config, defaults_tree, problems, environment_trees,
                        (where.line, where.column) if where else (1, 1), _settings(locator, data, stack is not None))


def _settings(locator: Locator, data: Mapping[str, Any], stack_flag: bool) -> dict[str, Where]:
    """Where each top-level key and each policy rule is written, by dotted path ("max_archive",
    "policy.max_scheduled", "environments.prod.policy.max_scheduled"): its key's line; the stack
    is --stack's when that flag gave it."""
    paths: list[tuple[str, ...]] = [(str(key),) for key in data]
    paths += [("policy", str(rule)) for rule in _keys(data.get("policy"))]
    environments = data.get("environments")
    for env, settings in environments.items() if isinstance(environments, dict) else ():
        if isinstance(settings, dict):
            paths += [("environments", str(env), "policy", str(rule)) for rule in _keys(settings.get("policy"))]
    found = {}
    for path in paths:
        tree, node = locator.find(path, key=True)
        found[".".join(path)] = Where(f"{tree.file}:{tree.position(node)[0]}")
    if stack_flag:
        found["stack"] = Where(source="--stack")
    return found


def _keys(mapping: Any) -> list[Any]:
    return list(mapping) if isinstance(mapping, dict) else []


def _without_policies(data: Mapping[str, Any]) -> dict[str, Any]:
    """`data` without each environment's `policy:`, which check_policy checks for its own hints."""
    envs = data.get("environments")
    if not isinstance(envs, dict):
        return dict(data)
    return {**data, "environments": {name: {k: v for k, v in settings.items() if k != "policy"}
                                     if isinstance(settings, dict) else settings for name, settings in envs.items()}}


def _check_defaults(
    raw: Any, locator: Locator, at: tuple[str, ...]
) -> tuple[Tree | None, dict[str, Any], list[Problem]]:
    """Keep the usable defaults at `at`; their values are checked where they land, in each manifest."""
    if not isinstance(raw, dict):
        return None, {}, []
    tree, node = locator.find(at)
    problems = []
    kept: dict[str, Any] = {}
    for key, value in raw.items():
        if key in DEFAULTABLE:
            kept[key] = value
        elif key in Manifest.model_fields:
            problems.append(locator.problem((*at, key), "cannot have a default",
                                            "set it in each manifest", key=True))
        else:
            problems.append(locator.problem((*at, key), "unknown key",
                                            did_you_mean(str(key), DEFAULTABLE), key=True))
    return Tree(tree.file, node, tree.line_offset, ".".join(at)), kept, problems
