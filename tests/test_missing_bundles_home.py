"""The clerk's Home keeps saying which bundles are missing (DESIGN §1: "bundles missing"; walk G, 5).

A refused bundle left a gap that each merge named once, in its result lines, and no screen kept: the clerk
who did not read them never learnt that a grid's week of visits had not arrived."""

from __future__ import annotations

import datetime as dt

from screens.home_lists import list_rows
from screens.home_progress import _alerts
from storage.core.i18n import set_language
from storage.register.home import home_data
from storage.sync.export import export_bundle
from storage.sync.merge import merge_paths
from tests.sync_helpers import elder, make_township

TODAY = dt.date(2026, 11, 24)


def _three_bundles(tmp_path):
    """A township, its worker 王芳 of G01, and her three bundles (one new elder each)."""
    t = make_township(tmp_path)
    a = t.worker("王芳", "G01")
    files = []
    for n, name in enumerate(("张一", "张二", "张三")):
        elder(a, name)
        files.append(export_bundle(a, tmp_path / f"b{n}").path)
    return t, a, files


def test_a_gap_in_a_grids_bundles_is_on_home_until_it_is_merged(tmp_path):
    t, a, files = _three_bundles(tmp_path)
    merge_paths(t.db, [files[0], files[2]])  # the second never came
    data = home_data(t.db, TODAY)
    assert data.bundles_missing == 1 and [g.missing for g in data.grids] == [(2,)]
    set_language("zh_CN")
    try:
        assert ("缺失的数据包：哪些见网格页（按 9）", "1", "bold red") in _alerts(data, compact=False)
        (row,) = list_rows("grids", data)
        assert str(row[2][-1]).endswith("缺第 2 个")
    finally:
        set_language("en")
    from storage.register.residents import register_resident

    register_resident(t.db, {"name": "李阿婆", "categories": ["solitary_elder"], "birth_date": dt.date(1945, 3, 3),
                             "grid_code": "330521101-G02"}, today=TODAY)  # a grid no record names yet
    assert [g.name for g in home_data(t.db, TODAY).grids][-1] == "G02"  # its code, not 330521101-G02
    merge_paths(t.db, [files[1]])
    data = home_data(t.db, TODAY)
    assert data.bundles_missing == 0 and not any(words.startswith("Bundles missing") for words, *_ in
                                                 _alerts(data, compact=False))


def test_a_full_export_closes_the_gap_a_lost_bundle_left(tmp_path):
    """A bundle lost on a stick was named missing at every merge and on Home for good: the worker's full export,
    which carries everything the lost one did, did not close the gap (walk G, 5). Now it does, and the merge's
    lines say that this is what to ask for; a bundle lost after the full one is named again."""
    from sqlalchemy import select

    from storage.core.models import Resident
    from tui.texts import describe_totals

    t, a, files = _three_bundles(tmp_path)
    report = merge_paths(t.db, [files[0], files[2]])  # the second was lost
    set_language("zh_CN")
    try:
        assert describe_totals(report)[-2:] == [
            f"设备 {report.bundles[0].device_id[:8]}…（王芳）缺少第 2 个数据包。",
            "找不到缺少的数据包？请该网格员在同步页勾选“全部内容，不只是新内容”再导出一次，之前缺的就都补上了。"]
    finally:
        set_language("en")
    full = export_bundle(a, tmp_path / "full", full=True)
    assert full.seq == 4
    report = merge_paths(t.db, [full.path])
    assert report.missing == [] and not any("missing" in line for line in describe_totals(report))
    assert home_data(t.db, TODAY).bundles_missing == 0
    with t.db.session() as s:
        assert sorted(s.execute(select(Resident.name)).scalars()) == ["张一", "张三", "张二"]
    elder(a, "张四")
    export_bundle(a, tmp_path / "lost")  # bundle 5, lost too
    elder(a, "张五")
    report = merge_paths(t.db, [export_bundle(a, tmp_path / "b6").path])
    assert [seq for _device, _worker, seq in report.missing] == [5]
    assert [g.missing for g in home_data(t.db, TODAY).grids] == [(5,)]


def test_the_numbers_missing_from_one_senders_bundles():
    from storage.core.bundle_gaps import missing_numbers

    assert missing_numbers([]) == []
    assert missing_numbers([(1, False), (4, False)]) == [2, 3]
    assert missing_numbers([(1, False), (4, True), (7, False)]) == [5, 6]
    assert missing_numbers([(7, False), (3, True), (2, True)]) == [4, 5, 6]  # in any order; the highest full counts
    assert missing_numbers([(5, True)]) == []  # a device whose first bundle here is a full one
