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
    path: Path = Path("audit/audit.db")
    signing_key: Path | None = None
    hmac_key: Path | None = None


class ServerSettings(_Strict):
    host: str = "127.0.0.1"
    port: Annotated[int, Field(ge=1, le=65535)] = 8080
    max_body_bytes: Annotated[int, Field(ge=1024)] = 4 * 1024 * 1024


class DetectorSettings(_Strict):
    """A bigger installed spaCy pipeline, if the deployment has one (never downloaded)."""

    en_model: str | None = None
    fr_model: str | None = None


class DeploymentConfig(_Strict):
    policies: Path | None = None  # None: the shipped policies
    models: Path | None = None  # catalog entries added to (or overriding) the shipped ones
    teams: tuple[TeamEntry, ...] = ()
    audit: AuditSettings = AuditSettings()
    server: ServerSettings = ServerSettings()
    detector: DetectorSettings = DetectorSettings()

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
        }
    )
    return config.model_copy(
        update={
            "policies": resolve(config.policies),
            "models": resolve(config.models),
            "audit": audit,
        }
    )
