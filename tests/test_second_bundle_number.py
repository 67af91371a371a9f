"""A worker's database put back from an old copy by hand numbers its next bundle again (walk E, C1).

`gridcare restore` carries the numbers on (tests/test_restore_carry.py); a file copied back over the database
does not. The township then receives two different bundles numbered 1 from one device: it merges both (the
set union loses nothing) and says so, instead of listing both as plain "new".
"""

from __future__ import annotations

import shutil

from sqlmodel import select

from storage.core.i18n import set_language
from storage.core.models import Resident
from storage.core.paths import keys_file
from storage.sync.export import export_bundle
from storage.sync.merge import merge_paths
from tests.foundation_helpers import copy_db
from tests.sync_helpers import elder, make_township
from tui.texts import describe_totals, merge_lines


def test_two_bundles_of_one_number_are_both_merged_and_the_clerk_is_told(tmp_path):
    t = make_township(tmp_path)
    w = t.worker("王芳", "G01")
    elder(w, "吴阿婆")
    w.dispose()
    before = copy_db(tmp_path / "G01.db", tmp_path / "old-copy.db")
    first = export_bundle(w, tmp_path / "usb1").path
    w.dispose()
    shutil.copy(before, tmp_path / "G01.db")  # put back by hand, keys and all
    shutil.copy(keys_file(before), keys_file(tmp_path / "G01.db"))
    elder(w, "冯小妹")
    second = export_bundle(w, tmp_path / "usb2").path
    assert first.name != second.name or first.parent != second.parent

    once = merge_paths(t.db, [first])
    assert not any(b.second_of_its_number for b in once.bundles)
    report = merge_paths(t.db, [second])
    [b] = report.bundles
    assert (b.status, b.seq, b.second_of_its_number) == ("new", 1, True)
    with t.db.session() as s:
        assert sorted(s.exec(select(Resident.name)).all()) == ["冯小妹", "吴阿婆"]
    set_language("zh_CN")
    said = [line for line in describe_totals(report) if "两个" in line]
    assert len(said) == 1 and "王芳" in said[0] and "1" in said[0], describe_totals(report)
    assert said[0] in merge_lines(report)
    again = merge_paths(t.db, [first, second])  # the stick again, both files on it
    assert [b.status for b in again.bundles] == ["already", "already"]
    assert not any("两个" in line for line in describe_totals(again))
