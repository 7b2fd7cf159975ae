"""The skill manifest: the front matter of a skill folder's SKILL.md, as the Skills API reads it.

The file is uploaded as written, so agentops adds no fields of its own here and leaves other keys
(`license`, `allowed-tools`, ...) to the API. A skill exists in every environment.

A skill has no `lifecycle`: the one setting agentops reads, the delete guard, is the key PREVENT_DELETE
of the front matter's `metadata` (the string map SKILL.md allows and the API does not interpret), so
it lives in the skill's own folder and is recorded in each upload's record file like the other kinds'
`agentops.prevent_archive` tag.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from agentops.model import tags
from agentops.model.kinds import MAX_SKILL_DESCRIPTION, MAX_SKILL_NAME, SKILL_NAME
from agentops.model.skillmd import description_problem, name_problem

PREVENT_DELETE = "agentops.prevent_delete"


def _metadata(value: dict[str, str] | None) -> dict[str, str] | None:
    """The front matter's metadata: of the reserved `agentops.` keys only PREVENT_DELETE, "true" or "false"."""
    for key, item in (value or {}).items():
        if tags.is_reserved(key) and key != PREVENT_DELETE:
            raise ValueError(f"{key!r}: agentops. keys are reserved; the one a skill may set is {PREVENT_DELETE}")
        if key == PREVENT_DELETE and item not in ("true", "false"):
            raise ValueError(f'{PREVENT_DELETE} must be the string "true" or "false"')
    return value


def _rule(problem: Callable[[object], str | None]) -> AfterValidator:
    def check(value: str) -> str:
        why = problem(value)
        if why is not None:
            raise ValueError(why)
        return value

    return AfterValidator(check)


class SkillManifest(BaseModel):
    """SKILL.md's front matter. Without `name`, the API names the skill after its folder, and so does the loader."""

    # `name` may be left out of the file (the loader fills it in from the folder), so the schema does not require it.
    model_config = ConfigDict(extra="allow", strict=True, frozen=True,
                              json_schema_extra=lambda schema: schema.update(required=["description"]))

    # The rules are SKILL.md's own (model/skillmd.py); the schema repeats them for editors.
    name: Annotated[str, _rule(name_problem),
                    Field(json_schema_extra={"pattern": f"^{SKILL_NAME.pattern}$", "maxLength": MAX_SKILL_NAME})]
    description: Annotated[str, _rule(description_problem),
                           Field(json_schema_extra={"minLength": 1, "maxLength": MAX_SKILL_DESCRIPTION})]
    metadata: Annotated[dict[str, str] | None, AfterValidator(_metadata)] = None

    @property
    def prevent_delete(self) -> bool:
        """Whether prune and destroy keep the skill (recorded as the agentops.prevent_archive tag)."""
        return (self.metadata or {}).get(PREVENT_DELETE) == "true"
