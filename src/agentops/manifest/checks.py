"""Rules beyond types: event sources, metadata slots, secret references and cross-document names
(errors), and names that look alike (warnings)."""

from __future__ import annotations

import re
import unicodedata
import urllib.parse
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from agentops.manifest.positions import Locator
from agentops.manifest.secrets import TOKEN_LIKE, credential_pattern
from agentops.model import credential, spec, tags
from agentops.model.problems import Problem
from agentops.model.secretref import SECRET_FIELDS, SECRET_REF

EVENT_SOURCES = ("initial_events", "prompt", "prompt_file")


def event_sources(data: dict[str, Any], body: str | None) -> list[str]:
    """Which ways of giving the initial events a document uses ("body" for a Markdown body)."""
    used = [key for key in EVENT_SOURCES if data.get(key) is not None]
    return [*used, "body"] if body else used


def source_problems(data: dict[str, Any], body: str | None, locator: Locator) -> list[Problem]:
    used = event_sources(data, body)
    if not used:
        choices = "initial_events, prompt, prompt_file or a Markdown body" if body is not None else (
            "initial_events, prompt or prompt_file")
        return [locator.problem(("initial_events",), "no initial events", f"give exactly one of {choices}")]
    if len(used) == 1:
        return []
    named = " and ".join("the Markdown body" if key == "body" else key for key in used)
    culprit = next(key for key in reversed(used) if key != "body")
    return [locator.problem((culprit,), f"{named} are mutually exclusive", "keep exactly one", key=True)]


def metadata_problems(data: dict[str, Any], locator: Locator, env: bool = False) -> list[Problem]:
    """A manifest's metadata leaves agentops's keys and the slots its tags take free."""
    if not isinstance(data.get("metadata"), dict):
        return []
    resources = data.get("resources")
    has_secrets = isinstance(resources, list) and any(
        isinstance(item, dict) and item.get("type") == "github_repository" for item in resources
    )
    lifecycle = data.get("lifecycle")
    prevent = isinstance(lifecycle, dict) and lifecycle.get("prevent_archive") is True
    return _metadata_slots(data, locator, (), tags.reserved_count(has_secrets, prevent, env))


def _metadata_slots(holder: dict[str, Any], locator: Locator, at: tuple[int | str, ...],
                    reserved: int) -> list[Problem]:
    metadata = holder.get("metadata")
    if not isinstance(metadata, dict):
        return []
    problems = [
        locator.problem((*at, "metadata", key), f"keys starting with {tags.PREFIX!r} are reserved for agentops",
                        "rename the key", key=True)
        for key in metadata
        if isinstance(key, str) and tags.is_reserved(key)
    ]
    # More than 16 user keys is already reported by the type check.
    if len(metadata) <= spec.MAX_METADATA_PAIRS < len(metadata) + reserved:
        problems.append(locator.problem(
            (*at, "metadata"),
            f"{len(metadata)} keys plus {reserved} reserved by agentops exceed the limit of "
            f"{spec.MAX_METADATA_PAIRS}",
            f"agentops stores its own tags in {reserved} of the {spec.MAX_METADATA_PAIRS} metadata slots; "
            f"use at most {spec.MAX_METADATA_PAIRS - reserved} keys",
        ))
    return problems


def _reference_problem(value: object, loc: tuple[int | str, ...], locator: Locator, allowed: frozenset[str],
                       example: str, receiver: str) -> Problem | None:
    """A secret field's value must be exactly `${VAR}`, naming no credential of agentops, CI or a cloud
    (unless allowed); the message never repeats the value. Not a string, or empty: the type check's."""
    if not isinstance(value, str) or not value:
        return None
    match = SECRET_REF.match(value)
    if not match:
        return locator.problem(loc, f"must be an environment variable reference like ${{{example}}}, not a literal "
                                    "value", "put the secret in an environment variable; never commit it")
    name = match.group(1)
    pattern = credential_pattern(name)
    if pattern is None or name in allowed:
        return None
    return locator.problem(
        loc, f"${{{name}}} names a credential variable ({pattern}); its value would be sent to {receiver}",
        f"use a variable that holds only this secret, or allow this one in agentops.yaml: secrets: {{allow: [{name}]}}")


def _url_problem(url: object, loc: tuple[int | str, ...], locator: Locator, instead: str) -> Problem | None:
    reason = url_credentials(url) if isinstance(url, str) else None
    if reason is None:
        return None
    return locator.problem(loc, f"the URL carries credentials ({reason})", f"remove them from the URL; {instead}")


def secret_problems(data: dict[str, Any], locator: Locator, allowed: frozenset[str]) -> list[Problem]:
    """Secret fields of a deployment's resources hold `${VAR}` references, and a resource URL no credentials."""
    resources = data.get("resources")
    if not isinstance(resources, list):
        return []
    found: list[Problem | None] = []
    for index, item in enumerate(resources):
        if not isinstance(item, dict):
            continue
        found.extend(_reference_problem(item.get(field), ("resources", index, field), locator, allowed, "REPO_TOKEN",
                                        "the resource's url") for field in SECRET_FIELDS)
        found.append(_url_problem(item.get("url"), ("resources", index, "url"), locator,
                                  "give the token as authorization_token: ${VAR}"))
    return [problem for problem in found if problem is not None]


def credential_problems(data: dict[str, Any], locator: Locator, allowed: frozenset[str],
                        env: bool = False) -> list[Problem]:
    """A vault's credentials: secrets only as `${VAR}`, no credentials in URLs, agentops's metadata
    slots free, and one credential per display name, MCP server and environment variable."""
    credentials = data.get("credentials")
    found: list[Problem | None] = []
    seen: dict[tuple[str, str], int] = {}
    for index, item in enumerate(credentials if isinstance(credentials, list) else []):
        if not isinstance(item, dict):
            continue
        at: tuple[int | str, ...] = ("credentials", index)
        auth = _mapping(item.get("auth"))
        found.extend(_reference_problem(value, (*at, "auth", *path), locator, allowed, "GITHUB_MCP_TOKEN",
                                        "the credential's server or hosts") for path, value in credential.secrets(auth))
        refresh = _mapping(auth.get("refresh"))
        found.append(_url_problem(auth.get("mcp_server_url"), (*at, "auth", "mcp_server_url"), locator,
                                  "the credential's secret fields carry them"))
        found.append(_url_problem(refresh.get("token_endpoint"), (*at, "auth", "refresh", "token_endpoint"), locator,
                                  "the credential's secret fields carry them"))
        found.extend(_metadata_slots(item, locator, at, tags.CREDENTIAL_RESERVED))
        for key, loc in (("display_name", ("display_name",)), ("mcp_server_url", ("auth", "mcp_server_url")),
                         ("secret_name", ("auth", "secret_name"))):
            value = item.get(key) if key == "display_name" else auth.get(key)
            if not isinstance(value, str):
                continue
            first = seen.setdefault((key, value), index)
            if first != index:
                found.append(locator.problem((*at, *loc), f"credentials[{first}] has the same {key}",
                                             _UNIQUE[key]))
    return [problem for problem in found if problem is not None]


def _mapping(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


_UNIQUE = {
    "display_name": "a credential is known by its display_name inside its vault; give each its own",
    "mcp_server_url": "a vault holds one active credential per MCP server",
    "secret_name": "two credentials would set one environment variable",
}


# Query parameters whose value is a credential by name.
_CREDENTIAL_PARAM = re.compile(r"token|secret|passw|pwd|auth|key|sig|credential|session", re.IGNORECASE)


def url_credentials(url: str) -> str | None:
    """Why `url` holds credentials (userinfo, or a token-like query parameter), or None."""
    try:
        parts = urllib.parse.urlsplit(url.strip())
    except ValueError:
        return None
    if "@" in parts.netloc:
        return "a user name or password before '@'"
    for key, value in urllib.parse.parse_qsl(parts.query, keep_blank_values=True):
        if _CREDENTIAL_PARAM.search(key):
            return f"the query parameter {key!r}"
        if TOKEN_LIKE.match(value):
            return f"a token-like value in the query parameter {key!r}"
    if TOKEN_LIKE.match(parts.fragment):
        return "a token-like fragment"
    return None


@dataclass(frozen=True)
class Entry:
    """One document's identity, as written (also for invalid documents, so clashes still show).

    Positions are resolved up front so an entry holds no YAML nodes: it stays small, and it
    can cross a process boundary when files are loaded in parallel.
    """

    name: str
    previous_names: list[str]
    file: str
    line: int
    anchors: dict[tuple[int | str, ...], tuple[str, int, int, str]]

    @classmethod
    def of(cls, data: dict[str, Any], file: str, line: int, locator: Locator, key: str = "name") -> Entry | None:
        """The entry of a document named by its `key` field (a vault's is `display_name`)."""
        name, previous = data.get(key), data.get("previous_names")
        if not isinstance(name, str):
            return None
        olds = [old if isinstance(old, str) else "" for old in previous] if isinstance(previous, list) else []
        anchors: dict[tuple[int | str, ...], tuple[str, int, int, str]] = {("name",): locator.where((key,))}
        anchors.update({loc: locator.where(loc) for loc in (("previous_names", index) for index in range(len(olds)))})
        return cls(name, olds, file, line, anchors)

    def problem(self, loc: tuple[int | str, ...], message: str, hint: str | None = None) -> Problem:
        return Problem(*self.anchors[loc], message, hint)


def _where(entry: Entry) -> str:
    return f"{entry.file}:{entry.line}"


def cross_document_problems(entries: Sequence[Entry], kind: str = "deployment") -> list[Problem]:
    """Names unique across files (among manifests of one `kind`); previous_names never name
    another manifest or one claimed twice."""
    problems: list[Problem] = []
    by_name: dict[str, list[Entry]] = defaultdict(list)
    for entry in entries:
        by_name[entry.name].append(entry)
    for name, same in by_name.items():
        for entry in same if len(same) > 1 else ():
            others = ", ".join(_where(other) for other in same if other is not entry)
            problems.append(entry.problem(
                ("name",), f"duplicate name {name!r}, also used at {others}",
                f"names identify {kind}s and must be unique"))
    claims: dict[str, list[Entry]] = defaultdict(list)
    for entry in entries:
        for index, old in enumerate(entry.previous_names):
            if not old:
                continue
            loc = ("previous_names", index)
            if old == entry.name:
                problems.append(entry.problem(loc, "is this manifest's own name"))
            elif old in by_name:
                problems.append(entry.problem(
                    loc, f"{old!r} is the name of the manifest at {_where(by_name[old][0])}",
                    "a previous name must no longer be in use"))
            if all(other is not entry for other in claims[old]):
                claims[old].append(entry)
    for old, claimants in claims.items():
        for entry in claimants if len(claimants) > 1 else ():
            others = ", ".join(_where(other) for other in claimants if other is not entry)
            index = entry.previous_names.index(old)
            problems.append(entry.problem(("previous_names", index),
                                                  f"{old!r} is also a previous name at {others}",
                                                  "only one manifest can be renamed from a name"))
    return problems


# Letters other scripts share with Latin at a glance (after NFKC folds full-width and
# compatibility forms): enough to catch a Cyrillic or Greek letter swapped into a Latin name.
_LOOKALIKES = str.maketrans({
    **dict(zip("аеорсухіјѕԁԛԝһӏ", "aeopcyxijsdqwhl", strict=True)),
    **dict(zip("АВЕКМНОРСТХІЈЅ", "ABEKMHOPCTXIJS", strict=True)),
    **dict(zip("οντικ", "ovtik", strict=True)),
    **dict(zip("ΑΒΕΖΗΙΚΜΝΟΡΤΥΧ", "ABEZHIKMNOPTYX", strict=True)),
})
_CONFUSABLE_SCRIPTS = ("LATIN", "CYRILLIC", "GREEK")


def _skeleton(name: str) -> str:
    return unicodedata.normalize("NFKC", name).translate(_LOOKALIKES)


def _scripts(name: str) -> dict[str, str]:
    """Script -> its first letter in `name`, for the scripts whose letters look alike."""
    found: dict[str, str] = {}
    for char in name:
        if unicodedata.category(char).startswith("L"):
            script = unicodedata.name(char, "").split(" ")[0]
            if script in _CONFUSABLE_SCRIPTS:
                found.setdefault(script, char)
    return found


def name_warnings(entries: Sequence[Entry]) -> list[Problem]:
    """Names that can be mistaken for each other: mixed Latin/Cyrillic/Greek letters, or two
    names that differ only by lookalike letters. Warnings: such names are legal in the API."""
    warnings: list[Problem] = []
    by_skeleton: dict[str, list[Entry]] = defaultdict(list)
    for entry in entries:
        # ASCII letters are all Latin and NFKC and the lookalike table leave ASCII as it is:
        # most names skip the per-character Unicode lookups.
        plain = entry.name.isascii()
        scripts = {} if plain else _scripts(entry.name)
        if len(scripts) > 1:
            # Scripts in the order their letters appear, the first one named as the expected one.
            order = sorted(scripts, key=lambda script: entry.name.index(scripts[script]))
            odd = scripts[order[1]]
            warnings.append(entry.problem(
                ("name",), f"mixes {' and '.join(s.title() for s in order)} letters "
                f"({spec.describe_character(odd)} at character {entry.name.index(odd) + 1})",
                "lookalike letters from another script make names easy to confuse; use one script"))
        by_skeleton[entry.name if plain else _skeleton(entry.name)].append(entry)
    for same in by_skeleton.values():
        for entry in same:
            others = [other for other in same if other.name != entry.name]
            if others:
                where = ", ".join(f"{other.name!r} at {_where(other)}" for other in others)
                warnings.append(entry.problem(("name",), f"looks like {where}",
                                              "names that differ only by lookalike letters are easy to confuse"))
    return warnings
