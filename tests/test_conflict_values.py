"""The Conflicts screen's "type a value" box speaks labels: it starts with what the clerk sees (低保对象,
not dibao) and understands what is typed back, label or code (issue #13 leftovers)."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Input

from storage.core.i18n import set_language
from storage.core.models import Resident
from storage.register.residents import update_resident
from storage.register.value_labels import value_text
from storage.sync.conflicts import open_conflicts, resolve_conflict
from storage.sync.export import export_bundle
from storage.sync.merge import merge_paths
from tests.pilot_helpers import on_screen, run_async, settle
from tests.register_helpers import TODAY
from tests.sync_helpers import elder, make_township
from tui.app import make_app


@pytest.fixture
def flags_and_sex(tmp_path):
    """A township where the worker and the clerk each changed a list of codes (flags) and a code (sex)."""
    t = make_township(tmp_path)
    a = t.worker("王芳", "G01")
    r = elder(a, "张三")
    merge_paths(t.db, [export_bundle(a, tmp_path / "1.gcb").path])
    update_resident(a, r.id, {"flags": ["disabled_care"], "sex": "F"})
    update_resident(t.db, r.id, {"flags": ["family_planning_special"], "sex": "M"})
    merge_paths(t.db, [export_bundle(a, tmp_path / "2.gcb").path])
    a.dispose()
    yield t, r.id
    t.db.dispose()
    set_language("en")


async def _type_value(pilot, field_label: str, typed: str | None) -> str:
    """On the Conflicts screen: highlight the field's row, press e, read the box, type `typed` and save."""
    app = pilot.app
    await on_screen(pilot, "ConflictsScreen")
    screen = app.screen
    table = screen.query_one(DataTable)
    row = next(i for i in range(table.row_count) if str(table.get_row_at(i)[1]) == field_label)
    table.move_cursor(row=row)
    await pilot.press("e")
    await settle(pilot, lambda: app.screen is not screen)
    box = app.screen.query_one("#value", Input)
    shown = box.value
    if typed is None:
        await pilot.press("escape")
    else:
        box.value = typed
        await pilot.press("enter")
    await settle(pilot, lambda: app.screen is screen)
    return shown


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
@run_async
async def test_the_box_starts_with_the_label_and_a_typed_label_is_stored_as_its_code(flags_and_sex, lang):
    """Before: the box held "family_planning_special" and "M"; typing 低保对象 stored the words themselves
    (or was refused), so the clerk had to know the codes."""
    t, rid = flags_and_sex
    set_language(lang)
    app = make_app(str(t.db.path), lang=lang, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, "HomeScreen")
        await pilot.press("c")
        flags, sex = (("保障类别及其他情况", "性别") if lang == "zh_CN" else ("Flags", "Sex"))
        kept_flags = value_text("resident", "flags", ["family_planning_special"])
        assert await _type_value(pilot, flags, None) == kept_flags
        assert "family_planning_special" not in kept_flags
        # two labels, one of them holding 、 itself in Chinese, and a code: all understood
        both = value_text("resident", "flags", ["dibao", "disabled_care"])
        assert await _type_value(pilot, flags, both + ("、" if lang == "zh_CN" else ", ") + "tekun") == kept_flags
        assert await _type_value(pilot, sex, value_text("resident", "sex", "F")) == value_text("resident", "sex", "M")
        await settle(pilot, lambda: app.screen.query_one(DataTable).row_count == 0)
    with t.db.session() as s:
        person = s.get(Resident, rid)
        assert (sorted(person.flags), person.sex) == (["dibao", "disabled_care", "tekun"], "F")


def test_resolve_conflict_reads_codes_and_labels_alike(flags_and_sex):
    """The storage function the screen calls: a code list as typed on the command line works as before."""
    t, rid = flags_and_sex
    set_language("zh_CN")
    by_field = {v.conflict.field: v.conflict.id for v in open_conflicts(t.db)}
    resolve_conflict(t.db, by_field["flags"], "dibao, 失能", today=TODAY)
    resolve_conflict(t.db, by_field["sex"], "M", today=TODAY)
    with t.db.session() as s:
        person = s.get(Resident, rid)
        assert (sorted(person.flags), person.sex) == (["dibao", "disabled_care"], "M")


@run_async
async def test_f2_on_the_conflicts_screen_changes_its_words_and_values(flags_and_sex):
    t, _rid = flags_and_sex
    set_language("zh_CN")
    app = make_app(str(t.db.path), lang="zh_CN", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, "HomeScreen")
        await pilot.press("c")
        await on_screen(pilot, "ConflictsScreen")
        table = app.screen.query_one(DataTable)
        await settle(pilot, lambda: table.row_count == 2)
        await pilot.press("f2")
        await settle(pilot, lambda: "Flags" in [str(table.get_row_at(i)[1]) for i in range(table.row_count)])
        assert [str(c.label) for c in table.columns.values()] == ["Record", "Field", "Kept value", "Other value"]
        assert "Special family-planning family" in " ".join(str(c) for c in table.get_row_at(0) + table.get_row_at(1))
