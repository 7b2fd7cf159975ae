"""What a manifest may not hold: credentials of agentops or the runner in secret fields, and
literal tokens (the checks, and masking of quoted source lines). Secret fields hold `${ENV_VAR}`
references only; values come from the environment at apply time (engine/secrets.py)."""

from __future__ import annotations

import fnmatch
import re

from agentops.model.secretref import WRITE_ONLY_FIELDS

# Variables that hold credentials of agentops itself, of the CI runner, of cloud accounts or of
# package registries. A secret field sends its variable's value to the resource's `url`, so a
# manifest naming one of these could hand that credential to any host. They are refused unless
# agentops.yaml allows the exact name (`secrets: {allow: [NAME]}`).
CREDENTIAL_VARIABLES = (
    "ANTHROPIC_*", "CLAUDE_*",
    # agentops' own settings; AGENTOPS_FINGERPRINT_KEY keys the secrets fingerprint, and a host
    # that learned it could test guesses of a token against the fingerprint tag.
    "AGENTOPS_*",
    "AWS_*", "AZURE_*", "GOOGLE_*", "GCP_*", "GCLOUD_*",
    "ACTIONS_*", "RUNNER_*",
    # The CI job's own GitHub token: it expires with the job, and a deployment has no business with it.
    "GITHUB_TOKEN", "GH_TOKEN",
    "NPM_TOKEN", "PYPI_*", "TWINE_*", "DOCKER_*",
    "*_API_KEY", "*_SECRET_ACCESS_KEY", "*_PASSWORD",
)


# Token prefixes of common providers (GitHub, GitLab, Anthropic and others, Slack, AWS key ids).
TOKEN_LIKE = re.compile(r"\b(gh[pousr]_|github_pat_|glpat-|sk-ant-|sk-|xox[abpr]-|AKIA)[A-Za-z0-9_\-]*")
# The value after a secret field's key, quoted (YAML or JSON) or plain, on one line.
_SECRET_VALUE = re.compile(
    r"""(["']?(?:""" + "|".join(WRITE_ONLY_FIELDS) + r""")["']?\s*:\s*)("[^"]*"?|'[^']*'?|[^\s,}\]]+)"""
)


def mask_line(line: str) -> str:
    """A source line safe to quote: secret field values and token-like words replaced by ***."""
    return TOKEN_LIKE.sub("***", _SECRET_VALUE.sub(r"\1***", line))


def credential_pattern(name: str) -> str | None:
    """The CREDENTIAL_VARIABLES pattern a variable name matches (case-insensitively), if any."""
    upper = name.upper()
    return next((pattern for pattern in CREDENTIAL_VARIABLES if fnmatch.fnmatchcase(upper, pattern)), None)
