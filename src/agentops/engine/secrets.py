"""Secret values at run time: which variables are unset, the fingerprint, resolution and redaction.

The `${VAR}` syntax is defined in `model.secretref`; what a manifest may not hold (credential
variables, literal tokens) is checked in `manifest.secrets`.

Secret fields hold `${VAR}` references (syntax in `model.secretref`); values are read from the
environment only to fingerprint them (so a rotation shows as a change) and, at the last
moment, to send them. Every value in play is also a string to scrub from any output.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from agentops.manifest.loader import LoadedManifest, LoadedVault
from agentops.model import credential
from agentops.model.kinds import CREDENTIAL_SECRET_FIELDS
from agentops.model.problems import Problem
from agentops.model.secretref import SECRET_FIELDS, references, resource_refs, variable

# Printed where a secret would be: never the value, never its length.
MASK = "***"
# A per-stack secret the user supplies: it keys the fingerprint so tokens cannot be guessed from it.
FINGERPRINT_KEY = "AGENTOPS_FINGERPRINT_KEY"
ALWAYS_SECRET = ("ANTHROPIC_API_KEY", FINGERPRINT_KEY)
UNKEYED_WARNING = (
    "the secrets fingerprint is unkeyed: anyone who can read the deployments' metadata can test "
    "guesses of a short token against it"
)
UNKEYED_HINT = (
    f"set {FINGERPRINT_KEY} (a random secret kept with the API key) where plan and apply run; "
    "the first apply with a key resends each token once"
)


class SecretMissing(RuntimeError):
    pass


def variables(resources: Iterable[Mapping[str, Any]]) -> list[str]:
    """Variable names the resources reference, in order of first use, each once."""
    return list(resource_refs(resources))


def fingerprint(stack: str, name: str, values: list[tuple[str, str]], key: str | None = None) -> str:
    """A short digest of the write-only secrets, stored as a tag so rotation shows as a change.

    With `key`, an HMAC: without the key, the tag says nothing about the token. Without one,
    the original unkeyed digest (kept so existing stacks see no change), and the plan warns.
    """
    message = f"agentops/v1\0{stack}\0{name}" + "".join(f"\0{ref}\0{value}" for ref, value in values)
    if key:
        return "k1:" + hmac.new(key.encode(), message.encode(), hashlib.sha256).hexdigest()[:32]
    return hashlib.sha256(message.encode()).hexdigest()[:24]


def fingerprint_of(
    stack: str, name: str, resources: list[dict[str, Any]], environ: Mapping[str, str]
) -> str | None:
    """The fingerprint of a body's secret references as `environ` resolves them; None without any."""
    return fingerprint_refs(stack, name, references(resources), environ)


def fingerprint_refs(stack: str, name: str, refs: list[str], environ: Mapping[str, str]) -> str | None:
    """The fingerprint of `${VAR}` references as `environ` resolves them; None without any."""
    if not refs:
        return None
    values = [(ref, environ.get(variable(ref) or ref, "")) for ref in refs]
    return fingerprint(stack, name, values, environ.get(FINGERPRINT_KEY) or None)


def credential_refs(auth: Mapping[str, Any]) -> dict[str, str]:
    """Variable name -> dotted path inside `auth` of each `${VAR}` a credential's secret fields hold."""
    out: dict[str, str] = {}
    for path, value in credential.secrets(auth):
        name = variable(value)
        if name is not None:
            out.setdefault(name, ".".join(path))
    return out


def _value(name: str, environ: Mapping[str, str]) -> str:
    if not environ.get(name):
        raise SecretMissing(f"environment variable {name} is not set")
    return environ[name]


def _resolve_auth(value: Any, environ: Mapping[str, str]) -> Any:
    """A credential `auth` (create or update shape) with its secret fields' references resolved."""
    if isinstance(value, Mapping):
        return {key: (_value(name, environ) if key in CREDENTIAL_SECRET_FIELDS and (name := variable(item))
                      else _resolve_auth(item, environ)) for key, item in value.items()}
    return value


def resolve(body: Mapping[str, Any], environ: Mapping[str, str]) -> dict[str, Any]:
    """A copy of `body` with `${VAR}` references replaced by their values, just before sending."""
    out = dict(body)
    if out.get("resources"):
        resources = []
        for resource in out["resources"]:
            for field in SECRET_FIELDS:
                name = variable(resource.get(field))
                if name is None:
                    continue
                if not environ.get(name):
                    raise SecretMissing(f"environment variable {name} is not set")
                resource = {**resource, field: environ[name]}
            resources.append(resource)
        out["resources"] = resources
    if isinstance(out.get("auth"), Mapping):
        out["auth"] = _resolve_auth(out["auth"], environ)
    return out


@dataclass(frozen=True)
class Redactor:
    """Replaces known secret values in any text before it is shown or written."""

    values: tuple[str, ...]

    def __call__(self, text: str) -> str:
        for value in self.values:
            if len(value) >= 4:
                text = text.replace(value, MASK)
        return text

    @classmethod
    def for_variables(cls, names: Iterable[str], environ: Mapping[str, str]) -> Redactor:
        """Scrub the values of `names` and of the API key."""
        wanted = sorted({*names, *ALWAYS_SECRET})
        return cls(tuple(environ[name] for name in wanted if environ.get(name)))

    @classmethod
    def for_manifests(cls, manifests: Iterable[LoadedManifest], environ: Mapping[str, str]) -> Redactor:
        names = (
            name
            for loaded in manifests
            for resource in loaded.manifest.resources or []
            for field in SECRET_FIELDS
            if (name := variable(getattr(resource, field, None))) is not None
        )
        return cls.for_variables(names, environ)

    @classmethod
    def for_vaults(cls, vaults: Iterable[LoadedVault], environ: Mapping[str, str]) -> Redactor:
        """The values of the variables the vaults' credentials reference."""
        names = (name for loaded in vaults for item in loaded.manifest.credentials
                 for name in credential_refs(item.auth.model_dump(mode="json")))
        return cls.for_variables(names, environ)

    @classmethod
    def for_bodies(cls, bodies: Iterable[Mapping[str, Any] | None], environ: Mapping[str, str]) -> Redactor:
        """The same for a saved plan, from the `${VAR}` references its bodies carry."""
        return cls.for_variables(
            (v for body in bodies for v in [*variables((body or {}).get("resources") or []),
                                            *credential_refs((body or {}).get("auth") or {})]), environ
        )


def unkeyed(manifests: Iterable[LoadedManifest], environ: Mapping[str, str]) -> list[Problem]:
    """One warning, at the project's first secret reference, when secrets are in use and
    FINGERPRINT_KEY is not set (none otherwise): said once, where the manifests are checked."""
    if environ.get(FINGERPRINT_KEY):
        return []
    for loaded in manifests:
        for path in resource_refs(loaded.manifest.resources or []).values():
            file, line, column = loaded.secrets_at.get(path, (loaded.file, loaded.line, 1))
            return [Problem(file, line, column, path, UNKEYED_WARNING, UNKEYED_HINT)]
    return []


def missing_secrets(manifests: Iterable[LoadedManifest], environ: Mapping[str, str]) -> list[Problem]:
    """One Problem per unset (or empty) variable per manifest, at its first reference; names the
    variable, never a value."""
    problems = []
    for loaded in manifests:
        for name, path in resource_refs(loaded.manifest.resources or []).items():
            if not environ.get(name):
                file, line, column = loaded.secrets_at.get(path, (loaded.file, loaded.line, 1))
                problems.append(Problem(file, line, column, path, f"environment variable {name} is not set",
                                        f"export {name} before plan or apply"))
    return sorted(problems)
