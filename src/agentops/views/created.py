"""What a create makes, as YAML lines: every field after defaults are merged, secrets by variable name.

The same lines serve the terminal (indented) and Markdown (inside a ```yaml fence). Every value
from a manifest is a JSON-quoted scalar (valid YAML, control characters escaped), and prompt
lines sit in a block scalar with each line escaped, so no value can start a line of its own.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from agentops.engine.plan import Action
from agentops.model import spec, tags
from agentops.model.secretref import SECRET_FIELDS, variable
from agentops.model.words import plural
from agentops.views import safe
from agentops.views.money import budget_value
from agentops.views.times import next_fire_times

# A prompt longer than this shows its first lines and a count; -v/--verbose shows it whole.
PROMPT_LINES = 5
# Fields shown first, in this order; anything else the body holds follows, sorted.
ORDER = ("description", "agent", "environment_id", "prompt", "initial_events", "metadata",
         "resources", "vault_ids", "schedule", "budget")


_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
_YAML_WORDS = {"y", "n", "yes", "no", "true", "false", "on", "off", "null"}


def scalar(value: Any) -> str:
    return safe.value(json.dumps(value, ensure_ascii=False, sort_keys=True))


def key_text(key: Any) -> str:
    """A mapping key: plain when YAML reads it back as the same string, JSON-quoted otherwise."""
    text = str(key)
    plain = _PLAIN_KEY.fullmatch(text) and text.lower() not in _YAML_WORDS
    return text if plain else scalar(text)


def _prompt_lines(text: str, verbose: bool) -> list[str]:
    lines = text.splitlines() or [""]
    shown = lines if verbose else lines[:PROMPT_LINES]
    note = plural(len(lines), "line") + ("" if len(shown) == len(lines) else f", first {len(shown)} shown (-v shows all)")
    return [f"# prompt: {note}", "prompt: |-", *(f"  {safe.value(line)}" for line in shown)]


def _block(value: Any, indent: str) -> list[str]:
    """A mapping or list as block YAML; scalars (and empty containers) as JSON."""
    if isinstance(value, dict) and value:
        out = []
        for key, item in value.items():
            if isinstance(item, (dict, list)) and item:
                out.extend([f"{indent}{key_text(key)}:", *_block(item, indent + "  ")])
            else:
                out.append(f"{indent}{key_text(key)}: {scalar(item)}")
        return out
    if isinstance(value, list) and value:
        out = []
        for item in value:
            lines = _block(item, indent + "  ") if isinstance(item, (dict, list)) and item else [f"{indent}  {scalar(item)}"]
            out.append(f"{indent}- {lines[0].lstrip()}")
            out.extend(lines[1:])
        return out
    return [f"{indent}{scalar(value)}"]


def _resource(resource: dict[str, Any]) -> dict[str, Any]:
    """A resource with each secret field replaced by the name of its variable (never a value)."""
    shown = {key: item for key, item in resource.items() if key not in SECRET_FIELDS}
    for key in SECRET_FIELDS:
        if key in resource:
            name = variable(resource[key])
            shown[key] = f"${{{name}}}" if name else "(not a ${VAR} reference)"
    return shown


def _field(key: str, value: Any) -> list[str]:
    if isinstance(value, (dict, list)) and value:
        return [f"{key}:", *_block(value, "  ")]
    return [f"{key}: {scalar(value)}"]


def create_lines(action: Action, now: datetime | None = None, verbose: bool = False) -> list[str]:
    """YAML lines for what `action` (a create) makes; `now` adds the schedule's next runs."""
    body = dict(action.body or {})
    body.pop("name", None)
    # The ownership tags are agentops' bookkeeping (and repeat the name): the user's metadata is what they asked for.
    metadata = {k: v for k, v in (body.pop("metadata", None) or {}).items() if not tags.is_reserved(k)}
    if metadata:
        body["metadata"] = metadata
    # A paused create gets its schedule only once paused (a later step); it is still what is made.
    later = (action.after or {}).get("schedule") if "schedule" not in body else None
    if later:
        body["schedule"] = {k: later[k] for k in ("expression", "timezone") if k in later}
    prompt = spec.prompt_text(body.get("initial_events") or [])
    if prompt is not None:
        body.pop("initial_events")
        body["prompt"] = prompt  # never a body field of its own: the API has initial_events only
    keys = [k for k in ORDER if k in body] + sorted(k for k in body if k not in ORDER)
    out: list[str] = []
    for key in keys:
        if key == "prompt":
            out.extend(_prompt_lines(body[key], verbose))
        elif key == "resources":
            out.extend(_field(key, [_resource(r) if isinstance(r, dict) else r for r in body[key]]))
        elif key == "schedule":
            out.extend(_field(key, body[key]))
            runs = [] if later else next_fire_times(body[key], now)
            if later:
                out.append("# paused: the schedule is set once paused and fires only after an unpause")
            elif runs:
                out.append("# next runs: " + "; ".join(runs))
        else:
            out.extend(_field(key, body[key]))
            cost = budget_value(key, body[key]) if key == "budget" else None
            if cost:
                out.append(f"# budget: at most {cost} (amount is in cents)")
    return out
