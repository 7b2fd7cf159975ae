"""The repository config `agentops.yaml`: stack, manifests folder, workspace, manifest defaults, policy."""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    StringConstraints,
    ValidationError,
    field_validator,
)

from agentops.manifest.documents import parse_yaml, read_text
from agentops.manifest.errors import did_you_mean, validation_problems
from agentops.manifest.positions import Locator, Tree
from agentops.manifest.schema import DEFAULTABLE, Manifest
from agentops.model import agent, spec
from agentops.model.problems import Problem

CONFIG_FILE = "agentops.yaml"
_STACK = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
MAX_STACK = 64  # the stack is stored as a metadata value and used in tags


def check_stack(value: str) -> str:
    if not _STACK.match(value) or len(value) > MAX_STACK:
        raise ValueError(
            f"expected 1-{MAX_STACK} lowercase letters, digits, '-', '_' or '.', "
            "starting with a letter or digit"
        )
    return value


VariableName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]
# An environment's name is stored in the agentops.env tag, so it follows the stack's rules.
EnvironmentName = Annotated[str, AfterValidator(check_stack)]
VarValue = StrictStr | StrictInt | StrictFloat | StrictBool


class SecretsConfig(spec.Strict):
    """Credential-shaped variables (secrets.CREDENTIAL_VARIABLES) a secret field may still name."""

    allow: list[VariableName] = Field(default_factory=list)


# --- policy ---------------------------------------------------------------------------------

# `off` lets a narrower scope (an environment, later) switch off a rule the repository sets.
Level = Literal["error", "warn", "off"]
LEVELS = ("error", "warn", "off")
_CLOCK = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
_AMOUNT = re.compile(r"^(0|[1-9][0-9]*)(\.[0-9]{1,2})?$")


def _clock(value: str) -> str:
    if not _CLOCK.match(value):
        raise ValueError('expected a local time "HH:MM" between "00:00" and "23:59"')
    return value


def _amount(value: str) -> str:
    if not _AMOUNT.match(value):
        raise ValueError('expected an amount in the currency\'s major unit as a string, e.g. "500" or "499.99"')
    return value


Clock = Annotated[str, AfterValidator(_clock)]
# Policy amounts are written in the currency's major unit ("500" USD is $500), unlike a
# budget's `amount`, which the API takes in minor units (cents).
MajorAmount = Annotated[str, AfterValidator(_amount)]
MINOR_DIGITS = {"USD": 2}


class Rule(spec.Strict):
    """A rule without parameters: its level only (`require_budget: error`)."""

    level: Level


class MetadataRule(Rule):
    keys: Annotated[list[Annotated[str, StringConstraints(min_length=1, max_length=spec.MAX_METADATA_KEY)]],
                    Field(min_length=1)]


class HoursRule(Rule):
    """A local-time window every cron fire must fall in; `to` before `from` wraps past midnight."""

    start: Clock = Field(alias="from")
    to: Clock


class IntervalRule(Rule):
    minutes: Annotated[int, Field(ge=1, le=1440)]


class CountRule(Rule):
    count: Annotated[int, Field(ge=0)]


class ExposureRule(Rule):
    amount: MajorAmount
    currency: Literal["USD"]

    def minor(self) -> int:
        """The amount in minor units, the unit budgets are written in."""
        return int(Decimal(self.amount) * 10 ** MINOR_DIGITS[self.currency])


class ModelsRule(Rule):
    """Agents (and their advisors) may use only these model ids."""

    models: Annotated[list[spec.NonEmpty], Field(min_length=1)]


class ToolsRule(Rule):
    """These agent-toolset tools may not run without asking (`always_allow`)."""

    tools: Annotated[list[agent.AgentToolName], Field(min_length=1)]


class NetworkingRule(Rule):
    """Environments must limit their network access."""

    require: Literal["limited"]


class Policy(spec.Strict):
    """The policy pack; every rule is optional and each is `error` (blocks), `warn` or `off`."""

    require_budget: Rule | None = None
    require_pinned_agent_version: Rule | None = None
    forbid_branch_checkout: Rule | None = None
    require_metadata: MetadataRule | None = None
    allowed_hours: HoursRule | None = None
    min_interval_minutes: IntervalRule | None = None
    max_scheduled: CountRule | None = None
    max_monthly_exposure: ExposureRule | None = None
    allowed_models: ModelsRule | None = None
    forbid_always_allow: ToolsRule | None = None
    require_agent_description: Rule | None = None
    environment_networking: NetworkingRule | None = None

    def over(self, base: Policy) -> Policy:
        """This policy laid over `base` rule by rule (how an environment's policy overrides the repository's)."""
        return base.model_copy(update={name: rule for name, rule in self if rule is not None})

    def active(self, name: str) -> Rule | None:
        """The rule called `name` when it is switched on."""
        rule: Rule | None = getattr(self, name)
        return rule if rule is not None and rule.level != "off" else None


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


# --- the config ------------------------------------------------------------------------------


# The documented organization limits for Managed Agents, in requests per minute.
DEFAULT_WRITES_PER_MINUTE = 300.0
DEFAULT_READS_PER_MINUTE = 1200.0
MAX_PER_MINUTE = 1_000_000
PerMinute = Annotated[float, Field(ge=0, le=MAX_PER_MINUTE)]


class ApiConfig(spec.Strict):
    """How fast agentops may call the API (`api:`); 0 turns pacing of that class off."""

    writes_per_minute: PerMinute = DEFAULT_WRITES_PER_MINUTE
    reads_per_minute: PerMinute = DEFAULT_READS_PER_MINUTE


class EnvironmentConfig(spec.Strict):
    """One environment: where it deploys and what its manifests resolve `${var.NAME}` and defaults to."""

    workspace_id: spec.NonEmpty | None = None
    vars: dict[VariableName, VarValue] = Field(default_factory=dict)
    defaults: dict[str, Any] = Field(default_factory=dict)
    # Laid over the top-level `policy:` rule by rule when this environment is chosen (check_policy).
    policy: Policy | None = None


class LocalConfig(spec.Strict):
    """`--local`: what the embedded emulator starts with."""

    # An emulator seed file (agents, environments and vaults with ids and names), relative to
    # the repository root, so manifests that reference names resolve locally too.
    seed: spec.NonEmpty | None = None

    @field_validator("seed")
    @classmethod
    def _relative(cls, value: str | None) -> str | None:
        if value is not None and not _inside_root(value):
            raise ValueError("expected a file path relative to the repository root, inside it")
        return value


class Config(spec.Strict):
    stack: str
    manifests: str = "deployments"
    workspace_id: spec.NonEmpty | None = None
    # The default for `--max-archive`: more archives than this in one plan block it.
    max_archive: Annotated[int, Field(ge=0)] | None = None
    defaults: dict[str, Any] = Field(default_factory=dict)
    secrets: SecretsConfig = SecretsConfig()
    policy: Policy = Policy()  # checked by check_policy, for its own hints
    api: ApiConfig = ApiConfig()
    environments: dict[EnvironmentName, EnvironmentConfig] = Field(default_factory=dict)
    local: LocalConfig = LocalConfig()

    @field_validator("stack")
    @classmethod
    def _stack(cls, value: str) -> str:
        return check_stack(value)

    def policy_for(self, env: str | None) -> Policy:
        """The policy in force in `env`: its own rules over the repository's."""
        chosen = self.environments.get(env) if env is not None else None
        return chosen.policy.over(self.policy) if chosen is not None and chosen.policy is not None else self.policy

    @field_validator("manifests")
    @classmethod
    def _relative(cls, value: str) -> str:
        if not _inside_root(value):
            raise ValueError("expected a folder path relative to the repository root, inside it")
        return value


def _inside_root(folder: str) -> bool:
    path = Path(folder)
    return bool(folder) and not path.is_absolute() and ".." not in path.parts


@dataclass(frozen=True)
class LoadedConfig:
    config: Config
    defaults: Tree | None  # the `defaults:` node, so problems with default values point into agentops.yaml
    problems: list[Problem]
    # Each environment's `defaults:` node, for the same reason.
    environment_defaults: dict[str, Tree] = field(default_factory=dict)
    # Where `environments:` is written (or the file's start), for problems about choosing one.
    environments_at: tuple[int, int] = (1, 1)


def _fallback(raw: Mapping[str, Any], stack: str | None) -> Config:
    """A best-effort Config from an invalid file, so the manifests can still be checked."""
    folder = raw.get("manifests")
    workspace = raw.get("workspace_id")
    return Config.model_construct(
        stack=stack or str(raw.get("stack") or ""),
        manifests=folder if isinstance(folder, str) and _inside_root(folder) else "deployments",
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
                        (where.line, where.column) if where else (1, 1))


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


# Keys that say the same thing two ways: a layer that sets one replaces the other from below,
# so `environment: {name: ...}` in a manifest wins over a default `environment_id`.
_ONE_OF = (frozenset({"environment", "environment_id"}),)


def _under(lower: Mapping[str, Any], upper: Mapping[str, Any]) -> dict[str, Any]:
    """`lower` without the keys `upper` replaces through an alternative spelling."""
    dropped = {key for group in _ONE_OF if group & upper.keys() for key in group}
    return {key: value for key, value in lower.items() if key not in dropped or key in upper}


def merge_defaults(defaults: Mapping[str, Any], data: Mapping[str, Any]) -> dict[str, Any]:
    """`data` over `defaults`: mappings merge recursively, lists and scalars are replaced.

    A default never creates a `schedule` (that would make every deployment recurring); it only
    fills in keys of schedules that manifests declare, e.g. a common timezone.
    """
    out = dict(data)
    for key, value in _under(defaults, data).items():
        if key not in out:
            if key != "schedule":
                out[key] = copy.deepcopy(value)
        elif isinstance(value, dict) and isinstance(out[key], dict):
            out[key] = _deep(value, out[key])
    return out


def layer(lower: Mapping[str, Any], upper: Mapping[str, Any]) -> dict[str, Any]:
    """`upper` over `lower` (environment defaults over config defaults, an override over its manifest)."""
    return _deep(_under(lower, upper), upper)


def _deep(under: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(over)
    for key, value in under.items():
        if key not in out:
            out[key] = copy.deepcopy(value)
        elif isinstance(value, dict) and isinstance(out[key], dict):
            out[key] = _deep(value, out[key])
    return out
