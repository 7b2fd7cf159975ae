"""`${var.NAME}`: per-environment values substituted into a manifest's strings before validation.

Secret fields are left alone and refused: a secret stays a `${ENV_VAR}` read at plan time, so
a variable can never put a token into the repository.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from agentops.manifest.positions import Locator
from agentops.model.problems import Problem
from agentops.model.secretref import WRITE_ONLY_FIELDS
from agentops.model.words import did_you_mean

VARIABLE = re.compile(r"\$\{var\.([A-Za-z_][A-Za-z0-9_]*)\}")
Value = str | int | float | bool


def _text(value: Value) -> str:
    return value if isinstance(value, str) else json.dumps(value)


class _Substitution:
    def __init__(self, variables: Mapping[str, Value], env: str | None, locator: Locator) -> None:
        self.variables = variables
        self.env = env
        self.locator = locator
        self.problems: list[Problem] = []

    def value(self, value: Any, path: tuple[int | str, ...]) -> Any:
        if isinstance(value, dict):
            return {key: self.field(key, item, (*path, key)) for key, item in value.items()}
        if isinstance(value, list):
            return [self.value(item, (*path, index)) for index, item in enumerate(value)]
        if isinstance(value, str) and "${var." in value:
            return self.string(value, path)
        return value

    def field(self, key: Any, value: Any, path: tuple[int | str, ...]) -> Any:
        if key in WRITE_ONLY_FIELDS and isinstance(value, str) and VARIABLE.search(value):
            self.problems.append(self.locator.problem(
                path, "${var.NAME} cannot be used in a secret field",
                "a secret is an environment variable reference such as ${GITHUB_TOKEN}, read at plan time"))
            return value
        return self.value(value, path)

    def string(self, text: str, path: tuple[int | str, ...]) -> Any:
        missing = [name for name in VARIABLE.findall(text) if name not in self.variables]
        if missing:
            for name in dict.fromkeys(missing):
                self.problems.append(self._undefined(name, path))
            return text
        whole = VARIABLE.fullmatch(text)
        if whole:  # `version: ${var.agent_version}` keeps the variable's type
            return self.variables[whole.group(1)]
        return VARIABLE.sub(lambda match: _text(self.variables[match.group(1)]), text)

    def _undefined(self, name: str, path: tuple[int | str, ...]) -> Problem:
        if self.env is None:
            return self.locator.problem(path, f"${{var.{name}}} is used but agentops.yaml declares no environments",
                                        "variables are defined per environment under environments.<name>.vars")
        close = did_you_mean(name, sorted(self.variables))
        hint = f"define it under environments.{self.env}.vars in agentops.yaml"
        # The loader names the environment(s) with every problem.
        return self.locator.problem(path, f"undefined variable ${{var.{name}}}",
                                    f"{hint}; {close}" if close else hint)


def _mentions_variable(data: Any) -> bool:
    pending = [data]
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            if "${var." in value:
                return True
        elif isinstance(value, dict):
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return False


def substitute(
    data: dict[str, Any], variables: Mapping[str, Value], env: str | None, locator: Locator
) -> tuple[dict[str, Any], list[Problem]]:
    """`data` with every `${var.NAME}` in a non-secret string replaced, and what could not be.

    Data that mentions no variable is returned as it is: rebuilding it cost more than a look.
    """
    if not _mentions_variable(data):
        return data, []
    run = _Substitution(variables, env, locator)
    out = {key: run.field(key, value, (key,)) for key, value in data.items()}
    return out, run.problems
