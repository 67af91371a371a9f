"""Home's footer names what each role does most (walk E, E1): the clerk's 报表 was on no screen, only in F1.

At 80 columns the footer holds about eight keys: a worker's are 对象名册, 新增对象, 同步, 报表; a clerk's
对象名册, 同步, 报表 (and 确认收到 when a finding waits) — `n` still registers a resident at the township,
unlisted.
"""

from __future__ import annotations

from screens.resident_form import ResidentFormScreen
from tests.foundation_helpers import make_db
from tests.pilot_helpers import on_screen, run_async, settle
from tests.register_helpers import TODAY, make_register_db
from tui.app import make_app


def _footer(app) -> list[str]:
    return [b.binding.key for b in app.screen.active_bindings.values() if b.binding.show and b.enabled]


@run_async
async def test_a_worker_and_a_clerk_see_their_own_keys_and_n_registers_at_both(tmp_path):
    worker = make_register_db(tmp_path / "w.db")
    worker.dispose()
    make_db(tmp_path / "t.db", role="township", worker="周民政").dispose()
    for path, keys in ((tmp_path / "w.db", ["r", "n", "s", "m"]), (tmp_path / "t.db", ["r", "s", "m"])):
        app = make_app(path, lang="zh_CN", today=TODAY)
        async with app.run_test(size=(80, 24)) as pilot:
            await on_screen(pilot, "HomeScreen")
            assert [k for k in _footer(app) if len(k) == 1] == keys
            await pilot.press("n")
            await settle(pilot, lambda app=app: isinstance(app.screen, ResidentFormScreen))
            assert isinstance(app.screen, ResidentFormScreen)


@run_async
async def test_the_language_key_is_named_in_the_other_language_and_every_key_fits_80_columns(tmp_path):
    """In English Home's footer cut its last key at 80 columns ("f2 Lang", a clerk's "f2 Langu"): the key is named
    by the language it switches to, in that language's word, as a site's "English" link."""
    from tests.test_walkthrough import screen_text

    worker = make_register_db(tmp_path / "w.db")
    worker.dispose()
    for lang, key in (("en", "f2 中文"), ("zh_CN", "f2 English")):
        app = make_app(tmp_path / "w.db", lang=lang, today=TODAY)
        async with app.run_test(size=(80, 24)) as pilot:
            await on_screen(pilot, "HomeScreen")
            footer = screen_text(app, " ").splitlines()[-1]
            assert " ".join(key.split()) in " ".join(footer.split()), footer
            if lang == "en":
                assert "r Residents" in " ".join(footer.split()) and "^q Quit" in " ".join(footer.split()), footer
