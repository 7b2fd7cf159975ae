"""Request bodies: validation into 400s that name each field path, and new object ids."""

from __future__ import annotations

import secrets
import string
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from agentops.emulator.errors import bad_request
from agentops.model import spec

M = TypeVar("M", bound=BaseModel)
_ALPHABET = string.ascii_letters + string.digits
_MAX_ERRORS = 5


def new_id(prefix: str) -> str:
    return prefix + "011C" + "".join(secrets.choice(_ALPHABET) for _ in range(20))


def validate(model: type[M], data: Any) -> M:
    """Validate a request body, turning pydantic errors into a 400 that names each field path."""
    if not isinstance(data, dict):
        raise bad_request("request body must be a JSON object")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        parts = []
        for error in exc.errors()[:_MAX_ERRORS]:
            path = spec.field_path(error["loc"], data)
            message = error["msg"].removeprefix("Value error, ")
            # Event-order errors already lead with a more precise path than their location.
            parts.append(message if not path or message.startswith(path) else f"{path}: {message}")
        raise bad_request("; ".join(parts)) from None


def patch_fields(fields: dict[str, Any], body: BaseModel, names: tuple[str, ...]) -> dict[str, Any]:
    """`fields` updated by an update body: each of `names` it gives (null keeps), and its metadata patch."""
    for name in names:
        value = getattr(body, name)
        if value is not None:
            fields[name] = value
    metadata = getattr(body, "metadata", None)
    if metadata is not None:
        fields["metadata"] = merge_metadata(fields.get("metadata") or {}, metadata)
    return fields


def merge_metadata(current: dict[str, str], patch: dict[str, str | None], *,
                   empty_deletes: bool = False) -> dict[str, str]:
    """A metadata patch: a string upserts its key, null (and "" where `empty_deletes`) deletes it."""
    merged = dict(current)
    for key, value in patch.items():
        if value is None or (empty_deletes and value == ""):
            merged.pop(key, None)
        else:
            merged[key] = value
    if len(merged) > spec.MAX_METADATA_PAIRS:
        raise bad_request(
            f"metadata: the patched metadata would have {len(merged)} keys; "
            f"at most {spec.MAX_METADATA_PAIRS} are allowed"
        )
    return merged
