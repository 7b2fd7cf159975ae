"""An API (or proxy) answering 200 with something that is not JSON: one clear line, never a traceback."""

from __future__ import annotations

import re
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from agentops.cli import main
from tests.helpers import serve


class Garbled(BaseHTTPRequestHandler):
    """Lists are fine JSON; every other answer is an HTML page with status 200."""

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""

    def _send(self, body: bytes, kind: str) -> None:
        self.send_response(200)
        self.send_header("content-type", kind)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        if self.path.startswith("/v1/deployments") or self.path.split("?")[0] in ("/v1/agents", "/v1/environments"):
            self._send(b'{"data": [], "next_page": null}', "application/json")
        else:
            self._send(b"<html>captive portal</html>", "text/html")

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length") or 0))
        self._send(b"<html>captive portal</html>", "text/html")


@pytest.fixture
def garbled_url() -> Iterator[str]:
    with serve(Garbled) as url:
        yield url


@pytest.mark.parametrize("command", ["plan", "apply"])
def test_non_json_answers_are_one_line_errors(tmp_path: Path, garbled_url: str, command: str) -> None:
    (tmp_path / "agentops.yaml").write_text("stack: garbled\n")
    (tmp_path / "deployments").mkdir()
    manifest = {"name": "job", "agent": "agent_1", "environment_id": "env_1", "prompt": "go"}
    (tmp_path / "deployments" / "job.yaml").write_text(yaml.safe_dump(manifest))
    env = {"ANTHROPIC_BASE_URL": garbled_url, "ANTHROPIC_API_KEY": "sk-garbled-0000"}
    args = [command, str(tmp_path)] + (["--auto-approve"] if command == "apply" else [])
    result = CliRunner().invoke(main, args, env=env)
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "unexpected API response (APIResponseValidationError)" in result.output
    assert "Traceback" not in result.output


def _odd_listing(body: bytes) -> type[BaseHTTPRequestHandler]:
    class Odd(Garbled):
        def do_GET(self) -> None:
            self._send(body, "application/json")

    return Odd


@pytest.mark.parametrize("body", [
    b'{"data": {"id": "depl_1"}, "next_page": null}',  # data is not a list
    b'{"data": [{"name": "no id"}], "next_page": null}',  # an item without an id
    b'{"data": [17], "next_page": null}',  # an item that is not an object
    b'{"data": [], "next_page": 5}',  # a cursor that is not a string
])
def test_a_listing_of_unexpected_shape_is_one_line(tmp_path: Path, body: bytes) -> None:
    (tmp_path / "agentops.yaml").write_text("stack: odd\n")
    (tmp_path / "deployments").mkdir()
    (tmp_path / "deployments" / "job.yaml").write_text(
        yaml.safe_dump({"name": "job", "agent": "agent_1", "environment_id": "env_1", "prompt": "go"})
    )
    with serve(_odd_listing(body)) as url:
        env = {"ANTHROPIC_BASE_URL": url, "ANTHROPIC_API_KEY": "sk-odd-0000"}
        result = CliRunner().invoke(main, ["plan", str(tmp_path)], env=env)
    assert result.exit_code == 1
    # Every listing (deployments, agents, environments: read side by side) is odd; the first to fail is told.
    assert re.search(r"unexpected API response: the (deployments|agents|environments) listing", result.output)
    assert "Traceback" not in result.output
