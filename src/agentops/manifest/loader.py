"""Load a project: agentops.yaml, then every manifest under the manifests folder, all problems at once."""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from agentops.manifest import checks, policy_checks
from agentops.manifest.config import (
    CONFIG_FILE,
    Config,
    LoadedConfig,
    SecretsConfig,
    load_config,
    merge_defaults,
)
from agentops.manifest.documents import SUFFIXES, Document, parse_file, read_text, strip_blank_lines
from agentops.manifest.errors import validation_problems
from agentops.manifest.positions import Locator
from agentops.manifest.schema import Manifest
from agentops.manifest.secrets import secret_uses
from agentops.model import spec
from agentops.model.problems import Problem


@dataclass(frozen=True)
class LoadedManifest:
    manifest: Manifest  # defaults merged, shorthands expanded: initial_events is always set
    file: str  # relative to the project root, posix
    line: int  # where the document starts, 1-based
    # Field path of each secret reference -> (file, line, column) it was written at (a default
    # from agentops.yaml points there), so problems about a secret point at the secret.
    secrets_at: dict[str, tuple[str, int, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class Project:
    root: Path
    config: Config
    manifests: list[LoadedManifest]
    problems: list[Problem]
    partial: bool  # only part of the manifests folder was loaded, so absent manifests mean nothing
    files: list[str] = field(default_factory=list)  # every file read, agentops.yaml included
    warnings: list[Problem] = field(default_factory=list)  # worth a look, never blocking
    notices: list[Problem] = field(default_factory=list)  # files in the manifests folder that were skipped


def find_root(start: Path) -> Path | None:
    """The nearest ancestor-or-self directory holding agentops.yaml."""
    base = start if start.is_dir() else start.parent
    # Any non-folder entry counts, so a special or dangling agentops.yaml is reported, not skipped.
    return next((folder for folder in (base, *base.parents) if _config_entry(folder / CONFIG_FILE)), None)


def _config_entry(path: Path) -> bool:
    return os.path.lexists(path) and not path.is_dir()


def _quiet(name: str) -> bool:
    """Names skipped by convention, without a notice: hidden, '_'-prefixed and READMEs."""
    return name.startswith((".", "_")) or name.lower() == "readme.md"


def is_manifest_name(path: Path) -> bool:
    return path.suffix.lower() in SUFFIXES


_EXPECTED = ", ".join(SUFFIXES)


def discover(folder: Path, root: Path) -> tuple[list[Path], list[Problem]]:
    """Manifest files under `folder`, sorted, and a notice for every other file that is skipped.

    READMEs and names starting with '.' or '_' are skipped silently (that is how prompt files and
    notes are kept next to manifests); extensions match in any case (`a.YAML`).
    """
    found: list[Path] = []
    notices: list[Problem] = []
    for directory, subdirs, files in os.walk(folder):
        subdirs[:] = [name for name in subdirs if not _quiet(name)]
        for name in subdirs:
            if os.path.islink(os.path.join(directory, name)):
                notices.append(Problem((Path(directory) / name).relative_to(root).as_posix(), 1, 1, "",
                                       "skipped: a symlinked folder is not followed"))
        for name in files:
            path = Path(directory) / name
            if _quiet(name):
                continue
            if is_manifest_name(path):
                found.append(path)
            else:
                notices.append(Problem(path.relative_to(root).as_posix(), 1, 1, "",
                                       f"skipped: not a manifest file (expected {_EXPECTED})",
                                       "rename it, or start its name with '_' to keep it here without this notice"))
    return sorted(found), sorted(notices)


def _inside(path: Path, root: Path) -> bool:
    return path.is_relative_to(root)


def _prompt_text(data: dict[str, Any], base: Path, root: Path, locator: Locator,
                 body: str | None) -> tuple[str | None, list[Problem]]:
    """The text of the single user.message a shorthand stands for (None when initial_events is given)."""
    if body:
        return body, []
    prompt, prompt_file = data.get("prompt"), data.get("prompt_file")
    if isinstance(prompt, str):
        text = strip_blank_lines(prompt)
        return (text, []) if text else (None, [locator.problem(("prompt",), "must not be empty")])
    if not isinstance(prompt_file, str):
        return None, []
    if not prompt_file:
        return None, [locator.problem(("prompt_file",), "must not be empty")]
    target = Path(prompt_file)
    target = target if target.is_absolute() else base / target
    resolved = target.resolve()
    if not _inside(resolved, root):
        return None, [locator.problem(("prompt_file",), "resolves outside the repository",
                                      "prompt files must live inside the repository root; '..' escapes, "
                                      "absolute paths and symlinks leading out are refused")]
    if not resolved.exists():
        missing = resolved.relative_to(root).as_posix()
        return None, [locator.problem(("prompt_file",), f"file not found: {missing}")]
    content, problem = read_text(resolved, resolved.relative_to(root).as_posix(), root)
    if content is None:
        return None, [locator.problem(("prompt_file",), problem.message if problem else "cannot read file")]
    content = strip_blank_lines(content)
    return (content, []) if content else (None, [locator.problem(("prompt_file",), "the prompt file is empty")])


def _build(
    doc: Document, locator: Locator, path: Path, root: Path, allowed: frozenset[str]
) -> tuple[Manifest | None, list[Problem]]:
    data: dict[str, Any] = locator.data
    problems = [
        *checks.source_problems(data, doc.body, locator),
        *checks.metadata_problems(data, locator),
        *checks.secret_problems(data, locator, allowed),
    ]
    try:
        manifest = Manifest.model_validate(data)
    except ValidationError as exc:
        return None, [*problems, *validation_problems(exc, locator, Manifest)]
    except RecursionError:
        return None, [*problems, locator.problem((), "nested too deeply")]
    if problems:
        return None, problems
    text, problems = _prompt_text(data, path.parent, root, locator, doc.body)
    if problems:
        return None, problems
    if text is not None:
        # Built from the models directly: re-validating the whole manifest doubled load time.
        event = spec.UserMessageEvent(type="user.message", content=[spec.TextBlock(type="text", text=text)])
        manifest = manifest.model_copy(update={"initial_events": [event]})
    return manifest, []


def _targets(start: Path, folder: Path, root: Path) -> tuple[list[Path], bool, list[Problem], list[Problem]]:
    """(manifest files, whether that is only part of the folder, problems, notices of skipped files)."""
    if start != folder and _inside(start, folder):
        if start.is_dir():
            found, notices = discover(start, root)
            return found, True, [], notices
        if is_manifest_name(start):
            return [start], True, [], []
        name = start.relative_to(root).as_posix()
        return [], True, [Problem(name, 1, 1, "", f"not a manifest file (expected one of {_EXPECTED})")], []
    if not folder.is_dir():
        return [], False, [Problem(CONFIG_FILE, 1, 1, "manifests",
                                   f"manifests folder {folder.relative_to(root).as_posix()!r} does not exist",
                                   "create it or set 'manifests' in agentops.yaml")], []
    found, notices = discover(folder, root)
    return found, False, [], notices


def _absolute(path: Path) -> Path:
    """`path` made absolute, its folders resolved but not a final symlink: that is checked when read."""
    full = Path(os.path.abspath(path))
    return full.parent.resolve() / full.name if full.is_symlink() else full.resolve()


def load_project(path: Path = Path("."), stack: str | None = None, more: Sequence[Path] = ()) -> Project:
    """Load and check everything under the project holding `path`; problems are returned, never raised."""
    return start_load(path, stack, more)()


def _no_project(starts: list[Path], stack: str | None, problems: list[Problem]) -> Project:
    present = next((start for start in starts if os.path.lexists(start)), None)
    if present is not None:
        problems = [*problems, Problem(CONFIG_FILE, 1, 1, "", f"no {CONFIG_FILE} in {present} or any parent folder",
                                       "run `agentops init` to create one")]
    config = Config.model_construct(stack=stack or "", manifests="deployments", workspace_id=None,
                                    defaults={}, secrets=SecretsConfig())
    return Project(present or starts[0].parent, config, [], sorted(problems), False)


@dataclass(frozen=True)
class Pending:
    """A project whose config is read and whose manifests are not loaded yet: calling it loads them.

    What the config says (the workspace, the API limits) is known before the manifests are
    read, so a caller can start reading the workspace while they load.
    """

    root: Path
    config: Config
    finish: Callable[[], Project]

    def __call__(self) -> Project:
        return self.finish()


def start_load(path: Path = Path("."), stack: str | None = None, more: Sequence[Path] = ()) -> Pending:
    """Read agentops.yaml and find the manifest files; the returned Pending loads them when called.

    `more` adds files or folders of the same project (e.g. the files a pre-commit hook passes).
    """
    given = [path, *more]
    starts = [_absolute(item) for item in given]
    problems = [Problem(str(item), 1, 1, "", "no such file or folder")
                for item, start in zip(given, starts, strict=True) if not os.path.lexists(start)]
    present = [start for start in starts if os.path.lexists(start)]
    root = find_root(present[0]) if present else None
    if root is None:
        missing = _no_project(starts, stack, problems)
        return Pending(missing.root, missing.config, lambda: missing)
    loaded = load_config(root, stack)
    problems.extend(loaded.problems)
    folder = root / loaded.config.manifests
    targets: list[Path] = []
    notices: list[Problem] = []
    partial = True
    for start in present:
        if find_root(start) != root:
            problems.append(Problem(str(start), 1, 1, "", f"belongs to another project than {root}",
                                    "validate each project separately"))
            continue
        found, part, trouble, skipped = _targets(start, folder, root)
        targets.extend(found)
        problems.extend(trouble)
        notices.extend(skipped)
        partial = partial and part
    targets = sorted(set(targets))

    def finish() -> Project:
        with _gc_paused():
            chunk = _load_chunk(targets, root, loaded)
        every = [*problems, *chunk.problems, *checks.cross_document_problems(chunk.entries)]
        files = [CONFIG_FILE, *chunk.files]
        warnings = sorted({*checks.name_warnings(chunk.entries), *chunk.warnings})
        prompts = _prompt_files(chunk.manifests, root)
        skipped = sorted({notice for notice in notices if notice.file not in prompts})
        return Project(root, loaded.config, chunk.manifests, sorted(set(every)), partial, files, warnings, skipped)

    return Pending(root, loaded.config, finish)


def _secrets_at(manifest: Manifest, locator: Locator) -> dict[str, tuple[str, int, int]]:
    out = {}
    for index, field_name in secret_uses(manifest).values():
        where = locator.problem(("resources", index, field_name), "")
        out[f"resources[{index}].{field_name}"] = (where.file, where.line, where.column)
    return out


def _prompt_files(manifests: list[LoadedManifest], root: Path) -> set[str]:
    """Files that manifests use as prompt_file: not manifests, but not skipped either."""
    used = set()
    for loaded in manifests:
        if loaded.manifest.prompt_file:
            path = ((root / loaded.file).parent / loaded.manifest.prompt_file).resolve()
            if _inside(path, root):
                used.add(path.relative_to(root).as_posix())
    return used


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Loading builds many long-lived objects and no garbage cycles; collector passes over the
    growing heap cost a third of the load time of 5,000 files (benchmarks/scale.py)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@dataclass
class _Chunk:
    problems: list[Problem] = field(default_factory=list)
    entries: list[checks.Entry] = field(default_factory=list)
    manifests: list[LoadedManifest] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)  # from `warn` policy rules


def _load_chunk(targets: list[Path], root: Path, loaded: LoadedConfig) -> _Chunk:
    out = _Chunk()
    allowed = frozenset(loaded.config.secrets.allow)
    for target in targets:
        file = target.relative_to(root).as_posix()
        out.files.append(file)
        for item in parse_file(target, file, root):
            if isinstance(item, Problem):
                out.problems.append(item)
                continue
            data = merge_defaults(loaded.config.defaults, item.data)
            locator = Locator(item.tree, data, loaded.defaults)
            manifest, more = _build(item, locator, target, root, allowed)
            out.problems.extend(more)
            if manifest is not None:
                out.manifests.append(LoadedManifest(manifest, file, item.line, _secrets_at(manifest, locator)))
                blocking, warned = policy_checks.check(manifest, locator, loaded.config.policy)
                out.problems.extend(blocking)
                out.warnings.extend(warned)
            entry = checks.Entry.of(data, file, item.line, locator)
            if entry is not None:
                out.entries.append(entry)
    return out
