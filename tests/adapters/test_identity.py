"""Which credential a run uses, and the GitHub OIDC token kept fresh in a private file."""

from __future__ import annotations

import base64
import json
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from agentops.adapters import identity
from agentops.adapters.identity import Auth, IdentityError, Keeper, Source, choose
from tests.fake_oidc import AUDIENCE, REQUEST_TOKEN, FakeOidc, serve_oidc

FEDERATED = {"ANTHROPIC_FEDERATION_RULE_ID": "fdrl_x", "ANTHROPIC_ORGANIZATION_ID": "org"}


@pytest.fixture
def oidc() -> Iterator[FakeOidc]:
    with serve_oidc() as fake:
        yield fake


def _refusal(environ: dict[str, str]) -> str:
    with pytest.raises(IdentityError) as caught:
        choose(environ)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_the_credential_is_chosen_or_the_choice_refused() -> None:
    assert choose({"ANTHROPIC_API_KEY": "sk-x"}) is Auth.API_KEY
    assert choose(FEDERATED) is Auth.FEDERATION
    for key in ("", "sk-x"):  # even an empty key would win in the SDK: refused, both named
        message = _refusal({**FEDERATED, "ANTHROPIC_API_KEY": key})
        assert "ANTHROPIC_API_KEY" in message and "ANTHROPIC_FEDERATION_RULE_ID" in message
        assert "sk-x" not in message
    assert "ANTHROPIC_AUTH_TOKEN" in _refusal({**FEDERATED, "ANTHROPIC_AUTH_TOKEN": "t"})
    assert "ANTHROPIC_ORGANIZATION_ID" in _refusal({"ANTHROPIC_FEDERATION_RULE_ID": "fdrl_x"})
    neither = _refusal({})
    assert "ANTHROPIC_API_KEY" in neither and "ANTHROPIC_FEDERATION_RULE_ID" in neither and "id-token: write" in neither


def test_a_job_without_the_permission_is_told_which_one() -> None:
    with pytest.raises(IdentityError, match="id-token: write"):
        Source.of({"GITHUB_ACTIONS": "true", **FEDERATED})
    with pytest.raises(IdentityError, match="ANTHROPIC_IDENTITY_TOKEN_FILE"):
        Source.of(FEDERATED)  # outside GitHub Actions: the SDK's own file variable


def test_the_token_is_fetched_for_the_audience(oidc: FakeOidc) -> None:
    source = Source.of(oidc.job_env())
    assert identity.fetch(source) == oidc.issued[-1]
    identity.fetch(Source.of(oidc.job_env(AGENTOPS_OIDC_AUDIENCE="https://other.example")))
    assert oidc.audiences == [AUDIENCE, "https://other.example"]


def test_a_refused_token_request_names_the_permission_and_no_secret(oidc: FakeOidc) -> None:
    oidc.refuse = 403
    with pytest.raises(IdentityError) as caught:
        identity.fetch(Source.of(oidc.job_env()))
    assert "HTTP 403" in str(caught.value) and "id-token: write" in str(caught.value)
    assert REQUEST_TOKEN not in str(caught.value) and REQUEST_TOKEN not in repr(Source.of(oidc.job_env()))


def test_the_file_is_private_refreshed_at_half_life_and_removed(oidc: FakeOidc, tmp_path: Path) -> None:
    now = [0.0]
    keeper = Keeper(Source.of(oidc.job_env()), str(tmp_path), clock=lambda: now[0])
    keeper.fresh()
    assert stat.S_IMODE(keeper.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(keeper.path.parent.stat().st_mode) == 0o700
    assert keeper.path.read_text() == oidc.issued[0]
    now[0] = oidc.lifetime / 2 - 1
    keeper.fresh()
    assert len(oidc.issued) == 1  # still fresh: no request
    now[0] = oidc.lifetime / 2
    keeper.fresh()
    assert keeper.path.read_text() == oidc.issued[1]
    keeper.fresh(force=True)  # the API refused it: at once
    assert keeper.path.read_text() == oidc.issued[2]
    keeper.close()
    assert list(tmp_path.iterdir()) == []


def test_a_token_without_times_lives_the_default() -> None:
    assert identity.lifetime("a.b.c") == identity.DEFAULT_LIFETIME
    claims = json.dumps({"iat": 100, "exp": 700}).encode()
    payload = base64.urlsafe_b64encode(claims).decode().rstrip("=")
    assert identity.lifetime(f"h.{payload}.s") == 600


def test_provide_names_the_file_to_the_sdk_and_respects_the_users_own(oidc: FakeOidc, tmp_path: Path) -> None:
    environ = {**oidc.job_env(), "RUNNER_TEMP": str(tmp_path)}
    try:
        identity.provide(environ)
        path = Path(environ[identity.TOKEN_FILE])
        assert path.read_text() == oidc.issued[0] and path.is_relative_to(tmp_path)
        identity.provide(environ)
        assert len(oidc.issued) == 1  # the same job: the same file
    finally:
        identity.close(environ)
    assert identity.TOKEN_FILE not in environ and not path.exists()
    own = {**oidc.job_env(), identity.TOKEN_FILE: "/somewhere/token"}
    identity.provide(own)
    assert own[identity.TOKEN_FILE] == "/somewhere/token" and len(oidc.issued) == 1


def test_an_undefined_github_variable_reaches_the_sdk_as_no_variable(oidc: FakeOidc, tmp_path: Path) -> None:
    """`${{ vars.ANTHROPIC_SERVICE_ACCOUNT_ID }}` of an undefined variable is empty: never sent as ""."""
    environ = {**oidc.job_env(), "RUNNER_TEMP": str(tmp_path), **FEDERATED,
               "ANTHROPIC_SERVICE_ACCOUNT_ID": "", "ANTHROPIC_WORKSPACE_ID": ""}
    try:
        identity.provide(environ)
        assert "ANTHROPIC_SERVICE_ACCOUNT_ID" not in environ and "ANTHROPIC_WORKSPACE_ID" not in environ
        assert environ["ANTHROPIC_FEDERATION_RULE_ID"] == "fdrl_x"
    finally:
        identity.close(environ)
