"""New records' state derived in SQL from their one event (storage/core/fresh_state.py: sqlite_fresh.py on SQLite,
pg_fresh.py on PostgreSQL) is the Python fold's (storage/core/fold.py), row for row: the state rows, a visit's risk
row, the residents whose risk level may move. Every test runs on both engines.

Events are drawn as a device writes them, with every value the merge's checks accept (the "no value"
forms and ISO instants in date fields too), and only those the checks accept are kept; each batch is
derived both ways in one database, each inside a savepoint rolled back afterwards. Some are drawn with a
NUL in a text (PostgreSQL refuses it): the checks must refuse those, so none reaches the database.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from hypothesis import assume
from hypothesis import strategies as st
from sqlalchemy import select

from storage.core import fresh_state
from storage.core.bulk import for_connection
from storage.core.derive import stamp_event
from storage.core.fold import rebuild
from storage.core.json_text import dumps
from storage.core.models import RECORD_TABLES, RiskAssessment
from storage.core.schema import field_problem
from storage.register.field_rules import REQUIRED, checked_spec, judged
from storage.register.idnumbers import check_char
from tests import pg
from tests.profiles import given_case, quick_and_slow
from tests.test_value_laws import good_value

DEVICE = "d" * 32
_IDS = itertools.count(1)


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db(request, tmp_path_factory):
    """One database per engine for the module (each batch is rolled back)."""
    from storage.core.db import open_database

    if request.param == "sqlite":
        database = open_database(tmp_path_factory.mktemp("fresh") / "fresh.db")
        yield database
        database.dispose()
        return
    url = pg.create_database()
    database = open_database(url)
    yield database
    database.dispose()
    pg.drop_database(url)


@st.composite
def new_record(draw, record_type: str | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """(an event creating a record, its fields as the merge's checks cleaned them)."""
    record_type = record_type or draw(st.sampled_from(fresh_state.SERVED + ("grid", "setting")))
    specs = checked_spec(record_type)
    names = sorted(n for n, s in specs.items() if s.writable)
    fields = {n: draw(good_value(specs[n])) for n in draw(st.lists(st.sampled_from(names), unique=True))}
    for name in REQUIRED.get(record_type, ()):  # what a record's first event gives (a visit's date, ...)
        if name not in fields:
            fields[name] = draw(good_value(specs[name]))
    for name in [n for n, v in fields.items() if specs[n].kind == "date" and isinstance(v, str) and len(v) == 10]:
        if draw(st.integers(0, 4)) == 0:  # other forms the checks take: the fold reads the first ten characters
            day = dt.date.fromisoformat(fields[name])
            week = "{}-W{:02d}-{}".format(*day.isocalendar())
            fields[name] = draw(st.sampled_from([
                fields[name] + "T23:30:00-05:00", fields[name] + "T00:10:00+08:00", fields[name] + " 12:00",
                week, week + "T10:00", day.strftime("%Y%m%d")]))
    texts = sorted(n for n, v in fields.items() if isinstance(v, str) and specs[n].kind == "text")
    spoilt = texts and draw(st.integers(0, 9)) == 0
    if spoilt:  # a NUL somewhere in one text (a code, a reference, free text), in place of one of its characters:
        # inserted, it made a text drawn at its longest one too long, which is judged first (a grid's village name)
        name = draw(st.sampled_from(texts))
        at = draw(st.integers(0, max(len(fields[name]) - 1, 0)))
        fields[name] = fields[name][:at] + "\x00" + fields[name][at + 1:]
    n = next(_IDS)
    prefix = "visit:" if record_type == "risk" and draw(st.integers(0, 4)) == 0 else ""
    ev = stamp_event(DEVICE, "王芳", record_type, f"{prefix}r{n}", fields, 1_700_000_000_000_000 + n, 0)
    refusal, cleaned = judged(ev)
    if spoilt:  # (refused for that field, or for another one before it)
        assert refusal is not None and field_problem(specs[name], fields[name]) == "bad_text", refusal
    assert refusal is not None or "\\u0000" not in dumps(fields)  # what the checks pass, PostgreSQL stores
    assume(refusal is None)
    return ev, cleaned


def _rows(session, keys: set[tuple[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
    out = {}
    for record_type in {t for t, _ in keys}:
        table = RECORD_TABLES[record_type].__table__  # type: ignore[attr-defined]
        ids = [i for t, i in keys if t == record_type]
        for row in session.execute(select(table).where(table.c.id.in_(ids))).mappings():
            out[(record_type, row["id"])] = dict(row)
    risk = RiskAssessment.__table__  # type: ignore[attr-defined]
    visits = ["visit:" + i for t, i in keys if t == "visit"]
    for row in session.execute(select(risk).where(risk.c.id.in_(visits))).mappings():
        out[("visit-risk", row["id"])] = dict(row)
    return out


def derived(db, records: list[tuple[dict[str, Any], dict[str, Any]]], in_sql: bool) -> tuple[dict, set[str], int]:
    """(state rows, residents whose risk may move, records the database derived)."""
    fresh = {(ev["record_type"], ev["record_id"]): [{**ev, "fields": fields}] for ev, fields in records}
    rewritten = {(ev["record_type"], ev["record_id"]) for ev, fields in records if fields is not ev["fields"]}
    residents: set[str] = set()
    with db.session() as s:
        s.begin()
        try:
            conn = s.connection()
            for_connection(conn).insert_events_ignore(conn, [ev for ev, _f in records])
            served = fresh_state.served(fresh, rewritten) if in_sql else {}
            rebuild(s, set(fresh) - served.keys(), {k: v for k, v in fresh.items() if k not in served},
                    known_clean=True, risk_later=residents)
            if served:
                fresh_state.derive_in_sql(conn, served, residents)
            return _rows(s, set(fresh)), residents, len(served)
        finally:
            s.rollback()


def _agree_case(db, records) -> None:
    visits = [ev["record_id"] for ev, _f in records if ev["record_type"] == "visit"]
    if visits:  # a risk record under a visit's derived id: the visit's own risk row replaces it
        records = [(ev, f) if ev["record_type"] != "risk" or not ev["record_id"].startswith("visit:")
                   else ({**ev, "record_id": "visit:" + visits[0]}, f) for ev, f in records]
    folded, folded_residents, _ = derived(db, records, in_sql=False)
    served, served_residents, _ = derived(db, records, in_sql=True)
    assert served == folded
    assert served_residents == folded_residents


test_new_records_derived_in_sql_are_the_python_folds, test_derived_in_sql_at_scale = quick_and_slow(
    "fresh_state", given_case(st.lists(new_record(), min_size=1, max_size=12), _agree_case))


@pytest.mark.parametrize("record_type", fresh_state.SERVED)
def test_records_of_every_kind_sql_derives_go_that_way(db, record_type):
    """Not a vacuous comparison: records with their dates spelled as days, their JSON lists and objects set
    (a visit saying whether contact was made) are derived by the database, and come out as the fold's."""
    specs = checked_spec(record_type)
    fields: dict[str, Any] = {}
    for name, spec in specs.items():
        if not spec.writable or name == "deleted":
            continue
        fields[name] = {"date": "2026-11-03", "bool": True, "list": [], "dict": {}}.get(spec.kind)
        if spec.kind == "text":
            fields[name] = sorted(spec.choices)[0] if spec.choices else (
                "330521101" if "code" in name else "k0" if name.endswith("_id") else "张")
        elif spec.kind == "int":
            fields[name] = sorted(spec.choices)[0] if spec.choices else (spec.low or 0) + 1
    if record_type == "resident":
        fields["id_number"] = "11010119480412001" + check_char("11010119480412001")
    n = next(_IDS)
    while True:  # a field whose rule this plain value breaks (a pattern, a reference) is left out
        ev = stamp_event(DEVICE, "王芳", record_type, f"k{n}", fields, 1_700_000_000_000_000 + n, 0)
        refusal, cleaned = judged(ev)
        if refusal is None:
            break
        assert refusal.field in fields and refusal.field not in ("contact_made", "risk_after", "id_number"), refusal
        del fields[refusal.field]
    folded, _, _ = derived(db, [(ev, cleaned)], in_sql=False)
    served, _, count = derived(db, [(ev, cleaned)], in_sql=True)
    assert count == 1 and served == folded
    if record_type == "resident":
        assert served[("resident", f"k{n}")]["id_rev"] == fields["id_number"][::-1]
    if record_type == "visit":
        assert served[("visit-risk", f"visit:k{n}")]["assessed_on"] == dt.date(2026, 11, 3)


def _visit(fields: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    n = next(_IDS)
    base = {"resident_id": "res1", "visit_date": "2026-11-03", "method": "home", "visitor": "王芳", "risk_after": "high"}
    ev = stamp_event(DEVICE, "王芳", "visit", f"v{n}", {**base, **fields}, 1_700_000_000_000_000 + n, 0)
    refusal, cleaned = judged(ev)
    assert refusal is None, refusal
    return ev, cleaned


def test_a_deleted_visit_makes_no_risk_row_and_one_that_is_not_does(db):
    kept, deleted = _visit({"contact_made": True}), _visit({"contact_made": True, "deleted": True})
    served, residents, count = derived(db, [kept, deleted], in_sql=True)
    assert count == 2 and (served, residents) == derived(db, [kept, deleted], in_sql=False)[:2]
    assert ("visit-risk", "visit:" + kept[0]["record_id"]) in served
    assert ("visit-risk", "visit:" + deleted[0]["record_id"]) not in served and residents == {"res1"}


def test_a_risk_record_under_a_visits_id_gives_way_to_the_visits_own_risk_row(db):
    """Folded in Python, the visit
    (written after the risk records) replaces it; so in SQL, whichever of the two the database derives (a
    visit that does not say whether contact was made is folded in Python)."""
    for contact in ({"contact_made": True}, {}):
        visit = _visit(contact)
        rid = "visit:" + visit[0]["record_id"]
        n = next(_IDS)
        risk = stamp_event(DEVICE, "王芳", "risk", rid, {"resident_id": "res2", "level": "low", "assessed_on": "2026-10-01"},
                           1_700_000_000_000_000 + n, 0)
        refusal, cleaned = judged(risk)
        assert refusal is None, refusal
        served, residents, count = derived(db, [(risk, cleaned), visit], in_sql=True)
        folded, folded_residents, _ = derived(db, [(risk, cleaned), visit], in_sql=False)
        assert count == (1 if contact else 0)  # the visit, or nothing: the risk record is folded in Python
        assert (served, residents) == (folded, folded_residents)
        assert served[("visit-risk", rid)]["level"] == "high" and served[("visit-risk", rid)]["resident_id"] == "res1"


@pytest.mark.parametrize("record_type", fresh_state.SERVED)
def test_the_sqlite_statements_run_on_a_sqlite_before_3_38(record_type):
    """`->` and `->>` came with SQLite 3.38; a Python 3.10 may link an older one (Ubuntu 22.04's is 3.37): the
    statements read the fields with json_extract and json_type, as the rest of gridcare's SQL for SQLite does."""
    from storage.core import sqlite_fresh

    sql, _params, _columns = sqlite_fresh._statement(record_type)
    assert "->" not in sql and "->" not in sqlite_fresh._VISIT_RISK
