"""Command-line entry point; each command lives in its own module, loaded when it runs."""

from agentops.cli.app import main

__all__ = ["main"]
