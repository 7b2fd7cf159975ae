"""`agentops import`: bring live deployments under the stack, one manifest each, plus ownership tags.

Everything is decided before anything is written; a refusal writes nothing. Each deployment
gets its manifest file first and its tags second (one metadata patch), so an interrupted
import never leaves a tagged deployment without a manifest (which the next apply would prune).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from agentops.commands.failure import OK, Failure
from agentops.commands.machine import json_errors
from agentops.commands.target import Target
from agentops.commands.workspace import connected
from agentops.engine.export import to_yaml
from agentops.engine.identity import Live
from agentops.engine.importing import Item, file_stem, plan_item, select
from agentops.engine.plan import FORMAT_VERSION
from agentops.engine.resolve import KINDS, unique_names
from agentops.engine.secrets import Redactor
from agentops.manifest.config import Config, load_config
from agentops.manifest.loader import choose_environment, find_root, load_project
from agentops.model import spec, tags
from agentops.model.secretref import SECRET_REF
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


def _comments(item: Item, token_var: str) -> list[str]:
    lines = [f"Imported from deployment {item.live.id} by `agentops import`."]
    if any(r.get("type") == "github_repository" for r in item.manifest.get("resources", [])):
        lines.append(
            f"Tokens are write-only and cannot be read back: export {token_var} before plan or apply."
        )
    return lines


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
    console = console.redacting(Redactor.for_variables([token_var], os.environ))
    with json_errors(fmt, console):
        if bool(names) == import_all:
            raise Failure("name the deployments to import, or pass --all (not both)")
        if not SECRET_REF.match(f"${{{token_var}}}"):
            raise Failure(f"--token-var {token_var!r} is not a valid environment variable name")
        root = find_root((out or Path.cwd()).resolve()) or find_root(Path.cwd())
        if root is None:
            raise Failure("no agentops.yaml here or in any parent folder; run `agentops init` first")
        config = _config(root, target.stack, target.env)
        folder = (out or root / config.manifests).resolve()
        declared: dict[str, str] = {}
        if (root / config.manifests).is_dir():
            project = load_project(root, stack=target.stack, env=target.env)
            if project.problems:
                raise Failure(
                    "fix the manifests first (see `agentops validate`); nothing was imported",
                    tuple(str(problem) for problem in project.problems),
                    {"problems": [problem.to_dict() for problem in project.problems]},
                )
            declared = {m.manifest.name: m.file for m in project.manifests}
        if not folder.is_relative_to((root / config.manifests).resolve()):
            console.error(
                f"warning: {_rel(folder)} is outside the manifests folder {config.manifests!r}; "
                "plan will not read these files"
            )

        environ = os.environ
        with connected(root, config, target, console.redact, target.env) as api:
            live = [Live.from_json(d) for page in api.iter_deployment_pages() for d in page]
            named = {} if ids else unique_names(api.listings(KINDS))
            chosen, refused, notes = select(live, names, config.stack)
            items = []
            taken: set[str] = set()
            managed = [d for d in chosen if d.stack == config.stack and d.tag_name in declared]
            if managed:
                notes.append(f"{len(managed)} deployment(s) already managed by a manifest were skipped")
            for deployment in (d for d in chosen if d not in managed):
                try:
                    manifest, patch, unset, drift = plan_item(
                        deployment, config.stack, config, environ, token_var=token_var, pin_versions=pin_versions,
                        fingerprint=fingerprint_secrets, env=target.env, names=named,
                    )
                except ValidationError as exc:
                    refused.append(
                        f"{deployment.name}: its settings do not load as a manifest: "
                        f"{exc.error_count()} problem(s), first: {exc.errors()[0]['msg']}"
                    )
                    continue
                if len({**deployment.metadata, **patch}) > spec.MAX_METADATA_PAIRS:
                    refused.append(
                        f"{deployment.name}: {len(deployment.metadata)} metadata keys leave no room "
                        f"for the {len(patch)} ownership tag(s) (limit {spec.MAX_METADATA_PAIRS})"
                    )
                    continue
                name = manifest["name"]
                file = None if name in declared else _free_file(folder, name, taken)
                items.append(Item(deployment, manifest, file, patch, unset, drift))
            if refused:
                raise Failure(
                    f"{len(refused)} deployment(s) refused; nothing was imported",
                    tuple(f"refused: {line}" for line in refused),
                    {"imported": [], "refused": refused, "notes": notes},
                )
            records = [_import_one(item, declared, token_var, dry_run, api.update) for item in items]
        _report(records, _notes(items, notes, token_var), _warnings(items), dry_run, config.stack, fmt, console)
        return OK


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
        item.file.write_text(to_yaml(item.manifest, _comments(item, token_var)), encoding="utf-8")
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


def _steps(record: dict[str, Any], dry_run: bool) -> str:
    would = "would " if dry_run else ""
    steps = [f"{would}write {record['file']}" if record["wrote_file"] else f"manifest already in {record['file']}"]
    steps.append(f"{would}tag " + ", ".join(record["tags"]) if record["tags"] else "already tagged")
    return f"{record['name']} ({record['deployment_id']}): " + "; ".join(steps)


def _notes(items: list[Item], notes: list[str], token_var: str) -> list[str]:
    """What the user should know after an import: skipped deployments and which tokens apply will resend."""
    out = list(notes)
    with_tokens = [
        i.manifest["name"]
        for i in items
        if any(r.get("type") == "github_repository" for r in i.manifest.get("resources", []))
    ]
    if with_tokens:
        out.append(
            f"{len(with_tokens)} manifest(s) reference ${{{token_var}}} for write-only repository "
            f"tokens; export {token_var} before plan or apply"
        )
    resend = sorted({i.manifest["name"] for i in items if i.unset})
    if resend:
        out.append(
            f"{token_var} is not set, so no secrets fingerprint was recorded: the first apply "
            f"will resend the token to {', '.join(resend)} (one update each)"
        )
    unrecorded = sorted({i.manifest["name"] for i in items if not i.unset and tags.SECRETS not in i.tags}
                        & set(with_tokens))
    if unrecorded:
        out.append(
            f"no secrets fingerprint was recorded (pass --fingerprint-secrets to record one): the first "
            f"apply will resend the token to {', '.join(unrecorded)} (one update each)"
        )
    return out


def _warnings(items: list[Item]) -> list[str]:
    return [
        f"{item.manifest['name']}: plan will still show changes in {', '.join(item.drift)} "
        "(agentops.yaml defaults the live deployment lacks)"
        for item in items
        if item.drift
    ]


def _report(
    records: list[dict[str, Any]], notes: list[str], warnings: list[str], dry_run: bool, stack: str,
    fmt: str, console: Console,
) -> None:
    if fmt == "json":
        data = {"format_version": FORMAT_VERSION, "errored": False, "stack": stack, "dry_run": dry_run,
                "imported": records, "refused": [], "notes": notes, "warnings": warnings}
        console.out(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False))
        return
    for record in records:
        console.line(_steps(record, dry_run))
    for note in notes:
        console.line(f"note: {note}")
    for warning in warnings:
        console.error(f"warning: {warning}")
    if dry_run:
        console.line(
            f"Dry run: {len(records)} deployment(s) would be imported into stack {stack!r}; "
            "nothing was written and no deployment was changed."
        )
    else:
        console.line(
            f"Imported {len(records)} deployment(s) into stack {stack!r}. "
            "Run `agentops plan` next: it should show no changes."
        )
