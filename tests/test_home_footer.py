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
