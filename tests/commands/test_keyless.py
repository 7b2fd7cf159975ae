"""The keyless chain end to end: a fake GitHub OIDC service signs the job's token, agentops fetches it,
the SDK exchanges it at the emulator, and plan and apply run, in process and as the installed command.
A credential of another workspace, a subject no rule matches, and an API key shadowing federation
are refused with zero writes."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from agentops.adapters import identity
from agentops.emulator import EmulatorServer
from agentops.emulator.federation import TOKEN_PREFIX
from tests.fake_oidc import REPO, REQUEST_TOKEN, STAGING_KEY, FakeOidc, federation, serve_oidc
from tests.harness import AGENTOPS, Repo, no_wait
from tests.stack import manifest

WORKSPACES = {"staging": "wrkspc_staging", "production": "wrkspc_production"}


class Clock:
    """The servers' time (emulator and fake GitHub alike); `jump` moves it once `after` writes arrived."""

    def __init__(self) -> None:
        self.server: EmulatorServer | None = None
        self.after: int | None = None

    def __call__(self) -> datetime:
        now = datetime.now(UTC)
        if self.after is not None and self.server is not None and self.server.write_count() >= self.after:
            return now + timedelta(hours=1)
        return now

    def epoch(self) -> float:
        return self().timestamp()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def server(clock: Clock) -> Iterator[EmulatorServer]:
    with EmulatorServer(federation=federation(), clock=clock) as emulator:
        clock.server = emulator
        yield emulator


@pytest.fixture
def oidc(clock: Clock) -> Iterator[FakeOidc]:
    with serve_oidc(FakeOidc(clock=clock.epoch)) as fake:
        yield fake


@pytest.fixture(autouse=True)
def no_credentials(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Only what each test gives the job; the kept token file goes with the test."""
    for name in ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", identity.TOKEN_FILE, identity.TOKEN,
                 *identity.FEDERATION, identity.REQUEST_URL, identity.REQUEST_TOKEN):
        monkeypatch.delenv(name, raising=False)
    yield
    identity.close()


def _repo(root: Path, server: EmulatorServer, env: dict[str, str], workspaces: bool = False) -> Repo:
    (root / "deployments").mkdir(parents=True)
    config: dict[str, object] = {"stack": "keyless", "api": {"writes_per_minute": 0, "reads_per_minute": 0}}
    if workspaces:
        config["environments"] = {name: {"workspace_id": ws} for name, ws in WORKSPACES.items()}
    (root / "agentops.yaml").write_text(yaml.safe_dump(config))
    for index in range(4):
        name = f"job-{index}"
        (root / "deployments" / f"{name}.yaml").write_text(yaml.safe_dump(manifest(name)))
    return Repo(root, server, {"ANTHROPIC_BASE_URL": server.url, **env}, no_wait)


def _secrets(oidc: FakeOidc) -> list[str]:
    return [*oidc.issued, REQUEST_TOKEN, STAGING_KEY, TOKEN_PREFIX]


def _clean(text: str, oidc: FakeOidc) -> None:
    assert [s for s in _secrets(oidc) if s in text] == []


def test_plan_and_apply_keyless_in_process(tmp_path: Path, server: EmulatorServer, oidc: FakeOidc) -> None:
    repo = _repo(tmp_path, server, oidc.job_env(RUNNER_TEMP=str(tmp_path)))
    planned = repo.run("-v", "plan", str(repo.root), "--out", str(tmp_path / "plan.json"))
    assert planned.exit_code == 0, planned.output
    assert "in workspace wrkspc_staging" in planned.output
    assert json.loads((tmp_path / "plan.json").read_text())["workspace_id"] == "wrkspc_staging"
    applied = repo.run("apply", str(tmp_path / "plan.json"), "--auto-approve")
    assert applied.exit_code == 0, applied.output
    assert sorted(d["name"] for d in server.raw_deployments("wrkspc_staging")) == [f"job-{i}" for i in range(4)]
    assert {e.status for e in server.federation.exchanges()} == {200}
    for text in (planned.output, applied.output, (tmp_path / "plan.json").read_text()):
        _clean(text, oidc)
    # Each command fetched the job's token into a private directory under RUNNER_TEMP and removed it.
    assert len(oidc.issued) == 2 and [p for p in tmp_path.iterdir() if p.name.startswith("agentops-oidc-")] == []


def test_tokens_that_expire_mid_apply_are_renewed(
    tmp_path: Path, server: EmulatorServer, oidc: FakeOidc, clock: Clock
) -> None:
    repo = _repo(tmp_path, server, oidc.job_env())
    clock.after = 2  # after two creates, an hour passes for the API and GitHub: both tokens are stale
    applied = repo.run("apply", str(repo.root), "--auto-approve", "--parallelism", "1")
    assert applied.exit_code == 0, applied.output
    assert len(server.raw_deployments("wrkspc_staging")) == 4
    # The SDK's access token was refused (401) and exchanged again; the stale OIDC token was refused
    # at the exchange (how often the SDK asks is its own affair), and agentops fetched one new token.
    assert [status for _, _, status in server.requests].count(401) == 1
    exchanges = [(e.status, e.error) for e in server.federation.exchanges()]
    assert (401, "invalid_grant") in exchanges and exchanges[-1] == (200, None)
    assert len(oidc.issued) == 2
    _clean(applied.output, oidc)


def test_a_subject_no_rule_matches_is_refused_with_zero_writes(
    tmp_path: Path, server: EmulatorServer, oidc: FakeOidc
) -> None:
    oidc.subject = f"repo:{REPO}:pull_request"
    repo = _repo(tmp_path, server, oidc.job_env())
    result = repo.run("apply", str(repo.root), "--auto-approve")
    assert result.exit_code == 1
    assert "invalid_grant" in result.output and "subject prefix" in result.output
    assert server.write_count() == 0 and server.requests == []
    _clean(result.output, oidc)


@pytest.mark.parametrize("key", ["", "sk-ant-shadow-SECRET"])
def test_an_api_key_beside_federation_is_refused_before_any_request(
    tmp_path: Path, server: EmulatorServer, oidc: FakeOidc, key: str
) -> None:
    repo = _repo(tmp_path, server, oidc.job_env(ANTHROPIC_API_KEY=key))
    result = repo.run("plan", str(repo.root))
    assert result.exit_code == 1
    assert "ANTHROPIC_API_KEY" in result.output and "ANTHROPIC_FEDERATION_RULE_ID" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert server.requests == [] and server.federation.exchanges() == [] and oidc.issued == []
    assert "sk-ant-shadow-SECRET" not in result.output


def test_a_job_without_id_token_write_is_told_so(tmp_path: Path, server: EmulatorServer, oidc: FakeOidc) -> None:
    env = {k: v for k, v in oidc.job_env().items() if not k.startswith("ACTIONS_ID_TOKEN")}
    result = _repo(tmp_path, server, env).run("plan", str(tmp_path))
    assert result.exit_code == 1 and "id-token: write" in result.output
    oidc.refuse = 403
    refused = _repo(tmp_path / "again", server, oidc.job_env()).run("plan", str(tmp_path / "again"))
    assert refused.exit_code == 1 and "HTTP 403" in refused.output and "id-token: write" in refused.output
    assert server.requests == []


@pytest.mark.parametrize("credential", ["keyless", "api key"])
def test_a_credential_of_another_workspace_writes_nothing(
    tmp_path: Path, server: EmulatorServer, oidc: FakeOidc, credential: str
) -> None:
    # The production job runs with staging's credential: its federation rule, or its key.
    env = oidc.job_env("staging") if credential == "keyless" else {"ANTHROPIC_API_KEY": STAGING_KEY}
    repo = _repo(tmp_path, server, env, workspaces=True)
    for command in (("plan", str(repo.root)), ("apply", str(repo.root), "--auto-approve")):
        result = repo.run("--env", "production", *command)
        assert result.exit_code == 1, result.output
        assert "wrkspc_staging" in result.output and "wrkspc_production" in result.output
        _clean(result.output, oidc)
    assert server.write_count() == 0 and all(method == "GET" for method, _, _ in server.requests)


def test_a_saved_plan_of_another_workspace_is_refused(tmp_path: Path, server: EmulatorServer, oidc: FakeOidc) -> None:
    repo = _repo(tmp_path, server, oidc.job_env("staging"))
    assert repo.run("plan", str(repo.root), "--out", str(tmp_path / "plan.json")).exit_code == 0
    oidc.subject = f"repo:{REPO}:environment:production"
    production = Repo(repo.root, server, {**repo.env, **oidc.job_env("production")}, no_wait)
    result = production.run("apply", str(tmp_path / "plan.json"), "--auto-approve")
    assert result.exit_code == 1
    assert "wrkspc_staging" in result.output and "wrkspc_production" in result.output
    assert server.write_count() == 0


def test_the_installed_command_runs_keyless_and_leaves_no_token_behind(
    tmp_path: Path, server: EmulatorServer, oidc: FakeOidc
) -> None:
    runner_temp = tmp_path / "runner-temp"
    runner_temp.mkdir()
    repo = _repo(tmp_path / "repo", server, oidc.job_env(RUNNER_TEMP=str(runner_temp)))
    outputs = []
    for command in (("plan", "--format", "json"), ("-v", "apply", "--auto-approve")):
        done = subprocess.run([AGENTOPS, *command, str(repo.root)], env=repo.subprocess_env(),
                              capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, done.stderr
        outputs.append(done.stdout + done.stderr)
    assert len(server.raw_deployments("wrkspc_staging")) == 4
    # The private token directory went with each command's process.
    assert list(runner_temp.iterdir()) == []
    assert oidc.issued and all(e.status == 200 for e in server.federation.exchanges())
    for text in outputs:
        _clean(text, oidc)
    wrong = _repo(tmp_path / "wrong", server, oidc.job_env(), workspaces=True)
    server.reset_counts()
    done = subprocess.run([AGENTOPS, "--env", "production", "apply", "--auto-approve", str(wrong.root)],
                          env=wrong.subprocess_env(), capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 1 and "wrkspc_production" in done.stderr and "Traceback" not in done.stderr
    assert server.write_count() == 0
