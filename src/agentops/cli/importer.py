"""`agentops import`: bring live deployments under the stack, one manifest each, plus ownership tags.

Everything is decided before anything is written; a refusal writes nothing. Each deployment
gets its manifest file first and its tags second (one metadata patch), so an interrupted
import never leaves a tagged deployment without a manifest (which the next apply would prune).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import click
from pydantic import ValidationError

from agentops.cli.app import GlobalOptions, global_options
from agentops.commands.failure import Failure
from agentops.commands.reconcile import session
from agentops.engine.desired import desired
from agentops.engine.export import DEFAULT_TOKEN_VAR, load_back, to_manifest, to_yaml
from agentops.engine.identity import Live
from agentops.engine.plan import Options, build_plan
from agentops.engine.secrets import Redactor
from agentops.engine.status import drift_fields
from agentops.manifest.config import Config, load_config
from agentops.manifest.loader import find_root, load_project
from agentops.model import spec, tags
from agentops.model.secretref import SECRET_REF

MAX_FILE_STEM = 100


@dataclass
class Item:
    """One deployment to import and what importing it means."""

    live: Live
    manifest: dict[str, Any]
    file: Path | None  # None: a manifest already declares it, only the tags are missing
    tags: dict[str, str]
    unset: list[str] = field(default_factory=list)  # token variables not set: the first apply resends
    drift: list[str] = field(default_factory=list)  # fields plan will still show after the import


def file_stem(name: str) -> str:
    """A portable file name for a deployment name; never hidden or skipped by manifest discovery."""
    stem = re.sub(r"[^a-z0-9._-]+", "-", name.lower()).strip("-._")
    return stem[:MAX_FILE_STEM].rstrip("-._") or "deployment"


def _free_file(folder: Path, name: str, taken: set[str]) -> Path:
    stem = file_stem(name)
    candidate, number = f"{stem}.yaml", 1
    while candidate in taken or (folder / candidate).exists():
        number += 1
        candidate = f"{stem}-{number}.yaml"
    taken.add(candidate)
    return folder / candidate


def select(live: list[Live], names: tuple[str, ...], stack: str) -> tuple[list[Live], list[str], list[str]]:
    """(deployments to import, refusals, notes): every named one, or (no names) all not owned elsewhere."""
    chosen: list[Live] = []
    refused: list[str] = []
    notes: list[str] = []
    for name in names:
        found = sorted(
            (d for d in live if d.name == name or (d.stack == stack and d.tag_name == name)),
            key=lambda d: d.age_key,
        )
        mine = [d for d in found if d.stack in (None, stack)]
        if not found:
            refused.append(f"{name}: no live deployment has this name")
        elif not mine:
            owners = ", ".join(sorted({f"{d.id} (stack {d.stack!r})" for d in found}))
            refused.append(f"{name}: owned by another stack: {owners}; agentops never takes it over")
        else:
            chosen.extend(mine)
    if not names:
        chosen = sorted((d for d in live if d.stack in (None, stack)), key=lambda d: d.age_key)
        others = len(live) - len(chosen)
        if others:
            notes.append(f"{others} deployment(s) owned by other stacks were left alone")
    seen: dict[str, list[Live]] = {}
    for item in chosen:
        seen.setdefault(item.tag_name if item.stack == stack and item.tag_name else item.name, []).append(
            item
        )
    for name, group in sorted(seen.items()):
        if len(group) > 1:
            ids = ", ".join(d.id for d in group)
            refused.append(
                f"{name}: {len(group)} deployments share this name ({ids}); rename all but one first"
            )
    unique = [group[0] for group in seen.values() if len(group) == 1]
    return sorted(unique, key=lambda d: d.age_key), refused, notes


def plan_item(
    live: Live,
    stack: str,
    config: Config,
    environ: Mapping[str, str],
    *,
    token_var: str,
    pin_versions: bool,
    fingerprint: bool = False,
) -> tuple[dict[str, Any], dict[str, str], list[str], list[str]]:
    """(manifest, ownership tags to add, unset token variables, fields still drifting afterwards).

    The tags are exactly those `plan` will expect (from `desired`), and what still drifts is
    the planner's own verdict on the deployment as it will be after the import.
    """
    manifest = to_manifest(
        live.body, token_var=token_var, pin_versions=pin_versions, defaults=config.defaults
    )
    if live.stack == stack and live.tag_name:
        manifest["name"] = live.tag_name  # identity is the tag; a console rename shows as a change
    loaded = load_back(manifest, config.defaults)
    want = desired(loaded, "", 1, stack, environ)
    unset = list(want.unset_secrets)
    expected = {k: v for k, v in want.body["metadata"].items() if tags.is_reserved(k)}
    if unset or not fingerprint:
        # A fingerprint of unset variables would be a lie; of whatever token happens to be in the
        # environment (in Actions GITHUB_TOKEN always is), a guess: record one only when asked.
        expected.pop(tags.SECRETS, None)
    # A secrets fingerprint already there is kept: replacing it would hide a token rotation.
    patch = {
        k: v
        for k, v in expected.items()
        if live.metadata.get(k) != v and not (k == tags.SECRETS and k in live.metadata)
    }
    after = Live.from_json({**live.body, "metadata": {**live.metadata, **patch}})
    if tags.SECRETS not in expected:
        # Compared as it will be live: without a fingerprint (the first apply records one).
        metadata = {k: v for k, v in want.body["metadata"].items() if k != tags.SECRETS}
        want = replace(want, body={**want.body, "metadata": metadata}, unset_secrets=())
    plan = build_plan([want], [after], Options(stack=stack, allow_empty=True))
    return manifest, patch, unset, drift_fields(plan, want.name)


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


@click.command("import")
@click.argument("names", nargs=-1, metavar="[NAME]...")
@click.option("--all", "import_all", is_flag=True, help="Every deployment not owned by another stack.")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the manifests (default: the manifests folder of agentops.yaml).",
)
@click.option("--dry-run", is_flag=True, help="Show what would be written and tagged; change nothing.")
@click.option("--pin-versions", is_flag=True, help="Write agents as {id, version} instead of a bare id.")
@click.option(
    "--token-var",
    default=DEFAULT_TOKEN_VAR,
    show_default=True,
    help="Variable named by ${...} in place of each write-only repository token.",
)
@click.option(
    "--fingerprint-secrets",
    is_flag=True,
    help="Record the secrets fingerprint from the token variables set now (only if they hold the live tokens).",
)
@global_options
@click.pass_obj
def import_(
    opts: GlobalOptions,
    /,
    names: tuple[str, ...],
    import_all: bool,
    out: Path | None,
    dry_run: bool,
    pin_versions: bool,
    token_var: str,
    fingerprint_secrets: bool,
) -> None:
    """Write manifests for live deployments and tag them as owned by this stack."""
    if bool(names) == import_all:
        raise Failure("name the deployments to import, or pass --all (not both)")
    if not SECRET_REF.match(f"${{{token_var}}}"):
        raise Failure(f"--token-var {token_var!r} is not a valid environment variable name")
    root = find_root((out or Path.cwd()).resolve()) or find_root(Path.cwd())
    if root is None:
        raise Failure("no agentops.yaml here or in any parent folder; run `agentops init` first")
    config = _config(root, opts)
    folder = (out or root / config.manifests).resolve()
    declared: dict[str, str] = {}
    if (root / config.manifests).is_dir():
        project = load_project(root, stack=opts.stack)
        if project.problems:
            for problem in project.problems:
                click.echo(str(problem), err=True)
            raise Failure("fix the manifests first (see `agentops validate`); nothing was imported")
        declared = {m.manifest.name: m.file for m in project.manifests}
    if not folder.is_relative_to((root / config.manifests).resolve()):
        click.echo(
            f"warning: {_rel(folder)} is outside the manifests folder {config.manifests!r}; "
            "plan will not read these files",
            err=True,
        )

    environ = os.environ
    redact = Redactor(tuple(v for v in (environ.get(token_var), environ.get("ANTHROPIC_API_KEY")) if v))
    with session(root, opts.workspace_id or config.workspace_id, opts.local, redact) as api:
        live = [Live.from_json(d) for page in api.iter_deployment_pages() for d in page]
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
                    fingerprint=fingerprint_secrets,
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
            for line in refused:
                click.echo(redact(f"refused: {line}"), err=True)
            raise Failure(f"{len(refused)} deployment(s) refused; nothing was imported")
        for item in items:
            _import_one(item, declared, token_var, dry_run, api.update)
    _report(items, notes, token_var, dry_run, config.stack)


def _config(root: Path, opts: GlobalOptions) -> Config:
    loaded = load_config(root, opts.stack)
    if loaded.problems:
        for problem in loaded.problems:
            click.echo(str(problem), err=True)
        raise Failure("agentops.yaml has problems; nothing was imported")
    return loaded.config


def _import_one(
    item: Item, declared: dict[str, str], token_var: str, dry_run: bool, update: Callable[..., Any]
) -> None:
    would = "would " if dry_run else ""
    steps = []
    if item.file is None:
        steps.append(f"manifest already in {declared[item.manifest['name']]}")
    else:
        if not dry_run:
            item.file.parent.mkdir(parents=True, exist_ok=True)
            item.file.write_text(to_yaml(item.manifest, _comments(item, token_var)), encoding="utf-8")
        steps.append(f"{would}write {_rel(item.file)}")
    if item.tags:
        if not dry_run:
            update(item.live.id, {"metadata": item.tags})
        steps.append(f"{would}tag " + ", ".join(item.tags))
    else:
        steps.append("already tagged")
    click.echo(f"{item.manifest['name']} ({item.live.id}): " + "; ".join(steps))


def _report(items: list[Item], notes: list[str], token_var: str, dry_run: bool, stack: str) -> None:
    for note in notes:
        click.echo(f"note: {note}")
    with_tokens = [
        i.manifest["name"]
        for i in items
        if any(r.get("type") == "github_repository" for r in i.manifest.get("resources", []))
    ]
    if with_tokens:
        click.echo(
            f"note: {len(with_tokens)} manifest(s) reference ${{{token_var}}} for write-only repository "
            f"tokens; export {token_var} before plan or apply"
        )
    resend = sorted({i.manifest["name"] for i in items if i.unset})
    if resend:
        click.echo(
            f"note: {token_var} is not set, so no secrets fingerprint was recorded: the first apply "
            f"will resend the token to {', '.join(resend)} (one update each)"
        )
    unrecorded = sorted({i.manifest["name"] for i in items if not i.unset and tags.SECRETS not in i.tags}
                        & set(with_tokens))
    if unrecorded:
        click.echo(
            f"note: no secrets fingerprint was recorded (pass --fingerprint-secrets to record one): the first "
            f"apply will resend the token to {', '.join(unrecorded)} (one update each)"
        )
    for item in items:
        if item.drift:
            click.echo(
                f"warning: {item.manifest['name']}: plan will still show changes in "
                f"{', '.join(item.drift)} (agentops.yaml defaults the live deployment lacks)",
                err=True,
            )
    if dry_run:
        click.echo(
            f"Dry run: {len(items)} deployment(s) would be imported into stack {stack!r}; "
            "nothing was written and no deployment was changed."
        )
    else:
        click.echo(
            f"Imported {len(items)} deployment(s) into stack {stack!r}. "
            "Run `agentops plan` next: it should show no changes."
        )
