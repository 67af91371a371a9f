"""A name found by its full pinyin, as typed on any phone's keyboard: `xie` and `xiexiulan` found nobody, only
the initials (`xxl`) found 解秀兰. Every reading of a polyphonic surname finds it (单 shan/dan, 解 xie/jie,
曾 zeng/ceng), as the initials do."""

from __future__ import annotations

import datetime as dt

import pytest

from storage.core.db import open_database
from storage.core.identity import init_township
from storage.register.residents import register_resident
from tests.foundation_helpers import make_db
from tests.pilot_helpers import run_async
from tests.search_helpers import found_names, typed_in_the_register

TODAY = dt.date(2026, 12, 5)
PEOPLE = ("解秀兰", "谢春梅", "单小明", "曾国华", "张三", "许晓兰", "西安平")


def _db(tmp_path):
    db = make_db(tmp_path / "w.db")
    for i, name in enumerate(PEOPLE):
        register_resident(db, {"name": name, "categories": ["solitary_elder"], "phone": f"1380000{i:04d}",
                               "registered_on": TODAY}, today=TODAY)
    return db


def test_a_name_is_found_by_its_full_pinyin_and_by_every_reading_of_its_surname(tmp_path):
    db = _db(tmp_path)
    names = {q: sorted(found_names(db, q, TODAY)) for q in (
        "xie", "jie", "xiexiulan", "xiexiul", "jiexiulan", "shan", "dan", "danxiaoming", "zeng", "ceng", "zhangsan",
        "zhang", "xu", "xian")}
    assert names == {"xie": ["解秀兰", "谢春梅"], "jie": ["解秀兰"], "xiexiulan": ["解秀兰"], "xiexiul": ["解秀兰"],
                     "jiexiulan": ["解秀兰"], "shan": ["单小明"], "dan": ["单小明"], "danxiaoming": ["单小明"],
                     "zeng": ["曾国华"], "ceng": ["曾国华"], "zhangsan": ["张三"], "zhang": ["张三"], "xu": ["许晓兰"],
                     "xian": []}  # 西安平 is xi-an: as few syllables as the letters read, not every cut of them
    # the initials find what they found
    assert sorted(found_names(db, "xxl", TODAY)) == ["解秀兰", "许晓兰"]
    assert found_names(db, "zs", TODAY) == ["张三"]
    assert sorted(found_names(db, "x", TODAY)) == sorted(["许晓兰", "西安平", "解秀兰", "谢春梅"])


@run_async
async def test_the_register_finds_xie_xiulan_as_her_name_is_spoken(tmp_path):
    db = _db(tmp_path)
    assert "解秀兰" in await typed_in_the_register(db.path, TODAY, len(PEOPLE), "xiexiulan")


@pytest.mark.postgres
def test_a_county_on_a_server_finds_a_name_by_its_full_pinyin(pg_url):
    db = open_database(pg_url)
    try:
        init_township(db, "330521101", "新市镇", None)
        for i, name in enumerate(PEOPLE):
            register_resident(db, {"name": name, "categories": ["solitary_elder"], "grid_code": "330521101-G01",
                                   "phone": f"1380000{i:04d}", "registered_on": TODAY}, today=TODAY)
        assert {q: sorted(found_names(db, q, TODAY)) for q in ("xie", "jiexiulan", "dan", "xiexiul")} == {
            "xie": ["解秀兰", "谢春梅"], "jiexiulan": ["解秀兰"], "dan": ["单小明"], "xiexiul": ["解秀兰"]}
    finally:
        db.dispose()


def test_the_other_readings_are_read_from_the_index_of_the_names_that_have_them(tmp_path, monkeypatch):
    """"jxl", "jiexiulan": the initials of every name's other readings were scanned, 120,000 at a county, where only
    the names with more than one reading (a fifth) have any; their index alone is read now."""
    import sqlite3

    from tests.plan_helpers import statements

    db = _db(tmp_path)
    with statements(monkeypatch) as seen:
        db.engine.dispose()  # (a connection of its own, traced)
        assert found_names(db, "jxl", TODAY) == ["解秀兰"] and found_names(db, "jiexiulan", TODAY) == ["解秀兰"]
    other = [sql for sql in seen if "instr(name_initials, ' ')" in sql and sql.lstrip().upper().startswith("SELECT")]
    assert other
    plain = sqlite3.connect(db.path)
    try:
        for sql in other:
            steps = [row[3] for row in plain.execute(f"EXPLAIN QUERY PLAN {sql}")]
            assert "SCAN resident USING COVERING INDEX ix_resident_initials_other" in steps, steps
            assert "SCAN resident USING COVERING INDEX ix_resident_initials" not in steps, steps
    finally:
        plain.close()


def _typed_both_ways(db) -> dict[str, list[str]]:
    # 单娥 is "se de": "de" is her other reading's initials and a syllable too (得); 单 is no character read "de",
    # so only the scan of the other readings finds her by it, now in one pass with the spelled names' scan
    return {q: sorted(found_names(db, q, TODAY)) for q in ("de", "se", "sd", "dan")}


BOTH_WAYS = {"de": ["单娥"], "se": ["单娥"], "sd": [], "dan": ["单娥", "单小明"]}


def test_the_initials_of_a_names_other_reading_find_it_when_they_spell_a_syllable_too(tmp_path):
    db = _db(tmp_path)
    register_resident(db, {"name": "单娥", "categories": ["solitary_elder"], "registered_on": TODAY}, today=TODAY)
    assert _typed_both_ways(db) == BOTH_WAYS


@pytest.mark.postgres
def test_on_a_server_the_initials_of_a_names_other_reading_find_it_when_they_spell_a_syllable_too(pg_url):
    db = open_database(pg_url)
    try:
        init_township(db, "330521101", "新市镇", None)
        for name in ("单小明", "单娥"):
            register_resident(db, {"name": name, "categories": ["solitary_elder"], "grid_code": "330521101-G01",
                                   "registered_on": TODAY}, today=TODAY)
        assert _typed_both_ways(db) == BOTH_WAYS
    finally:
        db.dispose()
