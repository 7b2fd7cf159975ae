"""One agent, environment, vault or memory store document (defaults, overrides and variables already
applied) to its validated manifest, with every problem at once: shapes, the API's rules across fields,
shorthands."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from agentops.manifest import checks
from agentops.manifest.agent_schema import AgentManifest
from agentops.manifest.documents import Document, Reader, strip_blank_lines
from agentops.manifest.environment_schema import EnvironmentManifest
from agentops.manifest.errors import validation_problems
from agentops.manifest.memory_store_schema import MemoryStoreManifest
from agentops.manifest.positions import Locator
from agentops.manifest.vault_schema import VaultManifest
from agentops.model import agent, environment
from agentops.model.problems import Problem


def read_text_field(key: str, value: str, base: Path, reader: Reader, locator: Locator,
                    what: str) -> tuple[str | None, list[Problem]]:
    """The text of the file a `*_file` field names, relative to `base` and inside the repository
    only ('..' escapes, absolute paths and symlinks leading out are refused)."""
    if not value:
        return None, [locator.problem((key,), "must not be empty")]
    root = reader.root
    target = Path(value)
    resolved = (target if target.is_absolute() else base / target).resolve()
    if not resolved.is_relative_to(root):
        return None, [locator.problem((key,), "resolves outside the repository",
                                      f"{what} files must live inside the repository root; '..' escapes, "
                                      "absolute paths and symlinks leading out are refused")]
    if not resolved.exists():
        return None, [locator.problem((key,), f"file not found: {resolved.relative_to(root).as_posix()}")]
    content, problem = reader.text(resolved, resolved.relative_to(root).as_posix())
    if content is None:
        return None, [locator.problem((key,), problem.message if problem else "cannot read file")]
    content = strip_blank_lines(content)
    return (content, []) if content else (None, [locator.problem((key,), f"the {what} file is empty")])


def _one_source(data: dict[str, Any], body: str | None, keys: tuple[str, ...], locator: Locator) -> list[Problem]:
    """At most one of `keys` and a Markdown body gives the same text."""
    used = [key for key in keys if data.get(key) is not None] + (["body"] if body else [])
    if len(used) < 2:
        return []
    named = " and ".join("the Markdown body" if key == "body" else key for key in used)
    culprit = next(key for key in reversed(used) if key != "body")
    return [locator.problem((culprit,), f"{named} are mutually exclusive", "keep exactly one", key=True)]


def _validated(model: type[BaseModel], locator: Locator) -> tuple[Any, list[Problem]]:
    try:
        return model.model_validate(locator.data), []
    except ValidationError as exc:
        return None, validation_problems(exc, locator, model)
    except RecursionError:
        return None, [locator.problem((), "nested too deeply")]


def build_agent(doc: Document, locator: Locator, path: Path, reader: Reader,
                env: bool = False) -> tuple[AgentManifest | None, list[Problem]]:
    """The agent; a Markdown body or `system_file` becomes `system`."""
    data = locator.data
    problems = [*_one_source(data, doc.body, ("system", "system_file"), locator),
                *checks.metadata_problems(data, locator, env)]
    manifest, more = _validated(AgentManifest, locator)
    if manifest is None:
        return None, [*problems, *more]
    body = manifest.model_dump(mode="json", include={"tools", "mcp_servers"}, exclude_none=True)
    problems.extend(locator.problem(loc, message) for loc, message in agent.rules(body))
    if problems:
        return None, problems
    text = doc.body or None
    if manifest.system_file is not None:
        text, problems = read_text_field("system_file", manifest.system_file, path.parent, reader, locator,
                                         "system prompt")
        if problems:
            return None, problems
    return (manifest.model_copy(update={"system": text}) if text is not None else manifest), []


def build_environment(doc: Document, locator: Locator,
                      env: bool = False) -> tuple[EnvironmentManifest | None, list[Problem]]:
    """The environment; a Markdown body becomes `description`, as in `ant apply`."""
    data = locator.data
    problems = [*_one_source(data, doc.body, ("description",), locator),
                *checks.metadata_problems(data, locator, env)]
    manifest, more = _validated(EnvironmentManifest, locator)
    if manifest is None:
        return None, [*problems, *more]
    config = manifest.config
    if (isinstance(config, environment.Cloud) and isinstance(config.networking, environment.Limited)
            and config.packages is not None and config.packages.any()
            and not config.networking.allow_package_managers):
        problems.append(locator.problem(
            ("config", "packages"), "packages under limited networking need the package registries",
            "set config.networking.allow_package_managers: true, or drop the packages"))
    if problems:
        return None, problems
    return (manifest.model_copy(update={"description": doc.body}) if doc.body else manifest), []


def build_vault(doc: Document, locator: Locator, allowed: frozenset[str],
                env: bool = False) -> tuple[VaultManifest | None, list[Problem]]:
    """The vault with its credentials; every secret a `${VAR}`, and no Markdown body (a vault has no prose field)."""
    data = locator.data
    problems = [*checks.metadata_problems(data, locator, env), *checks.credential_problems(data, locator, allowed)]
    if doc.body:
        problems.append(locator.problem((), "a vault has no description, so its Markdown body would be lost",
                                        "remove the text after the front matter, or write the vault as YAML"))
    manifest, more = _validated(VaultManifest, locator)
    if manifest is None:
        return None, [*problems, *more]
    return (None, problems) if problems else (manifest, [])


def build_memory_store(doc: Document, locator: Locator,
                       env: bool = False) -> tuple[MemoryStoreManifest | None, list[Problem]]:
    """The memory store; a Markdown body becomes `description` (checked against its limit like one)."""
    problems = [*_one_source(locator.data, doc.body, ("description",), locator),
                *checks.metadata_problems(locator.data, locator, env)]
    if doc.body and "description" not in locator.data:
        locator = replace(locator, data={**locator.data, "description": doc.body})
    manifest, more = _validated(MemoryStoreManifest, locator)
    if manifest is None:
        return None, [*problems, *more]
    return (None, problems) if problems else (manifest, [])
