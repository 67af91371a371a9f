"""A county's database on a PostgreSQL server whose JSON columns hold JSON of the wrong shape (PostgreSQL refuses
text that is not JSON as it stores it, so only a wrong shape can be there): each reader says the damaged database's
line naming the record, as a SQLite file's is (tests/test_hostile_json.py WRONG_SHAPES).

Seen before on the server: a resident's categories edited into a number ended her visit list in "an unexpected
error" (exit 70); into text or an object, the report said the database was damaged without saying where; a visit's
hazards or observations of the wrong shape were dumped as they were, without a word."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from storage.core.db_server import server_url
from tests.test_cli import run
from tests.test_hostile_json import DAMAGED, LABELS, SHAPE_IDS, WRONG_SHAPES

pytestmark = pytest.mark.postgres


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


@pytest.mark.parametrize(("table", "column", "value"), WRONG_SHAPES, ids=SHAPE_IDS)
def test_a_value_of_the_wrong_shape_on_a_server_stops_each_reader_in_one_line_naming_its_record(
        demo, tmp_path, table, column, value):
    from tests import pg

    url = _copy(demo, tmp_path)
    engine = create_engine(server_url(url))
    try:
        with engine.begin() as conn:
            person, visit = conn.execute(text(
                "SELECT resident_id, id FROM visit ORDER BY visit_date DESC, id LIMIT 1")).one()
            row = person if table == "resident" else visit
            conn.execute(text(f"UPDATE {table} SET {column} = CAST(:v AS json) WHERE id = :id"), {"v": value, "id": row})
    finally:
        engine.dispose()
    try:
        wanted = (1, [DAMAGED.format(what=f"the {LABELS[table]} record {row}")])
        assert _cli(tmp_path, url, "visit", "list", person) == wanted
        assert _cli(tmp_path, url, "dump") == wanted
        if column == "categories":
            assert _cli(tmp_path, url, "report") == wanted
    finally:
        pg.drop_database(url)
