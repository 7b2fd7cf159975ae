"""Fixtures shared with the reconcile tests."""

from tests.reconcile.conftest import stack

__all__ = ["stack"]
