"""Apply converges under injected faults: exactly one deployment per manifest, nothing lost.

The same code produces the published table (benchmarks/reliability.py) at 200 manifests.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from agentops.emulator import EmulatorServer, Faults
from tests import harness as reliability
from tests.harness import Repo, Scenario, census, manifest

SCENARIOS = {s.name: s for s in reliability.scenarios(seed=11)}
# Timeouts make every request slow: a smaller workspace keeps the suite fast.
COUNTS = {name: 16 if s.timeout else 40 for name, s in SCENARIOS.items()}


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_apply_converges_under_faults(name: str, tmp_path: Path) -> None:
    scenario: Scenario = SCENARIOS[name]
    figures = reliability.run_faults(scenario, COUNTS[name], tmp_path, parallelism=16)

    assert max(figures.applies) <= 3, figures.applies
    assert figures.census.exactly_one, figures.census.per_manifest
    assert figures.census.lost == 0
    assert figures.census.cleaned == figures.census.duplicates
    assert figures.census.survivor_not_oldest == 0
    if scenario.timeout is None:
        # Without timeouts a fault either never reached the store or committed before the response
        # was lost, so the recovery lookup by tags always finds it: no duplicate is ever made.
        assert figures.census.duplicates == 0
        assert figures.faulted > 0


def test_lost_create_response_is_recovered_not_repeated(tmp_path: Path) -> None:
    """Every create's response dropped: each is found by its tags, none is sent twice."""
    with EmulatorServer(faults=Faults(drop_rate=1.0)) as emulator:
        repo = Repo.create(tmp_path, emulator)
        wanted = [manifest(i) for i in range(6)]
        repo.write(wanted)
        result = repo.apply("--parallelism", "6")
        assert result.exit_code == 0, result.output
        assert result.stderr.count("found after a lost response") == 6
        assert emulator.write_count() == 6
        emulator.faults = Faults()
        assert census(emulator, wanted).exactly_one
        assert repo.in_sync()


def test_timeout_setting_is_validated(tmp_path: Path, emulator: EmulatorServer) -> None:
    repo = Repo.create(tmp_path, emulator, AGENTOPS_TIMEOUT="soon")
    repo.write([manifest(0)])
    result = repo.run("plan", str(tmp_path))
    assert result.exit_code == 1
    assert "AGENTOPS_TIMEOUT must be a number of seconds" in result.stderr
    assert "Traceback" not in result.output
