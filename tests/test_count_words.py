"""Counts in the export and merge lines are written as the tables beside them write them (walk F).

A clerk saw "5,483" in a table and "5483 项修改", "新增记录：5294" in the lines under it: two ways of writing a
figure on one screen read as two figures."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from storage.core.i18n import set_language
from storage.sync.merge import MergeReport
from tui.texts import describe_export, describe_outcome, describe_totals


@pytest.fixture(autouse=True)
def chinese():
    set_language("zh_CN")
    yield
    set_language("en")


def test_export_and_merge_lines_group_thousands_as_the_tables_do():
    export = SimpleNamespace(manifest={"kind": "worker"}, seq=1, path=Path("out.gcb"), events=5469)
    assert "5,469 项修改" in describe_export(export)
    outcome = SimpleNamespace(status="new", file="out.gcb", worker="王芳", seq=1, events_new=5469)
    assert describe_outcome(outcome).endswith("5,469 项新修改")
    (line,) = describe_totals(MergeReport(added=5286, updated=1204, conflicts=0, duplicates=1))
    assert "5,286" in line and "1,204" in line and "5286" not in line
    set_language("en")
    assert "(5,469 changes)" in describe_export(export)


def test_a_bundle_merged_before_is_named_by_whose_it_is_as_a_new_one_is():
    """Walk F: after Ctrl+R the new bundle read （张丽，第 2 个数据包） and the one merged before （设备 bf94e42f）."""
    before = SimpleNamespace(status="already", file="b1.gcb", worker="张丽", device_id="bf94e42f0000", seq=1, copy_of="")
    assert describe_outcome(before) == "已合并过  b1.gcb（张丽，第 1 个数据包）"
    before.worker = ""  # a manifest without a name: the device, as before
    assert describe_outcome(before) == "已合并过  b1.gcb（设备 bf94e42f，第 1 个数据包）"
