"""What each manifest field means, for the JSON Schema editors show: from the API reference
(Create Deployment parameters), plus the fields agentops adds. Keyed by model, then field."""

from __future__ import annotations

from typing import Any

from agentops.model.secretref import SECRET_FIELDS, SECRET_REF

_TYPE = "The kind of this item; selects which other fields apply."
_FILE_ID = "ID of a previously uploaded file."
_DATA = "Base64-encoded data."
_MEDIA_TYPE = 'MIME type of the data (e.g. "image/png", "application/pdf").'
_URL = "URL to fetch."
_TEXT = "The text content."

DESCRIPTIONS: dict[str, dict[str, str]] = {
    "Manifest": {
        "name": "Human-readable name for the deployment (1-256 characters); agentops identifies the "
                "deployment by it, so it is unique across the manifests of a stack.",
        "description": "Description of what the deployment does.",
        "agent": "Agent to deploy: an agent ID string (pins the latest version), {id, version}, or "
                 "{name, version} resolved in the workspace at plan time. The agent must exist and not be "
                 "archived.",
        "environment_id": "ID of the environment defining the container configuration for sessions created "
                          "from this deployment. Exclusive with environment.",
        "environment": "agentops: the environment by name, resolved in the workspace at plan time. Exclusive "
                       "with environment_id.",
        "vaults": "agentops: vaults by display name, resolved in the workspace at plan time; added to vault_ids.",
        "environments": "agentops: the environments of agentops.yaml this deployment exists in (default: all).",
        "overrides": "agentops: per environment of agentops.yaml, fields merged over this manifest (the "
                     "override wins).",
        "initial_events": "Events to send to each session immediately after creation. At least 1, maximum 50. "
                          "Exclusive with prompt and prompt_file.",
        "prompt": "agentops shorthand: the text of a single user.message initial event.",
        "prompt_file": "agentops shorthand: a file (relative to this manifest, inside the repository) whose "
                       "text becomes a single user.message initial event.",
        "schedule": "5-field POSIX cron schedule. Literal wall-clock matching in the configured timezone. "
                    "Omit for a deployment that only runs when triggered.",
        "resources": "Resources (e.g. repositories, files) to mount into each session's container. Maximum 500.",
        "vault_ids": "Vault IDs for stored credentials the agent can use during sessions created from this "
                     "deployment. Maximum 50.",
        "metadata": "Arbitrary key-value metadata. Maximum 16 pairs, keys up to 64 chars, values up to 512 "
                    "chars; agentops uses some pairs for its own agentops.* tags.",
        "budget": "Enforced spend ceiling stamped onto each session created from this deployment. Omit to "
                  "leave sessions uncapped.",
        "status": "agentops: whether the deployment should be active or paused (default active).",
        "lifecycle": "agentops: guards on how apply treats this deployment.",
        "previous_names": "agentops: names this deployment had before; a rename in place, not archive + create.",
    },
    "Lifecycle": {
        "prevent_archive": "Refuse to archive this deployment, even when its manifest is removed.",
        "ignore_changes": "Fields (top-level names or metadata.<key>) whose live value agentops leaves alone.",
    },
    "AgentByName": {
        "name": "The agent's name in the workspace; exactly one live agent must have it.",
        "version": "The specific agent version to use. Omit to use the latest version. At least 1.",
    },
    "ByName": {"name": "The name (a vault's display name) in the workspace; exactly one live object must have it."},
    "AgentRef": {
        "type": "Always \"agent\".",
        "id": "The agent ID.",
        "version": "The specific agent version to use. Omit to use the latest version. At least 1.",
    },
    "Schedule": {
        "type": "Always \"cron\".",
        "expression": "5-field POSIX cron expression: minute hour day-of-month month day-of-week (e.g. "
                      "\"0 9 * * 1-5\" for weekdays at 9am). Day-of-week 0 and 7 both mean Sunday. No seconds "
                      "or year fields, no L, W, # or ?, no @shortcuts.",
        "timezone": "IANA timezone identifier (e.g. \"America/Los_Angeles\", \"UTC\").",
    },
    "UserMessageEvent": {"type": _TYPE, "content": "Array of content blocks for the user message."},
    "SystemMessageEvent": {
        "type": _TYPE,
        "content": "System content blocks to append (text only). A system.message must be the final event and "
                   "immediately follow a user.message.",
    },
    "DefineOutcomeEvent": {
        "type": _TYPE,
        "description": "What the agent should produce. This is the task specification.",
        "rubric": "Rubric for grading the quality of an outcome.",
        "max_iterations": "Eval-revision cycles before giving up. Default 3, max 20.",
    },
    "TextBlock": {"type": _TYPE, "text": _TEXT},
    "ImageBlock": {"type": _TYPE, "source": "The image: base64 data, a URL or an uploaded file."},
    "DocumentBlock": {
        "type": _TYPE,
        "source": "The document: base64 data, plain text, a URL or an uploaded file.",
        "context": "Additional context about the document for the model.",
        "title": "The title of the document.",
    },
    "Base64Source": {"type": _TYPE, "data": _DATA, "media_type": _MEDIA_TYPE},
    "PlainTextSource": {"type": _TYPE, "data": "The plain text content.", "media_type": 'Must be "text/plain".'},
    "URLSource": {"type": _TYPE, "url": _URL},
    "FileSource": {"type": _TYPE, "file_id": _FILE_ID},
    "FileRubric": {"type": _TYPE, "file_id": "ID of the rubric file."},
    "TextRubric": {
        "type": _TYPE,
        "content": "Rubric content, plain text or markdown. Maximum 262144 characters.",
    },
    "GitHubRepositoryResource": {
        "type": _TYPE,
        "url": "GitHub URL of the repository (no credentials in it).",
        "authorization_token": "GitHub authorization token used to clone the repository: a ${VAR} reference "
                               "to an environment variable, never the token itself.",
        "checkout": "Branch or commit to check out. Defaults to the repository's default branch.",
        "mount_path": "Mount path in the container. Defaults to /workspace/<repo-name>.",
    },
    "BranchCheckout": {"type": _TYPE, "name": "Branch name to check out."},
    "CommitCheckout": {"type": _TYPE, "sha": "Full 40-character commit SHA to check out."},
    "FileResource": {
        "type": _TYPE,
        "file_id": _FILE_ID,
        "mount_path": "Mount path in the container. Defaults to /mnt/session/uploads/<file_id>.",
    },
    "MemoryStoreResource": {
        "type": _TYPE,
        "memory_store_id": "The memory store ID (memstore_...), in the caller's organization and workspace.",
        "access": "Access mode for the attached memory store.",
        "instructions": "Per-attachment guidance for the agent on how to use this store. Max 4096 chars.",
    },
    "Budget": {
        "type": "Always \"limit\": a hard spend ceiling.",
        "max_list_cost": "Maximum list cost a session may accrue; list price is used regardless of discounts, "
                         "so the cap fires at or before the actual charge.",
    },
    "MonetaryAmount": {
        "amount": "A whole number of cents (the currency's minor unit), as a string: \"2500\" is USD 25.00.",
        "currency": "Currency code; USD.",
    },
}


def describe(schema: dict[str, Any], title: str) -> dict[str, Any]:
    """`schema` (a pydantic JSON Schema of `title`) with every field described and secret fields
    constrained to `${VAR}` references."""
    models = {title: schema, **schema.get("$defs", {})}
    for model, definition in models.items():
        for field, prop in definition.get("properties", {}).items():
            prop["description"] = DESCRIPTIONS[model][field]
            if field in SECRET_FIELDS:
                prop["pattern"] = SECRET_REF.pattern
    return schema
