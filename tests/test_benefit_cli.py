"""`gridcare benefit list|add|end` and `gridcare pair`: the resident page's b and p from the command line."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from storage.core.china_day import china_today
from storage.core.db import open_database
from storage.core.models import Benefit, Resident
from storage.register.residents import register_resident
from tests.foundation_helpers import make_db
from tui.cli import main

CARD_ID = "11010519491231002X"


@pytest.fixture
def db_path(tmp_path):
    db = make_db(tmp_path / "w.db")
    register_resident(db, {"name": "赵淑珍", "id_number": CARD_ID, "disability_card": CARD_ID + "41",
                           "categories": ["severely_disabled"]}, today=china_today())
    db.dispose()
    return tmp_path / "w.db"


def _run(db_path, *args):
    return main(["--db", str(db_path), "--lang", "en", *args])


def test_add_list_end_a_benefit_by_id_number(db_path, capsys):
    assert _run(db_path, "benefit", "add", CARD_ID.lower(), "care_subsidy", "--from", "2025-06-01", "--note", "按月") == 0
    out = capsys.readouterr().out
    assert "Recorded Care subsidy for severely disabled people for 赵淑珍" in out
    assert _run(db_path, "benefit", "list", CARD_ID) == 0
    listed = capsys.readouterr().out
    assert "since Jun 1, 2025" in listed and "in force" in listed
    db = open_database(db_path)
    with db.session() as s:
        [b] = s.exec(select(Benefit)).all()
    db.dispose()
    assert _run(db_path, "benefit", "end", b.id, "--on", "2026-01-31") == 0
    assert "ends on Jan 31, 2026" in capsys.readouterr().out  # a day in a sentence, as English writes it
    assert _run(db_path, "benefit", "list", CARD_ID) == 0
    assert "Eligible, not recorded as receiving: Care subsidy" in capsys.readouterr().out


def test_user_errors_are_one_line_and_exit_1(db_path, capsys):
    assert _run(db_path, "benefit", "add", CARD_ID, "pension") == 1
    err = capsys.readouterr().err
    assert err.strip().count("\n") == 0
    # which kind was not one, and the kinds that are (it said only "Choose which assistance or subsidy.")
    assert "Unknown assistance or subsidy pension: choose one of" in err and "Temporary assistance" in err
    assert _run(db_path, "benefit", "add", CARD_ID, "Temporary assistance") == 0  # its name, as --reason takes
    capsys.readouterr()
    assert _run(db_path, "benefit", "add", "110105194912310021", "dibao") == 1  # a wrong check digit
    assert _run(db_path, "benefit", "add", "no-such-record", "dibao") == 1
    assert "No resident" in capsys.readouterr().err
    assert _run(db_path, "benefit", "end", "no-such-record") == 1
    capsys.readouterr()
    # a date that is not one is a bad argument, said in one line (2025/06/01 is read as the form reads it)
    assert _run(db_path, "benefit", "add", CARD_ID, "dibao", "--from", "2025/06/31") == 2
    assert capsys.readouterr().err.strip().count("\n") == 0


def test_pair_and_unpair(db_path, capsys):
    assert _run(db_path, "pair", CARD_ID, "--name", "李梅", "--phone", "138 0000 2222", "--unit", "村委会",
                "--since", "2026-01-01") == 0
    assert "赵淑珍 is paired with 李梅" in capsys.readouterr().out
    db = open_database(db_path)
    with db.session() as s:
        r = s.exec(select(Resident)).one()
        assert (r.helper_name, r.helper_phone, r.helper_since) == ("李梅", "13800002222", dt.date(2026, 1, 1))
    assert _run(db_path, "pair", CARD_ID) == 1
    assert _run(db_path, "pair", CARD_ID, "--end") == 0
    with db.session() as s:
        assert s.exec(select(Resident)).one().helper_name == ""
    db.dispose()
