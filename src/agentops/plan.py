"""The plan: a serializable value of actions and blocking problems, and the pure planner that makes it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from agentops import tags
from agentops.diff import SECRET_PATH, Change, changed_fields, changes, patch
from agentops.identity import Live, Match, match
from agentops.normalize import Desired, comparable, without_ignored

FORMAT_VERSION = 1
# Apply order: every write that shapes a deployment, then status flips, then archives (last).
PHASES = {"create": 0, "adopt": 0, "update": 0, "noop": 0, "pause": 1, "unpause": 1, "archive": 2}
SUMMARY_KINDS = ("create", "update", "pause", "unpause", "archive")


@dataclass(frozen=True)
class Action:
    name: str
    action: str
    reason: str
    deployment_id: str | None = None
    updated_at: str | None = None  # the target's live updated_at when planned: a saved plan's staleness check
    changes: tuple[Change, ...] = ()
    patch: dict[str, Any] | None = None  # create: the full body; update/adopt: the minimal patch
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    file: str | None = None
    paused_reason: dict[str, Any] | None = None
    origin: str | None = None  # set by `plan --base-ref`: "change" (this change) or "drift"

    @property
    def summary_kind(self) -> str:
        return "update" if self.action == "adopt" else self.action

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "action": self.action,
            "reason": self.reason,
            "deployment_id": self.deployment_id,
            "updated_at": self.updated_at,
            "file": self.file,
            "changes": [c.to_dict() for c in self.changes],
            "patch": self.patch,
            "before": self.before,
            "after": self.after,
            "paused_reason": self.paused_reason,
            "origin": self.origin,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Action:
        return cls(
            name=data["name"],
            action=data["action"],
            reason=data.get("reason", ""),
            deployment_id=data.get("deployment_id"),
            updated_at=data.get("updated_at"),
            changes=tuple(
                Change(c["path"], c.get("before"), c.get("after"), c.get("origin"))
                for c in data.get("changes", [])
            ),
            patch=data.get("patch"),
            before=data.get("before"),
            after=data.get("after"),
            file=data.get("file"),
            paused_reason=data.get("paused_reason"),
            origin=data.get("origin"),
        )


@dataclass(frozen=True)
class Blocker:
    """A problem that makes the plan unsafe to apply (conflict, missing reference, guard)."""

    message: str
    name: str | None = None
    file: str | None = None

    def __str__(self) -> str:
        where = f"{self.file}: " if self.file else ""
        who = f"{self.name}: " if self.name else ""
        return f"{where}{who}{self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "file": self.file, "message": self.message}


@dataclass(frozen=True)
class Options:
    stack: str
    adopt: bool = False
    prune: bool = True
    max_archive: int | None = None
    targets: tuple[str, ...] = ()
    partial: bool = False  # only part of the manifests folder was loaded: pruning would be wrong
    allow_empty: bool = False


@dataclass(frozen=True)
class Plan:
    stack: str
    actions: tuple[Action, ...]
    blockers: tuple[Blocker, ...] = ()
    warnings: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()
    workspace_id: str | None = None
    base_ref: str | None = None  # the git ref changes were labelled against (`plan --base-ref`)

    @property
    def applyable(self) -> bool:
        return not self.blockers

    @property
    def errored(self) -> bool:
        return bool(self.blockers)

    @property
    def writes(self) -> list[Action]:
        return [a for a in self.actions if a.action != "noop"]

    @property
    def has_changes(self) -> bool:
        return bool(self.writes)

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys((*SUMMARY_KINDS, "adopt", "noop"), 0)
        for action in self.actions:
            counts[action.action] += 1
        return counts

    def summary(self) -> str:
        tally = dict.fromkeys(SUMMARY_KINDS, 0)
        for action in self.writes:
            tally[action.summary_kind] += 1
        parts = ", ".join(f"{tally[k]} to {k}" for k in SUMMARY_KINDS)
        return f"Plan: {parts}."

    def to_dict(self) -> dict[str, Any]:
        return {
            "format_version": FORMAT_VERSION,
            "stack": self.stack,
            "workspace_id": self.workspace_id,
            "base_ref": self.base_ref,
            "applyable": self.applyable,
            "errored": self.errored,
            "has_changes": self.has_changes,
            "counts": self.counts(),
            "summary": self.summary(),
            "targets": list(self.targets),
            "warnings": list(self.warnings),
            "problems": [b.to_dict() for b in self.blockers],
            "actions": [a.to_dict() for a in self.actions],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Plan:
        if data.get("format_version") != FORMAT_VERSION:
            raise ValueError(f"unsupported plan format_version {data.get('format_version')!r}")
        return cls(
            stack=data["stack"],
            workspace_id=data.get("workspace_id"),
            actions=tuple(Action.from_dict(a) for a in data["actions"]),
            blockers=tuple(
                Blocker(b["message"], b.get("name"), b.get("file")) for b in data.get("problems", [])
            ),
            warnings=tuple(data.get("warnings", [])),
            targets=tuple(data.get("targets", [])),
            base_ref=data.get("base_ref"),
        )


def describe_pause(reason: Any) -> str:
    """Say why a live deployment is paused, in words (an auto-pause names its error)."""
    if not isinstance(reason, dict):
        return "paused"
    if reason.get("type") == "error":
        error = reason.get("error") or {}
        return f"auto-paused after a failed run ({error.get('type', 'unknown_error')})"
    if reason.get("type") == "manual":
        return "paused by hand"
    return f"paused ({reason.get('type')})"


def _topics(found: list[Change]) -> list[str]:
    """The top-level fields a list of changes touches, secrets named as such, in order."""
    topics: list[str] = []
    for change in found:
        topic = "secrets" if change.path == SECRET_PATH else re.split(r"[.\[]", change.path, maxsplit=1)[0]
        if topic not in topics:
            topics.append(topic)
    return topics


def _deployment_actions(item: Match) -> list[Action]:
    want, live = item.desired, item.live
    pinned = want.agent_pinned
    after = without_ignored(comparable(want.body, agent_pinned=pinned), want.ignore_changes)
    if live is None:
        created = [
            Action(
                want.name,
                "create",
                "no live deployment has this name",
                patch=want.body,
                after=after,
                file=want.file,
            )
        ]
        if want.status == "paused":
            created.append(Action(want.name, "pause", "manifest says status: paused", file=want.file))
        return created

    before = without_ignored(comparable(live.body, agent_pinned=pinned), want.ignore_changes)
    fields = changed_fields(before, after)
    common: dict[str, Any] = {"deployment_id": live.id, "updated_at": live.updated_at, "file": want.file}
    actions = []
    found = changes(before, after, fields)
    if item.adopt or fields:
        if item.adopt:
            kind, reason = "adopt", f"untagged deployment {live.id} has this name; --adopt takes it over"
        elif item.renamed_from:
            kind, reason = "update", f"renamed from {item.renamed_from!r} (previous_names)"
        else:
            kind, reason = "update", "live differs from manifest in " + ", ".join(_topics(found))
        actions.append(
            Action(
                want.name,
                kind,
                reason,
                changes=tuple(found),
                patch=patch(before, want.body, fields),
                before=before,
                after=after,
                **common,
            )
        )
    if "status" not in want.ignore_changes:
        if want.status == "paused" and live.status != "paused":
            actions.append(Action(want.name, "pause", "manifest says status: paused", **common))
        elif want.status == "active" and live.status == "paused":
            reason = f"{describe_pause(live.paused_reason)}; manifest says status: active"
            actions.append(
                Action(want.name, "unpause", reason, paused_reason=dict(live.paused_reason or {}), **common)
            )
    if not actions:
        actions.append(Action(want.name, "noop", "in sync", **common))
    return actions


def _archive(live: Live, reason: str) -> Action:
    return Action(
        live.tag_name or live.name, "archive", reason, deployment_id=live.id, updated_at=live.updated_at
    )


def build_plan(
    desired: list[Desired],
    live: list[Live],
    options: Options,
    blockers: list[Blocker] | None = None,
    workspace_id: str | None = None,
) -> Plan:
    """Compare desired with live state and decide every action; pure and deterministic."""
    problems = list(blockers or [])
    warnings: list[str] = []
    matching = match(desired, live, options.stack, adopt=options.adopt)
    for want, other in matching.conflicts:
        problems.append(
            Blocker(
                f"an untagged deployment {other.id} named {want.name!r} already exists; "
                "pass --adopt to manage it (or rename the manifest)",
                want.name,
                want.file,
            )
        )

    actions: list[Action] = []
    for item in matching.matches:
        actions.extend(_deployment_actions(item))
    for extra, kept in matching.duplicates:
        actions.append(_archive(extra, f"duplicate of {kept.id} (the oldest is kept)"))

    orphans = matching.orphans
    if orphans and not options.prune:
        warnings.append(f"--no-prune: {len(orphans)} deployment(s) without a manifest kept")
    elif orphans and options.partial:
        warnings.append(
            f"only part of the manifests folder was loaded: {len(orphans)} other deployment(s) kept"
        )
    elif orphans and not desired and not options.allow_empty:
        problems.append(
            Blocker(
                f"no manifests found: refusing to archive all {len(orphans)} deployment(s) of stack "
                f"{options.stack!r} (pass --allow-empty if that is really wanted)"
            )
        )
    else:
        for orphan in orphans:
            if orphan.metadata.get(tags.PREVENT_ARCHIVE) == "true":
                warnings.append(f"{orphan.tag_name}: no manifest, kept because of lifecycle.prevent_archive")
            else:
                actions.append(_archive(orphan, "no manifest claims it (prune)"))

    if options.targets:
        wanted = set(options.targets)
        unknown = sorted(wanted - {a.name for a in actions})
        actions = [a for a in actions if a.name in wanted]
        warnings.append(
            "plan limited to --target " + ", ".join(sorted(wanted)) + "; other changes are not shown"
        )
        warnings.extend(f"--target {name!r} matches no manifest or deployment" for name in unknown)

    archives = sum(1 for a in actions if a.action == "archive")
    if options.max_archive is not None and archives > options.max_archive:
        problems.append(
            Blocker(f"plan archives {archives} deployment(s), more than --max-archive {options.max_archive}")
        )

    actions.sort(key=lambda a: (PHASES[a.action], a.name, a.deployment_id or ""))
    return Plan(
        stack=options.stack,
        actions=tuple(actions),
        blockers=tuple(problems),
        warnings=tuple(warnings),
        targets=tuple(sorted(options.targets)),
        workspace_id=workspace_id,
    )


def stale_targets(plan: Plan, live: list[Live]) -> list[str]:
    """What changed since a saved plan was made: each entry names the target and how."""
    by_id = {item.id: item for item in live}
    owned = {item.tag_name for item in live if item.stack == plan.stack}
    stale = []
    for action in plan.writes:
        if action.action == "create":
            if action.name in owned:
                stale.append(f"{action.name}: a deployment with this name appeared since the plan")
        elif action.deployment_id:
            current = by_id.get(action.deployment_id)
            if current is None:
                stale.append(f"{action.name}: {action.deployment_id} no longer exists or was archived")
            elif current.updated_at != action.updated_at:
                stale.append(
                    f"{action.name}: {action.deployment_id} changed since the plan "
                    f"(updated_at {action.updated_at} -> {current.updated_at})"
                )
    return sorted(set(stale))
