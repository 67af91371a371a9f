"""Ctrl+A in a text box selects all, as on Windows (全选).

Seen on the Sync screen: the folder box held /root; Ctrl+A, then the stick's path and Enter exported to
"/tmp/w29/stick/root" — Textual's Ctrl+A went to the start of the box, and the path typed was put in front.
"""

from __future__ import annotations

import asyncio

from textual.app import App, ComposeResult

from tui.ordered_keys import TextInput


class _OneBox(App[None]):
    def compose(self) -> ComposeResult:
        yield TextInput("/root", id="box")


def test_ctrl_a_then_typing_replaces_what_was_there():
    async def run() -> str:
        app = _OneBox()
        async with app.run_test() as pilot:
            box = app.query_one("#box", TextInput)
            box.focus()
            await pilot.press("end", "ctrl+a", *"/tmp/stick")
            await pilot.pause()
            return box.value

    assert asyncio.run(run()) == "/tmp/stick"


def test_home_still_goes_to_the_start():
    async def run() -> str:
        app = _OneBox()
        async with app.run_test() as pilot:
            box = app.query_one("#box", TextInput)
            box.focus()
            await pilot.press("end", "home", *"x")
            await pilot.pause()
            return box.value

    assert asyncio.run(run()) == "x/root"
