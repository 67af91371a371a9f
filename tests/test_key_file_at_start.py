"""A damaged or wrong key file is named when the app opens, not at the month's end by export (walk E, D1)."""

from __future__ import annotations

import shutil

from storage.core.paths import keys_file
from storage.core.private_keys import key_problem
from tests.pilot_helpers import run_async, said, settle
from tests.register_helpers import TODAY
from tests.sync_helpers import make_township


def _worker(tmp_path):
    t = make_township(tmp_path)
    w = t.worker("王芳", "G01")
    with w.session() as s:
        from storage.core.models import Identity

        public = s.get(Identity, 1).device_sign_public
    path = w.path
    w.dispose()
    t.db.dispose()
    return t, path, public


def test_each_way_a_key_file_goes_wrong_is_named_with_what_to_do(tmp_path):
    t, path, public = _worker(tmp_path)
    assert public and key_problem(path, public) is None
    keys = keys_file(path)
    good = keys.read_bytes()
    keys.write_bytes(b"\x00garbage")
    assert "not a gridcare key file any more" in key_problem(path, public) and "Put back" in key_problem(path, public)
    shutil.copy(keys_file(t.db.path), keys)  # the township's keys beside the worker's database
    assert "another database" in key_problem(path, public)
    keys.unlink()
    assert "missing" in key_problem(path, public)
    keys.write_bytes(good)
    assert key_problem(path, public) is None
    assert key_problem(path, "") is None  # a database not set up yet expects no keys


@run_async
async def test_the_app_says_so_on_opening(tmp_path, monkeypatch):
    import tui.app
    from tui.app import make_app

    _t, path, _public = _worker(tmp_path)
    keys_file(path).write_text("{}", encoding="utf-8")
    monkeypatch.setattr(tui.app, "BACKUP_DELAY", 0.05)
    app = make_app(path, lang="zh_CN", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, lambda: any("密钥文件" in note for note in said(app)))
        note = next(note for note in said(app) if "密钥文件" in note)
        assert str(keys_file(path)) in note and "放回" in note
