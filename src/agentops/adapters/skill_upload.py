"""A skill write as the SDK sends it: the folder's files read again at apply time, checked against
the digest the plan was made with, plus agentops's record file (model/skillfiles.py)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from agentops.manifest.skill import collect
from agentops.model import skillfiles


class SkillChanged(Exception):
    """The skill's files are not what the plan saw: nothing is uploaded."""


def files(body: Mapping[str, Any], root: Path) -> dict[str, Any]:
    """`files=` for `client.skills.create` / `versions.create`, from a planned body (name, folder, digest,
    metadata): every file under the skill's one top-level folder, named after the skill."""
    name = str(body["name"])
    found, problems = collect(root / str(body["folder"]), root)
    if problems or skillfiles.digest(found) != body["digest"]:
        raise SkillChanged(f"skill {name}: its files changed since the plan (or cannot be read); "
                           "run `agentops plan` again; nothing was uploaded")
    recorded = skillfiles.record(str(body["digest"]), body.get("metadata") or {})
    return {"files": [(f"{name}/{path}", content) for path, content in found]
            + [(f"{name}/{skillfiles.RECORD_FILE}", recorded)]}
