"""A referral's row on the resident page names its agency, and its department only when that says more.

Seen in a walk (the demo, Chinese): a referral to 乡镇卫生院 whose department was 乡镇卫生院 showed two rows'
worth of 乡镇卫生院, read as two referrals."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from storage.core.i18n import set_language
from tui.resident_lines import referral_cells

TODAY = dt.date(2026, 12, 2)


def _where(department: str) -> str:
    ref = SimpleNamespace(agency="clinic", department=department, status="open", due_on=dt.date(2026, 12, 8),
                          opened_on=dt.date(2026, 10, 24), reason="需要上门体检", outcome="")
    return referral_cells(ref, 80, TODAY)[0].plain


def test_the_department_is_named_once_and_only_when_it_differs():
    set_language("zh_CN")
    try:
        assert _where("乡镇卫生院") == "乡镇卫生院"
        assert _where(" 乡镇卫生院 ") == "乡镇卫生院"
        assert _where("村卫生室") == "乡镇卫生院\n村卫生室"
        assert _where("") == "乡镇卫生院"
    finally:
        set_language("en")


def test_a_referrals_outcome_shows_under_its_reason():
    """Walk F: what came of a referral (办理结果) was written on its follow-up and shown nowhere on the page."""
    ref = SimpleNamespace(agency="clinic", department="", status="closed", due_on=dt.date(2026, 12, 8),
                          opened_on=dt.date(2026, 10, 24), reason="需要上门体检", outcome="已安排家庭医生每月上门")
    set_language("zh_CN")
    try:
        reason = referral_cells(ref, 80, TODAY)[4].plain
        assert reason.startswith("需要上门体检\n办理结果：") and "".join(reason.split("\n")[1:]).endswith("每月上门")
        ref.outcome = "  "
        assert referral_cells(ref, 80, TODAY)[4].plain == "需要上门体检"
    finally:
        set_language("en")
