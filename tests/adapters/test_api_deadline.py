"""A hung API fails one call within TOTAL_FACTOR times the timeout, retries included (not 31 times)."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler

import anthropic
import pytest

from agentops.adapters.api import TOTAL_FACTOR, Api
from tests.helpers import make_client, serve

arrived: list[str] = []
release = threading.Event()


class Hung(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        arrived.append(self.path)
        release.wait(30)  # never answers while the client waits; released when the test ends

    def log_message(self, format: str, *args: object) -> None:
        pass


def test_a_hung_api_gives_up_within_the_total_budget() -> None:
    arrived.clear()
    release.clear()
    with serve(Hung) as url, make_client(url, timeout=0.2) as client:
        api = Api(client, sleep=lambda seconds: None)
        try:
            with pytest.raises(anthropic.APITimeoutError):
                api.list_deployments()
        finally:
            release.set()
    # 0.2 + 0.4 + 0.8 + the rest of 10 x 0.2: four attempts, where six doubling ones took 31 x.
    assert TOTAL_FACTOR == 10
    assert 3 <= len(arrived) <= 5, arrived
