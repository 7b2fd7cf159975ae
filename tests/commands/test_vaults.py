"""Vaults and their credentials as part of a stack, end to end through the SDK against the emulator:
plan, apply (the vault before its credentials and the deployments that use it), converge, rotation
through the fingerprint, replacement of an immutable field, prune, and other stacks left alone."""

from __future__ import annotations

import json
from typing import Any

import anthropic
import yaml

from agentops.emulator.faults import Faults
from agentops.model import tags
from tests.stack import STACK, Stack, manifest

OAUTH = {"display_name": "linear", "auth": {
    "type": "mcp_oauth", "mcp_server_url": "https://mcp.linear.example/sse", "access_token": "${LINEAR_ACCESS}",
    "refresh": {"client_id": "agentops", "refresh_token": "${LINEAR_REFRESH}",
                "token_endpoint": "https://linear.example/oauth/token",
                "token_endpoint_auth": {"type": "client_secret_post", "client_secret": "${LINEAR_CLIENT_SECRET}"}}}}
BEARER = {"display_name": "github", "auth": {"type": "static_bearer", "mcp_server_url": "https://mcp.github.example/",
                                             "token": "${GITHUB_MCP_TOKEN}"}}
NPM = {"display_name": "npm", "auth": {"type": "environment_variable", "secret_name": "NPM_TOKEN",
                                       "secret_value": "${NPM_PUBLISH}",
                                       "networking": {"type": "limited", "allowed_hosts": ["registry.npmjs.org"]}}}
SECRETS = {"LINEAR_ACCESS": "lin_access_SECRET_1111", "LINEAR_REFRESH": "lin_refresh_SECRET_2222",
           "LINEAR_CLIENT_SECRET": "lin_client_SECRET_3333", "GITHUB_MCP_TOKEN": "ghp_mcp_SECRET_4444",
           "NPM_PUBLISH": "npm_publish_SECRET_5555"}


def vault(*credentials: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"display_name": "tools", "credentials": list(credentials), **fields}


def declare(stack: Stack, *vaults: dict[str, Any], deployments: tuple[dict[str, Any], ...] = ()) -> None:
    stack.write(*deployments)
    folder = stack.root / "deployments" / "vaults"
    folder.mkdir(exist_ok=True)
    for old in folder.glob("*.yaml"):
        old.unlink()
    for item in vaults:
        (folder / f"{item['display_name']}.yaml").write_text(yaml.safe_dump(item, sort_keys=False))


def plan(stack: Stack, env: dict[str, str] | None = None) -> dict[str, Any]:
    result = stack.run("plan", str(stack.root), "--format", "json", env={**SECRETS, **(env or {})})
    assert result.exit_code in (0, 1), result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def apply(stack: Stack, env: dict[str, str] | None = None) -> str:
    result = stack.run("apply", str(stack.root), "--auto-approve", env={**SECRETS, **(env or {})})
    assert result.exit_code == 0, result.output
    return result.output


def in_sync(stack: Stack, env: dict[str, str] | None = None) -> bool:
    result = stack.run("plan", str(stack.root), "--detailed-exitcode", env={**SECRETS, **(env or {})})
    assert result.exit_code in (0, 2), result.output
    return result.exit_code == 0


def live_vaults(client: anthropic.Anthropic) -> dict[str, Any]:
    return {v.display_name: v for v in client.beta.vaults.list() if v.archived_at is None}


def live_credentials(client: anthropic.Anthropic, vault_id: str) -> dict[str, Any]:
    return {c.display_name: c for c in client.beta.vaults.credentials.list(vault_id)}


def stored(stack: Stack, vault_id: str, credential_id: str) -> dict[str, str]:
    """The secrets the emulator was sent for a credential (the API never returns them)."""
    found = stack.emulator.core.store.get_credential("default", vault_id, credential_id)
    assert found is not None
    return found.secrets


def writes(stack: Stack) -> list[tuple[str, str]]:
    return [(method, path) for method, path, _status in stack.emulator.requests if method in ("POST", "DELETE")]


def test_a_vault_with_credentials_of_all_three_types_plans_applies_and_converges(
        stack: Stack, client: anthropic.Anthropic) -> None:
    declare(stack, vault(OAUTH, BEARER, NPM), deployments=(manifest("nightly", vaults=[{"name": "tools"}]),))
    planned = plan(stack)
    assert planned["order"] == [["vault.tools"], ["credential.tools/github", "credential.tools/linear",
                                                  "credential.tools/npm"], ["deployment.nightly"]]
    creates = {a["address"]: a for a in planned["actions"]}
    # The vault does not exist yet: its credentials and the deployment wait for its id.
    assert creates["credential.tools/npm"]["body"]["vault_id"] == "(known after apply: vault tools)"
    assert creates["deployment.nightly"]["body"]["vault_ids"] == ["(known after apply: vault tools)"]
    assert creates["credential.tools/github"]["body"]["auth"]["token"] == "${GITHUB_MCP_TOKEN}"

    stack.emulator.reset_counts()
    apply(stack)
    live = live_vaults(client)["tools"]
    assert live.metadata[tags.STACK] == STACK and live.metadata[tags.NAME] == "tools"
    credentials = live_credentials(client, live.id)
    assert sorted(credentials) == ["github", "linear", "npm"]
    assert all(tags.SECRETS in c.metadata for c in credentials.values())
    # The secrets reached the API (the emulator keeps what it was sent) and only as their values.
    assert stored(stack, live.id, credentials["linear"].id) == {"access_token": SECRETS["LINEAR_ACCESS"], "refresh_token": SECRETS["LINEAR_REFRESH"],
                      "client_secret": SECRETS["LINEAR_CLIENT_SECRET"]}
    [deployment] = [d for d in stack.emulator.raw_deployments() if d["name"] == "nightly"]
    assert deployment["vault_ids"] == [live.id]
    assert in_sync(stack)


def test_a_rotated_secret_is_one_update_that_sends_the_new_value(stack: Stack, client: anthropic.Anthropic) -> None:
    declare(stack, vault(BEARER, NPM))
    apply(stack)
    assert in_sync(stack)
    rotated = {"GITHUB_MCP_TOKEN": "ghp_mcp_SECRET_rotated_9999"}
    planned = plan(stack, rotated)
    [update] = [a for a in planned["actions"] if a["action"] != "noop"]
    assert update["address"] == "credential.tools/github" and update["action"] == "update"
    assert update["patch"]["auth"] == {"type": "static_bearer", "token": "${GITHUB_MCP_TOKEN}"}
    assert [c["path"] for c in update["changes"]] == ["auth.secrets"]
    assert "ghp_mcp_SECRET" not in json.dumps(planned)
    apply(stack, rotated)
    tools = live_vaults(client)["tools"]
    github = live_credentials(client, tools.id)["github"]
    assert stored(stack, tools.id, github.id) == {"token": rotated["GITHUB_MCP_TOKEN"]}
    assert in_sync(stack, rotated)
    assert not in_sync(stack)  # the old value is a change again


def test_a_changed_immutable_field_creates_the_new_credential_before_archiving_the_old(
        stack: Stack, client: anthropic.Anthropic) -> None:
    declare(stack, vault(BEARER, NPM), deployments=(manifest("nightly", vaults=[{"name": "tools"}]),))
    apply(stack)
    tools = live_vaults(client)["tools"]
    old = live_credentials(client, tools.id)["npm"]
    moved = {**NPM, "auth": {**NPM["auth"], "secret_name": "NPM_AUTH_TOKEN"}}
    declare(stack, vault(BEARER, moved), deployments=(manifest("nightly", vaults=[{"name": "tools"}]),))
    planned = plan(stack)
    steps = [(a["address"], a["action"]) for a in planned["actions"] if a["action"] != "noop"]
    assert steps == [("credential.tools/npm", "create"), ("credential.tools/npm", "archive")]
    assert "secret_name" in planned["actions"][0]["reason"] or any(
        "secret_name" in a["reason"] for a in planned["actions"])
    stack.emulator.reset_counts()
    apply(stack)
    # Created first, archived after: the vault always holds an npm credential.
    assert [method for method, path in writes(stack)] == ["POST", "POST"]
    assert writes(stack)[1][1].endswith(f"/credentials/{old.id}/archive")
    current = live_credentials(client, tools.id)
    assert current["npm"].id != old.id and current["npm"].auth.secret_name == "NPM_AUTH_TOKEN"
    assert in_sync(stack)


def test_a_replacement_that_keeps_its_mcp_server_is_blocked_with_the_two_step_way(
        stack: Stack, client: anthropic.Anthropic) -> None:
    declare(stack, vault(OAUTH))
    apply(stack)
    changed = {**OAUTH, "auth": {**OAUTH["auth"], "refresh": {**OAUTH["auth"]["refresh"], "client_id": "other"}}}
    declare(stack, vault(changed))
    result = stack.run("plan", str(stack.root), env=SECRETS)
    assert result.exit_code == 1
    assert "auth.refresh cannot change once created" in result.output
    assert "vaults/tools.yaml" in result.output and "two applies" in result.output


def test_a_renamed_credential_keeping_its_mcp_server_is_blocked_with_zero_writes(
        stack: Stack, client: anthropic.Anthropic) -> None:
    declare(stack, vault(BEARER))
    apply(stack)
    declare(stack, vault({**BEARER, "display_name": "github-ci"}))
    stack.emulator.reset_counts()
    result = stack.run("apply", str(stack.root), "--auto-approve", env=SECRETS)
    assert result.exit_code == 1
    assert "tools/github still holds MCP server https://mcp.github.example/" in result.output
    assert "vaults/tools.yaml" in result.output and "two applies" in result.output
    assert stack.emulator.write_count() == 0
    declare(stack, vault({**BEARER, "auth": {**BEARER["auth"], "mcp_server_url": "https://mcp.other.example/"},
                          "display_name": "other"}))
    assert plan(stack)["applyable"]  # another server is free to create first


def test_a_credential_removed_from_its_vault_is_archived_and_another_stack_is_untouched(
        stack: Stack, client: anthropic.Anthropic) -> None:
    theirs = client.beta.vaults.create(display_name="tools", metadata={tags.STACK: "team-b", tags.NAME: "tools"})
    client.beta.vaults.credentials.create(theirs.id, display_name="github", auth={
        "type": "static_bearer", "mcp_server_url": "https://mcp.github.example/", "token": "theirs-token-0000"})
    declare(stack, vault(BEARER, NPM))
    apply(stack)
    declare(stack, vault(BEARER))
    planned = plan(stack)
    [archive] = [a for a in planned["actions"] if a["action"] != "noop"]
    assert (archive["address"], archive["action"]) == ("credential.tools/npm", "archive")
    apply(stack)
    ours = next(v for v in client.beta.vaults.list() if v.metadata.get(tags.STACK) == STACK)
    assert sorted(live_credentials(client, ours.id)) == ["github"]
    assert sorted(live_credentials(client, theirs.id)) == ["github"]
    # Removing the vault archives its credentials, then it (the docs do not say an archive takes the
    # credentials along), and leaves team-b's alone.
    declare(stack)
    stack.write(manifest("keep"))
    planned = plan(stack)
    assert [(a["address"], a["action"]) for a in planned["actions"] if a["action"] == "archive"] == [
        ("credential.tools/github", "archive"), ("vault.tools", "archive")]
    apply(stack)
    assert client.beta.vaults.retrieve(theirs.id).archived_at is None
    assert client.beta.vaults.retrieve(ours.id).archived_at is not None


def test_validate_credentials_blocks_on_an_invalid_oauth_credential_at_its_line(
        stack: Stack, client: anthropic.Anthropic) -> None:
    declare(stack, vault(OAUTH, BEARER))
    first = stack.run("plan", str(stack.root), "--validate-credentials", "--format", "json", env=SECRETS)
    # Not created yet: nothing the API could probe, and the plan says so.
    assert first.exit_code == 0, first.output
    assert any("tools/linear get new secrets" in w for w in json.loads(first.stdout)["warnings"])
    apply(stack)
    tools = live_vaults(client)["tools"]
    linear = live_credentials(client, tools.id)["linear"]
    stack.emulator.reset_counts()
    assert stack.run("plan", str(stack.root), "--validate-credentials", env=SECRETS).exit_code == 0
    probes = [path for method, path, _status in stack.emulator.requests if path.endswith("/mcp_oauth_validate")]
    assert probes == [f"/v1/vaults/{tools.id}/credentials/{linear.id}/mcp_oauth_validate"]  # the OAuth one only

    stack.emulator.faults = Faults(credential_validation={linear.id: "invalid"})
    result = stack.run("plan", str(stack.root), "--validate-credentials", "--format", "json", env=SECRETS)
    assert result.exit_code == 1
    [problem] = json.loads(result.stdout)["problems"]
    line = next(n for n, text in enumerate((stack.root / "deployments/vaults/tools.yaml").read_text().splitlines(), 1)
                if "${LINEAR_ACCESS}" in text)
    assert (problem["name"], problem["file"]) == ("tools/linear", f"deployments/vaults/tools.yaml:{line}")
    assert "invalid" in problem["message"]
    # Without the flag nothing is probed.
    assert stack.run("plan", str(stack.root), env=SECRETS).exit_code == 0


def test_import_writes_each_secret_as_a_named_variable_and_the_round_trip_plans_nothing(
        stack: Stack, client: anthropic.Anthropic) -> None:
    made = client.beta.vaults.create(display_name="tools", metadata={"team": "search"})
    for item in (OAUTH, BEARER, NPM):
        auth = json.loads(json.dumps(item["auth"]).replace('"${', '"live-').replace('}"', '"'))  # literal secrets
        client.beta.vaults.credentials.create(made.id, display_name=item["display_name"], auth=auth)
    variables = {"VAULT_TOOLS_LINEAR_ACCESS_TOKEN": "lin-a", "VAULT_TOOLS_LINEAR_REFRESH_TOKEN": "lin-r",
                 "VAULT_TOOLS_LINEAR_CLIENT_SECRET": "lin-c", "VAULT_TOOLS_GITHUB_TOKEN": "gh-t",
                 "VAULT_TOOLS_NPM_SECRET_VALUE": "npm-s"}
    # Imported with the variables set: each credential records their fingerprint, so nothing is left to send.
    result = stack.run("import", "--all", "--kinds", "vault", env=variables)
    assert result.exit_code == 0, result.output
    text = (stack.root / "deployments/vaults/tools.yaml").read_text()
    written = yaml.safe_load(text)
    by_name = {c["display_name"]: c["auth"] for c in written["credentials"]}
    assert by_name["github"] == {"type": "static_bearer", "mcp_server_url": "https://mcp.github.example/",
                                 "token": "${VAULT_TOOLS_GITHUB_TOKEN}"}
    assert by_name["linear"]["refresh"]["token_endpoint_auth"] == {
        "type": "client_secret_post", "client_secret": "${VAULT_TOOLS_LINEAR_CLIENT_SECRET}"}
    assert by_name["npm"]["secret_value"] == "${VAULT_TOOLS_NPM_SECRET_VALUE}"
    assert "# Set VAULT_TOOLS_GITHUB_TOKEN: credential github's token" in text
    assert written["metadata"] == {"team": "search"}
    planned = stack.run("plan", str(stack.root), "--detailed-exitcode", env=variables)
    assert planned.exit_code == 0, planned.output
    # Unset variables: the plan names them (the API cannot say what it holds), and blocks.
    unset = stack.run("plan", str(stack.root))
    assert unset.exit_code == 1 and "VAULT_TOOLS_GITHUB_TOKEN is not set" in unset.output


def test_import_without_the_variables_says_the_first_apply_sends_the_secrets(
        stack: Stack, client: anthropic.Anthropic) -> None:
    made = client.beta.vaults.create(display_name="tools")
    client.beta.vaults.credentials.create(made.id, display_name="github", auth={
        "type": "static_bearer", "mcp_server_url": "https://mcp.github.example/", "token": "gh-live-0002"})
    result = stack.run("import", "--all", "--kinds", "vault", "--format", "json")
    assert result.exit_code == 0, result.output
    assert any("VAULT_TOOLS_GITHUB_TOKEN" in note for note in json.loads(result.stdout)["notes"])
    planned = plan(stack, {"VAULT_TOOLS_GITHUB_TOKEN": "gh-new"})
    [update] = [a for a in planned["actions"] if a["action"] != "noop"]
    assert (update["address"], update["patch"]["auth"]) == (
        "credential.tools/github", {"type": "static_bearer", "token": "${VAULT_TOOLS_GITHUB_TOKEN}"})


def test_the_text_plan_shows_a_replacement_in_order_and_a_rotation_without_values(
        stack: Stack, client: anthropic.Anthropic) -> None:
    declare(stack, vault(BEARER, NPM))
    apply(stack)
    moved = {**NPM, "auth": {**NPM["auth"], "secret_name": "NPM_AUTH_TOKEN"}}
    declare(stack, vault(BEARER, moved))
    result = stack.run("plan", str(stack.root), env={**SECRETS, "GITHUB_MCP_TOKEN": "ghp_mcp_SECRET_rotated"})
    assert result.exit_code == 0, result.output
    text = result.output
    assert text.index("+ create credential tools/npm") < text.index("- archive credential tools/npm")
    assert "auth.secret_name cannot change once created" in text
    assert "~ update credential tools/github" in text and "auth.secrets" in text
    assert "SECRET" not in text


def test_an_untagged_vault_is_adopted_with_its_credentials_which_get_their_secrets(
        stack: Stack, client: anthropic.Anthropic) -> None:
    made = client.beta.vaults.create(display_name="tools")
    client.beta.vaults.credentials.create(made.id, display_name="github", auth={
        "type": "static_bearer", "mcp_server_url": "https://mcp.github.example/", "token": "console-token"})
    declare(stack, vault(BEARER))
    blocked = plan(stack)
    assert any("untagged vault" in p["message"] for p in blocked["problems"])
    result = stack.run("apply", str(stack.root), "--auto-approve", "--adopt", env=SECRETS)
    assert result.exit_code == 0, result.output
    assert live_vaults(client)["tools"].metadata[tags.STACK] == STACK
    github = live_credentials(client, made.id)["github"]
    assert stored(stack, made.id, github.id) == {"token": SECRETS["GITHUB_MCP_TOKEN"]}
    assert in_sync(stack)
