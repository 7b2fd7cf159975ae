"""`client.skills` (GA, no beta header) and the beta client's `versions.download`: skills uploaded as
`multipart/form-data` files, immutable versions, the zip a version downloads as.

SDK rules: all files sit in one top-level directory with `SKILL.md` at its root; the skill's `name`
comes from the SKILL.md front matter (else that directory) and every later upload must resolve to the
same name; `display_name` defaults to it; a version is addressed by its id or `latest`; lists take
1-1000 items. Judgement where the docs are silent: paths are relative with no `.`/`..` segments and no
duplicates; deleting a skill deletes its versions; the last version cannot be deleted alone (a skill
"holds at least one version"); `latest` addresses no version for a delete; the archive holds the files
under the skill's name, with fixed timestamps so equal content downloads as equal bytes.
"""

from __future__ import annotations

import base64
import io
import zipfile
from typing import Any

from agentops.emulator import bodies, multipart, paging
from agentops.emulator.clock import Clock, rfc3339, to_ms
from agentops.emulator.errors import ApiError, bad_request, not_found
from agentops.emulator.registry import Registry
from agentops.emulator.responses import Binary
from agentops.emulator.store import ListQuery, RegistryEntry, SkillVersionRow, Store
from agentops.model.kinds import MAX_DISPLAY_NAME, MAX_SKILL_UPLOAD, SKILL_FILE
from agentops.model.skillmd import SkillFileError, name_and_description

MAX_LIMIT = 1000  # "Ranges from `1` to `1000`. Defaults to `20`."
_FILE_FIELDS = ("files[]", "files")  # the SDK sends `files[]`
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


class Upload:
    """A checked upload: the skill's name and description, and its files below the top-level directory."""

    def __init__(self, content_type: str, body: bytes) -> None:
        parts = multipart.parse(content_type, body)
        unknown = sorted({part.name for part in parts} - {*_FILE_FIELDS, "display_name"})
        if unknown:
            raise bad_request(f"unknown form fields: {', '.join(unknown)}")
        files = [part for part in parts if part.name in _FILE_FIELDS]
        if not files:
            raise bad_request(f"files: at least one file is required, with {SKILL_FILE} among them")
        if sum(len(part.content) for part in files) > MAX_SKILL_UPLOAD:
            raise ApiError(413, f"files: the upload exceeds {MAX_SKILL_UPLOAD} bytes")
        self.directory, self.files = _layout([(part.filename or "", part.content) for part in files])
        try:
            text = base64.b64decode(self.files[SKILL_FILE]).decode("utf-8")
        except UnicodeDecodeError:
            raise bad_request(f"files: {SKILL_FILE} must be UTF-8 text") from None
        try:
            self.name, self.description = name_and_description(text, self.directory)
        except SkillFileError as exc:
            raise bad_request(f"files: {exc}") from None
        names = [part.content for part in parts if part.name == "display_name"]
        self.display_name = names[-1].decode("utf-8", "replace") if names else None
        if self.display_name is not None and not (0 < len(self.display_name) <= MAX_DISPLAY_NAME
                                                  and "\n" not in self.display_name):
            raise bad_request(f"display_name: a single line of 1 to {MAX_DISPLAY_NAME} characters")


def _layout(files: list[tuple[str, bytes]]) -> tuple[str, dict[str, str]]:
    """The one top-level directory and every file below it (path -> base64 content)."""
    directories, out = set(), {}
    for index, (path, content) in enumerate(files):
        segments = path.split("/")
        if len(segments) < 2 or any(seg in ("", ".", "..") for seg in segments) or "\\" in path:
            raise bad_request(f"files[{index}]: the filename must be a relative path inside the skill's "
                              f"top-level directory, such as my-skill/{SKILL_FILE}")
        directories.add(segments[0])
        relative = "/".join(segments[1:])
        if relative in out:
            raise bad_request(f"files[{index}]: {path!r} is uploaded twice")
        out[relative] = base64.b64encode(content).decode("ascii")
    if len(directories) > 1:
        raise bad_request("files: all files must be in the same top-level directory")
    if SKILL_FILE not in out:
        raise bad_request(f"files: {SKILL_FILE} is required at the root of the top-level directory")
    return directories.pop(), out


class Skills:
    def __init__(self, store: Store, registry: Registry, clock: Clock) -> None:
        self._store = store
        self._registry = registry
        self._clock = clock

    def _now(self) -> int:
        return to_ms(self._clock())

    def _skill(self, workspace: str, skill_id: str) -> RegistryEntry:
        entry = self._store.get_entry(workspace, "skill", skill_id)
        if entry is None or entry.deleted_ms is not None:
            raise not_found(f"skill {skill_id!r} not found")
        return entry

    def _version(self, workspace: str, skill_id: str, version: str) -> SkillVersionRow:
        entry = self._skill(workspace, skill_id)
        wanted = str(entry.fields["latest_version_id"]) if version == "latest" else version
        found = self._store.get_skill_version(workspace, skill_id, wanted)
        if found is None or found.deleted_ms is not None:
            raise not_found(f"skill {skill_id!r} has no version {version!r}")
        return found

    def _add_version(self, workspace: str, skill_id: str, upload: Upload, now_ms: int) -> SkillVersionRow:
        row = SkillVersionRow(bodies.new_id("skillver_"), skill_id, now_ms, None, upload.name, upload.description,
                              upload.files)
        self._store.add_skill_version(workspace, row)
        return row

    # --- skills -----------------------------------------------------------------------------

    def create(self, workspace: str, content_type: str, body: bytes) -> dict[str, Any]:
        upload = Upload(content_type, body)
        skill_id = bodies.new_id("skill_")
        with self._store.atomic():
            now_ms = self._now()
            version = self._add_version(workspace, skill_id, upload, now_ms)
            fields = {"name": upload.name, "display_name": upload.display_name or upload.name,
                      "latest_version_id": version.id}
            self._registry.register(workspace, "skill", skill_id, 1, fields)
            return self._registry.view(workspace, "skill", skill_id)

    def retrieve(self, workspace: str, skill_id: str) -> dict[str, Any]:
        self._skill(workspace, skill_id)
        return self._registry.view(workspace, "skill", skill_id)

    def delete(self, workspace: str, skill_id: str) -> dict[str, str]:
        """Agents that still pin it keep the entry; their deployments' runs fail with skill_not_found_error."""
        with self._store.atomic():
            self._skill(workspace, skill_id)
            self._store.delete_skill_versions(workspace, skill_id, None, self._now())
            return self._registry.delete(workspace, "skill", skill_id)

    def list(self, workspace: str, params: dict[str, str]) -> dict[str, Any]:
        """Newest first; every skill here is `custom` (the emulator hosts no Anthropic skills)."""
        page = self._registry.list(workspace, "skill", params, maximum=MAX_LIMIT)
        return page if params.get("source") in (None, "", "custom") else {"data": [], "next_page": None}

    # --- versions ---------------------------------------------------------------------------

    def create_version(self, workspace: str, skill_id: str, content_type: str, body: bytes) -> dict[str, Any]:
        upload = Upload(content_type, body)
        if upload.display_name is not None:
            raise bad_request("unknown form fields: display_name")
        with self._store.atomic():
            entry = self._skill(workspace, skill_id)
            if upload.name != entry.fields["name"]:
                raise bad_request(f"files: {SKILL_FILE} names the skill {upload.name!r}, but this skill is "
                                  f"{entry.fields['name']!r}; the name cannot change")
            now_ms = max(self._now(), (entry.updated_ms or entry.created_ms) + 1)
            version = self._add_version(workspace, skill_id, upload, now_ms)
            self._store.update_entry(workspace, "skill", skill_id, entry.versions + 1,
                                     {**entry.fields, "latest_version_id": version.id}, now_ms)
        return render_version(version)

    def retrieve_version(self, workspace: str, skill_id: str, version: str) -> dict[str, Any]:
        return render_version(self._version(workspace, skill_id, version))

    def versions(self, workspace: str, skill_id: str, params: dict[str, str]) -> dict[str, Any]:
        self._skill(workspace, skill_id)
        query = ListQuery(limit=paging.limit(params, MAX_LIMIT) + 1, after=paging.after(params))
        rows = [render_version(row) for row in self._store.list_skill_versions(workspace, skill_id, query)]
        return paging.page(rows, query.limit - 1)

    def delete_version(self, workspace: str, skill_id: str, version: str) -> dict[str, str]:
        if version == "latest":
            raise bad_request("version: a delete addresses a version by its id, not 'latest'")
        with self._store.atomic():
            entry = self._skill(workspace, skill_id)
            self._version(workspace, skill_id, version)
            self._store.delete_skill_versions(workspace, skill_id, version, self._now())
            latest = self._store.latest_skill_version(workspace, skill_id)
            if latest is None:
                raise bad_request(f"version: {version!r} is the skill's only version; delete the skill instead")
            if latest.id != entry.fields["latest_version_id"]:
                self._store.update_entry(workspace, "skill", skill_id, entry.versions,
                                         {**entry.fields, "latest_version_id": latest.id},
                                         entry.updated_ms or entry.created_ms)
        return {"id": version, "type": "skill_version_deleted"}

    def content(self, workspace: str, skill_id: str, version: str) -> Binary:
        """The version as a zip archive whose one top-level directory is the skill's name."""
        found = self._version(workspace, skill_id, version)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(found.files):
                info = zipfile.ZipInfo(f"{found.name}/{path}", date_time=_ZIP_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, base64.b64decode(found.files[path]))
        return Binary(buffer.getvalue(), "application/zip")


def render_version(row: SkillVersionRow) -> dict[str, Any]:
    """`SkillVersion`."""
    return {"id": row.id, "type": "skill_version", "skill_id": row.skill_id, "name": row.name,
            "description": row.description, "created_at": rfc3339(row.created_ms)}
