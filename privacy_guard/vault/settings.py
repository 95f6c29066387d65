"""The `vault:` section of the deployment config (see `privacy_guard.vault`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator
from pydantic_core import PydanticCustomError


class VaultSettings(BaseModel):
    """Where provider-stateful conversations keep their placeholder maps, and for how long.

    ```yaml
    vault:
      key_file: keys/vault.key   # 32 random bytes, hex (`openssl rand -hex 32`), mode 0600
      # key_env: PG_VAULT_KEY    # or: the environment variable holding the hex key
      ttl: 86400                 # seconds a chain's map is kept after its last turn
      path: audit/vault.db       # default: `vault.db` beside the audit log
    ```
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    key_file: Path | None = None
    key_env: Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")] | None = None
    ttl: Annotated[float, Field(gt=0, le=90 * 86_400)] = 86_400.0
    path: Path | None = None

    @model_validator(mode="after")
    def _one_key(self) -> VaultSettings:
        if (self.key_file is None) == (self.key_env is None):
            raise PydanticCustomError(
                "vault_key",
                "the vault needs exactly one of key_file and key_env",
                {
                    "hint": "key_file: a file holding 32 random bytes in hex (mode 0600), or "
                    "key_env: the environment variable holding them"
                },
            )
        return self
