"""JSON Schemas: of a manifest (for editors), and of every JSON document a command prints.

`agentops schema` prints the manifest's, `agentops schema --config` agentops.yaml's, and
`agentops schema --output NAME` the one of a
command's `--format json` output. The documents gain keys over time (their `format_version`
changes when one changes meaning), so the schemas require what is there and allow more.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

from agentops.engine.plan import FORMAT_VERSION, ActionKind
from agentops.engine.resources import ORDER
from agentops.manifest.agent_schema import AgentManifest
from agentops.manifest.config_descriptions import CONFIG_DESCRIPTIONS
from agentops.manifest.config_schema import LEVELS, Config
from agentops.manifest.descriptions import describe
from agentops.manifest.environment_schema import EnvironmentManifest
from agentops.manifest.memory_store_schema import MemoryStoreManifest
from agentops.manifest.schema import Manifest
from agentops.manifest.skill_schema import SkillManifest
from agentops.manifest.vault_schema import VaultManifest

DIALECT = "https://json-schema.org/draft/2020-12/schema"


def _object(required: dict[str, Any], optional: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"type": "object", "required": sorted(required), "properties": {**required, **(optional or {})}}


_STR = {"type": "string"}
_INT = {"type": "integer", "minimum": 0}
_BOOL = {"type": "boolean"}
_NULLABLE_STR = {"type": ["string", "null"]}
_LIST = {"type": "array"}
_VERSION = {"const": FORMAT_VERSION}
_PROBLEM = _object({"file": _STR, "line": _INT, "column": _INT, "path": _STR, "message": _STR,
                    "hint": _NULLABLE_STR, "excerpt": _NULLABLE_STR})
# A plan's blocking problem: `file` is "path:line" in the checkout (or a folder "path/"), else null
# and `source` says where it comes from instead: a flag ("--target"), "workspace", or "REF:agentops.yaml:LINE".
_BLOCKER = _object({"name": _NULLABLE_STR, "file": _NULLABLE_STR, "source": _NULLABLE_STR, "message": _STR,
                    "hint": _NULLABLE_STR})
_HEALTH = _object({"healthy": _BOOL, "failing": _INT, "auto_paused": _INT, "deployments": _LIST})
_RESOURCE = {"enum": [resource.kind for resource in ORDER]}
# One changed field; `diff` is a long text's unified line diff (live -> manifest), else null.
_CHANGE = _object({"path": _STR, "field": _STR, "origin": _NULLABLE_STR,
                   "diff": {"type": ["array", "null"], "items": _STR}})
_ACTION = _object({"name": _STR, "resource": _RESOURCE, "address": _STR,
                   "action": {"enum": [kind.value for kind in ActionKind]},
                   "verb": {"enum": [*(kind.value for kind in ActionKind), "delete"]}, "reason": _STR, "id": _NULLABLE_STR,
                   "deployment_id": _NULLABLE_STR, "phase": _INT, "changes": {"type": "array", "items": _CHANGE}})
# A model or tool permission change of an agent, shown first (`loosened`: the tool now asks less).
_HIGHLIGHT = _object({"address": _STR, "kind": {"enum": ["model", "permission"]}, "subject": _STR,
                      "before": _NULLABLE_STR, "after": _NULLABLE_STR, "loosened": _BOOL})
# An agent's newest version and the stack's deployments on each of its versions (`behind`: on an older one).
_AGENT_VERSIONS = _object({"name": _STR, "agent_id": _STR, "version": {"type": ["integer", "null"]}, "found": _BOOL,
                          "archived": _BOOL, "behind": _INT,
                          "versions": {"type": "array", "items": _object(
                              {"version": {"type": ["integer", "null"]}, "deployments": {"type": "array", "items": _STR},
                               "behind": _BOOL})}})
_FLEET = {"cap": {"type": "object"}, "runs": {"type": "object"}, "days": _INT, "now": _STR,
          "busiest_minutes": _LIST, "dst": _LIST, "schedule_changes": _LIST, "exposure": {"type": "object"},
          "violations": _LIST}

# What `apply` (and `destroy`, which applies a plan too) prints: one result per action run, and the totals.
_RESULTS = _object(
    {"format_version": _VERSION, "succeeded": _INT, "failed": _INT, "not_started": _INT, "interrupted": _BOOL,
     "results": {"type": "array", "items": _object({"name": _STR, "resource": _RESOURCE, "action": _STR,
                                                    "verb": _STR, "ok": _BOOL, "message": _STR, "id": _NULLABLE_STR,
                                                    "deployment_id": _NULLABLE_STR})}})

OUTPUTS: dict[str, tuple[str, dict[str, Any]]] = {
    "plan": ("`plan --format json`: the plan (and with --health, run health)", _object(
        {"format_version": _VERSION, "stack": _STR, "applyable": _BOOL, "errored": _BOOL, "has_changes": _BOOL,
         "counts": {"type": "object", "additionalProperties": _INT}, "summary": _STR, "warnings": _LIST,
         "problems": {"type": "array", "items": _BLOCKER}, "actions": {"type": "array", "items": _ACTION},
         "order": {"type": "array", "items": {"type": "array", "items": _STR}},
         "flags": _object({"adopt": _BOOL, "no_prune": _BOOL, "targets": _LIST, "allow_empty": _BOOL,
                           "strict_names": _BOOL, "new_stack": _BOOL, "destroy": _BOOL},
                          {"max_archive": {"type": ["integer", "null"]}}),
         "guard_changes": {"type": "array", "items": _STR}, "highlights": {"type": "array", "items": _HIGHLIGHT}},
        {"workspace_id": _NULLABLE_STR, "env": _NULLABLE_STR, "base_ref": _NULLABLE_STR, "resolved": {"type": "object"},
         "fleet": _object({"version": {"const": 1}, **_FLEET}), "health": _HEALTH})),
    "apply": ("`apply --format json`: one result per action run, and the totals", _RESULTS),
    # `destroy --out FILE --format json` prints the plan instead (the `plan` document).
    "destroy": ("`destroy --format json`: one result per archive, and the totals", _RESULTS),
    "validate": ("`validate --format json`: every problem, warning and notice", _object(
        {"format_version": _VERSION, "valid": _BOOL, "manifests": _INT, "problems": {"type": "array", "items": _PROBLEM},
         "warnings": {"type": "array", "items": _PROBLEM}, "notices": {"type": "array", "items": _PROBLEM}})),
    "status": ("`status --format json`: one row per manifest or deployment, the agents' versions, and run health",
               _object({"format_version": _VERSION, "stack": _STR, "env": _NULLABLE_STR, "health": _HEALTH,
                        "deployments": {"type": "array", "items": _object({"name": _STR, "state": _STR})}},
                       {"agents": {"type": "array", "items": _AGENT_VERSIONS}})),
    "fleet": ("`fleet --format json`: schedule load, DST effects and worst-case spend", _object(
        {"format_version": _VERSION, **_FLEET})),
    "run": ("`run --format json`: the run as the API returned it", _object(
        {"format_version": _VERSION, "name": _STR, "deployment_id": _STR, "errored": _BOOL,
         "run": {"type": "object"}, "fix": _NULLABLE_STR}, {"settled": _BOOL, "stopped": _STR})),
    "import": ("`import --format json`: what was (or would be) written and tagged", _object(
        {"format_version": _VERSION, "errored": _BOOL, "stack": _STR, "dry_run": _BOOL, "imported": _LIST,
         "refused": _LIST, "notes": _LIST, "warnings": _LIST})),
    "error": ("any command's `--format json` when it fails: the manifests' problems, or the error", {
        "anyOf": [
            _object({"format_version": _VERSION, "errored": {"const": True}, "applyable": {"const": False},
                     "problems": {"type": "array", "items": _PROBLEM}}),
            _object({"format_version": _VERSION, "errored": {"const": True}, "error": _STR,
                     "details": {"type": "array", "items": _STR}}),
        ]}),
}
NAMES = ("manifest", "config", *OUTPUTS)


# Each kind's manifest model; the schema of a kind also allows the `type:` naming that kind (a skill's is
# SKILL.md's front matter).
MANIFEST_KINDS: dict[str, type[BaseModel]] = {
    "deployment": Manifest, "agent": AgentManifest, "environment": EnvironmentManifest, "vault": VaultManifest,
    "skill": SkillManifest, "memory_store": MemoryStoreManifest}


def manifest_schema(kind: str = "deployment") -> dict[str, Any]:
    model = MANIFEST_KINDS[kind]
    raw = model.model_json_schema()
    raw["properties"]["type"] = {"const": kind}
    schema = describe(raw, model.__name__)
    title = f"agentops {kind.replace('_', ' ')} manifest" if kind != "skill" else "SKILL.md front matter (agentops skill)"
    return {"$schema": DIALECT, **schema, "title": title}


def config_schema() -> dict[str, Any]:
    """agentops.yaml's schema, every key described."""
    schema = describe(Config.model_json_schema(), Config.__name__, CONFIG_DESCRIPTIONS)
    # A rule without parameters is written as its level alone (`require_budget: error`, check_policy).
    for rule in schema["$defs"]["Policy"]["properties"].values():
        if {"$ref": "#/$defs/Rule"} in rule["anyOf"]:
            rule["anyOf"].insert(0, {"enum": list(LEVELS)})
    return {"$schema": DIALECT, **schema, "title": "agentops.yaml"}


def schema(name: str = "manifest", kind: str = "deployment") -> dict[str, Any]:
    """The schema called `name`: "manifest" (of `kind`), "config" (agentops.yaml) or one of OUTPUTS."""
    if name == "manifest":
        return manifest_schema(kind)
    if name == "config":
        return config_schema()
    title, body = OUTPUTS[name]
    return {"$schema": DIALECT, "title": f"agentops {title}", **body}


def render_schema(name: str = "manifest", kind: str = "deployment") -> str:
    return json.dumps(schema(name, kind), indent=2) + "\n"
