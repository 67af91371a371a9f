"""A county's database on a PostgreSQL server whose JSON columns hold JSON of the wrong shape (PostgreSQL refuses
text that is not JSON as it stores it, so only a wrong shape can be there): each reader says the damaged database's
line naming the record, as a SQLite file's is (tests/test_hostile_json.py WRONG_SHAPES).

Seen before on the server: a resident's categories edited into a number ended her visit list in "an unexpected
error" (exit 70); into text or an object, the report said the database was damaged without saying where; a visit's
hazards or observations of the wrong shape were dumped as they were, without a word. Then the line spoke of a
damaged "database file" and sent the county's clerk to `gridcare restore` and Home's b, which a server has not
(gridcare keeps no backups of it: its own tools do); the app's Reports screen said so without the record."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import create_engine, text

from storage.core.db_server import server_url
from tests.pilot_helpers import on_screen, run_async, said, settle
from tests.test_cli import run
from tests.test_hostile_json import LABELS, SHAPE_IDS, WRONG_SHAPES

pytestmark = pytest.mark.postgres

DAMAGED = ("The database on the server is damaged: {what} holds a value that cannot be read. Ask whoever looks after "
           "the server to put back the server's own backup, then merge again the bundles merged since. Nothing was "
           "changed.")
DAMAGED_ZH = ("gridcare：服务器上的数据库已损坏：关爱对象记录 {id}中有无法读取的内容。请负责服务器的人员用服务器自己的备份恢复，"
              "再把此后合并过的数据包重新合并一次。没有做任何更改。")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo grid on a server, kept as a template: each test edits a copy of it."""
    from tests import pg

    tmp = tmp_path_factory.mktemp("demo")
    with pg.fresh_database() as url:
        assert run("--db", url, "demo", tmp_path=tmp).returncode == 0
        yield url


def _copy(template: str, tmp_path) -> str:
    from sqlalchemy.engine import make_url

    from tests import pg

    name = f"gc_copy_{tmp_path.name[-20:].lower().replace('-', '_')}"
    admin = create_engine(server_url(pg.server_url()), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{make_url(template).database}"'))
    finally:
        admin.dispose()
    return make_url(template).set(database=name).render_as_string(hide_password=False)


def _cli(tmp_path, url: str, *args: str):
    out = run("--db", url, "--lang", "en", *args, tmp_path=tmp_path)
    return out.returncode, out.stderr.strip().splitlines()


def _damaged_copy(template: str, tmp_path, table: str, column: str, value: str) -> tuple[str, str, str]:
    """A copy of the demo whose newest visit's resident (table "resident") or visit has `column` set to `value`:
    (its URL, the resident's id, the id of the row edited)."""
    url = _copy(template, tmp_path)
    engine = create_engine(server_url(url))
    try:
        with engine.begin() as conn:
            person, visit = conn.execute(text(
                "SELECT resident_id, id FROM visit ORDER BY visit_date DESC, id LIMIT 1")).one()
            row = person if table == "resident" else visit
            conn.execute(text(f"UPDATE {table} SET {column} = CAST(:v AS json) WHERE id = :id"), {"v": value, "id": row})
    finally:
        engine.dispose()
    return url, person, row


@pytest.mark.parametrize(("table", "column", "value"), WRONG_SHAPES, ids=SHAPE_IDS)
def test_a_value_of_the_wrong_shape_on_a_server_stops_each_reader_in_one_line_naming_its_record(
        demo, tmp_path, table, column, value):
    from tests import pg

    url, person, row = _damaged_copy(demo, tmp_path, table, column, value)
    try:
        wanted = (1, ["gridcare: " + DAMAGED.format(what=f"the {LABELS[table]} record {row}")])
        assert _cli(tmp_path, url, "visit", "list", person) == wanted
        assert _cli(tmp_path, url, "dump") == wanted
        if column == "categories":
            assert _cli(tmp_path, url, "report") == wanted
    finally:
        pg.drop_database(url)


def test_the_servers_line_says_in_chinese_to_restore_the_servers_own_backup_not_gridcares(demo, tmp_path):
    from tests import pg

    url, person, _row = _damaged_copy(demo, tmp_path, "resident", "categories", "5")
    try:
        out = run("--db", url, "--lang", "zh_CN", "visit", "list", person, tmp_path=tmp_path)
        assert (out.returncode, out.stderr.strip().splitlines()) == (1, [DAMAGED_ZH.format(id=person)])
    finally:
        pg.drop_database(url)


@run_async
async def test_home_and_reports_on_a_server_say_the_servers_line_in_place_of_their_figures(demo, tmp_path):
    """Home stayed on "Loading…" beside the notice; Reports said the file's line, unnamed, with gridcare restore."""
    from textual.widgets import Static

    from screens.reports import ReportsScreen
    from tests import pg
    from tui.app import make_app

    url, person, _row = _damaged_copy(demo, tmp_path, "resident", "categories", "5")
    try:
        wanted = DAMAGED.format(what=f"the Resident record {person}")
        app = make_app(url, lang="en")
        async with app.run_test(size=(80, 24)) as pilot:
            await on_screen(pilot, "HomeScreen")
            figures = lambda: str(app.screen.query_one("#progress", Static).content).replace("\n", " ")  # noqa: E731
            await settle(pilot, lambda: figures().startswith("The figures could not be read. The database on the "
                                                            "server is damaged"))
            assert " ".join(figures().split()) == " ".join(f"The figures could not be read. {wanted}".split())
            assert not app.screen.query_one("#lists").display
            assert any(note == wanted for note in said(app)), said(app)
            await pilot.press("m")
            await on_screen(pilot, ReportsScreen)
            status = lambda: str(app.screen.query_one("#status", Static).content)  # noqa: E731
            await settle(pilot, lambda: status().replace("\n", "") == wanted)
        app.db.dispose()
    finally:
        pg.drop_database(url)


@pytest.mark.parametrize("fields", ["[1]", '"x"'], ids=["a list", "a text"])
def test_a_county_merge_on_a_server_touching_a_record_whose_change_is_damaged_says_the_servers_line(
        pg_url, tmp_path, fields):
    from storage.register.residents import update_resident
    from tests.county_helpers import busy_township, make_county

    county = make_county(pg_url, tmp_path / "county.pub")
    t = busy_township(tmp_path, "330521101", tmp_path / "county.pub", n=1, county=county)
    keys = {"GRIDCARE_DATA_DIR": os.environ["GRIDCARE_DATA_DIR"]}  # (where the county's keys were written)

    def merge(bundle):
        out = run("--db", pg_url, "--lang", "en", "merge", str(bundle), tmp_path=tmp_path, env=keys)
        return out.returncode, out.stderr.strip().splitlines()

    try:
        assert merge(t.to_county(tmp_path / "up1"))[0] == 0
        worker = t.worker("G01", "王芳")
        with worker.engine.connect() as conn:
            person = conn.execute(text("SELECT id FROM resident LIMIT 1")).scalar()
        update_resident(worker, person, {"phone": "13800000001"})
        t.collect()
        bundle = t.to_county(tmp_path / "up2")
        with county.engine.begin() as conn:
            conn.execute(text("UPDATE event SET fields = CAST(:f AS json) WHERE record_id = :id"),
                         {"f": fields, "id": person})
        code, said_lines = merge(bundle)
        assert (code, said_lines[-1:]) == (1, ["gridcare: " + DAMAGED.format(what=f"a change to the Resident record "
                                                                                 f"{person}")])
    finally:
        county.dispose()
        t.close()
