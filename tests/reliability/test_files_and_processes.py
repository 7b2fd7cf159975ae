"""Files and processes an operator or a checkout names: never followed out, never read without a
limit, never outlived; the GitHub token never leaves the configured API host."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from agentops.emulator import seed
from agentops.files import write_atomic
from tests.fake_github import FakeGitHub, github_env, serve_github
from tests.harness import AGENTOPS, POLL, POLL_LIMIT
from tests.stack import TOKEN, Stack, manifest

PR = 7


def test_a_manifests_folder_that_is_a_symlink_out_of_the_repository_is_refused(
    stack: Stack, tmp_path_factory: pytest.TempPathFactory
) -> None:
    outside = tmp_path_factory.mktemp("outside")
    (outside / "stray.yaml").write_text(json.dumps(manifest("stray")))
    folder = stack.root / "deployments"
    for old in folder.iterdir():
        old.unlink()
    folder.rmdir()
    folder.symlink_to(outside, target_is_directory=True)

    result = stack.run("validate", str(stack.root), "--format", "json")
    assert result.exit_code == 1
    (problem,) = json.loads(result.stdout)["problems"]
    assert (problem["file"], problem["path"]) == ("agentops.yaml", "manifests")
    assert "symlink that leads out of the repository" in problem["message"]
    plan = stack.run("plan", str(stack.root))
    assert plan.exit_code == 1
    assert stack.emulator.write_count() == 0


def test_plan_out_refuses_an_existing_symlink_and_leaves_its_target_alone(
    stack: Stack, tmp_path_factory: pytest.TempPathFactory
) -> None:
    stack.write(manifest("job-a"))
    victim = tmp_path_factory.mktemp("outside") / "victim.txt"
    victim.write_text("keep me\n")
    link = stack.root / "plan.json"
    link.symlink_to(victim)

    result = stack.run("plan", str(stack.root), "--out", str(link))
    assert result.exit_code == 1
    assert "is a symlink" in result.stderr and "Traceback" not in result.output
    assert victim.read_text() == "keep me\n"
    assert link.is_symlink()


def test_plan_out_replaces_a_file_whole_and_leaves_no_temporary_behind(stack: Stack) -> None:
    stack.write(manifest("job-a"))
    out = stack.root / "plan.json"
    out.write_text("an older plan")
    assert stack.run("plan", str(stack.root), "--out", str(out)).exit_code == 0
    assert json.loads(out.read_text())["actions"][0]["name"] == "job-a"
    assert sorted(p.name for p in stack.root.iterdir() if p.name.startswith(".plan.json")) == []


def test_write_atomic_never_writes_through_a_symlink(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_text("x")
    (tmp_path / "link").symlink_to(victim)
    with pytest.raises(OSError, match="symlink"):
        write_atomic(tmp_path / "link", "y")
    assert victim.read_text() == "x"


def test_an_event_file_that_is_a_fifo_fails_at_once(stack: Stack, github: FakeGitHub, tmp_path: Path) -> None:
    """Reading a FIFO nobody writes to would block forever; it is refused without opening it."""
    fifo = tmp_path / "event.json"
    os.mkfifo(fifo)
    stack.write(manifest("job-a"))
    env = {**stack.subprocess_env(), **github_env(github, GITHUB_EVENT_PATH=str(fifo), GITHUB_TOKEN=TOKEN)}
    done = subprocess.run([AGENTOPS, "comment", str(stack.root)], env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1].endswith("is a FIFO, not a regular file")
    assert github.requests == []


def test_an_event_file_over_the_limit_is_refused(stack: Stack, github: FakeGitHub, tmp_path: Path) -> None:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": PR}, "padding": "x" * (25 * 1024 * 1024)}))
    stack.write(manifest("job-a"))
    result = stack.run("comment", str(stack.root), env=github_env(github, GITHUB_EVENT_PATH=str(event)))
    assert result.exit_code == 1
    assert "larger than the limit" in result.stderr
    assert github.requests == []


def test_a_seed_over_the_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "seed.json"
    path.write_text(json.dumps({"agents": [{"id": "agent_1", "description": "x" * seed.SEED_LIMIT}]}))
    with pytest.raises(ValueError, match="larger than the limit"):
        seed.load(path)


def test_a_seed_that_is_a_fifo_fails_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "seed.yaml"
    os.mkfifo(fifo)
    done = subprocess.run([AGENTOPS, "emulator", "--seed", str(fifo)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "is a FIFO, not a regular file" in done.stderr
    assert "listening on" not in done.stdout


def _gone(pid: int) -> bool:
    """Exited (a zombie that nobody has reaped yet counts: it runs nothing)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return True
    return state in ("Z", "X")


def _await(condition: str, check: object) -> None:
    deadline = time.monotonic() + POLL_LIMIT
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"timed out waiting for {condition}"
        time.sleep(POLL)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_git_ends_when_agentops_is_killed(tmp_path: Path) -> None:
    """`plan --base-ref` runs git; a SIGKILLed agentops takes its git with it."""
    bin_dir, pid_file = tmp_path / "bin", tmp_path / "git.pid"
    bin_dir.mkdir()
    fake_git = bin_dir / "git"
    fake_git.write_text(f"#!/bin/sh\necho $$ > {pid_file}.tmp && mv {pid_file}.tmp {pid_file}\nexec sleep 300\n")
    fake_git.chmod(0o755)
    root = tmp_path / "repo"
    (root / "deployments").mkdir(parents=True)
    (root / "agentops.yaml").write_text("stack: s\n")
    (root / "deployments" / "a.yaml").write_text(json.dumps(manifest("job-a")))
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    parent = subprocess.Popen([AGENTOPS, "--local", "plan", str(root), "--base-ref", "HEAD"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    child = 0
    try:
        _await("git to start", pid_file.exists)
        child = int(pid_file.read_text())
        assert not _gone(child)
        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=30)
        _await("git to end with its parent", lambda: _gone(child))
    finally:
        with contextlib.suppress(ProcessLookupError):
            parent.kill()
        if child:
            with contextlib.suppress(ProcessLookupError):
                os.kill(child, signal.SIGKILL)


def test_the_github_token_never_follows_a_link_to_another_host(stack: Stack, github: FakeGitHub) -> None:
    with serve_github() as elsewhere:
        github.link_base = elsewhere.url
        for i in range(130):  # two pages: the second one's link names the other host
            github.add(PR, f"chatter {i}")
        stack.write(manifest("job-a"))
        result = stack.run("comment", str(stack.root), "--pr", str(PR), env=github_env(github))
        assert result.exit_code == 1
        assert "the token is only sent to GITHUB_API_URL" in result.stderr
        assert elsewhere.requests == []
        assert [m for m, _ in github.requests if m != "GET"] == []


@pytest.mark.parametrize("url", ["http://[::1", "not a url", "ftp://example.com"])
def test_a_malformed_github_api_url_is_a_one_line_error(stack: Stack, url: str) -> None:
    stack.write(manifest("job-a"))
    result = stack.run("comment", str(stack.root), "--pr", str(PR),
                       env={"GITHUB_API_URL": url, "GITHUB_REPOSITORY": "octo/infra"})
    assert result.exit_code == 1
    assert result.stderr.startswith("error: GITHUB_API_URL"), result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
