"""A worker's township code and name come from the clerk's key file when left blank.

Walk of a worker's first week: the clerk's `gridcare enroll` hands over a code and says
`gridcare init --role worker ... --grid-code G03 --enroll-code ...`; the worker also has township-330521101.pub, which
names the township. The first-run form still asked for the 9-digit code and the name first, and Ctrl+S without them
said the code must be 9 digits; the CLI said 网格员数据库需要 --township-code、--township-name.
"""

from __future__ import annotations

from textual.widgets import Input

from screens.setup import SetupScreen
from storage.core import keys
from storage.core.db import open_database
from storage.core.identity import get_identity, init_worker
from tests.pilot_helpers import on_screen, run_async, settle
from tests.register_helpers import TODAY
from tests.test_cli import run
from tui.app import make_app


def _township_key(tmp_path):
    path = tmp_path / "township-330521101.pub"
    keys.write_public_key_file(path, "330521101", "新市镇", keys.generate_keypair())
    return path


def test_init_worker_reads_the_township_from_the_key_file_when_left_blank(tmp_path):
    db = open_database(tmp_path / "w.db")
    init_worker(db, "", " ", "G03", "东村三网格", "李网格", _township_key(tmp_path))
    ident = get_identity(db)
    assert (ident.township_code, ident.township_name, ident.grid_code) == ("330521101", "新市镇", "330521101-G03")


def test_the_cli_sets_a_worker_up_with_the_key_file_alone(tmp_path):
    key = _township_key(tmp_path)
    r = run("--lang", "zh_CN", "--db", str(tmp_path / "w.db"), "init", "--role", "worker", "--grid-code", "G03",
            "--grid-name", "东村三网格", "--worker", "李网格", "--township-key", str(key), tmp_path=tmp_path)
    assert r.returncode == 0, r.stderr
    assert get_identity(open_database(tmp_path / "w.db")).township_name == "新市镇"
    r = run("--lang", "zh_CN", "--db", str(tmp_path / "w2.db"), "init", "--role", "worker", "--grid-code", "G03",
            "--grid-name", "东村三网格", "--worker", "李网格", tmp_path=tmp_path)
    assert r.returncode == 1 and "--township-code、--township-name" in r.stderr  # no key file: still asked for


@run_async
async def test_the_first_run_form_fills_the_township_from_the_key_file(tmp_path):
    key = _township_key(tmp_path)
    app = make_app(tmp_path / "new.db", lang="zh_CN", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, SetupScreen)
        code = app.screen.query_one("#township_code", Input)
        assert "公钥文件" in code.placeholder  # a worker is told the field may stay blank
        app.screen.query_one("#township_name", Input).value = "新市"  # typed by the worker: kept
        field = app.screen.query_one("#township_key", Input)
        field.focus()
        await pilot.press(*str(key))
        await settle(pilot, lambda: code.value == "330521101")
        assert app.screen.query_one("#township_name", Input).value == "新市"
