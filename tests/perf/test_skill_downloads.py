"""Skill downloads at their lower bound: a plan or apply reads each live custom skill's latest version
once (only its record says whose it is); a second listing in the same run (a lost create's recovery)
downloads only versions it has not read yet. Nothing is cached on disk."""

from __future__ import annotations

from agentops.emulator import EmulatorServer
from tests.commands.test_skills import skill
from tests.stack import Stack, manifest

LIVE, NEW = 4, 2


def _downloads(emulator: EmulatorServer) -> int:
    return sum(1 for _method, path, _status in emulator.requests if path.endswith("/content"))


def test_one_download_per_skill_per_run_and_none_again_on_recovery(stack: Stack, emulator: EmulatorServer) -> None:
    for number in range(LIVE):
        skill(stack, f"live-{number}")
    stack.write(manifest("keep"))
    assert stack.apply().exit_code == 0
    emulator.reset_counts()
    assert stack.apply().exit_code == 0
    assert _downloads(emulator) == LIVE  # an apply plans once: no second listing
    for number in range(NEW):
        skill(stack, f"new-{number}")
    emulator.faults.drop_rate = 1.0  # every create's response lost: each is recovered from a new listing
    emulator.reset_counts()
    result = stack.apply("--parallelism", "1")
    assert result.exit_code == 0, result.output
    assert result.output.count("found after a lost response") == NEW
    # The plan's LIVE downloads, then each recovery reads only the version just created (not LIVE again).
    assert _downloads(emulator) == LIVE + NEW
