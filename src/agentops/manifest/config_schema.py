"""The schema of agentops.yaml: the stack, defaults, secrets, policy rules, API pacing,
environments and `--local`, as pydantic models (reading and checking the file: `config`)."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    StringConstraints,
    field_validator,
)

from agentops.model import agent, spec

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
        if value is not None and not inside_root(value):
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
        if not inside_root(value):
            raise ValueError("expected a folder path relative to the repository root, inside it")
        return value


def inside_root(folder: str) -> bool:
    path = Path(folder)
    return bool(folder) and not path.is_absolute() and ".." not in path.parts
