"""A loopback stand-in for GitHub Actions' OIDC token service, and the emulator federation it trusts.

`GET /token?api-version=2.0&audience=A` with `Authorization: bearer <request token>` answers
`{"value": <JWT>}` signed RS256 with a key made for the test run; the emulator verifies it against
`jwks()`. The subject, the lifetime and the clock are the test's to set.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.helpers import answer_json, serve

ISSUER = "https://token.actions.githubusercontent.com"
AUDIENCE = "https://api.anthropic.com"
REPO = "acme/agents"
ORGANIZATION = "11111111-2222-3333-4444-555555555555"
REQUEST_TOKEN = "ghs_REQUEST_token_SECRET_0001"  # ACTIONS_ID_TOKEN_REQUEST_TOKEN of the fake job
KID = "fake-github-1"
RULES = {  # GitHub environment -> (federation rule id, workspace)
    "staging": ("fdrl_staging", "wrkspc_staging"),
    "production": ("fdrl_production", "wrkspc_production"),
}
STAGING_KEY = "sk-ant-STAGING-key-SECRET-0002"


@cache
def signing_key() -> rsa.RSAPrivateKey:
    """One RSA key per test process: making one costs tens of milliseconds."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def jwks() -> dict[str, Any]:
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(signing_key().public_key()))
    return {"keys": [{**public, "kid": KID, "alg": "RS256", "use": "sig"}]}


def federation(token_lifetime: int = 600) -> dict[str, Any]:
    """The emulator's federation: GitHub's issuer, one rule per GitHub environment, a staging key."""
    return {
        "organization_id": ORGANIZATION,
        "token_lifetime": token_lifetime,
        "issuers": [{"url": ISSUER, "audience": AUDIENCE, "jwks": jwks()}],
        "rules": [
            {"id": rule, "issuer": ISSUER, "subject_prefix": f"repo:{REPO}:environment:{env}", "workspaces": [ws]}
            for env, (rule, ws) in RULES.items()
        ],
        "api_keys": {STAGING_KEY: RULES["staging"][1]},
    }


@dataclass
class FakeOidc:
    """Issued tokens are counted; `refuse` answers every request with that status instead."""

    subject: str = f"repo:{REPO}:environment:staging"
    lifetime: int = 300
    clock: Callable[[], float] = time.time
    refuse: int | None = None
    url: str = ""
    issued: list[str] = field(default_factory=list)  # every token handed out, in order
    audiences: list[str] = field(default_factory=list)

    @property
    def request_url(self) -> str:
        return f"{self.url}/token?api-version=2.0"

    def job_env(self, environment: str = "staging", **extra: str) -> dict[str, str]:
        """The variables of a GitHub Actions job with `id-token: write` in that GitHub environment."""
        rule, _ = RULES[environment]
        return {"GITHUB_ACTIONS": "true", "ACTIONS_ID_TOKEN_REQUEST_URL": self.request_url,
                "ACTIONS_ID_TOKEN_REQUEST_TOKEN": REQUEST_TOKEN, "ANTHROPIC_FEDERATION_RULE_ID": rule,
                "ANTHROPIC_ORGANIZATION_ID": ORGANIZATION, **extra}

    def token(self, audience: str) -> str:
        now = int(self.clock())
        claims = {"iss": ISSUER, "aud": audience, "sub": self.subject, "iat": now, "nbf": now - 5,
                  "exp": now + self.lifetime, "jti": uuid.uuid4().hex, "repository": REPO}
        value = jwt.encode(claims, signing_key(), algorithm="RS256", headers={"kid": KID})
        self.issued.append(value)
        return value


@contextmanager
def serve_oidc(fake: FakeOidc | None = None) -> Iterator[FakeOidc]:
    oidc = fake or FakeOidc()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            """Quiet."""

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            audience = parse_qs(url.query).get("audience", [""])[0]
            if oidc.refuse is not None:
                self._answer(oidc.refuse, {"message": "refused"})
            elif url.path != "/token" or self.headers.get("authorization") != f"bearer {REQUEST_TOKEN}":
                self._answer(401, {"message": "bad request token"})
            else:
                oidc.audiences.append(audience)
                self._answer(200, {"count": 1, "value": oidc.token(audience)})

        def _answer(self, status: int, body: dict[str, Any]) -> None:
            answer_json(self, status, body)

    with serve(Handler) as url:
        oidc.url = url
        yield oidc
