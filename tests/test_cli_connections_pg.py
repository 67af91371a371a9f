"""Each command closes the server connections it opened when it ends: a process that runs commands one after
another (a script, the tests) held one per command until the garbage collector ran (a test called gc.collect())."""

from __future__ import annotations

import gc

import pytest
from sqlalchemy.engine import make_url

from tests import pg
from tui.cli import main

pytestmark = pytest.mark.postgres


def _connections(url: str) -> int:
    """Connections to the database at `url`, other than the one asking."""
    with pg._admin(pg.server_url()) as conn:
        row = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                           (make_url(url).database,)).fetchone()
    return int(row[0])


def test_every_command_leaves_no_server_connection_open(pg_url, tmp_path, capsys):
    commands = (["init", "--role", "county", "--county-code", "330521", "--county-name", "德清县", "--key-out",
                 str(tmp_path / "county.pub")], ["policy"], ["dump"], ["report"], ["report", "--month", "2026-11"],
                ["devices"], ["policy", "set", "--every", "high=3"], ["report", "--month", "2099-01"])
    gc.disable()  # what is closed must be closed by the command, not by a collection that happens to run
    try:
        for command in commands:
            code = main(["--db", pg_url, "--lang", "en", *command])
            assert code in (0, 1), (command, capsys.readouterr())  # a user error too (a month not begun)
            assert _connections(pg_url) == 0, command
    finally:
        gc.enable()
