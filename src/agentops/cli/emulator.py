"""`agentops emulator`: serve the local Deployments API until interrupted."""

from __future__ import annotations

import ipaddress
import signal
import threading
from pathlib import Path
from types import FrameType

import click

from agentops.emulator import EmulatorServer, Faults, ratelimit

_probability = click.FloatRange(0.0, 1.0)
_seconds = click.FloatRange(min=0.0)


def is_loopback(host: str) -> bool:
    """True only for names and addresses that cannot be reached from another machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name could resolve anywhere


def _rate_limits(ctx: click.Context, param: click.Parameter, value: str | None) -> dict[str, float]:
    try:
        return {} if value is None else ratelimit.parse(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@click.command("emulator")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=0, show_default=True, type=click.IntRange(0, 65535), help="0 picks a free port.")
@click.option("--db", type=click.Path(dir_okay=False, path_type=Path), help="SQLite state file (default: memory).")
@click.option("--strict", is_flag=True, help="Referenced agents/environments/vaults must be registered.")
@click.option("--seed", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="JSON/YAML registry of agents, environments, vaults (implies --strict).")
@click.option("--latency", type=_seconds, default=0.0, help="Delay before every /v1 response.")
@click.option("--rate-429", type=_probability, default=0.0, help="Probability of a 429.")
@click.option("--retry-after", type=_seconds, default=1.0, show_default=True, help="retry-after of a 429.")
@click.option("--rate-5xx", type=_probability, default=0.0, help="Probability of a 500.")
@click.option("--drop-rate", type=_probability, default=0.0,
              help="Probability that a committed write's response is dropped.")
@click.option("--rate-limit", "rate_limit", callback=_rate_limits, metavar="writes=N/min,reads=M/min",
              help="Per-minute request limits, answered with 429 and retry-after like the API.")
def emulator(
    host: str,
    port: int,
    db: Path | None,
    strict: bool,
    seed: Path | None,
    latency: float,
    rate_429: float,
    retry_after: float,
    rate_5xx: float,
    drop_rate: float,
    rate_limit: dict[str, float],
) -> None:
    """Serve the Deployments API locally; the first stdout line is `listening on URL`."""
    faults = Faults(latency=latency, rate_429=rate_429, retry_after=retry_after,
                    rate_5xx=rate_5xx, drop_rate=drop_rate,
                    writes_per_minute=rate_limit.get("writes", 0.0), reads_per_minute=rate_limit.get("reads", 0.0))
    if not is_loopback(host):
        click.echo(
            f"warning: listening on {host}, not loopback: anyone who can reach this machine can read and "
            "change the emulator's state (it has no authentication); use 127.0.0.1 unless you mean it",
            err=True,
        )
    try:
        server = EmulatorServer(db_path=db, strict=strict, seed=seed, faults=faults, host=host, port=port)
        server.start()
    except (OSError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    stopping = threading.Event()

    def _stop(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, _stop)
    click.echo(f"listening on {server.url}")
    try:
        stopping.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
