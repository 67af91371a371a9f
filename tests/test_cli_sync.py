"""`gridcare export`, `merge`, `conflicts` from the command line: output, exit codes, the audit log."""

from __future__ import annotations

import datetime as dt
import re

from sqlmodel import select

from storage.core.db import open_database
from storage.core.models import AuditEntry
from storage.register.residents import register_resident, update_resident
from tests.test_cli import run

TOWNSHIP = ("--township-code", "330521101", "--township-name", "新市镇")


def _setup(tmp_path, grids=("G01", "G02")):
    """A township and its workers (of `grids`), all set up through the command line."""
    t = tmp_path / "t.db"
    out = run("--db", str(t), "init", "--role", "township", *TOWNSHIP, tmp_path=tmp_path)
    assert out.returncode == 0, out.stderr
    key = tmp_path / "township-330521101.pub"
    assert key.read_text(encoding="utf-8").strip() in out.stdout  # the key is also shown to copy
    workers = {}
    for grid, name in (("G01", "王芳"), ("G02", "李强")):
        if grid not in grids:
            continue
        w = tmp_path / f"{grid}.db"
        out = run("--lang", "en", "--db", str(t), "enroll", "--grid", grid, "--worker", name, tmp_path=tmp_path)
        assert out.returncode == 0, out.stderr
        code = re.search(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]", out.stdout).group(0)
        out = run("--db", str(w), "init", "--role", "worker", *TOWNSHIP, "--grid-code", grid, "--grid-name",
                  f"{grid}网格", "--worker", name, "--township-key", str(key), "--enroll-code", code, tmp_path=tmp_path)
        assert out.returncode == 0, out.stderr
        workers[grid] = w
    return t, workers


def _register(path, name, **extra):
    db = open_database(path)
    r = register_resident(db, {"name": name, "categories": ["solitary_elder"], "birth_date": dt.date(1945, 3, 3), **extra},
                          today=dt.date(2026, 11, 24))
    db.dispose()
    return r.id


def _en(*args, tmp_path):
    return run("--lang", "en", *args, tmp_path=tmp_path)


def test_export_merge_conflicts_and_the_way_back(tmp_path):
    t, workers = _setup(tmp_path)
    rid = _register(workers["G01"], "张三", phone="13800000001")
    _register(workers["G02"], "李四")
    usb = tmp_path / "usb"
    usb.mkdir()
    for grid, w in workers.items():
        out = _en("--db", str(w), "export", "--out", str(usb), tmp_path=tmp_path)
        assert out.returncode == 0, out.stderr
        assert "Bundle 1 written" in out.stdout and grid in out.stdout
    again = _en("--db", str(workers["G01"]), "export", "--out", str(usb), tmp_path=tmp_path)
    assert again.returncode == 1 and "Nothing new to export since bundle 1" in again.stderr

    out = _en("--db", str(t), "merge", str(usb), tmp_path=tmp_path)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert sum(line.startswith("new ") for line in lines) == 2
    assert any(line.startswith("Records added:") and "conflicts to review: 0" in line for line in lines)
    assert sum("enrolled with its code" in line for line in lines) == 2
    out = _en("--db", str(t), "merge", str(usb), tmp_path=tmp_path)
    assert sum(line.startswith("already merged") for line in out.stdout.splitlines()) == 2

    # the worker and the clerk change one phone number without seeing each other's change
    for path, phone in ((workers["G01"], "13800000002"), (t, "13800000003")):
        db = open_database(path)
        update_resident(db, rid, {"phone": phone})
        db.dispose()
    assert _en("--db", str(workers["G01"]), "export", "--out", str(usb), tmp_path=tmp_path).returncode == 0
    out = _en("--db", str(t), "merge", str(usb), tmp_path=tmp_path)
    assert "conflicts to review: 1" in out.stdout
    out = _en("--db", str(t), "conflicts", tmp_path=tmp_path)
    assert out.returncode == 0 and "张三" in out.stdout and "13800000002" in out.stdout and "13800000003" in out.stdout

    # township -> grid 1: only grid 1's residents, readable by grid 1's worker
    back = tmp_path / "back"
    out = _en("--db", str(t), "export", "--grid", "G01", "--out", str(back), tmp_path=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "Bundle 1 for grid G01 written" in out.stdout and "all of the grid's records" in out.stdout  # walk F, 8
    out = _en("--db", str(workers["G01"]), "merge", str(back), tmp_path=tmp_path)
    assert out.returncode == 0, out.stderr
    # grid 2, given the folder: nothing there is for it (skipped, said so); given the file: refused
    out = _en("--db", str(workers["G02"]), "merge", str(back), tmp_path=tmp_path)
    assert out.returncode == 1 and "Skipped 1 bundle" in out.stdout
    assert "No bundle from the township for this grid there." in out.stderr
    out = _en("--db", str(workers["G02"]), "merge", *map(str, back.iterdir()), tmp_path=tmp_path)
    assert out.returncode == 1 and "REFUSED" in out.stdout

    with open_database(t).session() as s:
        actions = [e.action for e in s.exec(select(AuditEntry)).all()]
    assert actions.count("merge") == 3 and actions.count("export") == 1


def test_a_refused_bundle_exits_1_after_merging_the_good_ones(tmp_path):
    t, workers = _setup(tmp_path, grids=("G01",))
    _register(workers["G01"], "张三")
    usb = tmp_path / "usb"
    usb.mkdir()
    assert _en("--db", str(workers["G01"]), "export", "--out", str(usb), tmp_path=tmp_path).returncode == 0
    (usb / "zz-broken.gcb").write_bytes(b"GRIDCARE-BUNDLE 1\n{")
    out = _en("--db", str(t), "merge", str(usb), tmp_path=tmp_path)
    assert out.returncode == 1
    assert "zz-broken.gcb" in out.stdout and "REFUSED" in out.stdout
    assert any(line.startswith("new ") for line in out.stdout.splitlines())
    assert "1 bundle was refused" in out.stderr
    dump = _en("--db", str(t), "dump", tmp_path=tmp_path)
    assert '"name":"张三"' in dump.stdout


def test_merge_of_a_folder_without_bundles_is_a_user_error(tmp_path):
    t, _workers = _setup(tmp_path, grids=())
    (tmp_path / "empty").mkdir()
    out = _en("--db", str(t), "merge", str(tmp_path / "empty"), tmp_path=tmp_path)
    assert out.returncode == 1 and "No bundle files" in out.stderr
    out = _en("--db", str(t), "export", tmp_path=tmp_path)
    assert out.returncode == 1 and "--grid" in out.stderr
    out = _en("--db", str(t), "export", "--grid", "G09", tmp_path=tmp_path)
    assert out.returncode == 1 and "G09" in out.stderr


def test_enroll_without_the_workers_name_is_a_bad_argument(tmp_path):
    """`enroll --grid G07` with no --worker exited 1 as a user error; a missing argument is 2, with the usage."""
    t = tmp_path / "t.db"
    assert run("--db", str(t), "init", "--role", "township", *TOWNSHIP, tmp_path=tmp_path).returncode == 0
    out = _en("--db", str(t), "enroll", "--grid", "G07", tmp_path=tmp_path)
    assert out.returncode == 2 and "usage:" in out.stderr and "--worker" in out.stderr.splitlines()[-1], out.stderr
