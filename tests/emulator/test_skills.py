"""Skills through the GA SDK (`client.skills`, no beta header): multipart uploads, versions, the zip
download of the beta client, deletes and limits."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import anthropic
import pytest

from agentops.emulator import EmulatorServer
from tests.helpers import make_client, raises_api_error

SKILL_MD = b"---\nname: release-notes\ndescription: Writes release notes from merged PRs.\n---\n# How\nRead the log.\n"
FILES: list[Any] = [
    ("release-notes/SKILL.md", SKILL_MD, "text/markdown"),
    ("release-notes/scripts/collect.py", b"print('collect')\r\n\x00binary\rend\n", "text/x-python"),
    ("release-notes/templates/notes.md", b"## {{version}}\n", "text/markdown"),
]


def files(**replace: bytes) -> list[Any]:
    """FILES with some contents replaced, keyed by path below the top-level directory."""
    out = []
    for path, content, mime in FILES:
        relative = path.split("/", 1)[1]
        out.append((path, replace.get(relative, content), mime))
    return out


def unzip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_upload_and_download_round_trip_of_a_multi_file_skill(
    emulator: EmulatorServer, client: anthropic.Anthropic
) -> None:
    skill = client.skills.create(files=FILES)  # GA: the SDK sends no anthropic-beta header
    assert skill.id.startswith("skill_") and skill.type == "skill" and skill.source.type == "custom"
    assert skill.display_name == "release-notes"  # from the front matter when none is given
    version = client.skills.versions.retrieve("latest", skill_id=skill.id)
    assert (version.id, version.skill_id, version.name) == (skill.latest_version_id, skill.id, "release-notes")
    assert version.description == "Writes release notes from merged PRs."
    downloaded = client.beta.skills.versions.download(version.id, skill_id=skill.id)
    assert downloaded.http_request.headers.get("anthropic-beta") is None
    assert unzip(downloaded.read()) == {path: content for path, content, _ in FILES}
    again = client.beta.skills.versions.download("latest", skill_id=skill.id).read()
    assert again == downloaded.read()  # equal content downloads as equal bytes
    assert [method for method, _, status in emulator.requests if status == 200] == ["POST", "GET", "GET", "GET"]


def test_a_new_version_becomes_latest_and_old_ones_stay_readable(client: anthropic.Anthropic) -> None:
    skill = client.skills.create(files=FILES, display_name="Release notes")
    first = skill.latest_version_id
    second = client.skills.versions.create(skill.id, files=files(**{"templates/notes.md": b"## v{{version}}\n"}))
    assert second.id != first and second.name == "release-notes"
    current = client.skills.retrieve(skill.id)
    assert current.latest_version_id == second.id and current.display_name == "Release notes"
    assert current.updated_at >= skill.updated_at
    assert [v.id for v in client.skills.versions.list(skill.id)] == [second.id, first]
    old = unzip(client.beta.skills.versions.download(first, skill_id=skill.id).read())
    assert old["release-notes/templates/notes.md"] == b"## {{version}}\n"
    new = unzip(client.beta.skills.versions.download(second.id, skill_id=skill.id).read())
    assert new["release-notes/templates/notes.md"] == b"## v{{version}}\n"


def test_a_version_must_keep_the_skill_name(client: anthropic.Anthropic) -> None:
    skill = client.skills.create(files=FILES)
    renamed = SKILL_MD.replace(b"name: release-notes", b"name: changelog")
    with raises_api_error(400, "cannot change"):
        client.skills.versions.create(skill.id, files=files(**{"SKILL.md": renamed}))
    assert len(client.skills.versions.list(skill.id).data) == 1


@pytest.mark.parametrize(("upload", "message"), [
    ([("a/notes.md", b"x")], "SKILL.md is required"),
    ([("SKILL.md", SKILL_MD)], r"files\[0\]: "),
    ([("a/SKILL.md", SKILL_MD), ("b/x.md", b"x")], "same top-level directory"),
    ([("a/SKILL.md", SKILL_MD), ("a/../x.md", b"x")], r"files\[1\]: "),
    ([("a/SKILL.md", SKILL_MD), ("a/SKILL.md", SKILL_MD)], "twice"),
    ([("a/SKILL.md", b"---\nname: Bad_Name\ndescription: d\n---\n")], "name must be"),
    ([("a/SKILL.md", b"---\nname: claude-helper\ndescription: d\n---\n")], "reserved word"),
    ([("a/SKILL.md", b"---\nname: ok\n---\n")], "description is required"),
    ([("a/SKILL.md", b"---\nname: [unclosed\n---\n")], "not valid YAML"),
    ([("a/SKILL.md", b"\xff\xfe")], "UTF-8"),
])
def test_uploads_the_api_refuses(client: anthropic.Anthropic, upload: list[Any], message: str) -> None:
    with raises_api_error(400, message):
        client.skills.create(files=upload)
    assert client.skills.list().data == []


def test_the_name_falls_back_to_the_directory(client: anthropic.Anthropic) -> None:
    skill = client.skills.create(files=[("pdf-filler/SKILL.md", b"---\ndescription: Fills PDF forms.\n---\n")])
    assert skill.display_name == "pdf-filler"
    assert client.skills.versions.retrieve("latest", skill_id=skill.id).name == "pdf-filler"


def test_an_upload_over_the_size_limit_is_refused(client: anthropic.Anthropic) -> None:
    big = ("release-notes/data.bin", b"\0" * (8 * 1024 * 1024), "application/octet-stream")
    with raises_api_error(413, "exceeds", "request_too_large"):
        client.skills.create(files=[*FILES, big])


def test_list_pages_with_the_documented_limit(client: anthropic.Anthropic) -> None:
    made = [client.skills.create(files=[(f"s{i}/SKILL.md", f"---\nname: s{i}\ndescription: d\n---\n".encode())]).id
            for i in range(5)]
    page = client.skills.list(limit=2)
    assert len(page.data) == 2 and page.next_page is not None
    assert {s.id for s in client.skills.list(limit=2)} == set(made)
    assert len(client.skills.list(limit=1000).data) == 5
    assert client.skills.list(source="anthropic").data == []
    assert len(client.skills.list(source="custom").data) == 5
    with raises_api_error(400, "limit: "):
        client.skills.list(limit=1001)
    with raises_api_error(400, "limit: "):
        client.skills.versions.list(made[0], limit=0)


def test_deleting_versions_and_skills(client: anthropic.Anthropic) -> None:
    skill = client.skills.create(files=FILES)
    first = skill.latest_version_id
    second = client.skills.versions.create(skill.id, files=FILES).id
    with raises_api_error(400, "not 'latest'"):
        client.skills.versions.delete("latest", skill_id=skill.id)
    deleted = client.skills.versions.delete(second, skill_id=skill.id)
    assert (deleted.id, deleted.type) == (second, "skill_version_deleted")
    assert client.skills.retrieve(skill.id).latest_version_id == first
    with raises_api_error(404, "no version"):
        client.skills.versions.retrieve(second, skill_id=skill.id)
    with raises_api_error(404, "no version"):
        client.beta.skills.versions.download(second, skill_id=skill.id)
    with raises_api_error(400, "only version"):
        client.skills.versions.delete(first, skill_id=skill.id)
    gone = client.skills.delete(skill.id)
    assert (gone.id, gone.type) == (skill.id, "skill_deleted")
    with raises_api_error(404, "not found"):
        client.skills.retrieve(skill.id)
    with raises_api_error(404, "not found"):
        client.skills.versions.list(skill.id)
    assert client.skills.list().data == []


def test_skills_work_with_workspaces_and_strict_mode() -> None:
    with EmulatorServer(strict=True) as server, make_client(server.url) as sdk:
        skill = sdk.skills.create(files=FILES, workspace_id="wrkspc_a")
        assert sdk.skills.list(workspace_id="wrkspc_a").data[0].id == skill.id
        assert sdk.skills.list().data == []
        with raises_api_error(404, "not found"):
            sdk.skills.retrieve(skill.id)
