"""A township or county set up without a person's name signs its work with its office ("Township clerk"), stored as
text in the language of the set-up: every line that prints it names the office in the reader's language, while a
name the clerk typed is printed as typed."""

from __future__ import annotations

import datetime as dt

import pytest

from storage.core.i18n import set_language
from storage.register.residents import update_resident
from storage.sync.export import export_bundle
from storage.sync.merge import merge_paths
from tests.sync_helpers import elder, make_township
from tui.cli import main

TODAY = dt.date(2026, 11, 24)


def _clerk_against_worker(tmp_path, set_up_in: str):
    """A township set up in `set_up_in` whose clerk changed a resident's phone while its worker changed it too."""
    set_language(set_up_in)
    t = make_township(tmp_path)
    set_language("en")
    worker = t.worker("王芳", "G01")
    r = elder(worker, "陈桂英", phone="13900000001")
    merge_paths(t.db, [export_bundle(worker, tmp_path / "out").path])
    update_resident(t.db, r.id, {"phone": "13900000002"}, today=TODAY)
    update_resident(worker, r.id, {"phone": "13900000003"}, today=TODAY)
    merge_paths(t.db, [export_bundle(worker, tmp_path / "out").path])
    return t


@pytest.mark.parametrize(("set_up_in", "read_in", "office", "other"), [
    ("en", "zh_CN", "乡镇民政助理员", "Township clerk"), ("zh_CN", "en", "Township clerk", "乡镇民政助理员")])
def test_conflicts_name_the_clerks_office_in_the_readers_language(tmp_path, capsys, set_up_in, read_in, office,
                                                                   other):
    t = _clerk_against_worker(tmp_path, set_up_in)
    assert main(["--db", str(t.db.path), "--lang", read_in, "conflicts"]) == 0
    out = capsys.readouterr().out
    assert "13900000002" in out and "王芳" in out, out
    assert office in out and other not in out, out


def test_the_policy_names_the_clerks_office_in_the_readers_language(tmp_path, capsys):
    t = make_township(tmp_path)  # set up in English: its clerk signs as "Township clerk"
    assert main(["--db", str(t.db.path), "--lang", "en", "policy", "set", "--every", "high=3"]) == 0
    capsys.readouterr()
    assert main(["--db", str(t.db.path), "--lang", "zh_CN", "policy"]) == 0
    out = capsys.readouterr().out
    assert "乡镇民政助理员" in out and "Township clerk" not in out, out


def test_a_name_the_clerk_typed_is_printed_as_typed(tmp_path, capsys):
    from storage.core.db import open_database
    from storage.core.identity import init_township

    db = open_database(tmp_path / "t.db")
    init_township(db, "330521101", "新市镇", tmp_path / "t.pub", clerk_name="李秀英")
    assert main(["--db", str(db.path), "--lang", "zh_CN", "policy", "set", "--every", "high=3"]) == 0
    capsys.readouterr()
    assert main(["--db", str(db.path), "--lang", "en", "policy"]) == 0
    out = capsys.readouterr().out
    assert "李秀英" in out and "Township clerk" not in out, out


def test_a_new_visit_proposes_the_office_in_the_readers_words(tmp_path):
    """Seen at 80×24 in Chinese: a township set up in English proposed "Township clerk" as a visit's visitor."""
    from types import SimpleNamespace

    from screens.visit_values import proposed_visitor

    set_language("zh_CN")
    assert proposed_visitor(SimpleNamespace(worker_name="Township clerk")) == "乡镇民政助理员"
    assert proposed_visitor(SimpleNamespace(worker_name="李秀英")) == "李秀英"
    set_language("en")
    assert proposed_visitor(SimpleNamespace(worker_name="乡镇民政助理员")) == "Township clerk"
