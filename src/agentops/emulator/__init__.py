"""A local, stateful emulator of the Deployments API (HTTP on loopback, SQLite state)."""

from agentops.emulator.errors import ApiError
from agentops.emulator.faults import Faults
from agentops.emulator.server import EmulatorServer

__all__ = ["ApiError", "EmulatorServer", "Faults"]
