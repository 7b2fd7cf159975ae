"""`agentops init`: a new stack repository: agentops.yaml, an example manifest and the CI workflows."""

from __future__ import annotations

import json
import re
import sys
from importlib import metadata, resources
from pathlib import Path
from typing import NoReturn

import click

from agentops.cli.app import GlobalOptions, global_options
from agentops.manifest.config import CONFIG_FILE, check_stack

WORKFLOWS = ("agentops-plan.yml", "agentops-apply.yml", "agentops-drift.yml")
# Where each packaged template goes, relative to the new repository's root.
FILES = {
    CONFIG_FILE: "agentops.yaml",
    "deployments/example.yaml": "example.yaml",
    **{f".github/workflows/{name}": name for name in WORKFLOWS},
}


# The distribution's name on the package index (the import package and the command stay `agentops`;
# `agentops` on the index is an unrelated project). The workflows never install it by name.
DISTRIBUTION = "agentops-gitops"
# `uses:` of the agentops action at a full commit: a branch or tag could move under the workflows.
ACTION_PIN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?/[A-Za-z0-9._-]+@[0-9a-f]{40}")
# Angle brackets are never in a GitHub name: a workflow left with this cannot run anything.
PLACEHOLDER = "<OWNER>/<REPO>@<40-hex-commit-sha>"
_GITHUB_REPO = re.compile(r"(?:git\+)?https://github\.com/([^/@]+/[^/@]+?)(?:\.git)?/?")


def template(name: str) -> str:
    return resources.files("agentops").joinpath("templates", name).read_text(encoding="utf-8")


def _fail(message: str) -> NoReturn:
    # Not reconcile.Failure: importing it would load the SDK, which init never needs.
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


def _valid_stack(value: str) -> str:
    try:
        return check_stack(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def _given_stack(value: str) -> str:
    try:
        return check_stack(value)
    except ValueError as exc:
        _fail(f"--stack {value!r}: {exc}")


def pin_from_direct_url(raw: str) -> str | None:
    """OWNER/REPO@SHA from pip's direct_url.json (PEP 610) when it records a GitHub commit."""
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    vcs = data.get("vcs_info") if isinstance(data, dict) else None
    # A subdirectory install is not the action at the repository's root.
    if not isinstance(vcs, dict) or vcs.get("vcs") != "git" or data.get("subdirectory"):
        return None
    repo = _GITHUB_REPO.fullmatch(str(data.get("url", "")))
    pin = f"{repo.group(1)}@{vcs.get('commit_id')}" if repo else ""
    return pin if ACTION_PIN.fullmatch(pin) else None


def installed_pin() -> str | None:
    """The commit this agentops was installed from, if pip installed it from GitHub."""
    try:
        raw = metadata.distribution(DISTRIBUTION).read_text("direct_url.json")
    except metadata.PackageNotFoundError:
        return None
    return pin_from_direct_url(raw) if raw else None


def _valid_pin(value: str) -> str:
    value = value.strip()
    if value and not ACTION_PIN.fullmatch(value):
        raise click.BadParameter(
            f"{value!r} is not OWNER/REPO@SHA with a full 40-character commit SHA "
            "(a branch or tag can move under the workflows)"
        )
    return value


def _action(given: str | None) -> tuple[str, str]:
    """The `uses:` the workflows install agentops from, and where it came from."""
    if given is not None:
        try:
            return _valid_pin(given) or PLACEHOLDER, "--action"
        except click.BadParameter as exc:
            _fail(f"--action: {exc.message}")
    found = installed_pin()
    if found:
        return found, "the commit this agentops was installed from"
    if sys.stdin.isatty():
        answer = click.prompt(
            "The agentops action the workflows install from, as OWNER/REPO@<full commit SHA> "
            "(empty: a placeholder to fill in)",
            default="",
            show_default=False,
            value_proc=_valid_pin,
        )
        if answer:
            return str(answer), "your answer"
    return PLACEHOLDER, ""


def _ask_stack(root: Path) -> str:
    if not sys.stdin.isatty():
        _fail("pass --stack NAME: there is no terminal to ask for the stack name")
    suggestion = "".join(c if c.isalnum() or c in "-_." else "-" for c in root.resolve().name.lower())
    return str(
        click.prompt(
            "Stack name (the ownership scope of these deployments)",
            default=suggestion.strip("-_.") or "main",
            value_proc=_valid_stack,
        )
    )


@click.command("init")
@click.argument("path", type=click.Path(file_okay=False, path_type=Path), default=".")
@click.option("--force", is_flag=True, help="Overwrite files that already exist.")
@click.option(
    "--action",
    metavar="OWNER/REPO@SHA",
    help="The agentops action the workflows install from, at a full commit SHA "
    "(default: the commit this agentops was installed from, else asked or a placeholder).",
)
@global_options
@click.pass_obj
def init(opts: GlobalOptions, /, path: Path, force: bool, action: str | None) -> None:
    """Create agentops.yaml, an example manifest and GitHub workflows in PATH."""
    existing = sorted(rel for rel in FILES if (path / rel).exists())
    if existing and not force:
        _fail(
            "these files already exist: " + ", ".join(existing) + "; nothing was written "
            "(pass --force to overwrite them)"
        )
    stack = _ask_stack(path) if opts.stack is None else _given_stack(opts.stack)
    uses, source = _action(action)
    for rel, name in FILES.items():
        target = path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        text = template(name)
        for key, value in {"{stack}": stack, "{action}": uses}.items():
            text = text.replace(key, value)
        target.write_text(text, encoding="utf-8")
        click.echo(f"{'overwrote' if rel in existing else 'created'} {target}")
    if uses == PLACEHOLDER:
        click.echo(
            f"warning: the workflows install agentops from {PLACEHOLDER}, which GitHub cannot run: "
            "replace it with the agentops repository at a full commit SHA you reviewed "
            "(or pass --action OWNER/REPO@SHA)",
            err=True,
        )
    else:
        click.echo(f"The workflows install agentops from {uses} ({source}).")
    click.echo(
        f"Stack {stack!r} is ready. Next: edit {path / 'deployments/example.yaml'}, then "
        "`agentops validate` and `agentops plan`; or bring existing deployments in with "
        "`agentops import --all`."
    )
