"""A county only merges and reports (DESIGN §2): every command that would change a record, export or take a
township's key at a county is one line and exit 1, and changes nothing; its screens offer no key that writes."""

from __future__ import annotations

import pytest
from sqlmodel import select

from storage.core.changes import writer
from storage.core.db import open_database
from storage.core.errors import UserError
from storage.core.models import Resident
from storage.register.benefits import record_benefit
from storage.register.duplicates import merge_residents
from storage.register.residents import close_case
from storage.sync.merge import merge_paths
from tests.county_helpers import TODAY, busy_township, make_county, record_dump
from tests.pilot_helpers import run_async, settle
from tui.cli import main

NO_CHANGES = "A county database only merges and reports: changes are made at the township."
NO_EXPORT = "A county database does not export: it merges its townships' bundles and reports."


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    """A county with one township's records merged: a closed case, a benefit, two residents merged into one."""
    tmp = tmp_path_factory.mktemp("county")
    c = make_county(tmp / "county.db", tmp / "county.pub")
    t = busy_township(tmp, "330521101", tmp / "county.pub", n=3, county=c)
    with t.db.session() as s:
        people = sorted(s.exec(select(Resident)).all(), key=lambda r: r.name)
    ids = [p.id for p in people]
    close_case(t.db, ids[0], "moved_away", TODAY, today=TODAY)
    benefit = record_benefit(t.db, ids[1], "dibao", start_on=TODAY, today=TODAY)
    merge_residents(t.db, ids[2], ids[3])
    assert merge_paths(c, [t.to_county(tmp / "up")]).refused == []
    (tmp / "roster.csv").write_text("姓名,身份证号,对象类别,网格\n测试,11010519491231002X,独居老年人,G01\n", encoding="utf-8")
    c.dispose()
    t.close()
    return {"tmp": tmp, "db": str(tmp / "county.db"), "ids": ids, "benefit": benefit.id,
            "key": tmp / "township-330521101.pub"}


def _commands(c) -> dict[str, tuple[tuple[str, ...], str]]:
    closed, active, kept, merged, other = c["ids"][:5]
    assert kept
    roster = str(c["tmp"] / "roster.csv")
    return {
        "close": (("close", active, "--reason", "deceased"), NO_CHANGES),
        "reopen": (("reopen", closed), NO_CHANGES),
        "pair": (("pair", active, "--name", "某"), NO_CHANGES),
        "benefit add": (("benefit", "add", other, "tekun"), NO_CHANGES),
        "benefit end": (("benefit", "end", c["benefit"]), NO_CHANGES),
        "roster import": (("roster", "import", roster), NO_CHANGES),
        "roster import --dry-run": (("roster", "import", "--dry-run", roster), NO_CHANGES),
        "duplicates merge": (("duplicates", "merge", active, other), NO_CHANGES),
        "duplicates undo": (("duplicates", "undo", merged), NO_CHANGES),
        "villages set": (("villages", "set", "G01", "--name", "某村"), NO_CHANGES),
        "demo": (("demo",), "demo fills a worker's or a township's database"),
        "export": (("export", "--out", str(c["tmp"])), NO_EXPORT),
        "export --grid": (("export", "--grid", "G01", "--out", str(c["tmp"])), NO_EXPORT),
        "export --county": (("export", "--county", "--out", str(c["tmp"])), NO_EXPORT),
        "township-key": (("township-key", str(c["key"])), NO_EXPORT),
    }


# (`policy set` and `emergencies ack` were refused at a county already, each with its own words)
COMMANDS = ["close", "reopen", "pair", "benefit add", "benefit end", "roster import", "roster import --dry-run",
            "duplicates merge", "duplicates undo", "villages set", "demo", "export",
            "export --grid", "export --county", "township-key"]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_write_at_a_county_is_one_line_exit_1_and_changes_nothing(county, command, capsys):
    args, words = _commands(county)[command]
    db = open_database(county["db"])
    before = record_dump(db)
    assert '"status":"closed"' in before and '"merged_into":' in before  # what reopen and undo would change
    status = main(["--db", county["db"], "--lang", "en", *args])
    err = capsys.readouterr().err.strip()
    assert status == 1 and len(err.splitlines()) == 1 and err.startswith("gridcare: ") and words in err, err
    assert record_dump(db) == before
    db.dispose()


def test_the_county_message_is_translated(county, capsys):
    assert main(["--db", county["db"], "--lang", "zh_CN", "close", county["ids"][1], "--reason", "deceased"]) == 1
    err = capsys.readouterr().err
    assert "县级" in err and "乡镇" in err and "changes" not in err
    assert main(["--db", county["db"], "--lang", "zh_CN", "export"]) == 1
    err = capsys.readouterr().err
    assert "县级" in err and "export" not in err and "township-key" not in err


def test_storage_refuses_a_change_of_its_own_at_a_county(county):
    db = open_database(county["db"])
    before = record_dump(db)
    with pytest.raises(UserError, match="only merges and reports"), db.write() as s:
        writer(s).write("resident", county["ids"][1], {"phone": "13900000000"})
    assert record_dump(db) == before
    db.dispose()


@run_async
async def test_the_county_resident_page_offers_no_key_that_writes(county):
    from screens.resident import ResidentScreen
    from tui.app import make_app

    app = make_app(county["db"], lang="en", today=TODAY)
    db = open_database(county["db"])
    before = record_dump(db)
    person = county["ids"][4]
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(ResidentScreen(person))
        await settle(pilot, lambda: app.screen.profile is not None)
        screen = app.screen
        shown = {b.binding.action for b in screen.active_bindings.values()}
        writes = {"new_visit", "edit", "change_risk", "open_referral", "referral_status", "close_case", "reopen_case",
                  "benefits", "paired_helper"}
        assert not shown & writes, shown
        assert "back" in shown
        page = "\n".join(str(w.render()) for w in screen.query("Static"))
        assert "press b" not in page and "press p" not in page and "b: record" not in page
        for key in ("n", "e", "r", "f", "c", "x", "b", "p"):
            await pilot.press(key)
            await settle(pilot)
            assert app.screen is screen, key  # no form, dialog or other screen opened
    assert record_dump(db) == before
    db.dispose()


@run_async
async def test_the_county_palette_and_lists_offer_no_write(county):
    from screens.conflicts import ConflictsScreen
    from screens.duplicates import DuplicatesScreen
    from screens.residents import ResidentsScreen
    from screens.villages import VillagesScreen
    from tui.app import make_app
    from tui.commands import palette_commands

    app = make_app(county["db"], lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        helps = {title: help_text for title, help_text, _ in palette_commands(app)}
        assert "Export" not in helps["Sync"] and "Today" not in helps["Home"], helps
        assert "put a grid in a village" not in helps["Villages"]
        for screen_class, writes in ((ResidentsScreen, {"new_resident"}), (ConflictsScreen, {"keep", "take", "type_value"}),
                                     (DuplicatesScreen, {"merge", "swap", "undo"}), (VillagesScreen, {"assign"})):
            app.push_screen(screen_class())
            await settle(pilot)
            shown = {b.binding.action for b in app.screen.active_bindings.values()}
            assert not shown & writes, (screen_class.__name__, shown)
            app.pop_screen()
            await settle(pilot)
        app.push_screen(VillagesScreen())
        await settle(pilot)
        screen = app.screen
        await pilot.press("enter")  # on a row: opens no village dialog
        await settle(pilot)
        assert app.screen is screen



@run_async
async def test_the_county_register_says_each_rows_township_within_80_columns(county):
    """At a county one name is many people's across 20 townships: `r` on its Home opens the register, whose rows
    say their township (the township's own name, in the age's place), and its six columns still fit 80×24 in
    Chinese without scrolling sideways."""
    from textual.widgets import DataTable

    from screens.residents import ResidentsScreen
    from storage.core.i18n import set_language
    from tests.pilot_helpers import on_screen
    from tui.app import make_app

    db = open_database(county["db"])
    with db.session() as s:
        from storage.core.models import Township

        names = {t.id: t.name for t in s.exec(select(Township)).all()}
    db.dispose()
    assert names.get("330521101")
    app = make_app(county["db"], lang="zh_CN", today=TODAY)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.press("r")
            await on_screen(pilot, ResidentsScreen)
            table = app.screen.query_one(DataTable)
            await settle(pilot, lambda: table.row_count > 3)
            assert [str(c.label) for c in table.columns.values()][2] == "乡镇"
            assert {str(table.get_row_at(i)[2]) for i in range(table.row_count)} == {names["330521101"]}
            assert table.virtual_size.width <= table.scrollable_content_region.width, table.virtual_size
    finally:
        set_language("en")
