"""The CLI's date options read a date as the forms do (2019-05, 2019年5月, 2019/5/3), and say in one line when
they cannot: `--from 2019/05/01` was an argparse error (usage, exit 2) though the form took it. One that cannot
be read is a bad argument (exit 2, DESIGN §3), said in one line without argparse's usage; a date read well that
the records refuse is a user error (exit 1)."""

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
                           "categories": ["severely_disabled"], "registered_on": dt.date(2025, 6, 1)},
                      today=china_today())
    db.dispose()
    return tmp_path / "w.db"


def _run(db_path, *args, lang="en"):
    return main(["--db", str(db_path), "--lang", lang, *args])


def _benefit_starts(db_path) -> list[dt.date | None]:
    db = open_database(db_path)
    with db.session() as s:
        starts = sorted(b.start_on for b in s.exec(select(Benefit)).all())
    db.dispose()
    return starts


@pytest.mark.parametrize("typed", ["2019-05", "2019年5月", "2019/5", "２０１９年５月"])
def test_benefit_from_a_year_and_month_is_the_first_of_the_month(db_path, typed):
    """A 两项补贴 certificate gives a start month: the form saves its first day, and so does --from."""
    assert _run(db_path, "benefit", "add", CARD_ID, "care_subsidy", "--from", typed) == 0
    assert _benefit_starts(db_path) == [dt.date(2019, 5, 1)]


@pytest.mark.parametrize("typed", ["2019/5/3", "2019年5月3日", "2019.5.3", "20190503", "2019-05-03"])
def test_benefit_from_and_to_as_people_type_them(db_path, typed):
    assert _run(db_path, "benefit", "add", CARD_ID, "care_subsidy", "--from", typed, "--to", "2019年12月31日") == 0
    db = open_database(db_path)
    with db.session() as s:
        b = s.exec(select(Benefit)).one()
    db.dispose()
    assert (b.start_on, b.end_on) == (dt.date(2019, 5, 3), dt.date(2019, 12, 31))


@pytest.mark.parametrize(("typed", "since"), [("2019/5/3", dt.date(2019, 5, 3)), ("2019年5月", dt.date(2019, 5, 1)),
                                              ("2026-01-01", dt.date(2026, 1, 1))])
def test_pair_since_as_the_form_reads_it(db_path, typed, since):
    assert _run(db_path, "pair", CARD_ID, "--name", "李梅", "--since", typed) == 0
    db = open_database(db_path)
    with db.session() as s:
        assert s.exec(select(Resident)).one().helper_since == since
    db.dispose()


def test_close_on_as_people_type_it(db_path):
    assert _run(db_path, "close", CARD_ID, "--reason", "moved_away", "--on", "2026年1月5日") == 0
    db = open_database(db_path)
    with db.session() as s:
        assert s.exec(select(Resident)).one().closed_on == dt.date(2026, 1, 5)
    db.dispose()


@pytest.mark.parametrize(("lang", "said"), [("en", "--from: There is no month 13"), ("zh_CN", "--from：")])
def test_a_date_that_is_not_one_is_one_line_in_the_users_language_and_exit_2(db_path, capsys, lang, said):
    assert _run(db_path, "benefit", "add", CARD_ID, "care_subsidy", "--from", "2019-13-01", lang=lang) == 2
    err = capsys.readouterr().err
    assert err.strip().count("\n") == 0 and said in err, err
    assert "usage" not in err and "用法" not in err
    assert _benefit_starts(db_path) == []


def test_a_word_is_refused_with_the_forms_sentence(db_path, capsys):
    assert _run(db_path, "pair", CARD_ID, "--name", "李梅", "--since", "last spring", lang="zh_CN") == 2
    err = capsys.readouterr().err
    assert err.startswith("gridcare：--since：") and err.count("\n") == 1, err


@pytest.mark.parametrize("typed", ["2026年9月", "2026/9", "2026-09"])
def test_report_month_as_people_write_it(db_path, capsys, typed):
    from storage.reports.months import parse_month

    assert parse_month(typed) == (2026, 9)
    assert _run(db_path, "report", "--month", typed) == 0


def test_report_month_that_is_not_one_is_one_line_and_exit_2(db_path, capsys):
    """DESIGN §3: exit 2 on bad arguments (before: 1, as if the month were the data's fault)."""
    assert _run(db_path, "report", "--month", "2026-13") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--month" in err, err
    # a month read well that has not begun is the data's answer: a user error, exit 1
    assert _run(db_path, "report", "--month", "2099-01", lang="zh_CN") == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "2099-01" in err and "用法" not in err, err


# every option whose value is read by hand (tui/date_options.py), each given a value that is no date or month
UNREADABLE = [
    ("report", "--month", "2026-13"),
    ("report", "--month", "十一月"),
    ("benefit", "add", CARD_ID, "care_subsidy", "--from", "2019-13-01"),
    ("benefit", "add", CARD_ID, "care_subsidy", "--to", "2019-02-30"),
    ("benefit", "end", "0123456789abcdef", "--on", "someday"),
    ("pair", CARD_ID, "--name", "李梅", "--since", "2019-00"),
    ("close", CARD_ID, "--reason", "moved_away", "--on", "3000-01-01"),
    ("visit", "correct", "0123456789abcdef", "--date", "2026/11/31"),
    ("visit", "correct", "0123456789abcdef", "--next", ""),
]


@pytest.mark.parametrize("args", UNREADABLE, ids=[" ".join(a[-2:]) for a in UNREADABLE])
def test_every_date_or_month_option_that_cannot_be_read_exits_2_in_one_chinese_line(tmp_path, db_path, args):
    """Through the real command line, in its default language: one line naming the option, exit 2, no usage."""
    from tests.test_cli import run

    before = db_path.read_bytes()
    out = run("--db", str(db_path), *args, tmp_path=tmp_path, env={"LANG": "C"})
    option = args[-2]
    assert out.returncode == 2, (out.returncode, out.stderr)
    assert out.stderr.startswith(f"gridcare：{option}：") and out.stderr.count("\n") == 1, out.stderr
    assert "用法" not in out.stderr and out.stdout == ""
    assert db_path.read_bytes() == before
