"""`agentops import`: bring live deployments under the stack, one manifest each, plus ownership tags.

Everything is decided before anything is written; a refusal writes nothing. Each deployment
gets its manifest file first and its tags second (one metadata patch), so an interrupted
import never leaves a tagged deployment without a manifest (which the next apply would prune).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agentops.commands import import_skills
from agentops.engine import importing_kinds
from agentops.engine.antlock import Lockfile, LockfileError, parse
from agentops.engine.export import to_yaml
from agentops.engine.export_vaults import fingerprints
from agentops.engine.identity import Live
from agentops.engine.importing import Item, comments, decide, drift_warnings, file_stem, notes_after
from agentops.engine.importing_kinds import KindItem, Place, decide_kind
from agentops.engine.resolve import KINDS, unique_names
from agentops.engine.secrets import Redactor
from agentops.manifest.config import load_config
from agentops.manifest.config_schema import Config
from agentops.manifest.loader import ANT_LOCKFILE, Project, choose_environment, find_root, load_project
from agentops.model import tags
from agentops.model.secretref import SECRET_REF
from agentops.model.words import plural
from agentops.plumbing.failure import OK, Failure
from agentops.plumbing.machine import json_errors
from agentops.plumbing.target import Target
from agentops.plumbing.workspace import connected
from agentops.views.output import view
from agentops.views.terminal import Console

if TYPE_CHECKING:
    from agentops.adapters.api import Api

# Every kind import writes, in the order it writes them; today's default stays deployments only.
IMPORT_KINDS = (*importing_kinds.KINDS, "deployment")
DEFAULT_KINDS = ("deployment",)
# What `--from-ant` imports without --kinds: the kinds `ant apply`'s lockfile was first read for. Skills and
# memory stores are asked for by name (`--kinds skill,memory_store`): a skill's import uploads a version.
ANT_KINDS = tuple(kind for kind in IMPORT_KINDS if kind not in ("skill", "memory_store"))


def _free_file(folder: Path, name: str, taken: set[str]) -> Path:
    stem = file_stem(name)
    candidate, number = f"{stem}.yaml", 1
    while candidate in taken or (folder / candidate).exists():
        number += 1
        candidate = f"{stem}-{number}.yaml"
    taken.add(candidate)
    return folder / candidate


def _free_place(folder: Path, name: str, taken: set[str]) -> Place:
    """A new agent or environment manifest's file and, beside it, the file of a long system prompt
    ('_'-prefixed: the loader reads it only through `system_file`, never as a manifest)."""
    file = _free_file(folder, name, taken)
    return Place(file, file.with_name(f"_{file.stem}.system.md"))


def _placer(folder: Path, taken: dict[Path, set[str]]) -> Callable[[str], Place]:
    return lambda name: _free_place(folder, name, taken.setdefault(folder, set()))


def parse_kinds(text: str | None, from_ant: bool) -> tuple[str, ...]:
    """`--kinds a,b` in write order; without it, deployments (ANT_KINDS with --from-ant)."""
    if text is None:
        return ANT_KINDS if from_ant else DEFAULT_KINDS
    given = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [kind for kind in given if kind not in IMPORT_KINDS]
    if unknown or not given:
        raise Failure(f"--kinds: expected a comma-separated list of {', '.join(IMPORT_KINDS)}, got {text!r}")
    return tuple(kind for kind in IMPORT_KINDS if kind in given)


def read_lockfile(path: Path) -> Lockfile:
    """`ant apply`'s lockfile, or a Failure naming the file and the field."""
    try:
        raw = path.read_bytes() if path.is_file() else None
    except OSError as exc:
        raise Failure(f"{_rel(path)}: cannot read the lockfile ({exc.strerror}); nothing was imported") from None
    if raw is None:
        raise Failure(f"{_rel(path)}: no such file; pass the {ANT_LOCKFILE} that `ant apply` wrote")
    try:
        return parse(raw)
    except LockfileError as exc:
        raise Failure(f"{_rel(path)}: {exc}; nothing was imported") from None


def _rel(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)


def import_(
    names: tuple[str, ...],
    target: Target,
    console: Console,
    *,
    import_all: bool = False,
    out: Path | None = None,
    dry_run: bool = False,
    pin_versions: bool = False,
    token_var: str,
    fingerprint_secrets: bool = False,
    ids: bool = False,
    fmt: str = "text",
    kinds: str | None = None,
    from_ant: Path | None = None,
) -> int:
    """Write manifests for live objects and tag them as owned by this stack (and environment).

    `kinds` ("agent,environment,deployment") says what to import; deployments by default. With
    `from_ant` (an `ant apply` lockfile), exactly the objects it names are imported. Agents,
    environments and vaults are written by name where the name is unique in the workspace, unless
    `ids`. With `fmt` "json", one object says what was imported, refused and noted."""
    shown = view(fmt)
    console = console.redacting(Redactor.for_variables([token_var], os.environ))
    with json_errors(shown, console):
        if from_ant is not None and (names or import_all):
            raise Failure("--from-ant imports exactly what the lockfile names: pass no names and no --all")
        if from_ant is None and bool(names) == import_all:
            raise Failure("name the deployments to import, or pass --all (not both)")
        wanted = parse_kinds(kinds, from_ant is not None)
        lock = None if from_ant is None else read_lockfile(from_ant)
        if not SECRET_REF.match(f"${{{token_var}}}"):
            raise Failure(f"--token-var {token_var!r} is not a valid environment variable name")
        root = find_root((out or Path.cwd()).resolve()) or find_root(Path.cwd())
        if root is None:
            raise Failure("no agentops.yaml here or in any parent folder; run `agentops init` first")
        config = _config(root, target.stack, target.env)
        folder = (out or root / config.manifests).resolve()
        declared = _declared(root, config, target)
        if not folder.is_relative_to((root / config.manifests).resolve()):
            console.error(
                f"warning: {_rel(folder)} is outside the manifests folder {config.manifests!r}; "
                "plan will not read these files"
            )
        taken: dict[Path, set[str]] = {}
        with connected(root, config, target, console.redact, target.env) as api:
            if lock is not None and from_ant is not None:
                _same_workspace(lock, api.workspace_id, from_ant)
            # One listing per kind: for references by name, and the agents and environments to import.
            needed = not ids or any(kind in wanted for kind in importing_kinds.KINDS)
            listings = api.listings(KINDS) if needed else {kind: [] for kind in KINDS}
            objects = {kind: [Live.from_json(item, kind) for item in listings[kind]] for kind in importing_kinds.KINDS}
            if "vault" in wanted:
                objects["vault"] = _with_credentials(api, objects["vault"])
            live = [Live.from_json(d) for page in api.iter_deployment_pages() for d in page] \
                if "deployment" in wanted else []
            asked = _names_by_kind(names, wanted, {**objects, "deployment": live}, config.stack)
            picked = _lock_ids(lock, wanted)
            items: list[KindItem] = []
            refused, notes = list(asked.refused), _lock_notes(lock, wanted)
            for kind in (k for k in importing_kinds.KINDS if k in wanted and k in asked.kinds):
                found, no, noted = decide_kind(
                    kind, objects[kind], asked.kinds[kind], config.stack, target.env, declared.get(kind, {}),
                    _placer(folder / importing_kinds.FOLDERS[kind], taken),
                    None if picked is None else picked.get(kind, {}),
                )
                items, refused, notes = [*items, *found], [*refused, *no], [*notes, *noted]
            # Skills are downloaded and checked now: a bad one refuses the import before anything is written.
            skills, no = import_skills.unpack([item for item in items if item.kind == "skill"], api, root, _rel)
            items, refused = [item for item in items if item.kind != "skill"], [*refused, *no]
            deployments: list[Item] = []
            if "deployment" in wanted and "deployment" in asked.kinds:
                decision = decide(
                    live, asked.kinds["deployment"], config, os.environ, declared.get("deployment", {}),
                    lambda name: _free_file(folder, name, taken.setdefault(folder, set())),
                    token_var=token_var, pin_versions=pin_versions, fingerprint=fingerprint_secrets,
                    env=target.env, named={} if ids else unique_names(listings),
                    ids=None if picked is None else picked.get("deployment", {}),
                    newest={str(a["id"]): a["version"] for a in listings.get("agent", ()) if isinstance(a.get("version"), int)},
                )
                deployments, refused, notes = decision.items, [*refused, *decision.refused], [*notes, *decision.notes]
            noun = "deployment" if wanted == DEFAULT_KINDS else "object"
            if refused:
                raise Failure(
                    f"{plural(len(refused), noun)} refused; nothing was imported",
                    tuple(f"refused: {line}" for line in refused),
                    {"imported": [], "refused": refused, "notes": notes},
                )
            flat = {name: file for by_name in declared.values() for name, file in by_name.items()}
            records = [_import_kind(item, declared.get(item.kind, {}), dry_run, api.update_object) for item in items]
            notes += _record_fingerprints([item for item in items if item.kind == "vault"], config.stack, dry_run, api)
            moved = _moved(items, records)
            records += [_import_skill(skill, declared.get("skill", {}), root, config.stack, target.env, dry_run, api)
                        for skill in skills]
            records += [_import_one(item, flat, token_var, dry_run, api.update, moved) for item in deployments]
        shown.imported(console, config.stack, dry_run, records, notes_after(deployments, notes, token_var),
                       drift_warnings(deployments))
        return OK


class _Asked:
    """The names given, per kind: only those some object of the kind has (no names: every object)."""

    def __init__(self, kinds: dict[str, tuple[str, ...]], refused: list[str]) -> None:
        self.kinds = kinds
        self.refused = refused


def _names_by_kind(names: tuple[str, ...], wanted: tuple[str, ...], live: dict[str, list[Live]],
                   stack: str) -> _Asked:
    """A name is looked for in every kind asked for; one no object of any of them has is refused.
    With one kind, every name goes to it (its own refusals say which one is missing)."""
    if not names or len(wanted) == 1:
        return _Asked({kind: names for kind in wanted}, [])
    has = {kind: {n for item in live[kind] for n in (item.name, item.tag_name if item.stack == stack else None) if n}
           for kind in wanted}
    kinds = {kind: tuple(name for name in names if name in has[kind]) for kind in wanted}
    missing = [name for name in names if not any(name in has[kind] for kind in wanted)]
    return _Asked({kind: found for kind, found in kinds.items() if found},
                  [f"{name}: no live {' or '.join(wanted)} has this name" for name in missing])


def _same_workspace(lock: Lockfile, workspace: str | None, path: Path) -> None:
    """The lockfile's objects are those of the workspace `ant apply` ran in: another workspace's
    ids mean nothing here (ant refuses the same way)."""
    if lock.workspace_id and workspace and lock.workspace_id != workspace:
        raise Failure(f"{_rel(path)}: origin.workspace_id: the lockfile was written for workspace "
                      f"{lock.workspace_id}, but this credential acts in workspace {workspace}; nothing was imported")


def _lock_ids(lock: Lockfile | None, wanted: tuple[str, ...]) -> dict[str, dict[str, str]] | None:
    """Kind -> id -> where the lockfile names it, for the kinds asked for (None: no lockfile)."""
    if lock is None:
        return None
    out: dict[str, dict[str, str]] = {}
    for entry in lock.entries:
        if entry.kind in wanted:
            out.setdefault(entry.kind, {})[entry.id] = entry.where
    return out


def _lock_notes(lock: Lockfile | None, wanted: tuple[str, ...]) -> list[str]:
    if lock is None:
        return []
    left = sorted({entry.kind.replace("_", " ") for entry in lock.entries if entry.kind not in wanted})
    count = sum(1 for entry in lock.entries if entry.kind not in wanted)
    if not count:
        return []
    entries = "lockfile entry" if count == 1 else "lockfile entries"
    return [f"{count} {entries} left alone ({', '.join(left)}): agentops imports {', '.join(wanted)} here"]


def _declared(root: Path, config: Config, target: Target) -> dict[str, dict[str, str]]:
    """Per kind, the names the project's manifests declare and their files; a Failure when they have problems."""
    if not (root / config.manifests).is_dir():
        return {}
    project = load_project(root, stack=target.stack, env=target.env)
    if project.problems:
        raise Failure(
            "fix the manifests first (see `agentops validate`); nothing was imported",
            tuple(str(problem) for problem in project.problems),
            {"problems": [problem.to_dict() for problem in project.problems]},
        )
    return _by_kind(project)


def _by_kind(project: Project) -> dict[str, dict[str, str]]:
    return {
        "deployment": {m.manifest.name: m.file for m in project.manifests},
        "agent": {a.manifest.name: a.file for a in project.agents},
        "environment": {e.manifest.name: e.file for e in project.environments},
        "vault": {v.manifest.name: v.file for v in project.vaults},
        "skill": {s.name: s.file for s in project.skills},
        "memory_store": {m.manifest.name: m.file for m in project.memory_stores},
    }


def _config(root: Path, stack: str | None, env: str | None) -> Config:
    loaded = load_config(root, stack)
    problems = [*loaded.problems, *choose_environment(loaded, env)]
    if problems:
        raise Failure("agentops.yaml has problems; nothing was imported", tuple(str(p) for p in problems))
    return loaded.config


def _import_one(
    item: Item,
    declared: dict[str, str],
    token_var: str,
    dry_run: bool,
    update: Callable[..., Any],
    moved: Mapping[tuple[str, int], int],
) -> dict[str, Any]:
    """Write the manifest, then tag the deployment (re-pinned with it when it follows an agent this
    import tagged: see `_moved`); returns what was (or would be) done."""
    if item.file is not None and not dry_run:
        item.file.parent.mkdir(parents=True, exist_ok=True)
        item.file.write_text(to_yaml(item.manifest, comments(item, token_var)), encoding="utf-8")
    if item.tags and not dry_run:
        update(item.live.id, {"metadata": item.tags, **_repin(item, moved)})
    name = item.manifest["name"]
    return {
        "kind": "deployment",
        "name": name,
        "deployment_id": item.live.id,
        "file": declared[name] if item.file is None else _rel(item.file),
        "wrote_file": item.file is not None,
        "tags": list(item.tags),
        "drift": list(item.drift),
    }


def _with_credentials(api: Api, vaults: list[Live]) -> list[Live]:
    """The live vaults, each active one's body holding its active credentials (`credentials`)."""
    current = [vault for vault in vaults if not vault.body.get("archived_at")]
    held: dict[str, list[dict[str, Any]]] = {}
    for credential in api.credentials(current):
        held.setdefault(str(credential.body["vault_id"]), []).append(dict(credential.body))
    return [replace(vault, body={**vault.body, "credentials": held.get(vault.id, [])}) for vault in current]


def _record_fingerprints(items: list[KindItem], stack: str, dry_run: bool, api: Api) -> list[str]:
    """Record on each imported credential the fingerprint of the secrets its variables hold now, so the
    round trip plans no change; the ones whose variables are unset get their secrets sent by the first apply."""
    notes = []
    for item in items:
        found, unset = fingerprints(item.exported.manifest, list(item.live.body.get("credentials") or []), stack,
                                    os.environ)
        for object_id, fingerprint in found if not dry_run else ():
            api.update(object_id, {"metadata": {tags.SECRETS: fingerprint}}, kind="credential")
        if unset:
            notes.append(f"vault {item.name}: set {', '.join(unset)} to the secrets the API holds and import again, "
                         "or the first apply sends them")
    return notes


def _moved(items: list[KindItem], records: list[dict[str, Any]]) -> dict[tuple[str, int], int]:
    """(agent id, version before) -> the version tagging it made. The API versions a tag change too, so
    a deployment that followed the agent would be behind it, and re-pinned by the next plan: the
    import re-pins it itself (engine/versions.py's policy), so the round trip plans nothing."""
    out = {}
    for item, record in zip(items, records, strict=True):
        before, after = item.live.body.get("version"), record.get("version")
        if item.kind == "agent" and isinstance(before, int) and isinstance(after, int) and after != before:
            out[(item.live.id, before)] = after
    return out


def _repin(item: Item, moved: Mapping[tuple[str, int], int]) -> dict[str, Any]:
    """The `agent` a following deployment is re-pinned with, when its agent was tagged by this import."""
    agent, written = item.live.body.get("agent"), item.manifest.get("agent")
    if not isinstance(agent, Mapping) or (isinstance(written, Mapping) and "version" in written):
        return {}
    version = agent.get("version")
    after = moved.get((str(agent.get("id")), version)) if isinstance(version, int) else None
    return {} if after is None else {"agent": {"type": "agent", "id": agent["id"], "version": after}}


def _import_kind(item: KindItem, declared: dict[str, str], dry_run: bool,
                 update: Callable[[str, str, dict[str, Any]], dict[str, Any]]) -> dict[str, Any]:
    """Write the agent's or environment's manifest (and long system prompt), then tag it. An agent
    is tagged against the version its manifest was written from: a console edit in between is refused."""
    version = item.live.body.get("version") if item.kind == "agent" else None
    if not dry_run:
        if item.system_file is not None and item.exported.system_text is not None:
            item.system_file.parent.mkdir(parents=True, exist_ok=True)
            item.system_file.write_text(item.exported.system_text, encoding="utf-8")
        if item.file is not None:
            item.file.parent.mkdir(parents=True, exist_ok=True)
            item.file.write_text(to_yaml(item.exported.manifest, importing_kinds.comments(item)), encoding="utf-8")
        if item.tags:
            body: dict[str, Any] = {"metadata": item.tags, **({"version": version} if version is not None else {})}
            version = update(item.kind, item.live.id, body).get("version", version)
    return importing_kinds.record(item, declared, _rel, version if isinstance(version, int) else None)


def _import_skill(skill: import_skills.Unpacked, declared: dict[str, str], root: Path, stack: str,
                  env: str | None, dry_run: bool, api: Api) -> dict[str, Any]:
    """Write the skill's folder and upload it as this stack's (commands/import_skills.py)."""
    made = import_skills.write(skill, root, stack, env, dry_run, api)
    return {**importing_kinds.record(skill.item, declared, _rel, None), "version": made}
