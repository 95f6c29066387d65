"""pytest fixtures for a real PostgreSQL server (see tests/support/postgres.py).

* `pg_server`: the admin URL of a server — the CI's (`PRIVACY_GUARD_TEST_PG`), else a throwaway
  cluster started for the session.
* `pg_cluster`: a throwaway cluster the tests control (stop, restart), for fault tests.
* `pg_url`: a fresh empty database on `pg_server` for one test, dropped afterwards.

Without a server: skip with the reason — but fail when `CI` is set, so CI never skips them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.support.postgres import (
    ENV_URL,
    Cluster,
    cannot_start_reason,
    create_database,
    drop_database,
    throwaway_cluster,
)


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"PostgreSQL is required in CI: {reason}")
    pytest.skip(f"PostgreSQL tests need a server: {reason} (set {ENV_URL} or install one)")


@pytest.fixture(scope="session")
def _pg_cluster_for_session() -> Iterator[Cluster]:
    reason = cannot_start_reason()
    if reason:
        _unavailable(reason)
    with throwaway_cluster() as cluster:
        yield cluster


@pytest.fixture
def pg_cluster(_pg_cluster_for_session: Cluster) -> Iterator[Cluster]:
    """The session's cluster for one test, running again after it whatever the test did (a
    test that stops the server and fails before starting it must not take the others down)."""
    yield _pg_cluster_for_session
    if not _pg_cluster_for_session.running():
        _pg_cluster_for_session.start()


@pytest.fixture(scope="session")
def pg_server(request: pytest.FixtureRequest) -> str:
    given = os.environ.get(ENV_URL)
    if given:
        return given
    reason = cannot_start_reason()
    if reason:
        _unavailable(reason)
    cluster: Cluster = request.getfixturevalue("_pg_cluster_for_session")
    return cluster.url


@pytest.fixture
def pg_url(pg_server: str) -> Iterator[str]:
    url = create_database(pg_server)
    yield url
    drop_database(pg_server, url)
