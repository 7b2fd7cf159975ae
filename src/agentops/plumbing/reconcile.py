"""Plan a project against a workspace, and check a saved plan: the orchestration every command shares.

load (manifest) -> desired (engine) -> [live read, reference check] -> plan (engine) -> view.
Commands call these; nothing here parses arguments, exits or imports the SDK (reads come
through the one `Api` of plumbing/workspace.py).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from agentops.adapters.git import BaseRefError, stack_at
from agentops.adapters.github import run_url
from agentops.engine import drift, planfile, references, resolve
from agentops.engine.desired import Desired, desired_state
from agentops.engine.desired_objects import objects_state, own_ids, skills_desired
from agentops.engine.desired_stores import skill_versions
from agentops.engine.fleet.build import build_fleet
from agentops.engine.fleet.section import Violation
from agentops.engine.health import Health
from agentops.engine.identity import Live
from agentops.engine.plan import Blocker, Flags, Options, Plan, build_plan, stale_targets
from agentops.engine.policy import judge
from agentops.engine.resolve import Resolution
from agentops.engine.vaults import read_credentials, vaults_state
from agentops.manifest import policy_checks
from agentops.manifest.agent_schema import AgentManifest
from agentops.manifest.config import LoadedConfig, load_config
from agentops.manifest.config_schema import CONFIG_FILE
from agentops.manifest.guards import at_revision
from agentops.manifest.loader import Project, find_root, load_project
from agentops.manifest.schema import Manifest
from agentops.model.problems import Where
from agentops.plumbing.failure import Failure
from agentops.views.annotations import for_plan
from agentops.views.health import with_health
from agentops.views.markdown import SUMMARY_LIMIT, render_markdown
from agentops.views.output import TextView
from agentops.views.terminal import Console, annotate, step_summary

if TYPE_CHECKING:
    from agentops.adapters.api import Api


# The kinds besides deployments that a stack manages: always listed, so that an object whose
# manifest was removed is still found (and pruned), never only when a manifest declares one.
MANAGED_OBJECTS = ("environment", "vault", "skill", "memory_store", "agent")


def listings(api: Api, project: Project) -> dict[str, list[dict[str, Any]]]:
    """One listing per kind (side by side): the managed kinds, and the others some manifest names."""
    refs = resolve.named(_referrers(project))
    return api.listings(dict.fromkeys([*MANAGED_OBJECTS, *resolve.kinds(refs)]))


def _referrers(project: Project) -> list[Manifest | AgentManifest]:
    return [*(m.manifest for m in project.manifests), *(a.manifest for a in project.agents)]


def resolution(project: Project, found: Mapping[str, Sequence[Mapping[str, Any]]], local: bool,
               own: Mapping[resolve.Ref, str] | None = None) -> Resolution:
    """Every name the manifests use, resolved against the listings `found` (the stack's `own` objects
    first); under --local, a missing name is explained by agentops.yaml's local.seed."""
    seed = project.config.local.seed
    hint = (lambda ref: seed_hint(ref, seed)) if local else None
    return resolve.resolve(resolve.named(_referrers(project)), found, hint, own)


def managed_live(found: Mapping[str, Sequence[Mapping[str, Any]]]) -> list[Live]:
    """The live (not archived) agents and environments of the listings, as the planner takes them."""
    return [Live.from_json(item, kind) for kind in MANAGED_OBJECTS for item in found.get(kind, ())
            if not item.get("archived_at")]


def wanted(project: Project, env: Mapping[str, str], options: Options, found: Mapping[str, Sequence[Mapping[str, Any]]],
           objects: list[Live], local: bool) -> list[Desired]:
    """The desired state of every managed kind (environments, agents, then deployments): a reference to an object the stack declares goes to that object (its id, or the id
    it will have once this apply creates it)."""
    declared = {"environment": [(e.manifest.name, tuple(e.manifest.previous_names)) for e in project.environments],
                "agent": [(a.manifest.name, tuple(a.manifest.previous_names)) for a in project.agents],
                "vault": [(v.manifest.name, tuple(v.manifest.previous_names)) for v in project.vaults],
                "memory_store": [(m.manifest.name, tuple(m.manifest.previous_names)) for m in project.memory_stores],
                "skill": [(s.name, tuple[str, ...]()) for s in project.skills]}
    own = own_ids(declared, objects, options.stack, options.env, options.adopt)
    names = resolution(project, found, local, own)
    skills = skills_desired(project.skills, options.stack, project.env)
    versions = skill_versions(skills, objects, options.stack, project.env, options.adopt)
    kinds = objects_state(project.agents, project.environments, options.stack, project.env, names,
                          project.memory_stores, skills, versions)
    vaults = vaults_state(project.vaults, options.stack, project.env, env, own)
    return [*kinds, *vaults, *desired_state(project.manifests, options.stack, env, project.env, names)]


def seed_hint(ref: resolve.Ref, seed: str | None) -> str:
    """How --local gets an object named `ref`: the emulator's seed lists it (a line of that file's format)."""
    line = f"{ref.kind}s: [{{id: {ref.kind}_local_1, {resolve.NAME_FIELD[ref.kind]}: {ref.name}}}]"
    if seed is None:
        return (f"--local resolves names from an emulator seed: name one in {CONFIG_FILE} as "
                f"`local: {{seed: local-seed.yaml}}` and list the {ref.kind} in it: `{line}`")
    return f"--local resolves names from {seed} ({CONFIG_FILE} local.seed): list the {ref.kind} there: `{line}`"


class Planned(NamedTuple):
    """A plan, and what it was made from: the live deployments and their desired state (for run
    health), and the live agents and environments."""

    plan: Plan
    live: list[Live]
    desired: list[Desired]
    objects: list[Live]


def plan_and_live(
    project: Project,
    api: Api,
    flags: Flags,
    environ: Mapping[str, str] | None = None,
    base_ref: str | None = None,
    fleet_days: int = 7,
    live: Future[list[Live]] | None = None,
) -> Planned:
    """Plan `project` against the workspace; with `base_ref`, each change is labelled as this change's or drift.

    The plan carries its fleet section; error-level fleet rules become blockers. `live` is a
    listing of the workspace already under way (see plumbing/workspace.py).
    """
    env = os.environ if environ is None else environ
    settings = {**project.settings, "folder": Where(f"{project.config.manifests}/")}
    options = replace(flags.options(project.config.stack, project.config.max_archive, settings),
                      partial=project.partial, env=project.env)
    # The listings (one per kind, side by side), reference lookups and the (sequential) list pages are
    # independent round trips: overlap them.
    with ThreadPoolExecutor(max_workers=1) as pool:
        listing = live or pool.submit(api.list_deployments)
        found = listings(api, project)
        objects = managed_live(found)
        objects += api.credentials(read_credentials(project.vaults, objects, options.stack, options.env))
        # A destroy wants nothing: every object the stack owns is an orphan, whatever the manifests say.
        every = [] if flags.destroy else wanted(project, env, options, found, objects, api.local)
        wants = [want for want in every if want.kind == "deployment"]
        users = references.referenced(wants)
        blockers = references.blockers(users, api.look_up(users))
        deployments = listing.result()
    plan = replace(build_plan(every, [*objects, *deployments], options, blockers, workspace_id=api.workspace_id),
                   flags=flags, guard_changes=tuple(project.guard_changes))
    if project.notices:  # files in the manifests folder that were not read: a reviewer should know
        plan = replace(plan, warnings=(*plan.warnings, *(f"skipped: {notice}" for notice in project.notices)))
    if base_ref is not None:
        base = _base_desired(project, base_ref, env, options, found, objects, api.local)
        plan = drift.label_against(plan, base, [*objects, *deployments], options, base_ref)
    where = {want.name: want.where for want in wants}
    agents = [item for item in objects if item.kind == "agent"]
    return Planned(_with_fleet(plan, project, deployments, fleet_days, where, agents), deployments, wants, objects)


def _with_fleet(plan: Plan, project: Project, live: list[Live], days: int, where: Mapping[str, str],
                agents: list[Live]) -> Plan:
    """The fleet section attached, its errors as blockers and its (and the manifests') policy warnings shown."""
    fleet = judge(build_fleet(plan, live, datetime.now(UTC), days, agents), project.config.policy_for(project.env), plan.stack,
                  plan.env)
    errors = [Blocker(v.sentence(), v.name, where.get(v.name)) if v.name is not None
              else Blocker.at(_cause(v, project), v.sentence()) for v in fleet.violations if v.level == "error"]
    warned = [str(v) for v in fleet.violations if v.level != "error"]
    offline = [str(w) for w in project.warnings if w.message.startswith(policy_checks.PREFIX)]
    return replace(plan, fleet=fleet, blockers=(*plan.blockers, *errors),
                   warnings=(*plan.warnings, *offline, *warned))


def _cause(violation: Violation, project: Project) -> Where:
    """Where a fleet rule over a total comes from: the organization's cap from the workspace's count,
    a policy rule from its line in agentops.yaml (the environment's own rule first)."""
    if not violation.policy:
        return Where(source="workspace")
    rule = f"policy.{violation.rule}"
    return project.settings.get(f"environments.{project.env}.{rule}") or project.settings.get(rule, Where())


def base_config(path: Path, ref: str, stack: str | None) -> LoadedConfig | None:
    """agentops.yaml as it is at `ref` (a pull request's base), whose guards a plan of the change
    enforces, its settings located at that revision; None where the stack is new there or its
    agentops.yaml cannot be read."""
    root = find_root(path.resolve() if path.exists() else Path.cwd())
    if root is None:
        return None
    try:
        with stack_at(root, ref) as folder:
            if folder is None:
                return None
            loaded = load_config(folder, stack)
            return None if loaded.problems else replace(loaded, settings=at_revision(loaded.settings, ref))
    except BaseRefError as exc:
        raise Failure(str(exc)) from None


def _base_desired(
    project: Project, ref: str, environ: Mapping[str, str], options: Options,
    found: Mapping[str, Sequence[Mapping[str, Any]]], objects: list[Live], local: bool,
) -> list[Desired] | None:
    """The desired state at `ref` (empty when the stack is new there; None when it has problems)."""
    try:
        with stack_at(project.root, ref) as folder:
            if folder is None:
                return []
            base = load_project(folder, stack=project.config.stack, env=project.env)
            if base.problems:
                return None
            return wanted(base, environ, options, found, objects, local)
    except BaseRefError as exc:
        raise Failure(str(exc)) from None


def show_plan(
    plan: Plan, view: TextView, console: Console, health: Health | None = None, applying: bool = False
) -> None:
    """The plan in the command's view (with run health after it when given; as `apply` shows it when
    `applying`), plus the step summary."""
    now = datetime.now(UTC)  # the views never read the clock: a create's next runs count from here
    if applying:
        view.applying(console, plan, now)
    else:
        view.plan(console, plan, health, now)
        annotate(console, for_plan(plan))
    step_summary(lambda: with_health(render_markdown(plan, SUMMARY_LIMIT, run_url(os.environ), now), health),
                 console.redact)


def read_saved(path: Path) -> Plan:
    """A saved plan file, validated (any regular file: its name does not matter)."""
    try:
        with path.open("rb") as handle:
            data = handle.read(planfile.MAX_PLAN_BYTES + 1)
    except OSError as exc:
        raise Failure(f"cannot read {path}: {exc.strerror}") from None
    if len(data) > planfile.MAX_PLAN_BYTES:
        raise Failure(f"{path} is larger than any saved plan agentops writes; refusing it")
    try:
        return planfile.parse(data.decode("utf-8", errors="replace"))
    except planfile.PlanFileError as exc:
        raise Failure(f"{path} is not a saved agentops plan that can be applied: {exc}") from None


def check_saved(saved: Plan, stack: str | None, workspace_id: str | None, env: str | None = None) -> None:
    """A saved plan applies only where it was made: same stack, environment and workspace (`workspace_id`:
    the configured one before connecting, the one the API names after; None: not known yet)."""
    if stack is not None and stack != saved.stack:
        raise Failure(f"the saved plan is for stack {saved.stack!r}, not {stack!r}; nothing was applied")
    if env != saved.env:
        raise Failure(
            f"the saved plan is for environment {saved.env or '(none)'}, not {env or '(none)'}; nothing was applied"
        )
    if workspace_id is not None and workspace_id != saved.workspace_id:
        raise Failure(
            f"the saved plan was made against workspace {saved.workspace_id or '(not recorded)'}, "
            f"not {workspace_id}; nothing was applied"
        )
    if saved.errored:
        raise Failure("the saved plan has blocking problems; nothing was applied")


def verify_live(saved: Plan, live: list[Live], path: Path) -> None:
    """Refuse a saved plan whose targets moved, or that writes to anything this stack does not own."""
    stale = stale_targets(saved, live)
    if stale:
        raise Failure(f"the saved plan {path} is stale; run `agentops plan` again", tuple(stale))
    foreign = planfile.ownership_problems(saved, live)
    if foreign:
        raise Failure(f"the saved plan {path} writes to objects this stack does not own", tuple(foreign))
