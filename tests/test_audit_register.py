"""The clerk's acts on residents' records are in the audit log: who merged two records found to be one person,
who took such a merge back, who moved a person to another grid, and when (DESIGN §5); and the township's public
key file written, as the county's was.

Seen: `gridcare audit` at a township listed bundles and conflict decisions, but nothing of a merge of two
residents, of its undoing, or of a resident moved from G01 to G02: asked later who did it, the log was silent.
"""

from __future__ import annotations

import datetime as dt

import pytest

from storage.core.audit import entries
from storage.core.errors import UserError
from storage.core.identity import get_identity
from storage.register.duplicates import merge_residents, undo_merge
from storage.register.residents import update_resident
from storage.sync.export import export_bundle
from storage.sync.merge import merge_paths
from tests.sync_helpers import clerk_elder, make_township
from tui.cli import main

TODAY = dt.date(2026, 11, 24)


def _audit(db, capsys, lang: str) -> str:
    capsys.readouterr()
    assert main(["--db", str(db.path), "--lang", lang, "audit"]) == 0
    return capsys.readouterr().out


def test_merging_two_residents_and_undoing_it_are_each_one_entry_by_record_id(tmp_path, capsys):
    t = make_township(tmp_path)
    keep = clerk_elder(t, "王桂英")
    dup = clerk_elder(t, "王桂英", phone="13800001111")
    before = len(entries(t.db))
    merge_residents(t.db, keep.id, dup.id)
    with pytest.raises(UserError, match="already merged"):  # a merge refused is no act: no entry
        merge_residents(t.db, keep.id, dup.id)
    undo_merge(t.db, dup.id)
    undone, merged = entries(t.db)[:2]
    assert len(entries(t.db)) == before + 2
    clerk = get_identity(t.db).worker_name
    assert (merged.action, merged.actor, merged.counts) == (
        "merge residents", clerk, {"kept": keep.id, "merged": dup.id, "carried": 1})  # the phone
    assert (undone.action, undone.actor, undone.counts) == (
        "undo resident merge", clerk, {"kept": keep.id, "merged": dup.id, "given_back": 1})
    assert "王桂英" not in str(merged.counts) + str(undone.counts) and "1380000" not in str(merged.counts)
    out = _audit(t.db, capsys, "en")
    assert "Residents registered twice merged" in out and "Resident merge undone" in out
    assert f"record kept {keep.id}" in out and "fields given back 1" in out
    out = _audit(t.db, capsys, "zh_CN")
    assert "合并重复登记的对象" in out and "撤销对象合并" in out and f"保留的记录 {keep.id}" in out
    assert "Resident merge undone" not in out and "record kept" not in out


def test_moving_a_resident_to_another_grid_is_an_entry_at_the_township_only(tmp_path, capsys):
    t = make_township(tmp_path)
    a, b = t.worker("王芳", "G01"), t.worker("李强", "G02")
    for n, db in enumerate((a, b)):  # their devices approved, as a grid's first bundle does
        assert not merge_paths(t.db, [export_bundle(db, tmp_path / f"up{n}").path]).refused
    her = clerk_elder(t, "江爱珍")
    update_resident(t.db, her.id, {"phone": "13800002222"}, today=TODAY)  # not a move: no entry
    before = len(entries(t.db))
    update_resident(t.db, her.id, {"grid_code": "330521101-G02"}, today=TODAY)
    (moved,) = entries(t.db)[:len(entries(t.db)) - before]
    assert (moved.action, moved.actor, moved.counts) == (
        "move resident", get_identity(t.db).worker_name, {"record_id": her.id, "from_grid": "G01", "to_grid": "G02"})
    out = _audit(t.db, capsys, "en")
    assert "Resident moved to another grid" in out and "from grid G01" in out and "to grid G02" in out
    assert "对象转到其他网格" in _audit(t.db, capsys, "zh_CN")
    # the entry is the township's own: the worker's laptop learns of the move, not of the township's log
    assert not merge_paths(a, [export_bundle(t.db, tmp_path / "back", grid_code="330521101-G01").path]).refused
    assert "move resident" not in {e.action for e in entries(a)}


def test_the_township_writing_its_public_key_file_is_an_entry_as_the_countys_is(tmp_path, capsys):
    from storage.core.identity import write_own_public_key

    t = make_township(tmp_path)  # `init --role township --key-out township.pub`
    (first,) = [e for e in entries(t.db) if e.action == "public key"]
    assert first.file == str(t.key) and first.actor == get_identity(t.db).worker_name
    again, _text = write_own_public_key(t.db, tmp_path / "usb.pub")  # `public-key`: given out again
    assert [e.file for e in entries(t.db) if e.action == "public key"] == [str(again), str(t.key)]
    assert "Public key file written" in _audit(t.db, capsys, "en")
    out = _audit(t.db, capsys, "zh_CN")
    assert "写出公钥文件" in out and "Public key file written" not in out and "usb.pub" in out
