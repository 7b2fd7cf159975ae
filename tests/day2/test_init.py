"""`agentops init`: a repository that validates at once, and never a silent overwrite."""

from __future__ import annotations

from pathlib import Path

import yaml
from click.testing import CliRunner, Result

from agentops.cli import main
from agentops.cli.init import FILES

REPO = Path(__file__).resolve().parents[2]


def init(*args: str) -> Result:
    return CliRunner().invoke(main, ["init", *args], catch_exceptions=False)


def test_init_then_validate_passes(tmp_path: Path) -> None:
    result = init(str(tmp_path), "--stack", "payments")
    assert result.exit_code == 0, result.output
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file()) == sorted(FILES)
    assert yaml.safe_load((tmp_path / "agentops.yaml").read_text())["stack"] == "payments"
    for workflow in tmp_path.glob(".github/workflows/*.yml"):
        assert "jobs" in yaml.safe_load(workflow.read_text())
    checked = CliRunner().invoke(main, ["validate", str(tmp_path)])
    assert checked.exit_code == 0, checked.output
    assert "1 manifest valid" in checked.stdout


def test_init_twice_does_not_overwrite(tmp_path: Path) -> None:
    assert init(str(tmp_path), "--stack", "payments").exit_code == 0
    config = tmp_path / "agentops.yaml"
    config.write_text("stack: edited\n")
    again = init(str(tmp_path), "--stack", "other")
    assert again.exit_code == 1
    assert "agentops.yaml" in again.stderr and ".github/workflows/agentops-plan.yml" in again.stderr
    assert config.read_text() == "stack: edited\n"

    forced = init(str(tmp_path), "--stack", "other", "--force")
    assert forced.exit_code == 0 and "overwrote" in forced.stdout
    assert yaml.safe_load(config.read_text())["stack"] == "other"


def test_init_partly_existing_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "deployments").mkdir()
    (tmp_path / "deployments" / "example.yaml").write_text("mine\n")
    result = init(str(tmp_path), "--stack", "payments")
    assert result.exit_code == 1 and "deployments/example.yaml" in result.stderr
    assert not (tmp_path / "agentops.yaml").exists()


def test_init_needs_a_stack_without_a_terminal(tmp_path: Path) -> None:
    result = init(str(tmp_path))
    assert result.exit_code == 1 and "pass --stack NAME" in result.stderr
    bad = init(str(tmp_path), "--stack", "Bad Name")
    assert bad.exit_code == 1 and "--stack 'Bad Name'" in bad.stderr
    assert list(tmp_path.iterdir()) == []


# This repository installs agentops from its own checkout; a new stack repository installs the package.
SELF_INSTALL = "run: python -m pip install --quiet .\n"
PACKAGE_INSTALL = (
    "run: python -m pip install --quiet agentops  # pin the version you use, e.g. agentops==0.1.0\n"
)


def test_packaged_workflows_match_the_repository(tmp_path: Path) -> None:
    """The templates are this repository's own workflows (but for the install step); no drifting apart."""
    assert init(str(tmp_path), "--stack", "payments").exit_code == 0
    for name in (rel for rel in FILES if rel.startswith(".github/")):
        ours = (REPO / name).read_text()
        assert SELF_INSTALL in ours, name
        assert (tmp_path / name).read_text() == ours.replace(SELF_INSTALL, PACKAGE_INSTALL), name
