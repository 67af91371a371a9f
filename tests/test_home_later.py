"""Home's benefit lists and duplicates' count follow its first figures at start-up (storage/register/home_later.py)."""

from __future__ import annotations

from textual.widgets import Static

from storage.core.i18n import set_language
from storage.register.home import home_data
from tests.pilot_helpers import run_async, settle
from tests.register_helpers import TODAY, make_register_db
from tui.app import make_app


def _name(app, pane: str) -> str:
    return str(app.screen.query_one(f"#name-{pane}", Static).render())


@run_async
async def test_the_benefit_lists_are_not_waited_for_and_settle_as_a_full_read(tmp_path):
    """Home's first figures waited for the benefit lists (~35 ms of every start of a township's app, bench/m_startup.py):
    they are shown without those two tabs' counts, which come a moment later, the same as any later read's."""
    db = make_register_db(tmp_path / "w.db")
    full = home_data(db, TODAY)
    db.dispose()
    assert full.counts["benefits"] and full.counts["unpaired"]
    first: dict[str, str] = {}

    def milestone(app, name: str) -> None:
        if name == "data":  # Home's first figures on screen
            first.update(benefits=_name(app, "benefits"), overdue=_name(app, "overdue"))

    app = make_app(db.path, lang="en", today=TODAY, milestone=milestone)
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot, lambda: app.db is not None and "(" in _name(app, "benefits"))
            assert first["overdue"] == f"Overdue visits ({full.counts['overdue']})"  # the first figures: there
            assert first["benefits"] == "Benefits not received, or ending soon"  # the later ones: not yet
            assert _name(app, "benefits") == f"Benefits not received, or ending soon ({full.counts['benefits']})"
            assert _name(app, "unpaired") == f"Not paired with a helper ({full.counts['unpaired']})"
            assert app.screen.data == full
    finally:
        set_language("zh_CN")
