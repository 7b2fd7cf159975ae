"""Workload Identity Federation in the emulator, driven by the SDK's own exchange and client."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import anthropic
import jwt
import pytest
from anthropic.lib.credentials import IdentityTokenFile, WorkloadIdentityCredentials, WorkloadIdentityError
from cryptography.hazmat.primitives.asymmetric import rsa

from agentops.emulator import EmulatorServer
from tests.fake_oidc import AUDIENCE, ISSUER, KID, ORGANIZATION, REPO, STAGING_KEY, FakeOidc, federation
from tests.helpers import make_deployment_body


class Clock:
    """The emulator's (and the fake issuer's) time, moved by the test, never by sleeping."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def epoch(self) -> float:
        return self.now.timestamp()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def server(clock: Clock) -> Iterator[EmulatorServer]:
    with EmulatorServer(federation=federation(token_lifetime=600), clock=clock) as emulator:
        yield emulator


def _credentials(server: EmulatorServer, token: str | Path, rule: str = "fdrl_staging",
                 **extra: Any) -> WorkloadIdentityCredentials:
    provider = IdentityTokenFile(token) if isinstance(token, Path) else (lambda: token)
    credentials = WorkloadIdentityCredentials(identity_token_provider=provider, federation_rule_id=rule,
                                              organization_id=ORGANIZATION, **extra)
    credentials.bind_base_url(server.url)
    return credentials


def _client(server: EmulatorServer, credentials: WorkloadIdentityCredentials) -> anthropic.Anthropic:
    return anthropic.Anthropic(credentials=credentials, base_url=server.url, max_retries=0)


def test_an_exchanged_token_is_bound_to_the_rules_workspace(server: EmulatorServer, clock: Clock) -> None:
    oidc = FakeOidc(clock=clock.epoch)
    with _client(server, _credentials(server, oidc.token(AUDIENCE))) as client:
        created = client.beta.deployments.create(**make_deployment_body(name="keyless"))
        # The header asks for another workspace: a workspace-scoped token is not moved by it.
        listed = client.beta.deployments.with_raw_response.list(extra_headers={"anthropic-workspace-id": "wrkspc_x"})
    assert listed.headers["anthropic-workspace-id"] == "wrkspc_staging"
    assert [d.id for d in listed.parse().data] == [created.id]
    assert [d["id"] for d in server.raw_deployments("wrkspc_staging")] == [created.id]
    assert server.federation.exchanges()[0].workspace == "wrkspc_staging"


def _refusal(server: EmulatorServer, assertion: str, **extra: Any) -> WorkloadIdentityError:
    with pytest.raises(WorkloadIdentityError) as caught:
        _credentials(server, assertion, **extra)()
    return caught.value


def test_assertions_that_do_not_verify_are_refused(server: EmulatorServer, clock: Clock) -> None:
    oidc = FakeOidc(clock=clock.epoch)
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = int(clock.epoch())
    forged = jwt.encode({"iss": ISSUER, "aud": AUDIENCE, "sub": oidc.subject, "iat": now, "exp": now + 60},
                        stranger, algorithm="RS256", headers={"kid": KID})
    cases = {
        "another key": forged,
        "another audience": oidc.token("https://elsewhere.example"),
        "no subject rule": FakeOidc(subject=f"repo:{REPO}:pull_request", clock=clock.epoch).token(AUDIENCE),
        "not a JWT": "not-a-jwt",
    }
    for case, assertion in cases.items():
        refused = _refusal(server, assertion)
        assert (refused.status_code, refused.body["error"]) == (401, "invalid_grant"), case
    expired = oidc.token(AUDIENCE)
    clock.now += timedelta(seconds=oidc.lifetime)
    assert _refusal(server, expired).status_code == 401
    assert _refusal(server, oidc.token(AUDIENCE), workspace_id="wrkspc_production").status_code == 401
    assert [e.status for e in server.federation.exchanges()] == [401] * 6
    assert server.requests == []  # the token endpoint is not an API request, and nothing was written


def test_an_expired_access_token_is_a_401_the_sdk_answers_by_exchanging_again(
    server: EmulatorServer, clock: Clock, tmp_path: Path
) -> None:
    oidc = FakeOidc(clock=clock.epoch, lifetime=7200)
    token_file = tmp_path / "token"
    token_file.write_text(oidc.token(AUDIENCE))
    with _client(server, _credentials(server, token_file)) as client:
        client.beta.deployments.list()
        clock.now += timedelta(seconds=601)  # the emulator's clock: the SDK still believes its token
        with pytest.raises(anthropic.AuthenticationError) as caught:
            client.beta.deployments.list()
        assert caught.value.type == "authentication_error"
        client.beta.deployments.list()  # the refused token was dropped: a new exchange
    assert [e.status for e in server.federation.exchanges()] == [200, 200]
    assert [status for _, _, status in server.requests] == [200, 401, 200]


def test_api_keys_are_bound_to_workspaces_and_every_answer_names_it(server: EmulatorServer) -> None:
    with anthropic.Anthropic(api_key=STAGING_KEY, base_url=server.url, max_retries=0) as client:
        listed = client.beta.deployments.with_raw_response.list()
        assert listed.headers["anthropic-workspace-id"] == "wrkspc_staging"
        with pytest.raises(anthropic.NotFoundError) as missing:
            client.beta.deployments.retrieve("depl_missing")
        assert missing.value.response.headers["anthropic-workspace-id"] == "wrkspc_staging"
    stranger = anthropic.Anthropic(api_key="sk-unknown", base_url=server.url, max_retries=0)
    with stranger, pytest.raises(anthropic.AuthenticationError):
        stranger.beta.deployments.list()


def test_without_federation_the_header_picks_the_workspace_and_is_echoed(client: anthropic.Anthropic) -> None:
    assert client.beta.deployments.with_raw_response.list().headers["anthropic-workspace-id"] == "default"
    chosen = client.beta.deployments.with_raw_response.list(extra_headers={"anthropic-workspace-id": "wrkspc_b"})
    assert chosen.headers["anthropic-workspace-id"] == "wrkspc_b"


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"issuers": []}, "issuers"),
        ({"rules": [{"id": "r", "issuer": "https://nowhere", "subject_prefix": "x", "workspaces": ["w"]}]}, "rule r"),
        ({"token_lifetime": 0}, "token_lifetime"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_a_bad_federation_file_is_one_line(change: dict[str, Any], where: str) -> None:
    with pytest.raises(ValueError) as caught:
        EmulatorServer(federation={**federation(), **change})
    assert where in str(caught.value) and "\n" not in str(caught.value)
