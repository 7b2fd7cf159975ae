"""What each manifest field means, for the JSON Schema editors show: from the API reference
(Create Deployment parameters), plus the fields agentops adds. Keyed by model, then field."""

from __future__ import annotations

from typing import Any

from agentops.model.secretref import SECRET_REF, WRITE_ONLY_FIELDS

_TYPE = "The kind of this item; selects which other fields apply."
_FILE_ID = "ID of a previously uploaded file."
_DATA = "Base64-encoded data."
_MEDIA_TYPE = 'MIME type of the data (e.g. "image/png", "application/pdf").'
_URL = "URL to fetch."
_TEXT = "The text content."
_KIND = ("agentops: the kind of object this manifest declares. Optional: without it the kind comes from the "
         "folder the file is in (agents/, environments/, vaults/, memory_stores/, deployments/), then a file name "
         "starting with the kind (agent-x.md), else deployment. A folder holding SKILL.md is a skill.")
_PREVIOUS = "agentops: names this {} had before; a rename in place, not archive + create."
_ENVIRONMENTS = "agentops: the environments of agentops.yaml this {} exists in (default: all)."
_OVERRIDES = "agentops: per environment of agentops.yaml, fields merged over this manifest (the override wins)."
_LIFECYCLE = "agentops: guards on how apply treats this {}."
_PREVENT = "Refuse to archive this {}, even when its manifest is removed (archives of it are permanent)."
_IGNORE = "Fields (top-level names or metadata.<key>) whose live value agentops leaves alone."
_POLICY = "Permission policy: always_allow runs the tool without asking, always_ask asks, auto lets Claude decide."
_ENABLED = "Whether the tool is enabled. Overrides the default_config setting."
_ROSTER_ENTRY = ("An agent ID string, {type: agent, id, version}, {name, version} resolved in the workspace, "
                 "a relative path to an agent manifest of this repository, or {type: self}.")

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
        "vaults": "agentops: vaults by display name ({name}) or by the relative path of their manifest, resolved in "
                  "the workspace at plan time; added to vault_ids.",
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
        "type": _KIND,
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
    # --- agents ---
    "AgentManifest": {
        "type": _KIND,
        "name": "Human-readable name for the agent (1-256 characters); agentops identifies the agent by it, so it "
                "is unique across the agent manifests of a stack.",
        "model": "Model identifier (e.g. claude-opus-5), or a model_config object {id, effort, inference_geo, "
                 "speed}. An update replaces the whole object.",
        "description": "Description of what the agent does.",
        "system": "System prompt for the agent. Exclusive with system_file and a Markdown body.",
        "system_file": "agentops shorthand: a file (relative to this manifest, inside the repository) whose text "
                       "becomes system.",
        "tools": "Tool configurations available to the agent: the agent toolset, MCP toolsets and custom tools. "
                 "Maximum of 256 tools across all toolsets.",
        "mcp_servers": "MCP servers this agent connects to. Maximum 20, names unique; every server must be "
                       "referenced by an mcp_toolset in tools.",
        "skills": "Skills available to the agent: {type: anthropic|custom, skill_id, version}, {name, version} (a "
                  "skill by the name in its SKILL.md), or the relative path of a skill folder of this repository.",
        "multiagent": "Multiagent orchestration: multiagent_20261001 (advisor, subagents, workflows) or coordinator.",
        "execution_identity": "Execution principal for runs of this agent; omitted means the service account.",
        "metadata": "Arbitrary key-value metadata. Maximum 16 pairs, keys up to 64 chars, values up to 512 chars; "
                    "agentops uses some pairs for its own agentops.* tags.",
        "lifecycle": _LIFECYCLE.format("agent"),
        "previous_names": _PREVIOUS.format("agent"),
        "environments": _ENVIRONMENTS.format("agent"),
        "overrides": _OVERRIDES,
    },
    "AgentLifecycle": {"prevent_archive": _PREVENT.format("agent"), "ignore_changes": _IGNORE},
    "ModelConfig": {
        "id": "The model that will power the agent.",
        "effort": "How hard Claude works on each inference call: a level (low, medium, high, xhigh, max) or "
                  "{type: level}. Omitted: the per-model default.",
        "inference_geo": "Geographic region for model inference; unset falls through to the workspace default.",
        "speed": "Inference speed mode: standard (default) or fast (premium pricing; not every model).",
    },
    "EffortObject": {"type": "The effort level."},
    "AgentToolset": {
        "type": _TYPE,
        "configs": "Per-tool configuration overrides.",
        "default_config": "Default configuration applied to all tools in this set (permission policy default: "
                          "always_allow).",
    },
    "AgentToolConfig": {
        "name": "The built-in tool: bash, edit, read, write, glob, grep, web_fetch or web_search.",
        "type": "Equal to name when given.",
        "enabled": _ENABLED,
        "permission_policy": _POLICY,
    },
    "McpToolset": {
        "type": _TYPE,
        "mcp_server_name": "Name of the MCP server in mcp_servers. 1-255 characters.",
        "configs": "Per-tool configuration overrides.",
        "default_config": "Default configuration for all tools from this server (permission policy default: "
                          "always_ask).",
    },
    "McpToolConfig": {"name": "Name of the MCP tool. 1-128 characters.", "enabled": _ENABLED,
                      "permission_policy": _POLICY},
    "DefaultConfig": {"enabled": "Whether tools are enabled by default (default true).",
                      "permission_policy": _POLICY},
    "PermissionPolicy": {"type": "always_allow, always_ask or auto."},
    "CustomTool": {
        "type": _TYPE,
        "name": "Unique name for the tool: 1-128 letters, digits, underscores and hyphens.",
        "description": "What the tool does, shown to the agent.",
        "input_schema": "JSON Schema of the tool's input ({type: object, properties, required}).",
    },
    "McpServer": {"type": "Always \"url\".", "name": "Unique name, referenced by an mcp_toolset. 1-255 characters.",
                  "url": "Endpoint URL of the MCP server."},
    "Skill": {"type": "anthropic (an Anthropic skill) or custom (a skill you uploaded).",
              "skill_id": "The skill's identifier (xlsx, or skill_... for a custom skill).",
              "version": "Version to pin; latest when omitted."},
    "ServiceAccount": {"type": "The service account principal (the default)."},
    "AwsRole": {"type": _TYPE, "role_arn": "The IAM role's ARN. Maximum 2048 characters."},
    "Coordinator": {"type": "A coordinator topology (multiagent_20261001 is recommended instead).",
                    "agents": "Agents the coordinator may spawn: 1-20 distinct entries, at most one self. "
                              + _ROSTER_ENTRY + " Or {type: advisor, model}."},
    "Multiagent20261001": {
        "type": _TYPE,
        "advisor": "Whether the primary thread can consult an advisor model (default disabled).",
        "subagents": "Whether the agent can spawn session threads (default enabled).",
        "workflows": "Whether the agent can start workflow runs (default enabled).",
    },
    "AdvisorEnabled": {"type": _TYPE, "model": "The advisor's model id, permitted as an advisor for this agent's model."},
    "AdvisorEntry": {"type": _TYPE, "model": "The advisor's model id, permitted as an advisor for this agent's model."},
    "Disabled": {"type": "Disabled."},
    "Switch": {"type": "enabled (default) or disabled."},
    "TeamEnabled": {
        "type": _TYPE,
        "inline_agents": "Whether agents can be defined inline (default enabled); when disabled, "
                         "predefined_agents must name at least one agent.",
        "predefined_agents": "Saved agents it can use: at most 20 distinct entries. " + _ROSTER_ENTRY,
    },
    "SelfEntry": {"type": "The agent that owns this configuration."},
    # --- environments ---
    "EnvironmentManifest": {
        "type": _KIND,
        "name": "Human-readable name for the environment (1-256 characters); agentops identifies the environment "
                "by it, so it is unique across the environment manifests of a stack.",
        "description": "Description of the environment. A Markdown body is a shorthand for it.",
        "config": "The container configuration: cloud (networking, packages) or self_hosted. The type cannot "
                  "change after creation.",
        "metadata": "User-provided metadata key-value pairs. Maximum 16 pairs; agentops uses some for its own "
                    "agentops.* tags.",
        "scope": "Visibility scope; API organizations support only organization.",
        "lifecycle": _LIFECYCLE.format("environment"),
        "previous_names": _PREVIOUS.format("environment"),
        "environments": _ENVIRONMENTS.format("environment"),
        "overrides": _OVERRIDES,
    },
    "EnvironmentLifecycle": {"prevent_archive": _PREVENT.format("environment"), "ignore_changes": _IGNORE},
    "Cloud": {"type": _TYPE, "networking": "Network policy: unrestricted (the default) or limited.",
              "packages": "Packages installed in the container. Under limited networking, requires "
                          "networking.allow_package_managers: true."},
    "SelfHosted": {"type": "Sessions run on infrastructure you operate."},
    "Unrestricted": {"type": "Unrestricted network access."},
    "Limited": {
        "type": "Network access limited to what is listed.",
        "allowed_hosts": "Domains the container can reach.",
        "allow_mcp_servers": "Also permit the MCP server endpoints configured on the agent (default false).",
        "allow_package_managers": "Also permit public package registries (default false); true when packages are "
                                  "given.",
    },
    "PackageLists": {
        "type": "Always \"packages\".",
        **{manager: f"{label} packages to install (versions in the manager's syntax, e.g. pip's name==1.0)."
           for manager, label in (("apt", "Ubuntu/Debian"), ("cargo", "Rust"), ("gem", "Ruby"), ("go", "Go"),
                                  ("npm", "Node.js"), ("pip", "Python"))},
    },
    # --- vaults ---
    "VaultManifest": {
        "type": _KIND,
        "display_name": "Human-readable name for the vault (1-255 characters); agentops identifies the vault by it, so "
                        "it is unique across the vault manifests of a stack, and deployments reference it by it.",
        "metadata": "Arbitrary key-value metadata. Maximum 16 pairs, keys up to 64 chars, values up to 512 chars; "
                    "agentops uses some pairs for its own agentops.* tags.",
        "credentials": "agentops: the credentials the vault holds, at most 20, each known by its display_name. "
                       "A live credential not listed here is archived.",
        "lifecycle": _LIFECYCLE.format("vault"),
        "previous_names": _PREVIOUS.format("vault"),
        "environments": _ENVIRONMENTS.format("vault"),
        "overrides": _OVERRIDES,
    },
    "VaultLifecycle": {"prevent_archive": _PREVENT.format("vault"), "ignore_changes": _IGNORE},
    "Credential": {
        "display_name": "Human-readable name for the credential (1-255 characters); agentops identifies the "
                        "credential inside its vault by it.",
        "auth": "Authentication configuration: mcp_oauth, static_bearer or environment_variable. The type cannot "
                "change; a change of an immutable field creates a new credential before the old one is archived.",
        "metadata": "Arbitrary key-value metadata. Maximum 16 pairs, keys up to 64 chars, values up to 512 chars; "
                    "agentops keeps the fingerprint of the credential's secrets in one agentops.* pair.",
    },
    "McpOAuth": {
        "type": _TYPE,
        "access_token": "The OAuth access token to send to the MCP server: a ${VAR} reference to an environment "
                        "variable, never the token itself.",
        "mcp_server_url": "URL of the MCP server this credential authenticates against. Immutable.",
        "expires_at": "When access_token expires, in RFC 3339. Must be in the future.",
        "refresh": "Refresh token configuration, if the credential supports token refresh.",
    },
    "Refresh": {
        "client_id": "The OAuth client ID to use when refreshing the access token. Immutable.",
        "refresh_token": "The OAuth refresh token the API uses to get a new access token: a ${VAR} reference.",
        "token_endpoint": "Token endpoint URL used to refresh the access token. Immutable.",
        "token_endpoint_auth": "How the token endpoint authenticates the client: none, client_secret_basic or "
                               "client_secret_post.",
        "resource": "OAuth resource indicator. Immutable.",
        "scope": "OAuth scope for the refresh request.",
    },
    "TokenAuthNone": {"type": "A public client: no client authentication."},
    "TokenAuthBasic": {"type": _TYPE, "client_secret": "The OAuth client secret, sent with HTTP Basic auth: a "
                                                       "${VAR} reference."},
    "TokenAuthPost": {"type": _TYPE, "client_secret": "The OAuth client secret, sent in the request body: a "
                                                      "${VAR} reference."},
    "StaticBearer": {
        "type": _TYPE,
        "token": "The static bearer token to send to the MCP server (an API key or personal access token): a "
                 "${VAR} reference.",
        "mcp_server_url": "URL of the MCP server this credential authenticates against. Immutable.",
    },
    "EnvironmentVariable": {
        "type": _TYPE,
        "secret_name": "Name of the environment variable. Immutable.",
        "secret_value": "The secret to substitute into the agent's outbound requests: a ${VAR} reference. "
                        "Write-only, never returned.",
        "networking": "Outbound hosts the secret value is substituted on.",
        "injection_location": "Where in the outbound request the secret value may be substituted.",
    },
    "CredentialUnrestricted": {"type": "Substitute the secret on requests to any host."},
    "CredentialLimited": {
        "type": "Substitute the secret only on requests to the listed hosts.",
        "allowed_hosts": "Up to 16 bare hostnames, IPv4 addresses or *. wildcards (no URLs, ports, paths or IPv6).",
    },
    "InjectionLocation": {"body": "Substitute when the placeholder appears in the request body.",
                          "header": "Substitute when the placeholder appears in a request header value."},
    # --- memory stores ---
    "MemoryStoreManifest": {
        "type": _KIND,
        "name": "Name of the memory store (1-255 characters, no control characters); agentops identifies the store "
                "by it, so it is unique across the memory store manifests of a stack.",
        "description": "What the store contains, up to 1,024 characters; included in the agent's system prompt when "
                       "the store is attached. A Markdown body is a shorthand for it.",
        "metadata": "Key-value pairs for your own use (the agent does not see them). Maximum 16 pairs; agentops uses "
                    "some for its own agentops.* tags.",
        "lifecycle": _LIFECYCLE.format("memory store"),
        "previous_names": _PREVIOUS.format("memory store"),
        "environments": _ENVIRONMENTS.format("memory store"),
        "overrides": _OVERRIDES,
    },
    "MemoryStoreLifecycle": {"prevent_archive": _PREVENT.format("memory store"), "ignore_changes": _IGNORE},
    "MemoryStoreByName": {
        "type": _TYPE,
        "memory_store": "agentops: the memory store by {name} (resolved in the workspace at plan time) or by the "
                        "relative path of its manifest; in place of memory_store_id.",
        "access": "Access mode for the attached memory store.",
        "instructions": "Per-attachment guidance for the agent on how to use this store. Max 4096 chars.",
    },
    # --- skills ---
    "SkillManifest": {
        "type": "Optional: a folder holding SKILL.md is always a skill.",
        "name": "The skill's immutable name: lowercase letters, digits and single hyphens, at most 64 characters, "
                "without 'anthropic' or 'claude'. Without it the folder's name is used. agentops identifies the skill "
                "by it, and agents reference it by it.",
        "description": "What the skill does and when to use it (1-1024 characters, no XML tags).",
        "metadata": "String pairs SKILL.md may carry. agentops.prevent_delete: \"true\" keeps the skill from "
                    "being deleted by prune or destroy (the other agentops. keys are reserved).",
    },
    "SkillByName": {
        "name": "The skill's name (the name in its SKILL.md): this stack's skill, else the workspace's.",
        "version": "A version id to pin; without it the agent follows the latest version.",
    },
}


def describe(
    schema: dict[str, Any], title: str, descriptions: dict[str, dict[str, str]] = DESCRIPTIONS
) -> dict[str, Any]:
    """`schema` (a pydantic JSON Schema of `title`) with every field described from `descriptions`
    and secret fields constrained to `${VAR}` references."""
    models = {title: schema, **schema.get("$defs", {})}
    for model, definition in models.items():
        for field, prop in definition.get("properties", {}).items():
            prop["description"] = descriptions[model][field]
            if field in WRITE_ONLY_FIELDS:
                prop["pattern"] = SECRET_REF.pattern
    return schema
