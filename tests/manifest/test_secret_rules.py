"""Credential-shaped secret variables need an explicit allow; URLs never carry credentials."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from agentops.cli import main
from agentops.manifest import load_project
from agentops.manifest.checks import url_credentials
from agentops.manifest.secrets import credential_pattern
from tests.manifest.conftest import Writer

MANIFEST = """name: a
agent: agent_1
environment_id: env_1
prompt: hi
resources:
  - type: github_repository
    url: {url}
    authorization_token: ${{{var}}}
"""


def test_an_allowed_credential_variable_passes(project: Writer) -> None:
    root = project({
        "agentops.yaml": "stack: test\nsecrets:\n  allow: [ANTHROPIC_API_KEY]\n",
        "deployments/a.yaml": MANIFEST.format(url="https://github.com/o/r", var="ANTHROPIC_API_KEY"),
    })
    loaded = load_project(root)
    assert loaded.problems == []
    assert loaded.config.secrets.allow == ["ANTHROPIC_API_KEY"]


def test_allowing_one_name_does_not_allow_its_family(project: Writer) -> None:
    root = project({
        "agentops.yaml": "stack: test\nsecrets: {allow: [AWS_TOKEN_A]}\n",
        "deployments/a.yaml": MANIFEST.format(url="https://github.com/o/r", var="AWS_TOKEN_B"),
    })
    assert [p.path for p in load_project(root).problems] == ["resources[0].authorization_token"]


def test_a_plain_repository_token_variable_passes(project: Writer) -> None:
    root = project({"deployments/a.yaml": MANIFEST.format(url="https://github.com/o/r.git", var="REPO_TOKEN")})
    assert load_project(root).problems == []


def test_url_credentials_are_refused_without_echoing_them(project: Writer) -> None:
    root = project({"deployments/a.yaml": MANIFEST.format(url="https://bot:s3cr3t-value@github.com/o/r",
                                                          var="REPO_TOKEN")})
    result = CliRunner().invoke(main, ["validate", str(root), "--format", "json"])
    assert result.exit_code == 1
    assert "s3cr3t-value" not in result.output
    [problem] = json.loads(result.output)["problems"]
    assert (problem["line"], problem["path"]) == (7, "resources[0].url")


@pytest.mark.parametrize(("name", "pattern"), [
    ("ANTHROPIC_API_KEY", "ANTHROPIC_*"), ("anthropic_base_url", "ANTHROPIC_*"), ("AWS_SESSION_TOKEN", "AWS_*"),
    ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "ACTIONS_*"), ("STRIPE_API_KEY", "*_API_KEY"),
    ("REPO_TOKEN", None), ("TRIAGE_GITHUB_PAT", None),
])
def test_credential_patterns(name: str, pattern: str | None) -> None:
    assert credential_pattern(name) == pattern


@pytest.mark.parametrize(("url", "flagged"), [
    ("https://github.com/o/r", False),
    ("https://github.com/o/r.git?ref=main", False),
    ("https://token@github.com/o/r", True),
    ("https://github.com/o/r?private_token=x", True),
    ("https://github.com/o/r?X-Amz-Signature=abc", True),
    ("https://github.com/o/r#ghp_abcdef", True),
])
def test_url_credentials(url: str, flagged: bool) -> None:
    assert (url_credentials(url) is not None) == flagged


def test_the_ci_jobs_github_token_is_refused_unless_allowed(tmp_path: Path) -> None:
    """GITHUB_TOKEN is always set in Actions: a manifest must not send it anywhere by default."""
    (tmp_path / "deployments").mkdir()
    (tmp_path / "deployments" / "a.yaml").write_text(
        "name: a\nagent: agent_1\nenvironment_id: env_1\nprompt: hi\nresources:\n"
        "  - type: github_repository\n    url: https://github.com/o/r\n    authorization_token: ${GITHUB_TOKEN}\n"
    )
    (tmp_path / "agentops.yaml").write_text("stack: s\n")
    (problem,) = load_project(tmp_path).problems
    assert (problem.line, problem.path) == (8, "resources[0].authorization_token") and "GITHUB_TOKEN" in problem.message
    (tmp_path / "agentops.yaml").write_text("stack: s\nsecrets: {allow: [GITHUB_TOKEN]}\n")
    assert load_project(tmp_path).problems == []
