"""Ctrl+A in a text box selects all, as on Windows (全选).

Seen on the Sync screen: the folder box held /root; Ctrl+A, then the stick's path and Enter exported to
"/tmp/w29/stick/root" — Textual's Ctrl+A went to the start of the box, and the path typed was put in front.
"""

from __future__ import annotations

import asyncio

import pytest
from textual.app import App, ComposeResult

from tui.ordered_keys import TextInput


class _OneBox(App[None]):
    def compose(self) -> ComposeResult:
        yield TextInput("/root", id="box")


@pytest.mark.parametrize(("keys", "value"), [
    (("end", "ctrl+a", *"/tmp/stick"), "/tmp/stick"),  # Ctrl+A then typing replaces what was there
    (("end", "home", "x"), "x/root"),  # Home still goes to the start
])
def test_ctrl_a_selects_all_and_home_goes_to_the_start(keys, value):
    async def run() -> str:
        app = _OneBox()
        async with app.run_test() as pilot:
            box = app.query_one("#box", TextInput)
            box.focus()
            await pilot.press(*keys)
            await pilot.pause()
            return box.value

    assert asyncio.run(run()) == value
