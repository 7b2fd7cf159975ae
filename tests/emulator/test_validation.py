"""Every request-body limit: a 400 invalid_request_error whose message names the field path."""

from __future__ import annotations

from typing import Any

import anthropic
import pytest

from tests.helpers import api_error, make_deployment_body, raises_api_error


def text(value: str = "x") -> dict[str, Any]:
    return {"type": "text", "text": value}


def user(*blocks: dict[str, Any]) -> dict[str, Any]:
    return {"type": "user.message", "content": list(blocks) or [text()]}


def system() -> dict[str, Any]:
    return {"type": "system.message", "content": [text("be terse")]}


def outcome(**extra: Any) -> dict[str, Any]:
    return {"type": "user.define_outcome", "description": "a report",
            "rubric": {"type": "text", "content": "complete"}, **extra}


def schedule(expression: str, timezone: str = "UTC") -> dict[str, Any]:
    return {"type": "cron", "expression": expression, "timezone": timezone}


def repo(**extra: Any) -> dict[str, Any]:
    return {"type": "github_repository", "url": "https://github.com/o/r", "authorization_token": "t", **extra}


_SDK_FIELDS = {"name", "agent", "environment_id", "initial_events", "description", "metadata",
               "resources", "schedule", "vault_ids", "budget"}


def create(client: anthropic.Anthropic, body: dict[str, Any]) -> Any:
    """Create through the SDK; fields its signature lacks travel in extra_body."""
    known = {key: value for key, value in body.items() if key in _SDK_FIELDS}
    extra = {key: value for key, value in body.items() if key not in _SDK_FIELDS}
    return client.beta.deployments.create(**known, extra_body=extra or None)


INVALID: list[tuple[str, dict[str, Any], str]] = [
    ("no events", {"initial_events": []}, "initial_events: "),
    ("51 events", {"initial_events": [user()] * 51}, "initial_events: "),
    ("unknown event", {"initial_events": [{"type": "user.tool_result"}]}, "initial_events[0]: "),
    ("empty content", {"initial_events": [{"type": "user.message", "content": []}]},
     "initial_events[0].content: "),
    ("text missing", {"initial_events": [user({"type": "text"})]}, "initial_events[0].content[0].text: "),
    ("unknown block", {"initial_events": [user({"type": "audio"})]}, "initial_events[0].content[0]: "),
    ("image no source", {"initial_events": [user({"type": "image"})]}, "initial_events[0].content[0].source: "),
    ("image empty data", {"initial_events": [user(
        {"type": "image", "source": {"type": "base64", "data": "", "media_type": "image/png"}})]},
     "initial_events[0].content[0].source.data: "),
    ("image url empty", {"initial_events": [user({"type": "image", "source": {"type": "url", "url": ""}})]},
     "initial_events[0].content[0].source.url: "),
    ("document text media type", {"initial_events": [user(
        {"type": "document", "source": {"type": "text", "data": "d", "media_type": "text/html"}})]},
     "initial_events[0].content[0].source.media_type: "),
    ("document file id", {"initial_events": [user({"type": "document", "source": {"type": "file"}})]},
     "initial_events[0].content[0].source.file_id: "),
    ("outcome no rubric", {"initial_events": [{"type": "user.define_outcome", "description": "d"}]},
     "initial_events[0].rubric: "),
    ("outcome empty description", {"initial_events": [outcome(description="")]}, "initial_events[0].description: "),
    ("max_iterations 21", {"initial_events": [outcome(max_iterations=21)]}, "initial_events[0].max_iterations: "),
    ("max_iterations 0", {"initial_events": [outcome(max_iterations=0)]}, "initial_events[0].max_iterations: "),
    ("system non-text", {"initial_events": [user(), {"type": "system.message", "content": [
        {"type": "image", "source": {"type": "url", "url": "u"}}]}]}, "initial_events[1].content[0]"),
    ("system first", {"initial_events": [system()]}, "initial_events[0]: a system.message must follow"),
    ("system not last", {"initial_events": [user(), system(), user()]}, "initial_events[1]: a system.message must be"),
    ("system after outcome", {"initial_events": [outcome(), system()]}, "initial_events[1]: a system.message must follow"),
    ("two systems", {"initial_events": [user(), system(), system()]}, "initial_events[1]: "),
    ("17 metadata pairs", {"metadata": {f"k{i}": "v" for i in range(17)}}, "metadata: "),
    ("65-char key", {"metadata": {"k" * 65: "v"}}, "metadata." + "k" * 65),
    ("513-char value", {"metadata": {"k": "v" * 513}}, "metadata.k: "),
    ("empty key", {"metadata": {"": "v"}}, "metadata"),
    ("501 resources", {"resources": [{"type": "file", "file_id": "f"}] * 501}, "resources: "),
    ("token missing", {"resources": [{"type": "github_repository", "url": "u"}]}, "resources[0].authorization_token"),
    ("bad commit", {"resources": [repo(checkout={"type": "commit", "sha": "abc"})]}, "resources[0].checkout.sha"),
    ("unknown resource", {"resources": [{"type": "s3"}]}, "resources[0]: "),
    ("instructions 4097", {"resources": [{"type": "memory_store", "memory_store_id": "m",
                                          "instructions": "x" * 4097}]}, "resources[0].instructions: "),
    ("access", {"resources": [{"type": "memory_store", "memory_store_id": "m", "access": "all"}]},
     "resources[0].access: "),
    ("51 vaults", {"vault_ids": [f"vlt_{i}" for i in range(51)]}, "vault_ids: "),
    ("empty name", {"name": ""}, "name: "),
    ("257-char name", {"name": "n" * 257}, "name: "),
    ("agent version 0", {"agent": {"type": "agent", "id": "a", "version": 0}}, "agent.version: "),
    ("agent empty", {"agent": ""}, "agent: "),
    ("environment empty", {"environment_id": ""}, "environment_id: "),
    ("budget currency", {"budget": {"type": "limit", "max_list_cost": {"amount": "5", "currency": "EUR"}}},
     "budget.max_list_cost.currency: "),
    ("budget amount", {"budget": {"type": "limit", "max_list_cost": {"amount": "5.5", "currency": "USD"}}},
     "budget.max_list_cost.amount: "),
    ("unknown field", {"owner": "me"}, "owner: "),
    ("cron 6 fields", {"schedule": schedule("0 0 9 * * 1")}, "schedule.expression: expected 5 fields"),
    ("cron @daily", {"schedule": schedule("@daily")}, "schedule.expression: '@daily'"),
    ("cron L", {"schedule": schedule("0 9 L * *")}, "schedule.expression: "),
    ("cron W", {"schedule": schedule("0 9 15W * *")}, "schedule.expression: "),
    ("cron #", {"schedule": schedule("0 9 * * 1#2")}, "schedule.expression: "),
    ("cron ?", {"schedule": schedule("0 9 ? * 1")}, "schedule.expression: "),
    ("cron names", {"schedule": schedule("0 9 * * MON")}, "schedule.expression: "),
    ("cron minute 60", {"schedule": schedule("60 9 * * *")}, "schedule.expression: minute"),
    ("cron hour 24", {"schedule": schedule("0 24 * * *")}, "schedule.expression: hour"),
    ("cron day 0", {"schedule": schedule("0 9 0 * *")}, "schedule.expression: day-of-month"),
    ("cron month 13", {"schedule": schedule("0 9 * 13 *")}, "schedule.expression: month"),
    ("cron dow 8", {"schedule": schedule("0 9 * * 8")}, "schedule.expression: day-of-week"),
    ("timezone invalid", {"schedule": schedule("0 9 * * *", "Mars/Olympus")}, "schedule.timezone: "),
    ("timezone missing", {"schedule": {"type": "cron", "expression": "0 9 * * *"}}, "schedule.timezone: "),
]


@pytest.mark.parametrize(("overrides", "expected"), [case[1:] for case in INVALID], ids=[c[0] for c in INVALID])
def test_create_rejects(client: anthropic.Anthropic, overrides: dict[str, Any], expected: str) -> None:
    with pytest.raises(anthropic.BadRequestError) as info:
        create(client, make_deployment_body(**overrides))
    error = api_error(info.value)
    assert error["type"] == "invalid_request_error"
    assert expected in error["message"]
    assert client.beta.deployments.list().data == []


@pytest.mark.parametrize("field", ["name", "initial_events", "metadata", "resources", "vault_ids", "schedule"])
def test_update_applies_the_same_limits(client: anthropic.Anthropic, field: str) -> None:
    created = client.beta.deployments.create(**make_deployment_body())
    bad = next(case[1][field] for case in INVALID if field in case[1])
    with raises_api_error(400, field):
        client.beta.deployments.update(created.id, **{field: bad})
    assert client.beta.deployments.retrieve(created.id) == created


@pytest.mark.parametrize("field", ["name", "agent", "environment_id", "initial_events"])
def test_update_cannot_clear(client: anthropic.Anthropic, field: str) -> None:
    created = client.beta.deployments.create(**make_deployment_body())
    with raises_api_error(400, f"{field} cannot be cleared"):
        client.beta.deployments.update(created.id, extra_body={field: None})


VALID: list[tuple[str, dict[str, Any]]] = [
    ("50 events", {"initial_events": [user()] * 50}),
    ("all kinds", {"initial_events": [
        outcome(max_iterations=20),
        {"type": "user.define_outcome", "description": "d",
         "rubric": {"type": "file", "file_id": "file_1"}},
        user(text("a"),
             {"type": "image", "source": {"type": "base64", "data": "aGk=", "media_type": "image/png"}},
             {"type": "image", "source": {"type": "url", "url": "https://x/y.png"}},
             {"type": "image", "source": {"type": "file", "file_id": "file_2"}},
             {"type": "document", "source": {"type": "text", "data": "doc", "media_type": "text/plain"},
              "title": "t", "context": "c"},
             {"type": "document", "source": {"type": "base64", "data": "JVBE", "media_type": "application/pdf"}},
             {"type": "document", "source": {"type": "url", "url": "https://x/y.pdf"}},
             {"type": "document", "source": {"type": "file", "file_id": "file_3"}}),
        system(),
    ]}),
    ("16 metadata pairs at the limits", {"metadata": {f"{i:02d}" + "k" * 62: "v" * 512 for i in range(16)}}),
    ("500 resources", {"resources": [{"type": "file", "file_id": f"f{i}"} for i in range(500)]}),
    ("resource kinds", {"resources": [
        repo(checkout={"type": "branch", "name": "main"}, mount_path="/w"),
        repo(checkout={"type": "commit", "sha": "a" * 40}),
        {"type": "memory_store", "memory_store_id": "m", "access": "read_only", "instructions": "x" * 4096},
    ]}),
    ("50 vaults", {"vault_ids": [f"vlt_{i}" for i in range(50)]}),
    ("256-char name", {"name": "n" * 256}),
    ("dow 7", {"schedule": schedule("0 9 * * 7", "Europe/Berlin")}),
    ("cron lists steps ranges", {"schedule": schedule("*/15 8-18 1,15 */2 1-5", "America/New_York")}),
]


@pytest.mark.parametrize("overrides", [case[1] for case in VALID], ids=[case[0] for case in VALID])
def test_create_accepts_limits(client: anthropic.Anthropic, overrides: dict[str, Any]) -> None:
    created = client.beta.deployments.create(**make_deployment_body(**overrides))
    assert client.beta.deployments.retrieve(created.id).id == created.id
