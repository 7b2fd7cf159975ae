"""Carry out a plan's writes: the executor's results reported as they come, and the exit code."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

from agentops.adapters.api import Api
from agentops.adapters.executor import Executor, Result
from agentops.engine.plan import Plan
from agentops.model.words import plural
from agentops.plumbing.failure import INTERRUPTED, OK
from agentops.views.markdown import render_apply_markdown
from agentops.views.output import TextView
from agentops.views.terminal import Console, step_summary


def _duration(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s" if minutes else f"{rest} s"


def _line(done: int, total: int, result: Result) -> str:
    status = "ok" if result.ok else "FAILED"
    return f"[{done}/{total}] {result.action.verb} {result.action.label}: {status}: {result.message}"


@contextmanager
def _stop_on_signal(executor: Executor) -> Iterator[list[str]]:
    """SIGINT/SIGTERM stop new actions from starting; the ones in flight finish."""
    caught: list[str] = []
    if threading.current_thread() is not threading.main_thread():
        yield caught
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        caught.append(signal.Signals(signum).name)
        executor.stop()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield caught
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def execute(plan: Plan, api: Api, parallelism: int, console: Console, view: TextView, root: Path = Path()) -> int:
    """Apply every write of `plan` (skill folders relative to `root`); report each result; the exit code
    says how it ended."""
    total = len(plan.writes)
    done = [0]
    pace = api.pacer.rate("writes")
    if pace is not None and total > pace:
        # In a CI log there is no progress bar: say up front how long the pacing makes it take.
        console.info(f"Pacing writes at {pace * 60:.0f} per minute: about {_duration(total / pace)} for {total}.")
    with console.progress(total, "Applying") as advance:

        def report(result: Result) -> None:
            done[0] += 1
            if not result.ok or console.verbose or total <= 20:
                console.info(_line(done[0], total, result))
            advance()

        executor = Executor(api, plan.stack, os.environ, parallelism=parallelism, report=report, sleep=api.sleep,
                            root=root)
        with _stop_on_signal(executor) as caught:
            results = executor.run(plan)
    step_summary(lambda: render_apply_markdown(plan, results), console.redact)
    failed = [r for r in results if not r.ok]
    started = {id(r.action) for r in results}
    skipped = [a for a in plan.writes if id(a) not in started]
    view.results(console, plan, results, len(skipped), bool(caught))
    if caught:
        console.error(
            f"Interrupted ({caught[0]}): actions in flight were finished; "
            f"{plural(len(skipped), 'action')} not started. Run `agentops apply` again to finish."
        )
        for action in skipped:
            console.error(f"  not started: {action.verb} {action.label}")
        return INTERRUPTED
    if failed:
        console.error("Run `agentops apply` again to finish; failed actions:")
        for result in failed:
            console.error(f"  {result.action.verb} {result.action.label}: {result.message}")
        return 1
    return OK
