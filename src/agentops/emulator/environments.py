"""`client.beta.environments`: create, update and delete (retrieve, list and archive are the
registry's), with the config rules of the SDK's docstrings.

A `cloud` config's fields default on create and are preserved when an update omits them;
`packages` is replaced whole when sent (its docstring promises no per-manager merge). The
config type cannot change after creation.
"""

from __future__ import annotations

from typing import Any

from agentops.emulator import bodies, objects
from agentops.emulator.clock import Clock, to_ms
from agentops.emulator.errors import ApiError, bad_request
from agentops.emulator.registry import Registry
from agentops.emulator.store import Store
from agentops.model import bodies as bodies_model
from agentops.model import environment

CreateBody = bodies_model.EnvironmentCreate
UpdateBody = bodies_model.EnvironmentUpdate


class CodedError(ApiError):
    """A 400 that names its cause in `error.details.error_code`, the field the SDK picks its
    typed exception by (BetaEnvironmentArchivedError, BetaInvalidConfigTypeChangeError)."""

    def __init__(self, message: str, error_code: str) -> None:
        super().__init__(400, message)
        self.error_code_detail = error_code

    def body(self) -> dict[str, object]:
        return {"type": "error", "error": {"type": self.error_type, "message": self.message,
                                           "details": {"error_code": self.error_code_detail}}}


_LIMITED_DEFAULTS = environment.LIMITED_DEFAULTS


def networking(sent: dict[str, Any], previous: dict[str, Any] | None) -> dict[str, Any]:
    """Limited networking keeps the fields an update omits when it was limited already."""
    if sent["type"] == "unrestricted":
        return {"type": "unrestricted"}
    base = previous if previous is not None and previous["type"] == "limited" else _LIMITED_DEFAULTS
    return {"type": "limited", **{key: base[key] if sent.get(key) is None else sent[key] for key in _LIMITED_DEFAULTS}}


def config(sent: dict[str, Any] | None, previous: dict[str, Any] | None) -> dict[str, Any]:
    """The stored config after a create (`previous` None) or an update; null or omitted keeps it."""
    if sent is None:
        return previous or objects.default_config()
    if previous is not None and sent["type"] != previous["type"]:
        raise CodedError(f"config.type: {sent['type']!r} differs from the environment's {previous['type']!r}; "
                         f"the type cannot change after creation", "invalid_config_type_change")
    if sent["type"] == "self_hosted":
        return {"type": "self_hosted"}
    base = previous or objects.default_config()
    net = base["networking"] if sent.get("networking") is None else networking(sent["networking"], previous and base["networking"])
    packages = base["packages"]
    if sent.get("packages") is not None:
        packages = {"type": "packages", **{name: sent["packages"].get(name) or [] for name in objects.PACKAGE_MANAGERS}}
    wanted = any(packages[name] for name in objects.PACKAGE_MANAGERS)
    if net["type"] == "limited" and wanted and not net["allow_package_managers"]:
        raise bad_request("config.packages: under limited networking, packages require "
                          "networking.allow_package_managers to be true")
    return {"type": "cloud", "networking": net, "packages": packages}


class Environments:
    def __init__(self, store: Store, registry: Registry, clock: Clock) -> None:
        self._store = store
        self._registry = registry
        self._clock = clock

    def create(self, workspace: str, data: Any) -> dict[str, Any]:
        body = bodies.validate(CreateBody, data).model_dump(mode="json", exclude_unset=True)
        fields = {
            "name": body["name"],
            "description": body.get("description"),
            "config": config(body.get("config"), None),
            "metadata": body.get("metadata") or {},
            "scope": environment.DEFAULT_SCOPE,
        }
        environment_id = bodies.new_id("env_")
        with self._store.atomic():
            self._registry.register(workspace, "environment", environment_id, 1, fields)
            return self._registry.view(workspace, "environment", environment_id)

    def update(self, workspace: str, environment_id: str, data: Any) -> dict[str, Any]:
        """Omitted fields are preserved; an update that changes nothing leaves updated_at alone."""
        body = bodies.validate(UpdateBody, data).model_dump(mode="json", exclude_unset=True)
        with self._store.atomic():
            entry = self._registry.get(workspace, "environment", environment_id)
            if entry.archived_ms is not None:
                raise CodedError(f"environment {environment_id!r} is archived, so it cannot be updated",
                                 "environment_archived")
            current = self._registry.view(workspace, "environment", environment_id)
            fields = {key: current[key] for key in ("name", "description", "config", "metadata", "scope")}
            new = dict(fields)
            if body.get("name") is not None:
                new["name"] = body["name"]
            if "description" in body:
                new["description"] = body["description"]  # "null clears to null; an empty string is stored"
            new["config"] = config(body.get("config"), fields["config"])
            if body.get("metadata") is not None:
                new["metadata"] = bodies.merge_metadata(fields["metadata"], body["metadata"], empty_deletes=True)
            if new != fields:
                now_ms = max(to_ms(self._clock()), (entry.updated_ms or entry.created_ms) + 1)
                self._store.update_entry(workspace, "environment", environment_id, entry.versions, new, now_ms)
            return self._registry.view(workspace, "environment", environment_id)

    def delete(self, workspace: str, environment_id: str) -> dict[str, Any]:
        """`BetaEnvironmentDeleteResponse`. Deployments that still reference it fail their runs
        with `environment_not_found_error` (the docs do not say a delete is refused for them)."""
        with self._store.atomic():
            self._registry.get(workspace, "environment", environment_id)
            self._store.delete_entry(workspace, "environment", environment_id, to_ms(self._clock()))
        return {"id": environment_id, "type": "environment_deleted"}
