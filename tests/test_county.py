"""The county level: townships send their merged events up; the county folds them by the same laws.

The county's database is a SQLite file and a PostgreSQL database in turn (the `db_target` fixture).
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from storage.core.errors import UserError
from storage.core.identity import set_county_key
from storage.core.keys import read_county_key_file, read_public_key_file
from storage.core.models import CountyExport, Enrollment, Event
from storage.sync.county_export import export_county_bundle
from storage.sync.export import export_bundle
from storage.sync.merge import merge_paths
from tests.county_helpers import (
    COUNTY,
    busy_township,
    edit_some,
    elder,
    make_county,
    make_township,
    record_dump,
)


def test_a_county_writes_its_key_and_a_township_learns_it(tmp_path):
    county = make_county(tmp_path / "county.db", tmp_path / "county.pub")
    pub = read_county_key_file(tmp_path / "county.pub")
    assert (pub.county_code, pub.county_name) == COUNTY
    t = make_township(tmp_path, "330521101", None)
    with pytest.raises(UserError, match="no county key"):
        export_county_bundle(t.db, tmp_path)
    ident = set_county_key(t.db, tmp_path / "county.pub")
    assert ident.county_code == "330521" and ident.county_age_recipient == pub.age_recipient
    county.dispose()


def test_a_key_of_another_county_or_a_township_key_is_refused(tmp_path):
    other = make_county(tmp_path / "other.db", tmp_path / "other.pub")
    text = (tmp_path / "other.pub").read_text(encoding="utf-8").replace("county: 330521", "county: 330127")
    (tmp_path / "elsewhere.pub").write_text(text, encoding="utf-8")
    t = make_township(tmp_path, "330521101", None)
    with pytest.raises(UserError, match="county 330127, but township 330521101 belongs to county 330521"):
        set_county_key(t.db, tmp_path / "elsewhere.pub")
    with pytest.raises(UserError, match="not a gridcare county public key"):
        set_county_key(t.db, t.key)  # the township's own key file
    with pytest.raises(UserError, match="not a gridcare township public key"):
        read_public_key_file(tmp_path / "other.pub")
    (tmp_path / "x").mkdir()
    with pytest.raises(UserError, match="county 330127, but"):
        make_township(tmp_path / "x", "330521102", tmp_path / "elsewhere.pub")
    other.dispose()


def test_only_a_township_exports_to_a_county(tmp_path):
    county = make_county(tmp_path / "county.db", tmp_path / "county.pub")
    with pytest.raises(UserError, match="Only a township"):
        export_county_bundle(county, tmp_path)
    t = busy_township(tmp_path, "330521101", tmp_path / "county.pub", county=county)
    with pytest.raises(UserError, match="Only a township"):
        export_county_bundle(t.workers["G01"], tmp_path)
    county.dispose()
    t.close()


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
    set_county_key(t.db, tmp_path / "other.pub")
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


def test_the_county_private_keys_stay_on_this_machine_never_in_the_database(tmp_path, db_target):
    from sqlalchemy import text

    from storage.core.paths import keys_file
    from storage.core.private_keys import read_keys

    county = make_county(db_target, tmp_path / "county.pub")
    keys = read_keys(county.local_path)
    assert keys.county_age_secret.startswith("AGE-SECRET-KEY-1") and keys.county_sign_secret and keys.device_sign_secret
    assert keys_file(county.local_path).exists()
    if not county.is_sqlite:  # a server database's keys are in the user data folder
        from storage.core.paths import data_dir

        assert keys_file(county.local_path).parent == data_dir() / "servers"
    with county.engine.connect() as conn:
        stored = " ".join(str(v) for row in conn.execute(text("SELECT * FROM identity")) for v in row)
    assert keys.county_age_secret not in stored and keys.county_sign_secret not in stored
    county.dispose()


def test_a_bundle_merged_a_chunk_at_a_time_is_still_all_or_nothing(tmp_path, db_target, monkeypatch):
    """A bad event line after some chunks were written rolls them all back; good bundles merge as one chunk would."""
    import storage.sync.merge as merge_module
    from storage.core.keys import read_county_key_file
    from storage.core.private_keys import private_keys
    from storage.sync.bundle_file import read_bundle, write_bundle

    monkeypatch.setattr(merge_module, "CHUNK_EVENTS", 3)  # many chunks out of a small bundle
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


def _followup(report, code: str) -> tuple:
    """What the follow-up and benefit sheets say of township `code`'s residents, comparable across databases."""
    f, w = report.followup, report.watch
    ids = {p.id for p in report.people if p.township_code == code} if report.groupings[0] == "township" else {
        p.id for p in report.people}
    return (sorted((x.person.id, x.assessed_on, [(c.dimension, c.before, c.after) for c in x.changes])
                   for x in f.worsened if x.person.id in ids),
            [(r.key, r.key_persons, r.assessed, r.moderate, r.severe) for r in f.assessment_rows
             if (r.key or "").startswith(code)],
            sorted((r.resident_id, r.benefit, r.start_on, r.end_on) for r in (*w.unclaimed, *w.ending, *w.unpaired)
                   if r.resident_id in ids),
            sorted((e.person.id, e.key, e.found_on, e.mandatory, e.emergency_level, e.acknowledged_at,
                    e.next_visit_on) for e in f.emergencies if e.person.id in ids))


def test_the_county_report_is_each_township_report_side_by_side(tmp_path, db_target):
    """Per township (and per village below it) the county's month is exactly what each township reports."""
    import datetime as dt

    from storage.demo.build import generate
    from storage.reports.monthly import monthly_report

    day = dt.date(2026, 11, 24)
    from storage.register.policy_set import changed_policy, current_policy, set_policy
    from storage.reports.monthly import add_trend

    county = make_county(db_target, tmp_path / "county.pub")
    own, t_dbs = {}, {}
    for n, code in enumerate(("330521101", "330521102", "330521103"), start=1):
        t = make_township(tmp_path, code, tmp_path / "county.pub", county)
        generate(t.db, seed=n, scale="grid", today=day)
        if n == 1:  # a township of its own mind: phone calls count even unanswered, low risk due every 10 days
            mine = changed_policy(current_policy(t.db), counts={"phone": "always", "video": "always"},
                                  every={"low": 10, "medium": 14})
            set_policy(t.db, mine, today=day)
        elif n == 2:  # another township changed it once and then set the defaults' rules back
            set_policy(t.db, changed_policy(current_policy(t.db), counts={"phone": "always"}), today=day)
            set_policy(t.db, changed_policy(current_policy(t.db), defaults=True), today=day)
        assert merge_paths(county, [t.to_county(tmp_path / "up")]).refused == []
        own[code] = monthly_report(t.db, 2026, 11, today=day)
        t_dbs[code] = t.db
    report = monthly_report(county, 2026, 11, today=day, with_trend=True)
    assert set(report.township_policies) == {"330521101", "330521102"}
    assert report.township_policies["330521101"].counts["phone"] == "always" and report.policy.is_default
    assert report.groupings == ("township", "village", "grid", "category")
    assert (report.township_code, report.township_name) == COUNTY
    figures = ("key_persons", "visited", "overdue", "emergency_high", "open_referrals", "aged_out")
    by_township = {r.key: r for r in report.rows["township"]}
    assert set(by_township) == set(own)
    for code, township in own.items():
        assert [getattr(by_township[code], f) for f in figures] == [getattr(township.totals, f) for f in figures]
        assert by_township[code].label == township.township_name
        villages = [r for r in report.rows["village"] if r.key.startswith(code)]
        assert [(r.key, *(getattr(r, f) for f in figures)) for r in villages] == [
            (r.key, *(getattr(r, f) for f in figures)) for r in township.rows["village"]]
        assert all(r.label.startswith(township.township_name) for r in villages)
        behind = report.behind("township", code, "key_persons")
        assert sorted(p.id for p in behind) == sorted(p.id for p in township.people)
        # the records plans added travel too: the follow-up and benefit sheets are the township's own
        assert _followup(report, code) == _followup(township, code)
        trend = add_trend(t_dbs[code], township)
        assert [(r.key, r.key_persons, r.visited) for r in report.trend.rows if r.key.startswith(code)] == [
            (r.key, r.key_persons, r.visited) for r in trend.rows]
    sheets = [_followup(t, code) for code, t in own.items()]
    assert all(sum(r[2] for r in s[1]) > 0 and s[2] and s[3] for s in sheets)  # assessed, benefit lists, emergencies
    assert report.totals.key_persons == sum(t.totals.key_persons for t in own.values()) > 500
    assert report.trend.total.visited == [sum(x) for x in zip(*(r.visited for r in report.trend.rows), strict=True)]
    assert own["330521101"].totals.visited != own["330521102"].totals.visited  # the policies made a difference
    county.dispose()
    for db in t_dbs.values():
        db.dispose()


def test_the_county_home_shows_each_township_its_last_bundle_and_what_is_missing(tmp_path, db_target):
    import datetime as dt

    from storage.reports.county_home import county_home
    from storage.reports.monthly import monthly_report

    county = make_county(db_target, tmp_path / "county.pub")
    a = busy_township(tmp_path, "330521101", tmp_path / "county.pub", n=3, county=county)
    b = busy_township(tmp_path, "330521102", tmp_path / "county.pub", n=2, county=county)
    first = a.to_county(tmp_path / "up")
    edit_some(a, "甲")
    a.to_county(tmp_path / "lost")  # bundle 2 of township 101 never arrives
    edit_some(a, "乙")
    third = a.to_county(tmp_path / "up")
    merge_paths(county, [first, third, b.to_county(tmp_path / "up")])
    day = dt.date(2026, 11, 24)
    home = county_home(county, day)
    report = monthly_report(county, 2026, 11, today=day)
    assert (home.county_code, home.county_name, home.month_text) == (*COUNTY, "2026-11")
    assert [g.code for g in home.townships] == ["330521101", "330521102"]
    one, two = home.townships
    assert (one.name, one.last_seq, one.missing, two.last_seq, two.missing) == ("镇101", 3, [2], 1, [])
    assert one.last_bundle is not None
    assert home.totals.key_persons == report.totals.key_persons == one.key_persons + two.key_persons
    assert (one.visited, one.emergency_high) == next((r.visited, r.emergency_high) for r in report.rows["township"]
                                                     if r.key == "330521101")
    assert [p.id for p in home.emergencies] == [p.id for p in report.people if p.risk_level == "emergency"]
    county.dispose()
    a.close()
    b.close()


def test_a_risk_record_under_a_visits_derived_id_merges_alike_on_both_engines(tmp_path, db_target):
    """A hostile township bundle names a risk record "visit:<id>" beside that visit: no crash, the same state."""
    from storage.core.keys import read_county_key_file
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
         "device_id": ident.device_id, "fields": {"resident_id": "r1", "visit_date": "2026-11-20", "risk_after": "high"}},
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


def test_a_township_the_county_has_not_enrolled_waits_until_approved(tmp_path, db_target):
    from storage.sync.county_trust import approve_township
    from storage.sync.devices import list_devices, revoke

    county = make_county(db_target, tmp_path / "county.pub")
    t = busy_township(tmp_path, "330521101", tmp_path / "county.pub")  # the county's key, but no code
    first = t.to_county(tmp_path / "up")
    report = merge_paths(county, [first])
    [waiting] = report.bundles
    assert waiting.status == "waiting" and waiting.code == "no_code" and "--township 330521101" in waiting.message
    assert record_dump(county).count('"type":"resident"') == 0
    [view] = list_devices(county)
    assert (view.status, view.grid_code) == ("waiting", "330521101")
    with pytest.raises(UserError, match="speaks for township 330521101, not 330521102"):
        approve_township(county, view.device_id, "330521102")
    approved, files = approve_township(county, view.fingerprint, "330521101")
    assert files == [first] and approved.status == "approved"
    assert merge_paths(county, files).refused == []
    assert record_dump(county) == record_dump(t.db)
    # a stolen laptop: the county revokes the key, and its bundles are refused from then on
    revoke(county, view.device_id)
    edit_some(t, "甲")
    later = merge_paths(county, [t.to_county(tmp_path / "up")])
    assert [b.code for b in later.bundles] == ["revoked"]
    county.dispose()
    t.close()


def test_a_code_enrolls_one_township_key_once_and_only_for_its_township(tmp_path, db_target):
    from storage.core.db import open_database
    from storage.core.identity import init_township
    from storage.core.models import Identity
    from storage.sync.county_trust import enroll_township

    county = make_county(db_target, tmp_path / "county.pub")
    code, _view = enroll_township(county, "330521101", "新市镇")
    # the code's proof is bound to its township: another township with the same code is not enrolled
    (tmp_path / "b").mkdir()
    other = make_township(tmp_path / "b", "330521102", tmp_path / "county.pub")
    set_county_key(other.db, tmp_path / "county.pub", code)
    elder(other.db, "乙镇人")
    assert [b.code for b in merge_paths(county, [other.to_county(tmp_path / "b-up")]).bundles] == ["bad_code"]
    # the right township enrolls with it...
    (tmp_path / "a").mkdir()
    a = make_township(tmp_path / "a", "330521101", tmp_path / "county.pub")
    set_county_key(a.db, tmp_path / "county.pub", code)
    elder(a.db, "甲镇人")
    assert [b.status for b in merge_paths(county, [a.to_county(tmp_path / "a-up")]).bundles] == ["new"]
    # ...once: a second database of that township given the same code waits (a copied code enrolls nothing)
    (tmp_path / "c").mkdir()
    copy = make_township(tmp_path / "c", "330521101", tmp_path / "county.pub")
    set_county_key(copy.db, tmp_path / "county.pub", code)
    elder(copy.db, "冒名人")
    assert [b.code for b in merge_paths(county, [copy.to_county(tmp_path / "c-up")]).bundles] == ["code_used"]
    # an enrolled key speaking for another township is refused, whatever the bundle says
    with a.db.write() as s:
        ident = s.get(Identity, 1)
        ident.township_code = "330521102"
        s.add(ident)
    elder(a.db, "越界人")
    forged = merge_paths(county, [a.to_county(tmp_path / "forged")])
    assert [b.code for b in forged.bundles] == ["untrusted_signer"] and "enrolled for township 330521101" in \
        forged.bundles[0].message
    assert "冒名人" not in record_dump(county) and "乙镇人" not in record_dump(county)
    assert "越界人" not in record_dump(county) and "甲镇人" in record_dump(county)
    with pytest.raises(UserError, match="not in county 330521"):
        enroll_township(county, "330127001")
    with pytest.raises(UserError, match="Only a county"):
        enroll_township(a.db, "330521101")
    with pytest.raises(UserError, match="needs the county's key file"):
        init_township(open_database(tmp_path / "d.db"), "330521103", "丙镇", None, None, enroll_code=code)
    county.dispose()
    for site in (a, other, copy):
        site.close()


def test_a_township_given_the_code_after_sending_has_its_waiting_bundles_merged_with_the_next(tmp_path, db_target):
    county = make_county(db_target, tmp_path / "county.pub")
    t = busy_township(tmp_path, "330521101", tmp_path / "county.pub")
    first = t.to_county(tmp_path / "up")
    assert [b.status for b in merge_paths(county, [first]).bundles] == ["waiting"]
    from storage.sync.county_trust import enroll_township

    set_county_key(t.db, tmp_path / "county.pub", enroll_township(county, "330521101")[0])
    edit_some(t, "甲")
    second = t.to_county(tmp_path / "up")
    report = merge_paths(county, [second])
    assert sorted((b.seq, b.status) for b in report.bundles) == [(1, "new"), (2, "new")] and report.missing == []
    assert record_dump(county) == record_dump(t.db)
    county.dispose()
    t.close()


def test_a_township_cannot_pass_off_events_as_another_townships(tmp_path, db_target):
    """Another township's policy (or any record) written under its database's device: refused whole."""
    from storage.core.keys import read_county_key_file
    from storage.core.models import Identity
    from storage.core.private_keys import private_keys
    from storage.sync.bundle_file import write_bundle

    county = make_county(db_target, tmp_path / "county.pub")
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a = make_township(tmp_path / "a", "330521101", tmp_path / "county.pub", county)
    b = make_township(tmp_path / "b", "330521102", tmp_path / "county.pub", county)
    elder(a.db, "甲镇人")
    elder(b.db, "乙镇人")
    assert merge_paths(county, [a.to_county(tmp_path / "up"), b.to_county(tmp_path / "up")]).refused == []
    with a.db.session() as s:
        mine = s.get(Identity, 1)
    with b.db.session() as s:
        theirs = s.get(Identity, 1).device_id
    stamp = 1_900_000_000_000 << 16
    forged = {"id": f"{theirs}-{stamp}", "record_type": "setting", "record_id": "policy.visit", "hlc": stamp,
              "device_id": theirs, "author": "乙镇民政助理员",
              "fields": {"value": {"version": 1, "counts": {"phone": "always"}}}}
    manifest = {"kind": "to_county", "schema_version": 8, "township_code": "330521101", "county_code": "330521",
                "grid_code": None, "device_id": mine.device_id, "worker": mine.worker_name, "seq": 2, "full": False,
                "age_recipient": mine.device_age_recipient, "created_at": "2026-11-24T00:00:00+00:00", "counts": {},
                "enroll_proof": mine.enroll_proof}
    path = write_bundle(tmp_path / "forged.gcb", manifest, [forged], read_county_key_file(tmp_path / "county.pub").age_recipient,
                        private_keys(a.db.local_path).device_sign_secret).path
    before = record_dump(county)
    report = merge_paths(county, [path])
    assert [b.code for b in report.bundles] == ["not_allowed"] and "another township's database" in report.bundles[0].message
    assert record_dump(county) == before
    county.dispose()
    a.close()
    b.close()


def test_the_register_searches_alike_on_a_county_of_either_engine(tmp_path, db_target):
    """The county's register (a PostgreSQL county included): the township's own search, page for page."""
    import datetime as dt

    from storage.demo.build import generate
    from storage.register.search import (
        ResidentFilter,
        count_residents,
        search_residents,
    )

    day = dt.date(2026, 11, 24)
    county = make_county(db_target, tmp_path / "county.pub")
    t = make_township(tmp_path, "330521101", tmp_path / "county.pub", county)
    generate(t.db, seed=3, scale="grid", today=day)
    assert merge_paths(county, [t.to_county(tmp_path / "up")]).refused == []
    with t.db.session() as s:
        names = [r.name for r in search_residents(s, "", limit=400, today=day)]
        phone = next(r.phone for r in search_residents(s, "", limit=50, today=day) if r.phone)
        some_id = next(r.id for r in search_residents(s, "", limit=50, today=day))
    from storage.core.models import Resident

    with t.db.session() as s:
        id_number = s.get(Resident, some_id).id_number
    queries = ["", names[0][:1], names[7][:2], names[11][1:], "zh", "w", id_number[-4:], id_number[-6:], phone[:5],
               phone[-4:], "a-bu", "12"]
    filters = [ResidentFilter(), ResidentFilter(category="solitary_elder"), ResidentFilter(risk="high"),
               ResidentFilter(due="overdue"), ResidentFilter(due="due_week"), ResidentFilter(due="visited_month"),
               ResidentFilter(due="not_visited_month"), ResidentFilter(category="advanced_age", status=None)]

    def pages(db):
        out = []
        with db.session() as s:
            for q in queries:
                for f in filters:
                    first = search_residents(s, q, filters=f, limit=30, today=day)
                    second = search_residents(s, q, filters=f, limit=30, offset=30, today=day)
                    out.append((q, f, count_residents(s, q, filters=f, today=day),
                                [(r.id, r.masked_id, r.age, r.categories, r.risk_level, r.last_visit, r.due_on)
                                 for r in first + second]))
        return out

    expected, found = pages(t.db), pages(county)
    assert sum(n for _q, _f, n, _rows in expected) > 500 and sum(1 for _q, _f, n, _r in expected if n) > 30
    assert all(any(n for _q, f, n, _r in expected if f == wanted) for wanted in filters)
    assert found == expected
    county.dispose()
    t.close()
