"""`plan --base-ref REF`: plan the manifests as they are at a git ref, read through git.

The working tree is never touched: the stack folder at REF is exported with `git archive`
into a temporary folder; the caller loads it from there (labelling is `engine.drift`).
"""

from __future__ import annotations

import ctypes
import io
import os
import signal
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from agentops.manifest.config_schema import CONFIG_FILE


class BaseRefError(Exception):
    """The ref or the repository cannot be read; the message says which and why."""


PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def _dies_with_parent() -> Callable[[], None] | None:
    """A preexec function that makes the child SIGKILLed when this process dies (Linux only).

    Why prctl and not a watchdog: git is a program of its own and cannot watch a pipe, so a
    watchdog would be one more process to outlive us. The kernel's parent-death signal needs
    nothing running. It is set between fork and exec; if the parent died before it was set, the
    child has been re-parented already and leaves at once. Resolved here, before any fork, so the
    child only calls into libc (no import, no symbol lookup). The signal follows the thread that
    started the child: `_git` waits for git in that same thread, so it cannot end first.
    """
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
    prctl.restype = ctypes.c_int
    parent = os.getpid()

    def preexec() -> None:
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)  # unprivileged; nothing to do if refused
        if os.getppid() != parent:
            os._exit(127)

    return preexec


def _git(root: Path, *args: str) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, check=False,
                              preexec_fn=_dies_with_parent())
    except FileNotFoundError:
        raise BaseRefError("--base-ref needs git, and git is not installed") from None
    if done.returncode != 0:
        detail = done.stderr.decode(errors="replace").strip().splitlines()
        raise BaseRefError(
            f"git {args[0]} failed: {detail[-1] if detail else 'exit ' + str(done.returncode)}"
        )
    return done.stdout


def default_branch(start: Path) -> tuple[str, str]:
    """The branch merges land on in the repository holding `start`, and how it was found:
    origin's HEAD, else the branch checked out, else `main`."""
    if not start.is_dir():
        return "main", "no repository here yet"
    for args, prefix, how in (
        (("symbolic-ref", "--quiet", "refs/remotes/origin/HEAD"), "refs/remotes/origin/", "origin's default branch"),
        (("symbolic-ref", "--quiet", "HEAD"), "refs/heads/", "the branch checked out"),
    ):
        try:
            ref = _git(start, *args).decode(errors="replace").strip()
        except BaseRefError:
            continue
        if ref.startswith(prefix) and ref[len(prefix):]:
            return ref[len(prefix):], how
    return "main", "no git repository with a branch here"


def config_files(start: Path) -> tuple[Path, list[str]]:
    """The top of the repository holding `start` and every agentops.yaml git tracks in it, relative
    to the top (`start` and nothing found, outside a repository)."""
    try:
        top = Path(_git(start, "rev-parse", "--show-toplevel").decode().strip())
        listed = _git(top, "ls-files", "-z", "--", CONFIG_FILE, f"**/{CONFIG_FILE}")
    except BaseRefError:
        return start, []
    return top, [name for name in listed.decode(errors="surrogateescape").split("\0") if name]


@contextmanager
def stack_at(root: Path, ref: str) -> Iterator[Path | None]:
    """A temporary copy of the stack folder `root` as of `ref`; None when it did not exist there."""
    try:
        prefix = _git(root, "rev-parse", "--show-prefix").decode().strip()
    except BaseRefError:
        raise BaseRefError(f"--base-ref {ref}: {root} is not inside a git repository") from None
    try:
        _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    except BaseRefError:
        raise BaseRefError(
            f"--base-ref {ref}: no such commit, branch or tag (in CI, fetch it first, e.g. "
            f"`git fetch origin {ref}`)"
        ) from None
    tree = f"{ref}:{prefix}"
    try:
        _git(root, "cat-file", "-e", f"{tree}{CONFIG_FILE}")
    except BaseRefError:
        yield None  # the stack is new in this change
        return
    archive = _git(root, "archive", "--format=tar", tree)
    with tempfile.TemporaryDirectory(prefix="agentops-base-") as tmp:
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            _extract(tar, Path(tmp))
        yield Path(tmp)


def _extract(tar: tarfile.TarFile, folder: Path) -> None:
    """Extract plain files and folders only, none outside `folder` (a ref's tree is untrusted)."""
    if hasattr(tarfile, "data_filter"):
        tar.extractall(folder, filter="data")
        return
    # Python before 3.11.4 has no extraction filters: keep to the same rules by hand.
    safe = [
        member
        for member in tar.getmembers()
        if (member.isfile() or member.isdir())
        and not Path(member.name).is_absolute()
        and ".." not in Path(member.name).parts
    ]
    tar.extractall(folder, members=safe)
