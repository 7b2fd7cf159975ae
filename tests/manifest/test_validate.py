"""`agentops validate` / `agentops schema` behaviour, examples, secrets and offline guarantees."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from agentops.cli import main
from agentops.engine.desired import desired
from agentops.engine.secrets import missing_secrets
from agentops.manifest import load_project
from agentops.manifest.schema import Manifest
from tests.manifest.conftest import Writer

REPO = Path(__file__).resolve().parents[2]
MANIFEST = "name: {name}\nagent: agent_1\nenvironment_id: env_1\n"
TOKEN = "ghp_k7Xq2VnR9sLm4TzW8yBc3Fd6Hj1Pa5Ge0Uo"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def test_examples_validate(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REPO_TOKEN", TOKEN)
    monkeypatch.setenv("AGENTOPS_FINGERPRINT_KEY", "a-random-key-0123456789")
    code, out, err = run("validate", str(REPO))
    assert (code, err) == (0, ""), err
    assert out.strip() == "12 manifests valid (2 environments, 5 agents, 5 deployments)"


def test_validate_warns_about_unset_secret_variables_at_their_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REPO_TOKEN", raising=False)
    monkeypatch.setenv("AGENTOPS_FINGERPRINT_KEY", "a-random-key-0123456789")
    code, out, err = run("validate", str(REPO))
    assert code == 0
    assert out.strip() == "12 manifests valid (2 environments, 5 agents, 5 deployments), 1 warning"
    line = next(number for number, text in enumerate(
        (REPO / "deployments" / "nightly-triage.yaml").read_text().splitlines(), 1) if "authorization_token" in text)
    assert err.strip() == (
        f"warning: deployments/nightly-triage.yaml:{line}:26: resources[0].authorization_token: environment variable "
        "REPO_TOKEN is not set (export REPO_TOKEN before plan or apply)")
    monkeypatch.setenv("REPO_TOKEN", "")  # empty counts as unset
    report = json.loads(run("validate", str(REPO), "--format", "json")[1])
    assert report["valid"] is True
    assert [(w["file"], w["line"], w["path"]) for w in report["warnings"]] == [
        ("deployments/nightly-triage.yaml", line, "resources[0].authorization_token")]


def test_the_unkeyed_fingerprint_is_one_warning_at_the_first_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REPO_TOKEN", TOKEN)
    monkeypatch.delenv("AGENTOPS_FINGERPRINT_KEY", raising=False)
    code, out, err = run("validate", str(REPO))
    assert (code, out.strip()) == (0, "12 manifests valid (2 environments, 5 agents, 5 deployments), 1 warning")
    assert err.count("fingerprint is unkeyed") == 1 and "set AGENTOPS_FINGERPRINT_KEY" in err
    assert err.startswith("warning: deployments/nightly-triage.yaml:")


def test_unset_secret_in_a_default_points_into_agentops_yaml(project: Writer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REPO_TOKEN", raising=False)
    root = project({
        "agentops.yaml": "stack: test\ndefaults:\n  resources:\n    - type: github_repository\n"
                         "      url: https://github.com/o/r\n      authorization_token: ${REPO_TOKEN}\n",
        "deployments/a.yaml": MANIFEST.format(name="a") + "prompt: hi\n",
    })
    [problem] = missing_secrets(load_project(root).manifests, {})
    assert (problem.file, problem.line, problem.path) == ("agentops.yaml", 6, "resources[0].authorization_token")


@pytest.mark.parametrize("example", sorted(p.name for p in (REPO / "deployments").glob("*.*") if p.name != "README.md"))
def test_each_example_validates_alone(example: str) -> None:
    code, out, err = run("validate", str(REPO / "deployments" / example))
    assert code == 0, err
    assert "valid" in out


def test_examples_cover_every_feature() -> None:
    # Production holds every example; staging shows that environments change what exists.
    project = load_project(REPO, env="production")
    staging = load_project(REPO, env="staging")
    assert project.problems == staging.problems == []
    manifests = [loaded.manifest for loaded in project.manifests]
    dumped = json.dumps([m.model_dump(mode="json") for m in manifests])
    assert "oncall-handoff" in {m.name for m in manifests} - {loaded.manifest.name for loaded in staging.manifests}
    assert {m.name: m.status for m in manifests}["monthly-dependency-audit"] == "paused"
    assert {loaded.manifest.name: loaded.manifest.status
            for loaded in staging.manifests}["monthly-dependency-audit"] == "active"
    # Agents, environments and vaults are named, so one set of manifests serves both workspaces.
    assert '"agent": {"name": "triage-bot", "version": null}' in dumped  # follows the agent
    # The repository declares its own agents and environments, and a deployment names one by path.
    assert {a.manifest.name for a in project.agents} == {
        "triage-bot", "release-notes-writer", "dependency-auditor", "support-digest", "oncall-writer"}
    assert {e.manifest.name for e in project.environments} == {"default-env", "support-env"}
    assert "oncall-writer" not in {a.manifest.name for a in staging.agents}
    assert any(a.file.endswith(".md") and a.manifest.system for a in project.agents)
    assert '"path": "./agents/oncall-writer.yaml"' in dumped
    assert '"environment": {"name": "default-env"}' in dumped and '"vaults": [{"name": "' in dumped
    assert any(m.status == "paused" for m in manifests)
    assert any(m.schedule and m.schedule.expression.endswith("1-5") for m in manifests)
    assert "${REPO_TOKEN}" in dumped and '"memory_store"' in dumped and '"instructions"' in dumped
    assert '"user.define_outcome"' in dumped and '"rubric"' in dumped
    assert all(key in dumped for key in ('"vault_ids": ["vlt_', '"budget": {', '"metadata": {'))
    assert any(m.lifecycle.prevent_archive or m.lifecycle.ignore_changes for m in manifests)
    assert any(loaded.file.endswith(".md") for loaded in project.manifests)
    assert all(m.initial_events for m in manifests)


def test_markdown_equals_yaml_twin(project: Writer) -> None:
    front = MANIFEST.format(name="twin") + "schedule: {expression: '0 9 * * 1-5', timezone: UTC}\n"
    body = "Summarise yesterday's tickets.\n\n- one line each\n- urgent first"
    events = [{"type": "user.message", "content": [{"type": "text", "text": body}]}]
    root = project({
        "deployments/a/twin.md": f"---\n{front}---\n\n{body}\n\n\n",
        "deployments/b/twin.yaml": front + "initial_events: " + json.dumps(events) + "\n",
    })
    md = load_project(root / "deployments" / "a")
    yml = load_project(root / "deployments" / "b")
    assert md.problems == yml.problems == []
    assert md.partial and yml.partial
    assert md.manifests[0].manifest == yml.manifests[0].manifest


def test_prompt_shorthands_expand(project: Writer) -> None:
    root = project({
        "deployments/a.yaml": MANIFEST.format(name="a") + "prompt: |\n  Do it.\n",
        "deployments/b.yaml": MANIFEST.format(name="b") + "prompt_file: ../prompts/b.txt\n",
        "prompts/b.txt": "\nFrom a file.\n\n",
    })
    project_ = load_project(root)
    assert project_.problems == []
    by_name = {loaded.manifest.name: loaded.manifest for loaded in project_.manifests}
    assert by_name["a"].prompt == "Do it.\n"
    for name, text in (("a", "Do it."), ("b", "From a file.")):
        events = by_name[name].model_dump(mode="json")["initial_events"]
        assert events == [{"type": "user.message", "content": [{"type": "text", "text": text}]}]


def test_no_secret_value_in_any_output(project: Writer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REPO_TOKEN", TOKEN)
    resource = (
        "resources:\n  - type: github_repository\n    url: https://github.com/o/r\n"
        f"    authorization_token: {TOKEN}\n"
    )
    root = project({
        "deployments/a.yaml": MANIFEST.format(name="a") + "prompt: hi\n" + resource,
        "deployments/b.yaml": MANIFEST.format(name="b") + "prompt: hi\n" + resource.replace(
            "    authorization_token", "    authorization_token: [\n    oops"),
        "deployments/c.yaml": MANIFEST.format(name="c") + "prompt: hi\n" + resource.replace(
            f"authorization_token: {TOKEN}", f"authorization_token: {{{TOKEN}: 1}}"),
    })
    outputs = []
    for fmt in ("text", "json"):
        code, out, err = run("validate", str(root), "--format", fmt)
        assert code == 1
        outputs.append(out + err)
    assert "authorization_token" in outputs[0]
    for output in outputs:
        assert TOKEN not in output
        assert TOKEN[:12] not in output


def test_missing_secrets_names_variable_only(project: Writer) -> None:
    resource = (
        "resources:\n  - type: github_repository\n    url: https://github.com/o/r\n"
        "    authorization_token: ${REPO_TOKEN}\n"
        "  - type: github_repository\n    url: https://github.com/o/s\n"
        "    authorization_token: ${REPO_TOKEN}\n"
    )
    root = project({"deployments/a.yaml": MANIFEST.format(name="a") + "prompt: hi\n" + resource})
    loaded = load_project(root)
    assert loaded.problems == []
    (item,) = loaded.manifests
    assert desired(item.manifest, item.file, item.line, "s", {}).unset_secrets == ("REPO_TOKEN",)
    assert desired(item.manifest, item.file, item.line, "s", {"REPO_TOKEN": TOKEN}).unset_secrets == ()


def test_json_output_shape(project: Writer) -> None:
    root = project({"deployments/a.yaml": MANIFEST.format(name="a") + "promt: hi\n"})
    code, out, _ = run("validate", str(root), "--format", "json")
    report = json.loads(out)
    assert code == 1
    assert set(report) == {"format_version", "valid", "manifests", "kinds", "problems", "warnings", "notices"}
    assert report["valid"] is False and report["manifests"] == 0
    assert {"file", "line", "column", "path", "message", "hint", "excerpt"} == set(report["problems"][0])
    hints = [p["hint"] for p in report["problems"] if p["path"] == "promt"]
    assert hints == ["did you mean 'prompt'?"]


def test_all_problems_of_all_files_sorted(project: Writer) -> None:
    root = project({
        "agentops.yaml": "stack: test\nstak: x\n",
        "deployments/z.yaml": MANIFEST.format(name="z") + "prompt: hi\nstatus: off\n",
        "deployments/a.yaml": MANIFEST.format(name="a") + "prompt: hi\nvault_ids: 1\ndescription: 2\n",
        "deployments/m/b.yaml": "name: [\n",
        "deployments/ok.yaml": MANIFEST.format(name="ok") + "prompt: hi\n",
    })
    code, out, err = run("validate", str(root))
    lines = [line for line in err.splitlines() if not line.startswith(" ")]  # not the source excerpts
    assert code == 1
    assert [line.split(":")[0] for line in lines] == [
        "agentops.yaml", "deployments/a.yaml", "deployments/a.yaml", "deployments/m/b.yaml", "deployments/z.yaml",
    ]
    assert out.strip() == "5 problems in 3 of 4 manifest files and agentops.yaml"
    problems = load_project(root).problems
    assert problems == sorted(problems, key=lambda p: (p.file, p.line, p.column))


def test_defaults_merge_under_manifests(project: Writer) -> None:
    root = project({
        "agentops.yaml": (
            "stack: test\ndefaults:\n  environment_id: env_default\n  status: paused\n"
            "  metadata: {team: core, tier: gold}\n  schedule: {timezone: Europe/Berlin}\n"
            "  vault_ids: [vlt_default]\n"
        ),
        "deployments/a.yaml": (
            "name: a\nagent: agent_1\nprompt: hi\nmetadata: {tier: silver}\nvault_ids: [vlt_own]\n"
            "schedule: {expression: '0 9 * * *'}\n"
        ),
        "deployments/b.yaml": "name: b\nagent: agent_1\nenvironment_id: env_own\nprompt: hi\n",
    })
    loaded = load_project(root)
    assert loaded.problems == []
    a, b = (m.manifest for m in sorted(loaded.manifests, key=lambda m: m.manifest.name))
    assert a.environment_id == "env_default" and b.environment_id == "env_own"
    assert a.metadata == {"tier": "silver", "team": "core"}
    assert a.vault_ids == ["vlt_own"]  # lists are replaced, not merged
    assert a.schedule is not None and a.schedule.timezone == "Europe/Berlin"
    assert b.schedule is None  # a default timezone never creates a schedule
    assert a.status == b.status == "paused"


def test_stack_override_and_config(project: Writer) -> None:
    root = project({"agentops.yaml": "stack: from-file\nworkspace_id: wrkspc_1\n"})
    assert load_project(root).config.stack == "from-file"
    assert load_project(root, stack="override").config.stack == "override"
    assert load_project(root).config.workspace_id == "wrkspc_1"
    bad = load_project(root, stack="Not Valid")
    assert [p.path for p in bad.problems] == ["stack"]


def test_partial_load(project: Writer) -> None:
    root = project({
        "deployments/a.yaml": MANIFEST.format(name="a") + "prompt: hi\n",
        "deployments/team/b.yaml": MANIFEST.format(name="b") + "prompt: hi\n",
        "deployments/_drafts/c.yaml": "broken: [\n",
        "deployments/.hidden.yaml": "broken: [\n",
        "deployments/README.md": "# not a manifest\n",
    })
    whole = load_project(root)
    assert not whole.partial and sorted(m.manifest.name for m in whole.manifests) == ["a", "b"]
    assert whole.problems == []
    team = load_project(root / "deployments" / "team")
    assert team.partial and [m.manifest.name for m in team.manifests] == ["b"]
    assert team.root == root.resolve()
    single = load_project(root / "deployments" / "a.yaml")
    assert single.partial and [(m.file, m.line) for m in single.manifests] == [("deployments/a.yaml", 1)]


def test_missing_path_is_a_problem(tmp_path: Path) -> None:
    code, _, err = run("validate", str(tmp_path / "nope"))
    assert code == 1
    assert "no such file or folder" in err


def test_schema_command(tmp_path: Path) -> None:
    code, out, _ = run("schema")
    schema = json.loads(out)
    assert code == 0
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert schema["title"] and "environment_id" in schema["properties"]
    target = tmp_path / "manifest.schema.json"
    assert run("schema", "--out", str(target))[0] == 0
    assert json.loads(target.read_text()) == schema
    assert set(schema["properties"]) == {*Manifest.model_fields, "type"}


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_validate_is_offline() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    env["ANTHROPIC_BASE_URL"] = f"http://127.0.0.1:{_closed_port()}"
    done = subprocess.run(
        [sys.executable, "-c", "from agentops.cli import main; main()", "validate", str(REPO)],
        capture_output=True, text=True, timeout=60, check=False, env=env,
    )
    assert done.returncode == 0, done.stderr
    assert "12 manifests valid" in done.stdout


def test_loader_never_imports_the_sdk() -> None:
    code = (
        "import sys; from pathlib import Path; from agentops.manifest import load_project; "
        f"p = load_project(Path({str(REPO)!r}), env='staging'); assert not p.problems, p.problems; "
        "assert 'anthropic' not in sys.modules and 'httpx' not in sys.modules"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
