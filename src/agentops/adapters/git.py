"""`plan --base-ref REF`: plan the manifests as they are at a git ref, read through git.

The working tree is never touched: the stack folder at REF is exported with `git archive`
into a temporary folder; the caller loads it from there (labelling is `engine.drift`).
"""

from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from agentops.manifest.config_schema import CONFIG_FILE


class BaseRefError(Exception):
    """The ref or the repository cannot be read; the message says which and why."""


def _git(root: Path, *args: str) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, check=False)
    except FileNotFoundError:
        raise BaseRefError("--base-ref needs git, and git is not installed") from None
    if done.returncode != 0:
        detail = done.stderr.decode(errors="replace").strip().splitlines()
        raise BaseRefError(
            f"git {args[0]} failed: {detail[-1] if detail else 'exit ' + str(done.returncode)}"
        )
    return done.stdout


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
