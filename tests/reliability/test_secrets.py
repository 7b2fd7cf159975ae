"""Secret hygiene: every command, with a known token and API key set, never prints or writes either."""

from __future__ import annotations

from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import Result

from agentops.adapters import identity
from agentops.emulator import EmulatorServer
from agentops.emulator.federation import TOKEN_PREFIX
from tests.fake_github import FakeGitHub, github_env
from tests.fake_oidc import REQUEST_TOKEN, federation, serve_oidc
from tests.harness import Repo, manifest
from tests.helpers import answer_json, make_client, make_deployment_body, serve
from tests.reliability.sweep import assert_nothing_leaks
from tests.stack import TOKEN  # the token the fake GitHub accepts

API_KEY = "sk-ant-hygiene-KEY-51b2e8"
SECRETS = (TOKEN, API_KEY)


class EchoHandler(BaseHTTPRequestHandler):
    """A hostile API: lists nothing, accepts references, and rejects writes echoing the whole request."""

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""

    def _send(self, status: int, body: Any) -> None:
        answer_json(self, status, body)

    def do_GET(self) -> None:
        if self.path.startswith("/v1/deployments") or self.path.split("?")[0] in (
                "/v1/agents", "/v1/environments", "/v1/vaults", "/v1/memory_stores", "/v1/skills"):
            self._send(200, {"data": [], "next_page": None})
        else:
            self._send(200, {"id": self.path.rsplit("/", 1)[-1], "archived_at": None})

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("content-length") or 0)).decode()
        echo = f"bad request {body} headers {dict(self.headers)}"
        self._send(400, {"type": "error", "error": {"type": "invalid_request_error", "message": echo}})


@pytest.fixture
def echo_url() -> Iterator[str]:
    with serve(EchoHandler) as url:
        yield url


def _with_token(name: str, variable: str = "REPO_TOKEN") -> dict[str, Any]:
    resource = {
        "type": "github_repository",
        "url": f"https://github.com/o/{name}",
        "authorization_token": f"${{{variable}}}",
    }
    return manifest(int(name.rsplit("-", 1)[-1]), revision=0) | {"name": name, "resources": [resource]}


def _leaks(text: str) -> list[str]:
    return [secret for secret in SECRETS if secret in text]


def test_no_command_prints_or_writes_a_secret(
    tmp_path: Path,
    emulator: EmulatorServer,
    echo_url: str,
    github: FakeGitHub,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    monkeypatch.chdir(root)  # `import` works on the repository it is run in
    summary = root / "step-summary.md"  # plan and apply also write here in GitHub Actions
    repo = Repo.create(
        root,
        emulator,
        ANTHROPIC_API_KEY=API_KEY,
        GITHUB_TOKEN=TOKEN,
        REPO_TOKEN=TOKEN,
        GITHUB_STEP_SUMMARY=str(summary),
        **github_env(github),
    )
    repo.write([_with_token("sec-0001"), _with_token("sec-0002"), manifest(3)])
    outputs: list[tuple[str, Result]] = []

    def run(label: str, *args: str, env: dict[str, str] | None = None) -> Result:
        result = repo.run(*args, env=env)
        outputs.append((label, result))
        return result

    saved = root / "saved-plan.json"
    run("validate", "validate", str(root))
    run("validate json", "validate", str(root), "--format", "json")
    run("plan text", "plan", str(root))
    run("plan json", "plan", str(root), "--format", "json")
    assert run("plan --out", "plan", str(root), "--out", str(saved)).exit_code == 0
    assert run("apply saved", "apply", str(saved), "--auto-approve").exit_code == 0
    # A rotated token: an update that sends the new value.
    rotated = {"REPO_TOKEN": TOKEN + "-rotated"}
    assert run("apply rotated", "apply", str(root), "--auto-approve", env=rotated).exit_code == 0
    assert run("apply", "apply", str(root), "--auto-approve").exit_code == 0
    assert run("status", "status", str(root)).exit_code == 0
    assert run("status json", "status", str(root), "--format", "json").exit_code == 0
    assert run("run", "run", "sec-0001", str(root)).exit_code == 0
    with make_client(emulator.url) as sdk:  # something to import, carrying a write-only token
        resource = {
            "type": "github_repository",
            "url": "https://github.com/o/x",
            "authorization_token": TOKEN,
        }
        sdk.beta.deployments.create(**make_deployment_body(name="console-made", resources=[resource]))
    assert run("import", "import", "console-made").exit_code == 0
    imported = (root / "deployments" / "console-made.yaml").read_text()
    assert "${REPO_TOKEN}" in imported and not _leaks(imported)
    repo.write([_with_token("sec-0001"), _with_token("sec-0002"), manifest(3, revision=4)])
    assert run("comment", "comment", str(root), "--pr", "7").exit_code == 0
    assert run("comment saved", "comment", "--plan", str(saved), "--pr", "7").exit_code == 0
    assert run("fleet", "fleet", str(root)).exit_code == 0
    assert run("fleet json", "fleet", str(root), "--format", "json").exit_code == 0
    assert run("plan health json", "plan", str(root), "--health", "--format", "json").exit_code == 0
    assert run("report", "report", str(root)).exit_code == 0
    bad_github = {"GITHUB_TOKEN": TOKEN + "-wrong"}
    assert run("comment rejected", "comment", str(root), "--pr", "7", env=bad_github).exit_code == 1

    # Errors on purpose.
    repo.write([_with_token("sec-0001"), _with_token("sec-0002"), manifest(3, revision=5)])
    assert run("stale plan", "plan", str(root), "--out", str(saved)).exit_code == 0
    repo.write([_with_token("sec-0001"), _with_token("sec-0002"), manifest(3, revision=6)])
    assert run("apply change", "apply", str(root), "--auto-approve").exit_code == 0
    stale = run("apply stale", "apply", str(saved), "--auto-approve")
    assert stale.exit_code == 1 and "stale" in stale.stderr
    repo.write([_with_token("sec-0001"), _with_token("sec-0009", "UNSET_VARIABLE")])
    assert run("missing variable", "plan", str(root)).exit_code == 1
    repo.write([_with_token("sec-0001"), manifest(3) | {"name": "untagged"}])
    (root / "deployments" / "untagged.yaml").write_text(yaml.safe_dump(manifest(4) | {"name": "untagged"}))
    with make_client(emulator.url) as sdk:
        sdk.beta.deployments.create(**make_deployment_body(name="untagged"))
    assert run("conflict", "apply", str(root), "--auto-approve").exit_code == 1
    repo.write([_with_token("sec-0001") | {"description": "changed"}])
    echo = {"ANTHROPIC_BASE_URL": echo_url}
    assert run("echoing API", "apply", str(root), "--auto-approve", env=echo).exit_code == 1
    assert (
        run("unreachable", "plan", str(root), env={"ANTHROPIC_BASE_URL": "http://127.0.0.1:9"}).exit_code == 1
    )

    echoed = next(result for label, result in outputs if label == "echoing API")
    assert "bad request" in echoed.stderr, echoed.output  # the API's message is shown, scrubbed
    assert "***" in echoed.stderr
    posted = assert_nothing_leaks(_leaks, outputs, root, (saved, summary), github)
    assert "agentops" in posted[0].lower()
    reported = [str(issue.get("body", "")) + str(issue.get("title", "")) for issue in github.issues.values()]
    assert reported and not _leaks("\n".join(reported))  # the drift/health issue


def test_keyless_runs_never_show_a_token(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The job's OIDC token, its request token and the exchanged access tokens appear nowhere: not
    with -v, not in JSON, a saved plan, the step summary, the SDK's debug log, or a refusal."""
    for name in ("ANTHROPIC_API_KEY", identity.TOKEN_FILE):
        monkeypatch.delenv(name, raising=False)
    summary = tmp_path / "step-summary.md"
    with EmulatorServer(federation=federation(token_lifetime=1)) as server, serve_oidc() as oidc:
        # A one-second access token: the SDK exchanges again and again, each exchange logged at debug.
        env = {**oidc.job_env(), "ANTHROPIC_LOG": "debug", "GITHUB_STEP_SUMMARY": str(summary)}
        repo = Repo.create(tmp_path / "repo", server, REPO_TOKEN=TOKEN, **env)
        del repo.env["ANTHROPIC_API_KEY"]
        repo.write([_with_token("sec-0001"), manifest(2)])
        saved = tmp_path / "plan.json"
        results = [
            repo.run("-v", "plan", str(repo.root), "--out", str(saved)),
            repo.run("-v", "apply", str(saved), "--auto-approve", "--format", "json"),
            repo.run("status", str(repo.root), "--format", "json"),
        ]
        assert [r.exit_code for r in results] == [0, 0, 0], [r.output for r in results]
        oidc.subject = "repo:someone/else:pull_request"
        results.append(repo.run("-v", "plan", str(repo.root)))  # the exchange refused
        results.append(repo.run("plan", str(repo.root), env={"ANTHROPIC_API_KEY": API_KEY}))  # shadowed
        assert [r.exit_code for r in results[3:]] == [1, 1]
        identity.close()
    secrets = [*oidc.issued, REQUEST_TOKEN, TOKEN_PREFIX, API_KEY, TOKEN]
    texts = [r.stdout + r.stderr for r in results] + [saved.read_text(), summary.read_text()]
    for text in texts:
        assert [s for s in secrets if s in text] == [] and "Traceback" not in text, text
