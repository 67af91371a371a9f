"""Text no database can store: NUL (U+0000) and half a character (a lone UTF-16 surrogate).

PostgreSQL refuses NUL in text; UTF-8 cannot encode a lone surrogate (SQLite's driver raises). A merge
refuses them by name, on both engines; what this device writes (a form, a service, a roster cell, a name
at set-up) is cleaned instead: NUL removed, a lone surrogate replaced by U+FFFD (storage/core/text.py).

Before: a worker bundle with a NUL merged into a township's SQLite; the township's bundle was then refused
by a PostgreSQL county with "could not be merged (DataError)" (merged on a SQLite county); a form or a
service given a lone surrogate crashed on the write (StatementError); a roster CSV's NUL was imported.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select, text

from storage.core.json_text import dumps
from storage.core.models import Event, Resident, Visit
from storage.core.schema import FoldError
from storage.register.field_rules import judged
from storage.register.residents import update_resident
from storage.register.visits import log_visit
from storage.sync.merge import merge_paths
from tests import county_helpers as county
from tests.sync_helpers import make_township
from tests.test_export_merge import _device, _signed_by_worker

TODAY = dt.date(2026, 11, 24)
ELDER = {"name": "王五", "categories": ["solitary_elder"], "birth_date": "1945-03-03", "grid_code": "330521101-G02",
         "township_code": "330521101", "status": "active"}


def test_storable_removes_nul_joins_pairs_and_marks_lone_surrogates():
    from storage.core.text import storable, unstorable

    assert [unstorable(t) for t in ("东村1号", "a\x00", "村\ud800", "\ud83d\ude00", "")] == [False, True, True, True, False]
    assert storable("东村\x001号\x00") == "东村1号"
    assert storable("a\ud800b\udc00") == "a\ufffdb\ufffd"
    assert storable("\ud83d\ude00") == "\U0001f600"  # a pair as a Windows console hands it over: one character
    assert storable("东村1号") == "东村1号"


# (record type, fields, the field refused): every place a text sits inside a value
HOSTILE = [
    ("resident", {**ELDER, "address": "东村\x001号"}, "address"),
    ("resident", {**ELDER, "name": "王\ud800五"}, "name"),
    ("resident", {**ELDER, "phone": "138\x0000001234"}, "phone"),  # a pattern's field
    ("resident", {**ELDER, "sex": "M\x00"}, "sex"),  # a code list's field
    ("resident", {**ELDER, "categories": ["solitary_elder\x00"]}, "categories"),  # a list's item
    ("visit", {"resident_id": "r0", "observations": {"health": "咳嗽\x00"}}, "observations"),  # an object's value
    ("visit", {"resident_id": "r0", "observations": {"health\x00": "咳嗽"}}, "observations"),  # an object's key
    ("assessment", {"resident_id": "r0", "notes": {"economy": "\udfff"}}, "notes"),
    ("setting", {"value": {"visit_every_days": {"solitary_elder\x00": 30}}}, "value"),  # a JSON value, deep
    ("setting", {"value": ["\ud800"]}, "value"),  # (JSON's encoder raised on this before)
]


@pytest.mark.parametrize(("record_type", "fields", "field"), HOSTILE)
def test_the_value_checks_refuse_text_no_database_stores_naming_the_field(record_type, fields, field):
    rid = "policy.visit" if record_type == "setting" else "r1"
    ev = {"id": "d1-5", "record_type": record_type, "record_id": rid, "hlc": 5, "device_id": "d1", "fields": fields,
          "base_hlc": 0, "author": "李强"}
    refusal, _cleaned = judged(ev)
    assert isinstance(refusal, FoldError) and (refusal.field, refusal.reason) == (field, "bad_text")


@pytest.mark.parametrize(("keys", "field", "reason"), [
    ({"author": "李\x00强"}, "author", "bad_event"),
    ({"author": "李\ud800"}, "author", "bad_event"),  # (the author had its type and length checked only)
    ({"record_id": "r\x00"}, "id", "bad_id"),
    ({"record_type": "village", "record_id": "330521101-东村\ud800"}, "id", "bad_id"),  # a village's id holds its name
    ({"device_id": "d1\x00", "id": "d1\x00-5"}, "id", "bad_event"),
])
def test_an_events_own_strings_holding_it_are_refused(keys, field, reason):
    ev = {"id": "d1-5", "record_type": "resident", "record_id": "r1", "hlc": 5, "device_id": "d1", "fields": {},
          "base_hlc": 0, "author": "李强", **keys}
    refusal, _cleaned = judged(ev)
    assert refusal is not None and (refusal.field, refusal.reason) == (field, reason)


def test_a_worker_bundle_with_a_nul_is_refused_by_the_township_naming_the_field(tmp_path):
    """Before: merged, NUL and all, into the township's SQLite (and from there up to the county)."""
    t = make_township(tmp_path)
    b = t.worker("李强", "G02")
    device = _device(b)
    ev = {"id": f"{device}-7", "record_type": "resident", "record_id": "r7", "hlc": 7, "device_id": device,
          "fields": {**ELDER, "address": "东村\x001号"}, "base_hlc": 0, "author": "李强"}
    report = merge_paths(t.db, [_signed_by_worker(t, b, "李强", [ev], tmp_path / "nul.gcb")])
    outcome = report.bundles[0]
    assert (outcome.status, outcome.code) == ("refused", "bad_event")
    assert outcome.message.endswith("a Resident record holds a character that cannot be stored in Address.")
    with t.db.session() as s:
        assert s.get(Resident, "r7") is None


def _older_release_wrote(db, record_type: str, change) -> None:
    """An event of the township's database given a NUL, as an older release (which cleaned nothing) wrote it."""
    with db.write() as s:
        ev = s.execute(select(Event).where(Event.record_type == record_type).order_by(Event.hlc.desc())).scalars().first()
        fields, author = change(dict(ev.fields), ev.author)
        s.execute(text("UPDATE event SET fields = :f, author = :a WHERE id = :i"),
                  {"f": dumps(fields), "a": author, "i": ev.id})


@pytest.mark.parametrize(("record_type", "change", "words"), [
    ("resident", lambda f, a: ({**f, "address": "东村\x001号"}, a), "holds a character that cannot be stored in Address."),
    ("visit", lambda f, a: ({**f, "notes": "\x00"}, a), "holds a character that cannot be stored in Notes."),
    ("visit", lambda f, a: (f, "王\x00芳"), "a Visit record is malformed (author)."),
])
def test_a_township_bundle_with_a_nul_is_refused_by_the_county_on_both_engines(tmp_path, db_target, record_type,
                                                                              change, words):
    """Before: on PostgreSQL "a record inside it could not be merged (UntranslatableCharacter)" (DataError for
    the author), naming nothing; on SQLite merged."""
    c = county.make_county(db_target, tmp_path / "county.pub")
    t = county.busy_township(tmp_path, "330521101", tmp_path / "county.pub", n=1, county=c)
    try:
        _older_release_wrote(t.db, record_type, change)
        before = county.record_dump(c)
        report = merge_paths(c, [t.to_county(tmp_path / "up")])
        outcome = report.bundles[0]
        assert (outcome.status, outcome.code) == ("refused", "bad_event"), outcome.message
        assert outcome.message.endswith(words), outcome.message
        assert county.record_dump(c) == before
    finally:
        c.dispose()
        t.close()


def test_what_this_device_writes_is_cleaned_and_every_engine_merges_it(tmp_path, db_target):
    """A service given a NUL or half a character (a form, the CLI): saved cleaned, never a crash; the county
    (SQLite, then PostgreSQL) merges what the township sends. Before: NUL saved as given (a PostgreSQL county
    then refused the township's bundle); a lone surrogate crashed the write."""
    c = county.make_county(db_target, tmp_path / "county.pub")
    t = county.make_township(tmp_path, "330521101", tmp_path / "county.pub", c)
    w = t.worker("G01", "王\x00芳")
    person = county.elder(w, "张\x00三")
    update_resident(w, person.id, {"address": "东村\x001号", "notes": "腿脚\ud800不便\ud83d\ude00"}, today=TODAY)
    visit = log_visit(w, person.id, {"notes": "\x00上门\udc00"}, today=TODAY)
    try:
        with w.session() as s:
            saved = s.get(Resident, person.id)
            assert (saved.name, saved.address, saved.notes) == ("张三", "东村1号", "腿脚\ufffd不便\U0001f600")
            assert s.get(Visit, visit.id).notes == "上门\ufffd"
            assert {e.author for e in s.execute(select(Event)).scalars()} == {"王芳"}
        t.collect()
        report = merge_paths(c, [t.to_county(tmp_path / "up")])
        assert report.refused == [], [b.message for b in report.bundles]
        with c.session() as s:
            assert s.get(Resident, person.id).address == "东村1号"
    finally:
        c.dispose()
        t.close()


def test_a_roster_csv_cell_holding_nul_is_imported_cleaned(tmp_path):
    """Before: the name and the address imported with their NUL (the county's merge then refused the township's
    bundle); the phone of one NUL refused the whole import as not a phone number."""
    from storage.roster.importer import import_roster
    from tests.foundation_helpers import make_db
    from tests.roster_helpers import good_rows, write_csv

    db = make_db(tmp_path / "t.db")
    rows = good_rows()
    rows[0][1] = "张\x00小明"
    rows[0][6] = "新市镇东村\x001号"
    rows[1][5] = "\x00"  # nothing but a NUL: no phone
    report = import_roster(db, write_csv(tmp_path / "r.csv", rows), today=TODAY)
    assert report.imported and report.count("invalid") == 0, [p.message for r in report.rows for p in r.problems]
    with db.session() as s:
        people = {r.name: r for r in s.execute(select(Resident)).scalars()}
        assert people["张小明"].address == "新市镇东村1号" and people["王桂英"].phone == ""
        assert not any("\\u0000" in dumps(e.fields) for e in s.execute(select(Event)).scalars())


@pytest.mark.parametrize(("query", "found"), [("张\x00", ["张三"]), ("张\ud800", []), ("\x00", ["张三", "李四"])])
def test_a_search_for_it_finds_what_the_rest_says_never_a_crash(tmp_path, db_target, query, found):
    """The search box (Home; the county's on PostgreSQL). Before: the binding of the query raised (UnicodeEncodeError
    on either engine for half a character; PostgreSQL's DataError for a NUL)."""
    from storage.core.db import open_database
    from storage.core.identity import init_township
    from storage.register.search import search_residents

    db = open_database(db_target)
    try:
        init_township(db, "330521101", "新市镇", tmp_path / "township.pub")
        county.elder(db, "张三")
        county.elder(db, "李四")
        with db.session() as s:
            assert sorted(r.name for r in search_residents(s, query, today=TODAY)) == sorted(found)
    finally:
        db.dispose()


@pytest.mark.parametrize("worker", ["李\x00强", "李\ud800"])
def test_a_manifest_holding_it_is_refused_before_anything_is_kept(tmp_path, monkeypatch, worker):
    """A manifest's worker name is kept for a device waiting for approval (json.loads reads both from an escape).
    Before: the NUL kept in the waiting device's name; half a character crashed the merge (UnicodeEncodeError)."""
    from storage.core.models import Device
    from storage.sync import bundle_file

    t = make_township(tmp_path)
    b = t.worker("李强", "G02", enrolled=False)  # not enrolled: its bundle waits, its manifest's names kept
    with monkeypatch.context() as m:  # our writer refuses to write such a manifest: a forged one
        m.setattr(bundle_file, "_manifest_problem", lambda manifest: None)
        # as another program may write it: half a character as its JSON escape (UTF-8 cannot encode it raw)
        m.setattr(bundle_file, "_dumps", lambda obj: json.dumps(obj, sort_keys=True, separators=(",", ":")).encode())
        path = _signed_by_worker(t, b, worker, [], tmp_path / "forged.gcb")
    outcome = merge_paths(t.db, [path]).bundles[0]
    assert (outcome.status, outcome.code) == ("refused", "corrupt"), outcome.message
    with t.db.session() as s:
        assert s.execute(select(Device)).scalars().all() == []


def test_a_village_name_typed_with_it_is_cleaned_like_a_forms_text_and_merges(tmp_path):
    """A village's name is part of its record id. Before: a NUL was refused as "without slashes or '..'" (no
    slash was typed); half a character passed the name's check and failed the write (UnicodeEncodeError)."""
    from storage.core.identity import get_identity
    from storage.register.villages import set_grid_village
    from storage.sync.export import export_bundle

    t = make_township(tmp_path)
    w = t.worker("王芳", "G01")
    village = set_grid_village(w, get_identity(w).grid_code, "东\x00村\ud800")
    assert village == "330521101-东村\ufffd"
    assert merge_paths(t.db, [export_bundle(w, tmp_path / "out").path]).refused == []
