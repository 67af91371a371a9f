"""The PostgreSQL server the county benchmarks run on: $GRIDCARE_TEST_PG_URL (CI starts one), else a
throwaway cluster of tools/pg_cluster.py started for this run and stopped at its end."""

from __future__ import annotations

import atexit
import os
import secrets
import shutil
import sys
import tempfile
from pathlib import Path

_STATE: dict[str, str] = {}


def server() -> str:
    if "url" not in _STATE:
        url = os.environ.get("GRIDCARE_TEST_PG_URL")
        if not url:
            sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
            import pg_cluster

            folder = Path(tempfile.mkdtemp(prefix="gridcare-bench-pg-"))
            url = pg_cluster.start(folder / "cluster")
            atexit.register(shutil.rmtree, folder, ignore_errors=True)
            atexit.register(pg_cluster.stop, folder / "cluster")
        _STATE["url"] = url
    return _STATE["url"]


def new_database() -> str:
    import psycopg
    from sqlalchemy.engine import make_url

    name = f"bench_{secrets.token_hex(4)}"
    with psycopg.connect(server(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return make_url(server()).set(database=name).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    with psycopg.connect(server(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')
