"""Which credential the SDK will use, and the GitHub Actions OIDC token that keyless auth needs.

The SDK exchanges an identity token for a short-lived, workspace-scoped access token itself (RFC
7523 jwt-bearer at `POST /v1/oauth/token`) when ANTHROPIC_FEDERATION_RULE_ID,
ANTHROPIC_ORGANIZATION_ID and ANTHROPIC_IDENTITY_TOKEN_FILE (or ANTHROPIC_IDENTITY_TOKEN) are set;
but it cannot get a GitHub token. In a job with `permissions: id-token: write`, GitHub hands one to
whoever shows ACTIONS_ID_TOKEN_REQUEST_TOKEN at ACTIONS_ID_TOKEN_REQUEST_URL: this module fetches
it, keeps it in a private file (0600, in its own 0700 directory, removed at exit) and names that
file to the SDK in ANTHROPIC_IDENTITY_TOKEN_FILE, which the SDK reads again at every exchange.
Before each API request (`fresh`) the token is fetched again once half its lifetime has passed,
and at once (`renew`) when the API refuses it, so a long apply never presents an expired one.

Nothing here prints, logs or raises with a token in it.
"""

from __future__ import annotations

import atexit
import base64
import json
import os
import shutil
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

API_KEY = "ANTHROPIC_API_KEY"
AUTH_TOKEN = "ANTHROPIC_AUTH_TOKEN"
# Identifiers, not secrets: GitHub variables per GitHub environment.
FEDERATION = (
    "ANTHROPIC_FEDERATION_RULE_ID",
    "ANTHROPIC_ORGANIZATION_ID",
    "ANTHROPIC_SERVICE_ACCOUNT_ID",
    "ANTHROPIC_WORKSPACE_ID",
)
REQUIRED = FEDERATION[:2]  # the SDK exchanges with these two; the others narrow the exchange
TOKEN_FILE = "ANTHROPIC_IDENTITY_TOKEN_FILE"
TOKEN = "ANTHROPIC_IDENTITY_TOKEN"
REQUEST_URL = "ACTIONS_ID_TOKEN_REQUEST_URL"
REQUEST_TOKEN = "ACTIONS_ID_TOKEN_REQUEST_TOKEN"
AUDIENCE_VARIABLE = "AGENTOPS_OIDC_AUDIENCE"
# The audience Anthropic's guide to WIF with GitHub Actions requests; the federation issuer's
# audience must equal it (set AGENTOPS_OIDC_AUDIENCE when yours differs).
DEFAULT_AUDIENCE = "https://api.anthropic.com"
REQUEST_TIMEOUT = 30.0
# When a token's claims do not say how long it lives: GitHub's are valid for minutes, not seconds.
DEFAULT_LIFETIME = 300.0
PERMISSION = "`permissions: id-token: write`"


class IdentityError(RuntimeError):
    """No usable credential, or no GitHub token: one line saying what to fix, never a token."""


class Auth(Enum):
    API_KEY = "api-key"
    FEDERATION = "federation"


def choose(environ: Mapping[str, str]) -> Auth:
    """The credential this run uses, or a refusal when the choice would be silent or impossible.

    A set ANTHROPIC_API_KEY (or ANTHROPIC_AUTH_TOKEN), even an empty one, beside the federation
    variables is refused: the SDK would take the key and ignore federation without a word."""
    federated = [name for name in FEDERATION if environ.get(name)]
    static = next((name for name in (API_KEY, AUTH_TOKEN) if name in environ), None)
    if federated and static is not None:
        state = "set" if environ[static] else "set (to an empty value)"
        raise IdentityError(
            f"{static} is {state} and so is {federated[0]}: the SDK would use {static} and ignore Workload "
            f"Identity Federation; remove {static} from this job's environment to authenticate keyless, or "
            f"unset the ANTHROPIC_FEDERATION_* variables to use the key"
        )
    if federated:
        missing = [name for name in REQUIRED if not environ.get(name)]
        if missing:
            raise IdentityError(f"Workload Identity Federation needs {' and '.join(missing)} as well "
                                f"({', '.join(federated)} is set)")
        return Auth.FEDERATION
    if environ.get(API_KEY):
        return Auth.API_KEY
    state = "not set (it is empty)" if API_KEY in environ else "not set"
    raise IdentityError(
        f"{API_KEY} is {state} and Workload Identity Federation is not configured: export {API_KEY}, or set "
        f"{' and '.join(REQUIRED)} (in GitHub Actions, with {PERMISSION} on the job); "
        "or use --local to run against the embedded emulator"
    )


@dataclass(frozen=True)
class Source:
    """Where the job's OIDC token comes from; the request token is the job's own secret."""

    url: str
    bearer: str = field(repr=False)
    audience: str

    @classmethod
    def of(cls, environ: Mapping[str, str]) -> Source:
        url, bearer = environ.get(REQUEST_URL), environ.get(REQUEST_TOKEN)
        if not url or not bearer:
            missing = REQUEST_URL if not url else REQUEST_TOKEN
            where = ("the job lacks " + PERMISSION) if environ.get("GITHUB_ACTIONS") == "true" else (
                f"outside GitHub Actions, set {TOKEN_FILE} to a file holding an identity token; in GitHub "
                f"Actions, give the job {PERMISSION}")
            raise IdentityError(f"Workload Identity Federation is configured but there is no identity token: "
                                f"{missing} is not set ({where})")
        return cls(url, bearer, environ.get(AUDIENCE_VARIABLE) or DEFAULT_AUDIENCE)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """The request token goes to the URL GitHub gave, never to wherever that answer points."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def fetch(source: Source) -> str:
    """The job's OIDC token for `source.audience`, from GitHub's token service."""
    joiner = "&" if urllib.parse.urlsplit(source.url).query else "?"
    request = urllib.request.Request(source.url + joiner + urllib.parse.urlencode({"audience": source.audience}))
    request.add_unredirected_header("Authorization", f"bearer {source.bearer}")
    request.add_header("Accept", "application/json")
    try:
        with urllib.request.build_opener(_NoRedirect).open(request, timeout=REQUEST_TIMEOUT) as answer:
            data = json.loads(answer.read(1 << 20))
    except urllib.error.HTTPError as exc:
        raise IdentityError(f"requesting the GitHub OIDC token failed (HTTP {exc.code}): the job needs "
                            f"{PERMISSION}, and {REQUEST_TOKEN} must be this job's own") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise IdentityError(f"cannot reach GitHub's OIDC token service at {REQUEST_URL} "
                            f"({type(reason).__name__}); check the runner's network") from None
    except ValueError:
        data = None
    value = data.get("value") if isinstance(data, dict) else None
    if not isinstance(value, str) or value.count(".") != 2:
        raise IdentityError("GitHub's OIDC token service answered without a token (no JWT in `value`)")
    return value


def lifetime(token: str) -> float:
    """Seconds the token lives (`exp - iat`; read, not verified: the API verifies it). Measured from
    the token's own claims, so the runner's clock being off does not matter."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        seconds = float(claims["exp"]) - float(claims["iat"])
    except (IndexError, ValueError, KeyError, TypeError):
        return DEFAULT_LIFETIME
    return seconds if 0 < seconds <= 86_400 else DEFAULT_LIFETIME


class Keeper:
    """The job's OIDC token in a private file, fetched again once half its lifetime has passed."""

    def __init__(
        self,
        source: Source,
        parent: str | None = None,
        clock: Callable[[], float] = time.monotonic,
        fetcher: Callable[[Source], str] = fetch,
    ) -> None:
        self.source = source
        self._clock = clock
        self._fetch = fetcher
        self._lock = threading.Lock()
        self._due = 0.0
        self._written = 0
        # mkdtemp makes the directory 0700: nobody else can list it or open the file inside.
        self._dir = Path(tempfile.mkdtemp(prefix="agentops-oidc-", dir=parent))
        self.path = self._dir / "token"

    def fresh(self, force: bool = False) -> None:
        """Fetch and write the token if it is due (or `force`); one fetch at a time."""
        with self._lock:
            now = self._clock()
            if not force and now < self._due:
                return
            token = self._fetch(self.source)
            self._write(token)
            self._due = now + lifetime(token) / 2

    def _write(self, token: str) -> None:
        """Replace the file whole: the SDK may read it at any moment from another thread."""
        self._written += 1
        staging = self._dir / f".token-{self._written}"
        handle = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(token)
        os.replace(staging, self.path)

    def close(self) -> None:
        shutil.rmtree(self._dir, ignore_errors=True)


_keeper: Keeper | None = None
_guard = threading.Lock()


def provide(environ: MutableMapping[str, str] | None = None) -> None:
    """Make sure the SDK finds an identity token: one the environment already names, else the GitHub
    job's, fetched now into a private file that ANTHROPIC_IDENTITY_TOKEN_FILE names."""
    global _keeper
    env = os.environ if environ is None else environ
    # A workflow's `${{ vars.NAME }}` of an undefined variable is empty: the SDK would send that
    # as a value (`"service_account_id": ""`), so an empty one is no variable at all.
    for name in FEDERATION:
        if name in env and not env[name]:
            del env[name]
    with _guard:
        ours = _keeper is not None and env.get(TOKEN_FILE) == str(_keeper.path)
        if not ours and (env.get(TOKEN) or env.get(TOKEN_FILE)):
            return  # the user's own token (another CI, a file they wrote): the SDK reads it
        source = Source.of(env)
        if _keeper is not None and ours and _keeper.source == source:
            return
        _close_locked(env)
        keeper = Keeper(source, env.get("RUNNER_TEMP") or None)
        try:
            keeper.fresh()
        except BaseException:
            keeper.close()
            raise
        _keeper = keeper
        env[TOKEN_FILE] = str(keeper.path)
        _register_exit()


def fresh() -> None:
    """Before a request: fetch the token again if half its lifetime has passed (no-op without one)."""
    keeper = _keeper
    if keeper is not None:
        keeper.fresh()


def renew() -> bool:
    """After the API refused the token: fetch a new one now. False when agentops keeps none."""
    keeper = _keeper
    if keeper is None:
        return False
    keeper.fresh(force=True)
    return True


def close(environ: MutableMapping[str, str] | None = None) -> None:
    """Remove the token file and stop naming it (at exit; tests call it between runs)."""
    with _guard:
        _close_locked(os.environ if environ is None else environ)


def _close_locked(env: MutableMapping[str, str]) -> None:
    global _keeper
    if _keeper is None:
        return
    if env.get(TOKEN_FILE) == str(_keeper.path):
        del env[TOKEN_FILE]
    _keeper.close()
    _keeper = None


_registered = False


def _register_exit() -> None:
    global _registered
    if not _registered:
        atexit.register(close)
        _registered = True
