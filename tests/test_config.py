"""The deployment config: discovery, relative paths, and located errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from privacy_guard.config import CONFIG_ENV, DeploymentConfig, find_config, load_config
from privacy_guard.errors import ConfigFileError
from privacy_guard.policy.store import Sources

KEY = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "deploy" / "privacy-guard.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_relative_paths_resolve_against_the_config_folder(tmp_path: Path) -> None:
    path = _config(
        tmp_path,
        f"""policies: policies/
models: ../shared/models.yaml
teams:
  - name: engineering
    key_sha256: "{KEY.upper()}"
  - name: hr
    key_env: HR_API_KEY
audit:
  path: audit/audit.db
  signing_key: /etc/pg/audit.pem
server: {{host: 0.0.0.0, port: 9000}}
detector: {{en_model: en_core_web_lg}}
""",
    )
    config = load_config(path)
    folder = path.parent.resolve()
    assert config.policies == folder / "policies"
    assert config.models == folder / "../shared/models.yaml"
    assert config.audit.path == folder / "audit/audit.db"
    assert config.audit.signing_key == Path("/etc/pg/audit.pem")
    assert config.server.port == 9000 and config.server.max_body_bytes == 4 * 1024 * 1024
    assert config.teams[0].key_sha256 == KEY  # normalised to lower case
    assert config.team_names() == ["engineering", "hr"]
    sources = Sources.from_config(config)
    assert sources.policies == folder / "policies"
    assert sources.teams == ("engineering", "hr")
    assert sources.detector.en_model == "en_core_web_lg"


def test_errors_name_file_line_and_column(tmp_path: Path) -> None:
    path = _config(
        tmp_path,
        f"""teams:
  - name: ops
  - name: ops
    key_sha256: "{KEY}"
server:
  port: 99999
  hots: localhost
""",
    )
    with pytest.raises(ConfigFileError) as raised:
        load_config(path)
    issues = {(i.line, i.column): i for i in raised.value.issues}
    assert "needs exactly one of key_sha256 and key_env" in issues[(2, 5)].message
    assert issues[(2, 5)].hint and "SHA-256" in issues[(2, 5)].hint
    assert issues[(6, 9)].message.startswith("server.port:")
    assert "hots" in issues[(7, 3)].message
    assert all(i.file == str(path) for i in raised.value.issues)


def test_duplicate_teams_are_an_error(tmp_path: Path) -> None:
    path = _config(
        tmp_path,
        f'teams:\n  - {{name: a, key_env: A}}\n  - {{name: a, key_sha256: "{KEY}"}}\n',
    )
    with pytest.raises(ConfigFileError, match="team 'a' is listed twice"):
        load_config(path)


def test_discovery_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert find_config(None, env={}) is None  # nothing anywhere: shipped defaults
    assert load_config(None) == DeploymentConfig()
    (tmp_path / "privacy-guard.yaml").write_text("teams: []\n", encoding="utf-8")
    assert find_config(None, env={}) == Path("privacy-guard.yaml")
    other = _config(tmp_path, "teams: []\n")
    assert find_config(None, env={CONFIG_ENV: str(other)}) == other
    assert find_config(str(other), env={CONFIG_ENV: "/nowhere.yaml"}) == other
    with pytest.raises(ConfigFileError, match=f"config file not found \\(from {CONFIG_ENV}\\)"):
        find_config(None, env={CONFIG_ENV: str(tmp_path / "missing.yaml")})
    with pytest.raises(ConfigFileError, match="from --config"):
        find_config(tmp_path / "missing.yaml", env={})


def test_an_empty_config_file_means_defaults(tmp_path: Path) -> None:
    path = _config(tmp_path, "# nothing yet\n")
    config = load_config(path)
    assert config.policies is None and config.models is None and config.teams == ()
    # Even the default audit path lives next to the config, not in the working directory.
    assert config.audit.path == path.parent.resolve() / "audit/audit.db"
