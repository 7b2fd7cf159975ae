"""Request bodies: validation into 400s that name each field path, and new object ids."""

from __future__ import annotations

import secrets
import string
from typing import Any

from pydantic import BaseModel, ValidationError

from agentops.emulator.errors import bad_request
from agentops.model import spec

_ALPHABET = string.ascii_letters + string.digits
_MAX_ERRORS = 5


def new_id(prefix: str) -> str:
    return prefix + "011C" + "".join(secrets.choice(_ALPHABET) for _ in range(20))


def validate(model: type[BaseModel], data: Any) -> BaseModel:
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
