"""A loopback stand-in for the few GitHub REST endpoints `agentops comment` and `agentops report` use."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.helpers import serve
from tests.stack import TOKEN

REPO = "octo/infra"
LIST = re.compile(r"^/repos/([^/]+/[^/]+)/issues/(\d+)/comments$")
EDIT = re.compile(r"^/repos/([^/]+/[^/]+)/issues/comments/(\d+)$")
ISSUES = re.compile(r"^/repos/([^/]+/[^/]+)/issues$")
ISSUE = re.compile(r"^/repos/([^/]+/[^/]+)/issues/(\d+)$")
COMMIT_PULLS = re.compile(r"^/repos/([^/]+/[^/]+)/commits/([0-9a-f]+)/pulls$")
GIT_COMMIT = re.compile(r"^/repos/([^/]+/[^/]+)/git/commits/([0-9a-f]+)$")
ARTIFACTS = re.compile(r"^/repos/([^/]+/[^/]+)/actions/(artifacts)$")


ACTIONS_BOT = "github-actions[bot]"
SOMEONE_ELSE = "mallory"


@dataclass
class FakeGitHub:
    """Issue comments in memory; a wrong token is 401, `read_only` makes writes 403.

    The token belongs to `login`; with `login=None` it behaves as the Actions GITHUB_TOKEN:
    `GET /user` is 403 and its comments are authored by the Actions bot.
    """

    url: str = ""
    comments: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)
    read_only: bool = False
    per_page_cap: int = 100
    next_id: int = 1000
    login: str | None = "agentops-ci"
    listing: Any = None  # when set, every comment listing answers this instead
    issues: dict[int, dict[str, Any]] = field(default_factory=dict)  # by number; pull requests too
    link_base: str | None = None  # when set, `Link` headers name this base URL instead of the fake's own
    pulls_of: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # commit -> its pull requests
    trees: dict[str, str] = field(default_factory=dict)  # commit -> its tree
    artifacts: list[dict[str, Any]] = field(default_factory=list)

    @property
    def own_login(self) -> str:
        return self.login or ACTIONS_BOT

    def add(self, number: int, body: str, author: str = SOMEONE_ELSE) -> dict[str, Any]:
        self.next_id += 1
        comment = {
            "id": self.next_id,
            "body": body,
            "html_url": f"https://github.test/c/{self.next_id}",
            "user": {"login": author, "type": "Bot" if author.endswith("[bot]") else "User"},
        }
        self.comments.setdefault(number, []).append(comment)
        return comment

    def open_issue(self, title: str, body: str, author: str = SOMEONE_ELSE, pull: bool = False) -> dict[str, Any]:
        number = len(self.issues) + 1
        issue = {
            "number": number,
            "title": title,
            "body": body,
            "state": "open",
            "state_reason": None,
            "html_url": f"https://github.test/{REPO}/issues/{number}",
            "user": {"login": author, "type": "Bot" if author.endswith("[bot]") else "User"},
        }
        if pull:
            issue["pull_request"] = {"url": f"https://github.test/{REPO}/pull/{number}"}
        self.issues[number] = issue
        return issue

    def bodies(self, number: int) -> list[str]:
        return [c["body"] for c in self.comments.get(number, [])]


def _handler(gh: FakeGitHub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # keep test output clean
            pass

        def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)

        def _handle(self, method: str) -> None:
            url = urlsplit(self.path)
            gh.requests.append((method, url.path))
            if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                return self._send(401, {"message": "Bad credentials"})
            if url.path == "/user" and method == "GET":
                if gh.login is None:
                    return self._send(403, {"message": "Resource not accessible by integration"})
                return self._send(200, {"login": gh.login, "type": "User"})
            listing, editing = LIST.match(url.path), EDIT.match(url.path)
            issues, issue = ISSUES.match(url.path), ISSUE.match(url.path)
            merges = COMMIT_PULLS.match(url.path) or GIT_COMMIT.match(url.path) or ARTIFACTS.match(url.path)
            found = listing or editing or issues or issue or merges
            repo = found.group(1) if found else None
            if repo != REPO:
                return self._send(404, {"message": "Not Found"})
            if method != "GET" and gh.read_only:
                return self._send(403, {"message": "Resource not accessible by integration"})
            if merges and method == "GET":
                return self._merges(merges, parse_qs(url.query))
            length = int(self.headers.get("Content-Length") or 0)
            payload = json.loads(self.rfile.read(length) or b"{}")
            if issues and method == "GET":
                query = parse_qs(url.query)
                state = query.get("state", ["open"])[0]
                matching = [i for i in gh.issues.values() if state == "all" or i["state"] == state]
                return self._page(matching, url.path, query)
            if issues and method == "POST":
                return self._send(201, gh.open_issue(payload["title"], payload.get("body", ""), gh.own_login))
            if issue and method == "PATCH" and int(issue.group(2)) in gh.issues:
                edited = gh.issues[int(issue.group(2))]
                edited.update({k: payload[k] for k in ("title", "body", "state", "state_reason") if k in payload})
                return self._send(200, edited)
            if listing and method == "GET" and gh.listing is not None:
                return self._send(200, gh.listing)
            if listing and method == "GET":
                return self._list(int(listing.group(2)), parse_qs(url.query))
            if listing and method == "POST":
                return self._send(201, gh.add(int(listing.group(2)), payload["body"], gh.own_login))
            if editing and method == "PATCH":
                for comments in gh.comments.values():
                    for comment in comments:
                        if comment["id"] == int(editing.group(2)):
                            comment["body"] = payload["body"]
                            return self._send(200, comment)
            return self._send(404, {"message": "Not Found"})

        def _merges(self, found: re.Match[str], query: dict[str, list[str]]) -> None:
            if found.re is COMMIT_PULLS:
                return self._send(200, gh.pulls_of.get(found.group(2), []))
            if found.re is GIT_COMMIT:
                tree = gh.trees.get(found.group(2))
                if tree is None:
                    return self._send(404, {"message": "Not Found"})
                return self._send(200, {"sha": found.group(2), "tree": {"sha": tree}})
            named = [a for a in gh.artifacts if a["name"] == query.get("name", [""])[0]]
            return self._send(200, {"total_count": len(named), "artifacts": named})

        def _list(self, number: int, query: dict[str, list[str]]) -> None:
            self._page(gh.comments.get(number, []), f"/repos/{REPO}/issues/{number}/comments", query)

        def _page(self, items: list[dict[str, Any]], path: str, query: dict[str, list[str]]) -> None:
            per_page = min(int(query.get("per_page", ["30"])[0]), gh.per_page_cap)
            page = int(query.get("page", ["1"])[0])
            chunk = items[(page - 1) * per_page : page * per_page]
            headers = {}
            if page * per_page < len(items):
                rest = "".join(f"&{k}={v[0]}" for k, v in query.items() if k not in ("per_page", "page"))
                headers["Link"] = f'<{gh.link_base or gh.url}{path}?per_page={per_page}&page={page + 1}{rest}>; rel="next"'
            self._send(200, chunk, headers)

        def do_GET(self) -> None:
            self._handle("GET")

        def do_POST(self) -> None:
            self._handle("POST")

        def do_PATCH(self) -> None:
            self._handle("PATCH")

    return Handler


def github_env(gh: FakeGitHub, **extra: str) -> dict[str, str]:
    return {"GITHUB_API_URL": gh.url, "GITHUB_REPOSITORY": REPO, **extra}


@contextmanager
def serve_github() -> Iterator[FakeGitHub]:
    """The fake on a free loopback port, stopped afterwards."""
    gh = FakeGitHub()
    with serve(_handler(gh)) as url:
        gh.url = url
        yield gh
