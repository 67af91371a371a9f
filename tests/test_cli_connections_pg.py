"""Each command closes the server connections it opened when it ends: a process that runs commands one after
another (a script, the tests) held one per command until the garbage collector ran (a test called gc.collect())."""

from __future__ import annotations

import gc
import time

import pytest
from sqlalchemy.engine import make_url

from tests import pg
from tui.cli import main

pytestmark = pytest.mark.postgres


def _connections(url: str) -> list[tuple]:
    """Connections to the database at `url`, other than the one asking (their state and last statement)."""
    with pg._admin(pg.server_url()) as conn:
        return conn.execute("SELECT pid, state, left(query, 80) FROM pg_stat_activity"
                            " WHERE datname = %s AND pid <> pg_backend_pid()", (make_url(url).database,)).fetchall()


def _connections_after_close(url: str) -> list[tuple]:
    """The connections still there once the server has had time to end the ones closed: a server process leaves
    pg_stat_activity a moment after its client closed the connection (under CI's load, after the next query
    here), while one the command left open stays (the garbage collector is off)."""
    deadline = time.monotonic() + 5
    while (left := _connections(url)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


def test_every_command_leaves_no_server_connection_open(pg_url, tmp_path, capsys):
    commands = (["init", "--role", "county", "--county-code", "330521", "--county-name", "德清县", "--key-out",
                 str(tmp_path / "county.pub")], ["policy"], ["dump"], ["report"], ["report", "--month", "2026-11"],
                ["devices"], ["policy", "set", "--every", "high=3"], ["report", "--month", "2099-01"])
    gc.disable()  # what is closed must be closed by the command, not by a collection that happens to run
    try:
        for command in commands:
            code = main(["--db", pg_url, "--lang", "en", *command])
            assert code in (0, 1), (command, capsys.readouterr())  # a user error too (a month not begun)
            assert _connections_after_close(pg_url) == [], command
    finally:
        gc.enable()
