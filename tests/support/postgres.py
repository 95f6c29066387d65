"""Real PostgreSQL servers for the tests and benches: a throwaway cluster, or the CI's server.

`PRIVACY_GUARD_TEST_PG` (set by .ci/run) names a running server as a superuser URL. Without it,
a throwaway cluster is made from the server binaries when this machine has them
(/usr/lib/postgresql/*/bin): `initdb` in a temporary folder, run as the `postgres` user when we
are root (PostgreSQL refuses to run as root), listening on 127.0.0.1 on a free port, trust
authentication (loopback only, deleted at the end). Tests that need PostgreSQL skip with the
reason when neither is available — and fail instead when `CI` is set: CI must run them.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ENV_URL = "PRIVACY_GUARD_TEST_PG"


def server_bin() -> Path | None:
    """The newest installed PostgreSQL server binaries, if any."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version)
    return Path(found[-1]).parent if found else None


def _version(path: str) -> int:
    try:
        return int(Path(path).parent.parent.name)
    except ValueError:
        return 0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run_as() -> str | None:
    """The user to run the server as: `postgres` when we are root, else ourselves."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        return None
    return "postgres"


def cannot_start_reason() -> str | None:
    if server_bin() is None:
        return "no PostgreSQL server binaries (/usr/lib/postgresql/*/bin/initdb)"
    if os.geteuid() == 0 and _run_as() is None:
        return "running as root without a `postgres` user to run the server as"
    return None


@dataclass
class Cluster:
    """A server we started: its data folder, port, and how to stop and start it again."""

    folder: Path
    port: int
    host: str = "127.0.0.1"
    user: str | None = None
    netns: str | None = None  # run the server inside this network namespace

    @property
    def bin(self) -> Path:
        found = server_bin()
        assert found is not None
        return found

    @property
    def url(self) -> str:
        return f"postgresql://postgres@{self.host}:{self.port}/postgres"

    def _cmd(self, *args: str) -> list[str]:
        prefix = ["ip", "netns", "exec", self.netns] if self.netns else []
        return prefix + (["runuser", "-u", self.user, "--"] if self.user else []) + list(args)

    def pg_ctl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self._cmd(str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"), *args),
            capture_output=True,
            text=True,
            check=check,
            timeout=120,
        )

    def start(self) -> None:
        options = (
            f"-c listen_addresses={self.host} -p {self.port} -k {self.folder} "
            "-c max_connections=200 -c shared_buffers=64MB"
        )
        self.pg_ctl("-l", str(self.folder / "server.log"), "-w", "-t", "60", "-o", options, "start")

    def stop(self, mode: str = "fast") -> None:
        self.pg_ctl("-m", mode, "-w", "stop", check=False)

    def running(self) -> bool:
        return self.pg_ctl("status", check=False).returncode == 0

    def restart(self) -> None:
        self.stop()
        self.start()


def init_cluster(
    folder: Path,
    *,
    host: str = "127.0.0.1",
    port: int | None = None,
    netns: str | None = None,
    allow: str | None = None,
) -> Cluster:
    """initdb a new cluster in `folder` (not started). `allow`: a network (CIDR) whose clients
    may connect without a password, besides loopback (a test network in a namespace)."""
    user = _run_as()
    folder.mkdir(parents=True, exist_ok=True)
    if user:
        shutil.chown(folder, user)
    cluster = Cluster(folder, port or free_port(), host, user, netns)
    subprocess.run(
        cluster._cmd(
            str(cluster.bin / "initdb"),
            "-D",
            str(folder / "data"),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-instructions",
        ),
        capture_output=True,
        check=True,
        timeout=120,
    )
    if allow:
        with (folder / "data" / "pg_hba.conf").open("a") as hba:
            hba.write(f"host all all {allow} trust\n")
    return cluster


@contextmanager
def throwaway_cluster(**kwargs: object) -> Iterator[Cluster]:
    folder = Path(tempfile.mkdtemp(prefix="pg-test-"))
    os.chmod(folder, 0o755)
    cluster = init_cluster(folder, **kwargs)  # type: ignore[arg-type]
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop("immediate")
        shutil.rmtree(folder, ignore_errors=True)


def with_database(admin_url: str, name: str) -> str:
    """`admin_url` pointing at database `name` instead."""
    parts = urlsplit(admin_url)
    return urlunsplit(parts._replace(path="/" + name))


def create_database(admin_url: str, prefix: str = "audit_test") -> str:
    """A new empty database on the server; returns its URL (same user)."""
    import psycopg

    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return with_database(admin_url, name)


def drop_database(admin_url: str, url: str) -> None:
    import psycopg
    from psycopg.conninfo import conninfo_to_dict

    name = conninfo_to_dict(url)["dbname"]
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
