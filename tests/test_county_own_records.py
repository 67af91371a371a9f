"""A township's key speaks only for its own township's records at the county (storage/sync/county_authorise.py).

Bundles forged as a tampered township database would: its own key and the project's bundle writer, events
about another township's records. Each is refused whole, naming the other township, and changes nothing.
The county's database is a SQLite file and a PostgreSQL database in turn (the `db_target` fixture).
"""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import select
from sqlmodel import col

from storage.core.db import SCHEMA_VERSION
from storage.core.keys import read_county_key_file
from storage.core.models import Event, Identity
from storage.core.private_keys import private_keys
from storage.register.visits import log_visit
from storage.sync.bundle_file import write_bundle
from storage.sync.merge import merge_paths
from tests.county_helpers import TODAY, elder, make_county, make_township, record_dump

A, B = "330521101", "330521102"
WORKER_DEVICE = "0123456789abcdef"  # a worker device the county has never heard of
_seq = itertools.count(2)
_stamp = itertools.count(1_900_000_000_000 << 16, 1 << 16)


@pytest.fixture
def world(tmp_path, db_target):
    """A county holding townships A and B, each with a resident and a visit of that resident."""
    county = make_county(db_target, tmp_path / "county.pub")
    sites = {}
    for code, name in ((A, "甲镇人"), (B, "乙镇人")):
        (tmp_path / code).mkdir()
        t = make_township(tmp_path / code, code, tmp_path / "county.pub", county)
        person = elder(t.db, name)
        visit = log_visit(t.db, person.id, {"notes": "好"}, today=TODAY)
        sites[code] = (t, person.id, visit.id)
    assert merge_paths(county, [sites[c][0].to_county(tmp_path / "up") for c in (A, B)]).refused == []
    yield county, sites, tmp_path
    county.dispose()
    for t, *_ in sites.values():
        t.close()


def _forge(tmp_path, t, events: list[tuple[str, str, dict]], device: str | None = None):
    """A bundle to the county signed with township `t`'s own key, carrying `events` (type, id, fields)
    written by `device` (the township's own database by default)."""
    with t.db.session() as s:
        me = s.get(Identity, 1)
    device = device or me.device_id
    out = []
    for rtype, rid, fields in events:
        stamp = next(_stamp)
        out.append({"id": f"{device}-{stamp}", "record_type": rtype, "record_id": rid, "fields": fields, "hlc": stamp,
                    "device_id": device, "base_hlc": stamp - 1, "author": me.worker_name})
    seq = next(_seq)
    manifest = {"kind": "to_county", "schema_version": SCHEMA_VERSION,
                "township_code": me.township_code, "county_code": "330521", "grid_code": None,
                "device_id": me.device_id, "worker": me.worker_name, "seq": seq, "full": False,
                "age_recipient": me.device_age_recipient, "created_at": "2026-11-24T00:00:00+00:00", "counts": {},
                "enroll_proof": me.enroll_proof}
    return write_bundle(tmp_path / f"forged-{seq}.gcb", manifest, out,
                        read_county_key_file(tmp_path / "county.pub").age_recipient,
                        private_keys(t.db.local_path).device_sign_secret).path


def _visit_fields(t, visit_id: str) -> dict:
    with t.db.session() as s:
        return dict(s.execute(select(col(Event.fields)).where(col(Event.record_type) == "visit", col(Event.record_id) == visit_id)
                              ).scalars().first())


def _refused(county, path, other: str = B):
    before = record_dump(county)
    [outcome] = merge_paths(county, [path]).bundles
    assert (outcome.status, outcome.code) == ("refused", "not_allowed"), outcome
    assert f"township {other}" in outcome.message and "a township sends only its own records" in outcome.message
    assert record_dump(county) == before
    return outcome


def test_a_township_edits_its_own_records_through_a_forged_bundle_as_a_control(world):
    """The forging itself is sound: the same bundle about the township's own resident merges."""
    county, sites, tmp = world
    a, a_resident, _visit = sites[A]
    report = merge_paths(county, [_forge(tmp, a, [("resident", a_resident, {"name": "甲镇人改"})])])
    assert report.refused == [] and report.updated == 1
    assert "甲镇人改" in record_dump(county)


@pytest.mark.parametrize("device", [None, WORKER_DEVICE], ids=["township-device", "made-up-worker-device"])
def test_an_edit_of_another_townships_resident_is_refused_whole(world, device):
    county, sites, tmp = world
    a, a_resident, _visit = sites[A]
    b_resident = sites[B][1]
    path = _forge(tmp, a, [("resident", a_resident, {"phone": "13800000000"}),  # its own: fine
                           ("resident", b_resident, {"name": "被篡改"})], device=device)
    outcome = _refused(county, path)
    assert f"resident {b_resident}" in outcome.message and "(镇102)" in outcome.message
    assert "被篡改" not in record_dump(county) and "13800000000" not in record_dump(county)


def _new_visit_of_b(sites):  # a new visit of B's resident, even filed under A's grid
    b, b_resident, b_visit = sites[B]
    return [("visit", "f0f0f0f0f0f0f0f0", {**_visit_fields(b, b_visit), "resident_id": b_resident,
                                            "grid_code": f"{A}-G01"})]


# what each hostile bundle from township A carries: (record type, id, fields), given the world's sites
HOSTILE = {
    "new visit of B's resident": _new_visit_of_b,
    "B's visit edited": lambda sites: [("visit", sites[B][2], {"notes": "改"})],
    "B's visit taken over for A's resident": lambda sites: [("visit", sites[B][2], {"resident_id": sites[A][1]})],
    "risk record of B's resident": lambda sites: [("risk", "e0e0e0e0e0e0e0e0", {
        "resident_id": sites[B][1], "level": "low", "assessed_on": "2026-11-24"})],
    "benefit of B's resident": lambda sites: [("benefit", "e1e1e1e1e1e1e1e1", {
        "resident_id": sites[B][1], "kind": "dibao", "start_on": "2026-01-01"})],
    "B's emergency acknowledged": lambda sites: [("emergency_ack", f"visit:{sites[B][2]}", {
        "resident_id": sites[B][1], "acknowledged_at": "2026-11-24T01:00:00Z", "acknowledged_by": "甲"})],
    "new resident claiming B": lambda sites: [("resident", "d0d0d0d0d0d0d0d0", {
        "name": "越界人", "categories": ["solitary_elder"], "birth_date": "1945-03-03", "township_code": B,
        "grid_code": f"{A}-G01"})],
    "A's resident moved to B's grid": lambda sites: [("resident", sites[A][1], {"grid_code": f"{B}-G01"})],
    "A's resident moved to B's village": lambda sites: [("resident", sites[A][1], {"village_code": f"{B}201"})],
    "A's resident merged into B's": lambda sites: [("resident", sites[A][1], {"merged_into": sites[B][1]})],
    "B's grid renamed": lambda sites: [("grid", f"{B}-G01", {"name": "花园村第一网格"})],
    "A's grid in B's village": lambda sites: [("grid", f"{A}-G09", {"code": "G09", "name": "新", "township_code": A,
                                                                     "village_code": f"{B}201"})],
    "B's village renamed": lambda sites: [("village", f"{B}201", {"name": "花园村"})],
    "B's uncoded village": lambda sites: [("village", f"{B}-花园村", {"name": "花园村"})],
    "B renamed": lambda sites: [("township", B, {"name": "花园镇"})],
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_record_of_another_township_is_refused(world, case):
    county, sites, tmp = world
    _refused(county, _forge(tmp, sites[A][0], HOSTILE[case](sites)))
