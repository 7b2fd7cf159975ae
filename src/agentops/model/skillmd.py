"""SKILL.md front matter: the `name` and `description` a skill is known by, and their rules."""

from __future__ import annotations

import re
from typing import Any

import yaml

from agentops.model.kinds import (
    MAX_SKILL_DESCRIPTION,
    MAX_SKILL_NAME,
    SKILL_FILE,
    SKILL_NAME,
    SKILL_RESERVED_WORDS,
)

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(\r?\n|\Z)", re.DOTALL)
_XML_TAG = re.compile(r"<[A-Za-z/!?][^>]*>")


class SkillFileError(ValueError):
    """SKILL.md cannot name a skill; the message says why."""


def front_matter(text: str) -> dict[str, Any]:
    """The YAML mapping between the leading `---` lines; {} when there is none."""
    match = _FRONT_MATTER.match(text.lstrip("\ufeff"))
    if match is None:
        return {}
    try:
        data = yaml.safe_load(match.group(1))
    except yaml.YAMLError:
        raise SkillFileError("SKILL.md: the front matter is not valid YAML") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise SkillFileError("SKILL.md: the front matter must be a mapping")
    return data


def name_problem(name: object) -> str | None:
    """Why `name` cannot name a skill ("must ..."), or None."""
    if not isinstance(name, str) or not SKILL_NAME.fullmatch(name) or len(name) > MAX_SKILL_NAME:
        return f"must be lowercase letters, digits and single hyphens, at most {MAX_SKILL_NAME} characters"
    word = next((word for word in SKILL_RESERVED_WORDS if word in name), None)
    return f"must not contain the reserved word {word!r}" if word else None


def description_problem(description: object) -> str | None:
    """Why `description` cannot describe a skill ("is ..."), or None."""
    if not isinstance(description, str) or not description.strip():
        return "is required in the front matter"
    if len(description) > MAX_SKILL_DESCRIPTION:
        return f"is longer than {MAX_SKILL_DESCRIPTION} characters"
    if _XML_TAG.search(description):
        return "must not contain XML tags"
    return None


def name_and_description(text: str, directory: str) -> tuple[str, str]:
    """The skill's name (front matter `name`, else its directory) and description, checked."""
    data = front_matter(text)
    name = data.get("name", directory)
    description = data.get("description")
    for field, why in (("name", name_problem(name)), ("description", description_problem(description))):
        if why is not None:
            raise SkillFileError(f"{SKILL_FILE}: {field} {why}")
    return str(name), str(description)
