"""Wiring of `agentops emulator`."""

from __future__ import annotations

from pathlib import Path

import click

from agentops.cli.app import GlobalOptions
from agentops.emulator import Faults, ratelimit

_probability = click.FloatRange(0.0, 1.0)
_seconds = click.FloatRange(min=0.0)


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
@click.option("--federation", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="JSON/YAML Workload Identity Federation setup: issuers (JWKS), rules (subject prefix to "
                   "workspaces), token lifetime, workspace-bound API keys. Serves POST /v1/oauth/token.")
@click.pass_context
def emulator(
    ctx: click.Context,
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
    federation: Path | None,
) -> int:
    """Serve the Deployments API locally; the first stdout line is `listening on URL`."""
    from agentops.commands.emulator import serve

    faults = Faults(latency=latency, rate_429=rate_429, retry_after=retry_after,
                    rate_5xx=rate_5xx, drop_rate=drop_rate,
                    writes_per_minute=rate_limit.get("writes", 0.0), reads_per_minute=rate_limit.get("reads", 0.0))
    opts = ctx.find_object(GlobalOptions) or GlobalOptions()
    return serve(opts.console(), host=host, port=port, db=db, strict=strict, seed=seed, faults=faults,
                 federation=federation)
