"""Keys typed ahead act in the order they were typed, in every text box of the real app.

Textual inserts a typed character in the box itself, but runs the box's own editing keys (Backspace,
the arrows, Delete, Home, End) only once the key has bubbled up to the app: typed fast, or on a
busy laptop, later characters overtook them. Seen in tmux at the township: a phone number cleared
with Backspace and typed again came out as 1390571 or 1313905710 (textual 8.2; Textualize/textual#6605).
"""

from __future__ import annotations

import contextlib
import datetime as dt

from sqlmodel import select
from textual import events
from textual.widgets import Input, TextArea

from storage.core.models import Resident
from tests.pilot_helpers import on_screen, run_async, settle
from tests.sync_helpers import make_township
from tui.app import make_app

TODAY = dt.date(2026, 11, 24)
# the characters a terminal gives with these keys (none of them printable)
_CHARACTERS = {"backspace": "\x7f", "left": None, "right": None, "home": None, "end": None, "delete": None,
               "down": None, "enter": "\r", "slash": "/"}


def typed_ahead(app, keys: list[str]) -> None:
    """All the keys posted before any is handled, as a terminal hands over keys typed ahead."""
    for key in keys:
        app.post_message(events.Key(key, _CHARACTERS[key] if key in _CHARACTERS else key))


@contextlib.asynccontextmanager
async def at_home(tmp_path):
    """The real app at 80×24 on a worker's database of four residents, Home shown: (app, pilot, the database)."""
    from storage.demo.build import generate

    t = make_township(tmp_path)
    worker = t.worker("王芳", "G01")
    generate(worker, seed=3, today=TODAY, residents=4)
    app = make_app(worker.path, lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, "HomeScreen")
        yield app, pilot, worker


async def on_a_resident_page(app, pilot, worker) -> str:
    """The first resident's page open (from Home); its id."""
    from screens.resident import ResidentScreen

    with worker.session() as s:
        rid = s.exec(select(Resident.id)).first()
    app.push_screen(ResidentScreen(rid))
    await on_screen(pilot, "ResidentScreen")
    return rid


@run_async
async def test_editing_keys_typed_ahead_in_a_form_field_act_where_they_were_typed(tmp_path):
    async with at_home(tmp_path) as (app, pilot, worker):
        await pilot.press("n")
        await on_screen(pilot, "ResidentFormScreen")
        phone = app.screen.query_one("#phone", Input)
        phone.focus()
        await pilot.pause()
        typed_ahead(app, [*"13905", "backspace", "backspace", *"57", "left", "left", "9", "end", *"1000"])
        await settle(pilot, lambda: len(phone.value) >= 10)
        assert phone.value == "1399571000"  # 139 (two erased), 57, a 9 put in two places back, 1000 at the end


@run_async
async def test_a_backspace_typed_ahead_in_the_visit_notes_acts_where_it_was_typed(tmp_path):
    async with at_home(tmp_path) as (app, pilot, worker):
        with worker.session() as s:
            someone = s.exec(select(Resident)).first()
        app._open_resident(someone.id)
        await on_screen(pilot, "ResidentScreen")
        await pilot.press("n")
        await on_screen(pilot, "VisitFormScreen")
        notes = app.screen.query_one("#notes", TextArea)
        notes.focus()
        await pilot.pause()
        typed_ahead(app, [*"abc", "backspace", "backspace", *"xy", "home", "z"])
        await settle(pilot, lambda: len(notes.text) >= 4)
        assert notes.text == "zaxy"  # c and b erased, xy typed, z put at the start


@run_async
async def test_editing_keys_typed_ahead_in_the_command_palette_act_where_they_were_typed(tmp_path):
    from textual.command import CommandInput, CommandPalette

    async with at_home(tmp_path) as (app, pilot, worker):
        await pilot.press("ctrl+p")
        await on_screen(pilot, CommandPalette)
        search = app.screen.query_one(CommandInput)
        await settle(pilot, lambda: search.has_focus)
        typed_ahead(app, [*"visx", "backspace", "left", "left", "delete", *"it"])
        await settle(pilot, lambda: len(search.value) >= 4)
        assert search.value == "vits"  # x erased, the i deleted two places back, "it" typed there


@run_async
async def test_down_and_enter_typed_ahead_in_the_search_box_open_the_first_resident(tmp_path):
    """Seen in tmux: search, Down, Enter typed quickly left the list focused and nobody opened; the Enter had
    reached the search box before the Down moved into the list."""
    async with at_home(tmp_path) as (app, pilot, worker):
        await pilot.press("r")
        await on_screen(pilot, "ResidentsScreen")
        table = app.screen.query_one("DataTable")
        await settle(pilot, lambda: table.row_count > 0 and app.screen.query_one("#search", Input).has_focus)
        first = table.coordinate_to_cell_key((0, 0)).row_key.value
        typed_ahead(app, ["down", "enter"])
        await on_screen(pilot, "ResidentScreen")
        assert app.screen.resident_id == first


@run_async
async def test_letters_typed_right_after_r_on_home_reach_the_registers_search_box(tmp_path):
    """The register's search box stayed empty: the letters had gone to Home's list and came back to the app
    after Home was left (tui/keys_ahead.py); `n`, the register's own key, must not open a new resident."""
    async with at_home(tmp_path) as (app, pilot, worker):
        await settle(pilot, lambda: app.screen.focused is not None)
        typed_ahead(app, ["r", *"nlym"])
        await on_screen(pilot, "ResidentsScreen")
        search = app.screen.query_one("#search", Input)
        await settle(pilot, lambda: len(search.value) >= 4)
        assert search.value == "nlym" and type(app.screen).__name__ == "ResidentsScreen"


@run_async
async def test_enter_typed_right_after_a_homes_list_key_opens_that_lists_row(tmp_path):
    async with at_home(tmp_path) as (app, pilot, worker):
        await settle(pilot, lambda: app.screen.query_one("#t-due_week").row_count > 0)
        first = app.screen.query_one("#t-due_week").coordinate_to_cell_key((0, 0)).row_key.value
        typed_ahead(app, ["2", "enter"])  # the week's list (the overdue one, focused before, is empty here)
        await on_screen(pilot, "ResidentScreen")
        assert app.screen.resident_id == first


@run_async
async def test_letters_typed_right_after_slash_in_the_register_reach_its_search_box(tmp_path):
    """`/` moved the focus a turn later: the letters typed right after it went to the list, and were lost."""
    async with at_home(tmp_path) as (app, pilot, worker):
        await pilot.press("r")
        await on_screen(pilot, "ResidentsScreen")
        table = app.screen.query_one("DataTable")
        await settle(pilot, lambda: table.row_count > 0)
        table.focus()
        await settle(pilot, lambda: table.has_focus)
        typed_ahead(app, ["slash", *"zs"])
        search = app.screen.query_one("#search", Input)
        await settle(pilot, lambda: len(search.value) >= 2)
        assert search.value == "zs"


@run_async
async def test_letters_typed_right_after_ctrl_p_reach_the_palettes_search_box(tmp_path):
    """Ctrl+P is acted on as it arrives (a priority key), so this held before tui/keys_ahead.py too; kept so that
    holding keys for a screen being put up never takes them from the palette."""
    from textual.command import CommandInput, CommandPalette

    async with at_home(tmp_path) as (app, pilot, worker):
        await settle(pilot, lambda: app.screen.focused is not None)
        typed_ahead(app, ["ctrl+p", *"sync"])
        await on_screen(pilot, CommandPalette)
        search = app.screen.query_one(CommandInput)
        await settle(pilot, lambda: len(search.value) >= 4)
        assert search.value == "sync"


def test_every_text_box_of_the_app_keeps_the_typing_order():
    """No screen builds Textual's own Input or TextArea (tui/ordered_keys.py says why)."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    built = []
    for path in sorted([*root.glob("screens/*.py"), *root.glob("tui/*.py")]):
        if path.name == "ordered_keys.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("Input", "TextArea"):
                built.append(f"{path.relative_to(root)}:{node.lineno}")
            if isinstance(node, ast.ClassDef) and any(isinstance(b, ast.Name) and b.id in ("Input", "TextArea")
                                                      for b in node.bases):
                built.append(f"{path.relative_to(root)}:{node.lineno} (class {node.name})")
    assert built == []


@run_async
async def test_enter_typed_ahead_in_a_dialog_moves_on_before_the_next_characters(tmp_path):
    """Seen in tmux: 张建国 Enter 13900001234 Enter 村委会 typed in one go in the paired-helper dialog all went into
    the name (张建国13900001234村委会): the dialogs moved on when Textual's Submitted message came round, after
    the characters behind it had been typed into the box being left."""
    async with at_home(tmp_path) as (app, pilot, worker):
        rid = await on_a_resident_page(app, pilot, worker)
        await pilot.press("p")
        await on_screen(pilot, "PairedHelperScreen")
        app.screen.query_one("#helper_name", Input).value = ""
        # Enter in the last field saves: after the characters typed before it, never with half a field
        typed_ahead(app, [*"张建国", "enter", *"13900001234", "enter", *"村委会", "enter", *"11-20", "enter"])
        await on_screen(pilot, "ResidentScreen")
        with worker.session() as s:
            r = s.get(Resident, rid)
            assert (r.helper_name, r.helper_phone, r.helper_unit, r.helper_since) == (
                "张建国", "13900001234", "村委会", dt.date(2026, 11, 20))

        await pilot.press("f")
        await on_screen(pilot, "ReferralScreen")
        app.screen.query_one("#department", Input).focus()
        await pilot.pause()
        typed_ahead(app, [*"妇联", "enter", *"看护", "enter", *"12-20"])
        await settle(pilot)
        values = {n: app.screen.query_one(f"#{n}", Input).value for n in ("department", "reason", "due_on")}
        assert values == {"department": "妇联", "reason": "看护", "due_on": "12-20"}


@run_async
async def test_ctrl_s_typed_ahead_saves_every_character_typed_before_it(tmp_path):
    """A phone typed and saved in one burst was saved as it had been before: Ctrl+S, a priority key, was acted
    on while the digits still waited in the box's queue, and the form closed on them."""
    async with at_home(tmp_path) as (app, pilot, worker):
        rid = await on_a_resident_page(app, pilot, worker)
        await pilot.press("e")
        await on_screen(pilot, "ResidentFormScreen")
        app.screen.query_one("#phone", Input).focus()
        await pilot.pause()
        typed_ahead(app, [*"13900001234", "tab", *"新村1号", "ctrl+s"])  # the phone's old value selected: replaced
        await on_screen(pilot, "ResidentScreen")
        await settle(pilot)
        with worker.session() as s:
            r = s.get(Resident, rid)
            assert (r.phone, r.address) == ("13900001234", "新村1号")
