"""The audit log's keys: the Ed25519 checkpoint signing key, its public keys, the HMAC key.

* Signing key: a PKCS #8 PEM file (mode 0600). Its name is the log's origin, so that signatures
  carry `— <origin> …` as C2SP tlog-checkpoint recommends.
* Public keys: one verifier key per line in the signed-note "vkey" form used by the Go
  implementation (golang.org/x/mod/sumdb/note) and witnesses: `<name>+<key id, 8 hex>+<base64
  of 0x01 || 32-byte Ed25519 public key>`. A file of such lines is a keyring: after a rotation
  it holds the old and the new key, and checkpoints from both sides verify.
* HMAC key: 32 random bytes, hex in a file (mode 0600). Records store HMAC-SHA256 digests of
  the caller's credential and of the prompt under this key, never the values; its key id (first
  4 bytes of SHA-256 over a label and the key) is stored with each digest.

Key ids follow C2SP signed-note: SHA-256(name || 0x0A || 0x01 || public key)[:4], big-endian.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import secrets
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from privacy_guard.audit.durable import fsync_dir
from privacy_guard.errors import AuditFormatError, AuditKeyError

ED25519 = 0x01  # signature type byte of C2SP signed-note


def valid_key_name(name: str) -> bool:
    """Non-empty, no Unicode spaces, no `+` (C2SP signed-note), no control characters."""
    return (
        bool(name)
        and "+" not in name
        and not any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in name)
    )


def key_id(name: str, public_key: bytes) -> int:
    digest = hashlib.sha256(name.encode("utf-8") + b"\n" + bytes([ED25519]) + public_key).digest()
    return int.from_bytes(digest[:4], "big")


@dataclass(frozen=True, slots=True)
class PublicKey:
    """An Ed25519 verifier key with the name and id it signs under."""

    name: str
    key_id: int
    raw: bytes = field(repr=False)

    @classmethod
    def from_raw(cls, name: str, raw: bytes) -> PublicKey:
        if not valid_key_name(name):
            raise AuditFormatError("a key name must be non-empty, without spaces or '+'")
        if len(raw) != 32:
            raise AuditFormatError("an Ed25519 public key has 32 bytes")
        return cls(name, key_id(name, raw), raw)

    @classmethod
    def parse(cls, vkey: str) -> PublicKey:
        """Parse `<name>+<hex id>+<base64>`; the id must match the name and key."""
        parts = vkey.strip().split("+", 2)
        if len(parts) != 3 or len(parts[1]) != 8:
            raise AuditFormatError("a public key line is `<name>+<8 hex digits>+<base64 key>`")
        name, hex_id, encoded = parts
        try:
            wanted = int(hex_id, 16)
            data = base64.b64decode(encoded, validate=True)
        except (ValueError, binascii.Error):
            raise AuditFormatError("a public key line has a malformed id or key") from None
        if len(data) != 33 or data[0] != ED25519:
            raise AuditFormatError("only Ed25519 public keys (type 0x01) are supported")
        key = cls.from_raw(name, data[1:])
        if key.key_id != wanted:
            raise AuditFormatError(f"the key id of public key {name!r} does not match its key")
        return key

    def vkey(self) -> str:
        encoded = base64.b64encode(bytes([ED25519]) + self.raw).decode("ascii")
        return f"{self.name}+{self.key_id:08x}+{encoded}"

    def verify(self, message: bytes, signature: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.raw).verify(signature, message)
        except InvalidSignature:
            return False
        return True


class Keyring:
    """The public keys an officer trusts, looked up by (name, key id) as signed notes are."""

    def __init__(self, keys: Iterable[PublicKey]) -> None:
        self._keys = {(key.name, key.key_id): key for key in keys}

    def __iter__(self) -> Iterator[PublicKey]:
        return iter(self._keys.values())

    def __len__(self) -> int:
        return len(self._keys)

    def get(self, name: str, key_id: int) -> PublicKey | None:
        return self._keys.get((name, key_id))

    def names(self) -> set[str]:
        return {name for name, _ in self._keys}

    @classmethod
    def parse(cls, text: str) -> Keyring:
        """One vkey per line; blank lines and `#` comments are ignored."""
        keys = [
            PublicKey.parse(line)
            for line in text.splitlines()
            if line.strip() and not line.lstrip().startswith("#")
        ]
        if not keys:
            raise AuditFormatError("the public key file holds no key")
        return cls(keys)


def load_keyring(path: Path) -> Keyring:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise AuditKeyError(f"cannot read public key file {path}: {_reason(error)}") from None
    try:
        return Keyring.parse(text)
    except AuditFormatError as error:
        raise AuditKeyError(f"{path}: {error}") from None


@dataclass(frozen=True, slots=True)
class Signer:
    """A private Ed25519 key with the name it signs under (the log's origin)."""

    name: str
    private_key: Ed25519PrivateKey = field(repr=False)

    @property
    def public_key(self) -> PublicKey:
        raw = self.private_key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        return PublicKey.from_raw(self.name, raw)

    @property
    def key_id(self) -> int:
        return self.public_key.key_id

    def sign(self, message: bytes) -> bytes:
        return self.private_key.sign(message)


@dataclass(frozen=True, slots=True)
class HmacKey:
    """The key of the log's HMAC digests. Never printed (repr hides it)."""

    key: bytes = field(repr=False)
    key_id: str

    @classmethod
    def from_bytes(cls, key: bytes) -> HmacKey:
        if len(key) < 32:
            raise AuditKeyError("an HMAC key needs at least 32 bytes")
        ident = hashlib.sha256(b"privacy-guard audit hmac key id\n" + key).hexdigest()[:8]
        return cls(key, ident)

    def digest(self, domain: bytes, value: str) -> str:
        """HMAC-SHA256(key, domain || 0x0A || UTF-8 value), hex. Domains keep a caller digest
        from ever matching a prompt digest. Lone surrogates (possible in JSON input) are kept
        as they are rather than failing."""
        message = domain + b"\n" + value.encode("utf-8", "surrogatepass")
        return hmac.new(self.key, message, hashlib.sha256).hexdigest()


CALLER_DOMAIN = b"privacy-guard/caller"
PROMPT_DOMAIN = b"privacy-guard/prompt"


# --- files ----------------------------------------------------------------------------------


def _reason(error: BaseException) -> str:
    return error.strerror if isinstance(error, OSError) and error.strerror else type(error).__name__


def _write_secret(path: Path, data: bytes, *, replace: bool = False) -> None:
    """Write a file readable by its owner only, durably; never over an existing one unless
    `replace` (then atomically, through a temporary file)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    target = path.with_name(path.name + ".tmp") if replace else path
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
    try:
        fd = os.open(target, flags, 0o600)
    except FileExistsError:
        raise AuditKeyError(f"{target} already exists; not overwriting a key") from None
    except OSError as error:
        raise AuditKeyError(f"cannot create {target}: {_reason(error)}") from None
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    if replace:
        os.replace(target, path)
    fsync_dir(path.parent)


def _read_secret(path: Path, what: str) -> bytes:
    try:
        info = path.stat()
        data = path.read_bytes()
    except OSError as error:
        raise AuditKeyError(
            f"cannot read the {what} {path}: {_reason(error)} (run `privacy-guard keys init`)"
        ) from None
    if os.name == "posix" and stat.S_IMODE(info.st_mode) & 0o077:
        raise AuditKeyError(
            f"the {what} {path} is readable by other users "
            f"(mode {stat.S_IMODE(info.st_mode):04o}); run `chmod 600 {path}`"
        )
    return data


def generate_signer(name: str) -> Signer:
    if not valid_key_name(name):
        raise AuditKeyError("the log origin (key name) must be non-empty, without spaces or '+'")
    return Signer(name, Ed25519PrivateKey.generate())


def save_signing_key(path: Path, signer: Signer, *, replace: bool = False) -> None:
    pem = signer.private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    _write_secret(path, pem, replace=replace)


def new_signing_key(path: Path, name: str) -> Signer:
    signer = generate_signer(name)
    save_signing_key(path, signer)
    return signer


def load_signer(path: Path, name: str) -> Signer:
    if not valid_key_name(name):
        raise AuditKeyError("the log origin (key name) must be non-empty, without spaces or '+'")
    data = _read_secret(path, "signing key")
    try:
        private_key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        raise AuditKeyError(f"{path} is not an unencrypted PEM private key") from None
    if not isinstance(private_key, Ed25519PrivateKey):
        raise AuditKeyError(f"{path} is not an Ed25519 key")
    return Signer(name, private_key)


def new_hmac_key(path: Path, *, replace: bool = False) -> HmacKey:
    key = secrets.token_bytes(32)
    _write_secret(path, key.hex().encode("ascii") + b"\n", replace=replace)
    return HmacKey.from_bytes(key)


def load_hmac_key(path: Path) -> HmacKey:
    data = _read_secret(path, "HMAC key")
    try:
        key = bytes.fromhex(data.decode("ascii").strip())
    except (UnicodeDecodeError, ValueError):
        raise AuditKeyError(f"{path} is not a hex-encoded HMAC key") from None
    return HmacKey.from_bytes(key)


def append_public_key(path: Path, key: PublicKey) -> None:
    """Add a key to a keyring file (created if absent); old keys stay, for old checkpoints."""
    path.parent.mkdir(parents=True, exist_ok=True)
    existing = path.read_text(encoding="utf-8") if path.exists() else ""
    if key.vkey() in existing.split():
        return
    # The keys alone, no comment line: tools that read the file as a signed-note verifier key
    # (one key, one line) take it as it is. `Keyring.parse` still skips comments in old files.
    separator = "" if not existing or existing.endswith("\n") else "\n"
    with path.open("a", encoding="utf-8") as out:
        out.write(separator + key.vkey() + "\n")
        out.flush()
        os.fsync(out.fileno())


def rotate_hmac_key(path: Path) -> tuple[HmacKey, HmacKey, Path]:
    """Replace the HMAC key; the old one is kept beside it as `<stem>.<key id><suffix>` (mode
    0600), since officers need it to check prompts of the records written under it."""
    old = load_hmac_key(path)
    kept = path.with_name(f"{path.stem}.{old.key_id}{path.suffix}")
    _write_secret(kept, old.key.hex().encode("ascii") + b"\n")
    new = new_hmac_key(path, replace=True)
    return old, new, kept
