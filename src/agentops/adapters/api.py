"""The SDK adapter: the only module that talks to the Deployments API.

Reads return plain JSON data (what the pure core takes); writes take plain bodies. Every
call goes through the official `anthropic` SDK; the SDK's own retries are off because the
executor decides what is safe to retry (a create is not).
"""

from __future__ import annotations

import logging
import os
import random
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import anthropic
from anthropic.lib.credentials import WorkloadIdentityError

from agentops.adapters import identity
from agentops.adapters.credentials import CredentialCalls
from agentops.adapters.pacing import Pacer
from agentops.engine.identity import Live
from agentops.engine.lookups import Found, Key
from agentops.engine.vaults import credential_live
from agentops.model import skillfiles, tags
from agentops.model.errors import error_code, error_hint

PAGE_SIZE = 100
RUN_PAGE_SIZE = 1000  # the API's maximum for runs
# Runs are listed newest first; past this many pages the oldest runs of the window are left out
# (a minute-by-minute schedule unchanged for weeks would otherwise page for minutes).
MAX_RUN_PAGES = 20
LOOKUP_PARALLELISM = 8
DEFAULT_TIMEOUT = 60.0
TIMEOUT_VARIABLE = "AGENTOPS_TIMEOUT"
# A request that timed out is retried with a longer timeout (doubling, up to this factor), so a
# slow API is waited for rather than given up on after the first try.
MAX_TIMEOUT_FACTOR = 8
READ_ATTEMPTS = 6
# One call, retries included, gives up after this many times the request timeout (10 minutes at
# the default 60 s, inside the 20-minute limit of the plan and drift jobs): a hung API fails the job.
TOTAL_FACTOR = 10
MAX_RETRY_AFTER = 60.0
# Failures after which a retry is safe for a read; after a write the outcome is unknown (AMBIGUOUS)
# unless the answer says nothing was done (`nothing_done`). A policy block (a 400 or 403 with an
# error code, model/errors.py) is none of these: the same request would fail the same way.
AMBIGUOUS = (anthropic.APIConnectionError, anthropic.InternalServerError)
RETRYABLE = (anthropic.RateLimitError, *AMBIGUOUS)
# The response header naming the workspace the request's credential resolved to.
WORKSPACE_HEADER = "anthropic-workspace-id"


class UnexpectedShape(ValueError):
    """An answer that is JSON but not of the documented shape: said in one line, never a traceback."""


def page_of(body: Mapping[str, Any], what: str) -> tuple[list[dict[str, Any]], str | None]:
    """A list page's items and next cursor, checked: `data` a list of objects with an `id`."""
    items, cursor = body.get("data"), body.get("next_page")
    if not isinstance(items, list) or not all(isinstance(i, dict) and isinstance(i.get("id"), str) for i in items):
        raise UnexpectedShape(f"the {what} listing is not a list of objects with an id")
    if cursor is not None and not isinstance(cursor, str):
        raise UnexpectedShape(f"the {what} listing has a next_page that is not a cursor")
    return items, cursor


class ClientSetupError(RuntimeError):
    """The client cannot be made (no key, a bad setting): one line for the user, not a traceback."""


class WorkspaceMismatch(ClientSetupError):
    """The credential belongs to another workspace than the configured one: nothing may be written."""


def client_timeout(environ: Mapping[str, str] | None = None) -> float:
    """Seconds per request: `AGENTOPS_TIMEOUT` (for slow networks, or short for tests), else 60."""
    text = (os.environ if environ is None else environ).get(TIMEOUT_VARIABLE, "").strip()
    if not text:
        return DEFAULT_TIMEOUT
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not 0 < value <= 3600:
        raise ClientSetupError(f"{TIMEOUT_VARIABLE} must be a number of seconds between 0 and 3600, got {text!r}")
    return value


def make_client(
    base_url: str | None = None, api_key: str | None = None, timeout: float | None = None
) -> anthropic.Anthropic:
    """The one SDK client: with `api_key` (the embedded emulator), ANTHROPIC_API_KEY, or keyless
    (Workload Identity Federation: the SDK exchanges the identity token, see adapters/identity.py)."""
    _cap_sdk_logging()
    seconds = client_timeout() if timeout is None else timeout
    if api_key is None:
        try:
            if identity.choose(os.environ) is identity.Auth.FEDERATION:
                identity.provide()
                # No credential argument: the SDK reads the federation variables and the token file.
                return anthropic.Anthropic(base_url=base_url, max_retries=0, timeout=seconds)
        except identity.IdentityError as exc:
            raise ClientSetupError(str(exc)) from None
        api_key = os.environ[identity.API_KEY]
    return anthropic.Anthropic(api_key=api_key, base_url=base_url, max_retries=0, timeout=seconds)


def _cap_sdk_logging() -> None:
    """Keep the SDK's debug log off: with ANTHROPIC_LOG=debug it logs request bodies, tokens included."""
    for name in ("anthropic", "httpx2"):
        logger = logging.getLogger(name)
        if logger.isEnabledFor(logging.DEBUG):
            logger.setLevel(logging.INFO)


def _after(stamp: Any, moment: datetime) -> bool:
    """Whether an RFC 3339 `created_at` is at or after `moment` (an unreadable one counts: recovery
    would rather look at one object too many than miss the one it created)."""
    try:
        return datetime.fromisoformat(str(stamp).replace("Z", "+00:00")) >= moment
    except ValueError:
        return True


def nothing_done(exc: BaseException) -> bool:
    """The API says the request changed nothing and when to ask again: a 429, or a typed error such as
    authorization_check_unavailable. Safe to repeat, a create too (no lookup for a lost create first)."""
    if isinstance(exc, anthropic.RateLimitError):
        return True
    return isinstance(exc, anthropic.APIStatusError) and exc.error_code is not None and error_code(exc.error_code).retry


def retry_after(exc: anthropic.APIStatusError) -> float | None:
    value = exc.response.headers.get("retry-after")
    try:
        return min(MAX_RETRY_AFTER, max(0.0, float(value))) if value is not None else None
    except ValueError:
        return None


def backoff_delay(attempt: int, exc: Exception) -> float:
    """Exponential with jitter; the `retry-after` of a 429 (or of another answer that did nothing)
    wins when the server sends one."""
    if isinstance(exc, anthropic.APIStatusError) and nothing_done(exc):
        waited = retry_after(exc)
        if waited is not None:
            return waited
    return min(8.0, 0.1 * 2.0**attempt) * (0.5 + random.random() / 2)


def describe_error(exc: anthropic.APIStatusError) -> str:
    """The API's own message and status, never the request (which may hold a token); for a typed
    error its code and the hint of model/errors.py: what it means and who can lift it."""
    message = exc.api_message or exc.response.reason_phrase or "request failed"
    if exc.error_code is None:
        return f"API error {exc.status_code} ({exc.type or 'error'}): {message}"
    error = exc.body.get("error") if isinstance(exc.body, dict) else None
    details = error.get("details") if isinstance(error, dict) else None
    hint = error_hint(exc.error_code, details if isinstance(details, dict) else None)
    return f"API error {exc.status_code} ({exc.type or 'error'}, {exc.error_code}): {message}; hint: {hint}"


def describe_exchange(exc: WorkloadIdentityError) -> str:
    """A failed jwt-bearer exchange in one line: the endpoint's RFC 6749 error, never the assertion."""
    if exc.status_code is None:
        return ("the Workload Identity Federation token exchange got no answer; check ANTHROPIC_BASE_URL "
                "or the network")
    body = exc.body if isinstance(exc.body, dict) else {}
    said = f": {body['error_description']}" if isinstance(body.get("error_description"), str) else ""
    hint = ("check the federation rule: its issuer, audience and subject prefix must match this job's token "
            "(for a GitHub environment, repo:OWNER/REPO:environment:NAME)" if exc.status_code in (400, 401, 403)
            else "try again later")
    return (f"the Workload Identity Federation token exchange failed (HTTP {exc.status_code}, "
            f"{body.get('error') or 'error'}){said}; {hint}")


def explain(exc: BaseException) -> str | None:
    """The one line a user sees for a failure to reach or understand the API (None: not one of those).

    Never the request itself: its headers and body may hold a key or a token."""
    if isinstance(exc, ClientSetupError | identity.IdentityError):
        return str(exc)
    if isinstance(exc, WorkloadIdentityError):
        return describe_exchange(exc)
    if isinstance(exc, anthropic.CredentialsError):  # the SDK's own: names a variable or a path, no token
        return f"the SDK cannot authenticate ({type(exc).__name__}): {exc}"
    if isinstance(exc, UnexpectedShape):
        return f"unexpected API response: {exc}"
    if isinstance(exc, anthropic.APIStatusError):
        return describe_error(exc)
    if isinstance(exc, anthropic.APIConnectionError):
        return f"cannot reach the API ({type(exc).__name__}); check ANTHROPIC_BASE_URL or the network"
    if isinstance(exc, anthropic.APIError):
        return f"unexpected API response ({type(exc).__name__})"
    return None


def _custom(source: Any) -> bool:
    """A skill the workspace authored (`source: {type: custom}`), not one Anthropic publishes."""
    kind = source.get("type") if isinstance(source, Mapping) else source
    return kind in (None, "custom")


@dataclass
class Deadline:
    """How long one call may wait on the API, retries included; each attempt's timeout doubles
    within it. Backoff sleeps (a 429's retry-after) are not counted: only waiting on requests."""

    base: float
    left: float
    _started: float = 0.0

    def timeout(self, attempt: int) -> float:
        """The timeout of the next attempt; its wait is charged by the next `passed()`."""
        self._started = time.monotonic()
        doubled = self.base * min(2.0 ** (attempt - 1), MAX_TIMEOUT_FACTOR)
        return max(0.001, min(doubled, self.left))

    def passed(self) -> bool:
        self.left -= time.monotonic() - self._started
        return self.left <= 0


@dataclass
class Seen:
    """What the API's answers said about the workspace, shared by every thread of one Api."""

    workspace: str | None = None
    answered: bool = False  # an answer arrived (it may have named no workspace)
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass(frozen=True)
class Api:
    """A client bound to one workspace: the configured one (agentops.yaml or --workspace-id), checked
    against the workspace every answer names; else the one the credential resolves to."""

    client: anthropic.Anthropic
    configured: str | None = None
    sleep: Callable[[float], None] = time.sleep
    # Shared by every thread using this Api; unpaced unless the caller says how fast it may go.
    pacer: Pacer = field(default_factory=lambda: Pacer(0, 0))
    # The environment acted on: a create's recovery only finds deployments tagged with it.
    env: str | None = None
    # The embedded emulator of `--local`: its objects are the seed's, so a missing name is the seed's to add.
    local: bool = False
    seen: Seen = field(default_factory=Seen, compare=False, repr=False)
    # Skill version id -> the record its download held. A version never changes, so a second listing in
    # the same run (a lost create's recovery) downloads only new versions. In memory only: an on-disk
    # cache would be a file anyone with the checkout could edit to make a skill look unchanged or owned.
    records: dict[str, dict[str, Any]] = field(default_factory=dict, compare=False, repr=False)

    @property
    def _headers(self) -> dict[str, str]:
        return {WORKSPACE_HEADER: self.configured} if self.configured else {}

    @property
    def workspace_id(self) -> str | None:
        """The workspace this Api acts in: the one the API's answers name, else the configured one.
        When no answer has come yet, one cheap read asks (a plan records where it ran)."""
        if not self.seen.answered:
            self.preflight()
        return self.seen.workspace or self.configured

    def preflight(self) -> None:
        """The cheapest read, so the workspace is known (and checked) before anything is written."""
        self._read(self.client.beta.deployments.with_raw_response.list, limit=1)

    def _saw(self, headers: Mapping[str, str]) -> None:
        """Record the workspace an answer names; a configured workspace it is not stops everything."""
        named = headers.get(WORKSPACE_HEADER)
        with self.seen.lock:
            self.seen.answered = True
            if named:
                self.seen.workspace = named
        if named and self.configured and named != self.configured:
            raise WorkspaceMismatch(
                f"the credential in use belongs to workspace {named}, but this environment's workspace_id "
                f"(agentops.yaml or --workspace-id) is {self.configured}; nothing was written. Use that "
                "workspace's credential (its API key, or a federation rule for it), or correct workspace_id"
            )

    def deadline(self) -> Deadline:
        """A fresh budget for one call: the client's timeout per attempt, TOTAL_FACTOR of it in all."""
        base = self.client.timeout
        seconds = base if isinstance(base, float | int) else (base.read if base is not None else None)
        first = float(seconds or DEFAULT_TIMEOUT)
        return Deadline(first, TOTAL_FACTOR * first)

    def _read(self, method: Callable[..., Any], *args: Any, **params: Any) -> dict[str, Any]:
        """A GET, retried: reads are safe to repeat, and a plan should not fail on one flaky response."""
        deadline = self.deadline()
        for attempt in range(1, READ_ATTEMPTS + 1):
            try:
                return self._call(method, *args, timeout=deadline.timeout(attempt), kind="reads", **params)
            except RETRYABLE as exc:
                if attempt >= READ_ATTEMPTS or deadline.passed():
                    raise
                self.sleep(backoff_delay(attempt, exc))
        raise AssertionError("unreachable")  # pragma: no cover

    def _pages(
        self, method: Callable[..., Any], what: str, params: dict[str, Any]
    ) -> Iterator[tuple[list[dict[str, Any]], bool]]:
        """Every page of a cursor listing, checked, one at a time, and whether another follows."""
        cursor: str | None = None
        while True:
            body = self._read(method, **params, **({"page": cursor} if cursor else {}))
            items, cursor = page_of(body, what)
            yield items, cursor is not None
            if not cursor:
                return

    def iter_deployment_pages(self, **filters: Any) -> Iterator[list[dict[str, Any]]]:
        """Every page of the deployments listing, as raw JSON."""
        pages = self._pages(self.client.beta.deployments.with_raw_response.list, "deployments",
                            {"limit": PAGE_SIZE, **filters})
        return (items for items, _more in pages)

    def live_pages(self) -> Iterator[list[Live]]:
        """The deployments listing page by page, each deployment as the core takes it."""
        return ([Live.from_json(item) for item in page] for page in self.iter_deployment_pages())

    def list_deployments(self) -> list[Live]:
        return [live for page in self.live_pages() for live in page]

    def find_owned(self, stack: str, name: str, created_after: datetime | None,
                   kind: str = "deployment") -> list[dict[str, Any]]:
        """Live objects of `kind` of this stack tagged with `name`, created at or after a time (create
        recovery). Deployments are filtered by the API; the other kinds' listings have no such filter."""
        if kind == "credential":
            # A credential carries no ownership tags to find it by: after a lost create response the
            # create is sent again, and a second one for the same MCP server is refused by the API.
            return []
        if kind == "deployment":
            filters = {"created_at_gte": created_after.isoformat()} if created_after is not None else {}
            items = [item for page in self.iter_deployment_pages(**filters) for item in page]
        else:
            items = [item for item in self.list_objects(kind) if not item.get("archived_at")
                     and (created_after is None or _after(item.get("created_at"), created_after))]
        return [
            item
            for item in items
            if (item.get("metadata") or {}).get(tags.STACK) == stack
            and (item.get("metadata") or {}).get(tags.NAME) == name
            and (item.get("metadata") or {}).get(tags.ENV) == self.env
        ]

    def list_runs(self, since: str | None, deployment_id: str | None = None) -> tuple[list[dict[str, Any]], bool]:
        """Runs created at or after `since`, newest first: ONE paginated listing for the whole stack
        (filtered to one deployment when given). True as well when it stopped at MAX_RUN_PAGES."""
        filters: dict[str, Any] = {"limit": RUN_PAGE_SIZE}
        if since:
            filters["created_at_gte"] = since
        if deployment_id:
            filters["deployment_id"] = deployment_id
        runs: list[dict[str, Any]] = []
        pages = self._pages(self.client.beta.deployment_runs.with_raw_response.list, "deployment runs", filters)
        for count, (page, more) in enumerate(pages, 1):
            runs.extend(page)
            if more and count == MAX_RUN_PAGES:
                return runs, True
        return runs, False

    def retrieve_run(self, run_id: str) -> dict[str, Any]:
        return self._read(self.client.beta.deployment_runs.with_raw_response.retrieve, run_id)

    def list_objects(self, kind: str) -> list[dict[str, Any]]:
        """Every agent, environment, vault or memory store of the workspace, archived ones included, all pages."""
        methods: dict[str, Callable[..., Any]] = {
            "agent": self.client.beta.agents.with_raw_response.list,
            "environment": self.client.beta.environments.with_raw_response.list,
            "vault": self.client.beta.vaults.with_raw_response.list,
            # The SDK sends memory stores' own beta header (the API refuses it beside the agents' one).
            "memory_store": self.client.beta.memory_stores.with_raw_response.list,
        }
        if kind == "skill":
            return self._skills()
        params = {"limit": PAGE_SIZE, "include_archived": True}
        return [item for page, _more in self._pages(methods[kind], f"{kind}s", params) for item in page]

    def credentials(self, vaults: Iterable[Live]) -> list[Live]:
        """The active credentials of each vault (one listing per vault, side by side), as the planner takes them."""
        wanted = list(vaults)

        def listed(vault: Live) -> list[Live]:
            method = self.client.beta.vaults.credentials.with_raw_response.list
            pages = self._pages(method, "credentials", {"vault_id": vault.id, "limit": PAGE_SIZE})
            return [credential_live(vault, item) for page, _more in pages for item in page]

        with ThreadPoolExecutor(max_workers=max(1, min(len(wanted), LOOKUP_PARALLELISM))) as pool:
            return [item for found in pool.map(listed, wanted) for item in found]

    def validate_credential(self, object_id: str) -> dict[str, Any]:
        """`mcp_oauth_validate` of a credential (a plan's `<vault id>/<credential id>`): a read, retried."""
        return self._read(self._resource("credential").validate, object_id)

    def _skills(self) -> list[dict[str, Any]]:
        """Every custom skill of the workspace, each with what agentops recorded in its latest version
        (`digest`, `metadata`: model/skillfiles.py): one download per skill, side by side. A skill has
        no tags a listing returns, so this is how a plan knows which are the stack's and what changed."""
        pages = self._pages(self.client.skills.with_raw_response.list, "skills", {"limit": PAGE_SIZE})
        listed = [item for page, _more in pages for item in page if _custom(item.get("source"))]

        def read(item: dict[str, Any]) -> dict[str, Any]:
            version = str(item["latest_version_id"])
            found = self.records.get(version)
            if found is None:
                found = self.records[version] = skillfiles.read_record(self.download_skill(str(item["id"]), version))
            return {**item, "name": found.get("name") or item.get("display_name"), "digest": found.get("digest"),
                    "metadata": found.get("metadata", {})}

        with ThreadPoolExecutor(max_workers=LOOKUP_PARALLELISM) as pool:
            return list(pool.map(read, listed))

    def download_skill(self, skill_id: str, version: str) -> bytes:
        """A skill version's zip (a binary answer: not through `_call`, which reads JSON). Untrusted input."""
        download = self.client.beta.skills.versions.with_raw_response.download
        raw = self._send(download, (version,), self.deadline().base, "reads", {"skill_id": skill_id})
        self._saw(raw.http_response.headers)
        content: bytes = raw.http_response.content
        return content

    def listings(self, kinds: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
        """One listing per kind, the kinds read side by side."""
        wanted = list(kinds)
        with ThreadPoolExecutor(max_workers=max(1, len(wanted))) as pool:
            return dict(zip(wanted, pool.map(self.list_objects, wanted), strict=True))

    def _call(
        self, method: Callable[..., Any], *args: Any, timeout: float | None = None, kind: str = "writes", **body: Any
    ) -> dict[str, Any]:
        if kind == "writes" and not self.seen.answered:
            self.preflight()
        try:
            raw = self._send(method, args, timeout, kind, body)
        except anthropic.APIStatusError as exc:
            self._saw(exc.response.headers)
            raise
        self._saw(raw.http_response.headers)
        try:
            data = raw.http_response.json()
        except ValueError:
            data = None
        if not isinstance(data, dict):
            # An APIError like any other, so every caller's one-line error handling covers it.
            raise anthropic.APIResponseValidationError(
                raw.http_response, None, message="the API answered with something that is not a JSON object"
            )
        return data

    def _send(
        self, method: Callable[..., Any], args: tuple[Any, ...], timeout: float | None, kind: str, body: dict[str, Any]
    ) -> Any:
        """One request, sent again when a refused credential can be renewed (each kind once): a 401 means
        nothing was done, so a write may be repeated too. With federation, the SDK has dropped an access
        token the API refused (it exchanges again); an exchange refused gets a newly fetched OIDC token."""
        renewed: set[str] = set()
        while True:
            identity.fresh()
            self.pacer.wait(kind)
            try:
                raw = method(*args, extra_headers=self._headers, timeout=timeout or self.deadline().base, **body)
            except anthropic.RateLimitError as exc:
                self.pacer.throttled(kind, retry_after(exc))
                raise
            except anthropic.AuthenticationError:
                if "access token" in renewed or self.client.credentials is None:
                    raise
                renewed.add("access token")
                continue
            except WorkloadIdentityError as exc:
                if "identity token" in renewed or exc.status_code != 401 or not identity.renew():
                    raise
                renewed.add("identity token")
                continue
            self.pacer.ok(kind)
            return raw

    # Writes are tried once per call: only the executor knows which are safe to repeat.
    # `timeout` comes from the caller's Deadline, so retries stay within one budget.

    def _resource(self, kind: str) -> Any:
        """The SDK resource of a managed kind (`client.beta.agents`, ...)."""
        beta = self.client.beta
        resources: dict[str, Any] = {"deployment": beta.deployments, "agent": beta.agents,
                                     "environment": beta.environments, "vault": beta.vaults,
                                     "credential": CredentialCalls(beta.vaults.credentials.with_raw_response),
                                     "memory_store": beta.memory_stores}
        return resources[kind].with_raw_response

    def _method(self, kind: str, verb: str) -> Any:
        """A managed kind's SDK method; a skill has no update or archive: a change is a new version
        (`client.skills.versions.create`), a removal a delete."""
        if kind == "skill":
            skills = self.client.skills.with_raw_response
            return {"create": skills.create, "retrieve": skills.retrieve, "archive": skills.delete,
                    "update": self.client.skills.versions.with_raw_response.create}[verb]
        return getattr(self._resource(kind), verb)

    def retrieve(self, object_id: str, kind: str = "deployment") -> dict[str, Any]:
        return self._read(self._method(kind, "retrieve"), object_id)

    def create(self, body: Mapping[str, Any], timeout: float | None = None, kind: str = "deployment") -> dict[str, Any]:
        return self._call(self._method(kind, "create"), timeout=timeout, **body)

    def update(self, object_id: str, body: Mapping[str, Any], timeout: float | None = None,
               kind: str = "deployment") -> dict[str, Any]:
        return self._call(self._method(kind, "update"), object_id, timeout=timeout, **body)

    def pause(self, deployment_id: str, timeout: float | None = None) -> dict[str, Any]:
        return self._call(self.client.beta.deployments.with_raw_response.pause, deployment_id, timeout=timeout)

    def unpause(self, deployment_id: str, timeout: float | None = None) -> dict[str, Any]:
        return self._call(
            self.client.beta.deployments.with_raw_response.unpause, deployment_id, timeout=timeout
        )

    def archive(self, object_id: str, timeout: float | None = None, kind: str = "deployment") -> dict[str, Any]:
        return self._call(self._method(kind, "archive"), object_id, timeout=timeout)

    def run(self, deployment_id: str) -> dict[str, Any]:
        return self._call(self.client.beta.deployments.with_raw_response.run, deployment_id)

    def look_up(self, keys: Iterable[Key]) -> dict[Key, Found]:
        """One retrieve per (kind, id): whether it exists and is live. Deciding what that means is
        the planner's (engine/references.py)."""
        getters: dict[str, Callable[..., Any]] = {
            "agent": self.client.beta.agents.with_raw_response.retrieve,
            "environment": self.client.beta.environments.with_raw_response.retrieve,
            "vault": self.client.beta.vaults.with_raw_response.retrieve,
            "memory_store": self.client.beta.memory_stores.with_raw_response.retrieve,
        }

        def look(key: Key) -> Found:
            kind, ref = key
            try:
                found = self._read(getters[kind], ref)
            except anthropic.NotFoundError:
                return Found.MISSING
            return Found.ARCHIVED if found.get("archived_at") else Found.OK

        wanted = sorted(keys)
        with ThreadPoolExecutor(max_workers=LOOKUP_PARALLELISM) as pool:
            return dict(zip(wanted, pool.map(look, wanted), strict=True))

    def update_object(self, kind: str, object_id: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """One update of an agent, environment or vault (import's ownership tags); tried once, as every write."""
        return self._call(self._resource(kind).update, object_id, **body)
