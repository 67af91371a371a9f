"""The Sync screen's list of a folder before merging says of each bundle what the merge then says: new, merged
before, waiting for the clerk, or refused, with the merge's own reason (storage/sync/verdict.py). It read
"refused: unreadable" for every refused file, and "new" for another township's bundles, which only the merge
refused."""

from __future__ import annotations

from sqlmodel import func, select
from textual.widgets import DataTable, Input, Static

from screens.conflicts import ConflictsScreen
from screens.sync import SyncScreen
from storage.core.db import open_database
from storage.core.identity import init_county, init_township, set_county_key
from storage.core.models import DeviceRequest
from storage.register.residents import update_resident
from storage.sync.county_export import export_county_bundle
from storage.sync.devices import revoke
from storage.sync.dump import dump_lines
from storage.sync.export import export_bundle
from storage.sync.folder import for_this_database, preview_folder
from storage.sync.merge import merge_paths
from tests.pilot_helpers import run_async, settle
from tests.register_helpers import HarnessApp
from tests.sync_helpers import elder, make_township
from tests.test_export_merge import _device, _signed_by_worker


def _other_township(tmp_path, code, name, folder, worker_name):
    """A township of `code` with its own keys and one worker in its grid G01, who registered someone."""
    from storage.core.identity import init_worker
    from storage.sync.devices import enroll

    tmp_path.joinpath(folder).mkdir()
    db = open_database(tmp_path / folder / "township.db")
    init_township(db, code, name, tmp_path / folder / "township.pub")
    worker = open_database(tmp_path / folder / "worker.db")
    init_worker(worker, code, name, "G01", "一网格", worker_name, tmp_path / folder / "township.pub",
                enroll_code=enroll(db, "G01", worker_name)[0])
    elder(worker, "钱七")
    return db, worker


def every_kind(tmp_path):
    """A township's folder holding a bundle of every kind the merge tells apart."""
    t = make_township(tmp_path)
    usb = tmp_path / "usb"
    usb.mkdir()
    a, b = t.worker("王芳", "G01"), t.worker("李强", "G02")
    stranger = t.worker("赵敏", "G03", enrolled=False)
    elder(a, "张三")
    elder(b, "李四")
    elder(stranger, "王五")
    merge_paths(t.db, [export_bundle(a, usb).path, export_bundle(b, usb).path])  # merged before
    elder(a, "赵六")
    good = export_bundle(a, usb).path  # new
    export_bundle(stranger, usb)  # waits for the clerk
    revoke(t.db, _device(b))
    elder(b, "孙七")
    export_bundle(b, usb)  # a revoked laptop's
    data = good.read_bytes()
    copies = {"cut": data[:-50], "flip": data[:-10] + bytes([data[-10] ^ 1]) + data[-9:],
              "v9": data.replace(b"GRIDCARE-BUNDLE 1", b"GRIDCARE-BUNDLE 9", 1),
              "header": data.replace(b'"seq":2', b'"seq":7', 1), "empty": b"", "notes": "这不是数据包".encode()}
    for name, content in copies.items():
        (usb / f"gridcare-330521101-G01-王芳-copy-{name}.gcb").write_bytes(content)
    other, other_worker = _other_township(tmp_path, "330521102", "钟管镇", "other", "陈静")
    merge_paths(other, [export_bundle(other_worker, usb).path])  # another township's worker's
    export_bundle(other, usb, grid_code="G01")  # another township's bundle back to its grid
    same, same_worker = _other_township(tmp_path, "330521101", "新市镇", "same", "孙丽")  # this code, other keys
    export_bundle(same_worker, usb)
    elder(t.db, "周八", grid_code="330521101-G01")
    export_bundle(t.db, usb, grid_code="G01")  # this township's own, back to grid G01
    county = open_database(tmp_path / "county.db")
    init_county(county, "330521", "德清县", tmp_path / "county.pub")
    set_county_key(t.db, tmp_path / "county.pub")
    export_county_bundle(t.db, usb)  # this township's own, to its county
    return t, usb


def _held(db) -> int:
    with db.session() as s:
        return s.execute(select(func.count()).select_from(DeviceRequest)).scalar_one()


def test_the_list_says_what_the_merge_then_says_of_every_bundle(tmp_path):
    t, usb = every_kind(tmp_path)
    before, held = list(dump_lines(t.db)), _held(t.db)
    listed = {b.path.name: (b.status, b.reason) for b in preview_folder(t.db, usb)}
    assert list(dump_lines(t.db)) == before and _held(t.db) == held  # the list writes nothing
    report = merge_paths(t.db, [usb])
    merged = {o.file: (o.status, o.problem) for o in report.bundles}
    assert listed == merged
    for o in report.bundles:  # the reason beside the file is the merge's line without the file's name
        assert o.message == (f"{o.file}: {o.problem}" if o.status in ("refused", "waiting") else "")
    codes = {o.code for o in report.bundles if o.status == "refused"}
    assert codes == {"truncated", "altered", "unknown_version", "bad_signature", "empty", "not_bundle", "revoked",
                     "wrong_township", "wrong_key"}
    # this township's own, to its grid and to its county: its own, not refused (tests/test_own_bundles.py)
    assert {o.status for o in report.bundles} == {"new", "already", "refused", "waiting", "own"}
    by_name = {name.split("-")[1] + name.split("-")[3]: status for name, (status, _why) in listed.items()}
    assert by_name["330521102陈静"] == "refused" and by_name["330521102township"] == "refused"
    assert "for township 330521102, not this one (330521101)" in listed[next(n for n in listed if "陈静" in n)][1]
    assert listed[next(n for n in listed if "-county-" in n)] == (
        "own", "for the county; the county merges it.")
    assert listed[next(n for n in listed if "330521101-G01-township" in n)] == (
        "own", "for grid G01; its worker merges it.")
    assert listed[next(n for n in listed if "copy-flip" in n)][1].startswith("the contents do not match the signed")


def test_a_bundle_refused_for_what_it_holds_is_listed_with_that_reason_after_the_merge(tmp_path):
    t = make_township(tmp_path)
    a = t.worker("王芳", "G01")
    device = _device(a)
    bad = [{"id": f"{device}-5", "record_type": "visit", "record_id": "v1", "hlc": 5, "device_id": device,
            "author": "王芳", "fields": {"resident_id": "r1", "visit_date": "not a date"}}]
    (tmp_path / "usb").mkdir()
    path = _signed_by_worker(t, a, "王芳", bad, tmp_path / "usb" / "bad.gcb")
    [(status, _why)] = [(b.status, b.reason) for b in preview_folder(t.db, path.parent)]
    assert status == "new"  # only reading its events finds it: the merge does
    [outcome] = merge_paths(t.db, [path]).bundles
    assert outcome.code == "bad_event"
    assert [(b.status, b.reason) for b in preview_folder(t.db, path.parent)] == [("refused", outcome.problem)]


def _rows(table) -> list[str]:
    return [" ".join(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)]


@run_async
async def test_the_clerk_reads_each_files_fate_and_its_name_at_80_columns(tmp_path):
    t, usb = every_kind(tmp_path)
    app = HarnessApp(t.db, SyncScreen)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        # the folder of the last merge, listed on opening (Enter there would merge it)
        assert screen.query_one("#folder", Input).value == str(usb)
        table = screen.query_one("#bundles", DataTable)
        rows = _rows(table)
        other = next(r for r in rows if "陈静" in r)
        assert other.startswith("refused") and "this bundle is for township 330521102, not this one" in " ".join(
            other.split())
        flip = next(r for r in rows if "copy-flip.gcb" in r)  # the name's end, whatever its start became
        assert "the contents do not match the signed checksum" in " ".join(flip.split())
        assert "refused: unreadable" not in " ".join(rows)
        waiting = next(r for r in rows if "赵敏" in r)
        assert waiting.startswith("waiting") and "is not enrolled" in " ".join(waiting.split())
        assert sum(r.startswith("already merged") for r in rows) == 2  # 王芳's and 李强's first
        own = [r for r in rows if r.startswith("sent from here")]  # the township's own, to G01 and to the county
        assert len(own) == 2 and "for the county; the county merges it" in " ".join(" ".join(own).split())
        for row in rows:  # each file's name ends its cell's first line: .gcb, on the screen
            assert ".gcb" in row
        assert table.virtual_size.width <= table.size.width  # nothing to scroll sideways to
        result = str(screen.query_one("#result", Static).content)
        assert "1 new bundle to merge." in result and "10 will be refused." in result  # (not its own to the county)
        assert "1 waits for its device to be approved." in result


@run_async
async def test_the_conflict_says_which_worker_and_laptop_wrote_each_value(tmp_path):
    t = make_township(tmp_path)
    a = t.worker("王芳", "G01")
    r = elder(a, "张三", phone="13800000001")
    merge_paths(t.db, [export_bundle(a, tmp_path / "1.gcb").path])
    update_resident(a, r.id, {"phone": "13800000002"})
    update_resident(t.db, r.id, {"phone": "13800000003"})
    merge_paths(t.db, [export_bundle(a, tmp_path / "2.gcb").path])
    app = HarnessApp(t.db, ConflictsScreen)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        detail = str(app.screen.query_one("#detail", Static).content)
    device = _device(a)[:8]
    assert f"王芳, grid G01, device {device}" in detail
    assert "on this computer" in detail  # the clerk's own value, written at the township


def test_a_countys_list_says_what_its_merge_then_says(tmp_path):
    from tests.county_helpers import busy_township, make_county

    county = make_county(tmp_path / "county.db", tmp_path / "county.pub")
    usb = tmp_path / "usb"
    enrolled = busy_township(tmp_path, "330521101", tmp_path / "county.pub", county=county)
    stranger = busy_township(tmp_path, "330521102", tmp_path / "county.pub")  # not enrolled: waits
    good = enrolled.to_county(usb)
    stranger.to_county(usb)
    worker_bundle = export_bundle(enrolled.workers["G01"], usb, full=True).path  # a worker's, to its township
    data = good.read_bytes()
    (usb / "copy-flip.gcb").write_bytes(data[:-10] + bytes([data[-10] ^ 1]) + data[-9:])
    listed = {b.path.name: (b.status, b.reason) for b in preview_folder(county, usb)}
    taken = for_this_database(county, [usb])  # the folder as the county's merge takes it
    report = merge_paths(county, taken.paths)
    # the worker's bundle is listed as not for the county, with why, and the merge leaves it
    assert taken.left == 1 and worker_bundle not in taken.paths and taken.unreadable == []  # (the county merges those)
    assert listed.pop(worker_bundle.name) == ("elsewhere", "this is a grid worker's bundle for the township: it is "
                                                           "merged at the township, which reports to the county.")
    assert listed == {o.file: (o.status, o.problem) for o in report.bundles}
    assert {o.status for o in report.bundles} == {"new", "waiting", "refused"}  # the damaged copy: refused
