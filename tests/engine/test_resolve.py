"""Names to ids as a pure function of listings: unique, missing, ambiguous, archived-only."""

from __future__ import annotations

from agentops.engine.resolve import Ref, resolve, unique_names

LISTINGS = {
    "agent": [
        {"id": "agent_1", "name": "triage-bot", "archived_at": None},
        {"id": "agent_2", "name": "twin", "archived_at": None},
        {"id": "agent_3", "name": "twin", "archived_at": None},
        {"id": "agent_4", "name": "gone", "archived_at": "2026-01-01T00:00:00Z"},
        {"id": "agent_5", "name": "agent_5", "archived_at": None},
    ],
    "vault": [{"id": "vlt_1", "display_name": "gh-creds", "archived_at": None}],
}


def test_each_name_resolves_or_says_why() -> None:
    refs = [Ref("agent", n) for n in ("triage-bot", "twin", "gone", "triage-bt")] + [Ref("vault", "gh-creds")]
    found = resolve(refs, LISTINGS)
    assert found.ids == {Ref("agent", "triage-bot"): "agent_1", Ref("vault", "gh-creds"): "vlt_1"}
    assert "ambiguous" in found.problems[Ref("agent", "twin")] and "agent_2, agent_3" in found.problems[Ref("agent", "twin")]
    assert "is archived (agent_4)" in found.problems[Ref("agent", "gone")]
    assert "did you mean 'triage-bot'?" in found.problems[Ref("agent", "triage-bt")]
    assert found.as_dict() == {"agent": {"triage-bot": "agent_1"}, "vault": {"gh-creds": "vlt_1"}}


def test_import_names_only_unique_real_names() -> None:
    assert unique_names(LISTINGS) == {("agent", "agent_1"): "triage-bot", ("vault", "vlt_1"): "gh-creds"}
