"""Searching the register (storage/register/search.py): every kind of query, filters, paging."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from storage.core.china_day import china_today
from storage.register.idnumbers import fake_id_number
from storage.register.residents import close_case, register_resident
from storage.register.risk import change_risk
from storage.register.search import ResidentFilter, count_residents, search_residents
from storage.register.visits import log_visit
from tests.foundation_helpers import make_db

TODAY = dt.date(2026, 11, 24)
EVERYONE = ResidentFilter(status=None)


@pytest.fixture
def db(tmp_path):
    return make_db(tmp_path / "s.db")


def _add(db, name, *, born=dt.date(1950, 3, 1), sex="M", phone="", cats=("solitary_elder",), seed=0,
         registered=dt.date(2026, 10, 1), risk="low"):
    number = fake_id_number(random.Random(seed), born, sex, "330521")
    return register_resident(db, {"name": name, "id_number": number, "phone": phone, "categories": list(cats),
                                  "registered_on": registered}, risk_level=risk, today=registered)


def _names(db, query, filters=EVERYONE, **kw):
    with db.session() as s:
        return [r.name for r in search_residents(s, query, filters=filters, today=TODAY, **kw)]


def _count(db, query, filters=EVERYONE):
    with db.session() as s:
        return count_residents(s, query, filters=filters, today=TODAY)


def test_chinese_name_prefix_comes_before_contains(db):
    for i, name in enumerate(["王小张", "张三", "李四", "张伟"]):
        _add(db, name, seed=i)
    assert _names(db, "张") == ["张三", "张伟", "王小张"]
    assert _names(db, "张三") == ["张三"]
    assert _names(db, "四") == ["李四"]
    assert _count(db, "张") == 3


def test_initials_find_every_reading_of_a_polyphonic_surname(db):
    _add(db, "单小明", seed=1)
    _add(db, "张三", seed=2)
    _add(db, "赵森", seed=3)
    assert _names(db, "sxm") == ["单小明"]
    assert _names(db, "dxm") == ["单小明"]  # the everyday reading people may type
    assert _names(db, "zs") == ["张三", "赵森"]
    assert _names(db, "ZS") == ["张三", "赵森"]
    assert _names(db, "qq") == []


def test_id_number_tail_and_phone(db):
    a = _add(db, "张三", phone="13800001234", seed=5)
    b = _add(db, "李四", phone="0571-8888777", seed=6)
    tail = a.id_number[-4:]
    assert "张三" in _names(db, tail)
    assert _names(db, a.id_number[-6:]) == ["张三"]
    assert _names(db, "138") == ["张三"]  # phone prefix
    assert "张三" in _names(db, "01234")  # phone suffix
    assert _names(db, "8888777") == ["李四"]  # a landline's suffix
    assert not b.id_number.endswith("8888777")
    assert _names(db, "12") == []  # fewer than 3 digits: no search yet


def test_id_tail_with_x(db):
    r = register_resident(db, {"name": "刘一", "id_number": "11010519491231002X", "categories": ["solitary_elder"]},
                          today=TODAY)
    assert _names(db, "002x") == ["刘一"]
    with db.session() as s:
        row = search_residents(s, "002X", filters=EVERYONE, today=TODAY)[0]
    assert row.id == r.id
    assert row.masked_id == "1101**********002X"
    assert row.age == 76


def test_filters_category_risk_status(db):
    child = _add(db, "小红", born=dt.date(2016, 5, 1), sex="F", cats=("left_behind_child",), seed=1)
    _add(db, "老李", seed=2, risk="high")
    closed = _add(db, "老王", seed=3)
    close_case(db, closed.id, "moved_away", closed_on=china_today())
    assert _names(db, "", ResidentFilter(category="left_behind_child")) == ["小红"]
    assert _names(db, "", ResidentFilter(risk="high")) == ["老李"]
    assert _names(db, "", ResidentFilter(status="closed")) == ["老王"]
    assert sorted(_names(db, "", ResidentFilter())) == ["小红", "老李"]
    change_risk(db, child.id, "emergency", "no guardian at home", assessed_on=china_today())
    assert _names(db, "", ResidentFilter(risk="emergency")) == ["小红"]


def test_due_filters_follow_the_policy(db):
    visited = _add(db, "甲", seed=1, registered=dt.date(2026, 1, 1))
    _add(db, "乙", seed=2, registered=dt.date(2026, 1, 1))  # never visited, registered long ago: overdue
    soon = _add(db, "丙", seed=3, registered=dt.date(2026, 1, 1))
    high = _add(db, "丁", seed=4, registered=dt.date(2026, 1, 1), risk="high")
    log_visit(db, visited.id, {"visit_date": dt.date(2026, 11, 20)}, today=TODAY)
    log_visit(db, soon.id, {"visit_date": dt.date(2026, 10, 28)}, today=TODAY)  # due by the month's end
    log_visit(db, high.id, {"visit_date": dt.date(2026, 11, 10)}, today=TODAY)  # weekly: due 11-17
    assert sorted(_names(db, "", ResidentFilter(due="overdue"))) == ["丁", "乙"]
    assert _names(db, "", ResidentFilter(due="due_week")) == ["丙"]
    assert sorted(_names(db, "", ResidentFilter(due="visited_month"))) == ["丁", "甲"]
    assert sorted(_names(db, "", ResidentFilter(due="not_visited_month"))) == ["丙", "乙"]
    with db.session() as s:
        row = next(r for r in search_residents(s, "", filters=EVERYONE, today=TODAY) if r.name == "丙")
    assert (row.last_visit, row.due_on) == (dt.date(2026, 10, 28), dt.date(2026, 11, 30))


def test_a_visit_after_today_does_not_count(db):
    r = _add(db, "戊", seed=9, registered=dt.date(2026, 1, 1))
    log_visit(db, r.id, {"visit_date": dt.date(2026, 11, 20)}, today=TODAY)
    with db.session() as s:
        before = search_residents(s, "", filters=EVERYONE, today=dt.date(2026, 11, 19))[0]
    assert before.last_visit is None


def test_paging_stitches_stages_without_repeats_or_gaps(db):
    names = [f"张{c}" for c in "一二三四五六七"] + [f"王张{c}" for c in "一二三四五"]
    for i, n in enumerate(names):
        _add(db, n, seed=i)
    pages = [_names(db, "张", limit=3, offset=o) for o in range(0, 15, 3)]
    flat = [n for p in pages for n in p]
    assert flat == _names(db, "张", limit=50)
    assert len(flat) == len(set(flat)) == 12
    assert flat[:7] == sorted(n for n in names if n.startswith("张"))
    assert _count(db, "张") == 12


def test_merged_and_deleted_residents_are_never_listed(db):
    from storage.core.changes import writer

    a = _add(db, "张甲", seed=1)
    b = _add(db, "张乙", seed=2)
    with db.write() as s:
        writer(s).write("resident", a.id, {"merged_into": b.id})
    assert _names(db, "张") == ["张乙"]
    assert _count(db, "") == 1


def test_unknown_due_status_is_a_bug_not_an_empty_list(db):
    with db.session() as s, pytest.raises(ValueError):
        search_residents(s, "", filters=ResidentFilter(due="someday"), today=TODAY)


def test_the_register_and_home_agree_on_who_was_seen(tmp_path):
    """A visit through someone else, or a call that did not reach the person, does not count anywhere."""
    import datetime as dt

    from storage.register.home import resident_due_rows
    from storage.register.residents import register_resident
    from storage.register.search import ResidentFilter, search_residents
    from storage.register.visits import log_visit
    from tests.foundation_helpers import clock_on, make_db

    today = china_today()
    with clock_on(today - dt.timedelta(days=200)):  # known to gridcare since then (storage/register/entered.py)
        db = make_db(tmp_path / "seen.db")
        fields = {"categories": ["solitary_elder"], "birth_date": dt.date(1944, 1, 1),
                  "registered_on": today - dt.timedelta(days=200)}
        proxy = register_resident(db, {"name": "甲", **fields})
        unseen = register_resident(db, {"name": "乙", **fields})
        seen = register_resident(db, {"name": "丙", **fields})
    log_visit(db, proxy.id, {"method": "proxy"}, today=today)
    log_visit(db, unseen.id, {"method": "phone", "contact_made": False}, today=today)
    log_visit(db, seen.id, {}, today=today)
    with db.session() as s:
        overdue = {r.name for r in search_residents(s, "", filters=ResidentFilter(due="overdue"), today=today)}
        visited = {r.name for r in search_residents(s, "", filters=ResidentFilter(due="visited_month"), today=today)}
        home_overdue = {row.name for row in resident_due_rows(s, today) if row.overdue}
    assert visited == {"丙"}
    assert overdue == {"甲", "乙"} == home_overdue


def test_a_grids_code_lists_that_grids_people_at_a_township(tmp_path):
    """Seen in a walk (40 grids): the clerk typed G31 in the register and got "no one"; there was no way to see
    one grid's people there."""
    from storage.sync.export import export_bundle
    from storage.sync.merge import merge_paths
    from tests.sync_helpers import elder, make_township

    t = make_township(tmp_path)
    a, b = t.worker("王芳", "G01"), t.worker("李明", "G31")
    elder(a, "张三")
    elder(b, "李四")
    elder(b, "王五")
    merge_paths(t.db, [export_bundle(a, tmp_path / "usb").path, export_bundle(b, tmp_path / "usb").path])
    assert sorted(_names(t.db, "G31")) == ["李四", "王五"] and _count(t.db, "g31") == 2
    assert _names(t.db, "G01") == ["张三"] and _names(t.db, "G3") == []
