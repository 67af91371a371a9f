"""SVG snapshots of the real app, every main screen, at 80×24, in Chinese and in English (issue #13).

The app is the one `gridcare` runs (tui.app.make_app), not a harness: the title, the footer and
the palette's hint are in the pictures as a worker sees them. "Today" is frozen and the database
path is relative (the header names it), so a picture does not depend on the date or the folder.
A worker's register (tests/register_helpers.py) for the worker's screens; a township with one
enrolled grid, a merged bundle and one conflict for the clerk's.
"""

from __future__ import annotations

import datetime as dt

import pytest

from storage.core.i18n import set_language
from tests.fixed_keys import fix_keys
from tests.pilot_helpers import on_screen, settle, still
from tests.register_helpers import TODAY, make_register_db
from tui.app import make_app

# name -> the keys pressed on Home to reach the screen
WORKER_SCREENS = {
    "home": [],
    "help": ["f1"],
    "residents": ["r"],
    "resident": ["enter"],
    "visit_form": ["enter", "n"],
    "new_resident": ["n"],
    "sync": ["s"],
    "reports": ["m"],
    "policy": ["p"],
    "villages": ["v"],
    "palette": ["ctrl+p"],  # one provider, one order (tui/commands.py)
}
TOWNSHIP_SCREENS = {
    "township_home": [],
    "conflicts": ["c"],
    "duplicates": ["c", "d"],
    "devices": ["d"],  # keys and device ids from tests/fixed_keys.py
    "township_palette": ["ctrl+p"],
}


@pytest.fixture(params=["zh_CN", "en"])
def lang(request):
    yield request.param
    set_language("en")


@pytest.fixture(autouse=True)
def same_picture_everywhere(monkeypatch):
    """What comes from the machine, not the register: the clock of a merge, the home folder, the keys."""
    import datetime as dt
    from pathlib import Path

    import screens.conflicts
    import screens.devices
    import screens.devices_codes
    import screens.home_lists
    import screens.sync
    import screens.sync_bundles
    import tui.formatting

    fix_keys(monkeypatch)
    real = tui.formatting.format_moment

    def at_nine(value, today=None, *, seconds=False):
        return real(dt.datetime(2026, 11, 24, 9, 30), dt.date(2026, 11, 24), seconds=seconds) if value is not None else ""

    for module in (tui.formatting, screens.conflicts, screens.devices, screens.devices_codes, screens.home_lists,
                   screens.sync_bundles):
        monkeypatch.setattr(module, "format_moment", at_nine)
    monkeypatch.setattr(screens.sync, "suggested_folder", lambda db, action: Path("usb"))


def _walk(keys: list[str]):
    async def run_before(pilot) -> None:
        await on_screen(pilot, "HomeScreen")
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        await still(pilot)  # no blinking cursor in the picture

    return run_before


@pytest.mark.parametrize("screen", list(WORKER_SCREENS))
def test_worker_screen(snap_compare, tmp_path, monkeypatch, lang, screen):
    set_language(lang)  # what the app writes (a risk reason "登记时评估") is in the worker's language, as in life
    make_register_db(tmp_path / "w.db").dispose()
    monkeypatch.chdir(tmp_path)
    app = make_app("w.db", lang=lang, today=TODAY)
    assert snap_compare(app, terminal_size=(80, 24), run_before=_walk(WORKER_SCREENS[screen]))


@pytest.fixture
def township(tmp_path, lang):
    """A township whose worker registered two people (one twice) and edited a field the clerk edited too."""
    from storage.register.residents import update_resident
    from storage.sync.export import export_bundle
    from storage.sync.merge import merge_paths
    from tests.sync_helpers import elder, make_township

    set_language(lang)  # the clerk's name the app writes ("乡镇民政助理员") is in the clerk's language
    t = make_township(tmp_path)
    a = t.worker("王芳", "G01")
    r = elder(a, "张三", phone="13800000001")
    elder(a, "张三", phone="13800000009")  # the same person registered twice (either may be kept: they look alike)
    merge_paths(t.db, [export_bundle(a, tmp_path / "1.gcb").path])
    update_resident(a, r.id, {"flags": ["disabled_care"]})
    update_resident(t.db, r.id, {"flags": ["family_planning_special"]})
    merge_paths(t.db, [export_bundle(a, tmp_path / "2.gcb").path])
    b = t.worker("李强", "G02", enrolled=False)  # set up without a code: its device waits for approval
    elder(b, "李四")
    merge_paths(t.db, [export_bundle(b, tmp_path / "3.gcb").path])
    b.dispose()
    _devices_seen_on(t.db, dt.datetime(2026, 11, 24, 9, 30, tzinfo=dt.timezone.utc))
    a.dispose()
    t.db.dispose()
    return tmp_path


def _devices_seen_on(db, when) -> None:
    """The devices' first and last bundles as of one fixed day (a merge stamps them with the machine's clock)."""
    from sqlmodel import update

    from storage.core.models import Device, DeviceRequest

    with db.write() as s:
        for table in (Device, DeviceRequest):
            s.execute(update(table).values(first_seen=when, last_seen=when))


@pytest.mark.parametrize("screen", list(TOWNSHIP_SCREENS))
def test_township_screen(snap_compare, township, monkeypatch, lang, screen):
    monkeypatch.chdir(township)
    app = make_app("township.db", lang=lang, today=TODAY)
    assert snap_compare(app, terminal_size=(80, 24), run_before=_walk(TOWNSHIP_SCREENS[screen]))
