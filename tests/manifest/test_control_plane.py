"""Vaults (with credentials), skills and memory stores as manifests: what each loads as, every
problem at once at its file:line and field path, secrets never echoed, references by name or path."""

from __future__ import annotations

import json
import os
from pathlib import Path

from click.testing import CliRunner

from agentops.cli import main
from agentops.manifest import load_project
from agentops.manifest.schema import (
    ByName,
    MemoryStoreByName,
    MemoryStoreByPath,
    SkillByName,
    SkillByPath,
    VaultByPath,
)
from agentops.model import skillfiles
from agentops.model.kinds import MAX_SKILL_UPLOAD
from tests.manifest.conftest import Writer
from tests.stack import Stack, manifest

VAULT = """\
display_name: github
metadata: {team: infra}
credentials:
  - display_name: mcp
    auth: {type: static_bearer, token: "${GITHUB_MCP_TOKEN}", mcp_server_url: "https://mcp.github.com/sse"}
  - display_name: linear
    auth:
      type: mcp_oauth
      access_token: ${LINEAR_ACCESS}
      mcp_server_url: https://mcp.linear.app/sse
      refresh:
        client_id: agentops
        refresh_token: ${LINEAR_REFRESH}
        token_endpoint: https://linear.app/oauth/token
        token_endpoint_auth: {type: client_secret_basic, client_secret: "${LINEAR_CLIENT_SECRET}"}
  - display_name: npm
    auth:
      type: environment_variable
      secret_name: NPM_TOKEN
      secret_value: ${NPM_PUBLISH_TOKEN}
      networking: {type: limited, allowed_hosts: [registry.npmjs.org]}
lifecycle: {prevent_archive: true}
"""
SKILL = "---\nname: triage\ndescription: Triage new issues.\n---\n# Triage\n"
DEPLOYMENT = "name: {name}\nagent: agent_1\nenvironment_id: env_1\nprompt: Go.\n"
LITERALS = ("ghp_LiteralToken0123456789", "plain-refresh-value", "client-secret-value", "hunter2-value")


def _validate(root: Path) -> tuple[int, dict[str, object], str]:
    result = CliRunner().invoke(main, ["validate", str(root), "--format", "json"])
    text = CliRunner().invoke(main, ["validate", str(root)])
    return result.exit_code, json.loads(result.stdout), text.stdout + text.stderr


def test_a_vault_a_skill_and_a_memory_store_load_with_their_shapes(project: Writer) -> None:
    root = project({
        "deployments/vaults/github.yaml": VAULT,
        "deployments/skills/triage/SKILL.md": SKILL,
        "deployments/skills/triage/scripts/run.sh": "echo hi\n",
        "deployments/memory_stores/notes.md": "---\nname: notes\nmetadata: {owner: sre}\n---\n\nWhat we learnt.\n",
    })
    loaded = load_project(root)
    assert loaded.problems == []
    assert loaded.counts() == {"environment": 0, "vault": 1, "skill": 1, "memory_store": 1, "agent": 0,
                               "deployment": 0}
    vault = loaded.vaults[0]
    assert (vault.manifest.display_name, vault.file, vault.line) == ("github", "deployments/vaults/github.yaml", 1)
    assert [c.display_name for c in vault.manifest.credentials] == ["mcp", "linear", "npm"]
    assert vault.manifest.lifecycle.prevent_archive is True
    assert vault.secrets_at == {
        "credentials[0].auth.token": ("deployments/vaults/github.yaml", 5, 40),
        "credentials[1].auth.access_token": ("deployments/vaults/github.yaml", 9, 21),
        "credentials[1].auth.refresh.refresh_token": ("deployments/vaults/github.yaml", 13, 24),
        "credentials[1].auth.refresh.token_endpoint_auth.client_secret": ("deployments/vaults/github.yaml", 15, 73),
        "credentials[2].auth.secret_value": ("deployments/vaults/github.yaml", 20, 21),
    }
    skill = loaded.skills[0]
    assert (skill.name, skill.folder, skill.file, skill.files) == (
        "triage", "deployments/skills/triage", "deployments/skills/triage/SKILL.md", ("SKILL.md", "scripts/run.sh"))
    assert skill.size == len(SKILL) + len("echo hi\n")
    assert skill.digest == skillfiles.digest([("SKILL.md", SKILL.encode()), ("scripts/run.sh", b"echo hi\n")])
    store = loaded.memory_stores[0].manifest
    assert (store.name, store.description, store.metadata) == ("notes", "What we learnt.", {"owner": "sre"})


def test_every_literal_secret_is_refused_at_its_line_and_never_echoed(project: Writer) -> None:
    vault = (VAULT.replace('"${GITHUB_MCP_TOKEN}"', LITERALS[0]).replace("${LINEAR_REFRESH}", LITERALS[1])
             .replace('"${LINEAR_CLIENT_SECRET}"', LITERALS[2]).replace("${NPM_PUBLISH_TOKEN}", LITERALS[3]))
    root = project({"deployments/vaults/github.yaml": vault})
    code, report, text = _validate(root)
    assert code == 1
    literal = [(p["line"], p["path"]) for p in report["problems"]  # type: ignore[attr-defined]
               if "not a literal value" in p["message"]]
    assert literal == [(5, "credentials[0].auth.token"), (13, "credentials[1].auth.refresh.refresh_token"),
                       (15, "credentials[1].auth.refresh.token_endpoint_auth.client_secret"),
                       (20, "credentials[2].auth.secret_value")]
    for secret in LITERALS:
        assert secret not in json.dumps(report) and secret not in text


def test_a_literal_in_a_line_that_breaks_yaml_is_masked_in_the_excerpt(project: Writer) -> None:
    root = project({"deployments/vaults/v.yaml": 'display_name: v\ncredentials:\n  - {display_name: a, auth: '
                                                 '{type: static_bearer, secret_value: "hunter2-value}\n'})
    code, report, text = _validate(root)
    assert code == 1 and "hunter2-value" not in json.dumps(report) + text


def test_every_credential_problem_at_once(project: Writer) -> None:
    root = project({"agentops.yaml": "stack: test\nenvironments: {prod: {}}\n", "deployments/vaults/v.yaml": """\
display_name: v
metadata: {agentops.stack: x}
credentials:
  - display_name: a
    metadata: {agentops.secrets: x}
    auth: {type: static_bearer, token: "${ANTHROPIC_API_KEY}", mcp_server_url: "https://u:p@mcp.example.com"}
  - display_name: a
    auth: {type: static_bearer, token: "${var.token}", mcp_server_url: "https://mcp.example.com"}
  - display_name: b
    auth: {type: static_bearer, token: "${B}", mcp_server_url: "https://mcp.example.com"}
  - display_name: c
    auth: {type: environment_variable, secret_name: X, secret_value: "${C}", networking: {type: limited, allowed_hosts: []}}
  - display_name: d
    auth: {type: environment_variable, secret_name: X, secret_value: "${D}", networking: {type: unrestricted}}
  - display_name: e
    auth: {type: bearer}
"""})
    code, report, _ = _validate(root)
    assert code == 1
    found = {(p["line"], p["path"]) for p in report["problems"]}  # type: ignore[attr-defined]
    assert found == {
        (2, "metadata.agentops.stack"), (5, "credentials[0].metadata.agentops.secrets"),
        (6, "credentials[0].auth.token"), (6, "credentials[0].auth.mcp_server_url"),
        (7, "credentials[1].display_name"), (8, "credentials[1].auth.token"),
        (10, "credentials[2].auth.mcp_server_url"), (12, "credentials[3].auth.networking.allowed_hosts"),
        (14, "credentials[4].auth.secret_name"), (16, "credentials[5].auth"),
    }


def test_a_vault_takes_variables_environments_and_overrides(project: Writer) -> None:
    root = project({
        "agentops.yaml": "stack: test\nenvironments:\n  staging: {vars: {host: staging.example.com}}\n"
                         "  prod: {vars: {host: example.com}}\n",
        "deployments/vaults/v.yaml": (
            "display_name: api-${var.host}\ncredentials:\n  - display_name: key\n    auth:\n"
            "      type: environment_variable\n      secret_name: API_KEY\n      secret_value: ${API_KEY}\n"
            "      networking: {type: limited, allowed_hosts: ['${var.host}']}\n"
            "overrides: {prod: {lifecycle: {prevent_archive: true}}}\n"),
        "deployments/vaults/only-prod.yaml": "display_name: only\nenvironments: [prod]\n",
    })
    staging, prod = load_project(root, env="staging"), load_project(root, env="prod")
    assert staging.problems == prod.problems == []
    assert [v.manifest.display_name for v in staging.vaults] == ["api-staging.example.com"]
    assert sorted(v.manifest.display_name for v in prod.vaults) == ["api-example.com", "only"]
    prod_vault = next(v.manifest for v in prod.vaults if v.manifest.display_name == "api-example.com")
    assert prod_vault.lifecycle.prevent_archive is True
    assert prod_vault.credentials[0].auth.networking.allowed_hosts == ["example.com"]  # type: ignore[union-attr]


def test_names_are_unique_per_kind_and_a_markdown_vault_body_is_refused(project: Writer) -> None:
    root = project({
        "deployments/vaults/a.yaml": "display_name: same\n",
        "deployments/vaults/b.md": "---\ndisplay_name: same\n---\nProse with nowhere to go.\n",
        "deployments/memory_stores/a.yaml": "name: same\n",
        "deployments/memory_stores/b.yaml": "name: same\ndescription: x\n",
        "deployments/memory_stores/c.md": "---\nname: c\ndescription: d\n---\nand a body\n",
        "deployments/skills/one/SKILL.md": SKILL,
        "deployments/skills/two/SKILL.md": SKILL,
    })
    code, report, _ = _validate(root)
    assert code == 1
    found = {(p["file"], p["line"], p["path"], p["message"].split(",")[0])
             for p in report["problems"]}  # type: ignore[attr-defined]
    assert found == {
        ("deployments/vaults/a.yaml", 1, "display_name", "duplicate name 'same'"),
        ("deployments/vaults/b.md", 2, "display_name", "duplicate name 'same'"),
        ("deployments/vaults/b.md", 2, "", "a vault has no description"),
        ("deployments/memory_stores/a.yaml", 1, "name", "duplicate name 'same'"),
        ("deployments/memory_stores/b.yaml", 1, "name", "duplicate name 'same'"),
        ("deployments/memory_stores/c.md", 3, "description", "description and the Markdown body are mutually exclusive"),
        ("deployments/skills/one/SKILL.md", 2, "name", "duplicate name 'triage'"),
        ("deployments/skills/two/SKILL.md", 2, "name", "duplicate name 'triage'"),
    }


def test_skill_problems_name_the_file(project: Writer, tmp_path: Path) -> None:
    (tmp_path / "outside.txt").write_text("not in the repository\n")
    root = project({
        "deployments/skills/claude-helper/SKILL.md": "---\nname: claude-helper\ndescription: <b>bold</b>\n---\n",
        "deployments/skills/Folder_Name/SKILL.md": "---\ndescription: named after its folder\n---\n",
        "deployments/skills/big/SKILL.md": "---\nname: big\ndescription: too big\n---\n",
        "deployments/skills/big/data.bin": b"\0" * (MAX_SKILL_UPLOAD + 1),
        "deployments/skills/linked/SKILL.md": "---\nname: linked\ndescription: a link\n---\n",
        "deployments/skills/loose.yaml": "name: loose\n",
    })
    os.symlink(tmp_path / "outside.txt", root / "deployments/skills/linked/leak.txt")
    code, report, _ = _validate(root)
    assert code == 1
    found = {(p["file"], p["line"], p["path"]) for p in report["problems"]}  # type: ignore[attr-defined]
    assert found == {
        ("deployments/skills/claude-helper/SKILL.md", 2, "name"),
        ("deployments/skills/claude-helper/SKILL.md", 3, "description"),
        ("deployments/skills/Folder_Name/SKILL.md", 2, "name"),
        ("deployments/skills/big/SKILL.md", 2, ""),
        ("deployments/skills/linked/leak.txt", 1, ""),
        ("deployments/skills/loose.yaml", 1, ""),
    }


def test_a_skill_without_a_name_is_named_after_its_folder(project: Writer) -> None:
    root = project({"deployments/team/pr-summary/SKILL.md": "---\ndescription: Summaries.\n---\n"})
    loaded = load_project(root)
    assert loaded.problems == []
    assert [(skill.name, skill.folder) for skill in loaded.skills] == [("pr-summary", "deployments/team/pr-summary")]


def test_references_by_path_resolve_to_names(project: Writer) -> None:
    root = project({
        "deployments/vaults/github.yaml": VAULT,
        "deployments/skills/triage/SKILL.md": SKILL,
        "deployments/stores/notes.yaml": "type: memory_store\nname: team-notes\n",
        "deployments/agents/a.yaml": ("name: a\nmodel: claude-opus-5\nskills:\n  - ../skills/triage/\n"
                                      "  - ../skills/triage/SKILL.md\n  - {name: other, version: '3'}\n"),
        "deployments/job.yaml": DEPLOYMENT.format(name="job") + (
            "vaults: [./vaults/github.yaml, {name: shared}]\nresources:\n"
            "  - {type: memory_store, memory_store: ./stores/notes.yaml, access: read_only}\n"
            "  - {type: memory_store, memory_store: {name: archive}}\n  - {type: memory_store, memory_store_id: m_1}\n"),
    })
    loaded = load_project(root)
    assert loaded.problems == []
    job = loaded.manifests[0]
    assert job.manifest.vaults == [VaultByPath(path="./vaults/github.yaml", name="github"), ByName(name="shared")]
    resources = job.manifest.resources or []
    assert isinstance(resources[0], MemoryStoreByName) and resources[0].memory_store == MemoryStoreByPath(
        path="./stores/notes.yaml", name="team-notes")
    assert isinstance(resources[1], MemoryStoreByName) and resources[1].memory_store == ByName(name="archive")
    assert job.refs_at == {"vaults[0]": "deployments/job.yaml:5",
                           "vaults[1]": "deployments/job.yaml:5", "resources[0].memory_store": "deployments/job.yaml:7",
                           "resources[1].memory_store": "deployments/job.yaml:8"}
    agent = loaded.agents[0]
    assert agent.manifest.skills == [SkillByPath(path="../skills/triage/", name="triage"),
                                     SkillByPath(path="../skills/triage/SKILL.md", name="triage"),
                                     SkillByName(name="other", version="3")]
    assert agent.refs_at == {f"skills[{i}]": f"deployments/agents/a.yaml:{4 + i}" for i in range(3)}


def test_an_unknown_path_is_reported_where_it_is_written_with_did_you_mean(project: Writer) -> None:
    root = project({
        "deployments/vaults/github.yaml": VAULT,
        "deployments/skills/triage/SKILL.md": SKILL,
        "deployments/skills/empty/notes.txt": "no SKILL.md here\n",
        "deployments/memory_stores/notes.yaml": "name: notes\n",
        "deployments/agents/a.yaml": "name: a\nmodel: claude-opus-5\nskills: [../skills/triag/, ../skills/empty/]\n",
        "deployments/job.yaml": DEPLOYMENT.format(name="job") + (
            "vaults: [./vaults/githb.yaml, ./memory_stores/notes.yaml]\n"
            "resources: [{type: memory_store, memory_store: ./memory_stores/note.yaml}]\n"
            "vault_ids: [vlt_1]\n"),
    })
    code, report, _ = _validate(root)
    assert code == 1
    found = {(p["file"], p["line"], p["path"], p["message"]) for p in report["problems"]}  # type: ignore[attr-defined]
    assert found == {
        ("deployments/agents/a.yaml", 3, "skills[0]",
         "file not found: deployments/skills/triag; did you mean 'triage'?"),
        ("deployments/agents/a.yaml", 3, "skills[1]", "deployments/skills/empty holds no SKILL.md, so it is no skill"),
        ("deployments/job.yaml", 5, "vaults[0]",
         "file not found: deployments/vaults/githb.yaml; did you mean 'github.yaml'?"),
        ("deployments/job.yaml", 5, "vaults[1]", "deployments/memory_stores/notes.yaml declares a memory store, not a vault"),
        ("deployments/job.yaml", 6, "resources[0].memory_store",
         "file not found: deployments/memory_stores/note.yaml; did you mean 'notes.yaml'?"),
    }


def test_schema_and_validate_cover_the_new_kinds(project: Writer) -> None:
    for kind, title in (("vault", "agentops vault manifest"), ("memory_store", "agentops memory store manifest"),
                        ("skill", "SKILL.md front matter (agentops skill)")):
        result = CliRunner().invoke(main, ["schema", "--kind", kind])
        assert result.exit_code == 0 and json.loads(result.stdout)["title"] == title
    root = project({"deployments/vaults/v.yaml": "display_name: v\n", "deployments/skills/s/SKILL.md": SKILL,
                    "deployments/memory_stores/m.yaml": "name: m\n", "deployments/d.yaml": DEPLOYMENT.format(name="d")})
    result = CliRunner().invoke(main, ["validate", str(root)])
    assert result.exit_code == 0
    assert "4 manifests valid (1 vault, 1 skill, 1 memory store, 1 deployment)" in result.stdout


def test_plan_plans_vaults_and_skills_with_no_checked_but_not_applied_warning(stack: Stack) -> None:
    folder = stack.root / "deployments"
    (folder / "vaults").mkdir()
    (folder / "vaults" / "v.yaml").write_text("display_name: v\n")
    (folder / "skills" / "s").mkdir(parents=True)
    (folder / "skills" / "s" / "SKILL.md").write_text(SKILL)
    stack.write(manifest("job"))
    planned = stack.plan_json()
    assert not any("checked but not applied" in warning for warning in planned["warnings"])
    assert [a["address"] for a in planned["actions"]] == ["vault.v", "skill.triage", "deployment.job"]


def test_a_path_in_vault_ids_is_pointed_to_vaults(project: Writer) -> None:
    root = project({"deployments/vaults/v.yaml": "display_name: v\n", "deployments/job.yaml": DEPLOYMENT.format(
        name="job") + "vault_ids: [vlt_1, ./vaults/v.yaml]\n"})
    code, report, _ = _validate(root)
    assert code == 1
    assert [(p["line"], p["path"], "vaults:" in p["message"])
            for p in report["problems"]] == [(5, "vault_ids[1]", True)]  # type: ignore[attr-defined]
