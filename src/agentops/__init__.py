"""agentops: declarative GitOps for Claude Managed Agents deployments."""

__version__ = "0.1.0"
