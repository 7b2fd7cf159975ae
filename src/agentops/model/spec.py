"""The Deployments API request bodies as pydantic models: the one place their rules live.

Manifests embed these models and the emulator validates request bodies with them, so a
body agentops accepts offline is exactly a body the API (as emulated) accepts. Limits come
from the API reference.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    field_validator,
    model_validator,
)

from agentops.model import cron
from agentops.model.escape import escape

MAX_NAME = 256
MAX_EVENTS = 50
MAX_RESOURCES = 500
MAX_VAULTS = 50
MAX_METADATA_PAIRS = 16
MAX_METADATA_KEY = 64
MAX_METADATA_VALUE = 512
MAX_ITERATIONS = 20
MAX_INSTRUCTIONS = 4096
MAX_RUBRIC = 262_144

NonEmpty = Annotated[str, StringConstraints(min_length=1)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


# --- content blocks -------------------------------------------------------------------------


class TextBlock(Strict):
    type: Literal["text"]
    text: str


class Base64Source(Strict):
    type: Literal["base64"]
    data: NonEmpty
    media_type: NonEmpty


class URLSource(Strict):
    type: Literal["url"]
    url: NonEmpty


class FileSource(Strict):
    type: Literal["file"]
    file_id: NonEmpty


class PlainTextSource(Strict):
    type: Literal["text"]
    data: str
    media_type: Literal["text/plain"]


class ImageBlock(Strict):
    type: Literal["image"]
    source: Annotated[Base64Source | URLSource | FileSource, Field(discriminator="type")]


class DocumentBlock(Strict):
    type: Literal["document"]
    source: Annotated[
        Base64Source | PlainTextSource | URLSource | FileSource, Field(discriminator="type")
    ]
    context: str | None = None
    title: str | None = None


ContentBlock = Annotated[TextBlock | ImageBlock | DocumentBlock, Field(discriminator="type")]


# --- initial events -------------------------------------------------------------------------


class UserMessageEvent(Strict):
    type: Literal["user.message"]
    content: Annotated[list[ContentBlock], Field(min_length=1)]


class FileRubric(Strict):
    type: Literal["file"]
    file_id: NonEmpty


class TextRubric(Strict):
    type: Literal["text"]
    content: Annotated[str, StringConstraints(min_length=1, max_length=MAX_RUBRIC)]


class DefineOutcomeEvent(Strict):
    type: Literal["user.define_outcome"]
    description: NonEmpty
    rubric: Annotated[FileRubric | TextRubric, Field(discriminator="type")]
    max_iterations: Annotated[int, Field(ge=1, le=MAX_ITERATIONS)] | None = None


class SystemMessageEvent(Strict):
    type: Literal["system.message"]
    content: Annotated[list[TextBlock], Field(min_length=1)]


InitialEvent = Annotated[
    UserMessageEvent | DefineOutcomeEvent | SystemMessageEvent, Field(discriminator="type")
]


def check_event_order(events: list[Any]) -> list[Any]:
    """A system.message is allowed once, last, right after a user.message (API rule)."""
    for index, event in enumerate(events):
        if not isinstance(event, SystemMessageEvent):
            continue
        if index != len(events) - 1:
            raise ValueError(f"initial_events[{index}]: a system.message must be the final event")
        if index == 0 or not isinstance(events[index - 1], UserMessageEvent):
            raise ValueError(f"initial_events[{index}]: a system.message must follow a user.message")
    return events


# The order rule is part of the type: every body and manifest with initial_events checks it.
InitialEvents = Annotated[
    list[InitialEvent], Field(min_length=1, max_length=MAX_EVENTS), AfterValidator(check_event_order)
]


# --- resources ------------------------------------------------------------------------------


class BranchCheckout(Strict):
    type: Literal["branch"]
    name: NonEmpty


class CommitCheckout(Strict):
    type: Literal["commit"]
    sha: Annotated[str, StringConstraints(pattern=r"^[0-9a-fA-F]{40}$")]


class GitHubRepositoryResource(Strict):
    type: Literal["github_repository"]
    url: NonEmpty
    authorization_token: NonEmpty
    checkout: Annotated[BranchCheckout | CommitCheckout, Field(discriminator="type")] | None = None
    mount_path: NonEmpty | None = None


class FileResource(Strict):
    type: Literal["file"]
    file_id: NonEmpty
    mount_path: NonEmpty | None = None


class MemoryStoreResource(Strict):
    type: Literal["memory_store"]
    memory_store_id: NonEmpty
    access: Literal["read_write", "read_only"] | None = None
    instructions: Annotated[str, StringConstraints(max_length=MAX_INSTRUCTIONS)] | None = None


Resource = Annotated[
    GitHubRepositoryResource | FileResource | MemoryStoreResource, Field(discriminator="type")
]
Resources = Annotated[list[Resource], Field(max_length=MAX_RESOURCES)]
VaultIds = Annotated[list[NonEmpty], Field(max_length=MAX_VAULTS)]


# --- schedule, agent, budget, metadata ------------------------------------------------------


class Schedule(Strict):
    type: Literal["cron"] = "cron"
    expression: str
    timezone: str

    @field_validator("expression")
    @classmethod
    def _cron(cls, value: str) -> str:
        cron.parse(value)
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        cron.check_timezone(value)
        return value


class AgentRef(Strict):
    type: Literal["agent"] = "agent"
    id: NonEmpty
    version: Annotated[int, Field(ge=1)] | None = None


def _agent_kind(value: Any) -> str:
    return "tag:id" if isinstance(value, str) else "tag:ref"


# A callable discriminator gives one clear error per shape instead of one per union member.
Agent = Annotated[
    Annotated[NonEmpty, Tag("tag:id")] | Annotated[AgentRef, Tag("tag:ref")],
    Discriminator(_agent_kind),
]


class MonetaryAmount(Strict):
    amount: Annotated[str, StringConstraints(pattern=r"^(0|[1-9][0-9]*)$")]
    currency: Literal["USD"]


class Budget(Strict):
    type: Literal["limit"]
    max_list_cost: MonetaryAmount


# Characters that rewrite what a terminal, log or rendered comment shows: bidi embeddings,
# overrides and isolates, and the implicit direction marks.
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Control (C0, DEL, C1) and line/paragraph separators move the cursor or start a new line.
_BREAKING = frozenset({"Cc", "Zl", "Zp"})


def unsafe_character(value: str, identifier: bool) -> str | None:
    """The first character that would let `value` forge or hide output, or None.

    Free text refuses control characters, separators and bidi controls; an identifier also
    refuses every other invisible format character (zero-width spaces and joiners, soft hyphen).
    """
    for char in value:
        category = unicodedata.category(char)
        if category in _BREAKING or char in BIDI_CONTROLS or (identifier and category == "Cf"):
            return char
    return None


def visible(text: str) -> str:
    """`text` with every character `unsafe_character` would refuse written as an escape (`\\u202e`),
    so printed names, paths and messages cannot move the cursor, forge lines or reorder text."""
    return escape(text)


def describe_character(char: str) -> str:
    label = unicodedata.name(char, "") or {"\x00": "NUL", "\t": "TAB", "\n": "LINE FEED",
                                           "\r": "CARRIAGE RETURN", "\x1b": "ESCAPE",
                                           "\x7f": "DELETE"}.get(char, "control character")
    return f"U+{ord(char):04X} {label}"


def printable(identifier: bool) -> AfterValidator:
    def check(value: str) -> str:
        char = unsafe_character(value, identifier)
        if char is not None:
            where = value.index(char) + 1
            raise ValueError(f"contains {describe_character(char)} at character {where}; "
                             "control, bidi and invisible characters are not allowed")
        return value

    return AfterValidator(check)


def trimmed(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    if value != value.strip():
        raise ValueError("must not start or end with whitespace")
    return value


MetadataKey = Annotated[str, StringConstraints(min_length=1, max_length=MAX_METADATA_KEY), printable(True)]
MetadataValue = Annotated[str, StringConstraints(max_length=MAX_METADATA_VALUE), printable(False)]
Metadata = Annotated[dict[MetadataKey, MetadataValue], Field(max_length=MAX_METADATA_PAIRS)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=MAX_NAME), printable(True), AfterValidator(trimmed)]


# --- request bodies -------------------------------------------------------------------------


class CreateBody(Strict):
    name: Name
    agent: Agent
    environment_id: NonEmpty
    initial_events: InitialEvents
    description: str | None = None
    metadata: Metadata | None = None
    resources: Resources | None = None
    schedule: Schedule | None = None
    vault_ids: VaultIds | None = None
    budget: Budget | None = None


class UpdateBody(Strict):
    """Every field optional; `model_fields_set` tells omitted from null."""

    name: Name | None = None
    agent: Agent | None = None
    environment_id: NonEmpty | None = None
    initial_events: InitialEvents | None = None
    description: str | None = None
    metadata: Annotated[dict[MetadataKey, MetadataValue | None], Field(max_length=64)] | None = None
    resources: Resources | None = None
    schedule: Schedule | None = None
    vault_ids: VaultIds | None = None
    budget: Budget | None = None

    @model_validator(mode="after")
    def _not_cleared(self) -> UpdateBody:
        for field in ("name", "agent", "environment_id", "initial_events"):
            if field in self.model_fields_set and getattr(self, field) is None:
                raise ValueError(f"{field} cannot be cleared")
        return self


def field_path(loc: tuple[int | str, ...], data: Any) -> str:
    """Render a pydantic error location as `initial_events[2].content[0].text`.

    Pydantic puts union tags (`user.message`, `AgentRef`, `str`) into locations; walking the
    input alongside the location keeps only the parts that name real keys and indexes.
    """
    out = ""
    for position, part in enumerate(loc):
        last = position == len(loc) - 1
        if isinstance(data, list) and isinstance(part, int):
            data = data[part] if part < len(data) else None
            out += f"[{part}]"
        elif isinstance(data, dict) and not last and part == data.get("type"):
            continue  # the discriminator tag pydantic inserts before the member's fields
        elif isinstance(data, dict) and part in data:
            data = data[part]
            out += f".{part}" if out else str(part)
        elif last and isinstance(data, dict) and not _is_tag(str(part)):
            out += f".{part}" if out else str(part)
    return out


def _is_tag(part: str) -> bool:
    return part in _UNION_TAGS or "[" in part or part[:1].isupper() or part.startswith("tag:")


# The multiagent members' tags end the location of an error their own validator raises.
_UNION_TAGS = frozenset({"str", "int", "constrained-str", "function-after", "user.message",
                         "user.define_outcome", "system.message", "enabled", "disabled", "coordinator",
                         "multiagent_20261001"})


def prompt_text(events: Any) -> str | None:
    """The text of the one `user.message` a `prompt:` makes (one text block), or None for other events."""
    if not isinstance(events, list) or len(events) != 1 or not isinstance(events[0], dict):
        return None
    if events[0].get("type") != "user.message":
        return None
    content = events[0].get("content")
    if not isinstance(content, list) or len(content) != 1 or not isinstance(content[0], dict):
        return None
    text = content[0].get("text")
    return text if content[0].get("type") == "text" and isinstance(text, str) else None
