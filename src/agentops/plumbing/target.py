"""Where a command acts: the global flags, as the user gave them."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Target:
    """Where a command acts: the global flags, as given (also repeated in the saved-plan hint)."""

    local: bool = False
    stack: str | None = None
    workspace_id: str | None = None
    env: str | None = None  # --env, else AGENTOPS_ENV: one of the environments agentops.yaml declares
    # How retries wait: tests inject one through the CLI entry (`obj=`) so fault runs need no real waits.
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False, repr=False)

    def flags(self) -> str:
        parts = ["--local"] if self.local else []
        if self.stack:
            parts.append(f"--stack {self.stack}")
        if self.workspace_id:
            parts.append(f"--workspace-id {self.workspace_id}")
        if self.env:
            parts.append(f"--env {self.env}")
        return " ".join(parts)
