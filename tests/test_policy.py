"""The township's visit policy: set on a township only, checked where set and where read, travels to every grid."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from storage.core.changes import writer
from storage.core.china_day import china_today
from storage.core.errors import UserError
from storage.register.home import home_data
from storage.register.policy import (
    DEFAULT_POLICY,
    MONTH,
    POLICY_ID,
    CategoryRule,
    Policy,
    PolicyError,
    policy_from_value,
    policy_value,
    with_changes,
)
from storage.register.policy_set import ANY_AGE, changed_policy, current_policy, set_policy
from storage.register.visits import log_visit
from storage.reports.monthly import monthly_report
from storage.sync.export import export_bundle
from storage.sync.merge import merge_paths
from tests.foundation_helpers import make_db
from tests.sync_helpers import elder, make_township

TODAY = dt.date(2026, 11, 24)


def test_a_township_sets_it_and_every_value_is_checked(tmp_path):
    db = make_db(tmp_path / "t.db", role="township", worker="周民政")
    assert current_policy(db) == DEFAULT_POLICY and DEFAULT_POLICY.is_default
    new = changed_policy(current_policy(db), counts={"phone": "never"}, every={"medium": 14},
                         add_rules=[CategoryRule("solitary_elder", 7, 80)])
    stored = set_policy(db, new, today=TODAY)
    assert (stored.since, stored.set_by) == (TODAY, "周民政")
    again = current_policy(db)
    assert again == stored and again.counts["phone"] == "never" and again.every["medium"] == 14
    assert again.categories == (CategoryRule("solitary_elder", 7, 80),)
    # a rule for the same category and age replaces the one there was; dropping without an age drops all
    replaced = changed_policy(again, add_rules=[CategoryRule("solitary_elder", "month", 80)])
    assert replaced.categories == (CategoryRule("solitary_elder", "month", 80),)
    assert changed_policy(again, drop_rules=[("solitary_elder", ANY_AGE)]).categories == ()
    assert changed_policy(again, defaults=True).counts == DEFAULT_POLICY.counts
    for bad in (Policy(counts={**DEFAULT_POLICY.counts, "proxy": "reached"}),
                Policy(every={**DEFAULT_POLICY.every, "low": 0}),
                Policy(every={**DEFAULT_POLICY.every, "low": "fortnight"}),
                Policy(categories=(CategoryRule("nobody", 7),))):
        with pytest.raises(UserError):
            set_policy(db, bad, today=TODAY)
    assert current_policy(db) == stored


def test_a_workers_laptop_never_sets_it(tmp_path, capsys):
    from tui.cli import main

    db = make_db(tmp_path / "w.db")
    with pytest.raises(UserError, match="township"):
        set_policy(db, DEFAULT_POLICY, today=TODAY)
    assert main(["--db", str(db.path), "--lang", "en", "policy", "set", "--count", "phone=never"]) == 1
    assert "Only the township sets the visit policy" in capsys.readouterr().err
    assert main(["--db", str(db.path), "--lang", "en", "policy"]) == 0
    assert "Default visit policy" in capsys.readouterr().out


@pytest.mark.parametrize("value", [
    "not json at all", 42, [], {"version": 1}, {"version": 1, "since": "2026-13-01"},
    {"version": 1, "since": "2026-11-01", "counts": {"pigeon": "always"}},
    {"version": 1, "since": "2026-11-01", "counts": {"proxy": "reached"}},
    {"version": 1, "since": "2026-11-01", "every": {"low": -3}},
    {"version": 1, "since": "2026-11-01", "every": {"low": True}},
    {"version": 1, "since": "2026-11-01", "categories": [{"category": "solitary_elder", "every": 7, "min_age": "80"}]},
    {"version": 1, "since": "2026-11-01", "categories": "solitary_elder"},
    {"version": 2, "since": "2026-11-01"},
])
def test_a_stored_value_it_cannot_use_falls_back_to_the_defaults_and_says_so(tmp_path, value):
    db = make_db(tmp_path / "w.db")
    rid = elder_here(db)
    with db.write() as s:  # as a hostile or newer bundle could leave it
        writer(s).write("setting", POLICY_ID, {"value": value})
    policy = current_policy(db)
    assert policy.problem and policy.is_default
    assert policy.counts == DEFAULT_POLICY.counts and policy.every == DEFAULT_POLICY.every
    data = home_data(db, TODAY)  # Home and the report still work, under the defaults, and say so
    assert data.policy.problem and data.overall.total == 1
    # a value that cannot say since when is in force from the day it was written: the report of that month
    written = china_today()
    report = monthly_report(db, written.year, written.month, today=written)
    from storage.core.i18n import set_language
    from storage.reports.files import notes

    set_language("en")
    assert "Default visit policy:" in notes(report) and rid


def elder_here(db) -> str:
    from storage.register.residents import register_resident

    return register_resident(db, {"name": "张三", "categories": ["solitary_elder"], "registered_on": dt.date(2026, 1, 1)},
                             today=TODAY).id


def test_values_round_trip_and_newer_versions_are_named():
    p = Policy(counts={"home": "reached", "phone": "always", "video": "never", "proxy": "always"},
               every={"low": "month", "medium": 10, "high": 3, "emergency": 1},
               categories=(CategoryRule("solitary_elder", 7, 80), CategoryRule("severely_disabled", 14)),
               since=TODAY, set_by="周民政")
    assert policy_from_value(json.loads(json.dumps(policy_value(p)))) == p
    with pytest.raises(PolicyError, match="newer"):
        policy_from_value({**policy_value(p), "version": 2})


def test_a_policy_set_on_the_township_reaches_a_worker_and_changes_that_workers_home(tmp_path):
    t = make_township(tmp_path)
    a = t.worker("王网格", "G01")
    r = elder(a, "张三", registered_on=dt.date(2026, 6, 1))
    log_visit(a, r.id, {"visit_date": dt.date(2026, 11, 3), "method": "phone", "contact_made": True}, today=TODAY)
    merge_paths(t.db, [export_bundle(a, tmp_path / "up").path])
    before = home_data(a, TODAY)
    assert (before.overall.visited, before.overall.total, before.counts["overdue"]) == (1, 1, 0)
    assert before.policy.is_default

    set_policy(t.db, changed_policy(current_policy(t.db), counts={"phone": "never"}), today=dt.date(2026, 11, 20))
    back = export_bundle(t.db, tmp_path / "back", grid_code="G01")
    assert back.counts.get("setting") == 1
    merge_paths(a, [back.path])

    after = home_data(a, TODAY)
    assert after.policy.since == dt.date(2026, 11, 20) and after.policy.counts["phone"] == "never"
    # the phone call no longer counts: not visited this month, and never seen since June: overdue
    assert (after.overall.visited, after.overall.total, after.counts["overdue"]) == (0, 1, 1)
    assert after.overdue[0].id == r.id and after.overdue[0].due_on == dt.date(2026, 6, 30)
    # the same figures as the township's
    assert home_data(t.db, TODAY).overall.visited == 0


def test_every_days_rule_says_from_when_it_runs_the_medium_one_too():
    """The policy screen's medium line said "每14天一次" where high and emergency said from which day they run."""
    from storage.core.i18n import set_language
    from storage.register.policy_text import every_lines

    set_language("zh_CN")
    try:
        policy = with_changes(DEFAULT_POLICY, every={"low": MONTH, "medium": 14, "high": 7, "emergency": 1})
        lines = every_lines(policy)
    finally:
        set_language("en")
    assert lines == ["低风险：每自然月一次",  # a calendar month runs from no day
                     "中风险：每14天一次，自最近一次有效探访之日起算",
                     "高风险：每7天一次，自最近一次有效探访或发现风险之日起算（取较晚者）",
                     "紧急风险：每1天一次，自最近一次有效探访或发现风险之日起算（取较晚者）"]
