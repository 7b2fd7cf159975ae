"""`multipart/form-data` request bodies (the SDK's file uploads), split into named parts."""

from __future__ import annotations

from dataclasses import dataclass
from email.message import Message

from agentops.emulator.errors import bad_request


@dataclass(frozen=True)
class Part:
    name: str
    filename: str | None
    content: bytes


def _params(header: str) -> Message:
    """A header value whose parameters (boundary, name, filename) the stdlib parses, quoting included."""
    holder = Message()
    holder["content-type"] = header
    return holder


def parse(content_type: str, body: bytes) -> list[Part]:
    """The parts of a form body, in order; 400 for anything that is not a well-formed form."""
    form = _params(content_type)
    boundary = form.get_param("boundary")
    if form.get_content_type() != "multipart/form-data" or not isinstance(boundary, str) or not boundary:
        raise bad_request("expected a multipart/form-data body with a boundary")
    delimiter = b"\r\n--" + boundary.encode("latin-1")
    sections = (b"\r\n" + body).split(delimiter)
    if len(sections) < 2 or not sections[-1].startswith(b"--"):
        raise bad_request("multipart body: the closing boundary is missing")
    parts = []
    for section in sections[1:-1]:
        head, separator, content = section.partition(b"\r\n\r\n")
        if not separator:
            raise bad_request("multipart body: a part has no header block")
        headers = {}
        for line in head.decode("utf-8", "replace").split("\r\n")[1:]:  # [0]: padding after the boundary
            key, _, value = line.partition(":")
            headers[key.strip().lower()] = value.strip()
        disposition = _params(headers.get("content-disposition", ""))
        name = disposition.get_param("name", header="content-type")
        filename = disposition.get_param("filename", header="content-type")
        if not isinstance(name, str) or not name:
            raise bad_request("multipart body: every part needs a content-disposition name")
        parts.append(Part(name, filename if isinstance(filename, str) else None, content))
    return parts
