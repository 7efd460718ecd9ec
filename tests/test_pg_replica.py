"""`serve --index PRIMARY --read REPLICA --read REPLICA` against a real primary and two real
streaming standbys (made by pg_basebackup -R, tests/pg_server.py): reads go to the standbys
in turn and nothing to the primary; an ingest on the primary shows once replayed; with one
standby stopped the other answers, with both stopped the primary does."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from pg_server import replayed, wait_for

from search import ingest_paths
from search._pg_pool import APPLICATION

REPORT_ARCHIVE = str(Path(sys.executable).parent / "report-archive")


def _report(folder: Path, month: int, word: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"status-2022{month:02d}.txt"
    path.write_text(f"Status report 2022-{month:02d}\n\n1. Summary\n\nThe {word} service "
                    f"moved to the new cluster; DMTN-{300 + month} describes it.\n",
                    encoding="utf-8")
    return path


def _get(base: str, path: str) -> tuple[int, dict]:
    with urllib.request.urlopen(base + path, timeout=30) as response:
        return response.status, json.loads(response.read())


def _readers_on(cluster, dbname: str) -> int:
    return int(cluster.psql(f"SELECT count(*) FROM pg_stat_activity WHERE datname = "
                            f"'{dbname}' AND application_name = '{APPLICATION}'"))


@pytest.fixture
def replicated_db(pg_cluster, pg_standby, pg_standby2):
    name = "replica_" + str(id(pg_standby))[-6:]
    pg_cluster.psql(f"CREATE DATABASE {name}")
    for standby in (pg_standby, pg_standby2):
        wait_for(lambda: replayed(pg_cluster, standby), what="the standbys to replay")
    yield name
    pg_cluster.psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def test_serve_reads_the_standbys_in_turn_and_survives_losing_them(
        pg_cluster, pg_standby, pg_standby2, replicated_db, tmp_path):
    standbys = (pg_standby, pg_standby2)
    primary = pg_cluster.url_for(replicated_db)

    def all_replayed():
        for standby in standbys:
            if standby.running():
                wait_for(lambda: replayed(pg_cluster, standby), what="the standbys to replay")

    ingest_paths([_report(tmp_path / "a", 1, "Rucio")], primary, jobs=1)
    all_replayed()
    server = subprocess.Popen([REPORT_ARCHIVE, "serve", "--index", primary,
                               *[a for s in standbys for a in ("--read", s.url_for(replicated_db))],
                               "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, stdin=subprocess.DEVNULL)
    try:
        line = server.stdout.readline()
        base = re.search(r"(http://127\.0\.0\.1:\d+)/", line).group(1)
        for _ in range(3):  # a request's statements take the standbys in turn
            status, body = _get(base, "/api/search?q=rucio")
            assert status == 200 and [h["period"] for h in body["hits"]] == ["2022-01"]
        assert _readers_on(pg_standby, replicated_db) >= 1
        assert _readers_on(pg_standby2, replicated_db) >= 1
        assert _readers_on(pg_cluster, replicated_db) == 0  # nothing read from the primary

        # An ingest on the primary is seen through the standbys once replayed.
        ingest_paths([_report(tmp_path / "b", 2, "Qserv")], primary, jobs=1)
        all_replayed()
        status, body = _get(base, "/api/search?q=qserv")
        assert [h["period"] for h in body["hits"]] == ["2022-02"]
        assert _readers_on(pg_cluster, replicated_db) == 0

        # One standby stops: the pages answer from the other, still nothing from the primary.
        pg_standby.stop("immediate")
        for path in ("/api/search?q=qserv", "/api/reports", "/api/stats", "/search?q=rucio"):
            with urllib.request.urlopen(base + path, timeout=30) as response:
                assert response.status == 200, path
        status, body = _get(base, "/api/search?q=rucio")
        assert [h["period"] for h in body["hits"]] == ["2022-01"]
        assert _readers_on(pg_cluster, replicated_db) == 0
        assert _readers_on(pg_standby2, replicated_db) >= 1

        # Both are down: the same pages answer from the primary.
        pg_standby2.stop("immediate")
        for path in ("/api/search?q=qserv", "/api/reports", "/api/stats", "/search?q=rucio"):
            with urllib.request.urlopen(base + path, timeout=30) as response:
                assert response.status == 200, path
        status, body = _get(base, "/api/search?q=rucio")
        assert [h["period"] for h in body["hits"]] == ["2022-01"]
        assert _readers_on(pg_cluster, replicated_db) >= 1
    finally:
        server.terminate()
        server.communicate(timeout=30)
        for standby in standbys:
            if not standby.running():
                standby.start()
