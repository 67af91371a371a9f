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


def test_a_gap_in_a_grids_bundles_is_on_home_until_it_is_merged(tmp_path):
    t = make_township(tmp_path)
    a = t.worker("王芳", "G01")
    files = []
    for n, name in enumerate(("张一", "张二", "张三")):
        elder(a, name)
        files.append(export_bundle(a, tmp_path / f"b{n}").path)
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
