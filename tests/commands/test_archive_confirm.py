"""Archives are permanent: the plan says so, the prompt on a real terminal takes the count (or `yes`),
never `y`, and `max_archive` in agentops.yaml caps them."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import time

import pytest

from tests.harness import AGENTOPS, POLL_LIMIT
from tests.stack import Stack, live_by_name, manifest

NAMES = ("keep", "old-1", "old-2", "old-3")
PROMPT = b"(or yes) to apply: "
STOPS = "This plan archives 3 deployments; archived deployments stop for good"


def _with_three_to_archive(stack: Stack) -> None:
    stack.write(*(manifest(name) for name in NAMES))
    assert stack.apply().exit_code == 0
    stack.write(manifest("keep"))


def _read(fd: int, until: bytes | None) -> bytes:
    """Read the terminal until `until` appears (None: until the child closes it); bounded, never a sleep."""
    out = b""
    deadline = time.monotonic() + POLL_LIMIT
    while until is None or until not in out:
        ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            raise TimeoutError(f"no {until!r} on the terminal; so far: {out.decode(errors='replace')}")
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # EIO: every copy of the terminal's other end is closed, the child has exited
            chunk = b""
        if not chunk:
            if until is None:
                return out
            raise AssertionError(f"the terminal closed before {until!r}: {out.decode(errors='replace')}")
        out += chunk
    return out


def _apply_on_a_terminal(stack: Stack, answer: str) -> tuple[int, str]:
    """`agentops apply` (no --auto-approve) with a pseudo-terminal for stdin and output; types `answer`."""
    main, child = pty.openpty()
    env = {**stack.subprocess_env(), "NO_COLOR": "1"}
    proc = subprocess.Popen([AGENTOPS, "apply", str(stack.root)], stdin=child, stdout=child, stderr=child, env=env)
    os.close(child)
    try:
        shown = _read(main, PROMPT)
        os.write(main, answer.encode() + b"\n")
        shown += _read(main, None)
    finally:
        os.close(main)
        code = proc.wait(timeout=POLL_LIMIT)
    return code, shown.decode().replace("\r\n", "\n")


def test_y_does_not_archive(stack: Stack) -> None:
    _with_three_to_archive(stack)
    writes = stack.emulator.write_count()
    code, shown = _apply_on_a_terminal(stack, "y")
    assert STOPS in shown and "Archiving is permanent" in shown and "Type 3 (or yes) to apply" in shown
    assert code == 1 and "apply cancelled; nothing was changed" in shown
    assert stack.emulator.write_count() == writes
    assert set(live_by_name(stack.emulator)) == set(NAMES)


@pytest.mark.parametrize("answer", ["3", "yes"])
def test_the_count_or_yes_archives(stack: Stack, answer: str) -> None:
    _with_three_to_archive(stack)
    code, shown = _apply_on_a_terminal(stack, answer)
    assert code == 0, shown
    assert set(live_by_name(stack.emulator)) == {"keep"}


def test_max_archive_in_agentops_yaml_is_honoured(stack: Stack) -> None:
    _with_three_to_archive(stack)
    config = stack.root / "agentops.yaml"
    config.write_text(config.read_text() + "max_archive: 2\n")
    result = stack.apply()
    assert result.exit_code == 1
    assert "plan archives 3 deployments, more than the limit of 2" in result.output
    assert set(live_by_name(stack.emulator)) == set(NAMES)

    config.write_text(config.read_text().replace("max_archive: 2", "max_archive: 3"))
    assert stack.apply().exit_code == 0
    assert set(live_by_name(stack.emulator)) == {"keep"}


def test_an_agent_archive_is_confirmed_by_the_count_of_every_kind(stack: Stack) -> None:
    stack.write(manifest("keep"), manifest("old"))
    agents = stack.root / "deployments" / "agents"
    agents.mkdir()
    (agents / "helper.yaml").write_text("name: helper\nmodel: claude-sonnet-4-6\n")
    assert stack.apply().exit_code == 0
    (agents / "helper.yaml").unlink()
    stack.write(manifest("keep"))
    writes = stack.emulator.write_count()
    code, shown = _apply_on_a_terminal(stack, "1")
    assert "This plan archives 1 deployment and 1 agent; archived objects stop for good" in shown
    assert "Type 2 (or yes) to apply" in shown
    assert code == 1 and "apply cancelled; nothing was changed" in shown
    assert stack.emulator.write_count() == writes

    code, shown = _apply_on_a_terminal(stack, "2")
    assert code == 0, shown
    assert set(live_by_name(stack.emulator)) == {"keep"}
    assert stack.run("plan", str(stack.root), "--detailed-exitcode").exit_code == 0
