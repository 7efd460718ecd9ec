"""`serve --index PRIMARY --read REPLICA` against a real primary and a real streaming standby
(made by pg_basebackup -R, tests/pg_server.py): reads go to the standby and nothing to the
primary; an ingest on the primary shows once replayed; with the standby stopped the site
keeps answering from the primary."""

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
def replicated_db(pg_cluster, pg_standby):
    name = "replica_" + str(id(pg_standby))[-6:]
    pg_cluster.psql(f"CREATE DATABASE {name}")
    wait_for(lambda: replayed(pg_cluster, pg_standby), what="the standby to replay")
    yield name
    pg_cluster.psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def test_serve_reads_the_standby_and_survives_losing_it(pg_cluster, pg_standby, replicated_db,
                                                       tmp_path):
    primary, standby = pg_cluster.url_for(replicated_db), pg_standby.url_for(replicated_db)
    ingest_paths([_report(tmp_path / "a", 1, "Rucio")], primary, jobs=1)
    wait_for(lambda: replayed(pg_cluster, pg_standby), what="the standby to replay")
    server = subprocess.Popen([REPORT_ARCHIVE, "serve", "--index", primary, "--read", standby,
                               "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, stdin=subprocess.DEVNULL)
    try:
        line = server.stdout.readline()
        base = re.search(r"(http://127\.0\.0\.1:\d+)/", line).group(1)
        status, body = _get(base, "/api/search?q=rucio")
        assert status == 200 and [h["period"] for h in body["hits"]] == ["2022-01"]
        assert _readers_on(pg_standby, replicated_db) >= 1
        assert _readers_on(pg_cluster, replicated_db) == 0  # nothing read from the primary

        # An ingest on the primary is seen through the standby once replayed.
        ingest_paths([_report(tmp_path / "b", 2, "Qserv")], primary, jobs=1)
        wait_for(lambda: replayed(pg_cluster, pg_standby), what="the standby to replay")
        status, body = _get(base, "/api/search?q=qserv")
        assert [h["period"] for h in body["hits"]] == ["2022-02"]
        assert _readers_on(pg_cluster, replicated_db) == 0

        # The standby stops: the same pages still answer, now from the primary.
        pg_standby.stop("immediate")
        for path in ("/api/search?q=qserv", "/api/reports", "/api/stats", "/search?q=rucio"):
            with urllib.request.urlopen(base + path, timeout=30) as response:
                assert response.status == 200, path
        status, body = _get(base, "/api/search?q=rucio")
        assert [h["period"] for h in body["hits"]] == ["2022-01"]
        assert _readers_on(pg_cluster, replicated_db) >= 1
    finally:
        server.terminate()
        server.communicate(timeout=30)
        if not pg_standby.running():
            pg_standby.start()
