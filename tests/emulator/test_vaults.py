"""Vaults and their credentials through the SDK: update rules, delete, write-only secrets, immutable
fields, mcp_oauth_validate with a controllable verdict."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import anthropic
import pytest

from agentops.emulator import EmulatorServer, Faults
from tests.emulator.support import ManualClock
from tests.helpers import get_json, make_client, make_deployment_body, post_json, raises_api_error

SECRETS = {
    "access_token": "sk-access-7Hq2vN9xLp",
    "refresh_token": "sk-refresh-Qm4Rt8Wy1z",
    "client_secret": "sk-client-Bv6Nc3Kd0j",
    "token": "sk-bearer-Zx5Lp2Mq7r",
    "secret_value": "sk-envvar-Hj8Gf4Ds1a",
}
MCP_URL = "https://mcp.example.com/sse"


def oauth(**overrides: Any) -> dict[str, Any]:
    return {"type": "mcp_oauth", "mcp_server_url": MCP_URL, "access_token": SECRETS["access_token"],
            "expires_at": "2099-03-06T12:00:00Z",
            "refresh": {"client_id": "client-1", "refresh_token": SECRETS["refresh_token"],
                        "token_endpoint": "https://auth.example.com/token", "scope": "read",
                        "token_endpoint_auth": {"type": "client_secret_basic",
                                                "client_secret": SECRETS["client_secret"]}},
            **overrides}


BEARER = {"type": "static_bearer", "mcp_server_url": "https://tools.example.com/mcp", "token": SECRETS["token"]}
ENV_VAR = {"type": "environment_variable", "secret_name": "GITHUB_TOKEN", "secret_value": SECRETS["secret_value"],
           "networking": {"type": "limited", "allowed_hosts": ["api.github.com", "*.githubusercontent.com"]}}


@pytest.fixture
def served(clock: ManualClock) -> Iterator[tuple[EmulatorServer, anthropic.Anthropic]]:
    with EmulatorServer(clock=clock) as server, make_client(server.url) as sdk:
        yield server, sdk


def no_secret_in(*texts: str) -> None:
    for text in texts:
        for value in SECRETS.values():
            assert value not in text


def test_vault_update_patches_metadata_and_keeps_what_is_omitted(
    served: tuple[EmulatorServer, anthropic.Anthropic], clock: ManualClock
) -> None:
    _, sdk = served
    vault = sdk.beta.vaults.create(display_name="gh-creds", metadata={"team": "infra", "tier": "1"})
    clock.advance(5)
    updated = sdk.beta.vaults.update(vault.id, metadata={"tier": None, "owner": "ops"})
    assert updated.display_name == "gh-creds" and updated.metadata == {"team": "infra", "owner": "ops"}
    assert updated.updated_at > vault.updated_at and updated.created_at == vault.created_at
    clock.advance(5)
    same = sdk.beta.vaults.update(vault.id, display_name="gh-creds")
    assert same.updated_at == updated.updated_at  # nothing changed: no new updated_at
    renamed = sdk.beta.vaults.update(vault.id, display_name="github", metadata=None)
    assert (renamed.display_name, renamed.metadata) == ("github", updated.metadata)
    assert sdk.beta.vaults.retrieve(vault.id) == renamed


@pytest.mark.parametrize(("body", "message"), [
    ({"display_name": ""}, "display_name: "),
    ({"display_name": "x" * 256}, "display_name: "),
    ({"metadata": {"k": 1}}, "metadata.k: "),
    ({"colour": "red"}, "colour: "),
])
def test_vault_update_refuses_bad_fields(client: anthropic.Anthropic, body: dict[str, Any], message: str) -> None:
    vault = client.beta.vaults.create(display_name="v")
    with raises_api_error(400, message):
        post_json(client, f"/v1/vaults/{vault.id}", body)


def test_archived_vault_refuses_updates_and_new_credentials(client: anthropic.Anthropic) -> None:
    vault = client.beta.vaults.create(display_name="v")
    client.beta.vaults.archive(vault.id)
    with raises_api_error(400, "archived"):
        client.beta.vaults.update(vault.id, display_name="w")
    with raises_api_error(400, "archived"):
        client.beta.vaults.credentials.create(vault.id, auth=BEARER)  # type: ignore[arg-type]


def test_vault_delete_removes_it_and_its_credentials(client: anthropic.Anthropic) -> None:
    vault = client.beta.vaults.create(display_name="v")
    credential = client.beta.vaults.credentials.create(vault.id, auth=BEARER)  # type: ignore[arg-type]
    deleted = client.beta.vaults.delete(vault.id)
    assert (deleted.id, deleted.type) == (vault.id, "vault_deleted")
    with raises_api_error(404, "not found"):
        client.beta.vaults.retrieve(vault.id)
    with raises_api_error(404, "not found"):
        client.beta.vaults.credentials.retrieve(credential.id, vault_id=vault.id)
    assert vault.id not in {v.id for v in client.beta.vaults.list(include_archived=True)}
    with raises_api_error(400, r"vault_ids\[0\]: vault .* not found"):
        client.beta.deployments.create(**make_deployment_body(vault_ids=[vault.id]))


def test_seeded_vault_is_the_same_object_as_a_created_one(tmp_path: Path) -> None:
    seed = tmp_path / "seed.yaml"
    seed.write_text("vaults:\n  - {id: vlt_seeded, display_name: github-credentials, metadata: {team: a}}\n")
    with EmulatorServer(seed=seed) as server, make_client(server.url) as sdk:
        updated = sdk.beta.vaults.update("vlt_seeded", metadata={"owner": "ops"})
        assert (updated.display_name, updated.metadata) == ("github-credentials", {"team": "a", "owner": "ops"})
        credential = sdk.beta.vaults.credentials.create("vlt_seeded", auth=BEARER)  # type: ignore[arg-type]
        assert [c.id for c in sdk.beta.vaults.credentials.list("vlt_seeded")] == [credential.id]
        assert sdk.beta.vaults.delete("vlt_seeded").type == "vault_deleted"


def test_credentials_of_each_type_show_no_secret(served: tuple[EmulatorServer, anthropic.Anthropic]) -> None:
    server, sdk = served
    vault = sdk.beta.vaults.create(display_name="v")
    auths: list[Any] = [oauth(), BEARER, ENV_VAR]
    made = [sdk.beta.vaults.credentials.create(vault.id, auth=auth, display_name=name, metadata={"k": name})
            for auth, name in zip(auths, ("oauth", "bearer", "env"), strict=True)]
    first, bearer, env = made
    assert first.id.startswith("vcrd_") and first.type == "vault_credential" and first.vault_id == vault.id
    assert first.auth.model_dump(exclude_none=True) == {
        "type": "mcp_oauth", "mcp_server_url": MCP_URL, "expires_at": first.auth.expires_at,  # type: ignore[union-attr]
        "refresh": {"client_id": "client-1", "token_endpoint": "https://auth.example.com/token", "scope": "read",
                    "token_endpoint_auth": {"type": "client_secret_basic"}}}
    assert bearer.auth.model_dump() == {"type": "static_bearer", "mcp_server_url": BEARER["mcp_server_url"]}
    assert env.auth.model_dump() == {"type": "environment_variable", "secret_name": "GITHUB_TOKEN",
                                     "networking": ENV_VAR["networking"],
                                     "injection_location": {"header": True, "body": False}}
    assert {c.id for c in sdk.beta.vaults.credentials.list(vault.id)} == {c.id for c in made}
    for credential in made:
        assert sdk.beta.vaults.credentials.retrieve(credential.id, vault_id=vault.id) == credential
    bodies = [json.dumps(get_json(sdk, f"/v1/vaults/{vault.id}/credentials")),
              *(json.dumps(get_json(sdk, f"/v1/vaults/{vault.id}/credentials/{c.id}")) for c in made),
              json.dumps(server.writes()), json.dumps(get_json(sdk, "/_emulator/writes"))]
    no_secret_in(*bodies, *(c.model_dump_json() for c in made))
    assert all(record["status"] == 200 for record in server.writes())
    assert server.writes()[1]["body"]["auth"]["access_token"] == "***"  # the record shows that it was sent


def test_secrets_appear_in_no_answer_record_or_error(served: tuple[EmulatorServer, anthropic.Anthropic],
                                                      capfd: pytest.CaptureFixture[str]) -> None:
    """Every response body, the emulator's records (writes, stats) and its stderr, including refusals
    that carry a secret in the refused body."""
    server, sdk = served
    vault = sdk.beta.vaults.create(display_name="v")
    credential = sdk.beta.vaults.credentials.create(vault.id, auth=oauth())  # type: ignore[arg-type]
    raw = sdk.with_raw_response
    texts = [raw.beta.vaults.credentials.update(credential.id, vault_id=vault.id, auth={
        "type": "mcp_oauth", "access_token": SECRETS["access_token"] + "2",
        "refresh": {"refresh_token": SECRETS["refresh_token"] + "2",
                    "token_endpoint_auth": {"type": "client_secret_post",
                                            "client_secret": SECRETS["client_secret"] + "2"}}}).text()]
    refused = [
        {"auth": {"type": "mcp_oauth", "access_token": SECRETS["access_token"], "mcp_server_url": "https://x.example"}},
        {"auth": {"type": "static_bearer", "token": SECRETS["token"]}},
        {"auth": {"type": "mcp_oauth", "access_token": SECRETS["access_token"], "unknown": "x"}},
        {"auth": {"type": "mcp_oauth", "access_token": [SECRETS["access_token"]]}},
    ]
    for body in refused:
        with raises_api_error(400) as info:
            post_json(sdk, f"/v1/vaults/{vault.id}/credentials/{credential.id}", body)
        texts.append(info.value.response.text)
    with raises_api_error(400) as info:
        post_json(sdk, f"/v1/vaults/{vault.id}/credentials", {"auth": {**BEARER, "mcp_server_url": "not a url"}})
    texts.append(info.value.response.text)
    texts.append(raw.beta.vaults.credentials.archive(credential.id, vault_id=vault.id).text())
    texts += [json.dumps(server.writes()), json.dumps(get_json(sdk, "/_emulator/writes")),
              json.dumps(get_json(sdk, "/_emulator/stats"))]
    out, err = capfd.readouterr()
    no_secret_in(*texts, out, err)
    assert "auth.mcp_server_url" in texts[1]


def test_secrets_are_stored_and_archive_drops_them(served: tuple[EmulatorServer, anthropic.Anthropic]) -> None:
    server, sdk = served
    vault = sdk.beta.vaults.create(display_name="v")
    credential = sdk.beta.vaults.credentials.create(vault.id, auth=BEARER)  # type: ignore[arg-type]
    stored = server.core.store.get_credential("default", vault.id, credential.id)
    assert stored is not None and stored.secrets == {"token": SECRETS["token"]}
    rotated = sdk.beta.vaults.credentials.update(credential.id, vault_id=vault.id,
                                                 auth={"type": "static_bearer", "token": "new-token"})
    assert rotated.updated_at > credential.updated_at  # a rotation is a change, though nothing shown differs
    stored = server.core.store.get_credential("default", vault.id, credential.id)
    assert stored is not None and stored.secrets == {"token": "new-token"}
    kept = sdk.beta.vaults.credentials.update(credential.id, vault_id=vault.id,
                                              auth={"type": "static_bearer", "token": None})
    assert kept.updated_at == rotated.updated_at
    archived = sdk.beta.vaults.credentials.archive(credential.id, vault_id=vault.id)
    assert archived.archived_at is not None
    assert sdk.beta.vaults.credentials.archive(credential.id, vault_id=vault.id) == archived  # idempotent
    stored = server.core.store.get_credential("default", vault.id, credential.id)
    assert stored is not None and stored.secrets == {}
    assert sdk.beta.vaults.credentials.list(vault.id).data == []
    assert [c.id for c in sdk.beta.vaults.credentials.list(vault.id, include_archived=True)] == [credential.id]
    with raises_api_error(400, "archived"):
        sdk.beta.vaults.credentials.update(credential.id, vault_id=vault.id, display_name="x")
    deleted = sdk.beta.vaults.credentials.delete(credential.id, vault_id=vault.id)
    assert (deleted.id, deleted.type) == (credential.id, "vault_credential_deleted")
    assert server.core.store.get_credential("default", vault.id, credential.id) is None


@pytest.mark.parametrize(("auth", "change", "field"), [
    (BEARER, {"type": "static_bearer", "mcp_server_url": "https://other.example.com"}, "auth.mcp_server_url"),
    (oauth(), {"type": "mcp_oauth", "mcp_server_url": MCP_URL}, "auth.mcp_server_url"),
    (oauth(), {"type": "mcp_oauth", "refresh": {"client_id": "client-2"}}, "auth.refresh.client_id"),
    (oauth(), {"type": "mcp_oauth", "refresh": {"token_endpoint": "https://a.example"}}, "auth.refresh.token_endpoint"),
    (ENV_VAR, {"type": "environment_variable", "secret_name": "OTHER"}, "auth.secret_name"),
    (BEARER, {"type": "mcp_oauth", "access_token": "t"}, "auth.type"),
    (ENV_VAR, {"type": "static_bearer", "token": "t"}, "auth.type"),
])
def test_immutable_fields_are_refused_on_update(
    client: anthropic.Anthropic, auth: dict[str, Any], change: dict[str, Any], field: str
) -> None:
    vault = client.beta.vaults.create(display_name="v")
    credential = client.beta.vaults.credentials.create(vault.id, auth=auth)  # type: ignore[arg-type]
    with raises_api_error(400, f"^{field}: "):
        client.beta.vaults.credentials.update(credential.id, vault_id=vault.id, auth=change)  # type: ignore[arg-type]
    assert client.beta.vaults.credentials.retrieve(credential.id, vault_id=vault.id) == credential


def test_oauth_update_rules(served: tuple[EmulatorServer, anthropic.Anthropic]) -> None:
    server, sdk = served
    vault = sdk.beta.vaults.create(display_name="v")
    credential = sdk.beta.vaults.credentials.create(vault.id, auth=oauth())  # type: ignore[arg-type]
    updated = sdk.beta.vaults.credentials.update(credential.id, vault_id=vault.id, auth={
        "type": "mcp_oauth", "refresh": {"scope": "", "token_endpoint_auth": {"type": "client_secret_post",
                                                                             "client_secret": "s2"}}})
    refresh = updated.auth.refresh  # type: ignore[union-attr]
    assert refresh is not None and refresh.scope is None and refresh.client_id == "client-1"
    assert refresh.token_endpoint_auth.type == "client_secret_basic"  # "keeps its current type"
    assert updated.auth.expires_at == credential.auth.expires_at  # type: ignore[union-attr]
    stored = server.core.store.get_credential("default", vault.id, credential.id)
    assert stored is not None and stored.secrets["client_secret"] == "s2"
    assert stored.secrets["refresh_token"] == SECRETS["refresh_token"]
    with raises_api_error(400, "auth.expires_at: must be in the future"):
        sdk.beta.vaults.credentials.update(credential.id, vault_id=vault.id,
                                           auth={"type": "mcp_oauth", "expires_at": "2026-03-01T00:00:00Z"})
    cleared = sdk.beta.vaults.credentials.update(credential.id, vault_id=vault.id,
                                                 auth={"type": "mcp_oauth", "refresh": None, "expires_at": None})
    assert cleared.auth.refresh is None and cleared.auth.expires_at is None  # type: ignore[union-attr]
    stored = server.core.store.get_credential("default", vault.id, credential.id)
    assert stored is not None and set(stored.secrets) == {"access_token"}
    with raises_api_error(400, "no refresh configuration"):
        sdk.beta.vaults.credentials.update(credential.id, vault_id=vault.id,
                                           auth={"type": "mcp_oauth", "refresh": {"refresh_token": "r"}})


def test_environment_variable_update_rules(client: anthropic.Anthropic) -> None:
    vault = client.beta.vaults.create(display_name="v")
    credential = client.beta.vaults.credentials.create(vault.id, auth=ENV_VAR)  # type: ignore[arg-type]
    moved = client.beta.vaults.credentials.update(credential.id, vault_id=vault.id, auth={
        "type": "environment_variable", "injection_location": {"body": True},
        "networking": {"type": "unrestricted"}})
    assert moved.auth.model_dump() == {  # a location left out keeps its setting; networking is replaced
        "type": "environment_variable", "secret_name": "GITHUB_TOKEN", "networking": {"type": "unrestricted"},
        "injection_location": {"header": True, "body": True}}
    with raises_api_error(400, "at least one"):
        client.beta.vaults.credentials.update(credential.id, vault_id=vault.id, auth={
            "type": "environment_variable", "injection_location": {"body": False, "header": False}})


@pytest.mark.parametrize(("auth", "message"), [
    ({**BEARER, "mcp_server_url": "ftp://x"}, "auth.mcp_server_url: "),
    ({**ENV_VAR, "networking": {"type": "limited", "allowed_hosts": ["https://api.github.com/"]}},
     r"auth.networking.allowed_hosts\[0\]: "),
    ({**ENV_VAR, "networking": {"type": "limited", "allowed_hosts": [f"h{i}.example" for i in range(17)]}},
     "allowed_hosts: "),
    ({**ENV_VAR, "secret_name": "not a name"}, "secret_name: "),
    (oauth(expires_at="2026-03-05T11:00:00Z"), "auth.expires_at: must be in the future"),
    ({"type": "basic", "token": "t"}, "auth: "),
])
def test_credential_create_refuses_bad_auth(client: anthropic.Anthropic, auth: dict[str, Any], message: str) -> None:
    vault = client.beta.vaults.create(display_name="v")
    with raises_api_error(400, message):
        post_json(client, f"/v1/vaults/{vault.id}/credentials", {"auth": auth})


def test_one_active_credential_per_mcp_server_and_at_most_twenty(client: anthropic.Anthropic) -> None:
    vault = client.beta.vaults.create(display_name="v")
    first = client.beta.vaults.credentials.create(vault.id, auth=BEARER)  # type: ignore[arg-type]
    with raises_api_error(400, "already has an active credential"):
        client.beta.vaults.credentials.create(vault.id, auth=oauth(mcp_server_url=BEARER["mcp_server_url"]))  # type: ignore[arg-type]
    client.beta.vaults.credentials.archive(first.id, vault_id=vault.id)
    client.beta.vaults.credentials.create(vault.id, auth=BEARER)  # type: ignore[arg-type]
    for index in range(19):
        client.beta.vaults.credentials.create(vault.id, auth={**ENV_VAR, "secret_name": f"V{index}"})  # type: ignore[arg-type]
    with raises_api_error(400, "20 credentials"):
        client.beta.vaults.credentials.create(vault.id, auth=ENV_VAR)  # type: ignore[arg-type]
    page = client.beta.vaults.credentials.list(vault.id, limit=7)
    assert len(page.data) == 7 and page.next_page is not None
    assert len(list(client.beta.vaults.credentials.list(vault.id, limit=7))) == 20
    with raises_api_error(400, "limit: "):
        client.beta.vaults.credentials.list(vault.id, limit=101)


def test_mcp_oauth_validate_gives_the_verdict_the_fault_sets(
    served: tuple[EmulatorServer, anthropic.Anthropic], clock: ManualClock
) -> None:
    server, sdk = served
    vault = sdk.beta.vaults.create(display_name="v")
    good = sdk.beta.vaults.credentials.create(vault.id, auth=oauth())  # type: ignore[arg-type]
    bare = sdk.beta.vaults.credentials.create(vault.id, auth={
        "type": "mcp_oauth", "mcp_server_url": "https://other.example.com/mcp", "access_token": "a"})
    result = sdk.beta.vaults.credentials.mcp_oauth_validate(good.id, vault_id=vault.id)
    assert (result.status, result.has_refresh_token, result.mcp_probe, result.refresh) == ("valid", True, None, None)
    assert (result.credential_id, result.vault_id, result.type) == (good.id, vault.id, "vault_credential_validation")
    assert result.validated_at == clock.now
    server.faults = Faults(credential_validation={good.id: "invalid", "*": "unknown"})
    failed = sdk.beta.vaults.credentials.mcp_oauth_validate(good.id, vault_id=vault.id)
    assert failed.status == "invalid" and failed.mcp_probe is not None and failed.mcp_probe.method == "initialize"
    assert failed.mcp_probe.http_response is not None and failed.mcp_probe.http_response.status_code == 401
    assert failed.refresh is not None and failed.refresh.status == "failed"
    unknown = sdk.beta.vaults.credentials.mcp_oauth_validate(bare.id, vault_id=vault.id)
    assert (unknown.status, unknown.has_refresh_token) == ("unknown", False)
    assert unknown.mcp_probe is not None and unknown.mcp_probe.http_response is None
    server.faults = Faults(credential_validation={"*": "invalid"})
    no_refresh = sdk.beta.vaults.credentials.mcp_oauth_validate(bare.id, vault_id=vault.id)
    assert no_refresh.refresh is not None and no_refresh.refresh.status == "no_refresh_token"
    bearer = sdk.beta.vaults.credentials.create(vault.id, auth=BEARER)  # type: ignore[arg-type]
    with raises_api_error(400, "only mcp_oauth"):
        sdk.beta.vaults.credentials.mcp_oauth_validate(bearer.id, vault_id=vault.id)
    with raises_api_error(404, "not found"):
        sdk.beta.vaults.credentials.mcp_oauth_validate("vcrd_missing", vault_id=vault.id)


def test_validation_verdict_is_a_control_setting(client: anthropic.Anthropic) -> None:
    assert post_json(client, "/_emulator/faults", {"credential_validation": {"*": "invalid"}})[
        "credential_validation"] == {"*": "invalid"}
    with raises_api_error(400, "credential_validation"):
        post_json(client, "/_emulator/faults", {"credential_validation": {"*": "broken"}})


def test_credential_expiry_is_checked_against_the_emulator_clock(
    served: tuple[EmulatorServer, anthropic.Anthropic], clock: ManualClock
) -> None:
    _, sdk = served
    vault = sdk.beta.vaults.create(display_name="v")
    soon = (clock.now + timedelta(minutes=1)).isoformat()
    credential = sdk.beta.vaults.credentials.create(vault.id, auth=oauth(expires_at=soon))  # type: ignore[arg-type]
    assert credential.auth.expires_at == clock.now + timedelta(minutes=1)  # type: ignore[union-attr]
