"""Version policy: which agent version each deployment of the stack should run.

A deployment whose manifest names its agent without a version (`agent: {name: X}`, or an id)
follows the agent: it runs the agent's newest version. One with `version: N` stays on N. The
API pins a version when a deployment is written and never moves it on its own, so a following
deployment is re-pinned by the plan: in the same apply that updates its agent (to the version
that update makes), or when the agent changed outside this plan (a console edit).

Judgement: every agent update re-pins its followers, a metadata-only one (a tag) included. The
API makes a new version for any change, metadata too; a follower left on the old version would
be behind the newest at the next plan and re-pinned then, so the stack would need two applies to
converge. The new version runs exactly what the old one did, so that re-pin changes nothing at
fire time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from agentops.engine.identity import Live, Match


@dataclass(frozen=True)
class Repin:
    """A following deployment to move to `target`; `update`: the address of the agent update that
    makes that version in the same apply (None: the version exists already)."""

    live: Live
    file: str
    agent: Live
    current: int
    target: int
    update: str | None

    @property
    def reason(self) -> str:
        why = "(follows)" if self.update is not None else "(follows; the agent changed outside this plan)"
        return f"agent {label(self.agent)} v{self.current} -> v{self.target} {why}"

    @property
    def patch(self) -> dict[str, Any]:
        return {"agent": {"type": "agent", "id": self.agent.id, "version": self.target}}


def label(agent: Live) -> str:
    """An agent as the plan names it: its manifest name, else its own."""
    return agent.tag_name or agent.name or agent.id


def version(value: Any) -> int | None:
    """The version of an agent reference or object (`{"id": ..., "version": 4}`), if it has one."""
    found = value.get("version") if isinstance(value, Mapping) else None
    return found if isinstance(found, int) and not isinstance(found, bool) else None


def agent_id(value: Any) -> str | None:
    """The agent id of a deployment's `agent` (an id, or a reference object)."""
    found = value.get("id") if isinstance(value, Mapping) else value
    return found if isinstance(found, str) else None


def follow(matches: Iterable[Match], agents: Iterable[Live], updated: Mapping[str, str],
           rewritten: Iterable[str]) -> tuple[list[Repin], list[str]]:
    """The re-pin of each following deployment whose agent this plan updates (`updated`: agent id ->
    the update's address) or that runs behind its agent's newest version, and a warning for each
    pinned deployment behind it. A deployment in `rewritten` (its own update writes `agent`) is left
    to that update."""
    newest = {agent.id: agent for agent in agents}
    skip = set(rewritten)
    repins: list[Repin] = []
    warnings: list[str] = []
    for pair in matches:
        live, want = pair.live, pair.desired
        if live is None or live.id in skip:
            continue
        found = agent_id(live.body.get("agent"))
        if found is None or found not in newest or agent_id(want.body.get("agent")) != found:
            continue  # not an agent listed here, or the deployment moves to another one (its own update)
        agent = newest[found]
        current, latest = version(live.body.get("agent")), version(agent.body)
        if current is None or latest is None:
            continue
        if want.agent_pinned:
            after = latest + 1 if found in updated else latest
            if current < after:
                made = " (made by this apply)" if found in updated else ""
                warnings.append(f"{want.name}: pinned to agent {label(agent)} v{current}, behind its newest "
                                f"v{after}{made}; raise agent.version in its manifest to run the newest")
        elif found in updated:
            repins.append(Repin(live, want.file, agent, current, latest + 1, updated[found]))
        elif current < latest:
            repins.append(Repin(live, want.file, agent, current, latest, None))
    return repins, warnings
