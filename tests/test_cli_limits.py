"""--limit takes a number of rows, 1 or more (docs/design.md §3: bad arguments exit 2). A negative one was taken:
`audit --limit -5` printed every entry, and `report --limit -1` each list but its last row, silently."""

from __future__ import annotations

import pytest

from tests.register_helpers import make_register_db
from tests.test_cli import run


@pytest.mark.parametrize("command", [["audit"], ["report", "--month", "2026-11"]])
@pytest.mark.parametrize("limit", ["-5", "0", "x"])
def test_a_limit_below_one_is_a_bad_argument(tmp_path, command, limit):
    db = make_register_db(tmp_path / "w.db")
    db.dispose()
    out = run("--lang", "en", "--db", str(db.path), *command, "--limit", limit, tmp_path=tmp_path)
    assert out.returncode == 2, out.stdout
    assert f"a number of rows, 1 or more (not {limit})" in out.stderr and out.stdout == ""


def test_a_limit_of_one_shows_one_row(tmp_path):
    db = make_register_db(tmp_path / "w.db")
    db.dispose()
    for _ in range(3):
        assert run("--db", str(db.path), "backup", tmp_path=tmp_path).returncode == 0  # audited: rows to limit
    out = run("--lang", "en", "--db", str(db.path), "audit", "--limit", "1", tmp_path=tmp_path)
    assert out.returncode == 0 and out.stdout.count("Backup") == 1, \
        out.stdout


@pytest.mark.parametrize("days", ["-3", "0", "x"])
def test_keep_days_below_one_is_a_bad_argument_and_no_backup_goes(tmp_path, days):
    """`backup --keep-days -3` deleted every backup but the newest, and exited 0; 0 meant the default."""
    db = make_register_db(tmp_path / "w.db")
    db.dispose()
    assert run("--db", str(db.path), "backup", tmp_path=tmp_path).returncode == 0
    before = sorted((tmp_path / "w.db.backups").iterdir())
    out = run("--lang", "en", "--db", str(db.path), "backup", "--keep-days", days, tmp_path=tmp_path)
    assert out.returncode == 2, out.stdout
    assert f"a number of days from 1 to 36,500 (not {days})" in out.stderr and out.stdout == ""
    assert sorted((tmp_path / "w.db.backups").iterdir()) == before
