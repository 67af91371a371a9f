"""Emergencies reach the township fast: what counts as a finding, its age, its acknowledgement, the report text."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from storage.core import hlc
from storage.core.china_day import china_today
from storage.core.errors import UserError
from storage.core.i18n import set_language
from storage.register.emergencies import acknowledge, find_emergencies, open_emergencies, with_next_visits
from storage.register.risk import change_risk
from storage.register.urgent_report import mask_name, report_for, save_report
from storage.register.visits import log_visit
from storage.sync.export import export_bundle
from storage.sync.merge import merge_paths
from tests.foundation_helpers import make_db
from tests.sync_helpers import elder, make_township

TODAY = dt.date(2026, 11, 24)


def _open(db, today=TODAY):
    with db.session() as s:
        return open_emergencies(s, today)


def test_a_finding_is_an_escalation_to_emergency_or_a_must_report_tick(tmp_path):
    db = make_db(tmp_path / "w.db")
    a, b, c = elder(db, "张三"), elder(db, "李四"), elder(db, "王五")
    v1 = log_visit(db, a.id, {"visit_date": TODAY - dt.timedelta(days=3), "risk_after": "emergency"}, today=TODAY)
    # the daily follow-up that confirms the emergency is not a new finding
    log_visit(db, a.id, {"visit_date": TODAY - dt.timedelta(days=2), "risk_after": "emergency"}, today=TODAY)
    v3 = log_visit(db, b.id, {"visit_date": TODAY - dt.timedelta(days=1), "mandatory_report": True}, today=TODAY)
    log_visit(db, c.id, {"visit_date": TODAY, "risk_after": "high"}, today=TODAY)
    change_risk(db, c.id, "emergency", "老人走失", assessed_on=TODAY, today=TODAY)
    found = _open(db)
    keys = [e.key for e in found]
    assert f"visit:{v1.id}" in keys and f"visit:{v3.id}" in keys and len(keys) == 3
    by_key = {e.key: e for e in found}
    assert by_key[f"visit:{v3.id}"].mandatory and not by_key[f"visit:{v3.id}"].emergency_level
    manual = next(e for e in found if e.key.startswith("risk:"))
    assert manual.resident_id == c.id and manual.emergency_level and manual.visit_id is None
    assert [e.found_at for e in found] == sorted((e.found_at for e in found), reverse=True)  # newest first
    # after 30 days a finding leaves Home (the monthly report keeps it)
    assert _open(db, TODAY + dt.timedelta(days=40)) == []
    with db.session() as s:
        assert len(find_emergencies(s, TODAY - dt.timedelta(days=5), TODAY)) == 3


def test_the_age_counts_from_when_it_was_saved_and_the_next_visit_is_the_response(tmp_path):
    db = make_db(tmp_path / "w.db")
    r = elder(db, "张三")
    v = log_visit(db, r.id, {"visit_date": TODAY, "risk_after": "emergency"}, today=TODAY)
    [e] = _open(db)
    saved = dt.datetime.now(dt.timezone.utc)
    assert abs((e.found_at - saved).total_seconds()) < 120
    assert e.age_hours(saved + dt.timedelta(hours=5, minutes=10)) == 5
    assert e.age_hours(saved - dt.timedelta(hours=3)) == 0  # a clock behind never gives a negative age
    log_visit(db, r.id, {"visit_date": TODAY, "risk_after": "emergency", "notes": "复访"}, today=TODAY)
    with db.session() as s:
        [e] = with_next_visits(s, find_emergencies(s, TODAY, TODAY))
    assert e.visit_id == v.id and e.next_visit_on == TODAY and e.days_to_next_visit() == 0


def test_a_worker_cannot_acknowledge_and_an_unknown_key_is_refused(tmp_path):
    db = make_db(tmp_path / "w.db")
    r = elder(db, "张三")
    v = log_visit(db, r.id, {"visit_date": TODAY, "mandatory_report": True}, today=TODAY)
    with pytest.raises(UserError, match="Only the township"):
        acknowledge(db, "visit:" + v.id)
    t = make_db(tmp_path / "t.db", role="township", device_id="bbbb000000000002")
    for key in ("visit:nothing", "nonsense", "risk:"):
        with pytest.raises(UserError, match="No such emergency"):
            acknowledge(t, key)


def test_emergency_saved_on_a_worker_reaches_township_home_with_its_age_until_acknowledged(tmp_path):
    from storage.register.home import home_data

    t = make_township(tmp_path)
    w = t.worker("王芳", "G01")
    r = elder(w, "张小明", guardian_name="李秀英", guardian_relation="祖母", guardian_phone="13800001234")
    today = china_today()
    v = log_visit(w, r.id, {"visit_date": today, "risk_after": "emergency", "hazards": ["abuse"],
                            "services": ["contacted_family"], "notes": "孩子身上有伤"}, today=today)
    worker_home = home_data(w, today)
    assert [e.key for e in worker_home.emergencies] == ["visit:" + v.id]  # waiting for the township
    usb = tmp_path / "usb"
    export_bundle(w, usb)
    merge_paths(t.db, [usb])
    home = home_data(t.db, today)
    [e] = home.emergencies
    assert (e.key, e.name, e.resident_id) == ("visit:" + v.id, "张小明", r.id)
    assert 0 <= e.age_hours(dt.datetime.now(dt.timezone.utc)) <= 1
    assert e.age_hours(dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=7)) in (7, 8)

    ack = acknowledge(t.db, e.key, note="已联系派出所")
    assert ack.resident_id == r.id and ack.acknowledged_by is not None
    assert home_data(t.db, today).emergencies == []
    with pytest.raises(UserError, match="Already acknowledged") as again:
        acknowledge(t.db, e.key)
    assert "T" not in str(again.value).split(" at ")[-1]  # when, in words (Dec 2, 2026, …), not an ISO instant

    # the acknowledgement goes back to the grid in the return bundle
    back = export_bundle(t.db, tmp_path / "back", grid_code="G01")
    assert back.counts.get("emergency_ack") == 1
    assert merge_paths(w, [back.path]).refused == []
    assert home_data(w, today).emergencies == []
    with w.session() as s:
        [again] = find_emergencies(s, today, today)
    assert again.acknowledged_at is not None and again.acknowledged_at == ack_instant(ack)


def ack_instant(ack):
    from storage.register.emergencies import parse_instant

    return parse_instant(ack.acknowledged_at)


def test_the_report_text_masks_the_name_and_says_what_when_done_and_whom_to_call(tmp_path):
    db = make_db(tmp_path / "w.db")
    r = elder(db, "张小明", guardian_name="李秀英", guardian_relation="祖母", guardian_phone="13800001234",
              id_number="110105194503030019")
    v = log_visit(db, r.id, {"visit_date": TODAY, "mandatory_report": True, "hazards": ["abuse"],
                             "services": ["contacted_family"], "notes": "孩子身上有伤"}, today=TODAY)
    report = report_for(db, "visit:" + v.id)
    text = report.text
    assert "张小明" not in text and "张*明" in text and "110105194503030019" not in text
    assert "Suspected abuse" in text and "must be reported at once" in text and "孩子身上有伤" in text
    assert "Contacted the family" in text and "王网格" in text and "李*英" in text and "13800001234" in text
    assert "November 24, 2026" in text
    # the risk, what was found and what is needed each on a line of its own (walk F: one list of all three)
    v2 = log_visit(db, r.id, {"visit_date": TODAY, "risk_after": "emergency", "mandatory_report": True,
                              "hazards": ["falls"], "needs": ["daily_care"]}, today=TODAY)
    lines = report_for(db, "visit:" + v2.id).text.splitlines()
    assert "Risk: Emergency; must be reported at once" in lines
    assert "What: Falls" in lines and "Needs: Daily care" in lines
    set_language("zh_CN")
    try:
        lines = report_for(db, "visit:" + v2.id).text.splitlines()
    finally:
        set_language("en")
    assert {"风险：紧急；须立即上报", "情况：跌倒风险", "需求：日常照料"} <= set(lines), lines
    path = save_report(db, report)
    assert path.parent == tmp_path / "w.db.urgent" and path.read_text(encoding="utf-8-sig") == text
    with pytest.raises(UserError):
        report_for(db, "visit:" + log_visit(db, r.id, {"visit_date": TODAY}, today=TODAY).id)  # not a finding


@pytest.mark.parametrize("name, masked", [("张三", "张*"), ("张小明", "张*明"), ("欧阳小明", "欧**明"), ("李", "*"),
                                          ("", "")])
def test_mask_name(name, masked):
    assert mask_name(name) == masked


def test_the_clock_of_the_finding_is_the_event_that_made_it_one(tmp_path):
    from storage.register.visits import correct_visit

    db = make_db(tmp_path / "w.db")
    r = elder(db, "张三")
    v = log_visit(db, r.id, {"visit_date": TODAY - dt.timedelta(days=1)}, today=TODAY)
    assert _open(db) == []
    correct_visit(db, v.id, {"risk_after": "emergency"}, today=TODAY)
    [e] = _open(db)
    from sqlmodel import select

    from storage.core.models import Event

    with db.session() as s:
        stamps = [ev.hlc for ev in s.execute(select(Event).where(Event.record_id == v.id).order_by(Event.hlc)).scalars()]
    assert e.found_at == dt.datetime.fromtimestamp(hlc.wall_ms(stamps[1]) / 1000, dt.timezone.utc)


def test_the_emergencies_command_lists_acknowledges_and_prints_the_report(tmp_path):
    from tests.test_cli import run

    t = make_township(tmp_path)
    w = t.worker("王芳", "G01")
    r = elder(w, "张小明")
    today = china_today()
    v = log_visit(w, r.id, {"visit_date": today, "mandatory_report": True}, today=today)
    export_bundle(w, tmp_path / "usb")
    merge_paths(t.db, [tmp_path / "usb"])
    key = "visit:" + v.id
    w.dispose()
    t.db.dispose()
    listed = run("--db", str(t.db.path), "--lang", "en", "emergencies", tmp_path=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert key in listed.stdout and "under an hour" in listed.stdout and "0 hours" not in listed.stdout and "张小明" in listed.stdout
    text = run("--db", str(w.path), "--lang", "en", "emergencies", "text", key, tmp_path=tmp_path)
    assert text.returncode == 0 and "张*明" in text.stdout and "张小明" not in text.stdout
    refused = run("--db", str(w.path), "--lang", "en", "emergencies", "ack", key, tmp_path=tmp_path)
    assert refused.returncode == 1 and refused.stderr.count("\n") == 1 and "Only the township" in refused.stderr
    done = run("--db", str(t.db.path), "--lang", "en", "emergencies", "ack", key, "--note", "已处理", tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    assert not re.search(r"\d{4}-\d\d-\d\dT", done.stdout) and "+00:00" not in done.stdout, done.stdout  # not ISO
    # no finding named: a bad argument (2, with the usage), as argparse's own are
    unnamed = run("--db", str(t.db.path), "--lang", "en", "emergencies", "ack", tmp_path=tmp_path)
    assert unnamed.returncode == 2 and "usage:" in unnamed.stderr and "Name the finding" in unnamed.stderr
    again = run("--db", str(t.db.path), "--lang", "en", "emergencies", tmp_path=tmp_path)
    assert "No emergency waiting" in again.stdout


def test_one_incident_is_one_finding_whatever_the_worker_saved_for_it(tmp_path):
    t = make_db(tmp_path / "t.db", role="township", device_id="bbbb000000000002")
    r = elder(t, "张三", grid_code="330521101-G01")
    change_risk(t, r.id, "emergency", "老人走失", assessed_on=TODAY, today=TODAY)
    v = log_visit(t, r.id, {"visit_date": TODAY, "mandatory_report": True, "risk_after": "emergency"}, today=TODAY)
    [e] = _open(t)
    assert e.key.startswith("risk:") and e.keys == (e.key, "visit:" + v.id) and e.mandatory and e.emergency_level
    assert e.visit_id == v.id
    acknowledge(t, "visit:" + v.id)  # by either of its keys
    assert _open(t) == []
    with pytest.raises(UserError, match="Already acknowledged"):
        acknowledge(t, e.key)
    # another day is another incident
    log_visit(t, r.id, {"visit_date": TODAY - dt.timedelta(days=3), "mandatory_report": True}, today=TODAY)
    assert len(_open(t)) == 1


def test_an_old_file_is_upgraded_with_the_follow_up_columns_and_the_indexes_that_find_emergencies(tmp_path):
    import sqlite3

    from storage.core.db import SCHEMA_VERSION, open_database
    from tests.test_db import _make_v1

    path = tmp_path / "old.db"
    _make_v1(path)
    db = open_database(path)
    assert db.upgraded_from == 1 and SCHEMA_VERSION >= 5
    db.dispose()
    conn = sqlite3.connect(path)
    indexes = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    referral = {row[1]: row for row in conn.execute("PRAGMA table_info(referral)")}
    conn.close()
    assert {"ix_visit_mandatory", "ix_risk_level", "ix_assessment_resident", "ix_emergency_ack_resident"} <= indexes
    assert {"level", "department", "due_on"} <= set(referral)
    conn = sqlite3.connect(path)
    plan = conn.execute("EXPLAIN QUERY PLAN SELECT id FROM visit WHERE mandatory_report = 1 AND deleted = 0"
                        " AND visit_date BETWEEN '2026-11-01' AND '2026-11-30'").fetchall()
    conn.close()
    assert "ix_visit_mandatory" in str(plan)  # a month of visits is not read to find the few ticked


def test_a_name_with_terminal_controls_never_reaches_the_report_text_raw(tmp_path):
    db = make_db(tmp_path / "w.db")
    r = elder(db, "张\x1b]52;c;ZXZpbA==\x07明")
    v = log_visit(db, r.id, {"visit_date": TODAY, "mandatory_report": True, "notes": "第一行\x1b[2J第二行"},
                  today=TODAY)
    text = report_for(db, "visit:" + v.id).text
    assert "\x1b" not in text and "\x07" not in text and "第一行?[2J第二行" in text


def test_the_townships_report_names_the_village_the_worker_gave(tmp_path):
    """Seen at the township: `emergencies text` said "Village: -" for a resident of 桃园村, which the worker's own
    laptop named (the village record is the township's; a worker's stays on the laptop)."""
    t = make_township(tmp_path)
    w = t.worker("王芳", "G04")
    r = elder(w, "尹秀娥", village_code="330521101-桃园村")
    today = china_today()
    v = log_visit(w, r.id, {"visit_date": today, "risk_after": "emergency", "notes": "独自在家摔倒"}, today=today)
    merge_paths(t.db, [export_bundle(w, tmp_path / "usb").path])
    text = report_for(t.db, "visit:" + v.id).text
    assert "Village: 桃园村" in text and "新市镇 桃园村 G04网格" in text, text


def test_the_urgent_report_names_the_categories_the_resident_page_shows(tmp_path):
    """An elder of 81 registered on screen with no category ticked is 高龄老年人 by age (walk: the report
    read "对象：江*珍（，81岁）"); one with no category at all reads without the empty place."""
    from storage.register.residents import register_resident

    db = make_db(tmp_path / "w.db")
    old = register_resident(db, {"name": "江爱珍", "id_number": "330521194503120025"}, today=TODAY)
    young = register_resident(db, {"name": "王小二", "birth_date": dt.date(1990, 5, 1)}, today=TODAY)
    set_language("zh_CN")
    try:
        for r, who in ((old, "对象：江*珍（高龄老年人，81岁）"), (young, "对象：王*二（36岁）")):
            v = log_visit(db, r.id, {"visit_date": TODAY, "mandatory_report": True}, today=TODAY)
            assert who in report_for(db, "visit:" + v.id).text.splitlines()
    finally:
        set_language("en")
