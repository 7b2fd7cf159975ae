"""GitHub Actions annotations (`::error file=...,line=...::message`) for problems and blockers, so they
show on the pull request's diff.

Every part is first escaped as all outside text is (model/escape.py), then as GitHub's workflow
commands require: `%`, `\\r` and `\\n` in the message; also `:` and `,` in a property, so no value can
end the command or add a property of its own.
"""

from __future__ import annotations

from collections.abc import Iterable

from agentops.engine.plan import Plan
from agentops.model.escape import escape
from agentops.model.problems import Problem


def _data(text: str) -> str:
    return escape(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(level: str, message: str, file: str | None = None, line: int | None = None,
               column: int | None = None) -> str:
    """One workflow command line: `::error file=F,line=L,col=C::message` (level: error or warning)."""
    where = {"file": file, "line": line, "col": column}
    props = ",".join(f"{key}={_property(str(value))}" for key, value in where.items() if value is not None)
    return f"::{level}{' ' + props if props else ''}::{_data(message)}"


def _problem(level: str, problem: Problem) -> str:
    path = f"{problem.path}: " if problem.path else ""
    hint = f" ({problem.hint})" if problem.hint else ""
    return annotation(level, f"{path}{problem.message}{hint}", problem.file, problem.line, problem.column)


def for_validation(problems: Iterable[Problem], warnings: Iterable[Problem]) -> list[str]:
    return [*(_problem("error", p) for p in problems), *(_problem("warning", w) for w in warnings)]


def _split(where: str | None) -> tuple[str | None, int | None]:
    """"file:line" -> (file, line); a bare file has no line."""
    if not where:
        return None, None
    file, _, line = where.rpartition(":")
    return (file, int(line)) if file and line.isdigit() else (where, None)


def for_plan(plan: Plan) -> list[str]:
    """An error per blocker (at its line in the checkout when it has one, else saying its source: a
    flag, the workspace, a line of the base revision), a warning per plan warning."""
    out = []
    for blocker in plan.blockers:
        file, line = _split(blocker.file)
        source = f"{blocker.source}: " if blocker.source and not blocker.file else ""
        who = f"{blocker.name}: " if blocker.name else ""
        hint = f" ({blocker.hint})" if blocker.hint else ""
        out.append(annotation("error", f"{source}{who}{blocker.message}{hint}", file, line))
    out.extend(annotation("warning", warning) for warning in plan.warnings)
    return out
