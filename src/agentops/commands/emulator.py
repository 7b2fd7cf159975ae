"""`agentops emulator`: serve the local Deployments API until interrupted."""

from __future__ import annotations

import ipaddress
import signal
import threading
from pathlib import Path
from types import FrameType

from agentops.emulator import EmulatorServer, Faults
from agentops.plumbing.failure import OK, Failure
from agentops.views.terminal import Console


def is_loopback(host: str) -> bool:
    """True only for names and addresses that cannot be reached from another machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name could resolve anywhere


def serve(
    console: Console,
    *,
    host: str,
    port: int,
    db: Path | None,
    strict: bool,
    seed: Path | None,
    faults: Faults,
    federation: Path | None = None,
) -> int:
    """Serve until SIGINT or SIGTERM; the first stdout line is `listening on URL`."""
    if not is_loopback(host):
        console.error(
            f"warning: listening on {host}, not loopback: anyone who can reach this machine can read and "
            "change the emulator's state (it checks no credentials unless --federation binds them); use 127.0.0.1 unless you mean it"
        )
    try:
        server = EmulatorServer(db_path=db, strict=strict, seed=seed, faults=faults, host=host, port=port,
                                federation=federation)
        server.start()
    except (OSError, ValueError) as exc:
        raise Failure(str(exc)) from None
    stopping = threading.Event()

    def _stop(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, _stop)
    console.out(f"listening on {server.url}")
    try:
        stopping.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return OK
