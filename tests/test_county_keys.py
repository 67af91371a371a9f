"""Who may send what to a county: its key, the townships it enrolls, what it keeps to itself.

The county's database is a SQLite file and a PostgreSQL database in turn (the `db_target` fixture).
"""

from __future__ import annotations

import pytest

from storage.core.errors import UserError
from storage.core.identity import set_county_key
from storage.core.keys import read_county_key_file, read_public_key_file
from storage.sync.county_export import export_county_bundle
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
    with pytest.raises(UserError, match="A county database does not export"):  # it sends nothing, to anyone
        export_county_bundle(county, tmp_path)
    t = busy_township(tmp_path, "330521101", tmp_path / "county.pub", county=county)
    with pytest.raises(UserError, match="Only a township"):
        export_county_bundle(t.workers["G01"], tmp_path)
    county.dispose()
    t.close()


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
    report = merge_paths(county, [a.to_county(tmp_path / "a-up")])
    assert [b.status for b in report.bundles] == ["new"]
    # the merge names the township it enrolled, not a "device" with a clerk's name (seen in a walk at a county;
    # tests run in English: tests/conftest.py), by its name as the county knows it (walk G, 11: only its code)
    from tui.texts import describe_totals

    assert [line for line in describe_totals(report) if "enrolled with its code" in line][0].startswith(
        "Township 镇101 330521101 (")
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


def test_a_township_code_is_taken_as_typed(tmp_path):
    """The county's `enroll --township "330521 101"` said a township code has 9 digits (walked on the command line);
    the township's own set-up takes spaces and full-width digits."""
    from storage.sync.county_trust import enroll_township
    from storage.sync.devices import enrollments, withdraw_codes

    county = make_county(tmp_path / "county.db", tmp_path / "county.pub")
    assert enroll_township(county, "330521 101")[1].grid_code == "330521101"
    assert enroll_township(county, "３３０５２１１０２")[1].grid_code == "330521102"
    assert [v.grid_code for v in withdraw_codes(county, " 330521 101")] == ["330521101"]
    assert [v.grid_code for v in enrollments(county)] == ["330521102"]
    county.dispose()


def test_another_key_for_the_county_is_refused_unless_replace_is_asked(tmp_path):
    """A hostile county key file (the county's code, another key) was swapped in without a word: the township's
    next bundle, its register of children with it, went encrypted to whoever made the file."""
    from storage.core.identity import CountyKeyChanged
    from storage.core.keys import fingerprint

    county = make_county(tmp_path / "county.db", tmp_path / "county.pub")
    other = make_county(tmp_path / "other.db", tmp_path / "forged.pub")  # the same county code, another key
    t = make_township(tmp_path, "330521101", tmp_path / "county.pub")
    ours = read_county_key_file(tmp_path / "county.pub")
    forged = read_county_key_file(tmp_path / "forged.pub")
    with pytest.raises(CountyKeyChanged) as refused:
        set_county_key(t.db, tmp_path / "forged.pub")
    assert fingerprint(ours.sign_public) in str(refused.value) and fingerprint(forged.sign_public) in str(refused.value)
    with t.db.session() as s:
        from storage.core.models import Identity

        assert s.get(Identity, 1).county_age_recipient == ours.age_recipient
    assert set_county_key(t.db, tmp_path / "county.pub").county_age_recipient == ours.age_recipient  # the same again
    ident = set_county_key(t.db, tmp_path / "forged.pub", replace=True)  # the county set up again: asked for
    assert (ident.county_age_recipient, ident.county_sign_public) == (forged.age_recipient, forged.sign_public)
    county.dispose()
    other.dispose()
