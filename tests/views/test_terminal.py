"""Terminal conventions: --color, NO_COLOR, TERM=dumb, -q, --version."""

from __future__ import annotations

import io

from agentops import __version__
from agentops.views.terminal import color_wanted
from tests.stack import Stack, manifest

ESC = "\x1b["


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_color_follows_the_flag_no_color_and_dumb_terminals() -> None:
    tty = _Tty()
    assert color_wanted("auto", tty, {}) is True
    assert color_wanted("auto", tty, {"NO_COLOR": "1"}) is False
    assert color_wanted("auto", tty, {"TERM": "dumb"}) is False
    assert color_wanted("auto", io.StringIO(), {}) is False  # not a terminal
    assert color_wanted("always", io.StringIO(), {"NO_COLOR": "1"}) is True
    assert color_wanted("never", tty, {}) is False


def test_a_coloured_plan_paints_old_and_new_values(stack: Stack) -> None:
    stack.write(manifest("job", description="old"))
    assert stack.apply().exit_code == 0
    stack.write(manifest("job", description="new"))
    coloured = stack.run("--color", "always", "plan", str(stack.root)).stdout
    assert f'{ESC}31m{ESC}22m"old"' in coloured and f'{ESC}32m{ESC}22m"new"' in coloured
    plain = stack.run("plan", str(stack.root), env={"NO_COLOR": "1"}).stdout
    assert ESC not in plain and '"old" -> "new"' in plain


def test_quiet_and_version(stack: Stack) -> None:
    stack.write(manifest("job"))
    quiet = stack.run("-q", "apply", str(stack.root), "--auto-approve")
    assert quiet.exit_code == 0 and "[1/1]" not in quiet.stderr
    assert stack.run("--version").stdout.strip() == f"agentops {__version__}"
