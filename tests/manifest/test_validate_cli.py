"""`agentops validate` for newcomers: source excerpts, several paths, plain words for missing ones."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from agentops.cli import main
from tests.manifest.conftest import Writer

BODY = "agent: agent_1\nenvironment_id: env_1\nprompt: hi\n"
TOKEN = "ghp_k7Xq2VnR9sLm4TzW8yBc3Fd6Hj1Pa5Ge0Uo"


def _validate(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["validate", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def test_yaml_syntax_error_shows_the_line_and_a_caret(project: Writer) -> None:
    root = project({"deployments/a.yaml": "name: a\n" + BODY + "schedule:\n  expression: '0 9 * * *'\n\ttimezone: UTC\n"})
    code, _, err = _validate(str(root))
    assert code == 1
    assert err.splitlines()[:3] == [
        "deployments/a.yaml:7:1: invalid YAML: while scanning for the next token, found character that cannot "
        "start any token (YAML does not allow tabs for indentation; use spaces)",
        "    \\x09timezone: UTC",
        "    ^",
    ]


def test_caret_points_at_the_column(project: Writer) -> None:
    root = project({"deployments/a.yaml": "name: a\n" + BODY + "metadata: {team: [x}\n"})
    code, _, err = _validate(str(root))
    source, caret = err.splitlines()[1:3]
    assert code == 1 and source == "    metadata: {team: [x}"
    assert source[caret.index("^")] == "}"


def test_excerpt_never_quotes_a_literal_token(project: Writer) -> None:
    manifest = ("name: a\n" + BODY + "resources:\n  - type: github_repository\n    url: https://github.com/o/r\n"
                f"    authorization_token: {TOKEN} ]\n")
    root = project({
        "deployments/a.yaml": manifest,
        "deployments/b.json": '{"name": "b", "resources": [{"authorization_token": "' + TOKEN + '" "x": 1}]}',
        "deployments/c.yaml": f"name: c\ndescription: [{TOKEN}\n",
    })
    for fmt in ("text", "json"):
        code, out, err = _validate(str(root), "--format", fmt)
        assert code == 1
        assert TOKEN not in out + err and TOKEN[4:12] not in out + err
    report = json.loads(_validate(str(root), "--format", "json")[1])
    assert {p["file"]: p["excerpt"] for p in report["problems"]}["deployments/b.json"] == (
        '{"name": "b", "resources": [{"authorization_token": *** "x": 1}]}')


def test_several_files_are_checked_together(project: Writer) -> None:
    root = project({
        "deployments/a.yaml": "name: same\n" + BODY,
        "deployments/sub/b.yaml": "name: same\n" + BODY,
        "deployments/c.yaml": "name: [broken\n",
    })
    code, out, err = _validate(str(root / "deployments/a.yaml"), str(root / "deployments/sub/b.yaml"))
    assert code == 1
    assert "duplicate name 'same', also used at deployments/sub/b.yaml:1" in err
    assert "c.yaml" not in err
    assert out.strip() == "2 problems in 2 of 2 manifest files"  # agentops.yaml is not one
    code, out, _ = _validate(str(root / "deployments/a.yaml"))
    assert (code, out.strip()) == (0, "1 manifest valid")


def test_a_missing_path_says_so(project: Writer, tmp_path: Path) -> None:
    root = project({"deployments/a.yaml": "name: a\n" + BODY})
    code, _, err = _validate(str(root / "deployments/a.yaml"), str(root / "deployments/typo.yaml"))
    assert code == 1
    assert err.strip() == f"{root / 'deployments/typo.yaml'}:1:1: no such file or folder"
    code, _, err = _validate(str(tmp_path / "nowhere"))
    assert code == 1 and err.strip() == f"{tmp_path / 'nowhere'}:1:1: no such file or folder"


def test_a_file_of_another_project_is_refused(project: Writer, tmp_path: Path) -> None:
    root = project({"deployments/a.yaml": "name: a\n" + BODY})
    other = tmp_path / "other"
    (other / "deployments").mkdir(parents=True)
    (other / "agentops.yaml").write_text("stack: other\n")
    (other / "deployments" / "b.yaml").write_text("name: b\n" + BODY)
    code, _, err = _validate(str(root / "deployments/a.yaml"), str(other / "deployments/b.yaml"))
    assert code == 1
    assert f"belongs to another project than {root}" in err


def test_every_reported_item_has_file_line_column_keys(project: Writer) -> None:
    root = project({
        "deployments/a.yaml": "name: a\n" + BODY + "statu: paused\n",
        "deployments/b.yaml": "name: r\u0435port\n" + BODY,  # a warning (mixed scripts)
        "deployments/notes.txt": "a notice\n",
        "deployments/c.json": "{\n  \"name\": \n}\n",
    })
    report = json.loads(_validate(str(root), "--format", "json")[1])
    items = report["problems"] + report["warnings"] + report["notices"]
    assert {len(report[key]) > 0 for key in ("problems", "warnings", "notices")} == {True}
    for item in items:
        assert isinstance(item["file"], str) and ":" not in item["file"]
        assert isinstance(item["line"], int) and isinstance(item["column"], int)
        assert item["line"] >= 1 and item["column"] >= 1
    assert ("deployments/c.json", 3, 1) in {(i["file"], i["line"], i["column"]) for i in items}


def test_a_file_outside_the_manifests_folder_is_an_error_not_a_false_green(project: Writer) -> None:
    root = project({
        "deployments/a.yaml": "name: a\n" + BODY,
        "broken.yaml": "name: x\nagent: [\n",
        "local-seed.yaml": "agents: []\n",
        ".github/workflows/ci.yml": "on: push\n",
    })
    for given in ("broken.yaml", "local-seed.yaml", ".github/workflows/ci.yml", ".github"):
        code, out, err = _validate(str(root / given))
        assert code == 1, (given, out)
        assert f"{given}:1:1: outside the manifests folder 'deployments'" in err, err
        assert "valid" not in out
    assert _validate(str(root))[0] == 0
    assert _validate(str(root / "agentops.yaml"))[0] == 0
    assert _validate(str(root / "deployments" / "a.yaml"))[0] == 0
