"""`agentops status` tells the truth: why a deployment is paused, real next/last runs, human times, fits the width."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import anthropic

from agentops.emulator import EmulatorServer
from tests.stack import STACK, Stack, console_body, create, live_by_name, manifest

PARIS = {"expression": "0 9 * * 1-5", "timezone": "Europe/Paris"}
KEPT = (
    manifest("held", schedule=PARIS, status="paused"),
    manifest("by-hand", schedule=PARIS),
    manifest("doomed", vault_ids=["vlt_011doomed"], schedule=PARIS),
    manifest("steady", schedule=PARIS),
)
HUMAN = r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{4}-\d\d-\d\d \d\d:\d\d [A-Z]{3,4}"


def _rows(stack: Stack, columns: int = 250) -> dict[str, str]:
    result = stack.run("status", str(stack.root), env={"COLUMNS": str(columns)})
    assert result.exit_code == 0, result.output
    return {line.split()[0]: line for line in result.stdout.splitlines()[1:]}


def test_status_says_why_paused_and_when_it_runs(stack: Stack, client: anthropic.Anthropic) -> None:
    stack.emulator.register_agent("agent_011doomed")
    stack.write(*KEPT, manifest("stray"))
    # "stray" exists in the console before the stack manages it: untagged, with a manifest's name.
    create(client, console_body("stray"))
    assert stack.apply("--no-prune").exit_code == 1  # the untagged conflict blocks; apply a plan without it
    stack.write(*KEPT)
    assert stack.apply().exit_code == 0
    live = live_by_name(stack.emulator)
    client.beta.deployments.pause(live["by-hand"]["id"])
    stack.emulator.register_vault("vlt_011doomed")
    stack.emulator.archive_vault("vlt_011doomed")
    assert stack.emulator.fire(live["doomed"]["id"])["error"]["type"] == "vault_archived_error"
    stack.write(*KEPT, manifest("stray"))

    rows = _rows(stack)
    cells = {name: re.split(r"\s{2,}", line) for name, line in rows.items()}
    assert cells["held"][1] == "paused (manifest)"
    assert cells["by-hand"][1] == "paused (by hand)"
    assert cells["doomed"][1] == "auto-paused: vault_archived_error"
    assert cells["steady"][1] == "active"
    # Paused deployments do not run: no next run. Times are human, in the schedule's timezone.
    for name in ("held", "by-hand", "doomed"):
        assert cells[name][3] == "-", cells[name]
    assert re.fullmatch(r"(Mon|Tue|Wed|Thu|Fri) \d{4}-\d\d-\d\d 09:00 CES?T", cells["steady"][3]), cells["steady"]
    assert re.fullmatch(HUMAN, cells["doomed"][4]) and cells["doomed"][4].endswith(("CET", "CEST"))
    assert cells["steady"][4] == "-"
    assert "agentops import stray" in rows["stray"]

    data = json.loads(stack.run("status", str(stack.root), "--format", "json").stdout)
    by_name = {row["name"]: row for row in data["deployments"]}
    assert by_name["held"]["next_run"] is None and by_name["steady"]["next_run"] is not None
    assert by_name["doomed"]["last_run"] is not None
    assert by_name["stray"]["state"] == "untagged"


def test_status_fits_a_narrow_terminal(stack: Stack) -> None:
    long_name = "a-deployment-with-a-rather-long-name-that-would-not-fit"
    stack.write(manifest(long_name, schedule=PARIS), manifest("short"))
    assert stack.apply().exit_code == 0
    result = stack.run("status", str(stack.root), env={"COLUMNS": "70"})
    lines = result.stdout.splitlines()
    assert all(len(line) <= 70 for line in lines), lines
    assert any("…" in line for line in lines)
    assert lines[0].startswith("NAME")
    # Piped without COLUMNS: whole cells, for grep and scripts.
    whole = stack.run("status", str(stack.root), env={"COLUMNS": None})  # type: ignore[dict-item]
    assert long_name in whole.stdout


def test_last_run_comes_from_the_runs_then_the_schedule(tmp_path: Path) -> None:
    """A run started by hand is the last run; a deployment whose runs predate its last change falls
    back to the schedule's last_run_at."""
    now = [datetime(2026, 3, 2, 8, 0, tzinfo=UTC)]
    with EmulatorServer(clock=lambda: now[0]) as emulator:
        stack = Stack.create(tmp_path, emulator, stack=STACK)
        stack.write(manifest("job", schedule=PARIS), manifest("changed", schedule=PARIS))
        assert stack.apply().exit_code == 0
        ids = {name: row["id"] for name, row in live_by_name(emulator).items()}
        now[0] += timedelta(hours=1)
        scheduled = {name: emulator.fire(ids[name])["created_at"] for name in ids}
        now[0] += timedelta(hours=1)
        by_hand = json.loads(stack.run("run", "job", str(stack.root), "--format", "json").stdout)["run"]
        stack.write(manifest("job", schedule=PARIS), manifest("changed", schedule=PARIS, description="new"))
        assert stack.apply().exit_code == 0

        result = stack.run("status", str(stack.root), "--format", "json")
    rows = {row["name"]: row for row in json.loads(result.stdout)["deployments"]}
    assert by_hand["created_at"] > scheduled["job"]
    assert rows["job"]["last_run"] == by_hand["created_at"]
    assert rows["changed"]["last_run"] == scheduled["changed"]
