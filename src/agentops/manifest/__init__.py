"""Manifests: the schema, the loader and the repository config."""

from agentops.manifest.config import Config
from agentops.manifest.loader import LoadedManifest, Project, load_project
from agentops.manifest.schema import Lifecycle, Manifest
from agentops.manifest.secrets import SECRET_REF, missing_secrets, secret_refs

__all__ = [
    "SECRET_REF",
    "Config",
    "Lifecycle",
    "LoadedManifest",
    "Manifest",
    "Project",
    "load_project",
    "missing_secrets",
    "secret_refs",
]
