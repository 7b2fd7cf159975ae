"""The report issue body stays under GitHub's limit however many deployments fail."""

from __future__ import annotations

from agentops.engine.health import AUTO_PAUSED, DeploymentHealth, Health
from agentops.engine.plan import Plan
from agentops.views.markdown import COMMENT_LIMIT
from agentops.views.report import render_report, report_marker, report_title


def _broken(index: int) -> DeploymentHealth:
    error = {"type": "vault_archived_error", "message": "x" * 400, "run_id": f"drun_{index}",
             "created_at": "2026-03-01T06:00:00.000Z"}
    return DeploymentHealth(
        f"job-{index:04d}", f"depl_{index}", f"deployments/job-{index:04d}.yaml", AUTO_PAUSED,
        "2026-03-01T00:00:00.000Z", 3, 3, None, error, "vault_archived_error", "restore it " + "y" * 300,
    )


def test_a_huge_report_is_cut_to_fit_and_keeps_both_summaries() -> None:
    health = Health("team-a", None, tuple(_broken(i) for i in range(2000)))
    body = render_report(Plan("team-a", ()), health)
    assert len(body) < COMMENT_LIMIT
    assert body.startswith(report_marker("team-a") + "\n")
    assert "**Health: 0 failing, 2000 auto-paused, 0 healthy.**" in body
    assert "**Plan: 0 to create" in body and "more; run `agentops status`" in body
    assert report_title(Plan("team-a", ()), health) == "agentops: stack team-a: 2000 auto-paused"


def test_a_small_report_shows_every_problem() -> None:
    health = Health("team-a", None, tuple(_broken(i) for i in range(3)))
    body = render_report(Plan("team-a", ()), health)
    assert all(f"job-{i:04d}" in body for i in range(3)) and "more;" not in body
