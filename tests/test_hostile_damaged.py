"""A database file damaged where SQLite keeps the names of its tables (a disk that failed while copying, a stick
pulled out): the command line says so in one line with exit status 1, and the app opens on the backups to restore
one (screens/refused.py), as for any damaged file.

Before: the names read back as bytes that are not UTF-8, and Python's decoding of them failed rather than
SQLite's read: `gridcare --db FILE policy` ended in "an unexpected error" (exit 70), and the app showed "Something
went wrong" over "Opening …" (Home's first figures and the open both read the names), with no way to its backups.
"""

from __future__ import annotations

import sqlite3

import pytest

from storage.core.errors import UserError
from tests.pilot_helpers import on_screen, run_async, settle
from tests.register_helpers import TODAY
from tests.test_backup import _damage
from tests.test_cli import run
from tests.test_refused_open import _intro, _register_with_a_backup, no_daily_backup  # noqa: F401  (a fixture)
from tui.app import make_app


def _damaged(tmp_path):
    path, _names, taken = _register_with_a_backup(tmp_path, "")
    _damage(path)
    with pytest.raises(UnicodeDecodeError):  # the damage these tests are about: not SQLite's error, Python's
        sqlite3.connect(path).execute("SELECT name FROM sqlite_master").fetchall()
    return path, taken


def test_the_open_and_homes_first_figures_say_it_is_damaged(tmp_path):
    from storage.core.db import open_database
    from storage.register.home import quick_reader

    path, _taken = _damaged(tmp_path)
    before = path.read_bytes()
    assert quick_reader(path) is None  # the full open says why
    with pytest.raises(UserError, match="is not a gridcare database or is damaged"):
        open_database(path)
    assert path.read_bytes() == before


@pytest.mark.parametrize(("lang", "said"), [("en", "is not a gridcare database or is damaged"),
                                             ("zh_CN", "不是 gridcare 数据库，或已损坏")])
def test_the_command_line_says_so_in_one_line_with_exit_status_1(tmp_path, lang, said):
    path, _taken = _damaged(tmp_path)
    out = run("--lang", lang, "--db", str(path), "policy", tmp_path=tmp_path)
    assert out.returncode == 1, out.stderr
    assert said in out.stderr and len(out.stderr.strip().splitlines()) == 1


@run_async
async def test_the_app_opens_on_the_backups_not_on_something_went_wrong(tmp_path):
    path, _taken = _damaged(tmp_path)
    app = make_app(path, lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, "RefusedScreen")
        assert "is not a gridcare database or is damaged" in _intro(app), _intro(app)
        await pilot.press("q")


# text that is not UTF-8 where a name was (a damaged page's bytes, or a hand's edit with the sqlite3 shell)
NOT_UTF8 = "UPDATE resident SET name = CAST(x'e78e8bff' AS TEXT)"
DAMAGED = {"en": "The database file is damaged: put back a backup",
           "zh_CN": "数据库文件已损坏：请从备份恢复"}


def _worker_with_text_not_utf8(tmp_path):
    from tests.sync_helpers import elder, make_township

    worker = make_township(tmp_path).worker("王芳", "G01")
    elder(worker, "钟永安")
    worker.dispose()
    conn = sqlite3.connect(worker.path)
    conn.execute(NOT_UTF8)
    conn.commit()
    conn.close()
    return worker.path


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_text_that_is_not_utf8_is_said_as_damage_by_every_reader_in_one_line(tmp_path, lang):
    """Before: `dump` and `report` ended in "an unexpected error" (exit 70: SQLite's driver could not decode it)."""
    path = _worker_with_text_not_utf8(tmp_path)
    for args in (["dump"], ["report", "--month", "2026-11"]):
        out = run("--lang", lang, "--db", str(path), *args, tmp_path=tmp_path)
        assert out.returncode == 1, (args, out.stderr)
        assert DAMAGED[lang] in out.stderr and len(out.stderr.strip().splitlines()) == 1, (args, out.stderr)


@run_async
async def test_home_and_the_register_say_the_damage_in_place_of_their_figures(tmp_path):
    """Before: Home said "Something went wrong: Could not decode to UTF-8 column 'name' with text '���'" and the
    register's search "The search failed: …" with the same words, the way back (b, a backup) unsaid."""
    from textual.widgets import Static

    from screens.residents import ResidentsScreen

    path = _worker_with_text_not_utf8(tmp_path)
    app = make_app(path, lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, "HomeScreen")
        home = app.screen
        figures = lambda: str(home.query_one("#progress", Static).content).replace("\n", " ")  # noqa: E731
        await settle(pilot, lambda: DAMAGED["en"] in figures())
        await pilot.press("r")
        await on_screen(pilot, ResidentsScreen)
        summary = lambda: str(app.screen.query_one("#summary", Static).content)  # noqa: E731
        await settle(pilot, lambda: DAMAGED["en"] in summary())


NO_DATE = {"letters": "UPDATE resident SET birth_date = 'x'",
           "a day no month has": "UPDATE resident SET birth_date = '1945-13-45'",
           "a number": "UPDATE resident SET birth_date = 1945.5"}


@pytest.mark.parametrize("sql", NO_DATE.values(), ids=NO_DATE.keys())
def test_a_date_column_holding_no_date_is_said_as_damage_naming_the_record(tmp_path, sql):
    """Before: `dump` and `report` ended in "an unexpected error" (exit 70): SQLAlchemy's reader of the column, and
    the report's own (storage/register/report_query.py as_date), failed on it."""
    from tests.sync_helpers import elder, make_township

    worker = make_township(tmp_path).worker("王芳", "G01")
    person = elder(worker, "钟永安")
    worker.dispose()
    conn = sqlite3.connect(worker.path)
    conn.execute(sql)
    conn.commit()
    conn.close()
    for args in (["dump"], ["report", "--month", "2026-11"]):
        out = run("--lang", "en", "--db", str(worker.path), *args, tmp_path=tmp_path)
        assert out.returncode == 1, (args, out.stderr)
        assert f"The database file is damaged: the Resident record {person.id} holds a value that cannot be read" \
            in out.stderr and len(out.stderr.strip().splitlines()) == 1, (args, out.stderr)
