"""The guard settings of agentops.yaml, and which revision's are enforced.

A pull request may change `agentops.yaml` as well as manifests. Its guards (the policy pack,
`max_archive`, the credential allow-list `secrets.allow`) are enforced from the base branch
until the change is merged, and the plan says what the pull request changes about them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from agentops.manifest.config_schema import Config, Policy
from agentops.model.problems import Where

# The top-level keys of agentops.yaml that are guards (each environment's `policy` is one too).
GUARDS = ("policy", "max_archive", "secrets")


def guarded_by(head: Config, base: Config) -> Config:
    """`head` with the base revision's guards in force (its environments' policies included)."""
    environments = {
        name: env.model_copy(update={"policy": base.environments[name].policy if name in base.environments else None})
        for name, env in head.environments.items()
    }
    return head.model_copy(update={
        "policy": base.policy,
        "max_archive": base.max_archive,
        "secrets": base.secrets,
        "environments": environments,
    })


def _is_guard(path: str) -> bool:
    parts = path.split(".")
    return parts[0] in GUARDS or (parts[0] == "environments" and parts[2:3] == ["policy"])


def at_revision(settings: Mapping[str, Where], ref: str) -> dict[str, Where]:
    """Where the settings of `ref`'s agentops.yaml are written, as lines of that revision
    ("REF:agentops.yaml:LINE", git's REV:PATH), not of the checkout."""
    return {path: Where(source=f"{ref}:{where.file}") if where.file else where for path, where in settings.items()}


def settings_in_force(head: Mapping[str, Where], base: Mapping[str, Where]) -> dict[str, Where]:
    """Where each setting in force is written: the guards where the base has them (`guarded_by`),
    the rest where the checkout has them."""
    return {**{path: where for path, where in head.items() if not _is_guard(path)},
            **{path: where for path, where in base.items() if _is_guard(path)}}


def _rule(policy: Policy, name: str) -> str:
    rule = getattr(policy, name)
    if rule is None:
        return "off"
    params = rule.model_dump(by_alias=True, exclude={"level"})
    return rule.level if not params else json.dumps({"level": rule.level, **params}, sort_keys=True)


def changes(head: Config, base: Config, env: str | None) -> list[str]:
    """What `head` changes about the guards in force for `env`, one phrase each (empty: nothing)."""
    found: list[str] = []
    before, after = base.policy_for(env), head.policy_for(env)
    for name in Policy.model_fields:
        old, new = _rule(before, name), _rule(after, name)
        if old != new:
            found.append(f"policy {name}: {old} -> {new}")
    if head.max_archive != base.max_archive:
        found.append(f"max_archive: {_limit(base.max_archive)} -> {_limit(head.max_archive)}")
    added = sorted(set(head.secrets.allow) - set(base.secrets.allow))
    removed = sorted(set(base.secrets.allow) - set(head.secrets.allow))
    if added:
        found.append("secrets.allow adds " + ", ".join(added))
    if removed:
        found.append("secrets.allow removes " + ", ".join(removed))
    return found


def _limit(value: Any) -> str:
    return "none" if value is None else str(value)
