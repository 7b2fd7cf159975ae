"""What a person sees in a terminal: one Console per command run, chosen once.

Colour follows `--color`, `NO_COLOR` and `TERM=dumb`; every line passes the redactor, so no
secret value reaches the screen or the CI log, then the one escaping (views/safe.py), so no text
from manifests, the API or GitHub can move the cursor, forge lines or emit a workflow command.
This is the output boundary: every command prints through it.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import IO

import click

from agentops.engine.secrets import Redactor
from agentops.views.safe import printable, value


def color_wanted(choice: str, stream: IO[str], environ: Mapping[str, str]) -> bool:
    """`--color auto|always|never`; auto is a terminal without NO_COLOR and not TERM=dumb."""
    if choice == "always":
        return True
    if choice == "never" or environ.get("NO_COLOR") or environ.get("TERM") == "dumb":
        return False
    return stream.isatty()


@dataclass
class Console:
    redact: Redactor = field(default_factory=lambda: Redactor(()))
    color: bool = False
    quiet: bool = False
    verbose: bool = False

    def redacting(self, redact: Redactor) -> Console:
        """This console, scrubbing `redact`'s values from everything it shows."""
        return replace(self, redact=redact)

    def out(self, text: str, nl: bool = True) -> None:
        """The command's result (stdout): a document a view rendered (a plan, a table, JSON).

        Its lines stay lines; everything else hidden is escaped (colour kept when it is wanted)."""
        click.echo(printable(self.redact(text), styles=self.color), nl=nl, color=self.color)

    def line(self, text: str) -> None:
        """One line of result (stdout), e.g. the ids a run started: a newline in it is escaped too."""
        click.echo(value(self.redact(text)), color=self.color)

    def info(self, text: str) -> None:
        """Progress and notes (stderr), one line each; silenced by --quiet."""
        if not self.quiet:
            click.echo(value(self.redact(text)), err=True, color=self.color)

    def error(self, text: str) -> None:
        """One line of error or warning (stderr): an API's message can never start a line of its own."""
        click.echo(value(self.redact(text)), err=True, color=self.color)

    def annotate(self, command: str) -> None:
        """A GitHub workflow command views/annotations.py built (its parts already escaped), on stderr."""
        click.echo(self.redact(command), err=True)

    def ask(self, question: str) -> str:
        return str(click.prompt(value(question), default="", show_default=False, err=True))

    def ask_yes_no(self, question: str) -> bool:
        return click.confirm(value(question), default=False, err=True)

    @contextlib.contextmanager
    def progress(self, total: int, label: str) -> Iterator[Callable[[], None]]:
        """A progress bar with an ETA on a terminal (when there is enough to show); a no-op elsewhere."""
        if self.quiet or not sys.stderr.isatty() or total <= BAR_THRESHOLD:
            yield lambda: None
            return
        with click.progressbar(length=total, label=label, file=sys.stderr, show_eta=True) as bar:
            yield lambda: bar.update(1)


# Past this many actions a terminal gets a progress bar instead of one line per success.
BAR_THRESHOLD = 20


def annotate(console: Console, commands: list[str], environ: Mapping[str, str] | None = None) -> None:
    """Under GitHub Actions, each annotation (views/annotations.py) as a workflow command; elsewhere nothing."""
    if (os.environ if environ is None else environ).get("GITHUB_ACTIONS") == "true":
        for command in commands:
            console.annotate(command)


def step_summary(
    markdown: str | Callable[[], str], redact: Redactor, environ: Mapping[str, str] | None = None
) -> None:
    """In GitHub Actions, append to the job summary (GITHUB_STEP_SUMMARY names the file).

    `markdown` may be a function making it: outside Actions a large plan's summary is not rendered."""
    path = (os.environ if environ is None else environ).get("GITHUB_STEP_SUMMARY")
    if path:
        text = markdown if isinstance(markdown, str) else markdown()
        with open(path, "a", encoding="utf-8") as summary:
            summary.write(printable(redact(text)) + "\n")

