"""Issue #19, item 3: a clock far in the future cannot stop any later write, walked on the real path.

A worker device forges bundles with the project's own writer (as one with the township's public key
could): a stamp of 2^63 - 1 and stamps at and past the horizon are refused at merge, the clock left as
it was; the last stamp below the horizon is accepted. Then, on the township and on the worker (through
the return bundle), every kind of write goes on: a resident edited (the far-stamped record too), a
roster imported, a visit saved, and what each side writes is accepted by the other's next merge.
Before: 2^63 - 1 merged with exit 0, the next roster import failed with OverflowError and, after one
return bundle, no worker could save a visit; a stamp of HORIZON - 1 made the reader's next stamp the
horizon itself, so everything it wrote after was refused everywhere.
"""

from __future__ import annotations

import datetime as dt

from sqlmodel import select

from storage.core import hlc
from storage.core.changes import writer
from storage.core.i18n import set_language
from storage.core.models import Event, Identity, Resident
from storage.register.residents import update_resident
from storage.register.visits import log_visit
from storage.roster.importer import import_roster
from storage.sync.export import export_bundle
from storage.sync.merge import merge_paths
from tests.roster_helpers import HEADER, good_rows, write_csv
from tests.sync_helpers import elder, make_township
from tests.test_export_merge import _device, _signed_by_worker

TODAY = dt.date(2026, 11, 24)
FIELDS = {"name": "王五", "categories": ["solitary_elder"], "birth_date": "1945-03-03", "grid_code": "330521101-G02",
          "township_code": "330521101", "status": "active"}


def _clock(db) -> int:
    with db.session() as s:
        return s.get(Identity, 1).last_hlc


def _forged(t, worker, device: str, stamp: int, path, record_id: str = "far"):
    ev = {"id": f"{device}-{stamp}", "record_type": "resident", "record_id": record_id, "hlc": stamp,
          "device_id": device, "fields": dict(FIELDS), "base_hlc": 0, "author": "李强"}
    return _signed_by_worker(t, worker, "李强", [ev], path)


def test_a_clock_far_in_the_future_stops_no_later_write(tmp_path):
    set_language("en")
    try:
        t = make_township(tmp_path)
        b = t.worker("李强", "G02")
        device = _device(b)
        before = _clock(t.db)
        for n, stamp in enumerate((2**63 - 1, hlc.HORIZON, hlc.HORIZON + (86_400_000 << 16)), start=1):
            outcome = merge_paths(t.db, [_forged(t, b, device, stamp, tmp_path / f"far-{n}.gcb")]).bundles[0]
            assert (outcome.status, outcome.code) == ("refused", "bad_event"), stamp
            assert "beyond the year 2100" in outcome.message
            assert _clock(t.db) == before
        # the last stamp below the horizon is a valid event: accepted, but it does not take the clock with it
        outcome = merge_paths(t.db, [_forged(t, b, device, hlc.HORIZON - 1, tmp_path / "edge.gcb")]).bundles[0]
        assert outcome.status == "new", outcome.message
        assert before <= _clock(t.db) < hlc.HORIZON - 2**40

        # the township writes on: the far-stamped record itself, a roster, a resident of its own
        update_resident(t.db, "far", {"phone": "13800000001"}, today=TODAY)
        with t.db.session() as s:
            far = s.get(Resident, "far")
            assert (far.name, far.phone) == ("王五", "13800000001")  # its own event folded with the far one
            stamps = s.exec(select(Event.hlc, Event.base_hlc).where(Event.device_id != device)).all()
        assert all(base < stamp < hlc.HORIZON for stamp, base in stamps)
        with t.db.write() as s:
            writer(s).write("grid", "330521101-G02", {"code": "G02", "name": "西村二网格", "township_code": "330521101"})
        rows = [[*row, "G02"] for row in good_rows()]
        roster = import_roster(t.db, write_csv(tmp_path / "r.csv", rows, header=[*HEADER, "所属网格"]), today=TODAY)
        assert roster.imported, roster.rows

        # the return bundle reaches the worker, whose writes go on and are accepted back at the township
        back = merge_paths(b, [export_bundle(t.db, tmp_path / "back", grid_code="G02").path]).bundles[0]
        assert back.status == "new", back.message
        assert _clock(b) < hlc.HORIZON - 2**40
        own = elder(b, "赵六")
        log_visit(b, own.id, {"visit_date": TODAY}, today=TODAY)
        log_visit(b, "far", {"visit_date": TODAY}, today=TODAY)
        roster = import_roster(b, write_csv(tmp_path / "w.csv", [["1", "孙七", "", "", "独居老人", "", ""]]), today=TODAY)
        assert roster.imported, roster.rows
        up = merge_paths(t.db, [export_bundle(b, tmp_path / "up").path]).bundles[0]
        assert up.status == "new", up.message
        with t.db.session() as s:
            assert s.get(Resident, own.id) is not None
        assert _clock(t.db) < hlc.HORIZON - 2**40
    finally:
        set_language("zh_CN")


def test_a_merged_stamp_moves_the_clock_at_most_to_the_ceiling():
    """The clock follows every honest stamp (below 2099) and stops at the ceiling for any stamp beyond it,
    leaving about 2 * 10^15 stamps before the horizon; a local clock set to 2150 writes below it too."""
    honest = hlc.pack(hlc.LOCAL_CEILING_MS - 1, 5)
    assert hlc.observe(0, honest) == honest
    assert hlc.observe(0, hlc.HORIZON - 1) == hlc.OBSERVE_CEILING
    assert hlc.observe(hlc.HORIZON - 2, hlc.HORIZON - 1) == hlc.HORIZON - 2  # never backwards
    stamp = hlc.tick(hlc.observe(0, hlc.HORIZON - 1), hlc.HORIZON_MS + 10**12)
    assert hlc.OBSERVE_CEILING < stamp < hlc.HORIZON - 2 * 10**15
