"""The Conflicts screen's footer at 80×24, in both languages: with a decision to take back (u) beside the three
decisions, every key in the footer is whole and F1 is among them — F1 is how a clerk finds the keys the footer
leaves out (it cut f1, the last key, once u was shown). u is named where the clerk reads the decision, also when
the screen is opened again."""

from __future__ import annotations

import pytest

from storage.register.residents import update_resident
from storage.sync.export import export_bundle
from storage.sync.merge import merge_paths
from tests.pilot_helpers import on_screen, run_async, settle
from tests.register_helpers import TODAY
from tests.sync_helpers import elder, make_township
from tests.test_walkthrough import screen_text
from tui.app import make_app


def _two_conflicts(tmp_path):
    t = make_township(tmp_path)
    a = t.worker("王芳", "G01")
    people = [elder(a, name, phone=f"1380000000{i}") for i, name in enumerate(("张三", "李四"))]
    merge_paths(t.db, [export_bundle(a, tmp_path / "1.gcb").path])
    for i, r in enumerate(people):
        update_resident(a, r.id, {"phone": f"1390000000{i}"})
        update_resident(t.db, r.id, {"phone": f"1370000000{i}"})
    merge_paths(t.db, [export_bundle(a, tmp_path / "2.gcb").path])
    path = t.db.path
    t.db.dispose()
    a.dispose()
    return path


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
@run_async
async def test_every_conflicts_key_and_f1_are_in_the_footer_after_a_decision(tmp_path, lang):
    app = make_app(_two_conflicts(tmp_path), lang=lang, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, "HomeScreen")
        await pilot.press("c")
        await on_screen(pilot, "ConflictsScreen")
        await settle(pilot, lambda: app.screen.query_one("#conflicts").row_count == 2)
        await pilot.press("k")
        await settle(pilot, lambda: app.screen.query_one("#conflicts").row_count == 1)
        shown = [b.binding for b in app.screen.active_bindings.values() if b.binding.show and b.enabled]
        assert {"k", "t", "e", "escape", "f1"} <= {b.key for b in shown}, shown
        lines = screen_text(app, " ").splitlines()
        footer = " ".join(lines[-1].split())
        for widget in app.screen.query("FooterKey"):  # each key and its whole word
            assert f"{widget.key_display or widget.key} {widget.description}" in footer, (widget.description, footer)
        undo = "按 u 撤销" if lang == "zh_CN" else "u: undo"
        assert undo in "".join(lines[:-1]), lines
        await pilot.press("escape")
        await on_screen(pilot, "HomeScreen")
        await pilot.press("c")
        await on_screen(pilot, "ConflictsScreen")
        await settle(pilot, lambda: "(u)" in str(app.screen.query_one("#status").content)
                     or "（按 u）" in str(app.screen.query_one("#status").content))
        await pilot.press("u")
        await settle(pilot, lambda: app.screen.query_one("#conflicts").row_count == 2)
