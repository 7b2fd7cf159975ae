"""The agent create and update bodies (`client.beta.agents.create/update`), under the names the
emulator's modules use; the models are `model.bodies`' (a saved plan is checked with them too)."""

from __future__ import annotations

from agentops.model.bodies import AgentCreate as CreateBody
from agentops.model.bodies import AgentUpdate as UpdateBody
from agentops.model.bodies import MetadataPatch, Multiagent

__all__ = ["CreateBody", "MetadataPatch", "Multiagent", "UpdateBody"]
