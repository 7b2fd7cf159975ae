"""`ant apply`'s lockfile: read as ant writes it, refused with the field named when it is not."""

from __future__ import annotations

import json
from typing import Any

import pytest

from agentops.engine.antlock import MAX_BYTES, Entry, LockfileError, parse


def _lock(resources: Any, **top: Any) -> bytes:
    data = {"version": 1, "origin": {"base_url": "https://api.anthropic.com", "organization_id": "org",
                                     "workspace_id": "wrkspc_01abc"}, "resources": resources, **top}
    return json.dumps(data).encode()


def test_reads_what_ant_apply_writes() -> None:
    lock = parse(_lock({
        "./agents/reviewer.md": {"kind": "agent", "id": "agent_01abc", "version": "3", "hash": "h", "remote_hash": "r"},
        "./environment.yaml": {"kind": "environment", "id": "env_01abc", "hash": "h", "remote_hash": "r"},
        "./vault.yaml": {"kind": "vault", "id": "vlt_01abc"},
    }))
    assert lock.workspace_id == "wrkspc_01abc"
    assert lock.entries == (Entry("./agents/reviewer.md", "agent", "agent_01abc", 3),
                            Entry("./environment.yaml", "environment", "env_01abc", None),
                            Entry("./vault.yaml", "vault", "vlt_01abc", None))


BAD: list[tuple[bytes, str, str]] = [
    (b"{not json", "", "not JSON"),
    (b"\xff\xfe", "", "not UTF-8"),
    (b"[]", "", "expected a JSON object"),
    (b"[" * 100_000, "", "nested too deeply"),
    (b" " * (MAX_BYTES + 1), "", "larger than"),
    (_lock({}, version=2), "version", "expected 1"),
    (_lock({}, version=True), "version", "expected 1"),
    (_lock({}, origin={"workspace_id": "../x"}), "origin.workspace_id", "workspace id"),
    (_lock([]), "resources", "expected an object"),
    (_lock({"./a.md": {"kind": "robot", "id": "agent_1"}}), 'resources["./a.md"].kind', "expected one of"),
    (_lock({"./a.md": {"kind": "agent", "id": "../../v1/deployments"}}), 'resources["./a.md"].id', "API id"),
    (_lock({"./a.md": {"kind": "agent", "id": 7}}), 'resources["./a.md"].id', "API id"),
    (_lock({"./a.md": {"kind": "agent", "id": "agent_1", "version": "x"}}), 'resources["./a.md"].version',
     "version number"),
    (_lock({"./a.md": "agent_1"}), 'resources["./a.md"]', "expected an object"),
    (_lock({"../outside.md": {"kind": "agent", "id": "agent_1"}}), 'resources["../outside.md"]', "outside"),
    (_lock({"/etc/passwd": {"kind": "agent", "id": "agent_1"}}), 'resources["/etc/passwd"]', "outside"),
    (_lock({"./a\u001b[31m.md": {"kind": "agent", "id": "agent_1"}}), 'resources["./a\\u001b[31m.md"]',
     "relative file path"),
    (_lock({"./a.md": {"kind": "agent", "id": "agent_1"}, "./b.md": {"kind": "agent", "id": "agent_1"}}),
     'resources["./b.md"].id', 'also the id of resources["./a.md"]'),
    (b'{"version": 1, "resources": {}, "resources": {"./a.md": {"kind": "agent", "id": "agent_1"}}}',
     '"resources"', "given twice"),
]


@pytest.mark.parametrize(("raw", "field", "message"), BAD, ids=[f"{i}-{case[1] or 'file'}" for i, case in enumerate(BAD)])
def test_a_bad_lockfile_names_the_field(raw: bytes, field: str, message: str) -> None:
    with pytest.raises(LockfileError) as caught:
        parse(raw)
    assert caught.value.field == field
    assert message in caught.value.message
    assert "\x1b" not in str(caught.value)
