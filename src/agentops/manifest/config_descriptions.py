"""What each agentops.yaml key means, for `agentops schema --config` and docs/config.md.
Keyed by config model (config_schema), then field (its alias where it has one)."""

from __future__ import annotations

from agentops.manifest.config_schema import (
    DEFAULT_READS_PER_MINUTE,
    DEFAULT_WRITES_PER_MINUTE,
    MAX_PER_MINUTE,
)

_LEVEL = "error (blocks: exit 1, nothing is written), warn (shown) or off (switches off a rule a wider scope sets)."
_PER_MINUTE = "Most {} requests per minute agentops sends (default {:g}, the documented organization limit; 0 " \
              f"turns pacing of them off; at most {MAX_PER_MINUTE})."
_WORKSPACE = "The workspace id (wrkspc_...) the API key must belong to; plan refuses another. Default: the " \
             "API key's workspace."
_DEFAULTS = "Values for manifest fields a manifest leaves out (any manifest field except name, " \
            "previous_names, prompt, prompt_file, initial_events, environments and overrides); mappings " \
            "merge key by key, the manifest wins."

CONFIG_DESCRIPTIONS: dict[str, dict[str, str]] = {
    "Config": {
        "stack": "Required. The stack's name: 1-64 lowercase letters, digits, '-', '_' or '.', starting with a "
                 "letter or digit. Every deployment agentops creates is tagged with it, and only tagged "
                 "deployments of this stack are planned.",
        "manifests": "The folder of manifests, relative to the repository root and inside it (default "
                     "deployments).",
        "workspace_id": _WORKSPACE,
        "max_archive": "The default of --max-archive: a plan that archives more deployments than this is "
                       "refused (an integer, at least 0; default: no limit). Under plan --base-ref the base "
                       "branch's value is enforced.",
        "defaults": _DEFAULTS,
        "secrets": "Which credential-shaped variables secret fields may name.",
        "policy": "The policy pack: rules checked by validate and plan. Under plan --base-ref the base branch's "
                  "policy is enforced.",
        "api": "How fast agentops calls the API.",
        "environments": "Named environments (the name follows the stack's rules), chosen with --env or "
                        "AGENTOPS_ENV: each a workspace with its own variables, defaults and policy.",
        "local": "What --local (the embedded emulator) starts with.",
    },
    "SecretsConfig": {
        "allow": "Variable names that look like credentials (ANTHROPIC_*, AWS_*, GITHUB_TOKEN, *_API_KEY, ...) "
                 "but a secret field may still name as ${VAR} (default: none). Under plan --base-ref the base "
                 "branch's list is enforced.",
    },
    "Policy": {
        "require_budget": "Every deployment has a budget. Checked by validate.",
        "require_pinned_agent_version": "Every deployment names its agent as {id, version}. Checked by validate.",
        "forbid_branch_checkout": "Every github_repository resource checks out a commit ({type: commit, sha}), "
                                  "not a branch or the default branch. Checked by validate.",
        "require_metadata": "Every deployment has these metadata keys. Checked by validate.",
        "allowed_hours": "Every cron fire's local time (the schedule's timezone) is within from..to, both "
                         "included. Checked by validate.",
        "min_interval_minutes": "No two fires of a schedule are closer than this, in local wall-clock time. "
                                "Checked by validate.",
        "max_scheduled": "The stack has at most this many scheduled deployments after the plan. Checked by plan.",
        "max_monthly_exposure": "Each scheduled deployment's runs in 30 days times its max_list_cost, and the "
                                "stack's total, stay within this amount; a deployment without a budget breaks "
                                "it. Checked by plan.",
        "allowed_models": "Agent manifests (and their advisors) use only these model ids. Checked by validate.",
        "forbid_always_allow": "Agent manifests do not let these agent-toolset tools run without asking "
                               "(always_allow). Checked by validate.",
        "require_agent_description": "Every agent manifest has a description. Checked by validate.",
        "environment_networking": "Environment manifests limit their network access. Checked by validate.",
    },
    "Rule": {"level": _LEVEL},
    "MetadataRule": {"level": _LEVEL, "keys": "Metadata keys every deployment must have (at least one; each "
                                              "1-64 characters)."},
    "HoursRule": {"level": _LEVEL,
                  "from": 'Start of the window, local time "HH:MM" (00:00-23:59).',
                  "to": 'End of the window, local time "HH:MM"; before from, the window wraps past midnight.'},
    "IntervalRule": {"level": _LEVEL, "minutes": "Least minutes between two fires (1-1440)."},
    "CountRule": {"level": _LEVEL, "count": "Most scheduled deployments in the stack (at least 0)."},
    "ExposureRule": {"level": _LEVEL,
                     "amount": 'The ceiling in the currency\'s major unit as a string ("500" is USD 500, '
                               '"499.99" allowed), unlike a budget\'s amount, which is in cents.',
                     "currency": "The currency: USD."},
    "ModelsRule": {"level": _LEVEL, "models": "The model ids allowed (at least one)."},
    "ToolsRule": {"level": _LEVEL, "tools": "Agent-toolset tool names that may not be always_allow (at least "
                                            "one)."},
    "NetworkingRule": {"level": _LEVEL, "require": "The networking required: limited."},
    "ApiConfig": {
        "writes_per_minute": _PER_MINUTE.format("write", DEFAULT_WRITES_PER_MINUTE),
        "reads_per_minute": _PER_MINUTE.format("read", DEFAULT_READS_PER_MINUTE),
    },
    "EnvironmentConfig": {
        "workspace_id": _WORKSPACE,
        "vars": "Values of ${var.NAME} in manifests (NAME: a letter or _, then letters, digits or _; a value "
                "is a string, number or boolean).",
        "defaults": "Defaults for this environment, laid over the top-level defaults (same fields).",
        "policy": "Policy rules laid over the top-level policy rule by rule when this environment is chosen. "
                  "Under plan --base-ref the base branch's are enforced.",
    },
    "LocalConfig": {
        "seed": "An emulator seed file (agents, environments and vaults with ids and names), relative to the "
                "repository root and inside it, so manifests that name them resolve under --local.",
    },
}
