"""`gridcare public-key`: a township (or county) writes its public key file again when the one written at set-up
is lost, so that a new worker (or township) can still be set up; a worker's database has none of its own."""

from __future__ import annotations

import subprocess
import sys

from storage.core.db import open_database
from storage.core.identity import init_county, init_worker
from storage.core.private_keys import private_keys
from storage.sync.export import export_bundle
from storage.sync.merge import merge_paths
from tests.sync_helpers import elder, make_township


def _cli(db, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tui.cli", "--lang", "en", "--db", str(db), *args],
                          capture_output=True, text=True, timeout=60)


def test_a_township_writes_the_same_key_file_again_and_a_new_worker_sets_up_with_it(tmp_path):
    t = make_township(tmp_path)
    original = t.key.read_bytes()
    t.key.unlink()  # lost
    (tmp_path / "stick").mkdir()
    done = _cli(t.db.path, "public-key", "--out", str(tmp_path / "stick"))
    assert done.returncode == 0, done.stderr
    again = tmp_path / "stick" / "township-330521101.pub"
    assert again.read_bytes() == original
    secrets = private_keys(t.db.path)
    text = again.read_text(encoding="utf-8")
    assert "SECRET" not in text.upper() and secrets.township_age_secret not in text
    # the file does what the first one did: a worker set up with it sends bundles the township reads
    from storage.sync.devices import enroll

    w = open_database(tmp_path / "w.db")
    init_worker(w, "330521101", "新市镇", "G01", "一网格", "王芳", again, enroll_code=enroll(t.db, "G01", "王芳")[0])
    elder(w, "张三")
    assert merge_paths(t.db, [export_bundle(w, tmp_path / "usb").path]).bundles[0].status == "new"


def test_a_county_writes_its_key_again_and_a_worker_is_told_it_has_none(tmp_path):
    county = open_database(tmp_path / "county.db")
    init_county(county, "330521", "德清县", tmp_path / "county.pub")
    original = (tmp_path / "county.pub").read_bytes()
    done = _cli(county.path, "public-key", "--out", str(tmp_path / "again.pub"))
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "again.pub").read_bytes() == original
    t = make_township(tmp_path)
    w = t.worker("王芳", "G01")
    refused = _cli(w.path, "public-key")
    assert refused.returncode == 1
    assert refused.stderr.strip().splitlines() == [
        "gridcare: A grid worker's database has no key of its own to give: the township's key file comes from the "
        "township's clerk."]


def test_the_clerk_writes_the_key_file_to_a_stick_from_the_devices_screen(tmp_path):
    """After making a code on the Devices screen, the clerk hands over the key file too: k, the stick, Ctrl+S."""
    import asyncio

    from textual.widgets import Input, Static

    from screens.devices import DevicesScreen
    from screens.path_picker import PathPickerScreen
    from tests.pilot_helpers import on_screen, settle
    from tests.register_helpers import HarnessApp

    t = make_township(tmp_path)
    original = t.key.read_bytes()
    stick = tmp_path / "stick"
    stick.mkdir()

    async def run() -> None:
        app = HarnessApp(t.db, DevicesScreen)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            screen = app.screen
            await pilot.press("k")
            await on_screen(pilot, PathPickerScreen)
            await pilot.press("ctrl+l")
            app.screen.query_one("#path", Input).value = str(stick)
            await pilot.press("enter")
            await settle(pilot)
            await pilot.press("ctrl+s")
            await on_screen(pilot, DevicesScreen)
            await settle(pilot, lambda: "written" in str(screen.query_one("#result", Static).content))

    asyncio.run(run())
    assert (stick / "township-330521101.pub").read_bytes() == original


def test_the_code_just_made_stays_on_screen_when_the_clerk_writes_the_key_file(tmp_path):
    """The message after n says "k writes it to a folder" and the code is kept nowhere: writing the key file as told
    replaced the message, and the code, not read out yet, was gone (walked in English at 120×40)."""
    import asyncio
    import re

    from textual.widgets import Input, Static

    from screens.devices import DevicesScreen
    from screens.path_picker import PathPickerScreen
    from tests.pilot_helpers import on_screen, settle
    from tests.register_helpers import HarnessApp

    t = make_township(tmp_path)
    stick = tmp_path / "stick"
    stick.mkdir()
    said: list[str] = []

    async def run() -> None:
        app = HarnessApp(t.db, DevicesScreen)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            screen = app.screen
            await pilot.press("n")
            await settle(pilot)
            screen.app.screen.query_one("#grid", Input).value = "G01"
            screen.app.screen.query_one("#worker", Input).value = "王芳"
            screen.app.screen.query_one("#worker", Input).focus()
            await pilot.press("enter")
            await on_screen(pilot, DevicesScreen)
            said.append(str(screen.query_one("#result", Static).content))
            await pilot.press("k")
            await on_screen(pilot, PathPickerScreen)
            await pilot.press("ctrl+l")
            app.screen.query_one("#path", Input).value = str(stick)
            await pilot.press("enter")
            await settle(pilot)
            await pilot.press("ctrl+s")
            await on_screen(pilot, DevicesScreen)
            await settle(pilot, lambda: "written" in str(screen.query_one("#result", Static).content))
            said.append(str(screen.query_one("#result", Static).content))

    asyncio.run(run())
    made, after = said
    code = re.search(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]", made)
    assert code is not None
    assert code.group() in after and "王芳" in after and str(stick / "township-330521101.pub") in after
