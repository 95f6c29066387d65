"""The standalone app's own routes under uvicorn: what /healthz counts, and error bodies."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from privacy_guard.app import create_app
from privacy_guard.catalog import load_catalog
from privacy_guard.config import load_config
from privacy_guard.gateway.background import serve_in_thread
from privacy_guard.shipped import SHIPPED_POLICIES

ALPHA = """
team: alpha
extends: default
rules:
  - id: names-stay
    entities: [PERSON]
    destinations: [remote]
    action: block
"""


@contextmanager
def _served(config: Path | None) -> Iterator[str]:
    with serve_in_thread(create_app(load_config(config))) as served:
        yield served.url


def _two_teams(folder: Path) -> Path:
    """Teams alpha (with a policy file) and beta (without: judged by the shipped default)."""
    (folder / "policies").mkdir()
    (folder / "policies" / "alpha.yaml").write_text(ALPHA, encoding="utf-8")
    teams = "".join(
        f"  - {{name: {name}, key_sha256: {hashlib.sha256(name.encode()).hexdigest()}}}\n"
        for name in ("alpha", "beta")
    )
    config = folder / "privacy-guard.yaml"
    config.write_text(f"policies: policies/\nteams:\n{teams}", encoding="utf-8")
    return config


def test_healthz_on_the_shipped_defaults_counts_no_teams_and_every_shipped_policy() -> None:
    with _served(None) as url:
        health = httpx.get(f"{url}/healthz").json()
    assert health["status"] == "ok"
    assert health["configured_teams"] == 0  # local-only mode
    assert health["policies"] == len(list(SHIPPED_POLICIES.glob("*.yaml")))
    assert health["models"] == len(load_catalog())
    assert "teams" not in health


def test_healthz_counts_configured_teams_and_policy_files_separately(tmp_path: Path) -> None:
    with _served(_two_teams(tmp_path)) as url:
        health = httpx.get(f"{url}/healthz").json()
    assert health["configured_teams"] == 2
    assert health["policies"] == 2  # alpha.yaml, and the shipped default.yaml beta falls back on


def test_an_unknown_route_has_a_request_id_like_every_error() -> None:
    with _served(None) as url:
        replies = [httpx.request(m, f"{url}/v2/nothing/here") for m in ("GET", "POST", "DELETE")]
        replies.append(httpx.get(f"{url}/audit"))  # no officer key configured: not served
        refused = [httpx.options(f"{url}/healthz"), httpx.options(f"{url}/v2/nothing")]
    for response in replies:
        assert response.status_code == 404
        error = response.json()["error"]
        assert error["code"] == "unknown_route" and error["type"] == "not_found_error"
    # A method no route takes: Starlette's 405, in the same shape.
    for response in refused:
        assert response.status_code == 405
        assert response.json()["error"]["code"] == "method_not_allowed"
    for response in (*replies, *refused):
        error = response.json()["error"]
        assert error["request_id"].startswith("pg-")
        assert response.headers["x-privacy-guard-request-id"] == error["request_id"]
    ids = {r.json()["error"]["request_id"] for r in (*replies, *refused)}
    assert len(ids) == len(replies) + len(refused)
