"""The deployment config: where policies and models live, the teams, audit and server settings.

Found at `--config FILE`, else `$PRIVACY_GUARD_CONFIG`, else `./privacy-guard.yaml`; with none
of them, everything runs on the shipped defaults. Relative paths inside the file resolve
against the file's own folder, so the config works from any working directory.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from privacy_guard.errors import ConfigFileError, Issue
from privacy_guard.policy.model import TeamName
from privacy_guard.vault.settings import VaultSettings
from privacy_guard.yamlsource import read_yaml, validation_issues

CONFIG_ENV = "PRIVACY_GUARD_CONFIG"
DEFAULT_CONFIG = Path("privacy-guard.yaml")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TeamEntry(_Strict):
    """A team and how its callers authenticate: the SHA-256 of its API key, or where to read it."""

    name: TeamName
    key_sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-fA-F]{64}$")] | None = None
    key_env: Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")] | None = None

    @field_validator("key_sha256")
    @classmethod
    def _lower(cls, value: str | None) -> str | None:
        return value.lower() if value else value

    @model_validator(mode="after")
    def _one_key(self) -> TeamEntry:
        if (self.key_sha256 is None) == (self.key_env is None):
            raise PydanticCustomError(
                "team_key",
                "team '{team}' needs exactly one of key_sha256 and key_env",
                {
                    "team": self.name,
                    "hint": "key_sha256: the hex SHA-256 of the team's API key, or key_env: the "
                    "environment variable holding the key",
                },
            )
        return self


class AuditSettings(_Strict):
    """The signed audit log (privacy_guard.audit). Keys are made by `privacy-guard keys init`."""

    path: Path = Path("audit/audit.db")  # the embedded SQLite store
    # A fleet's shared store instead: `postgresql://user@host:5432/db?sslmode=verify-full`
    # (libpq parameters such as sslmode pass through the URL); the password is read from the
    # environment variable `password_env` (or libpq's own PGPASSWORD / ~/.pgpass), never the file.
    url: Annotated[str, StringConstraints(pattern=r"^postgres(ql)?://\S+$")] | None = None
    password_env: (
        Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")] | None
    ) = None
    signing_key: Path | None = Path("keys/audit-ed25519.pem")  # Ed25519, PKCS #8 PEM, mode 0600
    hmac_key: Path | None = Path("keys/audit-hmac.key")  # 32 random bytes, hex, mode 0600
    # The officers' copy of the public keys (one signed-note verifier key per line); default:
    # the signing key's path with the suffix `.pub`.
    public_key: Path | None = None
    # The log's identity, first line of every checkpoint and name of its signing key: a
    # schema-less URL without spaces or '+'. A log keeps its origin for life.
    origin: Annotated[str, StringConstraints(pattern=r"^[^\s+]{1,200}$")] = (
        "privacy-guard.local/audit"
    )
    instance: (
        Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:/=+-]{0,199}$")] | None
    ) = None  # default: the host name
    checkpoint_every: Annotated[int, Field(ge=1, le=1_000_000)] = 1024  # records
    checkpoint_interval: Annotated[float, Field(gt=0, le=86_400)] = 10.0  # seconds
    heartbeat: Annotated[float, Field(gt=0, le=86_400)] = 300.0  # seconds
    # The compliance officer's key for the gateway's live report (`GET /audit`): its SHA-256,
    # or the environment variable holding it. Distinct from every team key; with neither,
    # `/audit` is not served.
    officer_key_sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-fA-F]{64}$")] | None = (
        None
    )
    officer_key_env: (
        Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")] | None
    ) = None

    @field_validator("officer_key_sha256")
    @classmethod
    def _lower(cls, value: str | None) -> str | None:
        return value.lower() if value else value

    @field_validator("url")
    @classmethod
    def _no_password_in_url(cls, value: str | None) -> str | None:
        # The config is reviewed like code and often committed: no secret belongs in it.
        if value and urlsplit(value).password:
            raise PydanticCustomError(
                "audit_url_password",
                "the audit url holds a password",
                {"hint": "remove it from the url; name the variable holding it in password_env"},
            )
        return value

    @model_validator(mode="after")
    def _one_officer_key(self) -> AuditSettings:
        if self.officer_key_sha256 is not None and self.officer_key_env is not None:
            raise PydanticCustomError(
                "officer_key",
                "give at most one of officer_key_sha256 and officer_key_env",
                {
                    "hint": "officer_key_sha256: the hex SHA-256 of the officer's key, or "
                    "officer_key_env: the environment variable holding it"
                },
            )
        return self

    def public_key_path(self) -> Path | None:
        if self.public_key is not None:
            return self.public_key
        return None if self.signing_key is None else self.signing_key.with_suffix(".pub")


class ServerSettings(_Strict):
    """The gateway: where it listens, what it accepts, how long it waits."""

    host: str = "127.0.0.1"
    port: Annotated[int, Field(ge=1, le=65535)] = 8080
    workers: Annotated[int, Field(ge=1, le=64)] = 1
    max_body_bytes: Annotated[int, Field(ge=1024)] = 4 * 1024 * 1024
    # Seconds for one upstream attempt (for a stream: for each chunk), and how many times a
    # refused connection, a 429 or a 5xx is tried again.
    upstream_timeout: Annotated[float, Field(gt=0, le=3600)] = 120.0
    upstream_retries: Annotated[int, Field(ge=0, le=10)] = 2
    upstream_backoff: Annotated[float, Field(ge=0, le=60)] = 0.25
    # Detection longer than this fails the request closed (503): nothing is sent.
    detection_timeout: Annotated[float, Field(gt=0, le=600)] = 10.0
    # A client that has not sent its whole body by then gets a 408 (no slow-client hang).
    body_timeout: Annotated[float, Field(gt=0, le=3600)] = 30.0


class DetectorSettings(_Strict):
    """A bigger installed spaCy pipeline, if the deployment has one (never downloaded), and the
    deployment's own Presidio recognizers ("package.module:ClassName", run inside our engine)."""

    en_model: str | None = None
    fr_model: str | None = None
    presidio_recognizers: tuple[str, ...] = ()


class DeploymentConfig(_Strict):
    policies: Path | None = None  # None: the shipped policies
    models: Path | None = None  # catalog entries added to (or overriding) the shipped ones
    teams: tuple[TeamEntry, ...] = ()
    audit: AuditSettings = AuditSettings()
    server: ServerSettings = ServerSettings()
    detector: DetectorSettings = DetectorSettings()
    # Placeholder maps of provider-stateful conversations (Responses `previous_response_id`):
    # encrypted, with a time to live. None: kept in memory under a per-process key.
    vault: VaultSettings | None = None

    @field_validator("teams")
    @classmethod
    def _unique(cls, teams: tuple[TeamEntry, ...]) -> tuple[TeamEntry, ...]:
        seen: set[str] = set()
        for team in teams:
            if team.name in seen:
                raise PydanticCustomError(
                    "duplicate_team",
                    "team '{team}' is listed twice",
                    {"team": team.name, "hint": "keep one entry per team"},
                )
            seen.add(team.name)
        return teams

    def team_names(self) -> list[str]:
        return [team.name for team in self.teams]


def find_config(
    explicit: Path | str | None = None, env: Mapping[str, str] | None = None
) -> Path | None:
    """The config file to use, or None for the shipped defaults.

    An explicitly named file (option or environment) must exist; `./privacy-guard.yaml` is used
    only if present.
    """
    environ = os.environ if env is None else env
    for chosen, how in ((explicit, "--config"), (environ.get(CONFIG_ENV) or None, CONFIG_ENV)):
        if chosen is not None:
            path = Path(chosen)
            if not path.is_file():
                raise ConfigFileError(
                    [
                        Issue(
                            str(path), 0, 0, f"config file not found (from {how})", "check the path"
                        )
                    ]
                )
            return path
    return DEFAULT_CONFIG if DEFAULT_CONFIG.is_file() else None


def load_config(path: Path | None) -> DeploymentConfig:
    """Read and validate a config file; `None` gives the shipped defaults.

    Raises ConfigFileError with `file:line:column` for every problem.
    """
    if path is None:
        return DeploymentConfig()
    doc = read_yaml(path)
    data = doc.data if doc.data is not None else {}
    if not isinstance(data, dict):
        raise ConfigFileError([Issue(doc.file, 1, 1, "the config must be a mapping of settings")])
    try:
        config = DeploymentConfig.model_validate(data)
    except ValidationError as error:
        raise ConfigFileError(validation_issues(error, doc)) from None
    return _resolved(config, path.resolve().parent)


def _resolved(config: DeploymentConfig, base: Path) -> DeploymentConfig:
    def resolve(value: Path | None) -> Path | None:
        return None if value is None else (base / value.expanduser())

    audit = config.audit.model_copy(
        update={
            "path": resolve(config.audit.path),
            "signing_key": resolve(config.audit.signing_key),
            "hmac_key": resolve(config.audit.hmac_key),
            "public_key": resolve(config.audit.public_key),
        }
    )
    resolved = config.model_copy(
        update={
            "policies": resolve(config.policies),
            "models": resolve(config.models),
            "audit": audit,
            "vault": config.vault
            and config.vault.model_copy(
                update={
                    "key_file": resolve(config.vault.key_file),
                    "path": resolve(config.vault.path),
                }
            ),
        }
    )
    # `model_fields_set` keeps meaning "what the file said" (model_copy marks updated fields as
    # set): the gateway opens the audit log only when the file has an `audit:` section.
    object.__setattr__(resolved, "__pydantic_fields_set__", set(config.model_fields_set))
    return resolved


def audit_configured(config: DeploymentConfig) -> bool:
    """The config file has an `audit:` section (else the gateway keeps decisions in memory)."""
    return "audit" in config.model_fields_set
