"""A companion process that reads the workspace while this one loads the manifests.

`import anthropic` costs over a second of CPU, as much as loading 1,000 manifests, and both are
CPU-bound, so threads cannot overlap them. The installed `agentops plan` (and the other
commands that only read: status, fleet, report) therefore starts this module as a child process
first thing: the child imports the SDK and, once told which workspace, lists it, while the parent
(which never imports the SDK on this path) loads, checks and normalizes the manifests.
`AGENTOPS_COMPANION=0` keeps everything in one process. The child answers the same reads an in-process `Api` does, through
that same `Api`: same requests, same retries and pacing, same checks of the answers.

The protocol is private to the two processes: length-prefixed pickles over the child's stdin and
stdout. The child is started with `-P` so a module in the current folder (a pull request's
checkout) can never shadow the SDK or agentops. Failures come back as the one line `explain`
gives (the parent redacts it like any other); the child never prints.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import struct
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from agentops.engine.identity import Live
    from agentops.engine.lookups import Found, Key

_LENGTH = struct.Struct(">Q")
# What a parent may ask; anything else is refused by the child. The listing comes back page by
# page (the `live_pages` of the child's Api): neither process holds it twice, and the parent
# takes in each page while the next is read.
METHODS = frozenset({"live_pages", "listings", "look_up", "list_runs", "workspace_id"})
STREAMED = frozenset({"live_pages"})
# Listing, name listings and look-ups run side by side, as they do in process.
WORKERS = 4
GONE = ("the process reading the API stopped unexpectedly "
        "(AGENTOPS_COMPANION=0 reads in this process instead)")
# How the child answers: a page of a streamed answer, the (last) answer, or the one-line failure.
PART, OK, FAILED = "part", "ok", "failed"


class ReadFailed(Exception):
    """A read the companion could not do: its one-line explanation, not yet redacted."""


@dataclass(frozen=True)
class Setup:
    """Which workspace the child reads, and how fast it may."""

    workspace_id: str | None
    env: str | None
    writes_per_minute: float
    reads_per_minute: float


def _send(stream: IO[bytes], message: object, lock: threading.Lock) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    with lock:
        stream.write(_LENGTH.pack(len(data)) + data)
        stream.flush()


def _receive(stream: IO[bytes]) -> Any:
    """The next message, or None at the end of the stream."""
    head = stream.read(_LENGTH.size)
    if len(head) < _LENGTH.size:
        return None
    (size,) = _LENGTH.unpack(head)
    data = stream.read(size)
    if len(data) < size:
        return None
    return pickle.loads(data)


class Companion:
    """The parent's side: each read is a message to the child and a Future for its answer."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        assert process.stdin is not None and process.stdout is not None
        self._process = process
        self._to, self._from = process.stdin, process.stdout
        self._lock = threading.Lock()  # the bookkeeping below
        self._sending = threading.Lock()  # one message at a time on the pipe, never held with the other
        self._waiting: dict[int, Future[Any]] = {}
        self._parts: dict[int, list[Any]] = {}  # a streamed answer's pages so far
        self._next = 0
        self._gone = False
        self._setup: Setup | None = None
        self._live: Future[list[Live]] | None = None
        threading.Thread(target=self._answers, name="agentops-companion", daemon=True).start()

    @classmethod
    def start(cls) -> Companion | None:
        """A child importing the SDK now; None when no child process can be started here."""
        # An embedded or frozen interpreter cannot run `-c`: read in process instead.
        if not sys.executable or getattr(sys, "frozen", False):
            return None
        command = [sys.executable, "-P", "-c", f"from {__name__} import main; main()"]
        try:
            process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        except OSError:
            return None
        return cls(process)

    @property
    def pid(self) -> int:
        return self._process.pid

    @property
    def workspace_id(self) -> str | None:
        """The workspace the child's answers named (else the configured one)."""
        if self._setup is None:
            return None
        workspace: str | None = self._answer("workspace_id")
        return workspace

    @property
    def configured(self) -> bool:
        return self._setup is not None

    def configure(self, setup: Setup) -> None:
        """Say which workspace to read; its listing starts at once (it is every plan's first need)."""
        self._setup = setup
        self._post(("setup", setup))
        self._live = self._call("live_pages")

    def _call(self, method: str, *args: Any) -> Future[Any]:
        future: Future[Any] = Future()
        with self._lock:
            if self._gone:
                future.set_exception(ReadFailed(GONE))
                return future
            self._next += 1
            number = self._next
            self._waiting[number] = future
            if method in STREAMED:
                self._parts[number] = []
        self._post((number, method, args))
        return future

    def _post(self, message: object) -> None:
        """Send to the child; a child that is gone fails what waits on it (its answers never come)."""
        try:
            _send(self._to, message, self._sending)
        except (OSError, ValueError):  # ValueError: the pipe was closed on our side
            self._fail_all()

    def _answer(self, method: str, *args: Any) -> Any:
        return self._call(method, *args).result()

    def _answers(self) -> None:
        """Hand each answer to the Future waiting for it; when the child is gone, fail the rest."""
        while (message := _receive(self._from)) is not None:
            number, status, value = message
            with self._lock:
                if status == PART:
                    self._parts[number].extend(value)
                    continue
                future = self._waiting.pop(number, None)
                parts = self._parts.pop(number, None)
            if future is None:
                continue
            if status == OK:
                future.set_result(value if parts is None else parts)
            else:
                future.set_exception(ReadFailed(value))
        self._fail_all()

    def _fail_all(self) -> None:
        with self._lock:
            self._gone = True
            waiting, self._waiting = self._waiting, {}
            self._parts.clear()
        for future in waiting.values():
            if not future.done():
                future.set_exception(ReadFailed(GONE))

    @property
    def live(self) -> Future[list[Live]]:
        assert self._live is not None, "configure() first"
        return self._live

    def list_deployments(self) -> list[Live]:
        result: list[Live] = self.live.result()
        return result

    def listings(self, kinds: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
        result: dict[str, list[dict[str, Any]]] = self._answer("listings", list(kinds))
        return result

    def look_up(self, keys: Iterable[Key]) -> dict[Key, Found]:
        result: dict[Key, Found] = self._answer("look_up", list(keys))
        return result

    def list_runs(self, since: str | None, deployment_id: str | None = None) -> tuple[list[dict[str, Any]], bool]:
        result: tuple[list[dict[str, Any]], bool] = self._answer("list_runs", since, deployment_id)
        return result

    def close(self) -> None:
        """Stop the child: it only ever reads, so nothing is lost by not waiting for it."""
        with contextlib.suppress(OSError):
            self._to.close()
        with contextlib.suppress(OSError):
            self._process.kill()
        self._process.wait()


# --- the child -----------------------------------------------------------------------------------


def _serve(reader: IO[bytes], writer: IO[bytes]) -> None:
    """Answer the parent's reads until it closes the pipe."""
    from agentops.adapters import api as sdk  # the import this process exists to overlap
    from agentops.adapters.pacing import Pacer

    lock = threading.Lock()
    readers: list[Any] = []  # the Api, once the parent said which workspace
    problem: list[str] = []  # why there is none
    # Made before the parent asks: it reads only the environment, and loading the CA bundle
    # then happens while the parent still loads its manifests.
    try:
        client = sdk.make_client()
    except sdk.ClientSetupError as exc:
        problem.append(str(exc))

    def answer(number: int, method: str, args: tuple[Any, ...]) -> None:
        try:
            if problem:
                raise ReadFailed(problem[0])
            if method not in METHODS:
                raise ReadFailed(f"the API reader was asked for an unknown read ({method!r})")
            function: Callable[..., Any] = getattr(readers[0], method)
            if not callable(function):  # a property (workspace_id)
                reply: tuple[int, str, Any] = (number, OK, function)
            elif method in STREAMED:
                for part in function(*args):
                    _send(writer, (number, PART, part), lock)
                reply = (number, OK, None)
            else:
                reply = (number, OK, function(*args))
        except ReadFailed as exc:
            reply = (number, FAILED, str(exc))
        except Exception as exc:  # every failure is answered, or the parent would wait forever
            reply = (number, FAILED, sdk.explain(exc) or f"reading the API failed ({type(exc).__name__})")
        _send(writer, reply, lock)

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        while (message := _receive(reader)) is not None:
            if message[0] == "setup":
                setup: Setup = message[1]
                if not problem:
                    pacer = Pacer(setup.writes_per_minute, setup.reads_per_minute)
                    readers.append(sdk.Api(client, setup.workspace_id, pacer=pacer, env=setup.env))
                continue
            number, method, args = message
            pool.submit(answer, number, method, tuple(args))
        pool.shutdown(wait=False, cancel_futures=True)


def main() -> None:
    """The child's entry (see `Companion.start`); stdin and stdout are the pipes to the parent."""
    import gc

    gc.disable()  # a short-lived process whose objects live until it exits
    # Ctrl-C reaches the whole process group: the parent decides, and closes the pipe (or kills us).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Nothing else may write to the protocol stream: it moves to a descriptor of its own, and
    # anything written to stdout (by Python or by a C library) goes to stderr instead.
    protocol = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    try:
        _serve(sys.stdin.buffer, protocol)
    finally:
        os._exit(0)

