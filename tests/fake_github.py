"""A loopback stand-in for the few GitHub REST endpoints `agentops comment` uses."""

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
            repo = (listing or editing).group(1) if (listing or editing) else None
            if repo != REPO:
                return self._send(404, {"message": "Not Found"})
            if method != "GET" and gh.read_only:
                return self._send(403, {"message": "Resource not accessible by integration"})
            length = int(self.headers.get("Content-Length") or 0)
            payload = json.loads(self.rfile.read(length) or b"{}")
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

        def _list(self, number: int, query: dict[str, list[str]]) -> None:
            per_page = min(int(query.get("per_page", ["30"])[0]), gh.per_page_cap)
            page = int(query.get("page", ["1"])[0])
            comments = gh.comments.get(number, [])
            chunk = comments[(page - 1) * per_page : page * per_page]
            headers = {}
            if page * per_page < len(comments):
                nxt = f"{gh.url}/repos/{REPO}/issues/{number}/comments?per_page={per_page}&page={page + 1}"
                headers["Link"] = f'<{nxt}>; rel="next"'
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
