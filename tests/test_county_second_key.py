"""A second key for a township the county has enrolled already is said to be one (walk C, finding 8).

An impostor database claiming an enrolled township (or the township's replaced computer) waits for the county;
the merge line, `gridcare devices`, the Townships' keys screen and the approval say the township already has an
approved key, with its fingerprint, and that this is another: to approve only for a replaced computer, and to
revoke the old key. Approving it stays possible. Also the wrong-role words of `enroll`/`devices` at a county
(walk C, finding 10).
"""

from __future__ import annotations

from textual.widgets import DataTable, Static

from storage.core.i18n import set_language
from storage.sync.county_trust import approve_township
from storage.sync.devices import list_devices
from storage.sync.merge import merge_paths
from tests.county_helpers import TODAY, elder, make_county, make_township
from tests.pilot_helpers import on_screen, run_async, settle
from tests.test_cli import run
from tui.texts import approved_beside_text, device_rows, other_key_notes

CODE = "330521101"


def _real_and_impostor(tmp_path, county):
    """The township enrolled with its code, its bundle merged; then another database claiming it, whose bundle
    waits. Returns (the real key's fingerprint, the impostor's merge outcome)."""
    (tmp_path / "real").mkdir()
    (tmp_path / "fake").mkdir()
    real = make_township(tmp_path / "real", CODE, tmp_path / "county.pub", county)
    elder(real.db, "真人")
    assert merge_paths(county, [real.to_county(tmp_path / "up")]).refused == []
    fake = make_township(tmp_path / "fake", CODE, tmp_path / "county.pub")  # the county's key, no code
    elder(fake.db, "冒名人")
    [outcome] = merge_paths(county, [fake.to_county(tmp_path / "fake-up")]).bundles
    real.close()
    fake.close()
    [approved] = [v for v in list_devices(county) if v.status == "approved"]
    return approved.fingerprint, outcome


def test_a_second_key_of_an_enrolled_township_is_said_to_be_one(tmp_path, db_target):
    county = make_county(db_target, tmp_path / "county.pub")
    real_fp, outcome = _real_and_impostor(tmp_path, county)
    assert outcome.status == "waiting"
    assert "not enrolled" not in outcome.message
    assert f"Township {CODE} already has an approved key ({real_fp}); this is another key" in outcome.message
    assert "replaced" in outcome.message and f"--township {CODE}" in outcome.message
    [waiting] = [v for v in list_devices(county) if v.status == "waiting"]
    assert waiting.other_keys == (real_fp,)
    assert device_rows([waiting])[0][0] == "another key"  # not the row of a new township
    [note] = other_key_notes(list_devices(county))
    assert real_fp in note and waiting.fingerprint in note and "revoke the old key" in note
    # approving stays possible (a replaced computer), and says which key to revoke
    view, files = approve_township(county, waiting.device_id, CODE)
    assert view.other_keys == (real_fp,) and files
    assert f"revoke the old one (gridcare devices revoke {real_fp.replace(' ', '')})" in approved_beside_text(view)
    [note] = other_key_notes(list_devices(county))
    assert f"Township {CODE} has 2 approved keys" in note
    county.dispose()


def _en(*args, tmp_path):
    return run("--lang", "en", *args, tmp_path=tmp_path)


def _cli_county(tmp_path):
    db = tmp_path / "county.db"
    county = make_county(db, tmp_path / "county.pub")
    real_fp, _outcome = _real_and_impostor(tmp_path, county)
    [waiting] = [v for v in list_devices(county) if v.status == "waiting"]
    county.dispose()
    return db, real_fp, waiting


def test_the_command_line_says_a_second_key(tmp_path):
    db, real_fp, waiting = _cli_county(tmp_path)
    out = _en("--db", str(db), "devices", tmp_path=tmp_path)
    assert out.returncode == 0 and f"already has an approved key ({real_fp})" in out.stdout, out.stdout
    out = _en("--db", str(db), "devices", "approve", waiting.device_id, "--township", CODE, tmp_path=tmp_path)
    assert out.returncode == 0 and f"still has its other approved key ({real_fp})" in out.stdout, out.stdout


def test_a_county_is_told_to_enroll_and_approve_with_township_and_revokes_a_townships_key(tmp_path):
    db, real_fp, waiting = _cli_county(tmp_path)
    for args in (("enroll", "--grid", "G01", "--worker", "王"), ("devices", "approve", waiting.device_id, "--grid", "G01")):
        out = _en("--db", str(db), *args, tmp_path=tmp_path)
        assert out.returncode == 1 and "--township CODE" in out.stderr and len(out.stderr.strip().splitlines()) == 1, \
            out.stderr
    out = _en("--db", str(db), "devices", "revoke", real_fp.replace(" ", ""), tmp_path=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith(f"Township {CODE}'s key {real_fp} (device ") and "grid" not in out.stdout, out.stdout


@run_async
async def test_the_approval_on_screen_says_the_township_has_a_key_already(tmp_path, db_target):
    from tui.app import make_app

    county = make_county(db_target, tmp_path / "county.pub")
    real_fp, _outcome = _real_and_impostor(tmp_path, county)
    county.dispose()
    set_language("zh_CN")
    app = make_app(db_target, lang="zh_CN", today=TODAY)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await on_screen(pilot, "CountyHomeScreen")
            await pilot.press("d")
            await on_screen(pilot, "DevicesScreen")
            screen = app.screen
            table = screen.query_one("#devices", DataTable)
            await settle(pilot, lambda: table.row_count == 2)
            rows = [" ".join(map(str, table.get_row_at(i))) for i in range(2)]
            assert any("另一密钥" in row for row in rows), rows
            assert f"已有批准的密钥（{real_fp}）" in str(screen.query_one("#codes", Static).content)
            table.focus()
            table.move_cursor(row=next(i for i, row in enumerate(rows) if "另一密钥" in row))
            await pilot.press("a")
            await settle(pilot, lambda: app.screen is not screen)
            message = str(app.screen.query_one("#dialog-message", Static).content)
            assert f"已有批准的密钥（{real_fp}）" in message and "更换" in message, message
    finally:
        set_language("en")

