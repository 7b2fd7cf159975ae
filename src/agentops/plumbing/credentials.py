"""`plan --validate-credentials`: the API's `mcp_oauth_validate` for each OAuth credential a plan can
probe (engine/credential_checks.py decides which, and what the verdicts mean), side by side."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from agentops.engine import credential_checks
from agentops.engine.plan import Plan
from agentops.engine.vaults import credential_name, credential_places
from agentops.manifest.loader import Project

if TYPE_CHECKING:
    from agentops.adapters.api import Api

PARALLELISM = 4


def validated(plan: Plan, project: Project, api: Api) -> Plan:
    """`plan` with the probes' failures as blockers and their doubts (and what cannot be probed yet) as warnings."""
    types = {credential_name(loaded.manifest.name, item.display_name): item.auth.type
             for loaded in project.vaults for item in loaded.manifest.credentials}
    now, later = credential_checks.probed(plan.actions, types)

    def probe(object_id: str) -> dict[str, Any]:
        return api.validate_credential(object_id)

    with ThreadPoolExecutor(max_workers=PARALLELISM) as pool:
        answers = list(pool.map(probe, [action.id or "" for action in now]))
    blockers, warnings = credential_checks.verdicts(zip(now, answers, strict=True), credential_places(project.vaults))
    return replace(plan, blockers=(*plan.blockers, *blockers),
                   warnings=(*plan.warnings, *warnings, *credential_checks.unprobed(later)))
