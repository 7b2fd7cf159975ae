"""Load a project: agentops.yaml, then every manifest under the manifests folder, all problems at once."""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from agentops.manifest import checks, kinds, paths, policy_checks
from agentops.manifest import guards as guarded
from agentops.manifest.agent_schema import AgentManifest
from agentops.manifest.build import (
    build_agent,
    build_environment,
    build_memory_store,
    build_vault,
    read_text_field,
)
from agentops.manifest.config import LoadedConfig, load_config
from agentops.manifest.config_schema import CONFIG_FILE, Config, SecretsConfig
from agentops.manifest.documents import SUFFIXES, Document, Reader, strip_blank_lines
from agentops.manifest.environment_schema import EnvironmentManifest
from agentops.manifest.errors import validation_problems
from agentops.manifest.layers import layer, merge_defaults
from agentops.manifest.memory_store_schema import MemoryStoreManifest
from agentops.manifest.positions import Locator, Tree
from agentops.manifest.schema import (
    AgentByName,
    AgentByPath,
    EnvironmentByPath,
    Manifest,
    MemoryStoreByName,
    SkillByName,
    is_path,
)
from agentops.manifest.skill import LoadedSkill, build_skill
from agentops.manifest.variables import substitute
from agentops.manifest.vault_schema import VaultManifest
from agentops.model import credential, spec
from agentops.model.kinds import SKILL_FILE
from agentops.model.problems import Problem, Where
from agentops.model.secretref import secret_uses
from agentops.model.words import did_you_mean


@dataclass(frozen=True)
class LoadedManifest:
    manifest: Manifest  # defaults merged, shorthands expanded: initial_events is always set
    file: str  # relative to the project root, posix
    line: int  # where the document starts, 1-based
    # Field path of each secret reference -> (file, line, column) it was written at (a default
    # from agentops.yaml points there), so problems about a secret point at the secret.
    secrets_at: dict[str, tuple[str, int, int]] = field(default_factory=dict)
    # Each reference by name or path ("agent", "environment", "vaults[0]", "resources[2].memory_store") ->
    # "file:line" it was written at.
    refs_at: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class LoadedAgent:
    manifest: AgentManifest  # a Markdown body or system_file is in `system`; references by path carry names
    file: str
    line: int
    # Each skill named by name or path ("skills[0]") -> "file:line" it was written at.
    refs_at: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class LoadedEnvironment:
    manifest: EnvironmentManifest  # a Markdown body is in `description`
    file: str
    line: int


@dataclass(frozen=True)
class LoadedVault:
    manifest: VaultManifest  # its credentials' secrets are `${VAR}` references
    file: str
    line: int
    # Field path of each secret reference ("credentials[0].auth.token") -> (file, line, column) it was
    # written at, so problems about a secret (an unset variable) point at the secret.
    secrets_at: dict[str, tuple[str, int, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class LoadedMemoryStore:
    manifest: MemoryStoreManifest  # a Markdown body is in `description`
    file: str
    line: int


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
    env: str | None = None  # the environment loaded for (None when agentops.yaml declares none)
    # What this revision's agentops.yaml changes about the guards in force (`guards` of start_load).
    guard_changes: list[str] = field(default_factory=list)
    # The other kinds declared: `manifests` holds the deployments.
    agents: list[LoadedAgent] = field(default_factory=list)
    environments: list[LoadedEnvironment] = field(default_factory=list)
    vaults: list[LoadedVault] = field(default_factory=list)
    skills: list[LoadedSkill] = field(default_factory=list)
    memory_stores: list[LoadedMemoryStore] = field(default_factory=list)
    # Where each agentops.yaml setting in force is written (manifest/config.py `_settings`; the
    # guards at the base revision under `guards`).
    settings: dict[str, Where] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        """How many manifests of each kind were loaded, in the order writes create them."""
        loaded: dict[str, list[Any]] = {
            "environment": self.environments, "vault": self.vaults, "skill": self.skills,
            "memory_store": self.memory_stores, "agent": self.agents, "deployment": self.manifests}
        return {kind: len(loaded[kind]) for kind in kinds.ORDER}


def find_root(start: Path) -> Path | None:
    """The nearest ancestor-or-self directory holding agentops.yaml."""
    base = start if start.is_dir() else start.parent
    # Any non-folder entry counts, so a special or dangling agentops.yaml is reported, not skipped.
    return next((folder for folder in (base, *base.parents) if _config_entry(folder / CONFIG_FILE)), None)


def _config_entry(path: Path) -> bool:
    return os.path.lexists(path) and not path.is_dir()


# `ant apply`'s lockfile: state, not a manifest (a repository written for it keeps one at its root).
ANT_LOCKFILE = "claude-lock.json"


def _quiet(name: str) -> bool:
    """Names skipped by convention, without a notice: hidden, '_'-prefixed, READMEs and ant's lockfile."""
    return name.startswith((".", "_")) or name.lower() == "readme.md" or name == ANT_LOCKFILE


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
        if SKILL_FILE in files:
            # A skill is a folder with SKILL.md and files of its own: the folder is one (skill) manifest.
            subdirs[:] = []
            files = [SKILL_FILE]
        subdirs[:] = [name for name in subdirs if not _quiet(name)]
        for name in subdirs:
            if os.path.islink(os.path.join(directory, name)):
                notices.append(Problem((Path(directory) / name).relative_to(root).as_posix(), 1, 1, "",
                                       "skipped: a symlinked folder is not followed"))
        for name in files:
            # With `manifests: .` the walk passes agentops.yaml itself, which is no manifest.
            if _quiet(name) or (name == CONFIG_FILE and Path(directory) == root):
                continue
            path = Path(directory, name)
            if is_manifest_name(path):
                found.append(path)
            else:
                notices.append(Problem(path.relative_to(root).as_posix(), 1, 1, "",
                                       f"skipped: not a manifest file (expected {_EXPECTED})",
                                       "rename it, or start its name with '_' to keep it here without this notice"))
    return sorted(found, key=_path_order), sorted(notices)


def _path_order(path: Path) -> tuple[str, ...]:
    """The order Paths sort in, as a key: sorting thousands of Paths by comparison is slow."""
    return path.parts


def _inside(path: Path, root: Path) -> bool:
    return path.is_relative_to(root)


def _prompt_text(data: dict[str, Any], base: Path, reader: Reader, locator: Locator,
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
    return read_text_field("prompt_file", prompt_file, base, reader, locator, "prompt")


def _build(
    doc: Document, locator: Locator, path: Path, reader: Reader, allowed: frozenset[str], env: bool = False
) -> tuple[Manifest | None, list[Problem]]:
    data: dict[str, Any] = locator.data
    problems = [
        *_both_environment_spellings(data, locator),
        *checks.source_problems(data, doc.body, locator),
        *checks.metadata_problems(data, locator, env),
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
    text, problems = _prompt_text(data, path.parent, reader, locator, doc.body)
    if problems:
        return None, problems
    if text is not None:
        # Built from the models directly: re-validating the whole manifest doubled load time.
        event = spec.UserMessageEvent(type="user.message", content=[spec.TextBlock(type="text", text=text)])
        manifest = manifest.model_copy(update={"initial_events": [event]})
    return manifest, []


def _environment_by_path(data: dict[str, Any]) -> dict[str, Any]:
    """`environment_id: ../environments/x.yaml`, as `ant apply` writes it, read as `environment:`."""
    if is_path(data.get("environment_id")) and "environment" not in data:
        return {("environment" if key == "environment_id" else key): value for key, value in data.items()}
    return data


def _both_environment_spellings(data: dict[str, Any], locator: Locator) -> list[Problem]:
    if "environment" in data and "environment_id" in data:
        return [locator.problem(("environment",), "give environment (by name) or environment_id, not both",
                                "remove one of them", key=True)]
    return []


def _targets(start: Path, folder: Path, root: Path) -> tuple[list[Path], bool, list[Problem], list[Problem]]:
    """(manifest files, whether that is only part of the folder, problems, notices of skipped files)."""
    if os.path.lexists(folder) and not Path(os.path.realpath(folder)).is_relative_to(root):
        # Symlinked sub-folders are skipped while walking; the folder itself (or a folder on its
        # way) leading out would make the walk cover whatever it points at, even the whole disk.
        return [], False, [Problem(CONFIG_FILE, 1, 1, "manifests",
                                   f"manifests folder {folder.relative_to(root).as_posix()!r} is a symlink "
                                   "that leads out of the repository",
                                   "keep the manifests inside the repository")], []
    if start != folder and _inside(start, folder):
        if start.is_dir():
            found, notices = discover(start, root)
            return found, True, [], notices
        if is_manifest_name(start):
            return [start], True, [], []
        name = start.relative_to(root).as_posix()
        return [], True, [Problem(name, 1, 1, "", f"not a manifest file (expected one of {_EXPECTED})")], []
    if start not in (root / CONFIG_FILE, Path.cwd()) and not _inside(folder, start):
        # Neither the project (or the folder a command runs in), nor its manifests folder, nor in it:
        # reading the folder instead would answer a question nobody asked ("2 manifests valid" for
        # a broken file given by name).
        name = start.relative_to(root).as_posix()
        where = folder.relative_to(root).as_posix()
        return [], True, [Problem(name, 1, 1, "", f"outside the manifests folder {where!r}, so it is not a manifest "
                                  "of this project", f"move it under {where}/, or set 'manifests' in agentops.yaml")], []
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


def load_project(
    path: Path = Path("."), stack: str | None = None, more: Sequence[Path] = (), env: str | None = None
) -> Project:
    """Load and check everything under the project holding `path` for environment `env`;
    problems are returned, never raised."""
    return start_load(path, stack, more, env)()


def load_every_environment(path: Path = Path("."), stack: str | None = None, more: Sequence[Path] = ()) -> Project:
    """What `validate` checks without --env: the project in each declared environment.

    A problem found in every environment is reported once; one found only in some names them.
    """
    first = start_load(path, stack, more, every=True)()
    names = sorted(first.config.environments)
    if not names:
        return first
    loads = {name: start_load(path, stack, more, name, annotate=False)() for name in names}
    counted: dict[Problem, list[str]] = {}
    for name, project in loads.items():
        for problem in project.problems:
            counted.setdefault(problem, []).append(name)
    problems = sorted(
        problem if len(where) == len(names) else _in_environments(problem, where)
        for problem, where in counted.items()
    )
    widest = max(loads.values(), key=lambda p: sum(p.counts().values()))
    return replace(widest, problems=problems, env=None)


def _in_environments(problem: Problem, names: Sequence[str]) -> Problem:
    label = "environment" if len(names) == 1 else "environments"
    return replace(problem, message=f"{problem.message} [{label} {', '.join(names)}]")


def choose_environment(loaded: LoadedConfig, env: str | None, every: bool = False) -> list[Problem]:
    """Problems with the environment picked by --env / AGENTOPS_ENV (none when `every`: validate)."""
    names = sorted(loaded.config.environments)
    line, column = loaded.environments_at
    if not names:
        if env is None:
            return []
        return [Problem("--env", 1, 1, "", f"environment {env!r} was picked, but agentops.yaml declares no environments",
                        "drop --env / AGENTOPS_ENV, or declare environments: in agentops.yaml")]
    if env is None:
        if every:
            return []
        return [Problem(CONFIG_FILE, line, column, "environments",
                        f"agentops.yaml declares environments ({', '.join(names)}): pick one with --env NAME "
                        "or AGENTOPS_ENV")]
    if env not in names:
        close = did_you_mean(env, names)
        return [Problem(CONFIG_FILE, line, column, "environments",
                        f"unknown environment {env!r}; expected one of: {', '.join(names)}", close)]
    return []


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
    # False when agentops.yaml has problems: its settings are stand-ins, not to be acted on.
    usable: bool = True

    def __call__(self) -> Project:
        return self.finish()


def start_load(
    path: Path = Path("."),
    stack: str | None = None,
    more: Sequence[Path] = (),
    env: str | None = None,
    *,
    annotate: bool = True,
    every: bool = False,
    guards: LoadedConfig | None = None,
) -> Pending:
    """Read agentops.yaml and find the manifest files; the returned Pending loads them when called.

    `more` adds files or folders of the same project (e.g. the files a pre-commit hook passes).
    `env` picks one of the environments agentops.yaml declares (every problem then names it
    when `annotate`); without one, a project that declares environments is only its config
    problems plus "pick one", unless `every` (validate loads each environment itself).
    `guards`, another revision's config (a pull request's base), decides the guard settings.
    """
    given = [path, *more]
    starts = [_absolute(item) for item in given]
    problems = [Problem(str(item), 1, 1, "", "no such file or folder")
                for item, start in zip(given, starts, strict=True) if not os.path.lexists(start)]
    present = [start for start in starts if os.path.lexists(start)]
    root = find_root(present[0]) if present else None
    if root is None:
        missing = _no_project(starts, stack, problems)
        return Pending(missing.root, missing.config, lambda: missing, usable=False)
    loaded = load_config(root, stack)
    problems.extend(loaded.problems)
    guard_changes: list[str] = []
    if guards is not None:
        guard_changes = guarded.changes(loaded.config, guards.config, env)
        loaded = replace(loaded, config=guarded.guarded_by(loaded.config, guards.config),
                         settings=guarded.settings_in_force(loaded.settings, guards.settings))
    chosen = choose_environment(loaded, env, every)
    if chosen or (every and env is None and loaded.config.environments):
        unchosen = Project(root, loaded.config, [], sorted({*problems, *chosen}), True, [CONFIG_FILE])
        return Pending(root, loaded.config, lambda: unchosen, usable=False)
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
    targets = sorted(set(targets), key=_path_order)

    def finish() -> Project:
        with _gc_paused():
            chunk = _load_chunk(targets, root, loaded, env)
        found = [*chunk.problems, *(problem for kind, entries in chunk.entries.items()
                                     for problem in checks.cross_document_problems(entries, kind))]
        if env is not None and annotate:
            found = [_in_environments(problem, [env]) for problem in found]
        files = [CONFIG_FILE, *chunk.files]
        warnings = sorted({*(warning for entries in chunk.entries.values() for warning in checks.name_warnings(entries)),
                           *chunk.warnings})
        prompts = _prompt_files(chunk, root)
        skipped = sorted({notice for notice in notices if notice.file not in prompts})
        return Project(root, loaded.config, chunk.manifests, sorted({*problems, *found}), partial, files, warnings,
                       skipped, env, guard_changes, chunk.agents, chunk.environments, chunk.vaults, chunk.skills,
                       chunk.memory_stores, loaded.settings)

    return Pending(root, loaded.config, finish, usable=not loaded.problems)


def _secrets_at(manifest: Manifest, locator: Locator) -> dict[str, tuple[str, int, int]]:
    out = {}
    for index, field_name in secret_uses(manifest.resources or []).values():
        file, line, column, _ = locator.where(("resources", index, field_name))
        out[f"resources[{index}].{field_name}"] = (file, line, column)
    return out


def _vault_secrets_at(vault: VaultManifest, locator: Locator) -> dict[str, tuple[str, int, int]]:
    out = {}
    for index, item in enumerate(vault.credentials):
        for path, _ in credential.secrets(item.auth.model_dump()):
            file, line, column, where = locator.where(("credentials", index, "auth", *path))
            out[where] = (file, line, column)
    return out


def _prompt_files(chunk: _Chunk, root: Path) -> set[str]:
    """Files that manifests use as prompt_file or system_file: not manifests, but not skipped either."""
    used = set()
    named = [(loaded.file, loaded.manifest.prompt_file) for loaded in chunk.manifests]
    named += [(loaded.file, loaded.manifest.system_file) for loaded in chunk.agents]
    for file, text_file in named:
        if text_file:
            path = ((root / file).parent / text_file).resolve()
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


@dataclass(frozen=True)
class _PathRef:
    """A reference by path found in a loaded manifest, to be resolved once every file is read."""

    holder: tuple[str, int]  # (kind, index among the loaded manifests of that kind)
    written: str
    expected: kinds.Kind
    at: tuple[str, int, int, str]  # file, line, column, field path


@dataclass
class _Chunk:
    problems: list[Problem] = field(default_factory=list)
    entries: dict[str, list[checks.Entry]] = field(default_factory=dict)  # per kind
    manifests: list[LoadedManifest] = field(default_factory=list)
    agents: list[LoadedAgent] = field(default_factory=list)
    environments: list[LoadedEnvironment] = field(default_factory=list)
    vaults: list[LoadedVault] = field(default_factory=list)
    skills: list[LoadedSkill] = field(default_factory=list)
    memory_stores: list[LoadedMemoryStore] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)  # from `warn` policy rules
    refs: list[_PathRef] = field(default_factory=list)


# Manifest keys an override cannot change: identity, and where the manifest exists.
NOT_OVERRIDABLE = ("name", "previous_names", "environments", "overrides")


def _environment_problems(data: dict[str, Any], locator: Locator, names: Sequence[str]) -> list[Problem]:
    """`environments:` and `overrides:` of a manifest must name environments agentops.yaml declares."""
    if not names:
        return [locator.problem((key,), "agentops.yaml declares no environments",
                                "declare them under environments: in agentops.yaml", key=True)
                for key in ("environments", "overrides") if key in data]
    declared = ", ".join(names)
    problems = [
        locator.problem(("environments", index), f"unknown environment {item!r}; agentops.yaml declares {declared}",
                        did_you_mean(item, names))
        for index, item in enumerate(data.get("environments") or [] if isinstance(data.get("environments"), list)
                                     else [])
        if isinstance(item, str) and item not in names
    ]
    overrides = data.get("overrides")
    for key, value in (overrides.items() if isinstance(overrides, dict) else []):
        if key not in names:
            problems.append(locator.problem(("overrides", key), f"overrides environment {key!r}, which "
                                            f"agentops.yaml does not declare ({declared})",
                                            did_you_mean(str(key), names), key=True))
        for fixed in (k for k in (value if isinstance(value, dict) else {}) if k in NOT_OVERRIDABLE):
            problems.append(locator.problem(("overrides", key, fixed), "cannot be overridden per environment",
                                            key=True))
    return problems


def _in_environment(data: dict[str, Any], env: str | None) -> bool:
    listed = data.get("environments")
    return env is None or not isinstance(listed, list) or env in listed


def _layered(item: Document, loaded: LoadedConfig, env: str | None,
             kind: kinds.Kind = kinds.DEFAULT) -> tuple[dict[str, Any], Locator]:
    """The document for `env`: config defaults < environment defaults < manifest < overrides.<env>.

    `defaults:` are deployment fields: other kinds take only their overrides.
    """
    deployment = kind == "deployment"
    defaults = loaded.config.defaults if deployment else {}
    environment_tree = override_tree = None
    data = item.data
    if env is not None:
        settings = loaded.config.environments[env]
        defaults = layer(defaults, settings.defaults) if deployment else {}
        environment_tree = loaded.environment_defaults.get(env) if deployment else None
        overrides = data.get("overrides")
        override = overrides.get(env) if isinstance(overrides, dict) else None
        if isinstance(override, dict):
            data = layer(data, {k: v for k, v in override.items() if k not in NOT_OVERRIDABLE})
            tree, node = Locator(item.tree, item.data).find(("overrides", env))
            override_tree = Tree(tree.file, node, tree.line_offset, f"overrides.{env}")
    data = merge_defaults(defaults, data)
    return data, Locator(item.tree, data, loaded.defaults if deployment else None, environment_tree, override_tree)


def _refs_at(manifest: Manifest, locator: Locator, environment_key: str = "environment") -> dict[str, str]:
    paths: dict[str, tuple[int | str, ...]] = {}
    if isinstance(manifest.agent, AgentByName):
        paths["agent"] = ("agent",) if isinstance(manifest.agent, AgentByPath) else ("agent", "name")
    if isinstance(manifest.environment, EnvironmentByPath):
        paths["environment"] = (environment_key,)
    elif manifest.environment is not None:
        paths["environment"] = ("environment", "name")
    for index, _ in enumerate(manifest.vaults or []):
        paths[f"vaults[{index}]"] = ("vaults", index, "name")
    for index, resource in enumerate(manifest.resources or []):
        if isinstance(resource, MemoryStoreByName):
            paths[f"resources[{index}].memory_store"] = ("resources", index, "memory_store", "name")
    return _written_at(paths, locator)


def _agent_refs_at(agent: AgentManifest, locator: Locator) -> dict[str, str]:
    """Each skill the agent names by name or path ("skills[0]") -> "file:line" it was written at."""
    return _written_at({f"skills[{index}]": ("skills", index) for index, skill in enumerate(agent.skills or [])
                        if isinstance(skill, SkillByName)}, locator)


def _written_at(paths: dict[str, tuple[int | str, ...]], locator: Locator) -> dict[str, str]:
    out = {}
    for key, loc in paths.items():
        file, line, _, _ = locator.where(loc)
        out[key] = f"{file}:{line}"
    return out


def _relative(path: Path, root: Path, base: str) -> str:
    """`path.relative_to(root).as_posix()` (`base` is str(root)), by slicing the text when it starts
    with the root and a '/' (a Windows path never does; '//' is a root of its own)."""
    text = str(path)
    if base != "/" and text.startswith(base + "/"):
        return text[len(base) + 1 :]
    return path.relative_to(root).as_posix()


def _load_chunk(targets: list[Path], root: Path, loaded: LoadedConfig, env: str | None = None) -> _Chunk:
    out = _Chunk()
    names = sorted(loaded.config.environments)
    variables = loaded.config.environments[env].vars if env is not None else {}
    reader = Reader(root)
    base = str(root)
    for target in targets:
        file = _relative(target, root, base)
        out.files.append(file)
        for item in reader.parse(target, file):
            if isinstance(item, Problem):
                out.problems.append(item)
                continue
            kind = _kind_of(item, file, loaded.config.manifests, out)
            if kind is None:
                continue
            if kind == "skill":  # uploaded as written: no environments, overrides or variables
                _load_skill(item, target, root, out)
                continue
            if "type" in item.data:
                item = replace(item, data={key: value for key, value in item.data.items() if key != "type"})
            out.problems.extend(_environment_problems(item.data, Locator(item.tree, item.data), names))
            if not _in_environment(item.data, env):
                continue
            data, locator = _layered(item, loaded, env, kind)
            substituted, unresolved = substitute(data, variables, env, locator)
            if substituted is not data:
                data, locator = substituted, replace(locator, data=substituted)
            _load_document(kind, item, data, locator, target, reader, loaded, env, unresolved, out)
            entry = checks.Entry.of(data, file, item.line, locator, kinds.NAME_KEY.get(kind, "name"))
            if entry is not None:
                out.entries.setdefault(kind, []).append(entry)
    _resolve_paths(out, paths.Targets(reader, root / loaded.config.manifests, env, variables))
    return out


def _kind_of(item: Document, file: str, manifests: str, out: _Chunk) -> kinds.Kind | None:
    """The document's kind, or None (and a problem) when it names none."""
    inferred = kinds.infer(item.data, file, manifests)
    if isinstance(inferred, str):
        out.problems.append(Locator(item.tree, item.data).problem(("type",), inferred))
        return None
    if inferred.kind == "skill" and not file.endswith(f"/{SKILL_FILE}") and file != SKILL_FILE:
        out.problems.append(Locator(item.tree, item.data).problem(
            ("type",) if "type" in item.data else (), f"a skill is a folder holding {SKILL_FILE}, not a file of "
            "its own", f"the kind comes from its {inferred.how}; put the skill in a folder with its {SKILL_FILE}"))
        return None
    return inferred.kind


def _load_skill(item: Document, target: Path, root: Path, out: _Chunk) -> None:
    locator = Locator(item.tree, item.data)
    skill, problems = build_skill(item, locator, target, root)
    out.problems.extend(problems)
    name = skill.name if skill is not None else item.data.get("name", target.parent.name)
    entry = checks.Entry.of({"name": name}, item.tree.file, item.line, locator)
    if entry is not None:
        out.entries.setdefault("skill", []).append(entry)
    if skill is not None:
        out.skills.append(skill)


def _load_document(kind: kinds.Kind, item: Document, data: dict[str, Any], locator: Locator, target: Path,
                   reader: Reader, loaded: LoadedConfig, env: str | None, unresolved: list[Problem],
                   out: _Chunk) -> None:
    """Build one document of `kind` and add it, its problems and its policy findings to `out`."""
    file = locator.tree.file
    policy = loaded.config.policy_for(env)
    if kind == "agent":
        agent, more = build_agent(item, locator, target, reader, env is not None)
        out.problems.extend([*unresolved, *more])
        if agent is not None and not unresolved:
            _add_refs(out, ("agent", len(out.agents)), agent, locator)
            out.agents.append(LoadedAgent(agent, file, item.line, _agent_refs_at(agent, locator)))
            _policy(out, *policy_checks.check_agent(agent, locator, policy))
        return
    if kind == "environment":
        environment, more = build_environment(item, locator, env is not None)
        out.problems.extend([*unresolved, *more])
        if environment is not None and not unresolved:
            out.environments.append(LoadedEnvironment(environment, file, item.line))
            _policy(out, *policy_checks.check_environment(environment, locator, policy))
        return
    if kind == "vault":
        vault, more = build_vault(item, locator, frozenset(loaded.config.secrets.allow), env is not None)
        out.problems.extend([*unresolved, *more])
        if vault is not None and not unresolved:
            out.vaults.append(LoadedVault(vault, file, item.line, _vault_secrets_at(vault, locator)))
        return
    if kind == "memory_store":
        store, more = build_memory_store(item, locator, env is not None)
        out.problems.extend([*unresolved, *more])
        if store is not None and not unresolved:
            out.memory_stores.append(LoadedMemoryStore(store, file, item.line))
        return
    moved = _environment_by_path(data)
    # Where an environment by path is written: under the key ant apply writes it as, if so.
    key = "environment" if moved is data else "environment_id"
    if moved is not data:
        locator = replace(locator, data=moved)
    manifest, more = _build(item, locator, target, reader, frozenset(loaded.config.secrets.allow), env is not None)
    out.problems.extend([*unresolved, *more])
    if manifest is not None and not unresolved:
        _add_refs(out, ("deployment", len(out.manifests)), manifest, locator, key)
        out.manifests.append(LoadedManifest(manifest, file, item.line, _secrets_at(manifest, locator),
                                            _refs_at(manifest, locator, key)))
        _policy(out, *policy_checks.check(manifest, locator, policy))


def _policy(out: _Chunk, blocking: list[Problem], warned: list[Problem]) -> None:
    out.problems.extend(blocking)
    out.warnings.extend(warned)


def _add_refs(out: _Chunk, holder: tuple[str, int], manifest: Any, locator: Locator,
              environment_key: str = "environment") -> None:
    for loc, ref in paths.path_refs(manifest):
        at = (environment_key,) if loc == ("environment",) else loc
        out.refs.append(_PathRef(holder, ref.path, paths.EXPECTED[type(ref)], locator.where(at)))


def _resolve_paths(out: _Chunk, targets: paths.Targets) -> None:
    """Give each reference by path its target's name; a manifest with a reference that does not
    resolve is reported there and not loaded."""
    names: dict[tuple[str, int], dict[str, str]] = {}
    failed: set[tuple[str, int]] = set()
    for ref in out.refs:
        file, line, column, where = ref.at
        name, why = targets.name_of(ref.written, (targets.reader.root / file).parent, ref.expected)
        if name is None:
            out.problems.append(Problem(file, line, column, where, why,
                                        f"a path names a file relative to {file}, as ant apply writes it"))
            failed.add(ref.holder)
        else:
            names.setdefault(ref.holder, {})[ref.written] = name
    if not names and not failed:
        return
    out.manifests = _named_refs(out.manifests, "deployment", names, failed)
    out.agents = _named_refs(out.agents, "agent", names, failed)


def _named_refs(items: list[Any], kind: str, names: dict[tuple[str, int], dict[str, str]],
                failed: set[tuple[str, int]]) -> list[Any]:
    kept = []
    for index, loaded in enumerate(items):
        key = (kind, index)
        if key in failed:
            continue
        kept.append(replace(loaded, manifest=paths.with_names(loaded.manifest, names[key])) if key in names
                    else loaded)
    return kept
