"""Request bodies of `client.beta.vaults.credentials` create and update: model/vault_bodies.py's, which
a saved plan's credential writes are checked against too.

Secret fields are plain strings here; `credentials` splits them off before anything is stored or shown.
"""

from __future__ import annotations

from agentops.model.vault_bodies import CredentialCreate as CreateBody
from agentops.model.vault_bodies import CredentialUpdate as UpdateBody

__all__ = ["CreateBody", "UpdateBody"]
