"""A form given text no database stores (a pasted NUL, half a character from a Windows console), on the real app.

What the worker sees is what is saved: the NUL (invisible) removed, a lone surrogate as U+FFFD. Before: the
NUL was saved as pasted (a PostgreSQL county then refused the township's whole bundle), and a lone surrogate
failed the draft's writer on every change and the save with an unexpected error (StatementError).
"""

from __future__ import annotations

import datetime as dt

from sqlmodel import select
from textual import events
from textual.widgets import Input, TextArea

from storage.core.models import Resident, Visit
from storage.register import drafts
from tests.pilot_helpers import on_screen, run_async, settle
from tests.register_helpers import make_register_db, resident_id
from tui.app import make_app

TODAY = dt.date(2026, 11, 24)


async def paste(pilot, text: str) -> None:
    """As a terminal's bracketed paste arrives: to the app, which hands it to the focused field."""
    pilot.app.post_message(events.Paste(text))
    await settle(pilot)


@run_async
async def test_a_resident_form_saves_pasted_nul_and_half_characters_cleaned(tmp_path):
    db = make_register_db(tmp_path / "w.db", visits=False)
    rid = resident_id(db, "王桂英")
    app = make_app(db.path, lang="en", today=TODAY)
    async with app.run_test(size=(100, 40)) as pilot:
        await on_screen(pilot, "HomeScreen")
        app._open_resident(rid)
        await on_screen(pilot, "ResidentScreen")
        await pilot.press("e")
        await on_screen(pilot, "ResidentFormScreen")
        address = app.screen.query_one("#address", Input)
        address.focus()
        address.value = ""
        await paste(pilot, "东村\x001号")
        notes = app.screen.query_one("#notes", TextArea)
        notes.focus()
        await paste(pilot, "腿脚\ud800不便")

        def drafted():
            draft = drafts.load_draft(db.local_path, rid, "resident")
            return draft is not None and draft.values.get("notes") == "腿脚\ufffd不便"

        await settle(pilot, drafted)  # the draft is written as the save will be (it failed on every change before)
        assert drafts.load_draft(db.local_path, rid, "resident").values["address"] == "东村1号"
        await pilot.press("ctrl+s")
        await on_screen(pilot, "ResidentScreen")
    with db.session() as s:
        saved = s.get(Resident, rid)
        assert (saved.address, saved.notes) == ("东村1号", "腿脚\ufffd不便")


@run_async
async def test_a_visit_form_saves_pasted_nul_cleaned(tmp_path):
    from screens.visit_form import VisitFormScreen

    db = make_register_db(tmp_path / "w.db", visits=False)
    rid = resident_id(db, "王桂英")
    app = make_app(db.path, lang="en", today=TODAY)
    async with app.run_test(size=(100, 40)) as pilot:
        await on_screen(pilot, "HomeScreen")
        app.push_screen(VisitFormScreen(rid))
        await on_screen(pilot, "VisitFormScreen")
        met = app.screen.query_one("#met_with", Input)
        met.focus()
        await paste(pilot, "本人\x00")
        notes = app.screen.query_one("#notes", TextArea)
        notes.focus()
        await paste(pilot, "\x00精神尚可\udc00")
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: type(app.screen).__name__ != "VisitFormScreen")
    with db.session() as s:
        visit = s.exec(select(Visit).where(Visit.resident_id == rid)).one()
        assert (visit.met_with, visit.notes) == ("本人", "精神尚可\ufffd")
