"""Both sides of the diff in one comparable shape, through one list of normalizers.

Every normalizer runs on the desired body and on the live deployment alike (Argo CD's
gitops-engine does the same), and diff and patch are computed only from the result, so a
field can only show as a change, or be sent, if it really differs:

1. `expressible`: only what a manifest can say, at every depth (a key the API starts to
   return, say a new default inside a resource, is not drift);
2. `server_defaults`: documented defaults filled in, server-only fields dropped;
3. `write_only`: secrets compared by the fingerprint tag, never by value;
4. `ignored`: `lifecycle.ignore_changes` paths removed.

Every normalizer is field-local: a field of its result depends only on the same field of its
input (and on the context), never on another field. `same_shape` relies on it.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel

from agentops.engine.desired import FIELDS
from agentops.model import spec, tags
from agentops.model.secretref import SECRET_FIELDS

DEFAULT_MAX_ITERATIONS = 3

Shape = dict[str, Any]


@dataclass(frozen=True)
class Context:
    """What the normalizers know about the pair being compared (from the manifest)."""

    agent_pinned: bool = False
    ignore_changes: tuple[str, ...] = ()
    secrets_unknown: bool = False  # a referenced variable is unset: the fingerprint says nothing
    # Values the manifest sets where the server would otherwise fill its own ("model.effort"), and
    # references it pins to a version ("skill:ID", "agent:ID"): only these are compared.
    given: frozenset[str] = frozenset()


Normalizer = Callable[[Shape, Context], Shape]


# --- 1. expressible --------------------------------------------------------------------------

_UNKNOWN = object()  # an item of a type no manifest can write (a new resource or event type)
Projector = Callable[[Any], Any]


def _identity(value: Any) -> Any:
    return value


def _model_projector(model: type[BaseModel]) -> Projector:
    # The field table is built once per model, on first use (a model may refer to itself), so a
    # projection never looks a projector up by annotation; None marks a field kept as it is.
    fields: dict[str, Any] = {name: info.annotation for name, info in model.model_fields.items()}
    table: list[tuple[str, Projector | None]] | None = None

    def project(value: Any) -> Any:
        nonlocal table
        # Bodies are plain dicts: the exact-type test spares the ABC check (this runs per value).
        if type(value) is not dict and not isinstance(value, Mapping):
            return value
        if table is None:
            found = {name: projector(annotation) for name, annotation in fields.items()}
            table = [(name, None if field is _identity else field) for name, field in found.items()]
        out = {}
        for name, field in table:
            item = value.get(name)
            if item is None:
                continue
            if field is None:
                out[name] = item
            else:
                projected = field(item)
                out[name] = item if projected is _UNKNOWN else projected
        return out

    return project


@cache
def projector(annotation: Any) -> Projector:  # annotations are hashable type forms
    """A function that keeps, at every depth, only the keys the spec model of `annotation` has."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return projector(get_args(annotation)[0])
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _model_projector(annotation)
    if origin is list:
        item = projector(get_args(annotation)[0])

        def project_list(value: Any) -> Any:
            if not isinstance(value, list):
                return value
            if item is _identity:
                return list(value)
            return [p for p in map(item, value) if p is not _UNKNOWN]

        return project_list
    if origin in (Union, types.UnionType):
        return _union_projector(tuple(m for m in get_args(annotation) if m is not type(None)))
    return _identity


def _unwrapped(annotation: Any) -> Any:
    """`annotation` without `Annotated` layers and without an optional's `None`."""
    while True:
        origin = get_origin(annotation)
        members = tuple(m for m in get_args(annotation) if m is not type(None))
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, types.UnionType) and len(members) == 1:
            annotation = members[0]
        else:
            return annotation


def _discriminated(members: tuple[Any, ...]) -> dict[Any, Any]:
    """Each `type` literal of a union's models -> the member that takes it."""
    by_type: dict[Any, Any] = {}
    for member in members:
        model = _unwrapped(member)
        if isinstance(model, type) and issubclass(model, BaseModel) and "type" in model.model_fields:
            for literal in get_args(model.model_fields["type"].annotation):
                by_type[literal] = member
    return by_type


def _union_projector(members: tuple[Any, ...]) -> Projector:
    if len(members) == 1:
        return projector(members[0])
    by_type = {literal: projector(member) for literal, member in _discriminated(members).items()}

    def project(value: Any) -> Any:
        if type(value) is not dict and not isinstance(value, Mapping):
            return value
        chosen = by_type.get(value.get("type"))
        return _UNKNOWN if chosen is None else chosen(value)

    return project


_BODY: dict[str, Any] = {name: spec.CreateBody.model_fields[name].annotation for name in FIELDS if name != "agent"}
# Looked up once: a projection per call would hash the (deep) annotations again every time.
_PROJECTORS: dict[str, Projector] = {name: projector(annotation) for name, annotation in _BODY.items()}
# Every field with its projection; None where that is the identity (metadata is compared whole).
_EXPRESSIBLE = tuple(
    (name, None if _PROJECTORS.get(name, _identity) is _identity or name == "metadata" else _PROJECTORS[name])
    for name in FIELDS
)
# The item types a manifest can write in each list of typed items; an item of any other type is
# dropped by the projection (and reported by `unknown_kinds`).
_KINDS: dict[str, frozenset[Any]] = {
    name: frozenset(_discriminated(get_args(_unwrapped(get_args(_unwrapped(_BODY[name]))[0]))))
    for name in ("resources", "initial_events")
}


def expressible_value(name: str, value: Any) -> Any:
    """One field's value with only what a manifest can express, nulls dropped, at every depth."""
    return value if value is None or name not in _PROJECTORS else _PROJECTORS[name](value)


def expressible(shape: Shape, context: Context) -> Shape:
    out = {}
    for name, project in _EXPRESSIBLE:
        value = shape.get(name)
        out[name] = value if value is None or project is None else project(value)
    return out


def unknown_kinds(body: Mapping[str, Any]) -> list[str]:
    """Resource and event types in a live body that no manifest can express (so they are not compared)."""
    found: list[str] = []
    for name, kinds in _KINDS.items():
        items = body.get(name)
        if not items or not isinstance(items, list):
            continue
        for item in items:
            if isinstance(item, Mapping) and item.get("type") not in kinds:
                found.append(f"{name}: {item.get('type')!r}")
    return found


# --- 2. server defaults ----------------------------------------------------------------------


def _agent(value: Any, pinned: bool) -> dict[str, Any] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return {"id": value}
    ref = {"id": value.get("id")}
    if pinned:
        ref["version"] = value.get("version")
    return ref


def _event(event: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(event)
    if out.get("type") == "user.define_outcome":
        out.setdefault("max_iterations", DEFAULT_MAX_ITERATIONS)
    return out


def _resource(resource: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(resource)
    kind = out.get("type")
    # Documented defaults: an omitted mount path and the one the server fills in are the same.
    if kind == "github_repository" and "mount_path" not in out:
        repo = str(out.get("url", "")).rstrip("/").rsplit("/", 1)[-1].removesuffix(".git")
        out["mount_path"] = f"/workspace/{repo}"
    elif kind == "file" and "mount_path" not in out:
        out["mount_path"] = f"/mnt/session/uploads/{out.get('file_id')}"
    elif kind == "memory_store":
        out.setdefault("access", "read_write")
    return out


def _schedule(value: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if not value:
        return None
    return {
        "type": value.get("type") or "cron",
        "expression": " ".join(str(value.get("expression", "")).split()),
        "timezone": value.get("timezone"),
    }


def server_defaults(shape: Shape, context: Context) -> Shape:
    return {
        **shape,
        "description": shape.get("description") or None,
        "agent": _agent(shape.get("agent"), context.agent_pinned),
        "initial_events": list(map(_event, shape.get("initial_events") or [])),
        "schedule": _schedule(shape.get("schedule")),
        "resources": list(map(_resource, shape.get("resources") or [])),
        "vault_ids": list(shape.get("vault_ids") or []),
        "metadata": dict(shape.get("metadata") or {}),
        "budget": shape.get("budget") or None,
    }


# --- 3. write-only secrets -------------------------------------------------------------------


def write_only(shape: Shape, context: Context) -> Shape:
    resources = [{k: v for k, v in r.items() if k not in SECRET_FIELDS} for r in shape["resources"]]
    out = {**shape, "resources": resources}
    if context.secrets_unknown:
        out["metadata"] = {k: v for k, v in shape["metadata"].items() if k != tags.SECRETS}
    return out


# --- 4. ignore_changes -----------------------------------------------------------------------


def ignored(shape: Shape, context: Context) -> Shape:
    """Remove `lifecycle.ignore_changes` paths (a field, or `metadata.<key>`) from both sides."""
    if not context.ignore_changes:
        return shape
    out = dict(shape)
    drop_keys = {path.removeprefix("metadata.") for path in context.ignore_changes if path.startswith("metadata.")}
    if "resources" in context.ignore_changes:
        drop_keys.add(tags.SECRETS)  # tokens travel with resources: an ignored field never resends them
    for path in context.ignore_changes:
        if not path.startswith("metadata."):
            out.pop(path, None)
    if drop_keys:
        out["metadata"] = {k: v for k, v in out["metadata"].items() if k not in drop_keys}
    return out


NORMALIZERS: tuple[Normalizer, ...] = (expressible, server_defaults, write_only, ignored)


def normalize(body: Mapping[str, Any], context: Context) -> Shape:
    """A desired body or a live deployment as the shape diff and patch compare."""
    shape: Shape = dict(body)
    for step in NORMALIZERS:
        shape = step(shape, context)
    return shape




def same_shape(body: Mapping[str, Any], context: Context, like: Mapping[str, Any], like_shape: Shape) -> bool:
    """Whether `normalize(body, context)` equals `like_shape`, which is `normalize(like, context)`.

    Only the fields whose raw values differ between `body` and `like` are normalized: the
    normalizers are field-local, so a field equal in both bodies normalizes to equal values.
    """
    differing = {name: body.get(name) for name in FIELDS if body.get(name) != like.get(name)}
    if not differing:
        return True
    shape = normalize(differing, context)  # the other fields take their defaults, and are not looked at
    return all(like_shape.get(name) == value for name, value in shape.items() if name in differing)
