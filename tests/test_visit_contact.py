"""Whether a visit reached the person: asked by method, and mapped for visits recorded before the app asked."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlmodel import select

from storage.core.changes import writer
from storage.core.db import open_database
from storage.core.fold import rebuild_all
from storage.core.models import Visit
from storage.core.visit_contact import LEGACY_CONTACT_SQL, legacy_contact
from storage.register.residents import register_resident
from storage.register.visits import correct_visit, log_visit
from tests.foundation_helpers import make_db

FIXTURES = Path(__file__).parent / "fixtures"
TODAY = dt.date(2026, 11, 24)
met_withs = st.sampled_from(["", "本人", "本人及老伴", "家属", "祖母", " ", " 本人 ", "邻居"]) | st.text(max_size=4)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["home", "phone", "video", "proxy", "pigeon"]), st.booleans(), met_withs)
def test_the_upgrade_and_the_fold_map_old_visits_alike(method, seen, met_with):
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE visit (method TEXT, resident_seen BOOLEAN, met_with TEXT)")
    conn.execute("INSERT INTO visit VALUES (?, ?, ?)", (method, seen, met_with))
    assert bool(conn.execute(f"SELECT {LEGACY_CONTACT_SQL} FROM visit").fetchone()[0]) \
        == legacy_contact(method, seen, met_with)


def test_old_visits_mean_what_they_recorded():
    assert legacy_contact("home", True, "") and not legacy_contact("home", False, "本人")
    # the old form asked "seen in person" on a call too: an unticked call with the person themself reached them
    assert legacy_contact("phone", False, "") and legacy_contact("phone", False, "本人")
    assert legacy_contact("video", False, "本人及老伴")
    assert not legacy_contact("phone", False, "家属") and not legacy_contact("video", False, "祖母")
    assert not legacy_contact("proxy", True, "本人")


def test_a_schema_1_file_is_upgraded_with_contacts_mapped(tmp_path):
    path = tmp_path / "old.db"
    conn = sqlite3.connect(str(path))
    conn.executescript((FIXTURES / "schema_v1.sql").read_text(encoding="utf-8"))
    rows = [("v1", "home", 1, "本人"), ("v2", "home", 0, ""), ("v3", "phone", 0, ""), ("v4", "phone", 0, "家属"),
            ("v5", "video", 1, "祖母"), ("v6", "proxy", 0, "邻居")]
    conn.executemany(
        "INSERT INTO visit (id, resident_id, grid_code, visit_date, method, visitor, met_with, resident_seen,"
        " observations, hazards, needs, services, mandatory_report, notes, deleted)"
        " VALUES (?, 'r1', 'G', '2026-10-01', ?, '王', ?, ?, '{}', '[]', '[]', '[]', 0, '', 0)",
        [(vid, method, met, seen) for vid, method, seen, met in rows])
    conn.commit()
    conn.close()
    db = open_database(path)
    assert db.upgraded_from == 1
    with db.session() as s:
        got = {v.id: v.contact_made for v in s.exec(select(Visit))}
    assert got == {"v1": True, "v2": False, "v3": True, "v4": False, "v5": True, "v6": False}


def test_an_old_bundles_visit_folds_to_the_same_contact_as_it_was_written(tmp_path):
    db = make_db(tmp_path / "w.db")
    r = register_resident(db, {"name": "张三", "categories": ["solitary_elder"]}, today=TODAY)
    old = {"resident_id": r.id, "grid_code": r.grid_code, "visit_date": "2026-11-02", "method": "phone",
           "visitor": "王", "resident_seen": False}
    with db.write() as s:  # events as a laptop before schema 4 wrote them: no contact_made
        w = writer(s)
        w.write("visit", "old-self", {**old, "met_with": "本人"})
        w.write("visit", "old-other", {**old, "met_with": "家属"})
    assert _contacts(db) == {"old-self": True, "old-other": False}
    with db.write() as s:  # as a merge derives them from the events alone
        rebuild_all(s)
    assert _contacts(db) == {"old-self": True, "old-other": False}
    # corrections of old visits state the contact, so state and fold still agree
    correct_visit(db, "old-self", {"met_with": "家属"}, today=TODAY)
    correct_visit(db, "old-other", {"notes": "补记"}, today=TODAY)
    written = _contacts(db)
    with db.write() as s:
        rebuild_all(s)
    assert _contacts(db) == written == {"old-self": True, "old-other": False}


def _contacts(db) -> dict[str, bool]:
    with db.session() as s:
        return {v.id: v.contact_made for v in s.exec(select(Visit))}


def test_the_form_asks_by_method_and_a_visit_through_others_reaches_nobody(tmp_path):
    db = make_db(tmp_path / "w.db")
    r = register_resident(db, {"name": "李四", "categories": ["solitary_elder"]}, today=TODAY)

    def visit(**fields):
        v = log_visit(db, r.id, fields, today=TODAY)
        return v.method, v.contact_made, v.resident_seen

    assert visit(method="home", contact_made=True) == ("home", True, True)
    assert visit(method="home", contact_made=False) == ("home", False, False)
    assert visit(method="phone", contact_made=True) == ("phone", True, False)  # reached, not seen in person
    assert visit(method="video", contact_made=False) == ("video", False, False)
    assert visit(method="proxy", contact_made=True) == ("proxy", False, False)
    assert visit(method="phone", resident_seen=True) == ("phone", True, False)  # older callers' one question
    v = log_visit(db, r.id, {"method": "phone", "contact_made": True}, today=TODAY)
    assert correct_visit(db, v.id, {"method": "proxy"}, today=TODAY).contact_made is False
    events = _event_fields(db, v.id)
    assert events[-1]["contact_made"] is False and events[-1]["method"] == "proxy"


def _event_fields(db, record_id: str) -> list[dict]:
    from storage.core.models import Event

    with db.session() as s:
        rows = s.exec(select(Event).where(Event.record_id == record_id).order_by(Event.hlc)).all()
        return [json.loads(json.dumps(e.fields)) for e in rows]
