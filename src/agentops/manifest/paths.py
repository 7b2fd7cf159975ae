"""References by relative path (`agent: ../agents/reviewer.md`, as `ant apply` writes them):
the file a path names must be a manifest of the repository, under the manifests folder, that
declares one object of the expected kind; the reference then stands for that object's name.

Target files are read on their own (not taken from the load), so a reference resolves in a
partial load too (`validate deployments/nightly.md`); each file is read once per load.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel

from agentops.manifest import kinds
from agentops.manifest.agent_schema import AgentManifest
from agentops.manifest.documents import SUFFIXES, Document, Reader
from agentops.manifest.positions import Locator
from agentops.manifest.schema import (
    AgentByPath,
    EnvironmentByPath,
    Manifest,
    MemoryStoreByName,
    MemoryStoreByPath,
    SkillByPath,
    VaultByPath,
)
from agentops.manifest.variables import Value, substitute
from agentops.model.kinds import SKILL_FILE
from agentops.model.words import did_you_mean

_T = TypeVar("_T")


@dataclass(frozen=True)
class Declared:
    """What one manifest file declares, as far as a reference needs it."""

    kind: kinds.Kind | None = None
    name: str | None = None
    trouble: str | None = None  # why the file cannot be referenced


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


@dataclass
class Targets:
    reader: Reader
    folder: Path  # the manifests folder, absolute
    env: str | None = None
    variables: Mapping[str, Value] = field(default_factory=dict)
    _seen: dict[Path, Declared] = field(default_factory=dict)

    def name_of(self, written: str, base: Path, expected: kinds.Kind) -> tuple[str | None, str]:
        """(the name the reference stands for, "") or (None, why not); `base` is the folder of the
        file the reference is written in."""
        root = self.reader.root
        resolved = Path(os.path.normpath(base / written))
        real = resolved.resolve()
        if not real.is_relative_to(root.resolve()):
            return None, "resolves outside the repository"
        shown = resolved.relative_to(root).as_posix() if resolved.is_relative_to(root) else written
        if not resolved.is_relative_to(self.folder):
            where = self.folder.relative_to(root).as_posix()
            return None, f"{shown} is outside the manifests folder {where}/, which holds all a stack manages"
        if not resolved.exists():
            return None, f"file not found: {shown}" + _near(resolved)
        if resolved.is_dir() and expected == "skill":
            if not (resolved / SKILL_FILE).is_file():
                return None, f"{shown} holds no {SKILL_FILE}, so it is no skill"
            resolved, shown = resolved / SKILL_FILE, f"{shown.rstrip('/')}/{SKILL_FILE}"
            real = resolved.resolve()
        if resolved.is_dir():
            return None, f"{shown} is a folder; a reference names a manifest file"
        if resolved.suffix.lower() not in SUFFIXES:
            return None, f"{shown} is not a manifest file (expected {', '.join(SUFFIXES)})"
        declared = self._seen.get(real)
        if declared is None:
            declared = self._seen[real] = self._read(resolved, shown)
        if declared.trouble is not None:
            return None, declared.trouble
        if declared.kind != expected:
            found = str(declared.kind).replace("_", " ")
            return None, f"{shown} declares {_article(found)} {found}, not {_article(expected)} {expected}"
        if not declared.name:
            return None, f"{shown} declares no name"
        return declared.name, ""

    def _read(self, path: Path, shown: str) -> Declared:
        documents = [item for item in self.reader.parse(path, shown) if isinstance(item, Document)]
        if len(documents) != 1:
            if not documents:
                return Declared(trouble=f"{shown} cannot be read or declares nothing (see its own problems)")
            return Declared(trouble=f"{shown} holds {len(documents)} documents; a reference by path needs "
                                    "a file that declares one object")
        doc = documents[0]
        inferred = kinds.infer(doc.data, shown, self.folder.relative_to(self.reader.root).as_posix())
        if isinstance(inferred, str):
            return Declared(trouble=f"{shown}: {inferred}")
        listed = doc.data.get("environments")
        if self.env is not None and isinstance(listed, list) and self.env not in listed:
            return Declared(trouble=f"{shown} does not exist in environment {self.env} (see its environments:)")
        if inferred.kind == "skill":  # named by SKILL.md, else by its folder, and never substituted
            name = doc.data.get("name", path.parent.name)
            return Declared(inferred.kind, name if isinstance(name, str) else None)
        name = doc.data.get(kinds.NAME_KEY.get(inferred.kind, "name"))
        if isinstance(name, str) and "${var." in name:
            name = substitute({"name": name}, self.variables, self.env, Locator(doc.tree, doc.data))[0]["name"]
        return Declared(inferred.kind, name if isinstance(name, str) else None)


Ref = AgentByPath | EnvironmentByPath | VaultByPath | MemoryStoreByPath | SkillByPath
EXPECTED: dict[type[BaseModel], kinds.Kind] = {
    AgentByPath: "agent", EnvironmentByPath: "environment", VaultByPath: "vault", MemoryStoreByPath: "memory_store",
    SkillByPath: "skill"}


def _near(missing: Path) -> str:
    """"; did you mean 'x.yaml'?" for a missing file whose folder holds a name close to it."""
    try:
        siblings = os.listdir(missing.parent)
    except OSError:
        return ""
    close = did_you_mean(missing.name, siblings)
    return f"; {close}" if close else ""


def path_refs(manifest: Manifest | AgentManifest) -> list[tuple[tuple[int | str, ...], Ref]]:
    """(where, reference) for every reference by path in a validated deployment or agent."""
    found: list[tuple[tuple[int | str, ...], Ref]] = []
    if isinstance(manifest, AgentManifest):
        found.extend((loc, entry) for loc, entry in manifest.references() if isinstance(entry, AgentByPath))
        found.extend((("skills", index), skill) for index, skill in enumerate(manifest.skills or [])
                     if isinstance(skill, SkillByPath))
        return found
    if isinstance(manifest.agent, AgentByPath):
        found.append((("agent",), manifest.agent))
    if isinstance(manifest.environment, EnvironmentByPath):
        found.append((("environment",), manifest.environment))
    found.extend((("vaults", index), vault) for index, vault in enumerate(manifest.vaults or [])
                 if isinstance(vault, VaultByPath))
    found.extend((("resources", index, "memory_store"), resource.memory_store)
                 for index, resource in enumerate(manifest.resources or [])
                 if isinstance(resource, MemoryStoreByName) and isinstance(resource.memory_store, MemoryStoreByPath))
    return found


def with_names(value: _T, names: Mapping[str, str]) -> _T:
    """`value` with each reference by path given the name its path resolved to (`names`: path -> name)."""
    if isinstance(value, Ref):
        return value.model_copy(update={"name": names[value.path]})  # type: ignore[return-value]
    if isinstance(value, BaseModel):
        changed = {}
        for name, item in value:
            new = with_names(item, names)
            if new is not item:
                changed[name] = new
        return value.model_copy(update=changed) if changed else value
    if isinstance(value, list):
        items = [with_names(item, names) for item in value]
        return items if any(new is not old for new, old in zip(items, value, strict=True)) else value  # type: ignore[return-value]
    return value
