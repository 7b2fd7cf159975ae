"""Workload Identity Federation in the emulator: `POST /v1/oauth/token` and the credentials it checks.

The SDK exchanges a signed OIDC token (the assertion) for a short-lived access token with the
RFC 7523 jwt-bearer grant, then sends `Authorization: Bearer <token>`. Here an assertion is
verified against a test issuer's JWKS, matched to a federation rule (subject prefix to
workspaces), and the access token minted is bound to one workspace and expires on the
emulator's clock (then every request with it is a 401 `authentication_error`, which the SDK
answers by exchanging again). API keys may be bound to a workspace too. The file given by
`agentops emulator --federation FILE` (YAML or JSON):

    organization_id: 11111111-2222-3333-4444-555555555555
    token_lifetime: 600                 # seconds an access token lives (its expires_in)
    issuers:
      - url: https://token.actions.githubusercontent.com   # equals the assertion's `iss`
        audience: https://api.anthropic.com                # is in the assertion's `aud`
        jwks: {keys: [...]}              # or jwks_file: a path, relative to FILE
    rules:
      - id: fdrl_staging
        issuer: https://token.actions.githubusercontent.com
        subject_prefix: "repo:acme/agents:environment:staging"
        workspaces: [wrkspc_staging]
        service_account_id: svac_ci      # optional: a request naming another is refused
    api_keys: {sk-staging: wrkspc_staging}   # optional: keys bound to workspaces; others are refused

PyJWT (the `emulator` extra) is imported here only, and only when federation is configured.
"""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from agentops.emulator.clock import Clock, to_us
from agentops.emulator.errors import ApiError

TOKEN_PATH = "/v1/oauth/token"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
TOKEN_PREFIX = "emu-at-"  # every access token the emulator mints (tests look for it in output)
ALGORITHMS = ["RS256", "RS384", "RS512", "ES256", "ES384", "PS256"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Issuer(_Strict):
    url: str
    audience: str
    jwks: dict[str, Any] | None = None
    jwks_file: str | None = None


class Rule(_Strict):
    id: str
    issuer: str
    subject_prefix: str = Field(min_length=1)
    workspaces: list[str] = Field(min_length=1)
    service_account_id: str | None = None


class Config(_Strict):
    organization_id: str
    token_lifetime: int = Field(default=600, gt=0)
    issuers: list[Issuer] = Field(min_length=1)
    rules: list[Rule] = []
    api_keys: dict[str, str] | None = None


def load(source: Mapping[str, Any] | str | Path) -> tuple[Config, dict[str, dict[str, Any]]]:
    """The configuration and each issuer's JWKS; a ValueError in one line for a file that is not one."""
    base = Path(".")
    if isinstance(source, Mapping):
        data: Any = dict(source)
    else:
        path = base = Path(source)
        try:
            text = path.read_text(encoding="utf-8")
            data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
        except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError) as exc:
            raise ValueError(f"{path}: not a readable federation file ({' '.join(str(exc).split())})") from None
        base = path.parent
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "(top)"
        raise ValueError(f"federation file: {where}: {first['msg']}") from None
    keys: dict[str, dict[str, Any]] = {}
    for issuer in config.issuers:
        if (issuer.jwks is None) == (issuer.jwks_file is None):
            raise ValueError(f"federation file: issuer {issuer.url}: give exactly one of jwks and jwks_file")
        if issuer.jwks is not None:
            keys[issuer.url] = issuer.jwks
            continue
        try:
            keys[issuer.url] = json.loads((base / str(issuer.jwks_file)).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ValueError(f"federation file: issuer {issuer.url}: jwks_file: {exc}") from None
    unknown = [rule.id for rule in config.rules if rule.issuer not in keys]
    if unknown:
        raise ValueError(f"federation file: rule {unknown[0]} names an issuer the file does not list")
    return config, keys


class OAuthError(Exception):
    """A token endpoint refusal in RFC 6749 §5.2's shape (`error`, `error_description`)."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.body = {"error": error, "error_description": description}


def _grant_refused(description: str) -> OAuthError:
    return OAuthError(401, "invalid_grant", description)


@dataclass(frozen=True)
class Exchange:
    """One token request as the emulator answered it (tests count them; no token is kept)."""

    status: int
    error: str | None
    subject: str | None
    workspace: str | None


@dataclass
class Federation:
    """The token endpoint and the credential check of every /v1 request."""

    config: Config
    jwks: dict[str, dict[str, Any]]
    clock: Clock
    _tokens: dict[str, tuple[str, int]] = field(default_factory=dict)  # token -> (workspace, expiry µs)
    _exchanges: list[Exchange] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def from_source(cls, source: Mapping[str, Any] | str | Path, clock: Clock) -> Federation:
        config, keys = load(source)
        try:  # fail at start, not at the first exchange, when the extra is missing
            import jwt  # noqa: F401
        except ImportError:
            raise ValueError("federation needs PyJWT: pip install 'agentops-gitops[emulator]'") from None
        return cls(config, keys, clock)

    def exchanges(self) -> list[Exchange]:
        with self._lock:
            return list(self._exchanges)

    def exchange(self, body: Any) -> tuple[int, dict[str, Any], str | None]:
        """Status, JSON answer and workspace of a token request."""
        subject: str | None = None
        try:
            subject, workspace = self._verify(body)
        except OAuthError as exc:
            with self._lock:
                self._exchanges.append(Exchange(exc.status, exc.body["error"], subject, None))
            return exc.status, exc.body, None
        token = TOKEN_PREFIX + secrets.token_urlsafe(24)
        lifetime = self.config.token_lifetime
        with self._lock:
            self._tokens[token] = (workspace, to_us(self.clock()) + lifetime * 1_000_000)
            self._exchanges.append(Exchange(200, None, subject, workspace))
        return 200, {"access_token": token, "token_type": "Bearer", "expires_in": lifetime}, workspace

    def _verify(self, body: Any) -> tuple[str, str]:
        if not isinstance(body, dict):
            raise OAuthError(400, "invalid_request", "the body must be a JSON object")
        if body.get("grant_type") != JWT_BEARER:
            raise OAuthError(400, "unsupported_grant_type", f"grant_type must be {JWT_BEARER}")
        for name in ("assertion", "federation_rule_id", "organization_id"):
            if not isinstance(body.get(name), str) or not body[name]:
                raise OAuthError(400, "invalid_request", f"{name} is required")
        if body["organization_id"] != self.config.organization_id:
            raise _grant_refused("unknown organization_id")
        rule = next((r for r in self.config.rules if r.id == body["federation_rule_id"]), None)
        if rule is None:
            raise _grant_refused(f"no federation rule {body['federation_rule_id']} in this organization")
        claims = self._claims(body["assertion"], rule)
        subject = str(claims.get("sub", ""))
        if not subject.startswith(rule.subject_prefix):
            raise _grant_refused(f"the assertion's subject {subject!r} does not match rule {rule.id} "
                                 f"(subject prefix {rule.subject_prefix!r})")
        account = body.get("service_account_id")
        if account is not None and rule.service_account_id is not None and account != rule.service_account_id:
            raise _grant_refused(f"service account {account} is not the one of rule {rule.id}")
        return subject, self._workspace(rule, body.get("workspace_id"))

    def _claims(self, assertion: str, rule: Rule) -> dict[str, Any]:
        """The assertion's claims once its signature, issuer, audience and lifetime check out. PyJWT's
        own messages never hold the token; times are checked on the emulator's clock."""
        import jwt

        issuer = next(i for i in self.config.issuers if i.url == rule.issuer)
        try:
            kid = jwt.get_unverified_header(assertion).get("kid")
            keys = jwt.PyJWKSet.from_dict(self.jwks[issuer.url])
            key = next((k for k in keys.keys if kid is None or k.key_id == kid), None)
            if key is None:
                raise _grant_refused(f"no key {kid} in the JWKS of {issuer.url}")
            claims: dict[str, Any] = jwt.decode(
                assertion, key=key, algorithms=ALGORITHMS, audience=issuer.audience, issuer=issuer.url,
                options={"verify_exp": False, "verify_nbf": False, "verify_iat": False,
                         "require": ["iss", "aud", "sub", "exp", "iat"]},
            )
        except jwt.PyJWTError as exc:
            raise _grant_refused(f"the assertion does not verify ({type(exc).__name__}: {exc})") from None
        now = to_us(self.clock()) / 1_000_000
        if not isinstance(claims["exp"], int | float) or now >= claims["exp"]:
            raise _grant_refused("the assertion has expired")
        if isinstance(claims.get("nbf"), int | float) and now < claims["nbf"]:
            raise _grant_refused("the assertion is not valid yet")
        return claims

    @staticmethod
    def _workspace(rule: Rule, requested: Any) -> str:
        if requested is None:
            if len(rule.workspaces) > 1:
                raise OAuthError(400, "invalid_request",
                                 f"rule {rule.id} enables several workspaces: workspace_id is required")
            return rule.workspaces[0]
        if requested not in rule.workspaces:
            raise _grant_refused(f"workspace {requested} is not enabled for rule {rule.id}")
        return str(requested)

    def workspace_of(self, authorization: str | None, api_key: str | None) -> str | None:
        """The workspace a request's credential is bound to (None: a key bound to none, so the request's
        `anthropic-workspace-id` picks one, as without federation); a 401 ApiError when it is refused.
        The SDK sends an API key as `Authorization: Bearer` too: minted tokens carry their own prefix."""
        scheme, _, bearer = (authorization or "").partition(" ")
        credential = bearer.strip() if scheme.lower() == "bearer" else ""
        if credential.startswith(TOKEN_PREFIX):
            with self._lock:
                found = self._tokens.get(credential)
            if found is None:
                raise ApiError(401, "invalid access token")
            workspace, expires = found
            if to_us(self.clock()) >= expires:
                raise ApiError(401, "the access token has expired")
            return workspace
        key = api_key or credential
        if not key:
            raise ApiError(401, "no credentials: send x-api-key or Authorization: Bearer")
        if self.config.api_keys is None:
            return None
        if key not in self.config.api_keys:
            raise ApiError(401, "invalid API key")
        return self.config.api_keys[key]
