"""A refused bundle names the field as the clerk knows it (村（社区）), never by its column (village_code)."""

from __future__ import annotations

import pytest

from storage.core.i18n import set_language
from storage.sync.merge import merge_paths
from tests.sync_helpers import make_township
from tests.test_export_merge import _device, _signed_by_worker
from tests.test_hostile_values import ELDER, _event


@pytest.mark.parametrize(("lang", "words", "column"), [
    ("zh_CN", "其中一条关爱对象记录的“村（社区）”值无效。", "village_code"),
    ("en", "a Resident record holds an invalid value in Village.", "village_code"),
    ("zh_CN", "其中一条探访记录的“探访方式”含有未知代码。", "method"),
    ("en", "a Visit record holds an unknown code in Visit method.", "method"),
])
def test_a_refused_bundle_names_the_field_by_its_label(tmp_path, lang, words, column):
    """Before: "其中一条网格记录的 village_code 值无效" — a column name the clerk cannot act on."""
    t = make_township(tmp_path)
    b = t.worker("李强", "G02")
    if column == "village_code":
        ev = _event(_device(b), 1, "resident", {**ELDER, "village_code": "柳溪/东村"})
    else:
        ev = _event(_device(b), 1, "visit", {"resident_id": "r0", "visit_date": "2026-11-01", "method": "telepathy"})
    path = _signed_by_worker(t, b, "李强", [ev], tmp_path / "bad.gcb")
    set_language(lang)
    try:
        [outcome] = merge_paths(t.db, [path]).bundles
    finally:
        set_language("en")
    assert outcome.status == "refused"
    colon = "：" if lang == "zh_CN" else ": "
    assert outcome.message == f"bad.gcb{colon}{words}"
    assert f" {column} " not in outcome.message.replace("“", " ").replace("”", " ")
