"""A skill folder (one holding SKILL.md) to a loaded skill: its front matter checked, its files
collected as they will be uploaded, and their content digest (model/skillfiles.py says which files,
which bytes, and where the digest is recorded on the live skill)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from agentops.manifest.documents import Document
from agentops.manifest.errors import validation_problems
from agentops.manifest.positions import Locator
from agentops.manifest.skill_schema import SkillManifest
from agentops.model import skillfiles
from agentops.model.kinds import MAX_SKILL_UPLOAD, SKILL_FILE
from agentops.model.problems import Problem


@dataclass(frozen=True)
class LoadedSkill:
    manifest: SkillManifest  # SKILL.md's front matter; `name` is the folder's when the file gives none
    file: str  # the skill's SKILL.md, relative to the project root, posix
    line: int
    folder: str  # the skill's folder, relative to the project root, posix
    files: tuple[str, ...]  # what is uploaded, below the folder: sorted, '/'-separated, SKILL.md among them
    size: int  # bytes uploaded (agentops's record file aside)
    digest: str  # "sha256:<hex>" over those files (skillfiles.digest)

    @property
    def name(self) -> str:
        return self.manifest.name


def collect(folder: Path, root: Path) -> tuple[list[tuple[str, bytes]], list[Problem]]:
    """Every file of the skill in `folder` as uploaded, (upload path, bytes) sorted by path, and the
    problems that stop an upload (a symlink, an unreadable or unnameable file). Also what the executor
    reads before an upload: the digest of what it sends is then the plan's, or the plan is stale."""
    files: list[tuple[str, bytes]] = []
    problems: list[Problem] = []
    for directory, subdirs, names in os.walk(folder):
        here = Path(directory)
        # os.walk does not descend into a symlinked folder; it is reported below like a symlinked file.
        subdirs[:] = [name for name in subdirs if not skillfiles.skipped(name, folder=True)]
        for name in [*subdirs, *(name for name in names if not skillfiles.skipped(name, folder=False))]:
            path = here / name
            shown = path.relative_to(root).as_posix()
            if path.is_symlink():
                problems.append(Problem(shown, 1, 1, "", "a skill's files cannot be symlinks: the upload would send "
                                        "what the link points at", "copy the file into the skill's folder"))
            elif name in names:
                problems.extend(_add(files, path, folder, shown))
    return sorted(files), sorted(problems)


def _add(files: list[tuple[str, bytes]], path: Path, folder: Path, shown: str) -> list[Problem]:
    parts = path.relative_to(folder).parts
    if any("\\" in part for part in parts):
        return [Problem(shown, 1, 1, "", "a file name holding '\\' cannot be uploaded (upload paths are '/'-separated)")]
    try:
        upload_path = skillfiles.relative_path(parts)
        upload_path.encode("utf-8")
        raw = path.read_bytes()
    except UnicodeError:
        return [Problem(shown, 1, 1, "", "the file name is not valid UTF-8", "rename the file")]
    except OSError as exc:
        return [Problem(shown, 1, 1, "", f"cannot read the file: {exc.strerror or exc}")]
    files.append((upload_path, skillfiles.uploaded_bytes(raw)))
    return []


def build_skill(doc: Document, locator: Locator, target: Path, root: Path) -> tuple[LoadedSkill | None, list[Problem]]:
    """The skill whose SKILL.md is `target`, or its problems (front matter, files, size) all at once."""
    folder = target.parent
    data = doc.data
    named = "name" in data
    try:
        manifest: SkillManifest | None = SkillManifest.model_validate(data if named else {"name": folder.name, **data})
        problems: list[Problem] = []
    except ValidationError as exc:
        manifest = None
        problems = [problem if named or problem.path != "name" else
                    _unnamed(problem, folder.name) for problem in validation_problems(exc, locator, SkillManifest)]
    files, trouble = collect(folder, root)
    problems.extend(trouble)
    size = sum(len(content) for _, content in files)
    if size > MAX_SKILL_UPLOAD:
        problems.append(locator.problem((), f"the skill's files come to {size} bytes, over the upload limit of "
                                            f"{MAX_SKILL_UPLOAD} bytes",
                                        "move large data out of the skill, or start its name with '.' to leave it out"))
    if manifest is None or problems:
        return None, problems
    folder_name = folder.relative_to(root).as_posix()
    return LoadedSkill(manifest, f"{folder_name}/{SKILL_FILE}", doc.line, folder_name,
                       tuple(path for path, _ in files), size, skillfiles.digest(files)), []


def _unnamed(problem: Problem, folder: str) -> Problem:
    return Problem(problem.file, problem.line, problem.column, "name",
                   f"the folder name {folder!r}, which names the skill as SKILL.md gives no name, {problem.message}",
                   f"add name: to the front matter of {SKILL_FILE}, or rename the folder")
