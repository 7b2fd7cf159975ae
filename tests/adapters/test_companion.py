"""The companion process answers a plan's reads exactly as an in-process Api does, over the real SDK."""

from __future__ import annotations

import os
import re
import signal
from collections.abc import Iterator
from pathlib import Path

import anthropic
import pytest

from agentops.adapters.api import PAGE_SIZE, Api, make_client
from agentops.adapters.companion import GONE, Companion, ReadFailed, Setup
from agentops.adapters.pacing import Pacer
from agentops.emulator import EmulatorServer
from agentops.emulator.faults import Faults
from tests.helpers import make_deployment_body
from tests.stack import Stack, manifest

UNPACED = Setup(workspace_id=None, env=None, writes_per_minute=0, reads_per_minute=0)


@pytest.fixture
def companion(emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[Companion]:
    """A started companion whose environment points the SDK at `emulator`."""
    monkeypatch.setenv("ANTHROPIC_BASE_URL", emulator.url)
    monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key")
    started = Companion.start()
    assert started is not None
    try:
        yield started
    finally:
        started.close()


def test_reads_match_the_in_process_api(stack: Stack, emulator: EmulatorServer, companion: Companion) -> None:
    stack.write(*(manifest(f"same-{i}") for i in range(3)))
    assert stack.apply().exit_code == 0
    api = Api(make_client(emulator.url, "test-key"), pacer=Pacer(0, 0))
    companion.configure(UNPACED)
    keys = [("agent", "agent_011alpha"), ("environment", "env_011main"), ("vault", "vlt_missing")]
    assert companion.list_deployments() == api.list_deployments()
    assert len(companion.list_deployments()) == 3
    assert companion.look_up(keys) == api.look_up(keys)
    assert companion.listings(["agent", "vault"]) == api.listings(["agent", "vault"])
    assert companion.list_runs(None) == api.list_runs(None)


def test_the_listing_starts_when_configured(emulator: EmulatorServer, companion: Companion) -> None:
    companion.configure(UNPACED)
    assert companion.live.result(timeout=60) == []
    assert [path for _, path, _ in emulator.requests] == ["/v1/deployments"]


def test_an_api_error_comes_back_as_the_one_line_the_session_gives(
    emulator: EmulatorServer, companion: Companion
) -> None:
    emulator.faults = Faults(rate_429=1.0, retry_after=0.0)
    companion.configure(UNPACED)
    with pytest.raises(ReadFailed) as caught:
        companion.list_deployments()
    assert str(caught.value).startswith("API error 429 (rate_limit_error):")


def test_a_missing_key_fails_every_read_with_how_to_provide_one(
    emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_BASE_URL", emulator.url)
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    keyless = Companion.start()
    assert keyless is not None
    try:
        keyless.configure(UNPACED)
        with pytest.raises(ReadFailed, match="ANTHROPIC_API_KEY is not set"):
            keyless.list_deployments()
        with pytest.raises(ReadFailed, match="ANTHROPIC_API_KEY is not set"):
            keyless.look_up([("agent", "agent_011alpha")])
    finally:
        keyless.close()
    assert emulator.requests == []


def test_only_the_reads_of_the_protocol_are_answered(companion: Companion) -> None:
    companion.configure(UNPACED)
    with pytest.raises(ReadFailed, match="unknown read"):
        companion._call("archive", "depl_1").result(timeout=60)


def test_a_child_that_dies_fails_the_waiting_reads_instead_of_hanging(companion: Companion) -> None:
    os.kill(companion.pid, signal.SIGKILL)
    os.waitpid(companion.pid, 0)  # gone for sure: the pipe is broken before anything is sent
    companion.configure(UNPACED)
    with pytest.raises(ReadFailed, match=re.escape(GONE)):
        companion.list_deployments()
    with pytest.raises(ReadFailed, match=re.escape(GONE)):
        companion.look_up([("agent", "agent_011alpha")])


def test_a_module_in_the_current_folder_cannot_shadow_the_sdk(
    tmp_path: Path, emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A pull request's checkout is the current folder of `agentops plan` in CI.
    marker = tmp_path / "shadowed"
    for module in ("anthropic.py", "agentops.py", "pickle.py"):
        (tmp_path / module).write_text(f"open({str(marker)!r}, 'a').write({module!r})\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ANTHROPIC_BASE_URL", emulator.url)
    monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key")
    companion = Companion.start()
    assert companion is not None
    try:
        companion.configure(UNPACED)
        assert companion.list_deployments() == []
    finally:
        companion.close()
    assert not marker.exists()


def test_a_read_after_close_fails_and_the_child_is_gone(companion: Companion) -> None:
    companion.configure(UNPACED)
    companion.close()
    with pytest.raises(ReadFailed, match=re.escape(GONE)):
        companion.look_up([("agent", "agent_011alpha")])
    with pytest.raises(ProcessLookupError):
        os.kill(companion.pid, 0)


def test_a_listing_of_several_pages_arrives_whole_and_in_order(
    client: anthropic.Anthropic, emulator: EmulatorServer, companion: Companion
) -> None:
    for i in range(2 * PAGE_SIZE + 5):
        client.beta.deployments.create(**make_deployment_body(name=f"paged-{i:03d}"))
    companion.configure(UNPACED)
    listed = companion.list_deployments()
    assert listed == Api(make_client(emulator.url, "k")).list_deployments()
    assert len({live.id for live in listed}) == 2 * PAGE_SIZE + 5
    pages = [path for method, path, _ in emulator.requests if method == "GET" and path == "/v1/deployments"]
    assert len(pages) == 2 * 3  # three pages for the companion, three for the in-process Api
