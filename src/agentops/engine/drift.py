"""Tell a pull request's own changes apart from drift: a pure comparison of two plans.

The head plan (the manifests of the change) and the base plan (the manifests at the base
ref) are made against the same live state. Whatever the base plan would also do is not
caused by the change: live already differs from the base manifests.
"""

from __future__ import annotations

from dataclasses import replace

from agentops.engine.desired import Desired
from agentops.engine.diff import Change
from agentops.engine.identity import Live
from agentops.engine.plan import Action, ActionKind, Options, Plan, build_plan

CHANGE = "change"
DRIFT = "drift"

_Key = tuple[str, str, str, str | None]


def _key(action: Action) -> _Key:
    return (action.resource, action.name, action.kind.value, action.id)


def _same(change: Change, other: Change) -> bool:
    return (change.path, change.before, change.after) == (other.path, other.before, other.after)


def _label(action: Action, base: Action | None) -> Action:
    if action.kind is ActionKind.NOOP:
        return action
    if not action.changes:
        return replace(action, origin=DRIFT if base is not None else CHANGE)
    known = base.changes if base is not None else ()
    changes = tuple(
        replace(c, origin=DRIFT if any(_same(c, b) for b in known) else CHANGE) for c in action.changes
    )
    # The action as a whole belongs to the change as soon as one of its field changes does.
    origin = CHANGE if any(c.origin == CHANGE for c in changes) else DRIFT
    return replace(action, changes=changes, origin=origin)


def label(head: Plan, base: Plan, base_ref: str) -> Plan:
    """`head` with every write (and every field change) labelled "change" or "drift"."""
    planned_at_base = {_key(a): a for a in base.actions}
    actions = tuple(_label(a, planned_at_base.get(_key(a))) for a in head.actions)
    return replace(head, actions=actions, base_ref=base_ref)


def label_against(
    head: Plan, base_wants: list[Desired] | None, live: list[Live], options: Options, ref: str
) -> Plan:
    """`head` labelled by planning the desired state at `ref` against the same `live`.

    `base_wants` is None when the manifests at `ref` had problems: nothing is labelled then.
    """
    if base_wants is None:
        warning = f"the manifests at {ref} have problems; changes are not labelled as drift"
        return replace(head, warnings=(*head.warnings, warning))
    return label(head, build_plan(base_wants, live, options), ref)
