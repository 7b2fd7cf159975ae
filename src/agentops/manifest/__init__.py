"""Manifests: the schema, the loader and the repository config."""

from agentops.manifest.config_schema import Config
from agentops.manifest.loader import LoadedManifest, Project, load_project
from agentops.manifest.schema import Lifecycle, Manifest

__all__ = ["Config", "Lifecycle", "LoadedManifest", "Manifest", "Project", "load_project"]
