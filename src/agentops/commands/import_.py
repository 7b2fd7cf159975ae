"""`agentops import`: bring live deployments under the stack, one manifest each, plus ownership tags.

Everything is decided before anything is written; a refusal writes nothing. Each deployment
gets its manifest file first and its tags second (one metadata patch), so an interrupted
import never leaves a tagged deployment without a manifest (which the next apply would prune).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from agentops.engine.export import to_yaml
from agentops.engine.identity import Live
from agentops.engine.importing import Item, comments, decide, drift_warnings, file_stem, notes_after
from agentops.engine.resolve import KINDS, unique_names
from agentops.engine.secrets import Redactor
from agentops.manifest.config import load_config
from agentops.manifest.config_schema import Config
from agentops.manifest.loader import choose_environment, find_root, load_project
from agentops.model.secretref import SECRET_REF
from agentops.model.words import plural
from agentops.plumbing.failure import OK, Failure
from agentops.plumbing.machine import json_errors
from agentops.plumbing.target import Target
from agentops.plumbing.workspace import connected
from agentops.views.output import view
from agentops.views.terminal import Console


def _free_file(folder: Path, name: str, taken: set[str]) -> Path:
    stem = file_stem(name)
    candidate, number = f"{stem}.yaml", 1
    while candidate in taken or (folder / candidate).exists():
        number += 1
        candidate = f"{stem}-{number}.yaml"
    taken.add(candidate)
    return folder / candidate


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
) -> int:
    """Write manifests for live deployments and tag them as owned by this stack (and environment).

    Agents, environments and vaults are written by name where the name is unique in the
    workspace, unless `ids`. With `fmt` "json", one object says what was imported, refused and noted."""
    shown = view(fmt)
    console = console.redacting(Redactor.for_variables([token_var], os.environ))
    with json_errors(shown, console):
        if bool(names) == import_all:
            raise Failure("name the deployments to import, or pass --all (not both)")
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
        taken: set[str] = set()
        with connected(root, config, target, console.redact, target.env) as api:
            live = [Live.from_json(d) for page in api.iter_deployment_pages() for d in page]
            decision = decide(
                live, names, config, os.environ, declared, lambda name: _free_file(folder, name, taken),
                token_var=token_var, pin_versions=pin_versions, fingerprint=fingerprint_secrets, env=target.env,
                named={} if ids else unique_names(api.listings(KINDS)),
            )
            if decision.refused:
                raise Failure(
                    f"{plural(len(decision.refused), 'deployment')} refused; nothing was imported",
                    tuple(f"refused: {line}" for line in decision.refused),
                    {"imported": [], "refused": decision.refused, "notes": decision.notes},
                )
            records = [_import_one(item, declared, token_var, dry_run, api.update) for item in decision.items]
        shown.imported(console, config.stack, dry_run, records, notes_after(decision.items, decision.notes, token_var),
                       drift_warnings(decision.items))
        return OK


def _declared(root: Path, config: Config, target: Target) -> dict[str, str]:
    """The names the project's manifests declare, and their files; a Failure when they have problems."""
    if not (root / config.manifests).is_dir():
        return {}
    project = load_project(root, stack=target.stack, env=target.env)
    if project.problems:
        raise Failure(
            "fix the manifests first (see `agentops validate`); nothing was imported",
            tuple(str(problem) for problem in project.problems),
            {"problems": [problem.to_dict() for problem in project.problems]},
        )
    return {m.manifest.name: m.file for m in project.manifests}


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
) -> dict[str, Any]:
    """Write the manifest, then tag the deployment; returns what was (or would be) done."""
    if item.file is not None and not dry_run:
        item.file.parent.mkdir(parents=True, exist_ok=True)
        item.file.write_text(to_yaml(item.manifest, comments(item, token_var)), encoding="utf-8")
    if item.tags and not dry_run:
        update(item.live.id, {"metadata": item.tags})
    name = item.manifest["name"]
    return {
        "name": name,
        "deployment_id": item.live.id,
        "file": declared[name] if item.file is None else _rel(item.file),
        "wrote_file": item.file is not None,
        "tags": list(item.tags),
        "drift": list(item.drift),
    }
