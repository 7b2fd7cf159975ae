"""The plan reviewed on a pull request, applied on its merge (run by the workflows `init` writes).

`name`: in the plan job, the artifact name of this stack and environment's saved plan for the
pull request's head commit (HEAD_SHA), written to GITHUB_OUTPUT as `name`.

`find`: in an apply job, whether to apply that plan. Only when the pushed commit was merged from
a pull request whose head has the same tree as the merged commit (MERGED_TREE) is the reviewed
plan the plan of what was merged; then GITHUB_OUTPUT gets `name` and `run-id` (the plan run
that saved it). Otherwise nothing, and the step summary (and the pull request, when there is
one) says why the apply plans afresh. Either way `agentops apply` plans again against the live
workspace; a saved plan that no longer matches is refused there.

    python -I -m agentops.plumbing.reviewed name|find -- STACK_DIR
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Mapping, MutableMapping, Sequence
from dataclasses import dataclass

from agentops.adapters.github import Comments, GitHubError, Merges, Target, repo_from_env, run_url
from agentops.views.markdown import code_span

PREFIX = "agentops-plan-"


def _pair(stack_dir: str, env: str) -> str:
    """The stack folder and environment as a digest: a folder name may hold any character."""
    return hashlib.sha256(f"{stack_dir}\0{env}".encode()).hexdigest()[:16]


def artifact_name(head: str, stack_dir: str, env: str) -> str:
    """One name per commit, stack folder and environment, in the characters an artifact name allows."""
    return f"{PREFIX}{head}-{_pair(stack_dir, env)}"


@dataclass(frozen=True)
class Decision:
    """Apply the saved plan `name` of run `run_id`, or (run_id None) plan afresh because of `reason`."""

    name: str | None
    run_id: int | None
    reason: str
    pull: int | None = None  # the merged pull request, when there is one


def decide(merges: Merges, sha: str, merged_tree: str, stack_dir: str, env: str) -> Decision:
    """Whether the apply of commit `sha` (tree `merged_tree`) may take the reviewed plan."""
    if not merged_tree:
        return Decision(None, None, "this run is not a push of a merge, so there is no reviewed plan")
    pulls = merges.pulls_of(sha)
    pull = next((p for p in pulls if p.get("merge_commit_sha") == sha), None)
    if pull is None:
        return Decision(None, None, f"no pull request was merged as commit {sha[:12]}, so nothing was reviewed")
    number = pull.get("number") if isinstance(pull.get("number"), int) else None
    head = (pull.get("head") or {}).get("sha")
    if not isinstance(head, str) or not head:
        return Decision(None, None, f"pull request #{number} names no head commit", number)
    tree = merges.tree_of(head)
    if tree != merged_tree:
        return Decision(None, None, f"the merged tree is not the tree of {head[:12]}, the commit planned on pull "
                        f"request #{number} (the base branch moved on before the merge)", number)
    name = artifact_name(head, stack_dir, env)
    ours = [
        a for a in merges.artifacts(name)
        if (run := a.get("workflow_run") or {}).get("head_sha") == head
        # A fork's run can upload artifacts into this repository too: only this repository's own.
        and run.get("head_repository_id") == run.get("repository_id") and isinstance(run.get("id"), int)
    ]
    if not ours:
        return Decision(None, None, f"pull request #{number} has no saved plan of {head[:12]} for this stack and "
                        "environment (its plan job did not finish)", number)
    newest = max(ours, key=lambda a: str(a.get("created_at", "")))
    return Decision(name, newest["workflow_run"]["id"],
                    f"the plan reviewed on pull request #{number} (commit {head[:12]})", number)


def _append(path: str | None, text: str) -> None:
    if path:
        with open(path, "a", encoding="utf-8") as out:
            out.write(text)


def _where(stack_dir: str, env: str) -> str:
    return f"stack {code_span(stack_dir)}" + (f" in {code_span(env)}" if env else "")


def _tell_the_pull(environ: Mapping[str, str], number: int, stack_dir: str, env: str, text: str) -> None:
    """One sticky note per stack and environment on the merged pull request; a failure only warns."""
    repo = repo_from_env(environ)
    marker = f"<!-- agentops:merge={_pair(stack_dir, env)} -->"
    try:
        with Comments(Target(repo.api_url, repo.repository, number, repo.token)) as comments:
            comments.upsert(f"{marker}\n{text}\n", marker)
    except GitHubError as exc:
        print(f"::warning::could not say so on pull request #{number}: {exc}")


def main(argv: Sequence[str] | None = None, environ: MutableMapping[str, str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    env = os.environ if environ is None else environ
    if len(args) != 3 or args[0] not in ("name", "find") or args[1] != "--":
        print("usage: python -m agentops.plumbing.reviewed name|find -- STACK_DIR", file=sys.stderr)
        return 2
    stack_dir, environment = args[2], env.get("AGENTOPS_ENV", "")
    if args[0] == "name":
        _append(env.get("GITHUB_OUTPUT"), f"name={artifact_name(env['HEAD_SHA'], stack_dir, environment)}\n")
        return 0
    try:
        with Merges(repo_from_env(env)) as merges:
            decision = decide(merges, env.get("GITHUB_SHA", ""), env.get("MERGED_TREE", ""), stack_dir, environment)
    except GitHubError as exc:
        decision = Decision(None, None, f"GitHub could not say what was reviewed ({exc})")
    where = _where(stack_dir, environment)
    if decision.run_id is not None:
        _append(env.get("GITHUB_OUTPUT"), f"name={decision.name}\nrun-id={decision.run_id}\n")
        line = f"agentops applies {decision.reason} to {where}."
    else:
        line = f"agentops plans {where} afresh: {decision.reason}."
        run = run_url(env)
        if decision.pull is not None:
            _tell_the_pull(env, decision.pull, stack_dir, environment,
                           f"**{line}**" + (f" The plan applied is in [this run]({run})." if run else ""))
    print(line)
    _append(env.get("GITHUB_STEP_SUMMARY"), f"{line}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
