"""Real `agentops apply` processes: SIGKILLed mid-apply, or two at once on the same manifests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from agentops.emulator import EmulatorServer, Faults
from agentops.model import tags
from tests import harness as reliability
from tests.harness import STACK, Repo, census, kill_after, manifest
from tests.helpers import make_client, make_deployment_body

COUNT = 40


@pytest.mark.parametrize("kill_points", [[1], [6, 25]])
def test_killed_apply_then_apply_again_converges(kill_points: list[int], tmp_path: Path) -> None:
    with EmulatorServer(faults=Faults(latency=0.01)) as emulator:
        repo = Repo.create(tmp_path, emulator)
        wanted = [manifest(i) for i in range(COUNT)]
        repo.write(wanted)
        for point in kill_points:
            seen = kill_after(repo, point, "--parallelism", "4")
            assert seen < COUNT, "the apply finished before it could be killed"
        emulator.faults = Faults()
        assert repo.apply().exit_code == 0
        result = census(emulator, wanted)
        assert result.exactly_one, result.per_manifest
        assert result.lost == 0
        assert result.duplicates == 0
        assert repo.in_sync()


@pytest.mark.slow
def test_killed_200_deployment_apply(tmp_path: Path) -> None:
    figures = reliability.run_kills(200, [5, 60, 130], tmp_path)
    assert figures.applies == (1,)
    assert figures.census.exactly_one
    assert figures.census.lost == 0


def test_two_applies_at_once_converge_to_the_oldest(tmp_path: Path) -> None:
    figures = reliability.run_concurrent(COUNT, tmp_path)
    assert figures.census.exactly_one, figures.census.per_manifest
    assert figures.census.lost == 0
    assert figures.census.cleaned == figures.census.duplicates
    assert figures.census.survivor_not_oldest == 0
    # The concurrent round, then one apply that archives the younger copies.
    assert figures.applies[0] <= 2


def _owned(emulator: EmulatorServer) -> list[dict[str, Any]]:
    return [d for d in emulator.raw_deployments() if d["metadata"].get(tags.STACK) == STACK]


def test_concurrent_applies_agree_which_duplicate_survives(tmp_path: Path) -> None:
    """Both processes see the same duplicates and both archive the younger ones, and both succeed."""
    with EmulatorServer(faults=Faults(latency=0.02)) as emulator, make_client(emulator.url) as sdk:
        repo = Repo.create(tmp_path, emulator)
        wanted = [manifest(i) for i in range(8)]
        repo.write(wanted)
        assert repo.apply().exit_code == 0
        for item in wanted:  # a second, younger copy of every deployment, as a lost race leaves it
            body = make_deployment_body(
                name=item["name"],
                agent=item["agent"],
                environment_id=item["environment_id"],
                metadata={tags.STACK: STACK, tags.NAME: item["name"]},
            )
            sdk.beta.deployments.create(**body)
        oldest = {
            name: min(
                (d for d in _owned(emulator) if d["metadata"][tags.NAME] == name),
                key=lambda d: (d["created_at"], d["id"]),
            )["id"]
            for name in (item["name"] for item in wanted)
        }
        procs = [repo.spawn_apply("--parallelism", "2") for _ in range(2)]
        outputs = [proc.communicate() for proc in procs]
        assert [proc.returncode for proc in procs] == [0, 0], outputs
        alive = {d["metadata"][tags.NAME]: d["id"] for d in _owned(emulator) if not d.get("archived_at")}
        assert alive == oldest
        assert repo.in_sync()
