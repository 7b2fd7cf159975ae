"""The `${ENV_VAR}` reference syntax of secret fields: the one place it is defined."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from agentops.model.kinds import CREDENTIAL_SECRET_FIELDS

SECRET_REF = re.compile(r"^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$")
# Write-only fields of a resource: the API accepts them and never returns them.
SECRET_FIELDS = ("authorization_token",)
# Every write-only field a manifest can hold: a resource's and a vault credential's.
WRITE_ONLY_FIELDS = (*SECRET_FIELDS, *CREDENTIAL_SECRET_FIELDS)


def variable(value: object) -> str | None:
    """The variable a `${VAR}` reference names, or None when `value` is not one."""
    match = SECRET_REF.match(value) if isinstance(value, str) else None
    return match.group(1) if match else None


def secret_uses(resources: Iterable[Any]) -> dict[str, tuple[int, str]]:
    """Variable name -> (resource index, secret field) of its first reference, in resource order.

    Resources may be API bodies (mappings) or a manifest's models (attributes)."""
    uses: dict[str, tuple[int, str]] = {}
    for index, resource in enumerate(resources):
        for field in SECRET_FIELDS:
            value = resource.get(field) if isinstance(resource, Mapping) else getattr(resource, field, None)
            name = variable(value)
            if name is not None:
                uses.setdefault(name, (index, field))
    return uses


def resource_refs(resources: Iterable[Any]) -> dict[str, str]:
    """Variable name -> field path of its first reference (`resources[2].authorization_token`)."""
    return {name: f"resources[{index}].{field}" for name, (index, field) in secret_uses(resources).items()}


def references(resources: Iterable[Mapping[str, Any]]) -> list[str]:
    """Every `${VAR}` reference held by a secret field, in resource order (repeats kept)."""
    return [
        str(resource[field])
        for resource in resources
        for field in SECRET_FIELDS
        if isinstance(resource.get(field), str)
    ]
