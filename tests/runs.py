"""A stack with broken deployments: one auto-paused by an archived vault, one by an archived
environment, one whose runs fail (rate limited, so it keeps firing), one healthy."""

from __future__ import annotations

from pathlib import Path

from agentops.emulator import Faults
from tests.stack import Stack, live_by_name, manifest

SCHEDULE = {"expression": "0 6 * * 1-5", "timezone": "Europe/Berlin"}
MANIFESTS = (
    manifest("nightly", vault_ids=["vlt_011fine", "vlt_011doomed"], schedule=SCHEDULE),
    manifest("envy", environment_id="env_011gone", schedule=SCHEDULE),
    manifest("flaky", schedule=SCHEDULE),
    # Its repository token has the value of the GITHUB_TOKEN the fake GitHub takes: it must never reach an issue.
    manifest("fine", schedule=SCHEDULE, resources=[{
        "type": "github_repository", "url": "https://github.com/a/b", "authorization_token": "${REPO_TOKEN}",
    }]),
)


def line_of(path: Path, text: str) -> int:
    """The 1-based line of `path` holding `text`."""
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def break_some(stack: Stack) -> dict[str, str]:
    """Deploy MANIFESTS, then make their runs fail as described above; returns ids by name."""
    for vault in ("vlt_011fine", "vlt_011doomed"):
        stack.emulator.register_vault(vault)
    stack.emulator.register_environment("env_011gone")
    stack.write(*MANIFESTS)
    assert stack.apply().exit_code == 0
    ids = {name: row["id"] for name, row in live_by_name(stack.emulator).items()}
    stack.emulator.archive_vault("vlt_011doomed")
    stack.emulator.archive_environment("env_011gone")
    stack.emulator.faults = Faults(run_errors={ids["flaky"]: "session_rate_limited_error"})
    assert stack.emulator.fire(ids["nightly"])["error"]["type"] == "vault_archived_error"
    assert stack.emulator.fire(ids["envy"])["error"]["type"] == "environment_archived_error"
    for _ in range(2):
        assert stack.emulator.fire(ids["flaky"])["error"]["type"] == "session_rate_limited_error"
    assert stack.emulator.fire(ids["fine"])["session_id"]
    stack.emulator.faults = Faults()
    stack.emulator.reset_counts()
    return ids
