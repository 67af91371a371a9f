"""The same resident registered twice: flagged for the clerk, merged, un-merged."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from sqlmodel import select

from storage.core.china_day import china_today
from storage.core.errors import UserError
from storage.core.models import Resident, Visit
from storage.register.duplicates import merge_residents, possible_duplicates, resident_ids_for, undo_merge
from storage.register.idnumbers import fake_id_number
from storage.register.visits import log_visit
from storage.sync.export import export_bundle
from storage.sync.merge import merge_paths
from tests.sync_helpers import elder, make_township

BORN = dt.date(1945, 3, 3)


def _id(seed: int) -> str:
    return fake_id_number(random.Random(seed), BORN, "M", "330521")


def test_the_same_id_number_from_two_grids_is_flagged_on_merge(tmp_path):
    t = make_township(tmp_path)
    a, b = t.worker("王芳", "G01"), t.worker("李强", "G02")
    ra = elder(a, "张三", id_number=_id(1))
    rb = elder(b, "张叁", id_number=_id(1))  # a typo in the name, same card
    elder(b, "李四", id_number=_id(2))
    report = merge_paths(t.db, [export_bundle(a, tmp_path / "a.gcb").path, export_bundle(b, tmp_path / "b.gcb").path])
    assert report.duplicates == 1
    (pair,) = possible_duplicates(t.db)
    assert {pair.first_id, pair.second_id} == {ra.id, rb.id} and pair.reason == "id_number"


def test_same_name_birth_date_and_village_without_id_numbers_is_flagged(tmp_path):
    t = make_township(tmp_path)
    a = t.worker("王芳", "G01")
    one, two = elder(a, "王桂英"), elder(a, "王桂英")
    elder(a, "王桂英", birth_date=dt.date(1946, 3, 3))  # another person of the same name
    (pair,) = possible_duplicates(a)
    assert {pair.first_id, pair.second_id} == {one.id, two.id} and pair.reason == "name_birth_village"


def test_two_people_with_different_id_numbers_are_not_flagged(tmp_path):
    t = make_township(tmp_path)
    a = t.worker("王芳", "G01")
    elder(a, "王桂英", id_number=_id(3))
    elder(a, "王桂英", id_number=_id(4))
    assert possible_duplicates(a) == []


def test_merging_moves_visits_under_the_kept_resident_and_undo_restores(tmp_path):
    t = make_township(tmp_path)
    a = t.worker("王芳", "G01")
    keep, dup = elder(a, "王桂英"), elder(a, "王桂英")
    visit = log_visit(a, dup.id, {"notes": "登记重复"})
    merge_residents(a, keep.id, dup.id)
    assert possible_duplicates(a) == []
    ids = resident_ids_for(a, keep.id)
    assert ids == [keep.id, dup.id]
    with a.session() as s:
        assert s.get(Resident, dup.id).merged_into == keep.id
        visits = s.exec(select(Visit).where(Visit.resident_id.in_(ids))).all()
    assert [v.id for v in visits] == [visit.id]
    with pytest.raises(UserError):
        merge_residents(a, keep.id, dup.id)  # already merged
    undo_merge(a, dup.id)
    with a.session() as s:
        assert s.get(Resident, dup.id).merged_into is None
    assert resident_ids_for(a, keep.id) == [keep.id] and len(possible_duplicates(a)) == 1
    with pytest.raises(UserError):
        undo_merge(a, dup.id)


def test_merged_ids_follow_chains_and_refuse_nonsense(tmp_path):
    t = make_township(tmp_path)
    a = t.worker("王芳", "G01")
    x, y, z = (elder(a, "赵淑珍") for _ in range(3))
    merge_residents(a, y.id, z.id)
    merge_residents(a, x.id, y.id)
    assert sorted(resident_ids_for(a, x.id)) == sorted([x.id, y.id, z.id])
    with pytest.raises(UserError):
        merge_residents(a, x.id, x.id)
    with pytest.raises(UserError):
        merge_residents(a, y.id, x.id)  # y was itself merged into x
    with pytest.raises(UserError):
        merge_residents(a, x.id, "no-such-id")


def test_a_merge_made_by_the_clerk_reaches_the_grid(tmp_path):
    t = make_township(tmp_path)
    a = t.worker("王芳", "G01")
    keep, dup = elder(a, "王桂英"), elder(a, "王桂英")
    merge_paths(t.db, [export_bundle(a, tmp_path / "1.gcb").path])
    merge_residents(t.db, keep.id, dup.id)
    merge_paths(a, [export_bundle(t.db, tmp_path / "back", grid_code="G01").path])
    assert resident_ids_for(a, keep.id) == [keep.id, dup.id]


def test_the_kept_residents_profile_shows_the_duplicates_visits(tmp_path):
    import datetime as dt

    from storage.register.duplicates import merge_residents, undo_merge
    from storage.register.profile import resident_profile
    from storage.register.residents import register_resident
    from storage.register.visits import log_visit
    from tests.foundation_helpers import make_db

    db = make_db(tmp_path / "p.db")
    fields = {"name": "李建国", "categories": ["empty_nest_elder"], "birth_date": dt.date(1950, 10, 1)}
    keep, dup = register_resident(db, fields), register_resident(db, fields)
    v = log_visit(db, dup.id, {"notes": "在另一个网格登记时的探访"})
    today = china_today()
    assert v.id not in {x.id for x in resident_profile(db, keep.id, today).visits}
    merge_residents(db, keep.id, dup.id)
    assert v.id in {x.id for x in resident_profile(db, keep.id, today).visits}
    undo_merge(db, dup.id)
    assert v.id not in {x.id for x in resident_profile(db, keep.id, today).visits}


def test_the_record_with_an_id_number_is_proposed_and_a_merge_keeps_the_number_findable(tmp_path):
    """Walk F, 1: a roster's 孙秀珍 without an ID and a worker's with one, flagged as one person. The proposal kept the
    record without the number (decided, in the end, by the random ids); merged, the number was on no record the
    register shows, while the form still refused it as registered."""
    from storage.register.duplicates import review
    from storage.register.search import search_residents

    t = make_township(tmp_path)
    a = t.worker("王芳", "G01")
    number = _id(7)
    bare = elder(a, "孙秀珍", phone="13800001111")
    log_visit(a, bare.id, {"visit_date": dt.date(2026, 11, 20)}, today=dt.date(2026, 11, 24))  # more visits, no ID
    carded = elder(a, "孙秀珍", id_number=number, address="东村3号")
    (pair, kept, dup), = review(a)[0]
    assert (kept.id, dup.id) == (carded.id, bare.id)  # the stronger identity first, whatever the ids

    merge_residents(a, bare.id, carded.id)  # the clerk swapped them: kept the one without the number
    with a.session() as s:
        r = s.get(Resident, bare.id)
        assert (r.id_number, r.address, r.phone) == (number, "东村3号", "13800001111")  # taken, its own kept
        found = search_residents(s, number[-4:], today=dt.date(2026, 11, 24))
    assert [f.id for f in found] == [bare.id]
    undo_merge(a, carded.id)  # the two found not to be one: each has its own again
    with a.session() as s:
        r, c = s.get(Resident, bare.id), s.get(Resident, carded.id)
        assert (r.id_number, r.address, r.phone) == (None, "", "13800001111")
        assert (c.id_number, c.address, c.merged_into) == (number, "东村3号", None)
        assert [f.id for f in search_residents(s, number[-4:], today=dt.date(2026, 11, 24))] == [carded.id]
    assert {bare.id, carded.id} == {rid for p in possible_duplicates(a) for rid in (p.first_id, p.second_id)}


def test_undoing_a_merge_keeps_what_was_set_on_the_kept_record_since(tmp_path):
    """A field the merge carried and someone then changed is theirs, not the merge's: undo leaves it."""
    from storage.register.residents import update_resident

    t = make_township(tmp_path)
    a = t.worker("王芳", "G01")
    bare = elder(a, "孙秀珍")
    carded = elder(a, "孙秀珍", id_number=_id(8), address="东村3号", phone="13800002222")
    merge_residents(a, bare.id, carded.id)
    update_resident(a, bare.id, {"phone": "13900003333"})
    undo_merge(a, carded.id)
    with a.session() as s:
        r = s.get(Resident, bare.id)
        assert (r.id_number, r.address, r.phone) == (None, "", "13900003333")
    merge_residents(a, bare.id, carded.id)  # merged again: takes them again, and gives them back again
    with a.session() as s:
        assert s.get(Resident, bare.id).id_number == _id(8)
    undo_merge(a, carded.id)
    with a.session() as s:
        assert s.get(Resident, bare.id).id_number is None
