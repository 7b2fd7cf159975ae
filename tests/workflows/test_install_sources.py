"""agentops is installed only from a source pinned to a commit, never by name from the package index.

`agentops` on the index is an unrelated project: a workflow that installed it would run foreign
code with the API key in its environment.
"""

from __future__ import annotations

import re
import shlex
import subprocess
from importlib import metadata
from pathlib import Path

import pytest
import yaml

from agentops.commands.init import DISTRIBUTION

REPO = Path(__file__).resolve().parents[2]
SOURCES = sorted(
    {
        REPO / "README.md",
        REPO / "action.yml",
        REPO / ".pre-commit-hooks.yaml",
        *(REPO / ".github").rglob("*.y*ml"),
        *(REPO / "src" / "agentops" / "templates").iterdir(),
        *(REPO / "docs").glob("*.md"),
    }
)
INSTALL = re.compile(r"\bpip3? install\b(?P<args>[^#`\n]*)")
# The repository's own before-stop hook, verbatim in Python's dialect.
HOOK = re.compile(r"pip install[^#]*(^|\s)agentops([=<>~!]\S*)?(\s|$)")
SHA = re.compile(r"[0-9a-f]{40}")
# Documentation shows where the reader's reviewed commit goes; nothing runs from it.
DOC_PIN = re.compile(r"<40-hex[^>]*>")


def install_targets(line: str) -> list[str]:
    """What each `pip install` on this line installs (options left out)."""
    targets = []
    for match in INSTALL.finditer(line):
        args = re.split(r"&&|;|\|", match.group("args"))[0]
        try:
            words = shlex.split(args)
        except ValueError:
            words = args.split()
        # A requirements or constraints file is no install target: what it pins is (the hashed lock).
        files = {i + 1 for i, word in enumerate(words) if word in ("-r", "--requirement", "-c", "--constraint")}
        targets += [word for i, word in enumerate(words) if not word.startswith("-") and i not in files]
    return targets


def problem(target: str, documentation: bool) -> str | None:
    if target.startswith((".", "/", "$")):
        return None  # a checked-out tree: the commit is the one that runs
    url = re.fullmatch(r"git\+https://[^@\s]+@(?P<ref>.+)", target)
    if url is None:
        return f"{target!r} comes from the package index"
    ref = url.group("ref")
    if SHA.fullmatch(ref) or (documentation and DOC_PIN.fullmatch(ref)):
        return None
    return f"{target!r} is not pinned to a full commit SHA"


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(REPO)))
def test_every_install_is_a_checkout_or_a_pinned_commit(path: Path) -> None:
    documentation = path.suffix == ".md"
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        assert not HOOK.search(line), f"{path.name}:{number} installs the index package: {line}"
        for target in install_targets(line):
            found = problem(target, documentation)
            assert found is None, f"{path.name}:{number}: {found}"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("run: python -m pip install --quiet agentops  # pin it", "from the package index"),
        ("pip install agentops==0.1.0", "from the package index"),
        ("pip install -q agentops-gitops", "from the package index"),
        ('pip install "git+https://github.com/acme/agentops@main"', "not pinned"),
        ('pip install "git+https://github.com/acme/agentops@v1.2.3"', "not pinned"),
        ('pip install "git+https://github.com/acme/agentops@<40-hex sha>"', "not pinned"),
        (f"pip install git+https://github.com/acme/agentops@{'a' * 40}", None),
        ('python -m pip install --quiet "$ACTION_PATH"', None),
        (".venv/bin/pip install -q -e '.[dev]' && agentops plan", None),
        (".venv/bin/pip install --require-hashes -r requirements/dev.lock agentops", "from the package index"),
    ],
)
def test_the_check_itself_tells_index_and_floating_installs_apart(line: str, expected: str | None) -> None:
    problems = [problem(t, documentation=False) for t in install_targets(line)]
    assert problems
    if expected is None:
        assert problems == [None] * len(problems)
    else:
        assert any(p and expected in p for p in problems), problems


def test_the_distribution_has_a_name_of_its_own() -> None:
    assert DISTRIBUTION != "agentops"
    assert metadata.distribution(DISTRIBUTION).metadata["Name"] == DISTRIBUTION
    pyproject = (REPO / "pyproject.toml").read_text()
    assert f'name = "{DISTRIBUTION}"' in pyproject
    assert re.search(r'^agentops = "agentops\.cli:main"$', pyproject, re.M)  # the command stays


def action_step(name: str) -> dict[str, str]:
    action = yaml.safe_load((REPO / "action.yml").read_text())
    return next(s for s in action["runs"]["steps"] if s.get("name") == name)


@pytest.mark.parametrize(
    ("ref", "refused"),
    [("", False), ("0123456789abcdef0123456789abcdef01234567", False), ("main", True), ("v1.2.3", True)],
)
def test_the_action_refuses_a_branch_or_tag(ref: str, refused: bool) -> None:
    script = action_step("Refuse a branch or tag")["run"]
    result = subprocess.run(
        ["bash", "-c", script],
        env={"ACTION_REF": ref, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
    )
    assert result.returncode == (1 if refused else 0)
    if refused:
        assert f"agentops is used at '{ref}'" in result.stdout and "full commit SHA" in result.stdout


def test_the_action_installs_from_its_own_files_and_can_only_install() -> None:
    install = action_step("Install agentops from this action's own files")
    assert install["env"] == {"ACTION_PATH": "${{ github.action_path }}"}
    assert install_targets(install["run"]) == ["$ACTION_PATH"]
    assert (
        action_step("agentops ${{ inputs.command }}")["if"]
        == "inputs.command != 'install' && inputs.command != 'stacks'"
    )
