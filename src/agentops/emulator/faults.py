"""Fault injection for reliability tests: latency, 429s, 5xx, typed API errors, dropped (but
committed) writes, per-minute rate limits, and failing runs."""

from __future__ import annotations

import copy
import math
import random
import threading
from dataclasses import dataclass, field, fields
from typing import Any

from agentops.emulator.errors import ERROR_CODE, RUN_ERROR_NAME, RUN_ERROR_TYPES

# BetaManagedAgentsCredentialValidationStatus
VALIDATION_VERDICTS = ("valid", "invalid", "unknown")


@dataclass
class Faults:
    """Probabilities are per /v1 request; `drop_rate` only applies to POSTs, after they commit,
    and `write_5xx` only to POSTs, before they do (reads keep working while writes fail).

    `writes_per_minute` (POSTs) and `reads_per_minute` (GETs) turn on the rate limiter; 0 is
    unlimited. `run_errors` maps a deployment id (or `*` for all) to the `error.type` its runs
    fail with, e.g. `{"depl_1": "vault_archived_error"}`; a snake_case name ending in `_error`
    that the API does not know yet stands for a type it may add.

    `error_code` makes /v1 requests (of `error_code_method`, or all for `*`) fail with that typed
    API error (`error.details.error_code`, e.g. `approval_required`), the next `error_code_times`
    of them or every one when None; `authorization_check_unavailable` carries `retry_after`.

    `credential_validation` maps a credential id (or `*`) to the verdict `mcp_oauth_validate` gives
    it: `valid` (the default), `invalid` or `unknown`.

    `agent_races` agent updates, the next ones, are each raced by a console edit: just before the
    update is served, the agent's description is changed (a new version), as someone editing it
    between plan and apply would. An update sent with the version it was planned against is then
    refused (409), as the API refuses it.

    `hostile_text` is appended to the text the emulator writes itself (every error's type and message, a failed run's message, run and
    session ids), as an API answer nobody vetted could carry it: for output-escaping tests.
    """

    latency: float = 0.0
    rate_429: float = 0.0
    retry_after: float = 1.0
    rate_5xx: float = 0.0
    write_5xx: float = 0.0
    drop_rate: float = 0.0
    writes_per_minute: float = 0.0
    reads_per_minute: float = 0.0
    run_errors: dict[str, str] = field(default_factory=dict)
    credential_validation: dict[str, str] = field(default_factory=dict)
    error_code: str = ""
    error_code_method: str = "*"
    error_code_times: int | None = None
    hostile_text: str = ""
    agent_races: int = 0
    seed: int | None = None
    _rng: random.Random = field(init=False, repr=False, compare=False)
    _lock: threading.Lock = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)
        self._lock = threading.Lock()
        for name in ("rate_429", "rate_5xx", "write_5xx", "drop_rate"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, got {value}")
        if not isinstance(self.run_errors, dict) or not all(
            isinstance(key, str) and isinstance(value, str) and RUN_ERROR_NAME.fullmatch(value)
            for key, value in self.run_errors.items()
        ):
            raise ValueError(f"run_errors: expected {{deployment id or '*': error type}}; error types: "
                             f"{', '.join(sorted(RUN_ERROR_TYPES))}, or a new one named like them")
        self.run_errors = dict(self.run_errors)  # never shared with the caller's dict
        if not isinstance(self.credential_validation, dict) or not all(
            isinstance(key, str) and value in VALIDATION_VERDICTS for key, value in self.credential_validation.items()
        ):
            raise ValueError(f"credential_validation: expected {{credential id or '*': verdict}}; verdicts: "
                             f"{', '.join(VALIDATION_VERDICTS)}")
        self.credential_validation = dict(self.credential_validation)
        if not isinstance(self.error_code, str) or not (self.error_code == "" or ERROR_CODE.fullmatch(self.error_code)):
            raise ValueError(f"error_code must be a snake_case error code, got {self.error_code!r}")
        if self.error_code_method not in ("*", "GET", "POST"):
            raise ValueError(f"error_code_method must be GET, POST or *, got {self.error_code_method!r}")
        times = self.error_code_times
        if times is not None and (isinstance(times, bool) or not isinstance(times, int) or times < 0):
            raise ValueError(f"error_code_times must be a non-negative integer or null, got {times!r}")
        if isinstance(self.agent_races, bool) or not isinstance(self.agent_races, int) or self.agent_races < 0:
            raise ValueError(f"agent_races must be a non-negative integer, got {self.agent_races!r}")
        if not isinstance(self.hostile_text, str):
            raise ValueError("hostile_text must be a string")
        for name in ("latency", "retry_after", "writes_per_minute", "reads_per_minute"):
            if not 0 <= getattr(self, name) < math.inf:
                raise ValueError(f"{name} must be a non-negative number, got {getattr(self, name)}")

    def roll(self, probability: float) -> bool:
        """True with the given probability; reproducible when `seed` is set."""
        if probability <= 0.0:
            return False
        with self._lock:
            return self._rng.random() < probability

    def take_error_code(self, method: str) -> str | None:
        """The typed error a request of `method` fails with, if any; counts it against `error_code_times`."""
        if not self.error_code or self.error_code_method not in ("*", method):
            return None
        with self._lock:
            if self.error_code_times is None:
                return self.error_code
            if self.error_code_times == 0:
                return None
            self.error_code_times -= 1
            return self.error_code

    def take_agent_race(self) -> bool:
        """Whether the agent update being served is raced by a console edit (counts it)."""
        with self._lock:
            if self.agent_races <= 0:
                return False
            self.agent_races -= 1
            return True

    def to_dict(self) -> dict[str, Any]:
        return {f.name: copy.copy(getattr(self, f.name)) for f in fields(self) if f.init}

    def updated(self, changes: dict[str, Any]) -> Faults:
        """A new Faults with `changes` applied; unknown keys are a ValueError."""
        unknown = sorted(set(changes) - set(self.to_dict()))
        if unknown:
            raise ValueError(f"unknown fault settings: {', '.join(unknown)}")
        return Faults(**{**self.to_dict(), **changes})
