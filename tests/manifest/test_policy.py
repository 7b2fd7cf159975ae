"""The `policy:` block of agentops.yaml and the offline rules `validate` checks, file:line:field."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentops.manifest.config import load_config
from agentops.manifest.config_schema import Policy, Rule
from agentops.manifest.loader import load_project
from agentops.manifest.policy_checks import shortest_interval

MANIFEST = """name: job
agent: agent_1
environment_id: env_1
prompt: Do it.
"""


def _project(tmp_path: Path, policy: str, manifest: str = MANIFEST) -> list[str]:
    (tmp_path / "agentops.yaml").write_text("stack: s\npolicy:\n" + policy)
    (tmp_path / "deployments").mkdir(exist_ok=True)
    (tmp_path / "deployments" / "job.yaml").write_text(manifest)
    project = load_project(tmp_path)
    return [str(p) for p in project.problems] + [f"warn {w}" for w in project.warnings]


@pytest.mark.parametrize(("policy", "expected"), [
    ("  require_budgte: error\n", "agentops.yaml:3:3: policy.require_budgte: unknown policy rule (did you mean 'require_budget'?)"),
    ("  require_budget: eror\n", "agentops.yaml:3:19: policy.require_budget: unknown level 'eror' (did you mean 'error'?)"),
    ("  require_metadata: error\n", "policy.require_metadata: this rule takes parameters (write require_metadata: {level: error, keys: [owner]})"),
    ("  allowed_hours: {level: error, from: '6:00', to: '22:00'}\n", 'policy.allowed_hours.from: expected a local time "HH:MM"'),
    ("  max_monthly_exposure: {level: warn, amount: 500, currency: USD}\n", "policy.max_monthly_exposure.amount: expected a string"),
    ("  max_scheduled: {level: error, cuont: 3}\n", "policy.max_scheduled.cuont: unknown key (did you mean 'count'?)"),
])
def test_bad_rules_are_config_errors_with_a_hint(tmp_path: Path, policy: str, expected: str) -> None:
    found = _project(tmp_path, policy)
    assert any(expected in line for line in found), found


def test_the_design_example_loads(tmp_path: Path) -> None:
    (tmp_path / "agentops.yaml").write_text(
        "stack: s\npolicy:\n  require_budget: error\n  require_pinned_agent_version: warn\n"
        "  require_metadata: {level: error, keys: [owner]}\n"
        '  allowed_hours: {level: error, from: "06:00", to: "22:00"}\n'
        '  max_monthly_exposure: {level: error, amount: "500", currency: USD}\n')
    loaded = load_config(tmp_path)
    assert loaded.problems == []
    assert loaded.config.policy.require_budget == Rule(level="error")
    assert loaded.config.policy.max_monthly_exposure is not None
    assert loaded.config.policy.max_monthly_exposure.minor() == 50_000


def test_a_narrower_policy_overrides_rule_by_rule() -> None:
    base = Policy(require_budget=Rule(level="error"), forbid_branch_checkout=Rule(level="warn"))
    merged = Policy(require_budget=Rule(level="off")).over(base)
    assert merged.active("require_budget") is None
    assert merged.forbid_branch_checkout == Rule(level="warn")


def test_each_offline_rule_names_the_rule_the_manifest_and_the_fix(tmp_path: Path) -> None:
    manifest = MANIFEST + """schedule: {expression: "*/10 1 * * *", timezone: Europe/Berlin}
metadata: {team: a}
resources:
  - type: github_repository
    url: https://github.com/o/r
    authorization_token: ${TOKEN}
    checkout: {type: branch, name: main}
"""
    found = _project(tmp_path, (
        "  require_budget: error\n  require_pinned_agent_version: error\n  forbid_branch_checkout: error\n"
        "  require_metadata: {level: error, keys: [owner, team]}\n"
        '  allowed_hours: {level: error, from: "06:00", to: "22:00"}\n'
        "  min_interval_minutes: {level: warn, minutes: 15}\n"), manifest)
    text = "\n".join(found)
    assert "deployments/job.yaml:1:1: budget: policy require_budget (error): 'job' has no budget (add budget:" in text
    assert "deployments/job.yaml:2:8: agent: policy require_pinned_agent_version (error)" in text
    assert "version: N}" in text
    assert "deployments/job.yaml:11:15: resources[0].checkout: policy forbid_branch_checkout (error)" in text
    assert "deployments/job.yaml:6:11: metadata: policy require_metadata (error): 'job' lacks metadata 'owner'" in text
    assert "schedule.expression: policy allowed_hours (error): 'job' fires at 01:00, 01:10, 01:20 …" in text
    assert "warn deployments/job.yaml:5:24: schedule.expression: policy min_interval_minutes (warn)" in text


def test_allowed_hours_may_wrap_past_midnight(tmp_path: Path) -> None:
    manifest = MANIFEST + 'schedule: {expression: "0 23,2 * * *", timezone: UTC}\n'
    assert _project(tmp_path, '  allowed_hours: {level: error, from: "22:00", to: "02:00"}\n', manifest) == []
    found = _project(tmp_path, '  allowed_hours: {level: error, from: "22:00", to: "01:59"}\n', manifest)
    assert len(found) == 1 and "fires at 02:00 UTC time, outside 22:00-01:59" in found[0]


def test_shortest_interval_in_local_time() -> None:
    assert shortest_interval("*/7 * * * *") == 4  # :56 to the next hour's :00
    assert shortest_interval("0 9 * * *") is None  # a day apart
    assert shortest_interval("0 0,23 * * *") == 60  # 23:00 to 00:00 the next day
    assert shortest_interval("0 0,23 * * 1") == 23 * 60  # Mondays only: no next day


ENVIRONMENTS = """stack: s
policy:
  require_budget: warn
  require_metadata: {level: error, keys: [team]}
environments:
  staging: {}
  production:
    policy:
"""


def _env_project(tmp_path: Path, policy: str, env: str | None) -> list[str]:
    (tmp_path / "agentops.yaml").write_text(ENVIRONMENTS + policy)
    (tmp_path / "deployments").mkdir(exist_ok=True)
    (tmp_path / "deployments" / "job.yaml").write_text(MANIFEST + "metadata: {team: core}\n")
    project = load_project(tmp_path, env=env)
    return [str(p) for p in project.problems] + [f"warn {w}" for w in project.warnings]


def test_an_environment_policy_is_laid_over_the_repository_policy(tmp_path: Path) -> None:
    policy = "      require_budget: error\n      require_metadata: {level: error, keys: [team, owner]}\n"
    staging = _env_project(tmp_path, policy, "staging")
    assert staging == [next(line for line in staging if line.startswith("warn "))]  # the repository's warn rule
    assert "policy require_budget (warn)" in staging[0]
    production = _env_project(tmp_path, policy, "production")
    assert any("deployments/job.yaml" in line and "policy require_budget (error)" in line
               and not line.startswith("warn ") for line in production), production
    assert any("policy require_metadata (error)" in line and "owner" in line for line in production), production
    # A rule the environment does not name keeps the repository's; `off` switches one off there.
    off = _env_project(tmp_path, "      require_budget: 'off'\n", "production")
    assert off == []
    config = load_config(tmp_path).config
    assert config.policy_for("staging") == config.policy
    production_policy = config.policy_for("production")
    assert production_policy.active("require_budget") is None and config.policy.active("require_budget")
    assert production_policy.require_metadata == config.policy.require_metadata


@pytest.mark.parametrize(("policy", "expected"), [
    ("      require_budgte: error\n",
     "agentops.yaml:9:7: environments.production.policy.require_budgte: unknown policy rule (did you mean 'require_budget'?)"),
    ("      require_budget: eror\n",
     "agentops.yaml:9:23: environments.production.policy.require_budget: unknown level 'eror' (did you mean 'error'?)"),
    ("      max_scheduled: {level: error, cuont: 3}\n",
     "environments.production.policy.max_scheduled.cuont: unknown key (did you mean 'count'?)"),
    ("      allowed_hours: {level: error, from: '6:00', to: '22:00'}\n",
     'environments.production.policy.allowed_hours.from: expected a local time "HH:MM"'),
    ("      - require_budget\n", "environments.production.policy: expected a mapping of rule names to levels"),
])
def test_bad_environment_rules_are_config_errors_with_a_hint(tmp_path: Path, policy: str, expected: str) -> None:
    for env in ("staging", "production"):  # a config error, whichever environment is chosen
        found = _env_project(tmp_path, policy, env)
        assert any(expected in line for line in found), found


@pytest.mark.parametrize("written", ["off", "Off", "OFF"])
def test_off_written_unquoted_switches_a_rule_off(tmp_path: Path, written: str) -> None:
    """YAML 1.1 reads an unquoted `off` as false; it still means the documented level, bare or as `level:`."""
    policy = f"      require_budget: {written}\n      require_metadata: {{level: {written}, keys: [team, owner]}}\n"
    assert _env_project(tmp_path, policy, "production") == []
    production = load_config(tmp_path).config.policy_for("production")
    assert production.active("require_budget") is None
    assert production.active("require_metadata") is None
