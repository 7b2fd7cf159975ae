"""The plan: a serializable value of actions and blocking problems, and the pure planner that makes it."""

from __future__ import annotations

import difflib
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from agentops.engine.desired import Desired
from agentops.engine.destroy import in_use
from agentops.engine.diff import Change, changes, patch
from agentops.engine.egress import blocked
from agentops.engine.fleet.section import Fleet
from agentops.engine.highlights import Highlight, agent_highlights
from agentops.engine.identity import Live, Match, Matching, match
from agentops.engine.normalize import Context, normalize, same_shape, unknown_kinds
from agentops.engine.resources import DEPLOYMENT, ORDER, Resource, pending_refs, phase
from agentops.engine.stranded import stranded
from agentops.engine.terms import in_manifest_terms, topic
from agentops.engine.versions import Repin, follow
from agentops.model import tags
from agentops.model.errors import pause_error
from agentops.model.problems import Where
from agentops.model.words import did_you_mean, plural

# 3: a plan records the flags it was made with (`flags`), so apply can make it again.
# 4: actions carry their object's kind (`resource`), its `id` and `address`, and their `phase`.
FORMAT_VERSION = 4


class ActionKind(StrEnum):
    """What an action does; it owns its symbol, colour, apply phase and past tense."""

    CREATE = "create"
    UPDATE = "update"
    ADOPT = "adopt"
    PAUSE = "pause"
    UNPAUSE = "unpause"
    ARCHIVE = "archive"
    NOOP = "noop"

    @property
    def symbol(self) -> str:
        return _LOOKS[self][0]

    @property
    def color(self) -> str:
        return _LOOKS[self][1]

    @property
    def past(self) -> str:
        return _LOOKS[self][2]

    @property
    def summary(self) -> ActionKind:
        """The kind an action counts as in the summary line (an adoption is an update)."""
        return ActionKind.UPDATE if self is ActionKind.ADOPT else self


_LOOKS = {
    ActionKind.CREATE: ("+", "green", "created"),
    ActionKind.UPDATE: ("~", "yellow", "updated"),
    ActionKind.ADOPT: ("~", "cyan", "adopted"),
    ActionKind.PAUSE: ("‖", "magenta", "paused"),
    ActionKind.UNPAUSE: ("▶", "blue", "unpaused"),
    ActionKind.ARCHIVE: ("-", "red", "archived"),
    ActionKind.NOOP: ("=", "white", "unchanged"),
}
# Kinds the API deletes rather than archives (a skill has no archive): the action stays ARCHIVE, so guards,
# order and saved plans are the same; only the words a person reads say "delete".
DELETED_KINDS = frozenset({"skill"})
SUMMARY_KINDS = (ActionKind.CREATE, ActionKind.UPDATE, ActionKind.PAUSE, ActionKind.UNPAUSE, ActionKind.ARCHIVE)


@dataclass(frozen=True)
class Action:
    name: str
    kind: ActionKind
    reason: str
    id: str | None = None  # the live object's id; None for a create (and the steps after it)
    updated_at: str | None = None  # the target's live updated_at when planned: a saved plan's staleness check
    changes: tuple[Change, ...] = ()
    body: dict[str, Any] | None = None  # create: the whole create body
    patch: dict[str, Any] | None = None  # update/adopt: exactly what is sent
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    file: str | None = None
    paused_reason: dict[str, Any] | None = None
    previous_name: str | None = None  # a rename through previous_names: the name it had
    origin: str | None = None  # set by `plan --base-ref`: "change" (this change) or "drift"
    resource: str = DEPLOYMENT  # the kind of object acted on (engine/resources.py)
    # A re-pin to the version an agent update of the same apply makes: that update's address. The
    # executor sends the version the update's response names, and nothing if the update failed.
    follows: str | None = None

    @property
    def verb(self) -> str:
        """The action in words: "delete" for the removal of a kind the API deletes, else the kind's value."""
        return "delete" if self.kind is ActionKind.ARCHIVE and self.resource in DELETED_KINDS else self.kind.value

    @property
    def past(self) -> str:
        """The verb in the past tense, as an apply reports it ("deleted" for a skill)."""
        return "deleted" if self.verb == "delete" else self.kind.past

    @property
    def deployment_id(self) -> str | None:
        """The id when the object is a deployment (what the fleet, status and health read)."""
        return self.id if self.resource == DEPLOYMENT else None

    @property
    def label(self) -> str:
        """How a person reads the object: a deployment by its name, another kind with its kind first."""
        return self.name if self.resource == DEPLOYMENT else f"{self.resource} {self.name}"

    @property
    def address(self) -> str:
        """Terraform's address: `agent.triage-bot`."""
        return f"{self.resource}.{self.name}"

    @functools.cached_property
    def waits_for(self) -> frozenset[tuple[str, str]]:
        """The objects this write references that the same apply creates first: (kind, name)."""
        return frozenset(pending_refs(self.body) | pending_refs(self.patch))

    @property
    def phase(self) -> int:
        """Apply order: creates and updates kind by kind (environments, agents, deployments), a
        deployment's own steps together, archives last and in reverse (engine/resources.py)."""
        return phase(self.resource, self.kind is ActionKind.ARCHIVE,
                     any(kind == self.resource for kind, _ in self.waits_for))

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "resource": self.resource,
            "address": self.address,
            "action": self.kind.value,
            "verb": self.verb,
            "reason": self.reason,
            "id": self.id,
            "deployment_id": self.deployment_id,
            "phase": self.phase,
            "updated_at": self.updated_at,
            "file": self.file,
            "changes": [c.to_dict() for c in self.changes],
            "body": self.body,
            "patch": self.patch,
            "before": self.before,
            "after": self.after,
            "paused_reason": self.paused_reason,
            "previous_name": self.previous_name,
            "origin": self.origin,
            "follows": self.follows,
        }


@dataclass(frozen=True)
class Blocker:
    """A problem that makes the plan unsafe to apply (conflict, missing reference, guard)."""

    message: str
    name: str | None = None
    file: str | None = None  # "file:line" in this checkout the problem is in (a manifest's, agentops.yaml's)
    hint: str | None = None  # what to do about it
    source: str | None = None  # without a file: the flag, the workspace or the other revision it comes from

    @classmethod
    def at(cls, where: Where, message: str, hint: str | None = None) -> Blocker:
        """A blocker that is no manifest's, caused by the setting written (or given) at `where`."""
        return cls(message, None, where.file, hint, where.source)

    def __str__(self) -> str:
        place = self.file or self.source
        where = f"{place}: " if place else ""
        who = f"{self.name}: " if self.name else ""
        hint = f" ({self.hint})" if self.hint else ""
        return f"{where}{who}{self.message}{hint}"

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "file": self.file, "source": self.source, "message": self.message,
                "hint": self.hint}


@dataclass(frozen=True)
class Flags:
    """What `plan` was asked for beyond the manifests and agentops.yaml; a saved plan records them so
    that apply plans again alike."""

    adopt: bool = False
    no_prune: bool = False
    targets: tuple[str, ...] = ()
    max_archive: int | None = None  # None: agentops.yaml's max_archive
    allow_empty: bool = False
    strict_names: bool = False
    new_stack: bool = False
    # `agentops destroy`: plan as if no manifest were declared, archiving everything the stack owns
    # in the environment (lifecycle.prevent_archive still keeps an object).
    destroy: bool = False
    # apply --auto-approve: nobody confirms this plan. Not recorded: a saved plan was reviewed.
    unattended: bool = False

    # Flags that let a plan do more than the manifests and agentops.yaml allow on their own: a
    # saved plan's claim to them counts only when apply is given them too.
    GRANTING = ("adopt", "max_archive", "allow_empty", "new_stack", "destroy")

    def options(self, stack: str, max_archive: int | None, settings: Mapping[str, Where] | None = None) -> Options:
        """The planner's options for `stack`, `max_archive` being agentops.yaml's (written at
        `settings["max_archive"]`, unless --max-archive overrides it)."""
        written = dict(settings or {})
        if self.max_archive is not None:
            written["max_archive"] = Where(source="--max-archive")
        return Options(
            stack=stack,
            adopt=self.adopt,
            prune=self.destroy or not self.no_prune,
            max_archive=self.max_archive if self.max_archive is not None else max_archive,
            targets=self.targets,
            allow_empty=self.destroy or self.allow_empty,
            destroy=self.destroy,
            strict_names=self.strict_names,
            new_stack=self.new_stack,
            unattended=self.unattended,
            settings=written,
        )

    def granted_beyond(self, given: Flags) -> list[str]:
        """The granting flags this plan was made with that `given` (apply's own) does not repeat."""
        return [f"--{name.replace('_', '-')}" for name in self.GRANTING
                if getattr(self, name) not in (None, False) and getattr(self, name) != getattr(given, name)]

    def to_dict(self) -> dict[str, Any]:
        return {"adopt": self.adopt, "no_prune": self.no_prune, "targets": list(self.targets),
                "max_archive": self.max_archive, "allow_empty": self.allow_empty, "strict_names": self.strict_names,
                "new_stack": self.new_stack, "destroy": self.destroy}


@dataclass(frozen=True)
class Options:
    stack: str
    adopt: bool = False
    prune: bool = True
    max_archive: int | None = None
    targets: tuple[str, ...] = ()
    partial: bool = False  # only part of the manifests folder was loaded: pruning would be wrong
    allow_empty: bool = False
    strict_names: bool = False  # a name live in another stack blocks, instead of warning
    # Nobody confirms this plan (`apply --auto-approve`): a stack new to the workspace whose names
    # other stacks run blocks, unless `new_stack` says the name is meant (a --stack typo otherwise).
    unattended: bool = False
    new_stack: bool = False
    destroy: bool = False  # no manifest is wanted: every object the stack owns is archived (Flags.destroy)
    env: str | None = None  # the environment planned for, when agentops.yaml declares them
    # Where the settings a plan-wide blocker comes from are written or given: "max_archive" and
    # "stack" -> a line of agentops.yaml, a flag or the base revision; "folder": the manifests folder.
    settings: Mapping[str, Where] = field(default_factory=dict)


@dataclass(frozen=True)
class Plan:
    stack: str
    actions: tuple[Action, ...]
    blockers: tuple[Blocker, ...] = ()
    warnings: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()
    workspace_id: str | None = None
    base_ref: str | None = None  # the git ref changes were labelled against (`plan --base-ref`)
    fleet: Fleet | None = None  # schedule load and spend, before -> after (engine/fleet/)
    env: str | None = None
    # (kind, name, id) of every reference by name the plan resolved: a saved plan is applied
    # only while these names still resolve to the same ids.
    resolved: tuple[tuple[str, str, str], ...] = ()
    flags: Flags = Flags()
    # What the change under review does to agentops.yaml's guards (`plan --base-ref`); the base's are enforced.
    guard_changes: tuple[str, ...] = ()
    # (deployment id, why) of every deployment without a manifest that this plan keeps rather than
    # archives: `status` says so from here, never from a guess of its own.
    kept: tuple[tuple[str, str], ...] = ()

    def resolved_dict(self) -> dict[str, dict[str, str]]:
        out: dict[str, dict[str, str]] = {}
        for kind, name, found in self.resolved:
            out.setdefault(kind, {})[name] = found
        return out

    @property
    def applyable(self) -> bool:
        return not self.blockers

    @property
    def errored(self) -> bool:
        return bool(self.blockers)

    @property
    def writes(self) -> list[Action]:
        return [a for a in self.actions if a.kind is not ActionKind.NOOP]

    @property
    def deployment_actions(self) -> list[Action]:
        """The actions on deployments (what the fleet section and status read)."""
        return [a for a in self.actions if a.resource == DEPLOYMENT]

    @property
    def has_changes(self) -> bool:
        return bool(self.writes)

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys((k.value for k in ActionKind), 0)
        for action in self.actions:
            counts[action.kind.value] += 1
        return counts

    def tally(self) -> dict[ActionKind, int]:
        """The summary's counts, one per unit: a paused create's pause and schedule steps count with
        its create, a deployment's own update and its re-pin as one update."""
        tally = dict.fromkeys(SUMMARY_KINDS, 0)
        counted: set[int | str] = set()
        for action in self.writes:
            key = self.unit(action)
            # A created object counts by its create, whatever order its steps are listed in.
            if key in counted or (key in self._created and action.kind is not ActionKind.CREATE):
                continue
            counted.add(key)
            tally[action.kind.summary] += 1
        return tally

    def unit(self, action: Action) -> int | str:
        """What `action` counts as in the summary and the apply result: an object this plan creates
        (its address: the create and its later steps), the updates of one live object (its own and a
        re-pin: one update), else the action itself."""
        if action.id is None and action.address in self._created:
            return action.address
        if action.kind.summary is ActionKind.UPDATE:
            return f"~{action.address}"
        return id(action)

    def settled(self, outcomes: Iterable[tuple[Action, bool]]) -> tuple[int, int]:
        """(succeeded, failed) of the executed actions, counted as the summary counts: a created
        object is one, and failed if any of its steps failed."""
        units: dict[int | str, bool] = {}
        for action, ok in outcomes:
            key = self.unit(action)
            units[key] = units.get(key, True) and ok
        succeeded = sum(units.values())
        return succeeded, len(units) - succeeded

    @functools.cached_property
    def _created(self) -> frozenset[str]:
        return frozenset(a.address for a in self.actions if a.kind is ActionKind.CREATE)

    def archived(self) -> str:
        """What the plan archives and deletes, by kind in the order they run: "archives 1 agent and deletes 1 skill"."""
        return archived_phrase(self.writes)

    @property
    def archived_noun(self) -> str:
        """What the removals stop for good, in words: "archived deployments", "archived objects", "deleted
        skills", or "archived and deleted objects" when a skill's delete is among archives."""
        kinds = {a.resource for a in self.writes if a.kind is ActionKind.ARCHIVE}
        if kinds <= DELETED_KINDS:
            return "deleted skills"
        noun = "archived deployments" if kinds <= {DEPLOYMENT} else "archived objects"
        return noun if not kinds & DELETED_KINDS else "archived and deleted objects"

    def order(self) -> list[tuple[int, list[str]]]:
        """The phases apply runs, each with the addresses of its writes (in parallel within one)."""
        phases: dict[int, list[str]] = {}
        for action in self.writes:
            addresses = phases.setdefault(action.phase, [])
            if action.address not in addresses:
                addresses.append(action.address)
        return sorted(phases.items())

    @property
    def highlights(self) -> list[Highlight]:
        """The model and tool permission changes of the agents this plan updates: shown first in every view."""
        return [found for a in self.writes if a.resource == "agent" and a.before and a.after
                for found in agent_highlights(a.address, a.label, a.before, a.after)]

    def summary(self) -> str:
        parts = ", ".join(f"{count} to {kind.value}" for kind, count in self.tally().items())
        return f"Plan: {parts}."

    def to_dict(self) -> dict[str, Any]:
        return {
            "format_version": FORMAT_VERSION,
            "stack": self.stack,
            "workspace_id": self.workspace_id,
            "base_ref": self.base_ref,
            "env": self.env,
            "resolved": self.resolved_dict(),
            "applyable": self.applyable,
            "errored": self.errored,
            "has_changes": self.has_changes,
            "counts": self.counts(),
            "summary": self.summary(),
            "targets": list(self.targets),
            "flags": self.flags.to_dict(),
            "guard_changes": list(self.guard_changes),
            "warnings": list(self.warnings),
            "highlights": [h.to_dict() for h in self.highlights],
            "problems": [b.to_dict() for b in self.blockers],
            "order": [addresses for _phase, addresses in self.order()],
            "actions": [a.to_dict() for a in self.actions],
            **({"fleet": self.fleet.to_dict()} if self.fleet is not None else {}),
        }


def describe_pause(reason: Any) -> str:
    """Say why a live deployment is paused, in words (an auto-pause names its error)."""
    error = pause_error(reason)
    if error is not None:
        return f"auto-paused after a failed run ({error})"
    if not isinstance(reason, dict):
        return "paused"
    if reason.get("type") == "manual":
        # A pause by hand and one by an earlier `status: paused` look the same to the API.
        return "paused through the API (by hand or by an earlier status: paused; the API does not say which)"
    return f"paused ({reason.get('type')})"


def _topics(found: list[Change]) -> list[str]:
    """The top-level keys a list of changes touches, in the manifest's terms, in order."""
    return list(dict.fromkeys(topic(change) for change in found))


def context(want: Desired) -> Context:
    return Context(
        agent_pinned=want.agent_pinned,
        ignore_changes=want.ignore_changes,
        secrets_unknown=bool(want.unset_secrets),
        given=want.given,
    )


def _created(want: Desired, after: dict[str, Any]) -> list[Action]:
    """A create; for a paused manifest, created without its schedule, paused, then scheduled,
    so there is no moment at which it is active with a schedule that could fire."""
    reason = "no live deployment has this name"
    if want.status != "paused":
        return [Action(want.name, ActionKind.CREATE, reason, body=want.body, after=after, file=want.file)]
    body = {k: v for k, v in want.body.items() if k != "schedule"}
    steps = [
        Action(want.name, ActionKind.CREATE, reason + " (created paused)", body=body, after=after, file=want.file),
        Action(want.name, ActionKind.PAUSE, "manifest says status: paused", file=want.file),
    ]
    if "schedule" in want.body:
        schedule = {"schedule": want.body["schedule"]}
        steps.append(
            Action(
                want.name,
                ActionKind.UPDATE,
                "schedule set once paused (manifest says status: paused)",
                changes=(Change("schedule", None, after.get("schedule")),),
                patch=schedule,
                file=want.file,
            )
        )
    return steps


def _deployment_actions(item: Match) -> list[Action]:
    want, live = item.desired, item.live
    if not want.resolved:
        return []  # its body is incomplete; the unresolved name blocks the plan, and keeps its deployment
    ctx = context(want)
    after = normalize(want.body, ctx)
    if live is None:
        return _created(want, after)

    # Most deployments of a plan are in sync: that is settled without normalizing the live
    # fields that are equal to the manifest's (and then `before` equals `after`).
    in_sync = not item.adopt and same_shape(live.body, ctx, want.body, after)
    before = after if in_sync else normalize(live.body, ctx)
    found = [] if in_sync else in_manifest_terms(changes(before, after), want.keys, want.body)
    common: dict[str, Any] = {
        "id": live.id,
        "updated_at": live.updated_at,
        "file": want.file,
        "previous_name": item.renamed_from,  # every step of a renamed deployment: its tag still says so
    }
    update: list[Action] = []
    if item.adopt or found:
        if item.adopt:
            kind, reason = ActionKind.ADOPT, f"untagged deployment {live.id} has this name; --adopt takes it over"
        elif item.renamed_from:
            kind, reason = ActionKind.UPDATE, f"renamed from {item.renamed_from!r} (previous_names)"
        else:
            kind, reason = ActionKind.UPDATE, "live differs from manifest in " + ", ".join(_topics(found))
        update.append(
            Action(
                want.name,
                kind,
                reason,
                changes=tuple(found),
                patch=patch(before, after, want.body),
                before=before,
                after=after,
                **common,
            )
        )
    status: list[Action] = []
    if "status" not in want.ignore_changes:
        if want.status == "paused" and live.status != "paused":
            status.append(Action(want.name, ActionKind.PAUSE, "manifest says status: paused", **common))
        elif want.status == "active" and live.status == "paused":
            reason = f"{describe_pause(live.paused_reason)}; manifest says status: active"
            status.append(
                Action(want.name, ActionKind.UNPAUSE, reason, paused_reason=dict(live.paused_reason or {}), **common)
            )
    if not update and not status:
        return [Action(want.name, ActionKind.NOOP, "in sync", **common)]
    # Pause before changing what could fire; unpause only once the deployment is as the manifest says.
    pausing = any(a.kind is ActionKind.PAUSE for a in status)
    return [*status, *update] if pausing else [*update, *status]


def _object_actions(resource: Resource, item: Match) -> list[Action]:
    """The create, update (or adoption) or nothing of an object without a status of its own (an
    agent, an environment): the same normalized pair gives the changes shown and the patch sent."""
    want, live = item.desired, item.live
    if not want.resolved:
        return []  # its body is incomplete; the unresolved name blocks the plan
    ctx = context(want)
    after = resource.normalize(want.body, ctx)
    noun = resource.kind
    if live is None:
        return [Action(want.name, ActionKind.CREATE, f"no live {noun} has this name", body=want.body, after=after,
                       file=want.file, resource=noun)]
    before = resource.normalize(live.body, ctx)
    found = in_manifest_terms(changes(before, after, resource.fields, f"{resource.secrets_in}.secrets"), want.keys,
                              want.body)
    common: dict[str, Any] = {"id": live.id, "updated_at": live.updated_at, "file": want.file,
                              "previous_name": item.renamed_from, "resource": noun}
    why = resource.replace(before, after) if resource.replace is not None and not item.adopt else None
    if why is not None:
        # The new object first, the old one archived last (archives run after every create and update),
        # so nothing that uses it runs a moment without one.
        return [Action(want.name, ActionKind.CREATE, f"replaces {live.id}: {why}", changes=tuple(found),
                       body=want.body, before=before, after=after, file=want.file, resource=noun),
                _archive(live, f"replaced by the new {noun} ({why})")]
    if item.adopt:
        kind, reason = ActionKind.ADOPT, f"untagged {noun} {live.id} has this name; --adopt takes it over"
    elif item.renamed_from and found:
        kind, reason = ActionKind.UPDATE, f"renamed from {item.renamed_from!r} (previous_names)"
    elif found:
        kind, reason = ActionKind.UPDATE, "live differs from manifest in " + ", ".join(_topics(found))
    else:
        return [Action(want.name, ActionKind.NOOP, "in sync", **common)]
    sent = dict(want.body) if resource.whole else patch(before, after, want.body, resource)
    if resource.concurrency is not None and live.body.get(resource.concurrency) is not None:
        sent[resource.concurrency] = live.body[resource.concurrency]  # planned against this one (else a 409)
    return [Action(want.name, kind, reason, changes=tuple(found), patch=sent, before=before, after=after, **common)]


def _repins(matching: Matching, agents: list[Live], planned: list[Action], own: list[Action]) -> tuple[list[Action], list[str]]:
    """The re-pin of every following deployment whose agent moves (engine/versions.py), and warnings
    for pinned ones left behind."""
    updated = {a.id: a.address for a in planned
               if a.resource == "agent" and a.id and a.kind in (ActionKind.UPDATE, ActionKind.ADOPT)}
    rewritten = [a.id for a in own if a.id and a.patch is not None and "agent" in a.patch]
    repins, warnings = follow(matching.matches, agents, updated, rewritten)
    return [_repin(item) for item in repins], warnings


def _repin(item: Repin) -> Action:
    live = item.live
    return Action(live.tag_name or live.name, ActionKind.UPDATE, item.reason, id=live.id, updated_at=live.updated_at,
                  file=item.file, changes=(Change("agent.version", item.current, item.target),), patch=item.patch,
                  follows=item.update)


def _unfollowed(actions: list[Action]) -> list[Blocker]:
    """A re-pin to the version an agent update makes, that update left out by --target: that
    version would not exist."""
    present = {a.address for a in actions}
    return [Blocker(f"is re-pinned to the version {a.follows} makes; add --target {a.follows.split('.', 1)[1]}",
                    a.name, a.file) for a in actions if a.follows is not None and a.follows not in present]


def _archive(live: Live, reason: str) -> Action:
    return Action(
        live.tag_name or live.name, ActionKind.ARCHIVE, reason, id=live.id, updated_at=live.updated_at,
        resource=live.kind,
    )


def _live_elsewhere(matching: Matching, live: list[Live], options: Options) -> list[tuple[str, str]]:
    """Creates whose name another stack of the workspace already runs: often a `--stack` typo."""
    others: dict[str, list[Live]] = {}
    for deployment in live:
        if deployment.stack is not None and deployment.stack != options.stack and deployment.tag_name:
            others.setdefault(deployment.tag_name, []).append(deployment)
    found = []
    for pair in matching.matches:
        if pair.live is None and pair.desired.name in others:
            owners = ", ".join(sorted({f"{o.id} (stack {o.stack!r})" for o in others[pair.desired.name]}))
            found.append((
                pair.desired.name,
                f"would be created, but this name is live in another stack: {owners}; "
                f"is --stack {options.stack!r} right?",
            ))
    return found


def _unknown_stack(elsewhere: list[tuple[str, str]], live: list[Live], options: Options) -> list[Blocker]:
    """Unattended, a stack no live deployment carries, while other stacks run its names, is most
    likely a mistyped --stack: applying would run every one of them twice."""
    if not elsewhere or not options.unattended or options.new_stack:
        return []
    if any(deployment.stack == options.stack for deployment in live):
        return []
    names = sorted(name for name, _ in elsewhere)
    shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    return [Blocker.at(
        options.settings.get("stack", Where()),
        f"no live deployment belongs to stack {options.stack!r}, but other stacks already run {shown}: "
        "is the stack right? Pass --new-stack if this is a new stack meant to run them again"
    )]


def _unknown_targets(wanted: set[str], actions: list[Action], desired: list[Desired]) -> list[Blocker]:
    """A --target that names nothing is a typo, not "no changes"."""
    known = {a.name for a in actions} | {w.name for w in desired}
    found = []
    for name in sorted(wanted - known):
        found.append(Blocker.at(Where(source="--target"), f"--target {name!r} matches no manifest or deployment "
                                "of this stack", did_you_mean(name, known)))
    return found


def _unset_secret_blockers(desired: list[Desired]) -> list[Blocker]:
    return [
        Blocker(
            f"environment variable {name} is not set (export it before plan or apply)",
            want.name,
            want.secrets_at.get(name, want.where),
        )
        for want in desired
        for name in want.unset_secrets
    ]


def _name_blockers(desired: list[Desired]) -> list[Blocker]:
    return [
        Blocker(f"{item.problem} (referenced by name)", want.name, item.where, item.hint)
        for want in desired
        for item in want.named
        if item.problem
    ]


def _resolved(desired: list[Desired]) -> tuple[tuple[str, str, str], ...]:
    return tuple(sorted({(i.ref.kind, i.ref.name, i.id) for w in desired for i in w.named if i.id is not None}))


def _conflicts(matching: Matching, options: Options) -> list[Blocker]:
    """Live objects with a manifest's name that this stack may not take over without --adopt."""
    out = []
    for want, other in matching.conflicts:
        what = (f"{other.kind} {other.id} of this stack has no {tags.ENV} tag yet"
                if other.stack == options.stack else f"an untagged {other.kind} {other.id} named {want.name!r} already exists")
        out.append(Blocker(what, want.name, want.where, "pass --adopt to manage it (or rename the manifest)"))
    return out


def _clashes(resource: Resource, matching: Matching) -> list[Blocker]:
    """Replacements that cannot create the new object first: what they keep two live objects cannot share."""
    out = []
    for item in matching.matches:
        if resource.clash is None or resource.replace is None or item.live is None or item.adopt:
            continue
        want = item.desired
        ctx = context(want)
        before, after = resource.normalize(item.live.body, ctx), resource.normalize(want.body, ctx)
        kept = resource.clash(before, after) if resource.replace(before, after) is not None else None
        if kept is not None:
            out.append(Blocker(f"{resource.replace(before, after)}, and the replacement keeps {kept}: a vault holds "
                               f"one active {resource.kind} per MCP server, so the new one cannot be created before "
                               "the old one is archived", want.name, want.where,
                               f"change it in two applies: remove the {resource.kind} (apply archives it), then add "
                               "it back changed; its MCP server has no credential in between"))
    return out


def _taken(resource: Resource, matching: Matching) -> list[Blocker]:
    """New objects whose MCP server a live one of the same parent no manifest claims still holds (a
    credential renamed, or removed and added again): the API would refuse the create, made first."""
    if resource.clash is None:
        return []
    held: dict[tuple[str, Any], str] = {}
    for orphan in matching.orphans:
        name = orphan.tag_name or orphan.name
        url = (orphan.body.get("auth") or {}).get("mcp_server_url")
        if url is not None:
            held[(name.rpartition("/")[0], url)] = name
    out = []
    for item in matching.matches:
        want = item.desired
        url = (want.body.get("auth") or {}).get("mcp_server_url")
        old = held.get((want.name.rpartition("/")[0], url)) if item.live is None and url is not None else None
        if old is not None:
            out.append(Blocker(f"{old} still holds MCP server {url}: a vault holds one active {resource.kind} per "
                               "MCP server, so this one cannot be created before that one is archived",
                               want.name, want.where,
                               f"change it in two applies: remove {old} (apply archives it), then add this one; "
                               "if it is a rename, keep the old display_name"))
    return out


def _matched_actions(resource: Resource, matching: Matching) -> tuple[list[Action], list[str]]:
    """Every manifest's steps and every duplicate's archive; warnings about live fields no manifest can hold."""
    actions: list[Action] = []
    warnings: list[str] = []
    for item in matching.matches:
        if resource.kind != DEPLOYMENT:
            actions.extend(_object_actions(resource, item))
            continue
        actions.extend(_deployment_actions(item))
        for kind in unknown_kinds(item.live.body) if item.live is not None else ():
            warnings.append(f"{item.desired.name}: live {kind} cannot be written in a manifest; it is not compared")
    for extra, kept in matching.duplicates:
        actions.append(_archive(extra, f"duplicate of {kept.id} (the oldest is kept)"))
    return actions, warnings


def _prune(
    orphans: list[Live], desired: list[Desired], options: Options
) -> tuple[list[Action], list[str], list[Blocker], list[tuple[str, str]]]:
    """Archives of managed objects of one kind that no manifest claims, within the guards (--no-prune,
    a partial load, an empty manifests folder, lifecycle.prevent_archive); the kept ones with why."""
    if not orphans:
        return [], [], [], []
    noun = orphans[0].kind
    count = plural(len(orphans), noun)
    if not options.prune:
        return [], [f"--no-prune: {count} without a manifest kept"], [], _all_kept(orphans, "--no-prune")
    if options.partial and not options.destroy:  # a destroy wants no manifest, loaded or not
        why = "only part of the manifests folder was loaded"
        return [], [f"{why}: {plural(len(orphans), f'other {noun}')} kept"], [], _all_kept(orphans, why)
    if not desired and not options.allow_empty:
        return [], [], [Blocker.at(
            options.settings.get("folder", Where()),
            f"no manifests found: refusing to archive all {count} of stack "
            f"{options.stack!r} (pass --allow-empty if that is really wanted)"
        )], _all_kept(orphans, "no manifests found; --allow-empty archives it")
    actions, warnings, kept = [], [], []
    for orphan in orphans:
        if orphan.metadata.get(tags.PREVENT_ARCHIVE) == "true":
            what = orphan.tag_name if orphan.kind == DEPLOYMENT else f"{orphan.kind} {orphan.tag_name}"
            why = "kept" if options.destroy else "no manifest, kept"  # a destroy's objects may have one
            # A skill declares its guard in SKILL.md's metadata (manifest/skill_schema.py), recorded as the tag.
            guard = "agentops.prevent_delete" if orphan.kind in DELETED_KINDS else "lifecycle.prevent_archive"
            warnings.append(f"{what}: {why} because of {guard}")
            kept.append((orphan.id, "prevent_archive"))
        else:
            actions.append(_archive(orphan, "destroy" if options.destroy else "no manifest claims it (prune)"))
    return actions, warnings, [], kept


def _all_kept(orphans: list[Live], why: str) -> list[tuple[str, str]]:
    return [(orphan.id, why) for orphan in orphans]


def _rename_hints(desired: list[Desired], actions: list[Action], orphans: list[Live]) -> list[str]:
    """A create and an archive that look like one deployment renamed without `previous_names`:
    the same prompt and schedule, or close names."""
    archived = {a.deployment_id for a in actions if a.kind is ActionKind.ARCHIVE}
    gone = [o for o in orphans if o.id in archived]
    created = {a.name for a in actions if a.kind is ActionKind.CREATE}
    hints = []
    for want in (w for w in desired if w.name in created):
        for old in gone:
            old_name = old.tag_name or old.name
            alike = all(normalize(old.body, context(want)).get(k) == normalize(want.body, context(want)).get(k)
                        for k in ("initial_events", "schedule", "agent", "environment_id"))
            close = difflib.SequenceMatcher(None, want.name, old_name).ratio() >= 0.8
            if alike or close:
                hints.append(f"{want.name}: created while {old_name} ({old.id}) is archived; if it is a rename, "
                             f"add previous_names: [{old_name}] to its manifest to keep the deployment and its runs")
    return hints


def archived_phrase(actions: Iterable[Action]) -> str:
    """The archives among `actions` counted by kind, in the order they run, with their verb: "archives
    2 deployments and 1 agent", "deletes 1 skill" (a skill is deleted, not archived)."""
    counts: dict[str, int] = {}
    for action in actions:
        if action.kind is ActionKind.ARCHIVE:
            counts[action.resource] = counts.get(action.resource, 0) + 1
    archived = [plural(counts[r.kind], r.kind) for r in reversed(ORDER) if r.kind in counts and r.kind not in DELETED_KINDS]
    deleted = [plural(counts[r.kind], r.kind) for r in reversed(ORDER) if r.kind in counts and r.kind in DELETED_KINDS]
    phrases = [f"{verb} {_and(parts)}" for verb, parts in (("archives", archived), ("deletes", deleted)) if parts]
    return " and ".join(phrases) or "archives 0 deployments"


def _and(parts: list[str]) -> str:
    return " and ".join([", ".join(parts[:-1]), parts[-1]] if len(parts) > 1 else parts)


def _egress(desired: list[Desired], live: list[Live]) -> tuple[list[Blocker], list[str]]:
    """MCP servers a deployment's environment would not let it reach (engine/egress.py): a blocker for
    a deployment that would run, a warning for a paused one (it fails only once unpaused)."""
    problems, warnings = [], []
    for item in blocked(desired, live):
        want = item.deployment
        if want.status == "paused":
            warnings.append(f"{want.name}: {item.message} once unpaused")
        else:
            problems.append(Blocker(item.message, want.name, want.where, item.hint))
    return problems, warnings


def _stranding(actions: list[Action], deployments: list[Live]) -> list[Blocker]:
    """An archive of an agent or environment that leaves a live deployment (of any stack) on it: the
    API would auto-pause that deployment. Allowed when the same plan archives or repoints it."""
    archives = [a for a in actions if a.kind is ActionKind.ARCHIVE and a.id]
    patches: dict[str, list[dict[str, Any]]] = {}
    for action in actions:
        if action.deployment_id and action.patch is not None:
            patches.setdefault(action.deployment_id, []).append(action.patch)
    left = stranded([(a.resource, a.id or "") for a in archives], deployments,
                    [a.id for a in archives if a.resource == DEPLOYMENT and a.id], patches)
    out = []
    for action in archives:
        users = left.get((action.resource, action.id or ""), [])
        if not users:
            continue
        shown = ", ".join(f"{u.tag_name or u.name} ({u.id}" + (f", stack {u.stack!r})" if u.stack else ", untagged)")
                          for u in sorted(users, key=lambda u: u.id)[:5])
        more = f" and {len(users) - 5} more" if len(users) > 5 else ""
        out.append(Blocker(
            f"archiving {action.resource} {action.id} would leave {plural(len(users), 'live deployment')} on it, "
            f"which the API auto-pauses: {shown}{more}", action.label, action.file,
            f"archive or repoint {'them' if len(users) > 1 else 'it'} in the same plan, or keep the {action.resource} "
            "(lifecycle.prevent_archive, or restore its manifest)"))
    return out


def _archive_cap(actions: list[Action], options: Options) -> list[Blocker]:
    archives = sum(1 for a in actions if a.kind is ActionKind.ARCHIVE)
    if options.max_archive is None or archives <= options.max_archive:
        return []
    return [Blocker.at(options.settings.get("max_archive", Where()),
                       f"plan {archived_phrase(actions)}, more than the limit of {options.max_archive} "
                       "(--max-archive, or max_archive in agentops.yaml)")]


def _by_kind(items: Iterable[Any]) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {r.kind: [] for r in ORDER}
    for item in items:
        out.setdefault(item.kind, []).append(item)
    return out


_UPLOADS = (ActionKind.CREATE, ActionKind.UPDATE, ActionKind.ADOPT)


def _unmet(actions: list[Action]) -> list[Blocker]:
    """A write that references an object this plan creates, but whose create is not in the plan (left
    out by --target): it would reference an object that does not exist yet."""
    created = {(a.resource, a.name) for a in actions if a.kind is ActionKind.CREATE}
    # A skill's upload (its create or new version) makes the version an agent following it is given.
    created |= {("skill_version", a.name) for a in actions if a.resource == "skill" and a.kind in _UPLOADS}
    return [Blocker(f"references {kind} {name}, which this apply would have to create first; add --target {name}",
                    action.name, action.file)
            for action in actions for kind, name in sorted(action.waits_for) if (kind, name) not in created]


def _kept_in_use(actions: list[Action], live: list[Live]) -> tuple[list[Action], list[tuple[str, str]], list[str]]:
    """A destroy's archives less those something that stays live uses (engine/destroy.py), said so."""
    used = in_use({a.id for a in actions if a.kind is ActionKind.ARCHIVE and a.id}, live)
    held: list[tuple[str, str]] = []
    noted: list[str] = []
    for action in actions:
        user = used.get(action.id or "")
        if user is not None and action.id is not None:
            held.append((action.id, f"in use by {user.kind} {user.id}"))
            noted.append(f"{action.label}: kept, {user.kind} {user.tag_name or user.name} ({user.id}) stays live "
                         "and uses it")
    return [a for a in actions if (a.id or "") not in used], held, noted


def build_plan(
    desired: list[Desired],
    live: list[Live],
    options: Options,
    blockers: list[Blocker] | None = None,
    workspace_id: str | None = None,
) -> Plan:
    """Compare desired with live state and decide every action; pure and deterministic.

    `desired` and `live` hold every managed kind (their `kind` says which); each kind is matched
    and planned through its description in engine/resources.py, in the write order."""
    wants, lives = _by_kind(desired), _by_kind(live)
    deployments = lives[DEPLOYMENT]
    problems = [*(blockers or []), *_name_blockers(desired), *_unset_secret_blockers(desired)]
    warnings: list[str] = []
    actions: list[Action] = []
    kept: list[tuple[str, str]] = []
    for resource in ORDER:
        matching = match(wants[resource.kind], lives[resource.kind], options.stack, adopt=options.adopt,
                         env=options.env)
        problems.extend([*_conflicts(matching, options), *_clashes(resource, matching), *_taken(resource, matching)])
        found, noted = _matched_actions(resource, matching)
        archives, kept_warnings, refused, held = _prune(matching.orphans, desired, options)
        warnings.extend([*noted, *kept_warnings])
        problems.extend(refused)
        kept.extend(held)
        if resource.kind == DEPLOYMENT:
            repins, behind = _repins(matching, lives["agent"], actions, found)
            found.extend(repins)
            warnings.extend(behind)
            elsewhere = _live_elsewhere(matching, deployments, options)
            if options.strict_names:
                where = {want.name: want.where for want in wants[DEPLOYMENT]}
                problems.extend(Blocker(message, name, where.get(name)) for name, message in elsewhere)
            else:
                warnings.extend(f"{name}: {message}" for name, message in elsewhere)
            problems.extend(_unknown_stack(elsewhere, deployments, options))
            warnings.extend(_rename_hints(wants[DEPLOYMENT], [*found, *archives], matching.orphans))
        actions.extend([*found, *archives])
    if options.targets:
        wanted = set(options.targets)
        problems.extend(_unknown_targets(wanted, actions, desired))
        actions = [a for a in actions if a.name in wanted]
        warnings.append("plan limited to --target " + ", ".join(sorted(wanted)) + "; other changes are not shown")
        problems.extend(_unmet(actions))
        problems.extend(_unfollowed(actions))
    if options.destroy:
        actions, held_in_use, noted_in_use = _kept_in_use(actions, live)
        kept.extend(held_in_use)
        warnings.extend(noted_in_use)
    problems.extend(_archive_cap(actions, options))
    problems.extend(_stranding(actions, deployments))
    egress, unreachable = _egress(desired, live)
    problems.extend(egress)
    warnings.extend(unreachable)
    # A stable sort: an object's own steps keep the order the planner gave them.
    actions.sort(key=lambda a: (a.phase, a.name, a.id or ""))
    return Plan(
        stack=options.stack,
        actions=tuple(actions),
        blockers=tuple(problems),
        warnings=tuple(warnings),
        targets=tuple(sorted(options.targets)),
        workspace_id=workspace_id,
        env=options.env,
        resolved=_resolved(desired),
        kept=tuple(kept),
    )


def stale_targets(plan: Plan, live: list[Live]) -> list[str]:
    """What changed since a saved plan was made: each entry names the target and how."""
    by_id = {item.id: item for item in live}
    replaced = {a.id for a in plan.writes if a.kind is ActionKind.ARCHIVE}  # a replacement's create is expected
    owned = {(item.kind, item.tag_name) for item in live if item.owned_by(plan.stack, plan.env)
             and item.id not in replaced}
    stale = []
    for action in plan.writes:
        what = action.name if action.resource == DEPLOYMENT else action.address
        if action.kind is ActionKind.CREATE:
            if (action.resource, action.name) in owned:
                stale.append(f"{what}: a {action.resource} with this name appeared since the plan")
        elif action.id:
            current = by_id.get(action.id)
            if current is None:
                stale.append(f"{what}: {action.id} no longer exists or was archived")
            elif current.updated_at != action.updated_at:
                stale.append(
                    f"{what}: {action.id} changed since the plan "
                    f"(updated_at {action.updated_at} -> {current.updated_at})"
                )
    return sorted(set(stale))
