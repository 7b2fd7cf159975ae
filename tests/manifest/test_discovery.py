"""Which files are manifests: extensions in any case; every other skipped file is a notice."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from agentops.cli import main
from agentops.manifest import load_project
from tests.manifest.conftest import Writer

BODY = "agent: agent_1\nenvironment_id: env_1\n"


def test_extensions_match_in_any_case(project: Writer) -> None:
    root = project({
        "deployments/new-one.YAML": "name: upper-yaml\nprompt: hi\n" + BODY,
        "deployments/b.Yml": "name: mixed-yml\nprompt: hi\n" + BODY,
        "deployments/c.JSON": json.dumps({"name": "upper-json", "prompt": "hi", "agent": "a", "environment_id": "e"}),
        "deployments/d.MD": "---\nname: upper-md\n" + BODY + "---\nBody.\n",
    })
    loaded = load_project(root)
    assert loaded.problems == [] and loaded.notices == []
    assert sorted(m.manifest.name for m in loaded.manifests) == ["mixed-yml", "upper-json", "upper-md", "upper-yaml"]
    md = next(m.manifest for m in loaded.manifests if m.manifest.name == "upper-md")
    assert md.initial_events is not None and "Body." in json.dumps(md.model_dump(mode="json"))


def test_an_upper_case_file_named_alone_is_a_manifest(project: Writer) -> None:
    root = project({"deployments/new-one.YAML": "name: a\nprompt: hi\n" + BODY})
    loaded = load_project(root / "deployments" / "new-one.YAML")
    assert loaded.problems == [] and [m.manifest.name for m in loaded.manifests] == ["a"]


def test_other_files_are_notices_not_errors(project: Writer) -> None:
    root = project({
        "deployments/a.yaml": "name: a\nprompt_file: prompt.txt\n" + BODY,
        "deployments/prompt.txt": "Used by a.yaml, so not skipped.\n",
        "deployments/notes.txt": "todo\n",
        "deployments/team/b.yaml.bak": "old\n",
        "deployments/_drafts/c.txt": "silent: '_' folders are skipped by convention\n",
        "deployments/_scratch.txt": "silent too\n",
        "deployments/.gitkeep": "",
        "deployments/README.md": "# silent\n",
    })
    loaded = load_project(root)
    assert loaded.problems == []
    assert [(n.file, n.message) for n in loaded.notices] == [
        ("deployments/notes.txt", "skipped: not a manifest file (expected .yaml, .yml, .json, .md)"),
        ("deployments/team/b.yaml.bak", "skipped: not a manifest file (expected .yaml, .yml, .json, .md)"),
    ]
    result = CliRunner().invoke(main, ["validate", str(root)])
    assert result.exit_code == 0
    assert result.stdout.strip() == "1 manifest valid, 2 notices"
    assert "notice: deployments/notes.txt:1:1: skipped: not a manifest file" in result.stderr
    report = json.loads(CliRunner().invoke(main, ["validate", str(root), "--format", "json"]).stdout)
    assert report["valid"] is True
    assert [n["file"] for n in report["notices"]] == ["deployments/notes.txt", "deployments/team/b.yaml.bak"]


def test_a_symlinked_folder_is_a_notice(project: Writer, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "x.yaml").write_text("name: x\nprompt: hi\n" + BODY)
    root = project({"deployments/a.yaml": "name: a\nprompt: hi\n" + BODY})
    (root / "deployments" / "linked").symlink_to(elsewhere)
    loaded = load_project(root)
    assert [m.manifest.name for m in loaded.manifests] == ["a"]
    assert [(n.file, n.message) for n in loaded.notices] == [
        ("deployments/linked", "skipped: a symlinked folder is not followed")]
