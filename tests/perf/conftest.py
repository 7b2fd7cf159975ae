"""The reconcile suite's `stack` fixture: a stack repository wired to the test emulator."""

from tests.reconcile.conftest import stack

__all__ = ["stack"]
