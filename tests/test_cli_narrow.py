"""Listing commands at 80 columns (a clerk's terminal), in Chinese and English: nothing cut.

`gridcare devices` cut every cell at 80 ("第一个数 …", "01:06（ …", "b60be503d…"): it now does without the first
bundle's column there, and the device id and fingerprint a clerk reads out are whole."""

from __future__ import annotations

import pytest
from rich.cells import cell_len

from storage.core.i18n import set_language
from storage.sync import devices
from storage.sync.export import export_bundle
from storage.sync.merge import merge_paths
from tests.sync_helpers import elder, make_township
from tui.cli import main


@pytest.fixture
def township(tmp_path):
    t = make_township(tmp_path)
    for i, (name, grid, enrolled) in enumerate([("王芳", "G01", True), ("欧阳建国", "G03", True),
                                                ("Wang Fang", "G04", False)]):
        db = t.worker(name, grid, enrolled=enrolled)
        elder(db, f"{name}的老人")
        merge_paths(t.db, [export_bundle(db, tmp_path / f"usb-{i}").path])
    yield t
    set_language("en")


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_devices_fit_80_columns_with_nothing_cut(township, capsys, monkeypatch, lang):
    monkeypatch.setenv("COLUMNS", "80")
    assert main(["--db", str(township.db.path), "--lang", lang, "devices"]) == 0
    out = capsys.readouterr().out
    assert all(cell_len(line) <= 80 for line in out.splitlines()), out
    assert "…" not in out, out
    for view in devices.list_devices(township.db):
        assert view.fingerprint in out and view.device_id[:8] in out


def test_devices_keep_every_column_when_the_terminal_is_wide(township, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "160")
    assert main(["--db", str(township.db.path), "--lang", "en", "devices"]) == 0
    assert "First bundle" in capsys.readouterr().out


def test_audit_names_the_clerks_office_in_the_readers_language(township, capsys, monkeypatch):
    """The audit log stores the office as set-up wrote it ("Township clerk"): `gridcare audit` in Chinese printed
    it in English among Chinese words; the merges and codes now read 乡镇民政助理员."""
    monkeypatch.setenv("COLUMNS", "80")
    assert main(["--db", str(township.db.path), "--lang", "zh_CN", "audit"]) == 0
    out = capsys.readouterr().out
    assert "乡镇民政助理员" in out and "Township clerk" not in out, out
    assert all(cell_len(line) <= 80 for line in out.splitlines()), out
