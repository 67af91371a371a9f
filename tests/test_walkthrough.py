"""A worker's day walked in the real app with the keyboard alone, in Chinese (issue #13, "How we will know"):
Home's first overdue person, a visit logged, the page and Home showing it, Sync counting it.

Every main screen in both languages is walked by tests/test_language_switch.py; this module also holds the
helpers that read the screen as text.
"""

from __future__ import annotations

import html
import re

import pytest

from storage.core.i18n import set_language
from tests.pilot_helpers import run_async
from tests.pilot_helpers import settle as at_rest
from tests.register_helpers import TODAY, make_register_db
from tui.app import make_app

# Latin words a Chinese screen may show: key names, file names and kinds (township-CODE.pub, county-CODE.pub),
# the pinyin examples of the search box (full pinyin and initials)
ALLOWED = {
    "esc", "Esc", "Enter", "Tab", "Shift", "Space", "Ctrl", "Backspace", "Delete", "del", "PgUp", "PgDn", "Home", "End",
    "db", "township", "county", "pub", "xlsx", "csv", "XLSX", "CSV", "SVG", "gcb", "gridcare", "zhang", "zs", "USB",
}
WORD = re.compile(r"[A-Za-z]{2,}")
COMMAND = re.compile(r"gridcare [a-z-]+")  # a command to type ("gridcare policy") is not translated
HEX = re.compile(r"\b[0-9a-f]*[0-9][0-9a-f]*\b")  # a device id or key fingerprint: data, not words
# a key fingerprint as shown ("6301 74e2 cddc 26e3"): a group may hold letters only, which HEX leaves as a "word"
FINGERPRINT = re.compile(r"(?:\b[0-9a-f]{4}\b\s?){2,}")
# the footer's language key, named by the language it switches to in that language's word (tui/footer.py)
LANGUAGE_KEY = re.compile(r"f2\s*(?:English|中文)")


def screen_text(app, sep: str = "") -> str:
    """Everything drawn on the terminal, as text (from the app's own SVG screenshot).

    `sep` goes between the pieces of a row the SVG draws apart (a footer key and the next one's
    word touch in the SVG's text: "XLSXesc" is two words on screen).
    """
    svg = app.export_screenshot()
    rows: dict[float, list[tuple[float, str]]] = {}
    for m in re.finditer(r'<text class="[^"]*" x="([\d.]+)" y="([\d.]+)"[^>]*>(.*?)</text>', svg):
        rows.setdefault(float(m.group(2)), []).append((float(m.group(1)), html.unescape(m.group(3))))
    return "\n".join(sep.join(t for _x, t in sorted(cells)).replace("\xa0", " ") for _y, cells in sorted(rows.items()))


def english_words(text: str) -> set[str]:
    text = COMMAND.sub(" ", HEX.sub(" ", FINGERPRINT.sub(" ", LANGUAGE_KEY.sub(" ", text))))
    return {w for w in WORD.findall(text) if w not in ALLOWED}


async def settle(pilot) -> None:
    await at_rest(pilot)


@pytest.fixture
def zh(monkeypatch):
    """Chinese, and the Sync screen's folder a Chinese one: a path is data, like the database's name."""
    from pathlib import Path

    import screens.sync

    monkeypatch.setattr(screens.sync, "suggested_folder", lambda db, action: Path("U盘"))
    set_language("zh_CN")
    yield
    set_language("en")


@run_async
async def test_a_workers_day_with_the_keyboard_alone(tmp_path, monkeypatch, zh):
    from sqlmodel import select

    from screens.home import HomeScreen
    from screens.resident import ResidentScreen
    from screens.visit_form import VisitFormScreen
    from storage.core.models import Resident, Visit

    db = make_register_db(tmp_path / "w.db")
    with db.session() as s:
        first = s.exec(select(Resident).where(Resident.name == "赵淑珍")).one()
    db.dispose()
    monkeypatch.chdir(tmp_path)
    app = make_app("w.db", lang="zh_CN", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        home = app.screen
        assert isinstance(home, HomeScreen)
        overdue_before = home.data.counts["overdue"]
        # the cursor is in the overdue list: Enter opens its first person (the most at risk)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ResidentScreen) and app.screen.resident_id == first.id
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, VisitFormScreen)
        await pilot.press("tab", "tab", "tab")  # the cursor starts in the date (today's): on to 方式, 探访人, 访谈对象
        await pilot.press(*"本人")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ResidentScreen)
        latest = app.screen.profile.visits[0]
        assert (latest.visit_date, latest.method, latest.met_with) == (TODAY, "home", "本人")
        assert "最近有效探访 11月24日" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert app.screen.data.counts["overdue"] == overdue_before - 1
        await pilot.press("6")  # 最近: the visit just logged is on top
        await settle(pilot)
        assert "赵淑珍" in screen_text(app).split("探访日期", 1)[1].splitlines()[1]
        await pilot.press("s")
        await settle(pilot)
        assert "4 次探访" in app.screen.pending_summary  # three from the register's history, one today
    from storage.core.db import open_database

    again = open_database(tmp_path / "w.db")
    with again.session() as s:
        assert s.exec(select(Visit).where(Visit.resident_id == first.id, Visit.visit_date == TODAY)).one()
    again.dispose()
