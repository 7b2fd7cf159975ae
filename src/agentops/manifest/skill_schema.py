"""The skill manifest: the front matter of a skill folder's SKILL.md, as the Skills API reads it.

The file is uploaded as written, so agentops adds no fields of its own here and leaves other keys
(`license`, `allowed-tools`, `metadata`, ...) to the API. A skill exists in every environment.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from agentops.model.kinds import MAX_SKILL_DESCRIPTION, MAX_SKILL_NAME, SKILL_NAME
from agentops.model.skillmd import description_problem, name_problem


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
