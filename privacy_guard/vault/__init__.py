"""The vault of provider-stateful conversations (Responses `previous_response_id` and
`conversation`): each chain's placeholder map, encrypted at rest, with a time to live."""

from privacy_guard.vault.settings import VaultSettings
from privacy_guard.vault.store import MemoryVaultStore, VaultStore
from privacy_guard.vault.vault import UnknownChainError, Vault, VaultError, open_vault, read_key

__all__ = [
    "MemoryVaultStore",
    "UnknownChainError",
    "Vault",
    "VaultError",
    "VaultSettings",
    "VaultStore",
    "open_vault",
    "read_key",
]
