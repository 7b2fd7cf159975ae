"""Where agentops.yaml's settings are written (for the blockers they cause), and which revision's
lines are cited when a pull request is held to the base's guards."""

from __future__ import annotations

from pathlib import Path

from agentops.manifest.config import load_config
from agentops.manifest.guards import at_revision, settings_in_force
from agentops.model.problems import Where

CONFIG = """\
stack: s
max_archive: 2
policy:
  max_scheduled: {level: error, count: 3}
environments:
  prod:
    policy:
      max_scheduled: {level: error, count: 1}
"""


def test_each_key_and_policy_rule_is_located_at_its_line(tmp_path: Path) -> None:
    (tmp_path / "agentops.yaml").write_text(CONFIG)
    settings = load_config(tmp_path).settings
    assert settings["stack"] == Where("agentops.yaml:1")
    assert settings["max_archive"] == Where("agentops.yaml:2")
    assert settings["policy.max_scheduled"] == Where("agentops.yaml:4")
    assert settings["environments.prod.policy.max_scheduled"] == Where("agentops.yaml:8")
    assert load_config(tmp_path, stack="other").settings["stack"] == Where(source="--stack")


def test_the_guards_in_force_are_cited_at_the_base_revision(tmp_path: Path) -> None:
    (tmp_path / "agentops.yaml").write_text(CONFIG)
    head = load_config(tmp_path).settings
    (tmp_path / "agentops.yaml").write_text("stack: s\n\n" + CONFIG.split("\n", 1)[1])  # every line one lower
    base = at_revision(load_config(tmp_path).settings, "origin/main")
    in_force = settings_in_force(head, base)
    assert in_force["stack"] == Where("agentops.yaml:1")  # not a guard: the checkout's
    assert in_force["max_archive"] == Where(source="origin/main:agentops.yaml:3")
    assert in_force["policy.max_scheduled"] == Where(source="origin/main:agentops.yaml:5")
    assert in_force["environments.prod.policy.max_scheduled"] == Where(source="origin/main:agentops.yaml:9")
    # A guard the base does not set is not cited from the checkout either: the base's (absent) value is in force.
    assert "max_archive" not in settings_in_force(head, {})
