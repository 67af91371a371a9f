"""One language at a time, the words of the trade, and lines that fit 80 columns (issue #13).

The pure pieces behind the screens and the CLI: codes shown by their labels (conflicts, audit),
lists joined with 、 and wrapped between items, column cells fitted with an ellipsis, the
resident page's risk history as changes.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from storage.core.audit import action_text, counts_text
from storage.core.i18n import set_language
from storage.register.category_rules import category_questions
from storage.register.residents import update_resident
from storage.register.value_labels import value_text
from storage.sync.conflicts import conflict_lines
from storage.sync.export import export_bundle
from storage.sync.merge import merge_paths
from tests.sync_helpers import elder, make_township
from tui.category_words import categories_cell
from tui.item_lines import ItemLines
from tui.texts import two_lines


@pytest.fixture
def zh():
    set_language("zh_CN")
    yield
    set_language("en")


def test_codes_are_shown_by_their_labels(zh):
    assert value_text("resident", "close_reason", "deceased") == "去世"
    assert value_text("resident", "categories", ["solitary_elder", "severely_disabled"]) == "独居老年人、重度残疾人"
    assert value_text("resident", "status", "closed") == "已退出（销号）"
    assert value_text("referral", "status", "closed") == "已办结"  # one field name, two record types
    assert value_text("visit", "mandatory_report", True) == "是"
    assert value_text("resident", "disability_grade", "2") == "二级"
    assert value_text("resident", "phone", "13800000001") is None  # not a code: shown as it is
    assert value_text("resident", "close_reason", "a_newer_code") == "a_newer_code"  # never dropped


def test_gridcare_conflicts_names_the_field_and_its_values_in_chinese(tmp_path, zh):
    t = make_township(tmp_path)
    a = t.worker("王芳", "G01")
    r = elder(a, "张三")
    merge_paths(t.db, [export_bundle(a, tmp_path / "1.gcb").path])
    update_resident(a, r.id, {"flags": ["disabled_care"]})
    update_resident(t.db, r.id, {"flags": ["family_planning_special"]})
    merge_paths(t.db, [export_bundle(a, tmp_path / "2.gcb").path])
    (line,) = conflict_lines(t.db)
    assert "保障类别及其他情况" in line and "失能" in line and "计生特殊家庭" in line
    assert "flags" not in line and "disabled_care" not in line and '"' not in line


def test_the_audit_log_names_actions_and_counts(zh):
    assert action_text("export") == "导出"
    assert counts_text({"seq": 3, "events": 12, "resident": 8, "full_ids": False}) == \
        "数据包编号 3、修改 12、关爱对象 8、完整身份证号 否"
    # a merge's entry (seen in `gridcare audit` as "new_events 3")
    assert counts_text({"events": 3, "new_events": 3, "records": 3}) == "修改 3、新修改 3、记录数 3"
    assert action_text("a newer action") == "a newer action"


def test_a_list_wraps_between_its_items_never_inside_one(zh):
    lines = ItemLines.from_template("待导出：{items}。", ["300 人", "3,734 次探访", "690 次六维度评估", "1 条网格记录"]).lines(32)
    assert lines == ["待导出：300 人、3,734 次探访、", "690 次六维度评估、1 条网格记录。"]
    set_language("en")
    assert ItemLines("Ready: ", ["1 resident", "2 visits"], ".").lines(80) == ["Ready: 1 resident, 2 visits."]


def test_a_category_cell_keeps_the_count_of_the_others_and_its_words_whole(zh):
    # the register's column at 80 columns (14 cells; 12 on the county's): "农村留守老…+1" was cut inside the word
    assert categories_cell(["left_behind_elder", "severely_disabled"], 14) == "留守老年人+1"  # the 三留守's words
    assert categories_cell(["left_behind_elder", "severely_disabled"], 16) == "农村留守老年人+1"  # whole where it fits
    assert categories_cell(["left_behind_child", "child_in_difficulty"], 12) == "留守儿童+1"
    assert categories_cell(["solitary_elder"], 14) == "独居老年人"
    # no shorter word in the plans: another category whole, the count still saying there is one more
    assert categories_cell(["disabled_3_4_intellectual_mental", "seriously_ill"], 14) == "重病患者+1"
    assert categories_cell(["disabled_3_4_intellectual_mental"], 14) == "智力/精神残疾"  # its shorter words
    assert categories_cell(["disabled_3_4_intellectual_mental"], 10) == "三、四级…"  # cut between words
    set_language("en")
    assert categories_cell(["left_behind_child", "child_in_difficulty"], 16) == "Parents away+1"
    assert categories_cell(["disabled_3_4_intellectual_mental"], 10) == "Grade 3-4…"


def test_column_titles_go_on_two_lines_at_a_word_or_in_the_middle():
    assert two_lines("紧急和高风险") == "紧急和\n高风险"
    assert two_lines("Open referrals") == "Open\nreferrals"
    assert two_lines("Visited") == "Visited"  # one word: never cut
    assert two_lines("逾期") == "逾期"
    assert two_lines("见到本人人数") == "见到本人\n人数"  # the word that ends it stays whole, not 见到本/人人数
    assert two_lines("最近数据包") == "最近\n数据包"


def test_an_age_over_120_is_a_question(zh):
    today = dt.date(2026, 12, 1)
    (question,) = category_questions({"id_number": "440524188001010014", "categories": []}, today)
    assert "146" in question
    assert category_questions({"birth_date": "1950-01-01", "categories": []}, today) == []


def test_the_risk_history_lists_changes_not_every_visit():
    from tui.resident_lines import risk_changes

    def a(day, level, reason=""):
        return SimpleNamespace(assessed_on=dt.date(2026, 1, day), level=level, reason=reason)

    history = [a(9, "high"), a(8, "high"), a(7, "emergency", "房屋倒塌风险"), a(5, "medium"), a(3, "medium"), a(1, "low")]
    assert [(x.assessed_on.day, x.level) for x in risk_changes(history)] == [
        (8, "high"), (7, "emergency"), (3, "medium"), (1, "low")]


def test_a_roster_row_over_120_is_asked_about_on_its_row(tmp_path, zh):
    """The README's own example number is 146 years old: the roster's report asks, as the form does."""
    from storage.roster.importer import import_roster
    from tests.foundation_helpers import make_db

    db = make_db(tmp_path / "w.db")
    roster = tmp_path / "r.csv"
    roster.write_text("姓名,身份证号,人员类别\n张三,440524188001010014,独居老人\n", encoding="utf-8")
    report = import_roster(db, roster, dry_run=True, today=dt.date(2026, 12, 1))
    (row,) = report.rows
    assert any("146" in p.message for p in row.warnings), [p.message for p in row.warnings + row.problems]


def test_the_resident_page_says_in_words_how_late_the_next_visit_is(zh):
    """Only the line's red said so: plain mode, a colour-blind reader and a screen reader missed it."""
    from tui.resident_lines import due_line

    today = dt.date(2026, 12, 2)
    late = SimpleNamespace(last_visit=dt.date(2026, 9, 4), due_on=dt.date(2026, 10, 31), planned_on=dt.date(2026, 10, 4))
    assert due_line(late, today) == "最近有效探访 9月4日，下次应访 10月31日，逾期32天"  # (a plan missed)
    on_time = SimpleNamespace(last_visit=dt.date(2026, 11, 20), due_on=dt.date(2026, 12, 31), planned_on=None)
    assert due_line(on_time, today) == "最近有效探访 11月20日，下次应访 12月31日"
    planned = SimpleNamespace(last_visit=dt.date(2026, 11, 20), due_on=dt.date(2026, 12, 31),
                              planned_on=dt.date(2026, 12, 20))
    assert due_line(planned, today) == "最近有效探访 11月20日，下次应访 12月31日，计划 12月20日 探访"
    never = SimpleNamespace(last_visit=None, due_on=dt.date(2026, 11, 30), planned_on=None)
    assert due_line(never, today).endswith("11月30日，逾期2天")
    last_year = SimpleNamespace(last_visit=dt.date(2025, 12, 20), due_on=dt.date(2026, 1, 31), planned_on=None)
    assert due_line(last_year, dt.date(2026, 1, 5)) == "最近有效探访 2025年12月20日，下次应访 1月31日"


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_a_new_referral_is_not_labelled_with_the_name_of_the_whole_list(lang):
    """Home's 未办结转介 listed some as 未办结 and others as 办理中: both are open; the first had not been acted on."""
    from storage.core.i18n import _
    from storage.register.categories import REFERRAL_STATUSES

    set_language(lang)
    try:
        words = [_(w) for w in REFERRAL_STATUSES.values()]
        heading = _("Open referrals")
    finally:
        set_language("en")
    assert len(set(words)) == 3
    assert not [w for w in words if w in heading], (words, heading)
    assert value_text("referral", "status", "open") != value_text("referral", "status", "in_progress")
