"""Throwaway PostgreSQL 15 servers for the tests: a primary and a streaming standby.

`Cluster.create(root)` runs Debian's ``initdb`` in a fresh temporary directory and
`start()` runs the server on a free loopback port with ``pg_ctl``; `standby()` makes a
streaming replica of a running cluster with ``pg_basebackup -R`` (it replays the primary's
WAL and answers read-only queries). The servers run as the ``postgres`` user: as root we
switch to it with ``runuser``, since PostgreSQL refuses to run as root. No mocks, no
SQLite stand-in: the engine is tested against the server it will meet in production.

scripts/test.sh installs ``postgresql-15`` from Debian when it is missing.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

BIN = Path(os.environ.get("REPORT_ARCHIVE_PG_BIN", "/usr/lib/postgresql/15/bin"))
#: How long a server may take to start, or a standby to catch up (seconds).
START_TIMEOUT = 60


def _as_server_user(cmd: list[str]) -> list[str]:
    """`cmd` run as the ``postgres`` user when we are root (initdb refuses root)."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run(_as_server_user(cmd), capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, **kwargs)
    if done.returncode:
        raise RuntimeError(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stdout}\n"
                           f"{done.stderr}")
    return done


class Cluster:
    """One PostgreSQL data directory and the server running on it."""

    def __init__(self, data: Path, port: int) -> None:
        self.data = data
        self.port = port
        self.log = data.parent / f"{data.name}.log"

    @classmethod
    def create(cls, root: Path) -> "Cluster":
        """A new cluster in `root`/primary (not started); `root` must be ours and empty."""
        data = root / "primary"
        _run([str(BIN / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
              "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"])
        cluster = cls(data, free_port())
        cluster._configure()
        return cluster

    def _configure(self) -> None:
        # Unix sockets go in the cluster's own directory (not /run/postgresql, which may
        # be missing or belong to a system server). The standby's settings come along in
        # the base backup; hot_standby is on by default.
        settings = (f"port = {self.port}\nlisten_addresses = '127.0.0.1'\n"
                    f"unix_socket_directories = '{self.data.parent}'\n"
                    "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
                    "max_connections = 200\nwal_level = replica\nmax_wal_senders = 5\n"
                    "shared_buffers = 128MB\n")
        conf = self.data / "postgresql.auto.conf"
        text = conf.read_text() if conf.exists() else ""
        lines = [ln for ln in text.splitlines() if not ln.startswith("port =")]
        _write_as_server(conf, "\n".join(lines) + "\n" + settings)

    @property
    def url(self) -> str:
        """The URL of the ``postgres`` database on this server."""
        return self.url_for("postgres")

    def url_for(self, dbname: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{dbname}"

    def start(self) -> "Cluster":
        """Start the server and wait until it accepts connections."""
        _run([str(BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w",
              "-t", str(START_TIMEOUT), "start"])
        return self

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (`mode` immediate for a crash-like stop); no error if it is down."""
        subprocess.run(_as_server_user([str(BIN / "pg_ctl"), "-D", str(self.data), "-m", mode,
                                        "-w", "stop"]),
                       capture_output=True, stdin=subprocess.DEVNULL)

    def running(self) -> bool:
        done = subprocess.run(_as_server_user([str(BIN / "pg_ctl"), "-D", str(self.data),
                                               "status"]),
                              capture_output=True, stdin=subprocess.DEVNULL)
        return done.returncode == 0

    def standby(self, name: str = "standby") -> "Cluster":
        """A streaming standby of this (running) server, made by ``pg_basebackup -R`` into
        a directory `name` beside it, started on its own port."""
        data = self.data.parent / name
        _run([str(BIN / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(self.port),
              "-U", "postgres", "-D", str(data), "-R", "-X", "stream", "-c", "fast"])
        replica = Cluster(data, free_port())
        replica._configure()
        return replica.start()

    def psql(self, sql: str, dbname: str = "postgres") -> str:
        """Run `sql` with psql on this server; its output, unaligned, without headers."""
        done = _run([str(BIN / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U",
                     "postgres", "-d", dbname, "-At", "-v", "ON_ERROR_STOP=1", "-c", sql])
        return done.stdout.strip()


def _write_as_server(path: Path, text: str) -> None:
    path.write_text(text)
    if os.geteuid() == 0:
        pw = pwd.getpwnam("postgres")
        os.chown(path, pw.pw_uid, pw.pw_gid)


def make_root() -> Path:
    """A private temporary directory the server user owns (pytest's tmp dirs are only
    readable by us, so the server could not reach them)."""
    root = Path(tempfile.mkdtemp(prefix="report-archive-pg-"))
    if os.geteuid() == 0:
        pw = pwd.getpwnam("postgres")
        os.chown(root, pw.pw_uid, pw.pw_gid)
    return root


def remove_root(root: Path) -> None:
    shutil.rmtree(root, ignore_errors=True)


def wait_for(predicate, timeout: float = START_TIMEOUT, what: str = "condition") -> None:
    """Poll `predicate()` until it is true; AssertionError naming `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


# -- pytest fixtures (tests/conftest.py imports them for every test module) --------------
import itertools  # noqa: E402

import pytest  # noqa: E402

#: The database new test databases are copied from: empty but for the pg_trgm extension
#: (creating it is the slow part of a first write), so a copy holds no index yet.
TEMPLATE = "ra_template"


class Databases:
    """New, empty databases on one server, made by copying `TEMPLATE` (a few ms each)."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self._names = itertools.count(1)
        cluster.psql(f"CREATE DATABASE {TEMPLATE}")
        cluster.psql("CREATE EXTENSION IF NOT EXISTS pg_trgm", dbname=TEMPLATE)

    def create(self, prefix: str = "t") -> str:
        """The URL of a new, empty database."""
        name = f"{prefix}{os.getpid()}_{next(self._names)}"
        # FILE_COPY: a copy of the template's files, faster than WAL_LOG on a tiny database.
        self.cluster.psql(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE} STRATEGY FILE_COPY")
        return self.cluster.url_for(name)

    def drop(self, url: str) -> None:
        """Drop the database of `url` (its open connections are ended)."""
        name = url.rsplit("/", 1)[1]
        self.cluster.psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(scope="session")
def pg_cluster():
    """A PostgreSQL 15 server for the whole session, stopped and removed at the end."""
    root = make_root()
    cluster = Cluster.create(root)
    try:
        yield cluster.start()
    finally:
        cluster.stop("immediate")
        remove_root(root)


@pytest.fixture(scope="session")
def pg_databases(pg_cluster) -> Databases:
    """Makes new, empty databases on the session's server (see `Databases`)."""
    return Databases(pg_cluster)


@pytest.fixture
def pg_url(pg_databases):
    """The URL of a new, empty database on the session's server (dropped afterwards)."""
    url = pg_databases.create()
    yield url
    pg_databases.drop(url)


@pytest.fixture(scope="session")
def pg_standby(pg_cluster):
    """A streaming standby of the session's server (``pg_basebackup -R``); a test that stops
    it starts it again."""
    standby = pg_cluster.standby()
    try:
        yield standby
    finally:
        standby.stop("immediate")


@pytest.fixture(scope="session")
def pg_standby2(pg_cluster, pg_standby):
    """A second streaming standby of the session's server (for replica rotation)."""
    standby = pg_cluster.standby("standby2")
    try:
        yield standby
    finally:
        standby.stop("immediate")


def replayed(primary: Cluster, standby: Cluster) -> bool:
    """Whether the standby has replayed everything the primary has written so far."""
    # The insert position, not pg_current_wal_lsn(): with synchronous_commit off a commit
    # record may still sit in the WAL buffers, behind the write position.
    lsn = primary.psql("SELECT pg_current_wal_insert_lsn()")
    return standby.psql(f"SELECT pg_last_wal_replay_lsn() >= '{lsn}'::pg_lsn") == "t"
