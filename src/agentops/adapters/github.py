"""The sticky pull-request comment and the sticky report issue: found by a hidden marker (and
their author), edited in place or created.

Talks to the GitHub REST API (or GitHub Enterprise at GITHUB_API_URL) with httpx2, the HTTP
library the anthropic SDK already installs. The token goes into one header and nowhere else;
error messages are scrubbed of it all the same.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Self

import httpx2

from agentops.files import read_text_capped

DEFAULT_API_URL = "https://api.github.com"
API_VERSION = "2022-11-28"
# Who comments with the Actions GITHUB_TOKEN, which may not read `GET /user` (403).
ACTIONS_BOT = "github-actions[bot]"
# GitHub caps a webhook payload at 25 MB; an event file past that is not one GitHub wrote.
EVENT_LIMIT = 25 * 1024 * 1024

_HINTS = {
    401: "the token was rejected; check that GITHUB_TOKEN is set to a valid token",
    403: (
        "the token may not write pull-request comments; the workflow needs `permissions: "
        "pull-requests: write` (pull requests from forks only get a read-only token)"
    ),
    404: "check GITHUB_REPOSITORY, the pull request number and that the token can see the repository",
}
_ISSUE_HINTS = {
    **_HINTS,
    403: "the token may not write issues; the workflow needs `permissions: issues: write`",
    404: "check GITHUB_REPOSITORY and that the token can see the repository",
}

_MERGE_HINTS = {**_HINTS, 403: "the workflow needs `permissions: actions: read` and `contents: read`"}


class GitHubError(Exception):
    """A GitHub API call failed; the message is safe to print (it never holds the token)."""


@dataclass(frozen=True)
class Repo:
    """A repository to talk to, from the Actions environment."""

    api_url: str
    repository: str
    token: str = field(repr=False)


@dataclass(frozen=True)
class Target:
    """Where the comment goes, from the Actions environment."""

    api_url: str
    repository: str
    number: int
    token: str = field(repr=False)


def run_url(environ: Mapping[str, str]) -> str | None:
    """The current workflow run's page, where the full plan is in the log (None outside Actions)."""
    parts = [environ.get(k) for k in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID")]
    if not all(parts):
        return None
    server, repository, run_id = parts
    return f"{server}/{repository}/actions/runs/{run_id}"


def _event_pull(environ: Mapping[str, str]) -> dict[str, Any]:
    """The event file's `pull_request` object ({} outside a pull_request event)."""
    path = environ.get("GITHUB_EVENT_PATH")
    if not path:
        return {}
    try:
        event = json.loads(read_text_capped(path, EVENT_LIMIT))
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise GitHubError(f"cannot read the Actions event file {path}: {reason}") from None
    pull = event.get("pull_request") if isinstance(event, dict) else None
    return pull if isinstance(pull, dict) else {}


def _event_number(environ: Mapping[str, str]) -> int | None:
    number = _event_pull(environ).get("number")
    return number if isinstance(number, int) else None


def head_commit(environ: Mapping[str, str]) -> str | None:
    """The commit a comment speaks for: the pull request's head (GITHUB_SHA is the merge commit
    GitHub made for the run), else GITHUB_SHA."""
    head = _event_pull(environ).get("head")
    sha = head.get("sha") if isinstance(head, dict) else None
    return sha if isinstance(sha, str) and sha else environ.get("GITHUB_SHA") or None


def commit_url(environ: Mapping[str, str], sha: str) -> str | None:
    """The commit's page (None outside Actions)."""
    server, repository = environ.get("GITHUB_SERVER_URL"), environ.get("GITHUB_REPOSITORY")
    return f"{server}/{repository}/commit/{sha}" if server and repository else None


def repo_from_env(environ: Mapping[str, str]) -> Repo:
    """The repository and token from GITHUB_* variables."""
    token = environ.get("GITHUB_TOKEN", "")
    if not token:
        raise GitHubError("GITHUB_TOKEN is not set; in a workflow pass `GITHUB_TOKEN: ${{ github.token }}`")
    repository = environ.get("GITHUB_REPOSITORY", "")
    if repository.count("/") != 1 or not all(repository.split("/")):
        raise GitHubError(f"GITHUB_REPOSITORY must be OWNER/NAME, got {repository!r}")
    api_url = (environ.get("GITHUB_API_URL") or DEFAULT_API_URL).rstrip("/")
    try:
        url = httpx2.URL(api_url)
    except httpx2.InvalidURL as exc:
        raise GitHubError(f"GITHUB_API_URL {api_url!r} is not a URL ({exc})") from None
    if url.scheme not in ("https", "http") or not url.host:
        raise GitHubError(f"GITHUB_API_URL {api_url!r} is not an http(s) URL with a host")
    return Repo(api_url, repository, token)


def target_from_env(environ: Mapping[str, str], pr: int | None) -> Target:
    """The comment's target from GITHUB_* variables; `pr` overrides the event file's number."""
    repo = repo_from_env(environ)
    number = pr if pr is not None else _event_number(environ)
    if number is None:
        raise GitHubError("no pull request number: pass --pr N (or run on a pull_request event)")
    return Target(repo.api_url, repo.repository, number, repo.token)


def _author(comment: Any) -> str | None:
    """A listed comment's author login, casefolded (GitHub logins are case-insensitive)."""
    user = comment.get("user") if isinstance(comment, dict) and "body" in comment else None
    login = user.get("login") if isinstance(user, dict) else None
    return login.casefold() if isinstance(login, str) else None


def _port(url: httpx2.URL) -> int | None:
    return url.port or {"https": 443, "http": 80}.get(url.scheme)


class _Client:
    """The few REST calls both sticky kinds need: one token header, errors scrubbed of it."""

    hints = _HINTS

    def __init__(self, repo: Repo, timeout: float = 30.0) -> None:
        self.repo = repo
        self._http = httpx2.Client(
            base_url=repo.api_url,
            timeout=timeout,
            headers={
                "Authorization": f"Bearer {repo.token}",
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": API_VERSION,
                "User-Agent": "agentops",
            },
        )

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self._http.close()

    def _scrub(self, text: str) -> str:
        return text.replace(self.repo.token, "***")

    def _send(self, method: str, url: str, **kwargs: Any) -> httpx2.Response:
        # The token goes with every request: only ever to the configured API itself, whatever
        # a `Link` header (or any other answer) names.
        target = httpx2.URL(url)
        if not target.is_relative_url and not self._ours(target):
            raise GitHubError(
                f"the GitHub API named {target.scheme}://{target.netloc.decode()}{target.path} as its next page, "
                f"outside {self.repo.api_url}; the token is only sent to GITHUB_API_URL"
            )
        try:
            return self._http.request(method, url, **kwargs)
        except httpx2.TransportError as exc:
            raise GitHubError(
                f"cannot reach the GitHub API at {self.repo.api_url} ({type(exc).__name__}); "
                "check GITHUB_API_URL or the network"
            ) from None

    def _ours(self, url: httpx2.URL) -> bool:
        """Whether an absolute URL is under the configured API: same scheme, host, port and path prefix."""
        base = self._http.base_url
        return (url.scheme, url.host, _port(url)) == (base.scheme, base.host, _port(base)) \
            and url.path.startswith(base.path.rstrip("/") + "/")

    def _call(self, method: str, url: str, **kwargs: Any) -> httpx2.Response:
        return self._checked(self._send(method, url, **kwargs))

    def _checked(self, response: httpx2.Response) -> httpx2.Response:
        if response.is_success:
            return response
        method = response.request.method
        try:
            detail = str(response.json().get("message", ""))
        except (ValueError, AttributeError):
            detail = ""
        where = f"{method} {response.request.url.path}"
        hint = self.hints.get(response.status_code, "")
        message = f"GitHub API {response.status_code} on {where}" + (f": {detail}" if detail else "")
        raise GitHubError(self._scrub(message + (f" ({hint})" if hint else "")))

    def login(self) -> str:
        """Whom the token comments as: `GET /user`, or the Actions bot for the Actions token."""
        response = self._send("GET", "/user")
        if response.status_code == 403:
            return ACTIONS_BOT
        try:
            login = self._checked(response).json().get("login")
        except (ValueError, AttributeError):
            login = None
        if not isinstance(login, str) or not login:
            raise GitHubError("GitHub API GET /user answered without a login; pass --author LOGIN")
        return login

    def _first(
        self, url: str, params: dict[str, Any], marker: str, author: str, what: str
    ) -> dict[str, Any] | None:
        """The first listed item by `author` whose body starts with `marker`, following pagination.

        Anyone may post the marker: another author's item is never ours to edit, or its owner
        could later rewrite what readers trust. Only the first line counts: a plan may quote a
        prompt holding another stack's marker.
        """
        next_url: str | None = url
        query: dict[str, Any] | None = params
        while next_url:
            response = self._call("GET", next_url, params=query)
            page = response.json()
            if not isinstance(page, list):
                raise GitHubError(f"GitHub API GET {response.request.url.path} answered with no list of {what}")
            for item in page:
                # The issues listing holds pull requests too (with a `pull_request` key): never ours.
                if (
                    _author(item) == author.casefold()
                    and str(item["body"]).startswith(marker + "\n")
                    and "pull_request" not in item
                ):
                    found: dict[str, Any] = item
                    return found
            next_url, query = response.links.get("next", {}).get("url"), None
        return None


class Comments(_Client):
    """Issue comments of one pull request, through the REST API."""

    def __init__(self, target: Target, timeout: float = 30.0) -> None:
        super().__init__(Repo(target.api_url, target.repository, target.token), timeout)
        self.target = target

    def find(self, marker: str, author: str) -> dict[str, Any] | None:
        """The first comment by `author` that starts with `marker`."""
        path = f"/repos/{self.target.repository}/issues/{self.target.number}/comments"
        return self._first(path, {"per_page": 100}, marker, author, "comments")

    def upsert(self, body: str, marker: str, author: str | None = None) -> tuple[str, str]:
        """Edit this stack's comment in place, or create it; returns ("created"|"updated", its URL).

        `author` is the login the token comments as (asked of the API when not given).
        """
        existing = self.find(marker, author or self.login())
        if existing is None:
            path = f"/repos/{self.target.repository}/issues/{self.target.number}/comments"
            response = self._call("POST", path, json={"body": body})
            verb = "created"
        else:
            path = f"/repos/{self.target.repository}/issues/comments/{existing['id']}"
            response = self._call("PATCH", path, json={"body": body})
            verb = "updated"
        return verb, str(response.json().get("html_url", ""))


class Issues(_Client):
    """The repository's issues: find one by marker and author, open, edit, comment on, close."""

    hints = _ISSUE_HINTS

    def find(self, marker: str, author: str) -> dict[str, Any] | None:
        """The open issue by `author` whose body starts with `marker` (pull requests skipped)."""
        path = f"/repos/{self.repo.repository}/issues"
        return self._first(path, {"state": "open", "per_page": 100}, marker, author, "issues")

    def create(self, title: str, body: str) -> dict[str, Any]:
        response = self._call("POST", f"/repos/{self.repo.repository}/issues", json={"title": title, "body": body})
        created: dict[str, Any] = response.json()
        return created

    def edit(self, number: int, **fields: str) -> dict[str, Any]:
        response = self._call("PATCH", f"/repos/{self.repo.repository}/issues/{number}", json=fields)
        edited: dict[str, Any] = response.json()
        return edited

    def comment(self, number: int, body: str) -> None:
        self._call("POST", f"/repos/{self.repo.repository}/issues/{number}/comments", json={"body": body})

    def close(self, number: int, body: str) -> dict[str, Any]:
        """Say why in a comment, then close the issue as completed."""
        self.comment(number, body)
        return self.edit(number, state="closed", state_reason="completed")


class Merges(_Client):
    """What the apply on a merge asks: which pull request made a commit, a commit's tree, and the
    plans saved as artifacts."""

    hints = _MERGE_HINTS

    def pulls_of(self, sha: str) -> list[dict[str, Any]]:
        """The pull requests GitHub associates with commit `sha`."""
        found = self._call("GET", f"/repos/{self.repo.repository}/commits/{sha}/pulls").json()
        return [pull for pull in found if isinstance(pull, dict)] if isinstance(found, list) else []

    def tree_of(self, sha: str) -> str | None:
        """The tree of commit `sha`."""
        tree = self._call("GET", f"/repos/{self.repo.repository}/git/commits/{sha}").json().get("tree")
        found = tree.get("sha") if isinstance(tree, dict) else None
        return found if isinstance(found, str) else None

    def artifacts(self, name: str) -> list[dict[str, Any]]:
        """The repository's unexpired artifacts called `name` (the first 100)."""
        path = f"/repos/{self.repo.repository}/actions/artifacts"
        listed = self._call("GET", path, params={"name": name, "per_page": 100}).json()
        items = listed.get("artifacts") if isinstance(listed, dict) else None
        return [a for a in items or [] if isinstance(a, dict) and not a.get("expired")]
