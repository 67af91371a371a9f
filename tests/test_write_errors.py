"""A file that cannot be written is named as the user gave it, not as the hidden temporary file beside it.

Seen at 80×24 in Chinese: `report --out /ro/r.xlsx` on a read-only stick said "gridcare：/ro/.r.xlsx.upnvxvts.part
在只读的磁盘上…", and `export`, `dump`, `public-key` named their .part files too; a full disk said "(-)" for the file.
storage/core/files.py now says the system's error of the file asked for, wherever its message is made.
"""

from __future__ import annotations

import errno
import os
import re
import tempfile

import pytest
from textual.widgets import Input, Static

from tests.pilot_helpers import run_async, settle
from tests.register_helpers import HarnessApp
from tests.sync_helpers import elder, make_township
from tests.test_cli import run
from tests.test_hostile_places import _small_disk
from tui.cli import main

real_mkstemp = tempfile.mkstemp


def read_only(monkeypatch) -> None:
    """From now on the folders of atomic writes are read-only: mkstemp fails as it does there, naming the .part."""

    def refused(suffix=None, prefix=None, dir=None, text=False):
        if suffix != ".part":
            return real_mkstemp(suffix, prefix, dir, text)
        name = os.path.join(os.path.abspath(dir), f"{prefix}upnvxvts{suffix}")
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), name)

    monkeypatch.setattr(tempfile, "mkstemp", refused)


def full_disk(monkeypatch) -> None:
    """From now on the disk fills while a file is written: the system's error names no file."""

    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)


def _worker(tmp_path):
    t = make_township(tmp_path)
    w = t.worker("王芳", "G01")
    elder(w, "张三")
    w.dispose()
    t.db.dispose()
    return t, w


def _commands(tmp_path, out):
    t, w = _worker(tmp_path)
    return {"report": ([str(w.path), "report", "--month", "2026-12", "--out", str(out / "r.xlsx")], out / "r.xlsx"),
            "export": ([str(w.path), "export", "--out", str(out)], None),
            "dump": ([str(w.path), "dump", "--out", str(out / "d.jsonl")], out / "d.jsonl"),
            "public-key": ([str(t.db.path), "public-key", "--out", str(out / "k.pub")], out / "k.pub")}


def _names_the_target(err: str, out, target) -> None:
    assert ".part" not in err and "-)" not in err and "-）" not in err and "Traceback" not in err, err
    assert len(err.strip().splitlines()) == 1, err
    if target is not None:
        assert re.search(re.escape(str(target)) + r"(?![\w.])", err), err
    else:  # export: the bundle's own name, made by gridcare
        assert re.search(re.escape(f"{out}{os.sep}") + r"gridcare-330521101-G01-\S+\.gcb", err), err


@pytest.mark.parametrize("command", ["report", "export", "dump", "public-key"])
@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_a_read_only_folder_is_said_of_the_file_asked_for(tmp_path, capsys, monkeypatch, command, lang):
    out = tmp_path / "stick"
    out.mkdir()
    args, target = _commands(tmp_path, out)[command]
    read_only(monkeypatch)
    assert main(["--lang", lang, "--db", *args]) == 1
    err = capsys.readouterr().err
    _names_the_target(err, out, target)
    assert ("read-only disk" if lang == "en" else "在只读的磁盘上") in err, err
    assert list(out.iterdir()) == []


@pytest.mark.parametrize("command", ["export", "dump", "public-key"])
@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_a_full_disk_is_said_of_the_file_asked_for(tmp_path, capsys, monkeypatch, command, lang):
    out = tmp_path / "stick"
    out.mkdir()
    args, target = _commands(tmp_path, out)[command]
    full_disk(monkeypatch)
    assert main(["--lang", lang, "--db", *args]) == 1
    err = capsys.readouterr().err
    _names_the_target(err, out, target)
    assert ("disk is full" if lang == "en" else "磁盘已满") in err, err
    assert list(out.iterdir()) == []  # the .part removed


def test_a_real_read_only_disk(tmp_path):
    with _small_disk(tmp_path, "1m", read_only=True) as disk:
        cases = _commands(tmp_path, disk)  # the databases beside it, the files asked for on it
        for command in ("report", "export"):
            args, target = cases[command]
            got = run("--db", *args, tmp_path=tmp_path)
            assert got.returncode == 1 and "在只读的磁盘上" in got.stderr, got.stderr
            _names_the_target(got.stderr, disk, target)
        assert list(disk.iterdir()) == []


@run_async
async def test_the_sync_screen_says_the_bundle_not_its_part(tmp_path, monkeypatch):
    from screens.sync import SyncScreen

    _t, w = _worker(tmp_path)
    from storage.core.db import open_database

    db = open_database(w.path)
    out = tmp_path / "stick"
    out.mkdir()
    read_only(monkeypatch)
    app = HarnessApp(db, SyncScreen)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        screen.query_one("#folder", Input).value = str(out)
        await pilot.press("enter")
        await settle(pilot, lambda: "read-only" in str(screen.query_one("#result", Static).content))
        _names_the_target(str(screen.query_one("#result", Static).content).replace("\n", ""), out, None)
    db.dispose()


@run_async
async def test_the_reports_screen_says_the_workbook_not_its_part(tmp_path, monkeypatch):
    from screens.reports import ReportsScreen
    from tests.report_helpers import TODAY, build_township

    db, _ids = build_township(tmp_path / "t.db")
    out = tmp_path / "stick"
    out.mkdir()
    read_only(monkeypatch)
    app = HarnessApp(db, ReportsScreen, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, lambda: getattr(app.screen, "report", None) is not None)
        screen = app.screen
        await pilot.press("x")
        screen.query_one("#out", Input).value = str(out / "r.xlsx")
        await pilot.press("enter")
        await settle(pilot, lambda: "read-only" in str(screen.query_one("#status", Static).content))
        _names_the_target(str(screen.query_one("#status", Static).content).replace("\n", ""), out, out / "r.xlsx")
    assert list(out.iterdir()) == []


def _workbooks(monkeypatch) -> list:
    """Every openpyxl workbook made from now on."""
    import openpyxl

    made: list = []

    class Kept(openpyxl.Workbook):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            made.append(self)

    monkeypatch.setattr(openpyxl, "Workbook", Kept)
    return made


def _left_open(workbooks: list) -> list[str]:
    """The sheets of these workbooks still streaming to their temporary files (for the collector to close, in
    whatever order it meets a sheet's rows and its file)."""
    return [ws.title for wb in workbooks for ws in wb.worksheets if not ws.closed]


def _unraisable(monkeypatch) -> list:
    """What Python reports as raised where nobody could catch it (a generator closed by the collector), from now."""
    import sys

    caught: list = []
    monkeypatch.setattr(sys, "unraisablehook", caught.append)
    return caught


def _sheets_folder(tmp_path, monkeypatch):
    """The folder openpyxl's write-only sheets stream their rows to from now on (the system's temporary folder,
    kept apart from other tests' workbooks)."""
    folder = tmp_path / "system-temp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def test_a_workbook_not_written_leaves_no_sheet_for_the_collector_to_close(tmp_path, capsys, monkeypatch):
    """`report --out` on a read-only stick: openpyxl's sheets, each streamed to a temporary file, were left to the
    collector, which closed a sheet's rows after its file ("I/O operation on closed file" in a generator: 48
    warnings in this file's run)."""
    import gc

    out = tmp_path / "stick"
    out.mkdir()
    args, _target = _commands(tmp_path, out)["report"]
    read_only(monkeypatch)
    sheets = _sheets_folder(tmp_path, monkeypatch)
    caught, workbooks = _unraisable(monkeypatch), _workbooks(monkeypatch)
    assert main(["--lang", "en", "--db", *args]) == 1
    assert len(workbooks) == 1 and _left_open(workbooks) == []
    assert list(sheets.iterdir()) == []  # the sheets' temporary files, with names and ID numbers: gone now
    gc.collect()
    assert [u.exc_value for u in caught] == []


def test_a_disk_full_in_the_middle_of_a_workbook_leaves_no_sheet_half_open(tmp_path, monkeypatch):
    """The disk fills while the workbook's file is written: the sheets not yet written are closed too."""
    import contextlib
    import datetime as dt
    import gc

    import storage.reports.xlsx_book as book
    from storage.core.db import open_database
    from storage.reports.monthly import monthly_report

    _t, w = _worker(tmp_path)

    class Filling:
        written = 0

        def write(self, data):
            self.written += len(data)
            if self.written > 20_000:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            return len(data)

        def __getattr__(self, name):  # (seek, tell, flush: as the zip writer asks of a stream)
            return getattr(self._real, name)

    @contextlib.contextmanager
    def filling(_path):
        stream = Filling()
        with open(tmp_path / "out.xlsx", "wb") as real:
            stream._real = real
            yield stream

    db = open_database(w.path)
    report = monthly_report(db, 2026, 11, today=dt.date(2026, 11, 24), with_trend=True, with_lists=True)
    db.dispose()
    monkeypatch.setattr(book, "atomic_writer", filling)
    sheets = _sheets_folder(tmp_path, monkeypatch)
    caught, workbooks = _unraisable(monkeypatch), _workbooks(monkeypatch)
    with pytest.raises(OSError):
        book.write_workbook(report, tmp_path / "r.xlsx")
    assert len(workbooks) == 1 and _left_open(workbooks) == []
    assert list(sheets.iterdir()) == []
    gc.collect()
    assert [u.exc_value for u in caught] == []
