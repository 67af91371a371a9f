"""A database holding a change every merge refuses (the file edited by hand: stamped with a clock gridcare never writes,
past the year-2100 horizon or below zero; its fields not JSON, or JSON but not an object) exports no bundle: the export
says so in one line naming the record, and writes nothing.

Before, a worker's export of such a clock or such JSON wrote the bundle and marked the change as sent, and the
township's merge then refused the whole bundle, and every full one after it; fields that are not JSON ended the export
in "an unexpected error", exit 70. The township's bundles to a grid and to the county the same way. The open does not look for such a change (storage/core/clock_range.py: a scan of the
event table at every start); the export reads each change it carries anyway."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from storage.core import hlc
from storage.core.errors import UserError
from storage.sync.export import export_bundle
from storage.sync.merge import merge_paths
from tests import county_helpers
from tests.sync_helpers import clerk_elder, elder, make_township
from tests.test_cli import run

TOP = 2**63 - 1
STAMPS = {"2^63 - 1": TOP, "the horizon": hlc.HORIZON, "below zero": -5}
CLOCK = "carries a clock past any date gridcare writes"
UNREADABLE = "cannot be read"
# the column edited in the record's last change, its new value, and what the refusal says
EDITS = {**{f"stamped {label}": ("hlc", stamp, CLOCK) for label, stamp in STAMPS.items()},
         "fields not JSON": ("fields", "{not json", UNREADABLE),
         "fields a JSON list": ("fields", "[1, 2]", UNREADABLE),
         "fields a JSON text": ("fields", '"name"', UNREADABLE)}


def _stamp(path: Path, record_id: str, stamp: object, column: str = "hlc") -> None:
    conn = sqlite3.connect(path)
    try:
        with conn:
            conn.execute(f"UPDATE event SET {column} = ? WHERE rowid = (SELECT max(rowid) FROM event WHERE record_id = ?)",
                         (stamp, record_id))
    finally:
        conn.close()


def _unsent(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT count(*) FROM event WHERE exported_seq IS NULL").fetchone()[0]
    finally:
        conn.close()


def _refusal_of(exc: pytest.ExceptionInfo[UserError], record_id: str, reason: str = CLOCK) -> str:
    said = str(exc.value)
    assert "\n" not in said and record_id in said, said
    assert said.startswith("Nothing was exported") and reason in said and "gridcare restore" in said
    return said


@pytest.mark.parametrize("column, value, reason", EDITS.values(), ids=EDITS.keys())
def test_a_workers_change_every_merge_refuses_is_not_exported_and_nothing_is_marked_sent(tmp_path, column, value,
                                                                                           reason):
    t = make_township(tmp_path)
    worker = t.worker("王芳", "G03")
    elder(worker, "甲")
    person = elder(worker, "乙")
    _stamp(worker.path, person.id, value, column)
    waiting = _unsent(worker.path)
    out = tmp_path / "usb"
    out.mkdir()
    with pytest.raises(UserError) as refused:
        export_bundle(worker, out)
    assert "Resident" in _refusal_of(refused, person.id, reason)
    assert list(out.iterdir()) == [] and _unsent(worker.path) == waiting


CLI_LINES = {
    "stamped 2^63 - 1": "carries a clock past any date gridcare writes (the database was edited outside gridcare), and",
    "fields not JSON": "cannot be read (the database was edited outside gridcare), and",
}


@pytest.mark.parametrize("edit", CLI_LINES.keys())
def test_the_command_line_says_so_in_one_line_with_exit_status_1(tmp_path, edit):
    column, value, _reason = EDITS[edit]
    t = make_township(tmp_path)
    worker = t.worker("王芳", "G03")
    person = elder(worker, "甲")
    worker.dispose()
    _stamp(worker.path, person.id, value, column)
    out = run("--db", str(worker.path), "--lang", "en", "export", "--out", str(tmp_path), tmp_path=tmp_path)
    assert out.returncode == 1, (out.returncode, out.stderr)
    # (the line before it, if any, is the start's warning of a computer clock earlier than the newest change's)
    assert out.stderr.strip().splitlines()[-1:] == [
        f"gridcare: Nothing was exported: a change to the Resident record {person.id} {CLI_LINES[edit]} every merge "
        "would refuse the bundle. Restore a backup (gridcare restore)."]
    assert not list(tmp_path.glob("*.gridcare"))


TOWNSHIP_EDITS = {k: EDITS[k] for k in ("stamped 2^63 - 1", "fields not JSON", "fields a JSON list")}


@pytest.mark.parametrize("column, value, reason", TOWNSHIP_EDITS.values(), ids=TOWNSHIP_EDITS.keys())
def test_the_townships_bundle_to_a_grid_is_refused_the_same_way(tmp_path, column, value, reason):
    t = make_township(tmp_path)
    worker = t.worker("王芳", "G01")
    elder(worker, "甲")
    assert merge_paths(t.db, [export_bundle(worker, tmp_path).path]).refused == []  # the device approved
    person = clerk_elder(t, "乙")
    _stamp(t.db.path, person.id, value, column)
    out = tmp_path / "to-grid"
    out.mkdir()
    with pytest.raises(UserError) as refused:
        export_bundle(t.db, out, grid_code="G01")
    _refusal_of(refused, person.id, reason)
    assert list(out.iterdir()) == []


@pytest.mark.parametrize("column, value, reason", TOWNSHIP_EDITS.values(), ids=TOWNSHIP_EDITS.keys())
def test_the_townships_bundle_to_the_county_is_refused_the_same_way(tmp_path, column, value, reason):
    county = county_helpers.make_county(tmp_path / "county.db", tmp_path / "county.pub")
    t = county_helpers.busy_township(tmp_path, "330521101", tmp_path / "county.pub", n=1, county=county)
    person = county_helpers.elder(t.db, "丙")
    _stamp(t.db.path, person.id, value, column)
    waiting = _unsent(t.db.path)
    with pytest.raises(UserError) as refused:
        t.to_county(tmp_path / "to-county")
    _refusal_of(refused, person.id, reason)
    assert list((tmp_path / "to-county").iterdir()) == [] and _unsent(t.db.path) == waiting
    t.close()
    county.dispose()


@pytest.mark.postgres
@pytest.mark.parametrize("edit", ["hlc = 9223372036854775807", "fields = CAST('[1, 2]' AS json)"],
                         ids=["stamped 2^63 - 1", "fields a JSON list"])
def test_a_township_on_a_server_is_told_to_put_back_the_servers_own_backup(tmp_path, pg_url, edit):
    """`gridcare restore` restores files and refuses a server ("backed up by the server's own tools"): a township on
    PostgreSQL was told to run it when its export met such a change."""
    from sqlalchemy import text

    from storage.core.db import open_database
    from storage.core.identity import init_township
    from tests.sync_helpers import Township

    db = open_database(pg_url)
    init_township(db, "330521101", "新市镇", tmp_path / "township.pub")
    t = Township(db, tmp_path / "township.pub", tmp_path)
    try:
        worker = t.worker("王芳", "G01")
        elder(worker, "甲")
        assert merge_paths(t.db, [export_bundle(worker, tmp_path).path]).refused == []
        person = clerk_elder(t, "乙")
        with db.engine.begin() as conn:
            conn.execute(text(f"UPDATE event SET {edit} WHERE id = (SELECT id FROM event WHERE record_id = :r "
                              "ORDER BY hlc DESC LIMIT 1)"), {"r": person.id})
        out = tmp_path / "to-grid"
        out.mkdir()
        with pytest.raises(UserError) as refused:
            export_bundle(t.db, out, grid_code="G01")
        said = str(refused.value)
        assert said.startswith("Nothing was exported") and person.id in said and "\n" not in said, said
        assert "the server's own backup" in said and "gridcare restore" not in said, said
        assert list(out.iterdir()) == []
    finally:
        db.dispose()
