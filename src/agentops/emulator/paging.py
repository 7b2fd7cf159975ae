"""Listing parameters shared by every list endpoint: limits, flags, time bounds and cursors.

Cursors are keyset positions (created time, id) so items created while a client pages never
shift or repeat a page.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from agentops.emulator.clock import parse_instant
from agentops.emulator.errors import bad_request

DEFAULT_LIMIT = 20
_BAD_CURSOR = "page: invalid pagination cursor"


def limit(params: dict[str, str], maximum: int) -> int:
    try:
        value = int(params.get("limit", DEFAULT_LIMIT))
    except ValueError:
        raise bad_request("limit: must be an integer") from None
    if not 1 <= value <= maximum:
        raise bad_request(f"limit: must be between 1 and {maximum}, got {value}")
    return value


def flag(params: dict[str, str], name: str) -> bool | None:
    """A `true`/`false` query parameter; None when absent."""
    text = params.get(name)
    if text is None:
        return None
    if text.lower() not in ("true", "false"):
        raise bad_request(f"{name}: must be true or false")
    return text.lower() == "true"


def instants(params: dict[str, str], *names: str) -> dict[str, int | None]:
    """RFC 3339 query parameters (e.g. `created_at[gte]`) as microseconds since the epoch."""
    bounds: dict[str, int | None] = {}
    for name in names:
        text = params.get(name)
        try:
            bounds[name] = None if text is None else parse_instant(text)
        except ValueError:
            raise bad_request(f"{name}: not an RFC 3339 timestamp: {text!r}") from None
    return bounds


def encode_cursor(item: dict[str, Any]) -> str:
    created_ms = parse_instant(item["created_at"]) // 1000
    return base64.urlsafe_b64encode(f"{created_ms}:{item['id']}".encode()).decode().rstrip("=")


def after(params: dict[str, str]) -> tuple[int, str] | None:
    """The keyset position the `page` cursor points after; None for the first page."""
    token = params.get("page")
    if not token:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        created, item_id = raw.split(":", 1)
        created_ms = int(created)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise bad_request(_BAD_CURSOR) from None
    if not 0 <= created_ms < 2**53:  # a forged number must not reach SQLite's 64-bit integers
        raise bad_request(_BAD_CURSOR)
    return created_ms, item_id


def page(rows: list[dict[str, Any]], size: int) -> dict[str, Any]:
    """A page from up to `size + 1` rows: the extra row only says that another page exists."""
    data = rows[:size]
    return {"data": data, "next_page": encode_cursor(data[-1]) if len(rows) > size else None}
