"""`plan --base-ref REF`: plan the manifests as they are at a git ref, read through git.

The working tree is never touched: the stack folder at REF is exported with `git archive`
into a temporary folder and loaded from there. The labelling itself is `drift.label`.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from agentops import drift
from agentops.identity import Live
from agentops.manifest.config import CONFIG_FILE
from agentops.manifest.loader import Project, load_project
from agentops.normalize import Desired
from agentops.pipeline import desired_state
from agentops.plan import Options, Plan, build_plan


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


def _base_desired(project: Project, ref: str, environ: Mapping[str, str]) -> tuple[list[Desired], bool, int]:
    """The desired state at `ref`, whether it was partial, and how many problems it had."""
    with stack_at(project.root, ref) as folder:
        if folder is None:
            return [], False, 0
        base = load_project(folder, stack=project.config.stack)
        if base.problems:
            return [], False, len(base.problems)
        return desired_state(base, project.config.stack, environ), base.partial, 0


def label_against(
    plan: Plan, project: Project, ref: str, live: list[Live], options: Options, environ: Mapping[str, str]
) -> Plan:
    """`plan` with each change labelled "from this change" or "drift", by planning `ref` against `live`."""
    wants, partial, problems = _base_desired(project, ref, environ)
    if problems:
        warning = f"the manifests at {ref} have {problems} problem(s); changes are not labelled as drift"
        return replace(plan, warnings=(*plan.warnings, warning))
    base = build_plan(wants, live, replace(options, partial=options.partial or partial))
    return drift.label(plan, base, ref)
