"""`agentops run NAME --wait`: follows the run to its session or error; Ctrl-C and timeouts leave it going."""

from __future__ import annotations

from typing import Any

import pytest

from agentops.adapters.api import Api
from agentops.commands.run import StillRunning, follow
from agentops.emulator import Faults
from tests.helpers import make_client
from tests.stack import Stack, live_by_name, manifest


def _pending(run_id: str) -> dict[str, Any]:
    return {"id": run_id, "session_id": None, "error": None}


def test_wait_exits_0_on_a_session_and_1_on_a_failed_run(stack: Stack) -> None:
    stack.write(manifest("steady"), manifest("doomed"))
    assert stack.apply().exit_code == 0
    doomed = live_by_name(stack.emulator)["doomed"]["id"]
    stack.emulator.faults = Faults(run_errors={doomed: "session_creation_rejected_error"})

    ok = stack.run("run", "steady", str(stack.root), "--wait", "--timeout", "30")
    assert ok.exit_code == 0, ok.output
    [recorded] = stack.emulator.runs(live_by_name(stack.emulator)["steady"]["id"])
    assert f"run {recorded['id']} of 'steady'" in ok.stdout and recorded["session_id"] in ok.stdout

    failed = stack.run("run", "doomed", str(stack.root), "--wait")
    assert failed.exit_code == 1
    assert "session_creation_rejected_error" in failed.stderr and "Traceback" not in failed.output
    [bad] = stack.emulator.runs(doomed)
    assert bad["id"] in failed.stderr


def test_follow_polls_the_run_through_the_sdk_until_it_settles(stack: Stack) -> None:
    stack.write(manifest("steady", schedule={"expression": "0 6 * * *", "timezone": "UTC"}))
    assert stack.apply().exit_code == 0
    run = stack.emulator.fire(live_by_name(stack.emulator)["steady"]["id"])
    slept: list[float] = []
    with make_client(stack.emulator.url) as client:
        api = Api(client)
        # The run as it looked before it had a session: one sleep, one retrieve, then it is settled.
        done = follow(_pending(run["id"]), api.retrieve_run, slept.append, timeout=60)
    assert done["session_id"] == run["session_id"] and slept == [2.0]
    assert [path for _, path, _ in stack.emulator.requests][-1] == f"/v1/deployment_runs/{run['id']}"


def test_follow_gives_up_after_the_timeout_and_on_ctrl_c() -> None:
    slept: list[float] = []
    with pytest.raises(StillRunning) as timed_out:
        follow(_pending("drun_1"), _pending, slept.append, timeout=5)
    assert timed_out.value.why == "timed out after 5s" and sum(slept) == 5

    def interrupt(seconds: float) -> None:
        raise KeyboardInterrupt

    with pytest.raises(StillRunning) as stopped:
        follow(_pending("drun_2"), _pending, interrupt, timeout=5)
    assert stopped.value.why == "interrupted" and stopped.value.run["id"] == "drun_2"
