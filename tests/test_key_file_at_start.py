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


def _emptied(keys, *names: str) -> None:
    """The key file as one emptied by hand leaves it: still a key file, the secrets named blank."""
    import json

    data = json.loads(keys.read_text(encoding="utf-8"))
    keys.write_text(json.dumps({**data, **dict.fromkeys(names, "")}), encoding="utf-8")


def test_an_emptied_key_file_is_named_at_start_and_by_the_merge_not_taken_for_another_townships_bundle(tmp_path,
                                                                                                       capsys):
    """h-hostile: a key file whose secrets were blanked made every merge say the bundle was "encrypted for another
    township or device"; the start-up said nothing."""
    from storage.core.db import open_database
    from storage.core.models import Identity
    from storage.sync.export import export_bundle
    from tui.cli import main

    t, path, public = _worker(tmp_path)
    worker = open_database(path)
    bundle = export_bundle(worker, tmp_path / "out").path
    worker.dispose()
    township_keys = keys_file(t.db.path)
    good = township_keys.read_bytes()
    township = open_database(t.db.path)
    with township.session() as s:
        township_public = s.get(Identity, 1).device_sign_public
    township.dispose()
    _emptied(township_keys, "township_age_secret")  # the township's own: the device's are still there
    assert "emptied" in key_problem(t.db.path, township_public, "township")
    assert key_problem(t.db.path, township_public) is None  # (not asked for the office's keys: the device's are there)
    assert main(["--db", str(t.db.path), "--lang", "en", "merge", str(bundle)]) == 1
    err = capsys.readouterr().err
    assert "holds no private key (it was emptied)" in err and "another township" not in err, err
    township_keys.write_bytes(good)
    assert main(["--db", str(t.db.path), "--lang", "en", "merge", str(bundle)]) == 0
    _emptied(keys_file(path), "device_age_secret", "device_sign_secret")
    assert "emptied" in key_problem(path, public, "worker")
    assert main(["--db", str(path), "--lang", "zh_CN", "export", "--out", str(tmp_path / "out")]) == 1
    assert "清空" in capsys.readouterr().err
