"""One stack name (per environment) per repository: the stacks listing and `comment` refuse a
second folder with the same `stack:` and name both folders."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from agentops.plumbing.stacks import clashes
from tests.commands.test_plan_base_ref import git
from tests.fake_github import FakeGitHub, github_env
from tests.stack import STACK, Stack, manifest

PR = 7


def _second_folder(stack: Stack, config: str) -> Path:
    other = stack.root / "team" / "copy"
    (other / "deployments").mkdir(parents=True)
    (other / "agentops.yaml").write_text(config)
    git(stack.root, "init", "-q")
    git(stack.root, "add", ".")
    return other


def test_comment_refuses_a_stack_another_folder_declares(stack: Stack, github: FakeGitHub) -> None:
    stack.write(manifest("job"))
    _second_folder(stack, f"stack: {STACK}\n")
    result = stack.run("comment", str(stack.root), "--pr", str(PR), env=github_env(github))
    assert result.exit_code == 1
    assert f"stack '{STACK}' is declared by both '.' and 'team/copy'" in result.output
    assert github.bodies(PR) == []


def test_the_listing_names_every_clash_and_exits_1(stack: Stack, tmp_path: Path) -> None:
    stack.write(manifest("job"))
    (stack.root / "agentops.yaml").write_text(f"stack: {STACK}\nenvironments: {{staging: {{}}, production: {{}}}}\n")
    _second_folder(stack, f"stack: {STACK}\nenvironments: {{production: {{}}, qa: {{}}}}\n")
    assert clashes(stack.root) == [
        f"stack '{STACK}' (environment 'production') is declared by both '.' and 'team/copy': give each folder "
        "its own `stack:`, or they share one sticky comment and overwrite each other's plan"]
    assert clashes(stack.root, only=(STACK, "staging")) == []
    listing = subprocess.run([sys.executable, "-I", "-c",
                              "import sys; from agentops.plumbing.stacks import main; sys.exit(main())"],
                             cwd=stack.root, capture_output=True, text=True, timeout=60)
    assert listing.returncode == 1 and "(environment 'production')" in listing.stderr
    (stack.root / "team" / "copy" / "agentops.yaml").write_text("stack: team-b\n")
    assert clashes(stack.root) == []
