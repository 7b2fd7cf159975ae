"""Bad operator input that used to end in a traceback: one line saying what and why, exit 1, no write."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.stack import Stack, manifest


def _one_error(stack: Stack, *args: str) -> str:
    result = stack.run(*args)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    errors = [line for line in result.stderr.splitlines() if line.lower().startswith("error:")]
    assert len(errors) == 1, result.stderr
    assert stack.emulator.write_count() == 0
    return errors[0]


@pytest.mark.parametrize(("flag", "value"), [("--writes-per-minute", "inf"), ("--reads-per-minute", "nan"),
                                             ("--writes-per-minute", "1e400")])
def test_pacing_flags_take_finite_numbers(stack: Stack, flag: str, value: str) -> None:
    stack.write(manifest("job-a"))
    assert flag in _one_error(stack, "apply", str(stack.root), "--auto-approve", flag, value)


@pytest.mark.parametrize("path", ["/dev/null", "/proc/1"])
def test_init_into_something_that_is_not_a_writable_folder(stack: Stack, path: str) -> None:
    assert path in _one_error(stack, "init", path, "--stack", "x")


def test_plan_out_into_a_folder_or_a_missing_one(stack: Stack, tmp_path: Path) -> None:
    stack.write(manifest("job-a"))
    assert "--out" in _one_error(stack, "plan", str(stack.root), "--out", str(tmp_path))
    assert "--out" in _one_error(stack, "plan", str(stack.root), "--out", str(tmp_path / "missing" / "p.json"))


def test_schema_out_to_a_device(stack: Stack) -> None:
    assert "--out /dev/full" in _one_error(stack, "schema", "--out", "/dev/full")
