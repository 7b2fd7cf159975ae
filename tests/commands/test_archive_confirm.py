"""Archives are permanent: the plan says so, the prompt on a real terminal takes the count (or `yes`),
never `y`, and `max_archive` in agentops.yaml caps them."""

from __future__ import annotations

import pytest

from tests.harness import on_a_terminal
from tests.stack import Stack, live_by_name, manifest

NAMES = ("keep", "old-1", "old-2", "old-3")
PROMPT = b"(or yes) to apply: "
STOPS = "This plan archives 3 deployments; archived deployments stop for good"


def _with_three_to_archive(stack: Stack) -> None:
    stack.write(*(manifest(name) for name in NAMES))
    assert stack.apply().exit_code == 0
    stack.write(manifest("keep"))


def _apply_on_a_terminal(stack: Stack, answer: str) -> tuple[int, str]:
    """`agentops apply` (no --auto-approve) on a pseudo-terminal; types `answer`."""
    return on_a_terminal(stack, ["apply", str(stack.root)], PROMPT, answer)


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
