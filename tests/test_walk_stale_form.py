"""A worker's edit form left open while the township's return bundle is merged (walk h-walk, 1 and 2).

The clerk corrected the phone at the township; the bundle came back and was merged while the worker had the edit form
open on the old phone. The worker changed the address only and saved: the form wrote every field it held, and the
old phone went over the clerk's correction (then back to the township as the worker's edit), with nothing said.
"""

from __future__ import annotations

import datetime as dt

from textual.widgets import Input

from screens.resident_form import ResidentFormScreen
from storage.core.i18n import set_language
from storage.register.residents import get_resident, update_resident
from storage.sync.export import export_bundle
from storage.sync.merge import merge_paths
from tests.pilot_helpers import on_screen, run_async, settle
from tests.sync_helpers import elder, make_township
from tui.app import make_app

TODAY = dt.date(2026, 11, 24)


@run_async
async def test_a_field_left_as_shown_keeps_what_a_merge_wrote_meanwhile(tmp_path):
    set_language("zh_CN")
    t = make_township(tmp_path)
    a = t.worker("王芳", "G01")
    him = elder(a, "李德福", phone="13811112222", address="柳溪村3组")
    merge_paths(t.db, [export_bundle(a, tmp_path / "up1.gcb").path])
    update_resident(t.db, him.id, {"phone": "13899990000"})  # the clerk's correction
    back = export_bundle(t.db, tmp_path / "back", grid_code="G01").path
    app = make_app(a.path, lang="zh_CN", today=TODAY)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await on_screen(pilot, "HomeScreen")
            app.push_screen(ResidentFormScreen(him.id))
            await settle(pilot, lambda: app.screen.query("#address"))
            form = app.screen
            assert form.query_one("#phone", Input).value == "13811112222"
            assert merge_paths(a, [back]).refused == []  # merged while the form is open (the Sync screen, the CLI)
            form.query_one("#address", Input).focus()
            await pilot.press("end", *"东头", "ctrl+s")
            await settle(pilot, lambda: app.screen is not form)
        saved = get_resident(a, him.id)
        assert saved.address == "柳溪村3组东头"
        assert saved.phone == "13899990000", "the form's stale phone went over the clerk's correction"
        merge_paths(t.db, [export_bundle(a, tmp_path / "up2.gcb").path])
        assert get_resident(t.db, him.id).phone == "13899990000"
        assert get_resident(t.db, him.id).address == "柳溪村3组东头"
    finally:
        set_language("en")
        a.dispose()
        t.db.dispose()


@run_async
async def test_a_restored_draft_writes_only_what_was_typed_in_it(tmp_path):
    """Walk h-stale, 2: the edit form closed mid-typing keeps a draft of every field, the untouched phone among them;
    the return bundle merged before the form was opened again; restored and saved, the draft's old phone went over
    the clerk's correction as if the worker had typed it."""
    from screens.dialogs import ConfirmScreen
    from storage.register import drafts
    from tests.pilot_helpers import workers_done

    set_language("zh_CN")
    t = make_township(tmp_path)
    a = t.worker("王芳", "G01")
    him = elder(a, "李德福", phone="13811112222", address="柳溪村3组")
    merge_paths(t.db, [export_bundle(a, tmp_path / "up1.gcb").path])
    update_resident(t.db, him.id, {"phone": "13899990000"})  # the clerk's correction
    back = export_bundle(t.db, tmp_path / "back", grid_code="G01").path
    try:
        app = make_app(a.path, lang="zh_CN", today=TODAY)
        async with app.run_test(size=(80, 24)) as pilot:
            await on_screen(pilot, "HomeScreen")
            app.push_screen(ResidentFormScreen(him.id))
            await settle(pilot, lambda: app.screen.query("#address"))
            app.screen.query_one("#address", Input).focus()
            await pilot.press("end", *"东头")
            await pilot.pause(0.8)  # the draft is written once the typing stops
            await workers_done(app)
        # the terminal closed; the draft holds every field, the phone as it was
        assert drafts.load_draft(a.path, him.id, "resident").values["phone"] == "13811112222"
        assert merge_paths(a, [back]).refused == []
        app = make_app(a.path, lang="zh_CN", today=TODAY)
        async with app.run_test(size=(80, 24)) as pilot:
            await on_screen(pilot, "HomeScreen")
            app.push_screen(ResidentFormScreen(him.id))
            await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen))
            await pilot.press("enter")  # Restore
            await settle(pilot, lambda: isinstance(app.screen, ResidentFormScreen))
            form = app.screen
            assert form.query_one("#address", Input).value == "柳溪村3组东头"
            assert form.query_one("#phone", Input).value == "13899990000", "the draft showed its old phone back"
            await pilot.press("ctrl+s")
            await settle(pilot, lambda: app.screen is not form)
        saved = get_resident(a, him.id)
        assert saved.address == "柳溪村3组东头"
        assert saved.phone == "13899990000", "the draft's untouched phone went over the clerk's correction"
    finally:
        set_language("en")
        a.dispose()
        t.db.dispose()


def test_a_draft_of_an_edit_counts_as_edits_only_the_values_typed_over_what_it_showed(tmp_path):
    from storage.register import drafts

    shown = {"phone": "13811112222", "address": "柳溪村3组", "categories": ["solitary_elder"]}
    typed = {**shown, "address": "柳溪村3组东头"}
    drafts.save_draft(tmp_path / "w.db", "r1", typed, kind="resident", shown=shown)
    assert drafts.load_draft(tmp_path / "w.db", "r1", "resident").edits() == {"address": "柳溪村3组东头"}
    # a registration's draft (nothing shown) and a draft of an older release (no "shown" kept) stand whole
    drafts.save_draft(tmp_path / "w.db", "r2", typed, kind="resident")
    assert drafts.load_draft(tmp_path / "w.db", "r2", "resident").edits() == typed
