"""The paired helper's and the benefit's dialogs left open while the township's return bundle is merged (walk h-stale, 1).

The resident form was mended for this (tests/test_walk_stale_form.py); these dialogs still wrote every field they
showed. The clerk corrected the helper's phone, the worker changed the helper's unit in a dialog opened before the
merge: the old phone went over the correction. The clerk ended a subsidy on the day the township stopped it; the
worker's end dialog, opened before, put today over that day.
"""

from __future__ import annotations

import datetime as dt

import pytest
from textual.widgets import DataTable, Input, Label

from storage.core.errors import ValidationError
from storage.core.i18n import set_language
from storage.register.benefits import end_benefit, record_benefit, resident_benefits
from storage.register.pairing import end_pairing, set_paired_helper, shown_helper
from storage.register.residents import get_resident
from storage.sync.export import export_bundle
from storage.sync.merge import merge_paths
from tests.pilot_helpers import on_screen, run_async, settle
from tests.sync_helpers import elder, make_township
from tui.app import make_app

TODAY = dt.date(2026, 11, 24)


def _paired(tmp_path):
    """A worker's elder with a helper, known at the township, whose clerk then corrects the helper's phone: the
    return bundle that carries the correction, not merged yet."""
    t = make_township(tmp_path)
    a = t.worker("王芳", "G01")
    him = elder(a, "李德福")
    set_paired_helper(a, him.id, "李梅", "13800002222", "村委会", "2026-01-01", today=TODAY)
    merge_paths(t.db, [export_bundle(a, tmp_path / "up1.gcb").path])
    set_paired_helper(t.db, him.id, "李梅", "13899990000", "村委会", "2026-01-01", today=TODAY)
    return t, a, get_resident(a, him.id), export_bundle(t.db, tmp_path / "back", grid_code="G01").path


def test_a_helper_field_left_as_shown_is_not_written(tmp_path):
    t, a, him, back = _paired(tmp_path)
    shown = shown_helper(him)  # what a dialog opened before the merge shows
    assert merge_paths(a, [back]).refused == []
    set_paired_helper(a, him.id, "李梅", "13800002222", "村委会二组", "2026-01-01", today=TODAY, shown=shown)
    now = get_resident(a, him.id)
    assert (now.helper_phone, now.helper_unit) == ("13899990000", "村委会二组")
    # without `shown` (the CLI, a caller that means every field) the phone given is written, as before
    set_paired_helper(a, him.id, "李梅", "13800002222", "村委会二组", "2026-01-01", today=TODAY)
    assert get_resident(a, him.id).helper_phone == "13800002222"
    t.db.dispose()
    a.dispose()


def test_a_new_pairing_gets_its_day_though_the_empty_date_was_left_as_the_record_had_it(tmp_path):
    t = make_township(tmp_path)
    a = t.worker("王芳", "G01")
    him = elder(a, "李德福")
    set_paired_helper(a, him.id, "李梅", "", "", "", today=TODAY, shown=shown_helper(him))
    assert get_resident(a, him.id).helper_since == TODAY
    t.db.dispose()
    a.dispose()


def test_ending_a_pairing_changed_since_the_question_is_refused(tmp_path):
    t, a, him, back = _paired(tmp_path)
    set_paired_helper(t.db, him.id, "王强", "13900003333", "镇政府", "2026-11-01", today=TODAY)
    back = export_bundle(t.db, tmp_path / "back2", grid_code="G01").path
    assert merge_paths(a, [back]).refused == []
    with pytest.raises(ValidationError) as refused:
        end_pairing(a, him.id, today=TODAY, shown_name="李梅")  # the question named 李梅
    assert "王强" in refused.value.message
    assert get_resident(a, him.id).helper_name == "王强"
    end_pairing(a, him.id, today=TODAY, shown_name="王强")
    assert get_resident(a, him.id).helper_name == ""
    t.db.dispose()
    a.dispose()


@run_async
async def test_the_helper_dialog_keeps_the_phone_merged_while_it_was_open(tmp_path):
    from screens.resident import ResidentScreen

    set_language("zh_CN")
    t, a, him, back = _paired(tmp_path)
    app = make_app(a.path, lang="zh_CN", today=TODAY)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await on_screen(pilot, "HomeScreen")
            app.push_screen(ResidentScreen(him.id))
            await on_screen(pilot, "ResidentScreen")
            await pilot.press("p")
            await on_screen(pilot, "PairedHelperScreen")
            dialog = app.screen
            assert dialog.query_one("#helper_phone", Input).value == "13800002222"
            assert merge_paths(a, [back]).refused == []  # merged while the dialog is open (the Sync screen, the CLI)
            dialog.query_one("#helper_unit", Input).focus()
            await pilot.press("end", *"二组", "ctrl+s")
            await settle(pilot, lambda: app.screen is not dialog)
        saved = get_resident(a, him.id)
        assert saved.helper_unit == "村委会二组"
        assert saved.helper_phone == "13899990000", "the dialog's stale phone went over the clerk's correction"
        merge_paths(t.db, [export_bundle(a, tmp_path / "up2.gcb").path])
        there = get_resident(t.db, him.id)
        assert (there.helper_phone, there.helper_unit) == ("13899990000", "村委会二组")
    finally:
        set_language("en")
        a.dispose()
        t.db.dispose()


def _subsidy(tmp_path):
    """A worker's running 低保 period; the clerk ends it on Oct 31: the return bundle, not merged yet."""
    t = make_township(tmp_path)
    a = t.worker("王芳", "G01")
    him = elder(a, "李德福")
    b = record_benefit(a, him.id, "dibao", start_on="2025-03-01", today=TODAY)
    merge_paths(t.db, [export_bundle(a, tmp_path / "up1.gcb").path])
    end_benefit(t.db, b.id, "2026-10-31", today=TODAY)
    return t, a, him, b, export_bundle(t.db, tmp_path / "back", grid_code="G01").path


def test_an_end_merged_since_the_dialog_read_the_period_is_not_written_over(tmp_path):
    t, a, him, b, back = _subsidy(tmp_path)
    assert merge_paths(a, [back]).refused == []
    with pytest.raises(ValidationError) as refused:
        end_benefit(a, b.id, TODAY.isoformat(), today=TODAY, shown_end=None)  # the dialog read it running
    assert refused.value.field == "end_on"
    assert resident_benefits(a, him.id)[0].end_on == dt.date(2026, 10, 31)
    # read again (the list reloads), the end may be corrected on purpose
    end_benefit(a, b.id, "2026-11-15", today=TODAY, shown_end=dt.date(2026, 10, 31))
    assert resident_benefits(a, him.id)[0].end_on == dt.date(2026, 11, 15)
    t.db.dispose()
    a.dispose()


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
@run_async
async def test_the_end_dialog_says_the_end_merged_while_it_was_open_and_keeps_it(tmp_path, lang):
    from screens.resident import ResidentScreen

    set_language(lang)
    t, a, him, b, back = _subsidy(tmp_path)
    app = make_app(a.path, lang=lang, today=TODAY)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await on_screen(pilot, "HomeScreen")
            app.push_screen(ResidentScreen(him.id))
            await on_screen(pilot, "ResidentScreen")
            await pilot.press("b")
            await on_screen(pilot, "BenefitsScreen")
            await settle(pilot, lambda: app.screen.query_one("#benefits", DataTable).row_count == 1)
            await pilot.press("x")
            await on_screen(pilot, "BenefitFormScreen")
            dialog = app.screen
            assert merge_paths(a, [back]).refused == []  # merged while the dialog is open
            await pilot.press("ctrl+s")  # today, as the dialog proposed it
            error = dialog.query_one("#err-end_on", Label)
            await settle(pilot, lambda: str(error.render()).strip())
            said = " ".join(str(error.render()).split())
            assert ("2026年10月31日" if lang == "zh_CN" else "October 31, 2026") in said
            assert app.screen is dialog
            await pilot.press("escape")
            await on_screen(pilot, "BenefitsScreen")
            table = app.screen.query_one("#benefits", DataTable)
            await settle(pilot, lambda: "10" in " ".join(str(c) for c in table.get_row_at(0)))
        assert resident_benefits(a, him.id)[0].end_on == dt.date(2026, 10, 31)
    finally:
        set_language("en")
        a.dispose()
        t.db.dispose()
