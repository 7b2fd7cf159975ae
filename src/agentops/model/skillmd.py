"""SKILL.md front matter: the `name` and `description` a skill is known by, and their rules."""

from __future__ import annotations

import re
from typing import Any

import yaml

from agentops.model.kinds import MAX_SKILL_DESCRIPTION, MAX_SKILL_NAME, SKILL_NAME, SKILL_RESERVED_WORDS

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


def name_and_description(text: str, directory: str) -> tuple[str, str]:
    """The skill's name (front matter `name`, else its directory) and description, checked."""
    data = front_matter(text)
    name = data.get("name", directory)
    description = data.get("description")
    if not isinstance(name, str) or not SKILL_NAME.fullmatch(name) or len(name) > MAX_SKILL_NAME:
        raise SkillFileError(f"SKILL.md: name must be lowercase letters, digits and single hyphens, "
                             f"at most {MAX_SKILL_NAME} characters")
    for word in SKILL_RESERVED_WORDS:
        if word in name:
            raise SkillFileError(f"SKILL.md: name must not contain the reserved word {word!r}")
    if not isinstance(description, str) or not description.strip():
        raise SkillFileError("SKILL.md: description is required in the front matter")
    if len(description) > MAX_SKILL_DESCRIPTION:
        raise SkillFileError(f"SKILL.md: description is longer than {MAX_SKILL_DESCRIPTION} characters")
    if _XML_TAG.search(name) or _XML_TAG.search(description):
        raise SkillFileError("SKILL.md: name and description must not contain XML tags")
    return name, description
