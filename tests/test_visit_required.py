"""A visit's first event gives its resident, its date and how it was made; no event empties them.

The visit form always writes the three (storage/register/visits.py log_visit) and the monthly report and the
resident's page rely on them: a bundle line creating a visit without one, or setting one to nothing later, can
only come from a broken or hostile bundle, and is refused as any bad line is (storage/register/field_rules.py
REQUIRED): the whole bundle, nothing changed, one line naming the record and the field. A correction carries
only what it changes, and merges.
"""

from __future__ import annotations

import datetime as dt

import pytest

from storage.core.i18n import set_language
from storage.core.keys import read_county_key_file
from storage.core.models import Identity
from storage.core.private_keys import private_keys
from storage.register.visits import correct_visit, log_visit
from storage.sync.bundle_file import write_bundle
from storage.sync.dump import dump_lines
from storage.sync.export import export_bundle
from storage.sync.merge import merge_paths
from tests import county_helpers
from tests.sync_helpers import elder, make_township
from tests.test_export_merge import _signed_by_worker

TODAY = dt.date(2026, 11, 24)
# the Chinese line's words for each field (the GLOSSARY's)
NO_DATE = "其中一条探访记录的“探访日期”没有值。"
NO_RESIDENT = "其中一条探访记录的“关爱对象”没有值。"
NO_METHOD = "其中一条探访记录的“探访方式”没有值。"


def _last_clock(db) -> int:
    with db.session() as s:
        return s.get(Identity, 1).last_hlc


def _visit_event(device: str, stamp: int, record_id: str, fields: dict, base: int = 0, author: str = "王芳") -> dict:
    return {"id": f"{device}-{stamp}", "record_type": "visit", "record_id": record_id, "hlc": stamp,
            "device_id": device, "base_hlc": base, "author": author, "fields": fields}


@pytest.fixture
def grid(tmp_path):
    """A township that merged a worker's resident and one visit, and that worker's device."""
    t = make_township(tmp_path)
    w = t.worker("王芳", "G01")
    r = elder(w, "张三")
    v = log_visit(w, r.id, {"visit_date": TODAY, "notes": "上门探访"}, today=TODAY)
    assert merge_paths(t.db, [export_bundle(w, tmp_path / "out").path]).bundles[0].status == "new"
    with w.session() as s:
        ident = s.get(Identity, 1)
    return t, w, r, v, ident


# what the line creating a visit lacks (or gives as nothing), and the words of the refusal
CREATIONS = [
    ("no date", lambda f: f.pop("visit_date"), NO_DATE),
    ("a date of null", lambda f: f.update(visit_date=None), NO_DATE),
    ("a date of \"\"", lambda f: f.update(visit_date=""), NO_DATE),
    ("no resident", lambda f: f.pop("resident_id"), NO_RESIDENT),
    ("a resident of \"\"", lambda f: f.update(resident_id=" "), NO_RESIDENT),
    ("no method", lambda f: f.pop("method"), NO_METHOD),
    ("a method of null", lambda f: f.update(method=None), NO_METHOD),
]


@pytest.mark.parametrize("what,change,words", CREATIONS, ids=[c[0] for c in CREATIONS])
def test_a_bundle_creating_a_visit_without_its_date_resident_or_method_is_refused_whole(grid, tmp_path, capsys,
                                                                                       what, change, words):
    """Before: merged (exit 0), and the monthly report and the resident's page met a visit with no date."""
    from tui.cli import main

    t, w, r, _v, ident = grid
    stamp = _last_clock(w) + 10
    honest = {"resident_id": r.id, "grid_code": ident.grid_code, "visit_date": "2026-11-20", "method": "home",
              "visitor": "王芳", "contact_made": True, "resident_seen": True}
    broken = dict(honest)
    change(broken)
    events = [_visit_event(ident.device_id, stamp, "a1b2c3d4e5f60718", honest),  # an honest line first
              _visit_event(ident.device_id, stamp + 1, "a1b2c3d4e5f60719", broken)]
    path = _signed_by_worker(t, w, "王芳", events, tmp_path / "broken.gcb")
    before = list(dump_lines(t.db))
    assert main(["--db", str(t.db.path), "--lang", "zh_CN", "merge", str(path)]) == 1
    out = capsys.readouterr().out
    line = next((x for x in out.splitlines() if path.name in x), "")
    assert words in line, (what, out)
    assert list(dump_lines(t.db)) == before


def test_a_correction_merges_with_what_it_changes_but_emptying_the_date_is_refused(grid, tmp_path):
    """A correction of the notes carries the notes alone and merges; a later line setting the date, the
    resident or the method to nothing is refused (before: merged, and the visit lost its date)."""
    t, w, r, v, ident = grid
    correct_visit(w, v.id, {"notes": "上门探访，老人独居"}, today=TODAY)
    outcome = merge_paths(t.db, [export_bundle(w, tmp_path / "out").path]).bundles[0]
    assert outcome.status == "new", outcome.message
    stamp = _last_clock(w) + 10
    set_language("zh_CN")
    for n, (fields, words) in enumerate([({"visit_date": None}, NO_DATE), ({"visit_date": ""}, NO_DATE),
                                         ({"method": None}, NO_METHOD), ({"resident_id": ""}, NO_RESIDENT)]):
        ev = _visit_event(ident.device_id, stamp + n, v.id, fields, base=stamp - 10)
        path = _signed_by_worker(t, w, "王芳", [ev], tmp_path / f"empty-{n}.gcb")
        before = list(dump_lines(t.db))
        outcome = merge_paths(t.db, [path]).bundles[0]
        assert (outcome.status, outcome.code) == ("refused", "bad_event"), fields
        assert words in outcome.message, (fields, outcome.message)
        assert list(dump_lines(t.db)) == before
    # a line naming the visit's resident is its first, whatever base it claims: it must give the date too
    ev = _visit_event(ident.device_id, stamp + 9, "a1b2c3d4e5f6071a", {"resident_id": r.id, "method": "home"},
                      base=stamp - 10)
    outcome = merge_paths(t.db, [_signed_by_worker(t, w, "王芳", [ev], tmp_path / "based.gcb")]).bundles[0]
    assert outcome.status == "refused" and NO_DATE in outcome.message, outcome.message


def test_the_county_refuses_a_township_bundle_creating_a_visit_without_its_date(tmp_path, db_target):
    """The county (SQLite, then PostgreSQL) runs the same checks on a township's bundle."""
    county = county_helpers.make_county(db_target, tmp_path / "county.pub")
    t = county_helpers.make_township(tmp_path, "330521101", tmp_path / "county.pub", county)
    with t.db.session() as s:
        ident = s.get(Identity, 1)
    stamp = 1_900_000_000_000 << 16
    fields = {"resident_id": "a1b2c3d4e5f60700", "visit_date": "2026-11-20", "method": "home"}
    events = [_visit_event(ident.device_id, stamp, "a1b2c3d4e5f60701", fields, author="x"),
              _visit_event(ident.device_id, stamp + 1, "a1b2c3d4e5f60702", {**fields, "visit_date": None}, author="x")]
    manifest = {"kind": "to_county", "schema_version": 5, "township_code": "330521101", "county_code": "330521",
                "grid_code": None, "device_id": ident.device_id, "worker": "x", "seq": 1, "full": False,
                "age_recipient": ident.device_age_recipient, "created_at": "2026-11-24T00:00:00+00:00", "counts": {},
                "enroll_proof": ident.enroll_proof}
    path = write_bundle(tmp_path / "no-date.gcb", manifest, events,
                        read_county_key_file(tmp_path / "county.pub").age_recipient,
                        private_keys(t.db.local_path).device_sign_secret).path
    before = county_helpers.record_dump(county)
    set_language("zh_CN")
    try:
        outcome = merge_paths(county, [path]).bundles[0]
        assert (outcome.status, outcome.code) == ("refused", "bad_event")
        assert NO_DATE in outcome.message, outcome.message
        assert county_helpers.record_dump(county) == before
    finally:
        county.dispose()
        t.close()


@pytest.mark.parametrize("name", [None, "", "  "], ids=["no name", "a name of \"\"", "a name of spaces"])
def test_a_bundle_creating_a_resident_without_a_name_is_refused_whole(grid, tmp_path, capsys, name):
    """Every form and the roster give a resident's name; a bundle line creating one without it (before: merged,
    and the register listed a person with no name) is refused as the visits' are, and so is a line emptying it."""
    from tui.cli import main

    t, w, r, _v, ident = grid
    stamp = _last_clock(w) + 10
    fields = {"grid_code": ident.grid_code, "township_code": "330521101", "categories": ["solitary_elder"]}
    if name is not None:
        fields["name"] = name
    lines = [{**_visit_event(ident.device_id, stamp, "a1b2c3d4e5f607aa", fields), "record_type": "resident"},
             {**_visit_event(ident.device_id, stamp + 1, r.id, {"name": ""}, base=stamp - 10),
              "record_type": "resident"}]
    for n, line in enumerate(lines):
        path = _signed_by_worker(t, w, "王芳", [line], tmp_path / f"nameless-{n}.gcb")
        before = list(dump_lines(t.db))
        assert main(["--db", str(t.db.path), "--lang", "zh_CN", "merge", str(path)]) == 1
        out = capsys.readouterr().out
        assert "“姓名”没有值" in next((x for x in out.splitlines() if path.name in x), ""), out
        assert list(dump_lines(t.db)) == before
