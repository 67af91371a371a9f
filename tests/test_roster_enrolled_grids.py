"""A new township's first day: init, enroll the workers, import the roster (walk E, A1).

The roster import read only the grid records merges bring, so every row of a township whose workers had sent
nothing yet was refused ("没有叫 G01 的网格"), while the clerk's form took those same grids. Now the import takes
the grids the form does, its residents reach the grid's worker and come back in the reports, and a row naming
a grid nobody was enrolled for says how to get one.
"""

from __future__ import annotations

import re

from sqlmodel import select

from storage.core.china_day import china_today
from storage.core.db import open_database
from storage.core.models import Resident
from tests.roster_helpers import CHILD_ID, DISABLED_ID, ELDER_ID, write_csv
from tests.test_cli import run

TOWNSHIP = ("--township-code", "330521101", "--township-name", "新市镇")
HEADER = ["序号", "姓名", "身份证号码", "性别", "人员类别", "所属网格"]


def _enroll(t, grid, worker, tmp_path) -> str:
    out = run("--lang", "en", "--db", str(t), "enroll", "--grid", grid, "--worker", worker, tmp_path=tmp_path)
    assert out.returncode == 0, out.stderr
    return re.search(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]", out.stdout).group(0)


def test_a_new_township_imports_its_roster_into_the_grids_it_enrolled(tmp_path):
    t = tmp_path / "town.db"
    assert run("--db", str(t), "init", "--role", "township", *TOWNSHIP, tmp_path=tmp_path).returncode == 0
    code = _enroll(t, "G01", "王芳", tmp_path)
    _enroll(t, "G02", "李强", tmp_path)
    rows = [[1, "张小明", CHILD_ID, "男", "留守儿童", "G01"], [2, "王桂英", ELDER_ID, "女", "独居老人", "G02"]]
    wrong = write_csv(tmp_path / "wrong.csv", [*rows, [3, "陈志强", DISABLED_ID, "男", "重度残疾人", "G03"]],
                      header=HEADER)
    out = run("--db", str(t), "roster", "import", str(wrong), "--dry-run", tmp_path=tmp_path)
    assert out.returncode == 1
    flat = re.sub(r"[\s│]", "", out.stdout)  # (the report's table wraps its problem column)
    assert "没有叫G03的网格" in flat and "gridcareenroll--gridG03" in flat  # how to get a grid
    assert "G01" not in flat and "G02" not in flat  # the enrolled grids' rows pass
    assert "乡镇网格清单" not in flat  # a list that exists nowhere

    roster = write_csv(tmp_path / "花名册.csv", rows, header=HEADER)
    out = run("--db", str(t), "roster", "import", str(roster), tmp_path=tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr
    db = open_database(t)
    with db.session() as s:
        placed = dict(s.exec(select(Resident.name, Resident.grid_code)).all())
    db.dispose()
    assert placed == {"张小明": "330521101-G01", "王桂英": "330521101-G02"}
    out = run("--db", str(t), "villages", tmp_path=tmp_path)
    assert out.returncode == 0 and "王芳" in out.stdout and "李强" in out.stdout  # enrolled grids are listed

    # the grid's worker sets up, sends its first bundle, and receives its residents
    w = tmp_path / "G01.db"
    out = run("--db", str(w), "init", "--role", "worker", *TOWNSHIP, "--grid-code", "G01", "--grid-name", "东村网格",
              "--worker", "王芳", "--township-key", str(tmp_path / "township-330521101.pub"), "--enroll-code", code,
              tmp_path=tmp_path)
    assert out.returncode == 0, out.stderr
    for args in ((w, "export", "--out", "usb"), (t, "merge", "usb"), (t, "export", "--grid", "G01", "--out", "back"),
                 (w, "merge", "back")):
        (tmp_path / "usb").mkdir(exist_ok=True)
        (tmp_path / "back").mkdir(exist_ok=True)
        out = run("--db", str(args[0]), *args[1:], tmp_path=tmp_path)
        assert out.returncode == 0, (args, out.stdout, out.stderr)
    worker = open_database(w)
    with worker.session() as s:
        assert list(s.exec(select(Resident.name)).all()) == ["张小明"]  # only its own grid's
    worker.dispose()
    # this month in China, asked after the grid was named: a month that ended before (2026-12 when this was written)
    # counts the grid as it stood at that month's end, before it was set up
    out = run("--db", str(t), "report", "--month", f"{china_today():%Y-%m}", tmp_path=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "东村网格" in out.stdout and "张小明" in out.stdout and "王桂英" in out.stdout


def test_a_row_that_moves_someone_to_another_grid_says_from_where_and_which_categories_go(tmp_path):
    """Walk G, 3: the row said only 更改：人员类别、所属网格; the person left the old grid's list (and its worker's
    register) and lost 农村留守老年人, with nothing on the row to say so."""
    from storage.core.i18n import set_language
    from storage.roster.importer import import_roster
    from tests.sync_helpers import clerk_elder, make_township

    set_language("zh_CN")
    try:
        t = make_township(tmp_path)
        clerk_elder(t, "王桂英", "G01", id_number=ELDER_ID, birth_date=None,
                    categories=["left_behind_elder", "empty_nest_elder"])
        clerk_elder(t, "陈阿婆", "G02")  # (the clerk's code for G02 first: a grid she can move people into)
        roster = write_csv(tmp_path / "花名册.csv", [[1, "王桂英", ELDER_ID, "女", "空巢老人", "G02"]], header=HEADER)
        (row,) = import_roster(t.db, roster, dry_run=True).rows
        said = [w.message for w in row.warnings]
        assert any(m.startswith("G01 → G02：此人将移出G01的名单") for m in said), said
        assert "空巢老年人、农村留守老年人 → 空巢老年人" in said, said
    finally:
        set_language("en")
