"""The command line finds a resident by name too: `gridcare visit list 单桂芳` said there was no such resident
(only an ID number or a record id was taken, and a resident without an ID number had only `dump` to find theirs)."""

from __future__ import annotations

import pytest

from storage.core.errors import UserError
from storage.register.duplicates import merge_residents
from storage.register.lookup import resident_by_key
from storage.register.visits import log_visit
from tests.sync_helpers import clerk_elder, elder, make_township
from tui.cli import main


def test_a_name_only_one_resident_has_finds_them_on_the_command_line(tmp_path, capsys):
    t = make_township(tmp_path)
    w = t.worker("王芳", "G01")
    r = elder(w, "单桂芳")  # no ID number
    v = log_visit(w, r.id, {"met_with": "本人"})
    assert main(["--lang", "zh_CN", "--db", str(w.path), "visit", "list", " 单桂芳 "]) == 0
    assert v.id in capsys.readouterr().out
    assert main(["--lang", "zh_CN", "--db", str(w.path), "close", "单桂芳", "--reason", "moved_away"]) == 0
    assert resident_by_key(w, "单桂芳").status == "closed"  # a closed case is still found, to be reopened


def test_a_name_several_share_asks_which_one_and_names_none_of_them_in_full(tmp_path, capsys):
    t = make_township(tmp_path)
    w = t.worker("王芳", "G01")
    first = elder(w, "张秀英", id_number="33052119450303002X")
    second = elder(w, "张秀英")
    assert main(["--lang", "zh_CN", "--db", str(w.path), "visit", "list", "张秀英"]) == 1
    said = capsys.readouterr().err.strip()
    assert said.count("\n") == 0 and "有 2 名对象叫张秀英" in said, said
    assert "3305**********002X" in said and first.id in said and second.id in said and "33052119450303002X" not in said
    assert resident_by_key(w, "33052119450303002X").id == first.id  # the ID number still says which
    assert resident_by_key(w, second.id).id == second.id


def test_a_name_whose_duplicate_was_merged_finds_the_record_it_went_into(tmp_path):
    t = make_township(tmp_path)
    kept = clerk_elder(t, "李建国")
    gone = clerk_elder(t, "李建国")
    merge_residents(t.db, kept.id, gone.id)  # (merged at the township, where duplicates are reviewed)
    assert resident_by_key(t.db, "李建国").id == kept.id


def test_no_such_name_says_what_was_looked_for(tmp_path):
    t = make_township(tmp_path)
    w = t.worker("王芳", "G01")
    with pytest.raises(UserError, match="没有姓名、身份证号或记录编号为 赵无此人 的对象"):
        from storage.core.i18n import set_language

        set_language("zh_CN")
        try:
            resident_by_key(w, "赵无此人")
        finally:
            set_language("en")


@pytest.mark.parametrize("command, shown", [(["close", "--help"], "moved_away（迁出）、deceased（去世）"),
                                            (["visit", "correct", "--help"], "home（入户探访）、phone（电话探访）")])
def test_a_commands_help_names_each_code_in_the_users_language(command, shown, capsys):
    """`close --help` listed aged_out, moved_away, deceased… alone, though the names are taken too (--reason 迁出)."""
    with pytest.raises(SystemExit):
        main(["--lang", "zh_CN", *command])
    out = "".join(capsys.readouterr().out.split())  # (its lines joined: a line may break after 、)
    assert shown in out, out


def test_two_records_merged_into_each_other_are_not_found_and_do_not_hang_the_lookup(tmp_path):
    """Two devices, each merging one record into the other, unseen (tests/test_merged_risk.py): neither is on the
    register. The command line's lookup followed merged_into while there was one: round the two for ever."""
    from storage.core.errors import UserError

    t = make_township(tmp_path)
    a, b = clerk_elder(t, "李建国"), clerk_elder(t, "李建国")
    merge_residents(t.db, a.id, b.id)
    with t.db.engine.begin() as conn:  # the other device's merge, the other way round, as a merge would fold it
        conn.exec_driver_sql("UPDATE resident SET merged_into = ? WHERE id = ?", (b.id, a.id))
    with pytest.raises(UserError):
        resident_by_key(t.db, a.id)
