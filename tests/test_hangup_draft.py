"""The terminal closed in the middle of a visit: what was typed last is in the draft offered back at the next start.

Walk of a worker's first week: the tmux session killed 0.1 s after "最后一句话" was typed into the visit form. The
draft offered back at restart lacked it: SIGHUP ended the process at once, before the draft's half-second timer,
and the form's unmount, which writes a pending draft, never ran (tui/hangup.py).
"""

from __future__ import annotations

import os
import signal

import pytest
from textual.widgets import Input

from screens.visit_form import VisitFormScreen
from storage.register.drafts import load_draft
from tests.pilot_helpers import run_async, settle, started
from tests.register_helpers import TODAY, make_register_db, resident_id
from tui.app import make_app


@pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="no SIGHUP on Windows")
@run_async
async def test_sighup_ends_the_app_and_the_draft_keeps_the_last_words(tmp_path):
    db = make_register_db(tmp_path / "w.db")
    rid = resident_id(db, "王桂英")
    app = make_app(db.path, lang="zh_CN", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, lambda: VisitFormScreen(rid))
        await settle(pilot, lambda: app.focused is not None and app.focused.id == "visit_date")
        app.screen.query_one("#met_with", Input).focus()
        await pilot.press(*"最后一句话")
        # before: the default action, which ends the process (and this test run) on the spot
        assert signal.getsignal(signal.SIGHUP) is not signal.SIG_DFL
        os.kill(os.getpid(), signal.SIGHUP)
        await pilot.pause(0.2)
    assert app.return_code == 0
    draft = load_draft(db.path, rid)
    assert draft is not None and draft.values["met_with"] == "最后一句话"
