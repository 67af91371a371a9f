"""Townships' bundles merged at the county: numbered, incremental, all or nothing, alike on both engines.

The county's database is a SQLite file and a PostgreSQL database in turn (the `db_target` fixture).
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from storage.core.errors import UserError
from storage.core.identity import set_county_key
from storage.core.keys import read_county_key_file
from storage.core.models import CountyExport, Enrollment, Event
from storage.sync.county_export import export_county_bundle
from storage.sync.export import export_bundle
from storage.sync.merge import merge_paths
from tests.county_helpers import (
    busy_township,
    edit_some,
    elder,
    make_county,
    make_township,
    record_dump,
)


def test_county_bundles_are_incremental_numbered_and_full_on_request(tmp_path, db_target):
    county = make_county(db_target, tmp_path / "county.pub")
    t = busy_township(tmp_path, "330521101", tmp_path / "county.pub", county=county)
    with t.db.session() as s:
        every = s.execute(select(Event.id)).scalars().all()
    first = export_county_bundle(t.db, tmp_path / "up")
    assert first.seq == 1 and first.events == len(every)
    assert first.manifest["kind"] == "to_county" and first.manifest["county_code"] == "330521"
    assert first.path.name.startswith("gridcare-330521101-county-")
    with pytest.raises(UserError, match="Nothing new for the county since bundle 1"):
        export_county_bundle(t.db, tmp_path / "up")
    edit_some(t, "甲")
    second = export_county_bundle(t.db, tmp_path / "up")
    with t.db.session() as s:
        now_every = s.execute(select(Event.id)).scalars().all()
        assert [r.seq for r in s.execute(select(CountyExport)).scalars()] == [1, 2]
    assert second.seq == 2 and second.events == len(now_every) - len(every) > 0
    full = export_county_bundle(t.db, tmp_path / "up", full=True)
    assert full.seq == 3 and full.events == len(now_every) and full.manifest["full"] is True
    report = merge_paths(county, [tmp_path / "up"])
    assert [b.status for b in report.bundles] == ["new", "new", "new"] and report.missing == []
    county.dispose()
    t.close()


def test_the_county_holds_exactly_the_township_records(tmp_path, db_target):
    county = make_county(db_target, tmp_path / "county.pub")
    t = busy_township(tmp_path, "330521101", tmp_path / "county.pub", county=county)
    edit_some(t, "甲")
    t.to_county(tmp_path / "up")
    report = merge_paths(county, [tmp_path / "up"])
    assert report.refused == [] and report.bundles[0].township == "330521101"
    assert record_dump(county) == record_dump(t.db)
    county.dispose()
    t.close()


def test_a_missing_township_bundle_is_named(tmp_path, db_target):
    county = make_county(db_target, tmp_path / "county.pub")
    t = busy_township(tmp_path, "330521101", tmp_path / "county.pub", county=county)
    one = t.to_county(tmp_path / "up")
    edit_some(t, "甲")
    t.to_county(tmp_path / "lost")
    edit_some(t, "乙")
    three = t.to_county(tmp_path / "up")
    report = merge_paths(county, [one, three])
    assert report.missing == [(report.bundles[0].device_id, "镇101 330521101", 2)]
    # lost for good: the township sends everything again, and the gap is closed (on both engines)
    assert merge_paths(county, [t.to_county(tmp_path / "again", full=True)]).missing == []
    assert record_dump(county) == record_dump(t.db)
    county.dispose()
    t.close()


def test_what_a_county_refuses_changes_nothing(tmp_path, db_target):
    county = make_county(db_target, tmp_path / "county.pub")
    other = make_county(tmp_path / "other.db", tmp_path / "other.pub")
    t = busy_township(tmp_path, "330521101", tmp_path / "county.pub", county=county)
    good = t.to_county(tmp_path / "up")
    merge_paths(county, [good])
    before = record_dump(county)
    bad = tmp_path / "bad"
    bad.mkdir()
    # a worker's bundle, a township's bundle for a grid, a bundle to another county, an altered one
    elder(t.workers["G01"], "又一位")
    w = export_bundle(t.workers["G01"], bad / "worker.gcb").path
    assert merge_paths(t.db, [w]).refused == []
    g = export_bundle(t.db, bad / "grid.gcb", grid_code="G01").path
    fresh = t.to_county(tmp_path / "fresh")  # not merged yet: an altered copy must be read to be refused
    edit_some(t, "甲")
    set_county_key(t.db, tmp_path / "other.pub", replace=True)
    # the other county has the same code: its bundle passes the header checks and fails on the key
    wrong = export_county_bundle(t.db, bad / "other-county.gcb").path
    altered = bad / "altered.gcb"
    data = bytearray(fresh.read_bytes())
    data[-10] ^= 0xFF
    altered.write_bytes(bytes(data))
    report = merge_paths(county, [w, g, wrong, altered])
    codes = {b.file: b.code for b in report.bundles}
    assert codes == {"worker.gcb": "untrusted_signer", "grid.gcb": "untrusted_signer",
                     "other-county.gcb": "wrong_key", "altered.gcb": "altered"}, codes
    # each named for where it is merged instead (walk G, 10: "a county merges bundles from its townships only")
    problems = {b.file: b.problem for b in report.bundles}
    assert problems["worker.gcb"].startswith("this is a grid worker's bundle for the township")
    assert problems["grid.gcb"] == "this is the township's bundle for grid G01: merge it on that grid's laptop."
    assert record_dump(county) == before
    county.dispose()
    other.dispose()
    t.close()


def _three_townships(folder, county):
    """Three townships of demo data (a grid of 300 each), each with a first and a second bundle to the county."""
    import datetime as dt

    from storage.demo.build import generate

    bundles = []
    for n, code in enumerate(("330521101", "330521102", "330521103"), start=1):
        t = make_township(folder, code, folder / "county.pub", county)
        generate(t.db, seed=n, scale="grid", today=dt.date(2026, 11, 24))
        bundles.append(t.to_county(folder / "up"))
        t.worker("G77", f"新员{n}")
        edit_some(t, code)
        bundles.append(t.to_county(folder / "up"))
        t.close()
    return bundles


@pytest.mark.postgres
def test_three_townships_into_a_postgresql_county_in_any_order_give_the_sqlite_county_bytes(tmp_path, pg_url):
    from storage.core.db import open_database as open_db
    from storage.core.models import Identity
    from storage.core.private_keys import read_keys, write_keys
    from tests import pg

    on_server = make_county(pg_url, tmp_path / "county.pub")
    bundles = _three_townships(tmp_path, on_server)
    # the SQLite county holds the same keys (one county, two engines)
    on_file = make_county(tmp_path / "county.db", tmp_path / "unused.pub")
    with on_server.session() as s, on_file.write() as w:
        mine, theirs = s.get(Identity, 1), w.get(Identity, 1)
        for key in ("device_id", "county_age_recipient", "county_sign_public"):
            setattr(theirs, key, getattr(mine, key))
        for e in s.execute(select(Enrollment)).scalars():  # the townships' codes were made by the county
            w.add(Enrollment(**e.model_dump()))
    write_keys(on_file.local_path, read_keys(on_server.local_path))
    assert merge_paths(on_file, bundles).refused == []
    expected = record_dump(on_file)
    assert expected.count('"type":"resident"') > 900
    forward = merge_paths(on_server, bundles)
    assert forward.refused == [] and forward.missing == []
    assert record_dump(on_server) == expected
    # a second server county: backwards, each bundle twice, in two runs
    with pg.fresh_database() as other_url:
        other = open_db(other_url)
        with on_server.session() as s, other.write() as w:
            w.add(Identity(**s.get(Identity, 1).model_dump()))
            for e in s.execute(select(Enrollment)).scalars():
                w.add(Enrollment(**{**e.model_dump(), "used_by": None, "used_at": None}))
        write_keys(other.local_path, read_keys(on_server.local_path))
        backwards = list(reversed(bundles))
        merge_paths(other, backwards[:3] + bundles[:2])
        again = merge_paths(other, backwards + backwards)
        assert again.refused == [] and {b.status for b in again.bundles} == {"new", "already"}
        assert record_dump(other) == expected
        other.dispose()
    on_server.dispose()
    on_file.dispose()


def test_a_bundle_merged_a_chunk_at_a_time_is_still_all_or_nothing(tmp_path, db_target, monkeypatch):
    """A bad event line after some chunks were written rolls them all back; good bundles merge as one chunk would."""
    import storage.sync.merge as merge_module
    from storage.core.private_keys import private_keys
    from storage.sync.bundle_file import read_bundle, write_bundle

    monkeypatch.setattr(merge_module, "CHUNK_EVENTS", 3)  # many chunks out of a small bundle
    monkeypatch.setattr(merge_module, "RISK_BATCH", 2)  # risk levels refreshed part-way, and again when moved again
    county = make_county(db_target, tmp_path / "county.pub")
    t = busy_township(tmp_path, "330521101", tmp_path / "county.pub", n=4, county=county)
    good = t.to_county(tmp_path / "up")
    pub = read_county_key_file(tmp_path / "county.pub")
    manifest, events = read_bundle(good, [private_keys(county.local_path).county_age_secret], None)
    assert len(events) > 10
    # the same township's next bundle, signed and encrypted right, whose 8th event is malformed
    events[7] = {**events[7], "hlc": "not a clock"}
    bad_manifest = {k: manifest[k] for k in ("kind", "schema_version", "township_code", "township_name", "county_code",
                                              "grid_code", "device_id", "worker", "full", "age_recipient", "created_at",
                                                  "enroll_proof")}
    bad_manifest.update(seq=2, counts={}, sign_public=manifest["sign_public"])
    bad = write_bundle(tmp_path / "bad.gcb", bad_manifest, events, pub.age_recipient,
                       private_keys(t.db.local_path).device_sign_secret).path
    before = record_dump(county)
    written = []
    real_chunk = merge_module._apply_chunk
    monkeypatch.setattr(merge_module, "_apply_chunk", lambda s, chunk, cleaned, tally: (
        written.append(len(chunk)), real_chunk(s, chunk, cleaned, tally)))
    report = merge_paths(county, [bad])
    assert [(b.status, b.code) for b in report.bundles] == [("refused", "bad_event")]
    assert "record 8 " in report.bundles[0].message
    assert written == [3, 3]  # two chunks were written before the bad line was read: the savepoint undid them
    assert record_dump(county) == before
    assert merge_paths(county, [good]).refused == []
    assert record_dump(county) == record_dump(t.db)
    county.dispose()
    t.close()


def test_a_first_bundle_merged_a_chunk_at_a_time_tells_every_record_as_added(tmp_path, db_target, monkeypatch):
    """A record written in one chunk and edited in a later one of the same bundle was told as "updated" too
    (a first merge into an empty county said 更新：1,881): the clerk is told what the county had before."""
    import storage.sync.merge as merge_module

    monkeypatch.setattr(merge_module, "CHUNK_EVENTS", 3)
    county = make_county(db_target, tmp_path / "county.pub")
    t = busy_township(tmp_path, "330521101", tmp_path / "county.pub", n=4, county=county)
    edit_some(t, "甲")  # a resident created, then edited by the worker and by the clerk: later in the bundle
    report = merge_paths(county, [t.to_county(tmp_path / "up")]).bundles[0]
    with county.engine.connect() as conn:
        records = conn.exec_driver_sql(
            "SELECT count(*) FROM (SELECT DISTINCT record_type, record_id FROM event) AS touched").scalar_one()
    assert (report.added, report.updated) == (records, 0)
    from storage.register.residents import update_resident

    with t.db.engine.connect() as conn:
        known = conn.exec_driver_sql("SELECT id FROM resident ORDER BY id LIMIT 1").scalar_one()
    update_resident(t.db, known, {"address": "乙路2号"})
    again = merge_paths(county, [t.to_county(tmp_path / "up")]).bundles[0]
    assert (again.added, again.updated) == (0, 1)  # what the county had: an update
    county.dispose()
    t.close()


def test_a_risk_record_under_a_visits_derived_id_merges_alike_on_both_engines(tmp_path, db_target):
    """A hostile township bundle names a risk record "visit:<id>" beside that visit: no crash, the same state."""
    from storage.core.private_keys import private_keys
    from storage.sync.bundle_file import write_bundle

    county = make_county(db_target, tmp_path / "county.pub")
    t = make_township(tmp_path, "330521101", tmp_path / "county.pub", county)
    with t.db.session() as s:
        from storage.core.models import Identity

        ident = s.get(Identity, 1)
    stamp = 1_900_000_000_000 << 16
    events = [
        {"id": f"{ident.device_id}-{stamp}", "record_type": "visit", "record_id": "v1", "hlc": stamp,
         "device_id": ident.device_id,
         "fields": {"resident_id": "r1", "visit_date": "2026-11-20", "method": "home", "risk_after": "high"}},
        {"id": f"{ident.device_id}-{stamp + 1}", "record_type": "risk", "record_id": "visit:v1", "hlc": stamp + 1,
         "device_id": ident.device_id, "fields": {"resident_id": "r1", "level": "low", "assessed_on": "2026-11-21"}},
    ]
    manifest = {"kind": "to_county", "schema_version": 5, "township_code": "330521101", "county_code": "330521",
                "grid_code": None, "device_id": ident.device_id, "worker": "x", "seq": 1, "full": False,
                "age_recipient": ident.device_age_recipient, "created_at": "2026-11-24T00:00:00+00:00", "counts": {},
                "enroll_proof": ident.enroll_proof}
    path = write_bundle(tmp_path / "odd.gcb", manifest, events, read_county_key_file(tmp_path / "county.pub").age_recipient,
                        private_keys(t.db.local_path).device_sign_secret).path
    report = merge_paths(county, [path])
    assert [b.status for b in report.bundles] == ["new"]
    assert '"id":"visit:v1"' in record_dump(county)
    county.dispose()
    t.close()


# --- which townships a county merges from (storage/sync/county_trust.py) ----------------------
