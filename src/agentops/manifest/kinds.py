"""Which kind of object a manifest document declares, found the way `ant apply` finds it.

First a top-level `type:`, then the folder the file is directly in (`agents/`, `environments/`,
...), then a file name starting with the kind (`agent-triage.md`, `environment_staging.yaml`).
A document none of these name is a deployment, as every manifest was before there were kinds.
Judgement: the folder rule is `ant apply`'s "the directory the file is directly in", except the
manifests folder itself (`deployments/` by default holds every kind); a file name starts with the
kind followed by '-', '_' or '.', so `agentops.yaml` or `agents.yaml` name no kind; and a file name
yields to a deployment's own fields (`agent-archived.yaml` holding `agent:` stays a deployment).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any, Literal

from agentops.model.kinds import SKILL_FILE
from agentops.model.words import did_you_mean

Kind = Literal["deployment", "agent", "environment", "vault", "skill", "memory_store"]
# Every kind, in the order writes create them (archives and deletes run in reverse).
ORDER: tuple[Kind, ...] = ("environment", "vault", "skill", "memory_store", "agent", "deployment")
KINDS: tuple[Kind, ...] = ("deployment", "agent", "environment", "vault", "skill", "memory_store")
DEFAULT: Kind = "deployment"
# The field a kind's manifests are named (and referenced) by; a skill's is SKILL.md's `name`.
NAME_KEY: dict[str, str] = {"vault": "display_name"}
NAMED: dict[str, Kind] = {kind: kind for kind in KINDS}
FOLDERS: dict[str, Kind] = {f"{kind}s": kind for kind in KINDS}
# `ant apply` documents `environment_staging.md`; agentops's own docs write `agent-triage.md`.
_SEPARATORS = ("_", "-", ".")
# The kinds a file name is tried against, longest first (so `memory_store_x` is no `memory_...`).
_BY_LENGTH = sorted(KINDS, key=len, reverse=True)
# Keys only a deployment has: what outweighs a file name (see infer).
DEPLOYMENT_ONLY = frozenset({"agent", "environment_id", "environment", "initial_events", "prompt", "prompt_file",
                             "schedule"})


@dataclass(frozen=True)
class Inferred:
    kind: Kind
    how: str  # why: "type: agent", "folder agents/", "file name agent-x.md" or "default"


def _from_name(stem: str) -> Kind | None:
    lowered = stem.lower()
    if not lowered.startswith(KINDS):  # most names: one C-level test
        return None
    return next((kind for kind in _BY_LENGTH
                 if lowered == kind or (lowered.startswith(kind) and lowered[len(kind)] in _SEPARATORS)), None)


def from_path(file: str, manifests: str = "") -> Inferred:
    """The kind a file's place says (`file` and the manifests folder relative to the repository
    root, posix). The manifests folder itself names no kind: `deployments/agent-x.md` is an agent
    when `deployments` holds every manifest, and a deployment when it is a kind folder under `.`."""
    # String operations, not PurePosixPath: this runs for every document of a load.
    parent, _, name = file.rpartition("/")
    folder = parent.rpartition("/")[2]
    if folder in FOLDERS and parent != _normal(manifests):
        return Inferred(FOLDERS[folder], f"folder {folder}/")
    named = _from_name(name.rpartition(".")[0] or name)
    if named is not None:
        return Inferred(named, f"file name {name}")
    return Inferred(DEFAULT, "default")


@functools.lru_cache(maxsize=16)
def _normal(folder: str) -> str:
    text = PurePosixPath(folder).as_posix()
    return "" if text == "." else text


def infer(data: dict[str, Any], file: str, manifests: str = "") -> Inferred | str:
    """The kind of one document, or why its `type:` names none (a message for `type`)."""
    given = data.get("type")
    if file.rpartition("/")[2] == SKILL_FILE:
        # A folder holding SKILL.md is a skill wherever it is; the file is uploaded as written.
        if given not in (None, "skill"):
            return f"{SKILL_FILE} always declares a skill (its folder is the skill)"
        return Inferred("skill", f"file {SKILL_FILE}")
    if given is None:
        found = from_path(file, manifests)
        if found.how.startswith("file name") and DEPLOYMENT_ONLY & data.keys():
            # The weakest rule yields to a deployment's own fields: `agent-archived.yaml` with an
            # `agent:` was a deployment before kinds existed and stays one.
            return Inferred(DEFAULT, f"its fields (the file name {file.rpartition('/')[2]} names no deployment)")
        return found
    kind = NAMED.get(given) if isinstance(given, str) else None
    if kind is not None:
        return Inferred(kind, f"type: {kind}")
    close = did_you_mean(str(given), KINDS) if isinstance(given, str) else None
    return f"unknown kind; expected one of: {', '.join(KINDS)}" + (f" ({close})" if close else "")
