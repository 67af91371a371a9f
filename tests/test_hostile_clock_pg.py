"""A county database on a PostgreSQL server whose device clock is one gridcare never writes is refused when opened,
as a SQLite file's is (tests/test_hostile_clock.py).

Seen before: the server's database edited so (UPDATE identity SET last_hlc = 2^63 - 1, which its BIGINT holds) opened
as usual, and the next save's tick failed with "bigint out of range", "an unexpected error" and exit 70 on the
command line."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

from storage.core import hlc
from storage.core.db import open_database
from storage.core.db_server import hide_password
from storage.core.errors import UserError
from storage.core.identity import init_township
from storage.register.residents import register_resident
from tests.test_cli import run

pytestmark = pytest.mark.postgres

TOP = 2**63 - 1


def _township_with_clock(url: str, clock: int) -> None:
    db = open_database(url)
    try:
        init_township(db, "330521101", "新市镇", None)
        with db.engine.begin() as conn:
            conn.execute(text("UPDATE identity SET last_hlc = :clock"), {"clock": clock})
    finally:
        db.dispose()


def _device_clock(url: str) -> int:
    from sqlalchemy import create_engine

    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT last_hlc FROM identity")).scalar_one()
    finally:
        engine.dispose()


@pytest.mark.parametrize("clock", [TOP, hlc.HORIZON, -1], ids=["2^63 - 1", "the horizon", "below zero"])
def test_a_server_database_with_a_clock_gridcare_never_writes_is_not_opened_and_left_untouched(pg_url, clock):
    _township_with_clock(pg_url, clock)
    with pytest.raises(UserError) as refused:
        open_database(pg_url)
    said = str(refused.value)
    assert said.startswith(hide_password(pg_url)) and "\n" not in said
    assert "its clock is past any date gridcare writes" in said and "the server's own backup" in said
    assert _device_clock(pg_url) == clock


def test_the_command_line_says_so_in_one_line_with_exit_status_1(pg_url, tmp_path):
    _township_with_clock(pg_url, TOP)
    out = run("--db", pg_url, "--lang", "en", "audit", tmp_path=tmp_path)
    assert out.returncode == 1, (out.returncode, out.stderr)
    assert out.stderr.strip().splitlines() == [
        f"gridcare: {hide_password(pg_url)} is damaged: its clock is past any date gridcare writes, so nothing could "
        "be saved in it. Nothing was changed. Ask whoever looks after the server to put back the server's own backup, "
        "then merge again the bundles merged since."]
    # not `gridcare restore`, which restores files and refuses a server ("…backed up by the server's own tools")
    out = run("--db", pg_url, "--lang", "zh_CN", "audit", tmp_path=tmp_path)
    assert out.returncode == 1 and "请负责服务器的人员用服务器自己的备份恢复" in out.stderr, out.stderr
    assert "gridcare restore" not in out.stderr


def test_a_server_database_with_a_sound_clock_opens_and_saves(pg_url):
    _township_with_clock(pg_url, hlc.HORIZON - 2**40)
    db = open_database(pg_url)
    try:
        register_resident(db, {"name": "张三", "categories": ["solitary_elder"], "grid_code": "330521101-G01",
                               "birth_date": dt.date(1945, 3, 3)}, today=dt.date(2026, 11, 24))
    finally:
        db.dispose()


def test_a_server_database_whose_device_row_is_gone_is_refused(pg_url):
    """Its changes kept, its identity row deleted: the app would have offered its first-use form over them."""
    _township_with_clock(pg_url, hlc.HORIZON - 2**40)
    db = open_database(pg_url)
    try:
        register_resident(db, {"name": "张三", "categories": ["solitary_elder"], "grid_code": "330521101-G01",
                               "birth_date": dt.date(1945, 3, 3)}, today=dt.date(2026, 11, 24))
        with db.engine.begin() as conn:
            conn.execute(text("DELETE FROM identity"))
    finally:
        db.dispose()
    with pytest.raises(UserError) as refused:
        open_database(pg_url)
    assert "it holds records but no longer says whose they are" in str(refused.value)
    assert "the server's own backup" in str(refused.value) and "gridcare restore" not in str(refused.value)


def test_a_change_dated_past_the_horizon_on_a_server_is_warned_of_with_the_servers_own_backup(pg_url):
    """The warning at open named Home's b and `gridcare restore`, neither of which puts a server's database back."""
    from storage.core.clock_check import clock_warning

    db = open_database(pg_url)
    try:
        init_township(db, "330521101", "新市镇", None)
        register_resident(db, {"name": "张三", "categories": ["solitary_elder"], "grid_code": "330521101-G01",
                               "birth_date": dt.date(1945, 3, 3)}, today=dt.date(2026, 11, 24))
        with db.engine.begin() as conn:
            conn.execute(text("UPDATE event SET hlc = :top WHERE id = (SELECT max(id) FROM event)"), {"top": TOP})
        said = clock_warning(db)
        assert said is not None and "the server's own backup" in said, said
        assert "gridcare restore" not in said and "b on Home" not in said
    finally:
        db.dispose()
