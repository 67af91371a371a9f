"""The hot read paths' SQL (sqlite3 placeholders) on a PostgreSQL connection."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from storage.core.db import driver_connection, open_database
from storage.core.server_reader import to_pyformat


def test_placeholders_become_psycopg_ones_outside_quotes_only():
    sql = "SELECT a FROM x WHERE n = :name AND m LIKE '%:a%' AND d::text = ? AND p LIKE :q ESCAPE '\\' AND r = 'it''s :no'"
    assert to_pyformat(sql) == ("SELECT a FROM x WHERE n = %(name)s AND m LIKE '%%:a%%' AND d::text = %s"
                                " AND p LIKE %(q)s ESCAPE '\\' AND r = 'it''s :no'")


@pytest.mark.postgres
def test_the_same_sql_text_runs_on_both_engines(tmp_path, pg_url):
    answers = []
    for target in (tmp_path / "a.db", pg_url):
        db = open_database(target)
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO township (id, name, deleted) VALUES ('330521101', '新市镇', false),"
                              " ('330521102', '10% 镇', true)"))
        with db.session() as s:
            raw = driver_connection(s)
            named = raw.execute("SELECT name FROM township WHERE NOT deleted AND id = :id", {"id": "330521101"}).fetchone()
            positional = raw.execute("SELECT count(*) FILTER (WHERE name LIKE '%镇') FROM township WHERE id IN (?, ?)",
                                     ["330521101", "330521102"]).fetchone()
            plain = raw.execute("SELECT count(*) FROM township WHERE name LIKE '%\\%%' ESCAPE '\\'").fetchone()
            answers.append((tuple(named), tuple(positional), tuple(plain)))
        db.dispose()
    assert answers[0] == answers[1] == (("新市镇",), (2,), (1,))
