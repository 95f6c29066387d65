"""`privacy-guard keys init|rotate|export`: the audit log's signing, HMAC and public keys."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from privacy_guard.audit.keys import (
    Keyring,
    append_public_key,
    generate_signer,
    load_keyring,
    load_signer,
    new_hmac_key,
    rotate_hmac_key,
    save_signing_key,
)
from privacy_guard.commands.common import ConfigOption, fail
from privacy_guard.config import AuditSettings, find_config, load_config
from privacy_guard.errors import PrivacyGuardError

app = typer.Typer(
    name="keys",
    help="Create, rotate and export the audit log's keys.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def audit_settings(config: Path | None) -> AuditSettings:
    """The `audit:` section of the deployment config (defaults without a config)."""
    try:
        return load_config(find_config(config)).audit
    except PrivacyGuardError as error:
        raise fail(str(error)) from None


def _paths(settings: AuditSettings) -> tuple[Path, Path, Path]:
    public = settings.public_key_path()
    if settings.signing_key is None or settings.hmac_key is None or public is None:
        raise fail("the config's `audit:` section needs `signing_key` and `hmac_key`")
    return settings.signing_key, settings.hmac_key, public


def _out() -> Console:
    return Console(highlight=False, soft_wrap=True)


@app.command("init")
def init_command(config: ConfigOption = None) -> None:
    """Create the signing key, the HMAC key and the public key file for officers.

    Both private keys get mode 0600; the signing key is named after `audit.origin`.

    Refuses to overwrite an existing key (see `keys rotate`).
    """
    settings = audit_settings(config)
    signing, hmac_path, public = _paths(settings)
    for path in (signing, hmac_path):
        if path.exists():
            raise fail(f"{path} already exists; `privacy-guard keys rotate` replaces a key", 1)
    try:
        signer = generate_signer(settings.origin)
        save_signing_key(signing, signer)
        hmac_key = new_hmac_key(hmac_path)
        append_public_key(public, signer.public_key)
    except PrivacyGuardError as error:
        raise fail(str(error), 1) from None
    out = _out()
    out.print(f"signing key  {escape(str(signing))}  (Ed25519, key id {signer.key_id:08x})")
    out.print(f"HMAC key     {escape(str(hmac_path))}  (key id {hmac_key.key_id})")
    out.print(f"public key   {escape(str(public))}")
    out.print(f"\n{signer.public_key.vkey()}\n")
    out.print(
        "Give the public key file to your compliance officers; they verify the log with\n"
        f"  privacy-guard audit verify --log {escape(str(settings.path))} --pubkey "
        f"{escape(str(public))}\n"
        "Keep both private keys out of backups that others can read."
    )


@app.command("rotate")
def rotate_command(
    config: ConfigOption = None,
    hmac: Annotated[
        bool, typer.Option("--hmac", help="Rotate the HMAC key instead of the signing key.")
    ] = False,
) -> None:
    """Replace the signing key, or with --hmac the HMAC key; restart the gateway afterwards.

    The public key file keeps the old keys: checkpoints from both sides verify.

    A replaced HMAC key is kept beside the new one, to check older records' prompts.
    """
    settings = audit_settings(config)
    signing, hmac_path, public = _paths(settings)
    out = _out()
    try:
        if hmac:
            old, new, kept = rotate_hmac_key(hmac_path)
            out.print(f"HMAC key {old.key_id} → {new.key_id}; the old key is kept in {kept}")
            out.print("Records name the key id of their digests (`hmac_key_id`).")
            return
        old_signer = load_signer(signing, settings.origin)
        new_signer = generate_signer(settings.origin)
        # Publish before switching: a checkpoint must never be signed by a key the public key
        # file does not list yet.
        append_public_key(public, old_signer.public_key)
        append_public_key(public, new_signer.public_key)
        save_signing_key(signing, new_signer, replace=True)
    except PrivacyGuardError as error:
        raise fail(str(error), 1) from None
    out.print(f"signing key {old_signer.key_id:08x} → {new_signer.key_id:08x}")
    out.print(f"\n{new_signer.public_key.vkey()}\n")
    out.print(
        f"{escape(str(public))} now lists both keys: send it to your compliance officers again, "
        "and restart the gateway so that it signs with the new key."
    )


@app.command("export")
def export_command(
    config: ConfigOption = None,
    out_file: Annotated[
        Path | None, typer.Option("--out", metavar="FILE", help="Write here, not to stdout.")
    ] = None,
) -> None:
    """Print the public key file for compliance officers (one verifier key per line)."""
    settings = audit_settings(config)
    signing, _hmac, public = _paths(settings)
    try:
        if public.exists():
            keyring = load_keyring(public)
        else:
            keyring = Keyring([load_signer(signing, settings.origin).public_key])
    except PrivacyGuardError as error:
        raise fail(str(error), 1) from None
    text = "".join(key.vkey() + "\n" for key in keyring)
    if out_file is not None:
        out_file.write_text(text, encoding="utf-8")
    else:
        typer.echo(text, nl=False)
