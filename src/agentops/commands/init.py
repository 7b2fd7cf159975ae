"""`agentops init`: a new stack repository: agentops.yaml, an example deployment with the agent and
environment it runs, a seed for `--local` and the CI workflows."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Mapping, Sequence
from importlib import metadata, resources
from pathlib import Path

from agentops.adapters.git import default_branch
from agentops.manifest.config_schema import CONFIG_FILE, check_stack
from agentops.plumbing.failure import OK, Failure
from agentops.views.terminal import Console

WORKFLOWS = ("agentops-plan.yml", "agentops-apply.yml", "agentops-promote.yml", "agentops-drift.yml")
# One job of agentops-promote.yml, repeated per environment.
STAGE = "agentops-stage.yml.part"
LOCAL_SEED = "local-seed.yaml"
# Where each packaged template goes, relative to the new repository's root.
FILES = {
    CONFIG_FILE: "agentops.yaml",
    "deployments/example.yaml": "example.yaml",
    # The agent and environment the example runs, declared by the stack and created by its apply.
    "deployments/agents/example-agent.yaml": "example-agent.yaml",
    "deployments/environments/example-environment.yaml": "example-environment.yaml",
    # What `agentops --local` starts with besides (agentops.yaml names it): empty, with how to fill it.
    LOCAL_SEED: LOCAL_SEED,
    **{f".github/workflows/{name}": name for name in WORKFLOWS},
}
# With --environments: the same files, agentops.yaml and the example in their environment-aware
# form (the workflows find each stack's environments themselves, so they serve both).
ENVIRONMENT_TEMPLATES = {CONFIG_FILE: "agentops-environments.yaml", "deployments/example.yaml": "example-environments.yaml"}

# The distribution's name on the package index (the import package and the command stay `agentops`;
# `agentops` on the index is an unrelated project). The workflows never install it by name.
DISTRIBUTION = "agentops-gitops"
# `uses:` of the agentops action at a full commit: a branch or tag could move under the workflows.
ACTION_PIN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?/[A-Za-z0-9._-]+@[0-9a-f]{40}")
# Angle brackets are never in a GitHub name: a workflow left with this cannot run anything.
PLACEHOLDER = "<OWNER>/<REPO>@<40-hex-commit-sha>"
_GITHUB_REPO = re.compile(r"(?:git\+)?https://github\.com/([^/@]+/[^/@]+?)(?:\.git)?/?")
# A branch name as a literal `on.push.branches` filter: no glob character (`*?[]!+`), no space,
# nothing YAML or git would read otherwise.
BRANCH = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._/-]{0,254}")

KEYLESS, API_KEY = "keyless", "api-key"
AUTHS = (KEYLESS, API_KEY)
# What each way of authenticating puts into the workflows: the job permission, the variables of
# the step that talks to the API, and how the header comments name the credential.
_ID_TOKEN = {
    KEYLESS: ["id-token: write # the job's OIDC token, exchanged for a short-lived workspace token"],
    API_KEY: [],
}
_AUTH_ENV = {
    # GitHub variables of the job's GitHub environment: identifiers, not secrets. One that is not
    # defined expands to empty, which agentops treats as unset. No ANTHROPIC_API_KEY at all: even
    # an empty one would take precedence over federation (agentops refuses it).
    KEYLESS: [
        f"{name}: ${{{{ vars.{name} }}}}"
        for name in ("ANTHROPIC_FEDERATION_RULE_ID", "ANTHROPIC_ORGANIZATION_ID",
                     "ANTHROPIC_SERVICE_ACCOUNT_ID", "ANTHROPIC_WORKSPACE_ID")
    ],
    API_KEY: ["ANTHROPIC_API_KEY: ${{ secrets.ANTHROPIC_API_KEY }} # the GitHub environment's secret"],
}
_AUTH_WHERE = {
    KEYLESS: "keyless: its variables ANTHROPIC_FEDERATION_RULE_ID and ANTHROPIC_ORGANIZATION_ID name\n"
             "# the federation rule whose subject is repo:OWNER/REPO:environment:NAME",
    API_KEY: "with that environment's ANTHROPIC_API_KEY secret",
}

# Asks the person at the terminal `question` (with a default answer); None when there is none.
Ask = Callable[[str, str], str]


def template(name: str) -> str:
    return resources.files("agentops").joinpath("templates", name).read_text(encoding="utf-8")


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


def check_pin(value: str) -> str:
    """`value` stripped when it is OWNER/REPO@<full SHA> (or empty); ValueError otherwise."""
    value = value.strip()
    if value and not ACTION_PIN.fullmatch(value):
        raise ValueError(
            f"{value!r} is not OWNER/REPO@SHA with a full 40-character commit SHA "
            "(a branch or tag can move under the workflows)"
        )
    return value


def _asked(ask: Ask, console: Console, question: str, default: str, check: Callable[[str], str]) -> str:
    """Ask until the answer passes `check`."""
    while True:
        try:
            return check(ask(question, default))
        except ValueError as exc:
            console.error(f"error: {exc}")


def _action(given: str | None, ask: Ask | None, console: Console) -> tuple[str, str]:
    """The `uses:` the workflows install agentops from, and where it came from."""
    if given is not None:
        try:
            return check_pin(given) or PLACEHOLDER, "--action"
        except ValueError as exc:
            raise Failure(f"--action: {exc}") from None
    found = installed_pin()
    if found:
        return found, "the commit this agentops was installed from"
    if ask is not None:
        answer = _asked(ask, console, "The agentops action the workflows install from, as OWNER/REPO@<full "
                        "commit SHA> (empty: a placeholder to fill in)", "", check_pin)
        if answer:
            return answer, "your answer"
    return PLACEHOLDER, ""


def _stack(root: Path, given: str | None, ask: Ask | None, console: Console) -> str:
    if given is not None:
        try:
            return check_stack(given)
        except ValueError as exc:
            raise Failure(f"--stack {given!r}: {exc}") from None
    if ask is None:
        raise Failure("pass --stack NAME: there is no terminal to ask for the stack name")
    suggestion = "".join(c if c.isalnum() or c in "-_." else "-" for c in root.resolve().name.lower())
    return _asked(ask, console, "Stack name (the ownership scope of these deployments)",
                  suggestion.strip("-_.") or "main", check_stack)


def environment_names(raw: str) -> tuple[str, ...]:
    """`staging,production` as names in promotion order; ValueError naming a bad or repeated one."""
    names = tuple(name.strip() for name in raw.split(","))
    for name in names:
        try:
            check_stack(name)
        except ValueError as exc:
            raise ValueError(f"{name!r}: {exc}") from None
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ValueError(f"{', '.join(repeated)} named more than once")
    return names


WORKSPACE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,127}")


def check_workspace(value: str) -> str:
    """A workspace id as written in agentops.yaml (empty: none); ValueError for anything else."""
    value = value.strip()
    if value and not WORKSPACE_ID.fullmatch(value):
        raise ValueError(f"{value!r} is not a workspace id (like wrkspc_01AbC...)")
    return value


def _workspaces(names: Sequence[str], given: Sequence[str], ask: Ask | None, console: Console) -> dict[str, str]:
    """Each environment's workspace id: `--workspace NAME=ID`, else asked on a terminal (empty: none)."""
    found: dict[str, str] = {}
    for item in given:
        name, _, workspace = item.partition("=")
        if name not in names:
            raise Failure(f"--workspace {item!r}: {name!r} is not one of --environments ({', '.join(names)})")
        try:
            found[name] = check_workspace(workspace)
        except ValueError as exc:
            raise Failure(f"--workspace {item!r}: {exc}") from None
    for name in names:
        if name not in found and ask is not None:
            found[name] = _asked(ask, console, f"Workspace id of environment {name} (empty: none; every plan "
                                 "still shows the workspace its credential belongs to)", "", check_workspace)
    return {name: workspace for name, workspace in found.items() if workspace}


def _environments_block(names: Sequence[str], workspaces: Mapping[str, str]) -> str:
    """The `environments:` entries of agentops.yaml, one per name, in promotion order."""
    return "".join(
        f"  {name}:\n"
        + (f"    workspace_id: {workspaces[name]}  # plan and apply refuse a credential of another\n"
           if name in workspaces else
           "    # workspace_id: wrkspc_...  # plan and apply then refuse a credential of another\n")
        + f"    vars: {{tier: {name}}}\n"
        f"    defaults: {{metadata: {{tier: {name}}}}}\n"
        for name in names
    )


def _lines(text: str, placeholder: str, lines: Sequence[str]) -> str:
    """Each line that holds only `placeholder` replaced by `lines` at its indentation (none: dropped)."""
    pattern = re.compile(rf"^([ \t]*){re.escape(placeholder)}[ \t]*\n", re.M)
    return pattern.sub(lambda m: "".join(f"{m.group(1)}{line}\n" for line in lines), text)


def _stages(count: int) -> str:
    """The jobs of agentops-promote.yml: one per environment, each needing the one before."""
    part = template(STAGE)
    jobs = []
    for index in range(count):
        needs = f"    needs: env-{index}\n" if index else ""
        # Index 0 always runs ([""] for a stack without environments); a later one only when the
        # stack declares that many (toJSON: a name is never compared loosely with null).
        condition = f"    if: toJSON(fromJSON(inputs.environments)[{index}]) != 'null'\n" if index else ""
        environment = f"fromJSON(inputs.environments)[{index}]" + (" || 'production'" if index == 0 else "")
        job = (part.replace("{needs}", needs + condition).replace("{job}", f"env-{index + 1}")
               .replace("{index}", str(index)).replace("{environment}", environment))
        jobs.append(job)
    return "\n".join(jobs).rstrip("\n")


def render_workflow(name: str, *, action: str, auth: str, branch: str, stages: int) -> str:
    """One workflow of WORKFLOWS as `init` writes it."""
    text = template(name)
    if "{stages}" in text:
        text = text.replace("{stages}", _stages(stages))
    text = _lines(text, "{id-token}", _ID_TOKEN[auth])
    text = _lines(text, "{auth}", _AUTH_ENV[auth])
    return (text.replace("{auth-where}", _AUTH_WHERE[auth]).replace("{stage-count}", str(stages))
            .replace("{branch}", json.dumps(branch)).replace("{action}", action))


def _branch(path: Path, given: str | None) -> tuple[str, str]:
    """The branch the apply workflow runs on, and how it was chosen."""
    branch, how = (given, "--branch") if given is not None else default_branch(path)
    if not BRANCH.fullmatch(branch) or ".." in branch:
        fix = "pass --branch NAME" if given is None else "a branch name has no glob character or space"
        raise Failure(f"the default branch {branch!r} ({how}) cannot be written as a literal workflow "
                      f"branch filter; {fix}")
    return branch, how


def init(
    path: Path,
    console: Console,
    *,
    stack: str | None,
    force: bool,
    action: str | None,
    environments: str | None,
    ask: Ask | None,
    workspaces: Sequence[str] = (),
    auth: str = KEYLESS,
    branch: str | None = None,
) -> int:
    """Write the files; nothing when one exists already (unless `force`) or an input is bad."""
    if os.path.lexists(path) and not path.is_dir():
        raise Failure(f"{path} is not a folder; init writes agentops.yaml and the workflows into a folder")
    existing = sorted(rel for rel in FILES if (path / rel).exists())
    if existing and not force:
        raise Failure(
            "these files already exist: " + ", ".join(existing) + "; nothing was written "
            "(pass --force to overwrite them)"
        )
    try:
        names = environment_names(environments) if environments is not None else ()
    except ValueError as exc:
        raise Failure(f"--environments: {exc}") from None
    if workspaces and not names:
        raise Failure("--workspace needs --environments: it names each environment's workspace")
    if auth not in AUTHS:
        raise Failure(f"--auth {auth!r}: one of {', '.join(AUTHS)}")
    applied_on, how = _branch(path, branch)
    name = _stack(path, stack, ask, console)
    chosen = _workspaces(names, workspaces, ask, console)
    uses, source = _action(action, ask, console)
    values = {"{stack}": name, "{environments}": _environments_block(names, chosen)}
    for rel, default in FILES.items():
        target = path / rel
        if default in WORKFLOWS:
            text = render_workflow(default, action=uses, auth=auth, branch=applied_on, stages=max(len(names), 1))
        else:
            text = template(ENVIRONMENT_TEMPLATES.get(rel, default) if names else default)
            for key, value in values.items():
                text = text.replace(key, value)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise Failure(f"cannot write {target}: {exc.strerror or exc}") from None
        console.out(f"{'overwrote' if rel in existing else 'created'} {target}")
    if uses == PLACEHOLDER:
        console.error(
            f"warning: the workflows install agentops from {PLACEHOLDER}, which GitHub cannot run: "
            "replace it with the agentops repository at a full commit SHA you reviewed "
            "(or pass --action OWNER/REPO@SHA)"
        )
    else:
        console.out(f"The workflows install agentops from {uses} ({source}).")
    console.out(f"The apply workflow runs on pushes to {applied_on} ({how}; --branch to change it).")
    if auth == KEYLESS:
        console.out("The workflows authenticate keyless: in each GitHub environment, set the variables "
                    "ANTHROPIC_FEDERATION_RULE_ID and ANTHROPIC_ORGANIZATION_ID of a federation rule whose "
                    "subject is repo:OWNER/REPO:environment:NAME (see deployments/README.md).")
    first = f" --env {names[0]}" if names else ""
    console.out(
        f"Stack {name!r} is ready. Next: edit {path / 'deployments/example.yaml'} and the agent and environment "
        f"it runs (deployments/agents/, deployments/environments/), then `agentops validate` and "
        f"`agentops{first} plan` (or `agentops --local{first} plan`, offline on the embedded emulator); or "
        f"bring existing deployments in with "
        f"`agentops{first} import --all`."
    )
    if names:
        console.out(
            f"The apply workflow applies {names[0]} on merge, then each other environment of a stack once the "
            "one before succeeded for that stack, each through the GitHub environment of the same name: add "
            "required reviewers there (Settings > Environments)."
        )
    return OK
