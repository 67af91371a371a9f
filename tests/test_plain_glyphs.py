"""The old Windows console (conhost, Chinese code page) draws every character that is double-byte in
cp936 two cells wide; Textual lays East-Asian-ambiguous ones out as one. With plain glyphs on (a legacy
console, --plain, GRIDCARE_PLAIN=1), what reaches the terminal must have the same width for both."""

from __future__ import annotations

import pytest
from rich.cells import cell_len
from textual.driver import Driver

from storage.core import glyphs
from storage.core.i18n import _, set_language
from tests.pilot_helpers import on_screen, run_async, settle
from tests.register_helpers import TODAY, make_register_db
from tests.windows_fakes import as_windows
from tui.app import make_app
from tui.plain import plain_driver


def conhost_cells(ch: str) -> int | None:
    """How conhost under cp936 draws `ch`: two cells for a double-byte character; None: not in cp936."""
    try:
        return len(ch.encode("cp936"))
    except UnicodeEncodeError:
        return None


def misdrawn(text: str) -> set[str]:
    """The characters conhost would draw wider or narrower than Textual laid them out."""
    return {ch for ch in set(text) if ord(ch) >= 0x80 and conhost_cells(ch) not in (None, cell_len(ch))}


@pytest.fixture
def plain_on():
    glyphs.set_plain(True)
    yield
    glyphs.set_plain(False)


class _Recorder(Driver):
    written: list[str] = []

    def write(self, data: str) -> None:
        self.written.append(data)

    def start_application_mode(self) -> None: ...
    def disable_input(self) -> None: ...
    def stop_application_mode(self) -> None: ...


def _frame(app) -> str:
    """The terminal text of the current screen, rendered as App._display renders it."""
    update = app.screen._compositor.render_update(full=True)
    return update.render_segments(app.console)


@run_async
async def test_in_plain_mode_every_glyph_on_screen_is_as_wide_in_conhost_as_laid_out(tmp_path, plain_on):
    make_register_db(tmp_path / "w.db").dispose()
    app = make_app(tmp_path / "w.db", lang="zh_CN", today=TODAY)
    frames = []
    async with app.run_test(size=(100, 30)) as pilot:
        await on_screen(pilot, "HomeScreen")
        frames.append(_frame(app))
        for key in ("r", "escape", "f1"):  # the register list, Home again, help (a bordered dialog)
            await pilot.press(key)
            await settle(pilot)
            frames.append(_frame(app))
    raw = "".join(frames)
    assert misdrawn(raw), "the check would see nothing: no ambiguous glyph on these screens"
    driver = plain_driver(_Recorder)(app)
    _Recorder.written = []
    driver.write(raw)
    assert misdrawn("".join(_Recorder.written)) == set()
    assert len("".join(_Recorder.written)) == len(raw)  # one for one: the layout is untouched


def test_translations_get_readable_narrow_stand_ins(plain_on):
    set_language("zh_CN")
    loading = _("Loading…")
    assert "…" not in loading and loading.endswith("...")
    glyphs.set_plain(False)
    assert _("Loading…").endswith("…")


def test_the_bar_and_cut_text_use_narrow_glyphs(plain_on):
    from screens.reports import rate_bar
    from screens.residents import _cut

    assert rate_bar(0.86, 10) == "#########" + " "
    assert _cut("王小明的很长很长的名字", 9).endswith("...") and cell_len(_cut("王小明的很长很长的名字", 9)) <= 9
    assert misdrawn(rate_bar(0.5) + _cut("王小明的很长很长的名字", 9)) == set()


def test_plain_glyphs_are_on_in_a_legacy_console_and_on_request(monkeypatch):
    monkeypatch.delenv("GRIDCARE_PLAIN", raising=False)
    assert not glyphs.wanted()  # Linux terminal
    assert glyphs.wanted(flag=True)
    monkeypatch.setenv("GRIDCARE_PLAIN", "1")
    assert glyphs.wanted()
    monkeypatch.delenv("GRIDCARE_PLAIN")
    as_windows(monkeypatch)  # conhost: Windows without WT_SESSION
    assert glyphs.wanted()
    monkeypatch.setenv("WT_SESSION", "8b5f0b2e")  # Windows Terminal draws them narrow
    assert not glyphs.wanted()
    monkeypatch.delenv("WT_SESSION")
    monkeypatch.setenv("GRIDCARE_PLAIN", "0")
    assert not glyphs.wanted()


def test_the_cli_switches_plain_glyphs_on_for_the_app(tmp_path, monkeypatch):
    import tui.cli

    seen = {}
    monkeypatch.setattr(tui.cli, "run_tui", lambda args, milestone=None: seen.setdefault("plain", glyphs.plain()) and 0)
    monkeypatch.delenv("GRIDCARE_PLAIN", raising=False)
    try:
        tui.cli.main(["--db", str(tmp_path / "w.db"), "--plain"])
        assert seen["plain"] is True
        assert make_app(tmp_path / "w.db", lang="en").driver_class.__name__.startswith("Plain")
    finally:
        glyphs.set_plain(False)
    assert not make_app(tmp_path / "w.db", lang="en").driver_class.__name__.startswith("Plain")


@run_async
async def test_the_command_palette_has_no_emoji_in_plain_mode(tmp_path, plain_on):
    """Seen with --plain: the palette's search box began with Textual's 🔎 (two cells, not in cp936: conhost draws
    it as it likes)."""
    make_register_db(tmp_path / "w.db").dispose()
    app = make_app(tmp_path / "w.db", lang="zh_CN", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, "HomeScreen")
        await pilot.press("ctrl+p")
        await on_screen(pilot, "OrderedPalette")
        frame = _frame(app)
        assert "🔎" not in frame and ">" in frame
