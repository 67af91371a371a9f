"""A township's database edited by hand so that a JSON column holds text that is not JSON, or JSON of the wrong shape:
each reader says so in one line naming the record (exit status 1), or lists the row and goes on; none ends in "an
unexpected error" (exit 70) or counts a wrong figure without a word.

Seen before, on the township demo edited so: the monthly report, `villages`, `audit`, `conflicts` and `dump` ended in
"an unexpected error" (SQLAlchemy's JSON reader, and json.loads in the SQL paths, raised JSONDecodeError); a resident's
categories edited into an object were read as its keys and the report counted her in none; a merge touching a record
whose change was edited so refused the bundle ('could not be merged (JSONDecodeError)'), the bundle blamed for the file.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from storage.register.emergencies import find_emergencies
from storage.register.residents import update_resident
from storage.register.visits import log_visit
from storage.sync.export import export_bundle
from storage.sync.merge import merge_paths
from tests.sync_helpers import elder, make_township
from tests.test_cli import run
from tests.test_conflicts import _clash

DAMAGED = "gridcare: The database file is damaged: {what} holds a value that cannot be read. Put back a backup (b on " \
          "Home opens Backup and restore; or gridcare restore). Nothing was changed."
TODAY = dt.date(2026, 11, 24)


def _edit(path: Path, sql: str, **params) -> None:
    conn = sqlite3.connect(path)
    try:
        with conn:
            conn.execute(sql, params)
    finally:
        conn.close()


def _township(tmp_path: Path):
    """A township holding one worker's resident (merged): (township, worker database, resident)."""
    t = make_township(tmp_path)
    worker = t.worker("王芳", "G01")
    person = elder(worker, "甲")
    assert merge_paths(t.db, [export_bundle(worker, tmp_path / "1.gcb").path]).refused == []
    return t, worker, person


def _cli(tmp_path: Path, path: Path, *args: str):
    out = run("--db", str(path), "--lang", "en", *args, tmp_path=tmp_path)
    return out.returncode, out.stderr.strip().splitlines()


def test_a_residents_categories_not_json_stop_the_report_in_one_line_naming_her(tmp_path):
    t, _worker, person = _township(tmp_path)
    t.db.dispose()
    _edit(t.db.path, "UPDATE resident SET categories = '{x' WHERE id = :id", id=person.id)
    for command in (("report", "--month", "2026-11"), ("dump",)):
        assert _cli(tmp_path, t.db.path, *command) == (1, [DAMAGED.format(what=f"the Resident record {person.id}")])


def test_a_residents_categories_of_the_wrong_shape_are_not_counted_as_some_other_category(tmp_path):
    """An object's keys were read as her categories: the report counted her in none, without a word."""
    t, _worker, person = _township(tmp_path)
    t.db.dispose()
    _edit(t.db.path, """UPDATE resident SET categories = '{"solitary_elder": 1}' WHERE id = :id""", id=person.id)
    code, said = _cli(tmp_path, t.db.path, "report", "--month", "2026-11")
    assert code == 1 and len(said) == 1 and said[0].startswith("gridcare: The database file is damaged"), said


def test_a_grids_change_not_json_stops_villages_in_one_line_naming_the_grid(tmp_path):
    t, _worker, _person = _township(tmp_path)
    t.db.dispose()
    _edit(t.db.path, "UPDATE event SET fields = '{x' WHERE record_type = 'grid'")
    assert _cli(tmp_path, t.db.path, "villages") == (
        1, [DAMAGED.format(what="a change to the Grid record 330521101-G01")])


def test_an_audit_entry_whose_counts_are_not_json_is_named_and_one_of_another_shape_is_listed(tmp_path):
    t, _worker, _person = _township(tmp_path)
    t.db.dispose()
    _edit(t.db.path, "UPDATE audit_log SET counts = '[1, 2]' WHERE id = (SELECT max(id) FROM audit_log)")
    out = run("--db", str(t.db.path), "--lang", "en", "audit", tmp_path=tmp_path)
    assert out.returncode == 0 and "(counts unreadable)" in out.stdout, (out.returncode, out.stderr)
    _edit(t.db.path, "UPDATE audit_log SET counts = '{x' WHERE id = (SELECT min(id) FROM audit_log)")
    code, said = _cli(tmp_path, t.db.path, "audit")
    assert code == 1 and said == [DAMAGED.format(what="entry 1 of the audit log")]


def test_a_conflicts_value_not_json_is_named_by_its_record(tmp_path):
    t, _a, r, _report = _clash(tmp_path)
    t.db.dispose()
    _edit(t.db.path, "UPDATE conflict SET winner_value = '{x'")
    assert _cli(tmp_path, t.db.path, "conflicts") == (
        1, [DAMAGED.format(what=f"a conflict of the Resident record {r.id}")])


def test_a_visits_observations_not_json_stop_the_visit_list_in_one_line(tmp_path):
    t, worker, person = _township(tmp_path)
    visit = log_visit(worker, person.id, {"notes": "x"}, today=TODAY)
    worker.dispose()
    _edit(worker.path, "UPDATE visit SET observations = '{x' WHERE id = :id", id=visit.id)
    assert _cli(tmp_path, worker.path, "visit", "list", person.id) == (
        1, [DAMAGED.format(what=f"the Visit record {visit.id}")])


@pytest.mark.parametrize("fields", ["{x", "[1]", '"x"'], ids=["not JSON", "a list", "a text"])
def test_a_merge_touching_a_record_whose_change_is_damaged_names_it_and_does_not_blame_the_bundle(tmp_path, fields):
    t, worker, person = _township(tmp_path)
    update_resident(worker, person.id, {"phone": "13800000001"})
    bundle = export_bundle(worker, tmp_path / "2.gcb").path
    t.db.dispose()
    _edit(t.db.path, "UPDATE event SET fields = :f WHERE record_id = :id", f=fields, id=person.id)
    code, said = _cli(tmp_path, t.db.path, "merge", str(bundle))
    assert (code, said[-1:]) == (1, [DAMAGED.format(what=f"a change to the Resident record {person.id}")])
    conn = sqlite3.connect(t.db.path)
    try:  # not remembered as refused: merged as it is once a backup is back
        assert conn.execute("SELECT count(*) FROM bundle_refused").fetchone() == (0,)
    finally:
        conn.close()


def test_an_emergency_whose_marking_change_is_not_json_is_still_listed(tmp_path):
    """Home's list and the report's: the finding is its record's; the unreadable change marks nothing."""
    t, worker, person = _township(tmp_path)
    visit = log_visit(worker, person.id, {"notes": "x", "mandatory_report": True}, today=TODAY)
    _edit(worker.path, "UPDATE event SET fields = '{x' WHERE record_id = :id", id=visit.id)
    with worker.session() as session:
        found = find_emergencies(session, TODAY - dt.timedelta(days=30), TODAY)
    assert [e.visit_id for e in found] == [visit.id]


@pytest.mark.parametrize("sql", ["UPDATE resident SET categories = '{x' WHERE id = :id",
                                 "UPDATE event SET fields = '{x' WHERE record_id = :id",
                                 "UPDATE resident SET categories = '5' WHERE id = :id"],
                         ids=["a record", "a change", "a record of the wrong shape"])
def test_a_backup_whose_json_is_not_json_is_listed_damaged_and_not_restored(tmp_path, sql):
    """SQLite's checks pass such a file: the 备份与恢复 screen listed the day's copy of a database edited so as 完好,
    the newest good backup the rotation kept and a damaged file's message offered, and a restore put it back."""
    from storage.core import backup
    from storage.core.backup_check import DAMAGED, GOOD, refusals, state_of
    from storage.core.errors import UserError
    from storage.core.restoring import restore_database

    _t, worker, person = _township(tmp_path)
    worker.dispose()
    good = backup.backup_now(worker.path, now=dt.datetime(2026, 11, 23, 12))
    _edit(worker.path, sql, id=person.id)
    copy = backup.backup_now(worker.path, now=dt.datetime(2026, 11, 24, 12))  # the start's daily copy of it
    states = {path: state_of(refusal) for path, refusal in refusals(worker.path, [good.path, copy.path])}
    assert states == {good.path: GOOD, copy.path: DAMAGED}
    picked = backup.latest_good_backup(worker.path)
    assert picked is not None and picked.path == good.path
    with pytest.raises(UserError, match="is damaged or not a gridcare backup"):
        restore_database(worker.path, copy.path)


# JSON of the wrong shape, as a SQLite file edited by hand or a server's JSON column can hold (PostgreSQL takes any
# JSON): (table, column, value); the same cases on a server in tests/test_hostile_json_pg.py
WRONG_SHAPES = [
    ("resident", "categories", "5"),
    ("resident", "categories", '"solitary_elder"'),
    ("resident", "categories", '[{"a": 1}]'),
    ("resident", "flags", '{"a": 1}'),
    ("visit", "hazards", '"fall"'),
    ("visit", "observations", '["economy"]'),
    ("visit", "observations", '{"economy": {"a": 1}}'),
]
SHAPE_IDS = [f"{table}.{column}={value}" for table, column, value in WRONG_SHAPES]
LABELS = {"resident": "Resident", "visit": "Visit"}


@pytest.mark.parametrize(("table", "column", "value"), WRONG_SHAPES, ids=SHAPE_IDS)
def test_a_value_of_the_wrong_shape_stops_each_reader_in_one_line_naming_its_record(tmp_path, table, column, value):
    """Seen: a resident's categories edited into a number ended her visit list in "an unexpected error" (exit 70),
    into text the report said the file was damaged without saying where; a visit's hazards or observations of the
    wrong shape were dumped as they were, without a word."""
    _t, worker, person = _township(tmp_path)
    visit = log_visit(worker, person.id, {"notes": "x"}, today=TODAY)
    worker.dispose()
    _edit(worker.path, f"UPDATE {table} SET {column} = :v WHERE id = :id", v=value,
          id=person.id if table == "resident" else visit.id)
    wanted = (1, [DAMAGED.format(what=f"the {LABELS[table]} record {person.id if table == 'resident' else visit.id}")])
    assert _cli(tmp_path, worker.path, "visit", "list", person.id) == wanted
    assert _cli(tmp_path, worker.path, "dump") == wanted
    if column == "categories":  # (the only one of these the report reads)
        assert _cli(tmp_path, worker.path, "report", "--month", "2026-11") == wanted
