"""The policy rules that need only a manifest (a deployment, an agent or an environment), checked
where it is loaded (so `validate` runs them).

Each violation is a located Problem whose message names the rule, its level and the deployment,
and whose hint says what would satisfy it. `error` rules become problems (nothing is planned),
`warn` rules warnings. Fleet rules (schedule counts, spend totals) need the live workspace and
are checked by the planner (engine/policy.py).
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterable, Iterator
from datetime import date, timedelta

from agentops.manifest.agent_schema import (
    AdvisorEnabled,
    AdvisorEntry,
    AgentManifest,
    Coordinator,
    Multiagent20261001,
)
from agentops.manifest.config_schema import HoursRule, Policy, Rule
from agentops.manifest.environment_schema import EnvironmentManifest
from agentops.manifest.positions import Locator
from agentops.manifest.schema import AgentByName, Manifest
from agentops.model import agent, cron, environment, spec
from agentops.model.problems import Problem
from agentops.model.words import plural

PREFIX = "policy "  # every policy message starts so: plan shows the warn-level ones
_DAY = 24 * 60
# A stretch of days long enough to contain every weekday/day-of-month/leap-day combination.
_CYCLE_START = date(2028, 1, 1)
_CYCLE_DAYS = 4 * 366


def _says(rule: str, level: str, name: str, what: str) -> str:
    return f"{PREFIX}{rule} ({level}): {name!r} {what}"


def _minutes_text(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _slots(spec_: cron.CronSpec) -> list[int]:
    return sorted(hour * 60 + minute for hour in spec_.hours for minute in spec_.minutes)


def _inside(minute: int, rule: HoursRule) -> bool:
    start, end = (int(part[:2]) * 60 + int(part[3:]) for part in (rule.start, rule.to))
    return start <= minute <= end if start <= end else minute >= start or minute <= end


@functools.lru_cache(maxsize=4096)
def _fires_on_consecutive_days(expression: str) -> bool:
    parsed = cron.parse(expression)
    day = _CYCLE_START
    previous = parsed.matches_day(day)
    for _ in range(_CYCLE_DAYS):
        day += timedelta(days=1)
        current = parsed.matches_day(day)
        if previous and current:
            return True
        previous = current
    return False


def shortest_interval(expression: str) -> int | None:
    """The fewest minutes between two fires in local wall-clock time (None: a day or more)."""
    slots = _slots(cron.parse(expression))
    gaps = [later - earlier for earlier, later in itertools.pairwise(slots)]
    wrap = _DAY - slots[-1] + slots[0]
    if wrap < min(gaps, default=_DAY) and _fires_on_consecutive_days(expression):
        gaps.append(wrap)
    return min(gaps, default=None)


def _schedule(manifest: Manifest, locator: Locator, policy: Policy) -> Iterator[tuple[Rule, Problem]]:
    schedule = manifest.schedule
    if schedule is None:
        return
    where = ("schedule", "expression")
    parsed = cron.parse(schedule.expression)
    hours = policy.active("allowed_hours")
    if isinstance(hours, HoursRule):
        outside = [slot for slot in _slots(parsed) if not _inside(slot, hours)]
        if outside:
            times = ", ".join(_minutes_text(slot) for slot in outside[:3]) + (" …" if len(outside) > 3 else "")
            yield hours, locator.problem(
                where,
                _says("allowed_hours", hours.level, manifest.name,
                      f"fires at {times} {schedule.timezone} time, outside {hours.start}-{hours.to}"),
                f"move every fire of the schedule between {hours.start} and {hours.to} local time",
            )
    interval = policy.min_interval_minutes
    if interval is not None and interval.level != "off":
        shortest = shortest_interval(schedule.expression)
        if shortest is not None and shortest < interval.minutes:
            yield interval, locator.problem(
                where,
                _says("min_interval_minutes", interval.level, manifest.name,
                      f"can fire {plural(shortest, 'minute')} apart, less than {interval.minutes}"),
                f"space the fires at least {plural(interval.minutes, 'minute')} apart",
            )


def _violations(manifest: Manifest, locator: Locator, policy: Policy) -> Iterator[tuple[Rule, Problem]]:
    name = manifest.name
    rule = policy.active("require_budget")
    if rule is not None and manifest.budget is None:
        yield rule, locator.problem(
            ("budget",), _says("require_budget", rule.level, name, "has no budget"),
            'add budget: {type: limit, max_list_cost: {amount: "2500", currency: USD}}: the amount is in cents and caps each run',
        )
    rule = policy.active("require_pinned_agent_version")
    agent = manifest.agent
    if rule is not None and (isinstance(agent, str) or agent.version is None):
        pin = f"{{id: {agent}, version: N}}" if isinstance(agent, str) else (
            f"{{name: {agent.name}, version: N}}" if isinstance(agent, AgentByName) else f"{{id: {agent.id}, version: N}}"
        )
        yield rule, locator.problem(
            ("agent",), _says("require_pinned_agent_version", rule.level, name, "uses the latest agent version"),
            f"pin it: agent: {pin}",
        )
    rule = policy.active("forbid_branch_checkout")
    for index, resource in enumerate(manifest.resources or []):
        if rule is None or not isinstance(resource, spec.GitHubRepositoryResource):
            continue
        if not isinstance(resource.checkout, spec.CommitCheckout):
            what = "the default branch" if resource.checkout is None else f"branch {resource.checkout.name!r}"
            yield rule, locator.problem(
                ("resources", index, "checkout") if resource.checkout else ("resources", index),
                _says("forbid_branch_checkout", rule.level, name, f"checks out {what} of {resource.url}"),
                "check out a fixed commit: checkout: {type: commit, sha: <40 hex digits>}",
            )
    wanted = policy.require_metadata
    if wanted is not None and wanted.level != "off":
        missing = [key for key in wanted.keys if key not in (manifest.metadata or {})]
        if missing:
            yield wanted, locator.problem(
                ("metadata",),
                _says("require_metadata", wanted.level, name, "lacks metadata " + ", ".join(map(repr, missing))),
                "add them: metadata: {" + ", ".join(f"{key}: ..." for key in missing) + "}",
            )
    yield from _schedule(manifest, locator, policy)


def _models(manifest: AgentManifest) -> Iterator[tuple[tuple[int | str, ...], str]]:
    """(where, model id) for the agent's model and the advisor models it may consult."""
    yield ("model",) if isinstance(manifest.model, str) else ("model", "id"), agent.model_id(manifest.model)
    team = manifest.multiagent
    if isinstance(team, Multiagent20261001) and isinstance(team.advisor, AdvisorEnabled):
        yield ("multiagent", "advisor", "model"), team.advisor.model
    if isinstance(team, Coordinator):
        for index, entry in enumerate(team.agents):
            if isinstance(entry, AdvisorEntry):
                yield ("multiagent", "agents", index, "model"), entry.model


def _agent_violations(manifest: AgentManifest, locator: Locator, policy: Policy) -> Iterator[tuple[Rule, Problem]]:
    name = manifest.name
    models = policy.allowed_models
    if models is not None and models.level != "off":
        for where, model in _models(manifest):
            if model not in models.models:
                yield models, locator.problem(
                    where, _says("allowed_models", models.level, name, f"uses model {model!r}, which is not allowed"),
                    "allowed: " + ", ".join(models.models))
    forbidden = policy.forbid_always_allow
    if forbidden is not None and forbidden.level != "off":
        tools = [tool.model_dump(mode="json", exclude_none=True) for tool in manifest.tools or []]
        for where, tool in agent.always_allowed(tools):
            if tool in forbidden.tools:
                yield forbidden, locator.problem(
                    where, _says("forbid_always_allow", forbidden.level, name, f"lets {tool} run without asking "
                                 "(always_allow)"),
                    f"give {tool} permission_policy: {{type: always_ask}} in the toolset's configs (the agent "
                    "toolset's default is always_allow), or disable it")
    rule = policy.active("require_agent_description")
    if rule is not None and not (manifest.description or "").strip():
        yield rule, locator.problem(("description",), _says("require_agent_description", rule.level, name,
                                                            "has no description"),
                                    "add description: what the agent does and who owns it")


def _environment_violations(manifest: EnvironmentManifest, locator: Locator,
                            policy: Policy) -> Iterator[tuple[Rule, Problem]]:
    rule = policy.environment_networking
    if rule is None or rule.level == "off":
        return
    networking = manifest.networking()
    if isinstance(networking, environment.Limited):
        return
    config = manifest.config
    where: tuple[str, ...] = () if config is None else ("config",)
    if isinstance(config, environment.Cloud) and config.networking is not None:
        where = ("config", "networking")
    # Fail closed: a self-hosted environment's network is not the API's to limit, so it cannot be shown limited.
    what = "is self-hosted, so its networking cannot be limited" if networking is None else (
        "has unrestricted networking" + ("" if where == ("config", "networking") else " (the default)"))
    yield rule, locator.problem(where, _says("environment_networking", rule.level, manifest.name, what),
                                "set config: {type: cloud, networking: {type: limited, allowed_hosts: [...]}}")


def _split(violations: Iterable[tuple[Rule, Problem]]) -> tuple[list[Problem], list[Problem]]:
    errors: list[Problem] = []
    warnings: list[Problem] = []
    for rule, problem in violations:
        (errors if rule.level == "error" else warnings).append(problem)
    return errors, warnings


def check(manifest: Manifest, locator: Locator, policy: Policy) -> tuple[list[Problem], list[Problem]]:
    """(problems from `error` rules, warnings from `warn` rules) for one loaded deployment."""
    return _split(_violations(manifest, locator, policy))


def check_agent(manifest: AgentManifest, locator: Locator, policy: Policy) -> tuple[list[Problem], list[Problem]]:
    """The same for one loaded agent."""
    return _split(_agent_violations(manifest, locator, policy))


def check_environment(manifest: EnvironmentManifest, locator: Locator,
                      policy: Policy) -> tuple[list[Problem], list[Problem]]:
    """The same for one loaded environment."""
    return _split(_environment_violations(manifest, locator, policy))
