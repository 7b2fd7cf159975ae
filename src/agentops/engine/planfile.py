"""Saved plans: written by `plan --out`, read back by `apply FILE`, and only ever a claim.

A plan file may come from anywhere (hand-edited, forged, another stack or workspace). Reading
one validates its shape (never a traceback), checks its digest (which catches an accidental or
careless edit, not a forger: anyone can recompute a SHA-256) and checks every write against the
API's body rules and agentops' ownership rules. What makes a saved plan safe is `differences`:
apply plans again from the checkout and live state, and writes only when that fresh plan claims
exactly what the saved one does.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any, Literal

from deepdiff import DeepDiff
from pydantic import BaseModel, ConfigDict, ValidationError

from agentops.engine.diff import Change
from agentops.engine.fleet.section import Fleet, fleet_from_dict
from agentops.engine.identity import Live
from agentops.engine.plan import FORMAT_VERSION, Action, ActionKind, Blocker, Flags, Plan
from agentops.engine.resources import CREDENTIAL, DEPLOYMENT, RESOURCES
from agentops.model import credential, spec, tags
from agentops.model.secretref import SECRET_FIELDS, variable

# A plan file larger than this is not a plan agentops wrote for any realistic stack.
MAX_PLAN_BYTES = 64 * 1024 * 1024


class PlanFileError(ValueError):
    """A saved plan that cannot be trusted: the message says why in one line."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class _Change(_Strict):
    path: str
    field: str | None = None
    before: Any = None
    after: Any = None
    origin: Literal["change", "drift"] | None = None
    diff: list[str] | None = None  # derived from before and after (the digest covers it)


class _Action(_Strict):
    name: str
    resource: Literal["environment", "vault", "credential", "skill", "memory_store", "agent", "deployment"]
    action: ActionKind
    verb: str | None = None  # derived from resource and action ("delete" for a skill's archive), recomputed
    reason: str = ""
    id: str | None = None
    deployment_id: str | None = None  # `id` again for a deployment (format 3's key), else null
    address: str | None = None  # derived, checked against resource and name
    phase: int | None = None  # derived, recomputed
    updated_at: str | None = None
    file: str | None = None
    changes: list[_Change] = []
    body: dict[str, Any] | None = None
    patch: dict[str, Any] | None = None
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    paused_reason: dict[str, Any] | None = None
    previous_name: str | None = None
    origin: Literal["change", "drift"] | None = None
    follows: str | None = None


class _Problem(_Strict):
    message: str
    name: str | None = None
    file: str | None = None
    hint: str | None = None
    source: str | None = None


class _Flags(_Strict):
    adopt: bool
    no_prune: bool
    targets: list[str]
    max_archive: int | None
    allow_empty: bool
    strict_names: bool
    new_stack: bool
    destroy: bool


class _PlanFile(BaseModel):
    # Derived keys (counts, summary, ...) are recomputed, never read.
    model_config = ConfigDict(extra="ignore", strict=True)

    format_version: Literal[4]
    stack: str
    workspace_id: str | None = None
    base_ref: str | None = None
    targets: list[str] = []
    warnings: list[str] = []
    problems: list[_Problem] = []
    actions: list[_Action]
    digest: str
    env: str | None = None
    resolved: dict[Literal["agent", "environment", "vault"], dict[str, str]] = {}
    flags: _Flags
    # Shown only (the PR comment of a saved plan), never acted on: read back, not trusted further.
    fleet: dict[str, Any] | None = None


def digest(plan: Plan) -> str:
    """A digest over what the plan claims (see `claim`) and every action as saved: a cheap first
    check that catches an edited file before any request; it proves nothing against a forger."""
    content = {**claim(plan), "actions": [a.to_dict() for a in plan.actions]}
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=True).encode()).hexdigest()


def claim(plan: Plan) -> dict[str, Any]:
    """What a plan says apply will do and may do: where, with which flags, every write with its
    body or patch, the names it resolved, and its blocking problems. Reasons, field-level
    changes and the fleet section only explain these, so they are not part of the claim."""
    return {
        "stack": plan.stack,
        "env": plan.env,
        "workspace_id": plan.workspace_id,
        "flags": plan.flags.to_dict(),
        "resolved": {f"{kind} {name}": found for kind, name, found in plan.resolved},
        "writes": {
            f"{a.kind.value} {a.address} {a.id or '(new)'}": {
                "body": a.body, "patch": a.patch, "previous_name": a.previous_name, "updated_at": a.updated_at,
                **({"follows": a.follows} if a.follows is not None else {}),
            }
            for a in plan.writes
        },
        "problems": sorted(str(b) for b in plan.blockers),
    }


def _shown(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return text if len(text) <= 120 else text[:117] + "..."


def differences(saved: Plan, fresh: Plan) -> list[str]:
    """Where a saved plan's claim and a fresh plan's differ, one line each (empty: the same plan)."""
    found = []
    tree = DeepDiff(claim(saved), claim(fresh), view="tree", verbose_level=2)
    for level in sorted((lv for group in tree.values() for lv in group), key=lambda lv: lv.path()):
        parts = level.path(output_format="list")
        where = ".".join(str(part) for part in parts) or "(the whole plan)"
        before = "absent" if type(level.t1).__name__ == "NotPresent" else _shown(level.t1)
        after = "absent" if type(level.t2).__name__ == "NotPresent" else _shown(level.t2)
        found.append(f"{where}: saved {before}, planned now {after}")
    return found


def dump(plan: Plan) -> dict[str, Any]:
    """The saved form: the JSON plan plus the digest that apply checks."""
    return {**plan.to_dict(), "digest": digest(plan)}


def _action(item: _Action) -> Action:
    return Action(
        name=item.name,
        kind=item.action,
        reason=item.reason,
        id=item.id,
        resource=item.resource,
        updated_at=item.updated_at,
        changes=tuple(Change(c.path, c.before, c.after, c.origin, c.field if c.field != c.path else None) for c in item.changes),
        body=item.body,
        patch=item.patch,
        before=item.before,
        after=item.after,
        file=item.file,
        paused_reason=item.paused_reason,
        previous_name=item.previous_name,
        origin=item.origin,
        follows=item.follows,
    )


def parse(text: str) -> Plan:
    """A Plan from a saved file's text, or PlanFileError naming what is wrong."""
    plan, stated = load(text)
    if digest(plan) != stated:
        raise PlanFileError("it was edited after `agentops plan` wrote it (digest mismatch)")
    problems = [p for action in plan.actions for p in _action_problems(action, plan)]
    if problems:
        raise PlanFileError(problems[0])
    return plan


def load(text: str) -> tuple[Plan, str]:
    """The plan a saved file describes and the digest it states, its shape checked and nothing else."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise PlanFileError(f"not JSON ({type(exc).__name__})") from None
    if not isinstance(data, dict):
        raise PlanFileError("not a saved agentops plan (expected a JSON object)")
    if data.get("format_version") != FORMAT_VERSION:
        raise PlanFileError(
            f"plan format_version {data.get('format_version')!r} is not {FORMAT_VERSION}; "
            "make the plan again with this version of agentops"
        )
    try:
        saved = _PlanFile.model_validate_json(text)  # JSON mode: strict, yet enums from strings
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise PlanFileError(f"{where}: {first['msg']}") from None
    except RecursionError:
        raise PlanFileError("nested too deeply") from None
    for index, item in enumerate(saved.actions):
        derived = (item.id if item.resource == "deployment" else None, f"{item.resource}.{item.name}")
        if (item.deployment_id, item.address or derived[1]) != derived:
            raise PlanFileError(f"actions.{index}: deployment_id and address do not agree with resource, id and name")
    plan = Plan(
        stack=saved.stack,
        workspace_id=saved.workspace_id,
        actions=tuple(_action(a) for a in saved.actions),
        blockers=tuple(Blocker(p.message, p.name, p.file, p.hint, p.source) for p in saved.problems),
        warnings=tuple(saved.warnings),
        targets=tuple(saved.targets),
        base_ref=saved.base_ref,
        env=saved.env,
        resolved=tuple(sorted((kind, name, found) for kind, names in saved.resolved.items()
                              for name, found in names.items())),
        fleet=_fleet(saved.fleet),
        flags=Flags(
            adopt=saved.flags.adopt,
            no_prune=saved.flags.no_prune,
            targets=tuple(saved.flags.targets),
            max_archive=saved.flags.max_archive,
            allow_empty=saved.flags.allow_empty,
            strict_names=saved.flags.strict_names,
            new_stack=saved.flags.new_stack,
            destroy=saved.flags.destroy,
        ),
    )
    return plan, saved.digest


def _fleet(data: dict[str, Any] | None) -> Fleet | None:
    if data is None:
        return None
    try:
        return fleet_from_dict(data)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise PlanFileError(f"fleet: not the section agentops writes ({type(exc).__name__}: {exc})") from None


def _tag_problems(metadata: Mapping[str, Any], action: Action, plan: Plan, create: bool) -> list[str]:
    """Only the planner's own ownership tags, with the values the planner would give them."""
    own = {tags.STACK: plan.stack, tags.NAME: action.name, **({tags.ENV: plan.env} if plan.env else {})}
    if action.resource == CREDENTIAL:
        own = {}  # a credential is owned through its vault: its one agentops key is the fingerprint
    found = []
    for key, value in metadata.items():
        if not tags.is_reserved(key):
            continue
        if key in own and value != own[key]:
            found.append(f"{action.name}: sets {key} to {value!r}, not {own[key]!r}")
        elif (key == tags.PREVENT_ARCHIVE and value not in ("true", None)) or (key == tags.SECRETS and not (isinstance(value, str) or (value is None and not create))):
            found.append(f"{action.name}: sets {key} to {value!r}")
        elif key not in (*own, tags.PREVENT_ARCHIVE, tags.SECRETS):
            found.append(f"{action.name}: writes the reserved tag {key}")
    if create and any(metadata.get(key) != value for key, value in own.items()):
        found.append(f"{action.name}: the create body lacks this stack's ownership tags")
    return found


def _secret_problems(body: Mapping[str, Any], action: Action) -> list[str]:
    found = []
    for index, resource in enumerate(body.get("resources") or []):
        for field in SECRET_FIELDS:
            if isinstance(resource, Mapping) and field in resource and variable(resource[field]) is None:
                found.append(f"{action.name}: resources[{index}].{field} is not a ${{VAR}} reference")
    auth = body.get("auth")
    for path, value in credential.secrets(auth) if isinstance(auth, Mapping) else ():
        if variable(value) is None:
            found.append(f"{action.name}: auth.{'.'.join(path)} is not a ${{VAR}} reference")
    return found


def _action_problems(action: Action, plan: Plan) -> list[str]:
    kind = action.kind
    resource = RESOURCES[action.resource]
    if kind in (ActionKind.PAUSE, ActionKind.UNPAUSE) and action.resource != DEPLOYMENT:
        return [f"{action.address}: only a deployment can be {kind.past}"]
    if kind is ActionKind.CREATE:
        if action.body is None or action.id is not None or action.patch is not None:
            return [f"{action.name}: a create carries a body and no {action.resource} id or patch"]
        shape = _api_problems(resource.create, action.body, action)
        return shape or [
            *_tag_problems(action.body.get("metadata") or {}, action, plan, create=True),
            *_secret_problems(action.body, action),
        ]
    if kind is ActionKind.NOOP:
        return []
    if action.follows is not None and not _follows_an_update(action, plan):
        return [f"{action.name}: follows {action.follows}, which is no agent update of this plan"]
    # A created deployment's later steps (pause, schedule) act on the id its create returns.
    if action.id is None and not (action.resource == DEPLOYMENT and kind in (ActionKind.UPDATE, ActionKind.PAUSE)):
        return [f"{action.name}: a {kind} names no {action.resource} id"]
    if kind in (ActionKind.UPDATE, ActionKind.ADOPT):
        if action.patch is None or action.body is not None:
            return [f"{action.name}: an {kind} carries a patch and no body"]
        shape = _api_problems(resource.update, action.patch, action)
        return shape or [
            *_tag_problems(action.patch.get("metadata") or {}, action, plan, create=False),
            *_secret_problems(action.patch, action),
        ]
    if action.patch is not None or action.body is not None:
        return [f"{action.name}: a {kind} carries no body or patch"]
    return []


def _follows_an_update(action: Action, plan: Plan) -> bool:
    """A re-pin is a deployment update that waits for an agent update of the same plan."""
    return (action.resource == DEPLOYMENT and action.kind is ActionKind.UPDATE
            and any(a.address == action.follows and a.resource == "agent"
                    and a.kind in (ActionKind.UPDATE, ActionKind.ADOPT) for a in plan.actions))


def _api_problems(model: type[BaseModel], body: Mapping[str, Any], action: Action) -> list[str]:
    try:
        model.model_validate(body)
    except ValidationError as exc:
        first = exc.errors()[0]
        return [f"{action.name}: {spec.field_path(first['loc'], body)}: {first['msg']}"]
    except RecursionError:
        return [f"{action.name}: nested too deeply"]
    return []


def ownership_problems(plan: Plan, live: list[Live]) -> list[str]:
    """Every write's target as listed now must be this stack's (an adoption: untagged, same name)."""
    by_id = {item.id: item for item in live}
    found = []
    for action in plan.writes:
        target = by_id.get(action.id or "")
        if target is None:
            continue  # a create, or gone: the staleness check says so
        if target.kind != action.resource:
            found.append(f"{action.name}: {target.id} is a {target.kind}, not a {action.resource}")
            continue
        if action.kind is ActionKind.ADOPT:
            if not target.adoptable_as(action.name, plan.stack, plan.env):
                found.append(f"{action.name}: {target.id} is not an untagged {target.kind} of that name")
        elif target.stack != plan.stack:
            owner = f"stack {target.stack!r}" if target.stack else "no stack (untagged)"
            found.append(f"{action.name}: {target.id} belongs to {owner}, not {plan.stack!r}")
        elif target.env != plan.env:
            found.append(f"{action.name}: {target.id} belongs to environment {target.env!r}, not {plan.env!r}")
        elif action.kind is not ActionKind.ARCHIVE and target.tag_name not in (action.name, action.previous_name):
            found.append(f"{action.name}: {target.id} is tagged as {target.tag_name!r}")
    return found
