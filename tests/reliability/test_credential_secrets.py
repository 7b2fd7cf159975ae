"""Secret hygiene for vault credentials: with a credential of each type set from known values, no
command prints or writes any of them (plan in every format, saved plan, apply, rotation, replacement,
status, import, report, the PR comment, the step summary and the SDK's debug log)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import Result

from agentops.emulator import EmulatorServer
from tests.fake_github import FakeGitHub, github_env
from tests.harness import Repo, manifest
from tests.helpers import make_client
from tests.reliability.sweep import assert_nothing_leaks
from tests.stack import TOKEN

API_KEY = "sk-ant-vault-hygiene-KEY-7e19"
VALUES = {"VAULT_ACCESS": "oauth_access_SECRET_a1b2", "VAULT_REFRESH": "oauth_refresh_SECRET_c3d4",
          "VAULT_CLIENT": "oauth_client_SECRET_e5f6", "VAULT_BEARER": "bearer_SECRET_g7h8",
          "VAULT_NPM": "npm_SECRET_i9j0"}
ROTATED = {"VAULT_BEARER": "bearer_SECRET_rotated_k1l2", "VAULT_NPM": "npm_SECRET_rotated_m3n4"}
CONSOLE = "console_made_SECRET_o5p6"  # a secret of a credential made outside agentops, then imported
SECRETS = (*VALUES.values(), *ROTATED.values(), CONSOLE, API_KEY)


def _vault(secret_name: str = "NPM_TOKEN") -> dict[str, object]:
    return {"display_name": "tools", "credentials": [
        {"display_name": "linear", "auth": {
            "type": "mcp_oauth", "mcp_server_url": "https://mcp.linear.example/sse", "access_token": "${VAULT_ACCESS}",
            "refresh": {"client_id": "agentops", "refresh_token": "${VAULT_REFRESH}",
                        "token_endpoint": "https://linear.example/token",
                        "token_endpoint_auth": {"type": "client_secret_basic", "client_secret": "${VAULT_CLIENT}"}}}},
        {"display_name": "github", "auth": {"type": "static_bearer", "mcp_server_url": "https://mcp.github.example/",
                                            "token": "${VAULT_BEARER}"}},
        {"display_name": "npm", "auth": {"type": "environment_variable", "secret_name": secret_name,
                                         "secret_value": "${VAULT_NPM}",
                                         "networking": {"type": "limited", "allowed_hosts": ["registry.npmjs.org"]}}}]}


def _leaks(text: str) -> list[str]:
    return [secret for secret in SECRETS if secret in text]


def test_no_command_prints_or_writes_a_credential_secret(
    tmp_path: Path, emulator: EmulatorServer, github: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    monkeypatch.chdir(root)  # `import` works on the repository it is run in
    summary = root / "step-summary.md"
    repo = Repo.create(root, emulator, ANTHROPIC_API_KEY=API_KEY, GITHUB_TOKEN=TOKEN,
                       GITHUB_STEP_SUMMARY=str(summary), **VALUES, **github_env(github))
    vaults = root / "deployments" / "vaults"

    def declare(secret_name: str = "NPM_TOKEN") -> None:
        repo.write([manifest(1, revision=0) | {"name": "job", "vaults": [{"name": "tools"}]}])
        vaults.mkdir(exist_ok=True)
        (vaults / "tools.yaml").write_text(yaml.safe_dump(_vault(secret_name), sort_keys=False))

    outputs: list[tuple[str, Result]] = []

    def run(label: str, *args: str, env: dict[str, str] | None = None) -> Result:
        result = repo.run(*args, env=env)
        outputs.append((label, result))
        return result

    declare()
    saved = root / "saved-plan.json"
    assert run("validate", "validate", str(root)).exit_code == 0
    assert run("plan text", "-v", "plan", str(root)).exit_code == 0
    assert run("plan json", "plan", str(root), "--format", "json").exit_code == 0
    assert run("plan markdown", "plan", str(root), "--format", "markdown").exit_code == 0
    assert run("plan --out", "plan", str(root), "--out", str(saved)).exit_code == 0
    assert run("apply saved", "-v", "apply", str(saved), "--auto-approve").exit_code == 0
    assert run("plan in sync", "plan", str(root), "--validate-credentials", "--detailed-exitcode").exit_code == 0
    assert run("plan rotated", "plan", str(root), "--format", "json", env=ROTATED).exit_code == 0
    assert run("apply rotated", "apply", str(root), "--auto-approve", "--format", "json", env=ROTATED).exit_code == 0
    declare("NPM_AUTH_TOKEN")  # an immutable field: a replacement, which sends every secret again
    assert run("apply replaced", "apply", str(root), "--auto-approve", env=ROTATED).exit_code == 0
    assert run("status", "status", str(root), env=ROTATED).exit_code == 0
    assert run("status json", "status", str(root), "--format", "json", env=ROTATED).exit_code == 0
    assert run("comment", "comment", str(root), "--pr", "7", env=ROTATED).exit_code == 0
    assert run("report", "report", str(root), env=ROTATED).exit_code == 0
    assert run("unset variable", "plan", str(root), env={**ROTATED, "VAULT_NPM": ""}).exit_code == 1
    with make_client(emulator.url) as sdk:  # a vault made in the console, its secret sent directly
        made = sdk.beta.vaults.create(display_name="console-vault")
        sdk.beta.vaults.credentials.create(made.id, display_name="api", auth={
            "type": "static_bearer", "mcp_server_url": "https://mcp.example/", "token": CONSOLE})
    assert run("import", "import", "console-vault", "--kinds", "vault", "--format", "json").exit_code == 0
    imported = (vaults / "console-vault.yaml").read_text()
    assert "${VAULT_CONSOLE_VAULT_API_TOKEN}" in imported

    stored = emulator.core.store.vault_credentials("default", made.id)
    assert stored[0].secrets == {"token": CONSOLE}  # the secrets were there to leak
    assert_nothing_leaks(_leaks, outputs, root, (saved, summary), github)
    assert not _leaks("\n".join(str(issue) for issue in github.issues.values()))


def test_the_sdk_debug_log_shows_no_credential_secret(tmp_path: Path, emulator: EmulatorServer) -> None:
    (tmp_path / "agentops.yaml").write_text("stack: team-a\n")
    (tmp_path / "deployments" / "vaults").mkdir(parents=True)
    (tmp_path / "deployments" / "vaults" / "tools.yaml").write_text(yaml.safe_dump(_vault()))
    env = {**os.environ, **VALUES, "ANTHROPIC_LOG": "debug", "ANTHROPIC_BASE_URL": emulator.url,
           "ANTHROPIC_API_KEY": API_KEY}
    agentops = Path(sys.executable).parent / "agentops"
    result = subprocess.run([str(agentops), "-v", "apply", str(tmp_path), "--auto-approve"], env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    with make_client(emulator.url) as sdk:
        [vault] = list(sdk.beta.vaults.list())
    assert {c.secrets.get("token") for c in emulator.core.store.vault_credentials("default", vault.id)} >= {
        VALUES["VAULT_BEARER"]}
    assert not _leaks(result.stdout + result.stderr)
