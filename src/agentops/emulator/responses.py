"""Responses that are not JSON."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Binary:
    """A file download: sent as is, with its content type."""

    content: bytes
    content_type: str
