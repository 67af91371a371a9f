"""Issue #12, one test per defect seen in the field (storage and CLI; the app's own are in
test_field_blockers_app.py). Each failed on the code before the fix; the note says how."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import shutil
import subprocess

import pytest
from sqlmodel import select

from storage.core.china_day import china_today
from storage.core.db import open_database
from storage.core.models import Referral, Resident, Visit
from storage.register.residents import register_resident, update_resident
from storage.sync.dump import dump_lines
from storage.sync.export import export_bundle
from storage.sync.merge import merge_paths
from tests.sync_helpers import elder, make_township

TODAY = dt.date(2026, 11, 24)
# what the new-resident form hands to storage for an elder given only a name, an ID number and a category
FORM_ELDER = {"name": "测试老人", "id_number": "11010519491231002X", "birth_date": "", "phone": "", "address": "",
              "guardian_name": "", "guardian_phone": "", "guardian_relation": "", "father_name": "", "mother_name": "",
              "disability_card": "", "visit_frequency_days": "", "sex": None, "child_subtype": None,
              "father_status": None, "mother_status": None, "categories": ["solitary_elder"], "flags": [], "notes": ""}


def _form_values(**changes):
    # the form of the release before the fix turned these blanks into None itself
    values = {**FORM_ELDER, **changes}
    for name in ("birth_date", "id_number", "disability_card", "visit_frequency_days"):
        values[name] = values[name] or None
    return values


def _township_dump(db, types=("resident", "visit", "referral", "risk")):
    # (by the parsed type: a dump line's keys are sorted, "type" is not first, and a filter on the line's
    # start kept nothing, so both sides of a comparison were [] and the comparison could not fail)
    return [line for line in dump_lines(db) if json.loads(line)["type"] in types]


# 1 -----------------------------------------------------------------------------------------------
def test_a_resident_registered_on_the_form_merges_into_the_township(tmp_path):
    """Before: the merge's INSERT OR REPLACE failed with NOT NULL on resident.father_status (exit 70)."""
    t = make_township(tmp_path)
    worker = t.worker("王芳", "G01")
    r = register_resident(worker, _form_values(), today=TODAY)
    report = merge_paths(t.db, [export_bundle(worker, tmp_path / "1.gcb").path])
    assert report.refused == []
    with t.db.session() as s:
        merged = s.get(Resident, r.id)
        assert (merged.name, merged.father_status, merged.sex, merged.birth_date) == (
            "测试老人", "", "F", dt.date(1949, 12, 31))
    assert _township_dump(t.db, ("resident",)) == _township_dump(worker, ("resident",)) != []


def test_a_bundle_written_by_the_release_before_the_fix_merges(tmp_path):
    """tests/fixtures/legacy_nulls: made by the app itself (make.py); the release's own merge refused it with exit 70."""
    from pathlib import Path

    fixture = Path(__file__).parent / "fixtures" / "legacy_nulls"
    shutil.copy(fixture / "town.db", tmp_path / "town.db")
    town = open_database(tmp_path / "town.db")
    bundle = next((fixture / "bundles").glob("*.gcb"))
    # that township never enrolled the device (issue #19): its bundle waits until the clerk approves it
    waiting = merge_paths(town, [bundle]).bundles[0]
    assert waiting.status == "waiting"
    from storage.sync.devices import approve

    _view, files = approve(town, waiting.device_id, waiting.grid)
    report = merge_paths(town, files)
    assert [b.status for b in report.bundles] == ["new"] and report.added == 6
    types = ("resident", "visit", "referral", "risk")
    legacy = {(d["type"], d["id"]): d for d in map(json.loads, (fixture / "worker.jsonl").read_text(
        encoding="utf-8").splitlines()) if d["type"] in types}
    merged = {(d["type"], d["id"]): d for d in map(json.loads, _township_dump(town, types))}
    assert merged.keys() == legacy.keys() and len(legacy) == 6
    for key, old in legacy.items():  # every value the old release wrote; the fields added since, at their defaults
        assert {f: merged[key][f] for f in old} == old
    assert merge_paths(town, [bundle]).bundles[0].status == "already"


# 2 -----------------------------------------------------------------------------------------------
def test_editing_a_resident_whose_parents_status_is_blank_saves(tmp_path):
    """Before: UPDATE resident SET phone=?, father_status=?, mother_status=? failed with NOT NULL."""
    t = make_township(tmp_path)
    worker = t.worker("王芳", "G01")
    r = elder(worker, "王桂英")  # as the roster and the demo register: parents' status ""
    saved = update_resident(worker, r.id, _form_values(name="王桂英", id_number="", phone="13800001234",
                                                       birth_date="1945-03-03"), today=TODAY)
    assert (saved.phone, saved.father_status, saved.mother_status) == ("13800001234", "", "")
    with worker.session() as s:  # only the phone changed: no event for a blank that was already blank
        from storage.core.models import Event

        edits = s.exec(select(Event).where(Event.record_id == r.id)).all()
    assert sorted(edits[-1].fields) == ["phone"]
    assert merge_paths(t.db, [export_bundle(worker, tmp_path / "1.gcb").path]).refused == []


# 3 -----------------------------------------------------------------------------------------------
def test_a_visit_and_its_referral_are_one_transaction(tmp_path):
    """Before: the visit was saved, then the referral refused; saving again made a second visit."""
    from storage.core.errors import ValidationErrors
    from storage.register.visits import log_visit

    t = make_township(tmp_path)
    worker = t.worker("王芳", "G01")
    r = elder(worker, "王桂英")
    with pytest.raises(ValidationErrors) as refused:
        log_visit(worker, r.id, {"met_with": "本人", "risk_after": "high"}, referral=("minzheng", "太长" * 501),
                  today=TODAY)
    assert "referral_reason" in refused.value.by_field()
    with worker.session() as s:
        assert s.exec(select(Visit)).all() == [] and s.exec(select(Referral)).all() == []
        assert s.get(Resident, r.id).risk_level == "low"  # nor the risk the visit re-assessed
    visit = log_visit(worker, r.id, {"met_with": "本人", "risk_after": "high"}, referral=("minzheng", "需要低保"),
                      today=TODAY)
    with worker.session() as s:
        assert [v.id for v in s.exec(select(Visit)).all()] == [visit.id]
        assert [(f.visit_id, f.opened_on) for f in s.exec(select(Referral)).all()] == [(visit.id, TODAY)]
        assert s.get(Resident, r.id).risk_level == "high"


# 4 -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("damage", ["truncated", "altered"])
def test_a_damaged_copy_of_a_merged_bundle_is_reported_damaged(tmp_path, damage):
    """Before: its header named a merged (device, number, checksum), so it was skipped as "already merged"."""
    t = make_township(tmp_path)
    worker = t.worker("王芳", "G01")
    elder(worker, "张三")
    good = export_bundle(worker, tmp_path / "good").path
    assert merge_paths(t.db, [good]).bundles[0].status == "new"
    copy = tmp_path / "usb" / good.name
    copy.parent.mkdir()
    data = bytearray(good.read_bytes())
    if damage == "truncated":
        data = data[:-100]
    else:
        data[-50] ^= 0x01
    copy.write_bytes(bytes(data))
    outcome = merge_paths(t.db, [copy]).bundles[0]
    assert (outcome.status, outcome.code) == ("refused", damage)
    from storage.sync.folder import scan_folder

    listed = scan_folder(t.db, copy.parent)[0]
    assert not listed.merged and listed.problem


# 5 -----------------------------------------------------------------------------------------------
def test_roster_names_lose_the_padding_between_han_characters(tmp_path):
    """Before: 周 建国 was stored with its space and a search for 周建国 found nobody."""
    from storage.register.search import search_residents
    from storage.roster.importer import import_roster
    from tests.roster_helpers import id_number, write_csv

    t = make_township(tmp_path)
    worker = t.worker("王芳", "G01")
    rows = [[1, "周 建国", id_number(dt.date(1950, 1, 2), 11), "男", "独居老人", "", ""],
            [2, "王\u3000芳", id_number(dt.date(1951, 1, 2), 22), "女", "独居老人", "", ""],
            [3, "阿依古丽 ・ 买买提", id_number(dt.date(1952, 1, 2), 32), "女", "独居老人", "", ""],
            [4, " Mary  Ann   Li ", id_number(dt.date(1953, 1, 2), 42), "女", "独居老人", "", ""]]
    report = import_roster(worker, write_csv(tmp_path / "r.csv", rows), today=TODAY)
    assert report.imported, [r.problems for r in report.rows]
    with worker.session() as s:
        names = sorted(s.exec(select(Resident.name)).all())
    assert names == sorted(["周建国", "王芳", "阿依古丽·买买提", "Mary Ann Li"])
    with worker.session() as s:
        assert [r.name for r in search_residents(s, "周建国", today=TODAY)] == ["周建国"]


# 6 -----------------------------------------------------------------------------------------------
LI_SI = "330521194001010010"  # all digits: what a spreadsheet turns into 3.30521E+17
def _report_files(tmp_path):
    from storage.reports.files import csv_list_path, save_report
    from storage.reports.monthly import monthly_report

    t = make_township(tmp_path)
    worker = t.worker("王芳", "G01")
    elder(worker, "张三", id_number="11010519491231002X", birth_date=None)  # None: the number gives it
    elder(worker, "李四", id_number=LI_SI, birth_date=None)
    report = monthly_report(worker, 2026, 11, today=TODAY)
    save_report(worker, report, tmp_path / "r.csv", full_ids=True)
    save_report(worker, report, tmp_path / "r.xlsx", full_ids=True)
    return csv_list_path(tmp_path / "r.csv", "not_visited"), tmp_path / "r.xlsx"


def test_full_ids_in_csv_and_xlsx_stay_text(tmp_path):
    """Before: bare 18-digit numbers in the CSV, which Excel and WPS show as 4.40524E+17."""
    from openpyxl import load_workbook

    from storage.core.i18n import _
    from storage.reports.monthly import LISTS

    listing, book = _report_files(tmp_path)
    with listing.open(encoding="utf-8-sig", newline="") as fh:
        ids = {row["Name"]: row["ID number"] for row in csv.DictReader(fh)}
    assert ids == {"张三": '="11010519491231002X"', "李四": f'="{LI_SI}"'}
    sheet = load_workbook(book)[_(LISTS["not_visited"])[:31]]
    cells = {row[0].value: row[1] for row in sheet.iter_rows(min_row=2)}
    assert cells["李四"].value == LI_SI
    assert (cells["李四"].data_type, cells["李四"].number_format) == ("s", "@")


def test_libreoffice_reads_the_full_ids_back_as_the_same_digits(tmp_path):
    from openpyxl import load_workbook

    if shutil.which("soffice") is None:  # .ci/run installs it and sets GRIDCARE_REQUIRE_OFFICE: never skipped there
        if os.environ.get("GRIDCARE_REQUIRE_OFFICE"):
            pytest.fail("LibreOffice (soffice) is not installed, and GRIDCARE_REQUIRE_OFFICE asks for it")
        pytest.skip("LibreOffice (soffice) is not installed")

    listing, _book = _report_files(tmp_path)
    out = tmp_path / "lo"
    subprocess.run(["soffice", "--headless", "--infilter=CSV:44,34,76,1", "--convert-to", "xlsx", "--outdir", str(out),
                    str(listing)], check=True, capture_output=True, timeout=180,
                   env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"})
    sheet = load_workbook(out / (listing.stem + ".xlsx"), data_only=True).active
    ids = {row[0]: row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert ids == {"张三": "11010519491231002X", "李四": LI_SI}


# 8 -----------------------------------------------------------------------------------------------
def test_referral_dates_are_checked_against_the_today_given(tmp_path):
    """Before: open_referral compared with the real clock; a laptop whose app date is ahead was refused."""
    from storage.register.referrals import close_referral, open_referral

    ahead = china_today() + dt.timedelta(days=40)
    t = make_township(tmp_path)
    worker = t.worker("王芳", "G01")
    r = elder(worker, "张三")
    ref = open_referral(worker, r.id, "minzheng", "需要低保", opened_on=ahead, today=ahead)
    assert ref.opened_on == ahead
    assert close_referral(worker, ref.id, "已办", closed_on=ahead, today=ahead).closed_on == ahead
    from storage.core.errors import ValidationError

    with pytest.raises(ValidationError):
        open_referral(worker, r.id, "minzheng", "需要低保", opened_on=ahead + dt.timedelta(days=1), today=ahead)


# a bundle that fails for an unexpected reason -----------------------------------------------------
def test_a_bundle_whose_record_cannot_be_stored_is_named_and_the_others_merge(tmp_path):
    """Before: an InterfaceError from SQLite ended the whole merge with exit status 70."""
    from tests.test_export_merge import _device, _signed_by_worker

    t = make_township(tmp_path)
    a, b = t.worker("王芳", "G01"), t.worker("李强", "G02")
    elder(a, "张三")
    good = export_bundle(a, tmp_path / "a").path
    device = _device(b)
    bad = [{"id": f"{device}-7", "record_type": "resident", "record_id": "r1", "hlc": 7, "device_id": device,
            "author": "李强", "fields": {"name": {"not": "text"}, "grid_code": "330521101-G02"}}]
    path = _signed_by_worker(t, b, "李强", bad, tmp_path / "bad.gcb")
    from tui.cli import main

    code = main(["--db", str(t.db.path), "--lang", "en", "merge", str(path), str(good)])
    assert code == 1
    with t.db.session() as s:
        assert s.exec(select(Resident.name)).all() == ["张三"]
    report = merge_paths(t.db, [path])
    assert report.bundles[0].code == "bad_event"
    assert report.bundles[0].message == "bad.gcb: a Resident record holds a value of the wrong type in Name."


def test_a_bundle_that_fails_for_any_other_reason_is_named_and_the_others_merge(tmp_path, monkeypatch, capsys):
    """A bug met while merging one file (here an AttributeError) refuses that file, not the whole merge."""
    import storage.sync.merge as merge_module
    from tui.cli import main

    t = make_township(tmp_path)
    a, b = t.worker("王芳", "G01"), t.worker("李强", "G02")
    elder(a, "张三")
    elder(b, "李四")
    first, second = export_bundle(a, tmp_path / "a").path, export_bundle(b, tmp_path / "b").path
    real_apply = merge_module._apply

    def apply(s, path, *args):
        if path == second:
            raise AttributeError("'NoneType' object has no attribute 'grid_code' [/b]")
        return real_apply(s, path, *args)

    monkeypatch.setattr(merge_module, "_apply", apply)
    assert main(["--db", str(t.db.path), "--lang", "en", "merge", str(second), str(first)]) == 1
    out = capsys.readouterr().out
    assert f"{second.name}: a record inside it could not be merged (AttributeError)" in out
    with t.db.session() as s:
        assert s.exec(select(Resident.name)).all() == ["张三"]
