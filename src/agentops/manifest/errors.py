"""Pydantic validation errors as plain-worded Problems, with did-you-mean hints for misspelt keys.

Messages are built from the error type and its limits only, never from pydantic's `input`,
so a rejected secret value can never be echoed back.
"""

from __future__ import annotations

import difflib
import re
import types
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, Tag, ValidationError
from pydantic_core import ErrorDetails

from agentops.manifest.positions import Locator
from agentops.model import spec
from agentops.model.problems import Problem
from agentops.model.words import did_you_mean, plural


def _unwrap(tp: Any) -> Any:
    while True:
        origin = get_origin(tp)
        if origin is Annotated:
            tp = get_args(tp)[0]
        elif origin in (Union, types.UnionType):
            members = [arg for arg in get_args(tp) if arg is not type(None)]
            if len(members) != 1:
                return tp
            tp = members[0]
        else:
            return tp


def _tags(member: Any) -> set[str]:
    """The union tags pydantic may put in a location for this union member."""
    found: set[str] = set()
    if get_origin(member) is Annotated:
        found.update(meta.tag for meta in get_args(member)[1:] if isinstance(meta, Tag))
    inner = _unwrap(member)
    if isinstance(inner, type) and issubclass(inner, BaseModel) and "type" in inner.model_fields:
        kind = inner.model_fields["type"].annotation
        if get_origin(kind) is Literal:
            found.update(str(value) for value in get_args(kind))
    return found


def _step(tp: Any, part: int | str) -> Any:
    tp = _unwrap(tp)
    origin = get_origin(tp)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        field = tp.model_fields.get(str(part))
        return field.annotation if field else tp
    if origin is list and isinstance(part, int):
        return get_args(tp)[0]
    if origin is dict:
        return get_args(tp)[1]
    if origin in (Union, types.UnionType):
        return next((member for member in get_args(tp) if str(part) in _tags(member)), tp)
    return tp


def allowed_keys(model: type[BaseModel], loc: tuple[int | str, ...]) -> list[str]:
    """The keys of the model a location's parent mapping was validated as."""
    tp: Any = model
    for part in loc:
        tp = _step(tp, part)
    inner = _unwrap(tp)
    return list(inner.model_fields) if isinstance(inner, type) and issubclass(inner, BaseModel) else []


_TYPES = {
    "string_type": "expected a string",
    "int_type": "expected an integer",
    "int_parsing": "expected an integer",
    "bool_type": "expected true or false",
    "list_type": "expected a list",
    "dict_type": "expected a mapping",
    "model_type": "expected a mapping",
    "model_attributes_type": "expected a mapping",
    "missing": "required key is missing",
    "extra_forbidden": "unknown key",
    "none_required": "expected null",
}


def message(error: ErrorDetails) -> str:
    kind = error["type"]
    ctx: dict[str, Any] = dict(error.get("ctx") or {})
    if kind in _TYPES:
        return _TYPES[kind]
    if kind == "too_short":
        return f"expected at least {plural(ctx.get('min_length'), 'item')}"
    if kind == "too_long":
        return f"expected at most {plural(ctx.get('max_length'), 'item')}"
    if kind == "string_too_short":
        minimum = ctx.get("min_length", 1)
        return "must not be empty" if minimum == 1 else f"expected at least {minimum} characters"
    if kind == "string_too_long":
        return f"expected at most {ctx.get('max_length')} characters"
    if kind == "string_pattern_mismatch":
        return f"expected a string matching {ctx.get('pattern')}"
    if kind == "literal_error":
        return f"expected {ctx.get('expected')}"
    if kind in ("greater_than_equal", "less_than_equal"):
        word = "at least" if kind == "greater_than_equal" else "at most"
        return f"expected {word} {ctx.get('ge', ctx.get('le'))}"
    if kind == "union_tag_invalid":
        return f"expected type to be one of {ctx.get('expected_tags')}"
    if kind == "union_tag_not_found":
        return f"missing the {ctx.get('discriminator', 'type')} key"
    if kind in ("value_error", "assertion_error"):
        return str(ctx.get("error", error["msg"]))
    return str(error["msg"])


def _members(tp: Any) -> list[Any]:
    inner = _unwrap(tp)
    if get_origin(inner) in (Union, types.UnionType):
        return [member for arg in get_args(inner) for member in _members(arg)]
    if get_origin(inner) in (list, dict):
        return _members(get_args(inner)[-1])
    return [inner]


def field_paths(model: type[BaseModel], prefix: str = "") -> list[str]:
    """Every field path a model accepts, lists written `[]`: `schedule.timezone`, `resources[].url`."""
    paths: list[str] = []
    for name, info in model.model_fields.items():
        path = f"{prefix}.{name}" if prefix else name
        paths.append(path)
        listed = get_origin(_unwrap(info.annotation)) is list
        for member in _members(info.annotation):
            if isinstance(member, type) and issubclass(member, BaseModel):
                paths.extend(field_paths(member, f"{path}[]" if listed else path))
    return list(dict.fromkeys(paths))


def elsewhere(key: str, model: type[BaseModel], parent: str) -> str | None:
    """A hint for a key written at the wrong depth: the path where a field of that name lives."""
    if key == "type":  # a discriminator of many mappings: no one place to suggest
        return None
    paths = [path for path in field_paths(model) if path.rpartition(".")[0] != parent]
    exact = [path for path in paths if path.rpartition(".")[2] == key]
    if not exact:
        close = set(difflib.get_close_matches(key, {path.rpartition(".")[2] for path in paths}, n=1, cutoff=0.8))
        exact = [path for path in paths if path.rpartition(".")[2] in close]
    if not exact:
        return None
    best = min(exact, key=lambda path: (path.count(".") + path.count("["), path))
    return f"did you mean `{best}`?" if "." in best else f"did you mean the top-level key `{best}`?"


def _at(data: Any, loc: tuple[int | str, ...]) -> Any:
    """The raw value at a validation error's location (None where there is none)."""
    for part in loc:
        if isinstance(data, dict):
            data = data.get(part)
        elif isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
            data = data[part]
        else:
            return None
    return data


def _tag_hint(error: ErrorDetails, loc: tuple[int | str, ...], data: Any) -> str | None:
    """`did you mean 'user.message'?` for a misspelt `type:` (the known tags are pydantic's; the
    written one is only compared, never shown)."""
    ctx = error.get("ctx") or {}
    item = _at(data, loc)
    written = item.get(str(ctx.get("discriminator", "type")).strip("'")) if isinstance(item, dict) else None
    tags = re.findall(r"'([^']+)'", str(ctx.get("expected_tags", "")))
    return did_you_mean(written, tags) if isinstance(written, str) else None


def validation_problems(exc: ValidationError, locator: Locator, model: type[BaseModel]) -> list[Problem]:
    problems = []
    for error in exc.errors(include_url=False, include_input=False):
        loc = tuple(error["loc"])
        # A bad mapping key is located as (..., key, "[key]"): point at the key itself.
        on_key = bool(loc) and loc[-1] == "[key]"
        loc = loc[:-1] if on_key else loc
        unknown = error["type"] == "extra_forbidden"
        hint = _tag_hint(error, loc, locator.data) if error["type"] == "union_tag_invalid" else None
        if unknown and loc:
            parent = re.sub(r"\[\d+\]", "[]", spec.field_path(loc[:-1], locator.data))
            hint = did_you_mean(str(loc[-1]), allowed_keys(model, loc[:-1])) or elsewhere(str(loc[-1]), model, parent)
        said, _, near = message(error).partition("; did you mean ")
        # A validator's own suggestion ("...; did you mean 'x'?") is the hint, not part of the message.
        hint = hint or (f"did you mean {near}" if near else None)
        problems.append(locator.problem(loc, said, hint, key=unknown or on_key))
    return problems
