"""The register filters' due rule on PostgreSQL says what the Python rule says (the twin of
tests/test_due_rule.py's SQLite property test).

A county's register runs due_before_sql's PostgreSQL dialect: greatest() and date arithmetic instead of
SQLite's max() and julianday(). Before 2026-12-03 that dialect counted a never-visited person from the
registration alone, so a county's 逾期 filter listed the roster's key persons its report did not.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storage.register.due import due_before_sql, due_on
from tests.test_due_rule import CHINA, _python_facts, days, policies, residents

pytestmark = pytest.mark.postgres

SCHEMA = """
CREATE TEMP TABLE resident (id TEXT PRIMARY KEY, registered_on DATE, risk_level TEXT, categories TEXT,
                            birth_date DATE, visit_frequency_days INTEGER) ON COMMIT DROP;
CREATE TEMP TABLE visit (resident_id TEXT, visit_date DATE, method TEXT, contact_made BOOLEAN, deleted BOOLEAN)
    ON COMMIT DROP;
CREATE TEMP TABLE risk_assessment (resident_id TEXT, level TEXT, assessed_on DATE, hlc BIGINT, deleted BOOLEAN)
    ON COMMIT DROP;
CREATE TEMP TABLE event (record_type TEXT, record_id TEXT, hlc BIGINT) ON COMMIT DROP;
"""


@st.composite
def people(draw, today: dt.date):
    """tests/test_due_rule.py's residents, half of them with a first event between their registration and a few
    days past `today` (a roster's key persons entering gridcare years after it: where the two rules part)."""
    person = draw(residents(today))
    if person["registered_on"] is not None and draw(st.booleans()):
        span = (today - person["registered_on"]).days + 5
        day = person["registered_on"] + dt.timedelta(days=draw(st.integers(0, span)))
        at = dt.datetime.combine(day, dt.time(), CHINA) + dt.timedelta(milliseconds=draw(st.integers(0, 86_399_999)))
        ms = int(at.timestamp() * 1000)
        person["events"] = [(ms << 16) | draw(st.integers(0, 0xFFFF))]
        person["visits"] = person["visits"] if draw(st.booleans()) else []
    return person


def test_the_register_filters_say_what_the_rule_says_on_postgresql(pg_url):
    from sqlalchemy import create_engine, text

    engine = create_engine(pg_url.replace("postgresql://", "postgresql+psycopg://", 1))

    @settings(max_examples=25, deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
    @given(st.data(), policies(), days)
    def check(data, policy, today):
        drawn = data.draw(st.lists(people(today), min_size=1, max_size=6))
        with engine.begin() as conn:  # the tables live for this transaction only
            for statement in SCHEMA.split(";")[:-1]:
                conn.execute(text(statement))
            for i, p in enumerate(drawn):
                facts = _python_facts(p, policy, today)
                conn.execute(text("INSERT INTO resident VALUES (:id, :reg, :risk, :cats, :born, :own)"),
                             {"id": f"r{i}", "reg": p["registered_on"], "risk": facts.risk_level,
                              "cats": json.dumps(p["categories"]), "born": p["birth_date"], "own": p["override"]})
                for d, m, reached, deleted in p["visits"]:
                    conn.execute(text("INSERT INTO visit VALUES (:id, :d, :m, :reached, :deleted)"),
                                 {"id": f"r{i}", "d": d, "m": m, "reached": reached, "deleted": deleted})
                for lv, d, clock, deleted in p["risks"]:
                    conn.execute(text("INSERT INTO risk_assessment VALUES (:id, :lv, :d, :clock, :deleted)"),
                                 {"id": f"r{i}", "lv": lv, "d": d, "clock": clock, "deleted": deleted})
                for stamp in p["events"]:
                    conn.execute(text("INSERT INTO event VALUES ('resident', :id, :hlc)"), {"id": f"r{i}", "hlc": stamp})
                conn.execute(text("INSERT INTO event VALUES ('visit', :id, 0)"), {"id": f"r{i}"})  # another record's
            bounds = [today - dt.timedelta(days=40), today, today + dt.timedelta(days=7)]
            dues = {f"r{i}": due_on(policy, _python_facts(p, policy, today), today) for i, p in enumerate(drawn)}
            for chosen in ([today], [today, bounds[2]], bounds):
                band, params = due_before_sql(policy, chosen, today, dialect="postgresql")
                found = dict(conn.execute(text(f"SELECT r.id, {band} FROM resident r"),
                                          {**params, "today": today.isoformat()}).all())
                assert found == {rid: sum(due < b for b in chosen) for rid, due in dues.items()}

    try:
        check()
    finally:
        engine.dispose()
