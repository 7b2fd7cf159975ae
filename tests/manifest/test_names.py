"""Names that look alike are warned about; unsafe characters never reach output raw."""

from __future__ import annotations

import json

from click.testing import CliRunner

from agentops.cli import main
from agentops.manifest import load_project
from agentops.model.problems import Problem
from tests.manifest.conftest import Writer

BODY = "agent: agent_1\nenvironment_id: env_1\nprompt: hi\n"


def _validate(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["validate", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def test_cyrillic_lookalike_of_another_name_warns_without_failing(project: Writer) -> None:
    root = project({
        "deployments/latin.yaml": "name: nightly-report\n" + BODY,
        "deployments/cyrillic.yaml": "name: nightly-r\u0435port\n" + BODY,  # U+0435 CYRILLIC SMALL LETTER IE
    })
    code, out, _ = _validate(str(root), "--format", "json")
    report = json.loads(out)
    assert (code, report["valid"], report["problems"]) == (0, True, [])
    by_file: dict[str, list[str]] = {}
    for warning in report["warnings"]:
        by_file.setdefault(warning["file"], []).append(warning["message"])
        assert (warning["line"], warning["path"]) == (1, "name")
    assert any("looks like 'nightly-report' at deployments/latin.yaml:1" in m for m in by_file["deployments/cyrillic.yaml"])
    assert any("mixes Latin and Cyrillic letters (U+0435 CYRILLIC SMALL LETTER IE at character 10)" in m
               for m in by_file["deployments/cyrillic.yaml"])
    assert any("looks like 'nightly-r\u0435port'" in m for m in by_file["deployments/latin.yaml"])


def test_warnings_are_printed_and_counted_in_text(project: Writer) -> None:
    root = project({"deployments/a.yaml": "name: \u0440\u0430y\n" + BODY})  # Cyrillic "ра" then Latin "y"
    code, out, err = _validate(str(root))
    assert code == 0
    assert out.strip() == "1 manifest valid, 1 warning"
    assert err.startswith("warning: deployments/a.yaml:1:7: name: mixes Cyrillic and Latin letters")


def test_distinct_scripts_and_plain_names_do_not_warn(project: Writer) -> None:
    root = project({
        "deployments/a.yaml": "name: \u043e\u0442\u0447\u0451\u0442\n" + BODY,  # all Cyrillic
        "deployments/b.yaml": "name: \u65e5\u6b21-report\n" + BODY,  # CJK with Latin: nothing alike
        "deployments/c.yaml": "name: Report\n" + BODY,
        "deployments/d.yaml": "name: report\n" + BODY,  # case differs: visibly different
    })
    loaded = load_project(root)
    assert (loaded.problems, loaded.warnings) == ([], [])


def test_problem_text_escapes_what_the_manifest_wrote() -> None:
    problem = Problem("deployments/a\x1b[2J.yaml", 3, 1, "metadata.k\u202e", "bad\nPlan: 0 to create", "x\r")
    text = str(problem)
    assert text == "deployments/a\\x1b[2J.yaml:3:1: metadata.k\\u202e: bad\\x0aPlan: 0 to create (x\\x0d)"
    assert text.isprintable()
