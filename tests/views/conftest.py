"""The reconcile suite's stack repository (`stack` fixture), wired to the test emulator."""

from __future__ import annotations

from tests.reconcile.conftest import stack

__all__ = ["stack"]
