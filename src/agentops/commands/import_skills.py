"""`agentops import` of skills: each one's latest version downloaded into `skills/<name>/`, then owned.

A skill has no metadata to tag: its ownership is the record file of an upload (model/skillfiles.py).
So import writes the folder and then uploads it again as a new version whose files are exactly the
downloaded ones plus the record: what the model reads does not change, an agent pinned to the old
version stays on it, and the next plan compares the folder's digest with that record and plans
nothing. A skill whose record already says it is this stack's and matches the folder gets no upload.

The download is untrusted input: it is unpacked in memory and checked (skillfiles.unpack, the SKILL.md
front matter, the upload cap) for every skill before any file is written, so one bad skill refuses
the whole import with nothing written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from agentops.adapters.skill_upload import files
from agentops.engine.desired_stores import skill_desired
from agentops.engine.importing_kinds import KindItem
from agentops.manifest.skill import LoadedSkill
from agentops.manifest.skill_schema import SkillManifest
from agentops.model import skillfiles
from agentops.model.kinds import MAX_SKILL_UPLOAD, SKILL_FILE
from agentops.model.skillmd import SkillFileError, front_matter

if TYPE_CHECKING:
    from agentops.adapters.api import Api


@dataclass(frozen=True)
class Unpacked:
    """A skill to write: the import item, its files as downloaded, and the folder they make."""

    item: KindItem
    files: list[tuple[str, bytes]]
    loaded: LoadedSkill  # as the loader will read the folder: name, digest, prevent_delete


def _loaded(folder: Path, root: Path, top: str, found: list[tuple[str, bytes]]) -> LoadedSkill:
    """The skill the folder will load as, from the downloaded bytes; a SkillFileError says why it cannot."""
    text = dict(found)[SKILL_FILE].decode("utf-8", "replace")
    data = front_matter(text)
    try:
        manifest = SkillManifest.model_validate({"name": top, **data})
    except ValidationError as exc:
        first = exc.errors()[0]
        raise SkillFileError(f"{SKILL_FILE}: {'.'.join(map(str, first['loc']))}: {first['msg']}") from None
    uploaded = [(path, skillfiles.uploaded_bytes(content)) for path, content in found]
    where = folder.relative_to(root).as_posix()
    return LoadedSkill(manifest, f"{where}/{SKILL_FILE}", 1, where, tuple(path for path, _ in uploaded),
                       sum(len(content) for _, content in uploaded), skillfiles.digest(uploaded))


def unpack(items: list[KindItem], api: Api, root: Path, rel: Callable[[Path], str]) -> tuple[list[Unpacked], list[str]]:
    """(skills to write, refusals): each skill's latest version downloaded and checked, nothing written."""
    out: list[Unpacked] = []
    refused: list[str] = []
    for item in items:
        if item.file is None:
            refused.append(f"{item.name}: a skill folder already declares it; `agentops apply --adopt` uploads it "
                           "with this stack's record")
            continue
        version = str(item.live.body.get("latest_version_id"))
        try:
            top, found = skillfiles.unpack(api.download_skill(item.live.id, version), MAX_SKILL_UPLOAD)
            folder = item.file.parent / top
            if not folder.is_relative_to(root):  # a skill's folder is named relative to the project's root
                raise SkillFileError(f"cannot be written outside the project ({rel(folder)})")
            loaded = _loaded(folder, root, top, found)
        except (skillfiles.UnsafeArchive, SkillFileError) as exc:
            refused.append(f"{item.name}: its latest version {version} {exc}" if isinstance(exc, skillfiles.UnsafeArchive)
                           else f"{item.name}: its latest version {version}: {exc}")
            continue
        if folder.exists():
            refused.append(f"{item.name}: {rel(folder)} already exists; move it away or import into another --out")
            continue
        out.append(Unpacked(replace(item, file=folder, exported=replace(item.exported, manifest={"name": loaded.name})),
                            found, loaded))
    return out, refused


def write(skill: Unpacked, root: Path, stack: str, env: str | None, dry_run: bool, api: Api) -> str | None:
    """Write the folder and, unless the live record already says so, upload it as this stack's; the
    version uploaded (None: no upload)."""
    body: dict[str, Any] = skill_desired(skill.loaded, stack, env).body
    record = skill.item.live.body
    if dry_run:
        return None
    folder = skill.item.file
    assert folder is not None  # unpack() gave every skill its folder
    for path, content in skill.files:
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("xb") as out:  # never over a file: the folder was checked to be new
            out.write(content)
    if record.get("digest") == body["digest"] and dict(skill.item.live.metadata) == body["metadata"]:
        return None
    made = api.update(skill.item.live.id, files(body, root), kind="skill")
    return str(made.get("id")) if made.get("id") else None
