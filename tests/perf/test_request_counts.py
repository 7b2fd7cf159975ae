"""Plan and apply cost exactly the lower bound of API requests (counted at the emulator).

A plan: ceil(live / 100) list pages (at least one) per managed kind (deployments, agents,
environments: read side by side) plus one lookup per distinct agent, environment and vault
referenced by id, and nothing else (no per-object retrieve; names resolve from the listings).
An apply: that plan, then one request per action (a create or update that also changes status
is two).
Times are not asserted here; `benchmarks/scale.py` reports them.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from typing import Any

from tests.stack import Stack, manifest

N = 250
AGENTS = ("agent_011perfA", "agent_011perfB", "agent_011perfC")
ENVIRONMENTS = ("env_011perfMain", "env_011perfGpu")
VAULTS = ("vlt_011perfShared", "vlt_011perfOps")
LOOKUPS = {
    *(f"/v1/agents/{a}" for a in AGENTS),
    *(f"/v1/environments/{e}" for e in ENVIRONMENTS),
    *(f"/v1/vaults/{v}" for v in VAULTS),
}


def manifests(count: int, **changes: dict[str, Any]) -> list[dict[str, Any]]:
    """`count` manifests sharing a few references; every 50th is paused; `changes` by name."""
    out = []
    for i in range(count):
        agent = AGENTS[i % len(AGENTS)]
        item = manifest(
            f"perf-{i:03d}",
            agent=agent if i % 2 else {"type": "agent", "id": agent, "version": 1},
            environment_id=ENVIRONMENTS[i % len(ENVIRONMENTS)],
            vault_ids=[VAULTS[i % len(VAULTS)]],
            schedule={"expression": f"{i % 60} {i % 24} * * 1-5", "timezone": "UTC"},
            status="paused" if i % 50 == 0 else "active",
        )
        out.append({**item, **changes.get(item["name"], {})})
    return out


def kinds(stack: Stack, expected: set[str] = LOOKUPS) -> Counter[str]:
    """The requests since the last reset, by kind; a lookup only counts if it is one of LOOKUPS."""
    counts: Counter[str] = Counter()
    lookups: list[str] = []
    for method, path, status in stack.emulator.requests:
        assert status == 200, (method, path, status)
        parts = path.strip("/").split("/")
        if parts[1] != "deployments" and method == "GET" and len(parts) == 2:
            counts[f"list {parts[1]}"] += 1
        elif parts[1] != "deployments" and method == "POST":
            counts[f"{'create' if len(parts) == 2 else 'update'} {parts[1]}"] += 1
        elif parts[1] != "deployments":
            lookups.append(path)
            counts["lookup"] += 1
        elif method == "GET":
            counts["list" if len(parts) == 2 else "retrieve"] += 1
        else:
            counts["create" if len(parts) == 2 else parts[3] if len(parts) == 4 else "update"] += 1
    assert sorted(lookups) == sorted(expected)  # each distinct reference by id exactly once
    return counts


def pages(count: int) -> int:
    return max(1, math.ceil(count / 100))


def plan_cost(live: int, agents: int = 0, environments: int = 0, lookups: int = len(LOOKUPS),
              memory_stores: int = 0, skills: int = 0) -> Counter[str]:
    # Every managed kind is listed (one page at least), so an object whose manifest was removed is found;
    # a skill's record is then one download per live skill (none here).
    return +Counter({"list": pages(live), "list agents": pages(agents), "list environments": pages(environments),
                     "list vaults": 1, "list memory_stores": pages(memory_stores), "list skills": pages(skills),
                     "lookup": lookups})


def test_plan_and_apply_cost_exactly_the_lower_bound(stack: Stack) -> None:
    paused = N // 50
    stack.write(*manifests(N))
    result = stack.run("plan", str(stack.root))
    assert result.exit_code == 0, result.output
    # A paused create counts as one create; its pause and schedule steps show under it.
    assert f"Plan: {N} to create, 0 to update, 0 to pause," in result.output
    assert kinds(stack) == plan_cost(0)

    stack.emulator.reset_counts()
    assert stack.apply().exit_code == 0
    # A paused create is three requests: the API creates deployments active, so it is created
    # without its schedule, paused, then given its schedule (never live with a schedule).
    assert kinds(stack) == plan_cost(0) + Counter(create=N, pause=paused, update=paused)

    stack.emulator.reset_counts()
    result = stack.run("plan", str(stack.root), "--detailed-exitcode")
    assert result.exit_code == 0, result.output
    assert kinds(stack) == plan_cost(N)

    # 10 updates, 3 of them also paused; the 5 paused ones active again; 4 manifests removed.
    changed = {f"perf-{i:03d}": {"description": "changed"} for i in range(1, 11)}
    for i in (1, 2, 3):
        changed[f"perf-{i:03d}"]["status"] = "paused"
    for i in range(0, N, 50):
        changed[f"perf-{i:03d}"] = {"status": "active"}
    stack.write(*manifests(N - 4, **changed))
    stack.emulator.reset_counts()
    assert stack.apply().exit_code == 0
    assert kinds(stack) == plan_cost(N) + Counter(update=10, pause=3, unpause=paused, archive=4)

    stack.emulator.reset_counts()
    result = stack.run("plan", str(stack.root), "--detailed-exitcode")
    assert result.exit_code == 0, result.output
    assert kinds(stack) == plan_cost(N - 4)


def test_agents_and_environments_cost_one_listing_per_kind_and_one_write_each(stack: Stack) -> None:
    """150 agents and 20 environments the stack declares, 300 deployments naming them: the names
    resolve from the listings (no lookup), and each object is written once, in its phase."""
    agents, environments, count = 150, 20, 300
    for kind, total in (("agents", agents), ("environments", environments)):
        folder = stack.root / "deployments" / kind
        folder.mkdir()
        for i in range(total):
            body = {"name": f"{kind[:-1]}-{i:03d}"}
            if kind == "agents":
                body["model"] = "claude-sonnet-4-6"
            (folder / f"{i:03d}.yaml").write_text(json.dumps(body))
    jobs = [{**manifest(f"job-{i:03d}", agent={"name": f"agent-{i % agents:03d}"},
                        environment={"name": f"environment-{i % environments:03d}"})} for i in range(count)]
    for job in jobs:
        del job["environment_id"]
    stack.write(*jobs)
    result = stack.run("plan", str(stack.root))
    assert result.exit_code == 0, result.output
    assert kinds(stack, set()) == plan_cost(0, lookups=0)

    stack.emulator.reset_counts()
    assert stack.apply().exit_code == 0
    assert kinds(stack, set()) == plan_cost(0, lookups=0) + Counter(
        {"create environments": environments, "create agents": agents, "create": count})

    stack.emulator.reset_counts()
    result = stack.run("plan", str(stack.root), "--detailed-exitcode")
    assert result.exit_code == 0, result.output
    assert kinds(stack, set()) == plan_cost(count, agents, environments, lookups=0)
