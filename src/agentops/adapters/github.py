"""The sticky pull-request comment: find this stack's comment by its hidden marker, edit or create it.

Talks to the GitHub REST API (or GitHub Enterprise at GITHUB_API_URL) with httpx2, the HTTP
library the anthropic SDK already installs. The token goes into one header and nowhere else;
error messages are scrubbed of it all the same.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2

DEFAULT_API_URL = "https://api.github.com"
API_VERSION = "2022-11-28"
# Who comments with the Actions GITHUB_TOKEN, which may not read `GET /user` (403).
ACTIONS_BOT = "github-actions[bot]"

_HINTS = {
    401: "the token was rejected; check that GITHUB_TOKEN is set to a valid token",
    403: (
        "the token may not write pull-request comments; the workflow needs `permissions: "
        "pull-requests: write` (pull requests from forks only get a read-only token)"
    ),
    404: "check GITHUB_REPOSITORY, the pull request number and that the token can see the repository",
}


class GitHubError(Exception):
    """A GitHub API call failed; the message is safe to print (it never holds the token)."""


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


def _event_number(environ: Mapping[str, str]) -> int | None:
    path = environ.get("GITHUB_EVENT_PATH")
    if not path:
        return None
    try:
        event = json.loads(Path(path).read_text())
    except (OSError, ValueError) as exc:
        raise GitHubError(f"cannot read the Actions event file {path}: {exc}") from None
    number = (event.get("pull_request") or {}).get("number") if isinstance(event, dict) else None
    return number if isinstance(number, int) else None


def target_from_env(environ: Mapping[str, str], pr: int | None) -> Target:
    """The comment's target from GITHUB_* variables; `pr` overrides the event file's number."""
    token = environ.get("GITHUB_TOKEN", "")
    if not token:
        raise GitHubError("GITHUB_TOKEN is not set; in a workflow pass `GITHUB_TOKEN: ${{ github.token }}`")
    repository = environ.get("GITHUB_REPOSITORY", "")
    if repository.count("/") != 1 or not all(repository.split("/")):
        raise GitHubError(f"GITHUB_REPOSITORY must be OWNER/NAME, got {repository!r}")
    number = pr if pr is not None else _event_number(environ)
    if number is None:
        raise GitHubError("no pull request number: pass --pr N (or run on a pull_request event)")
    api_url = (environ.get("GITHUB_API_URL") or DEFAULT_API_URL).rstrip("/")
    return Target(api_url, repository, number, token)


def _author(comment: Any) -> str | None:
    """A listed comment's author login, casefolded (GitHub logins are case-insensitive)."""
    user = comment.get("user") if isinstance(comment, dict) and "body" in comment else None
    login = user.get("login") if isinstance(user, dict) else None
    return login.casefold() if isinstance(login, str) else None


class Comments:
    """Issue comments of one pull request, through the REST API."""

    def __init__(self, target: Target, timeout: float = 30.0) -> None:
        self.target = target
        self._http = httpx2.Client(
            base_url=target.api_url,
            timeout=timeout,
            headers={
                "Authorization": f"Bearer {target.token}",
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": API_VERSION,
                "User-Agent": "agentops",
            },
        )

    def __enter__(self) -> Comments:
        return self

    def __exit__(self, *exc: object) -> None:
        self._http.close()

    def _scrub(self, text: str) -> str:
        return text.replace(self.target.token, "***")

    def _send(self, method: str, url: str, **kwargs: Any) -> httpx2.Response:
        try:
            return self._http.request(method, url, **kwargs)
        except httpx2.TransportError as exc:
            raise GitHubError(
                f"cannot reach the GitHub API at {self.target.api_url} ({type(exc).__name__}); "
                "check GITHUB_API_URL or the network"
            ) from None

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
        hint = _HINTS.get(response.status_code, "")
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

    def find(self, marker: str, author: str) -> dict[str, Any] | None:
        """The first comment by `author` that starts with `marker`, following pagination.

        Anyone may post the marker: another author's comment is never ours to edit, or its
        owner could later rewrite the plan the reviewers read. Only the first line counts: a
        plan may quote a prompt holding another stack's marker.
        """
        url: str | None = f"/repos/{self.target.repository}/issues/{self.target.number}/comments"
        params: dict[str, Any] | None = {"per_page": 100}
        while url:
            response = self._call("GET", url, params=params)
            page = response.json()
            if not isinstance(page, list):
                raise GitHubError(
                    f"GitHub API GET {response.request.url.path} answered with no list of comments"
                )
            for comment in page:
                if _author(comment) == author.casefold() and str(comment["body"]).startswith(marker + "\n"):
                    found: dict[str, Any] = comment
                    return found
            url, params = response.links.get("next", {}).get("url"), None
        return None

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
