"""`agentops import` as data: which live deployments to import, and each one's manifest and tags.

Pure: the manifest comes from `export`, the tags from `desired`, and what would still drift
afterwards is the planner's own verdict.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from agentops.engine.desired import desired
from agentops.engine.export import load_back, to_manifest
from agentops.engine.identity import Live
from agentops.engine.plan import Options, build_plan
from agentops.engine.resolve import Ref, Resolution
from agentops.engine.status import drift_fields
from agentops.manifest.config_schema import Config
from agentops.manifest.layers import layer
from agentops.model import spec, tags
from agentops.model.words import plural

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


def select(live: list[Live], names: tuple[str, ...], stack: str,
           noun: str = "deployment") -> tuple[list[Live], list[str], list[str]]:
    """(objects to import, refusals, notes): every named one, or (no names) all not owned elsewhere.
    `live` holds the deployments, agents or environments (`noun`) of the workspace."""
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
            refused.append(f"{name}: no live {noun} has this name")
        elif not mine:
            owners = ", ".join(sorted({f"{d.id} (stack {d.stack!r})" for d in found}))
            refused.append(f"{name}: owned by another stack: {owners}; agentops never takes it over")
        else:
            chosen.extend(mine)
    if not names:
        chosen = sorted((d for d in live if d.stack in (None, stack)), key=lambda d: d.age_key)
        others = len(live) - len(chosen)
        if others:
            notes.append(f"{plural(others, noun)} owned by other stacks left alone")
    return unique(chosen, stack, refused, notes, noun)


def by_ids(live: list[Live], ids: Mapping[str, str], stack: str,
           noun: str = "deployment") -> tuple[list[Live], list[str], list[str]]:
    """(objects to import, refusals, notes) for exactly the ids given (id -> where it was named,
    e.g. a lockfile's entry): each must be live, and not owned by another stack."""
    found = {item.id: item for item in live}
    chosen: list[Live] = []
    refused: list[str] = []
    for object_id, where in sorted(ids.items(), key=lambda pair: pair[1]):
        item = found.get(object_id)
        if item is None or item.body.get("archived_at"):
            state = "is archived" if item is not None else "does not exist in this workspace"
            refused.append(f"{where}: {noun} {object_id} {state}")
        elif item.stack not in (None, stack):
            refused.append(f"{where}: {noun} {object_id} is owned by stack {item.stack!r}; "
                           "agentops never takes it over")
        else:
            chosen.append(item)
    return unique(chosen, stack, refused, [], noun)


def unique(chosen: list[Live], stack: str, refused: list[str], notes: list[str],
           noun: str) -> tuple[list[Live], list[str], list[str]]:
    """The chosen objects whose name (their tag's, once owned) no other chosen one has; a refusal per shared name."""
    seen: dict[str, list[Live]] = {}
    for item in chosen:
        seen.setdefault(item.tag_name if item.stack == stack and item.tag_name else item.name, []).append(
            item
        )
    for name, group in sorted(seen.items()):
        if len(group) > 1:
            ids = ", ".join(d.id for d in group)
            refused.append(
                f"{name}: {len(group)} {noun}s share this name ({ids}); rename all but one first"
            )
    kept = [group[0] for group in seen.values() if len(group) == 1]
    return sorted(kept, key=lambda d: d.age_key), refused, notes


def plan_item(
    live: Live,
    stack: str,
    config: Config,
    environ: Mapping[str, str],
    *,
    token_var: str,
    pin_versions: bool,
    fingerprint: bool = False,
    env: str | None = None,
    names: Mapping[tuple[str, str], str] | None = None,
    newest: Mapping[str, int] | None = None,
) -> tuple[dict[str, Any], dict[str, str], list[str], list[str]]:
    """(manifest, ownership tags to add, unset token variables, fields still drifting afterwards).

    The tags are exactly those `plan` will expect (from `desired`), and what still drifts is
    the planner's own verdict on the deployment as it will be after the import.
    """
    defaults = config.defaults if env is None else layer(config.defaults, config.environments[env].defaults)
    manifest = to_manifest(
        live.body, token_var=token_var, pin_versions=pin_versions, defaults=defaults, names=names, newest=newest
    )
    if live.stack == stack and live.tag_name:
        manifest["name"] = live.tag_name  # identity is the tag; a console rename shows as a change
    loaded = load_back(manifest, defaults)
    resolution = Resolution({Ref(kind, name): found for (kind, found), name in (names or {}).items()})
    want = desired(loaded, "", 1, stack, environ, env, resolution)
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
    plan = build_plan([want], [after], Options(stack=stack, allow_empty=True, env=env))
    return manifest, patch, unset, drift_fields(plan, want.name)


@dataclass
class Decision:
    """Everything an import will do, decided before anything is written: a refusal writes nothing."""

    items: list[Item]
    refused: list[str]
    notes: list[str]


def decide(
    live: list[Live],
    names: tuple[str, ...],
    config: Config,
    environ: Mapping[str, str],
    declared: Mapping[str, str],
    place: Callable[[str], Path],
    *,
    token_var: str,
    pin_versions: bool,
    fingerprint: bool = False,
    env: str | None = None,
    named: Mapping[tuple[str, str], str] | None = None,
    ids: Mapping[str, str] | None = None,
    newest: Mapping[str, int] | None = None,
) -> Decision:
    """Which deployments to import and how: `declared` maps the names manifests already declare to
    their files (those only get tags); `place` names the file of a new manifest. With `ids` (id ->
    where it was named), exactly those deployments are imported, and `names` is not used."""
    stack = config.stack
    chosen, refused, notes = select(live, names, stack) if ids is None else by_ids(live, ids, stack)
    managed = [d for d in chosen if d.stack == stack and d.tag_name in declared]
    if managed:
        notes.append(f"{plural(len(managed), 'deployment')} already managed by a manifest skipped")
    items = []
    for deployment in (d for d in chosen if d not in managed):
        try:
            manifest, patch, unset, drift = plan_item(
                deployment, stack, config, environ, token_var=token_var, pin_versions=pin_versions,
                fingerprint=fingerprint, env=env, names=named, newest=newest,
            )
        except ValidationError as exc:
            refused.append(f"{deployment.name}: its settings do not load as a manifest: "
                           f"{plural(exc.error_count(), 'problem')}, first: {exc.errors()[0]['msg']}")
            continue
        if len({**deployment.metadata, **patch}) > spec.MAX_METADATA_PAIRS:
            refused.append(f"{deployment.name}: {len(deployment.metadata)} metadata keys leave no room "
                           f"for the {plural(len(patch), 'ownership tag')} (limit {spec.MAX_METADATA_PAIRS})")
            continue
        name = manifest["name"]
        items.append(Item(deployment, manifest, None if name in declared else place(name), patch, unset, drift))
    return Decision(items, refused, notes)


def _with_tokens(item: Item) -> bool:
    return any(r.get("type") == "github_repository" for r in item.manifest.get("resources", []))


def comments(item: Item, token_var: str) -> list[str]:
    """The comment lines at the top of an imported manifest."""
    lines = [f"Imported from deployment {item.live.id} by `agentops import`."]
    if _with_tokens(item):
        lines.append(f"Tokens are write-only and cannot be read back: export {token_var} before plan or apply.")
    return lines


def notes_after(items: list[Item], notes: list[str], token_var: str) -> list[str]:
    """What the user should know after an import: skipped deployments and which tokens apply will resend."""
    out = list(notes)
    with_tokens = [i.manifest["name"] for i in items if _with_tokens(i)]
    if with_tokens:
        out.append(
            f"{plural(len(with_tokens), 'manifest')} reference ${{{token_var}}} for write-only repository "
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


def drift_warnings(items: list[Item]) -> list[str]:
    return [
        f"{item.manifest['name']}: plan will still show changes in {', '.join(item.drift)} "
        "(agentops.yaml defaults the live deployment lacks)"
        for item in items
        if item.drift
    ]
