"""A small township built by hand through the services, for the report tests.

Every figure the tests expect is worked out in tests/test_reports.py from the
story told here. The report month is September 2026 (first 09-01, last and
report day 09-30); policy: monthly, weekly at high risk, daily at emergency.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from storage.core.changes import writer
from storage.core.db import Database
from storage.register.duplicates import merge_residents
from storage.register.referrals import close_referral, open_referral
from storage.register.residents import close_case, register_resident
from storage.register.risk import change_risk
from storage.register.visits import delete_visit, log_visit
from tests.foundation_helpers import make_db

D = dt.date
TODAY = D(2026, 10, 20)  # the tests' "today": September is a past month, October the current one
T = "330521101"
G1, G2 = f"{T}-G01", f"{T}-G02"
V1, V2, V3 = f"{T}001", f"{T}002", f"{T}003"
WANG, LI = "王网格", "李网格"
REGISTERED = D(2026, 1, 10)  # when most of the township's key persons were registered


def _places(db: Database) -> None:
    with db.write() as s:
        w = writer(s)
        w.write("village", V1, {"name": "柳溪村", "township_code": T})
        w.write("village", V2, {"name": "桃源村", "township_code": T})
        w.write("village", V3, {"name": "石桥村", "township_code": T})
        w.write("grid", G1, {"code": "G01", "name": "柳溪一网格", "township_code": T, "village_code": V1,
                             "worker_name": WANG})
        w.write("grid", G2, {"code": "G02", "name": "桃源一网格", "township_code": T, "village_code": V2,
                             "worker_name": LI})


def _person(db: Database, name: str, grid: str, cats: list[str], *, birth: dt.date | None = None,
            registered: dt.date = REGISTERED, village: str | None = None, id_number: str | None = None) -> str:
    fields = {"name": name, "grid_code": grid, "categories": cats, "registered_on": registered}
    if birth:
        fields["birth_date"] = birth
    if village:
        fields["village_code"] = village
    if id_number:
        fields["id_number"] = id_number
    return register_resident(db, fields, today=registered).id


def _visit(db: Database, rid: str, day: dt.date, visitor: str, method: str = "home", reached: bool = True) -> str:
    return log_visit(db, rid, {"visit_date": day, "method": method, "visitor": visitor, "contact_made": reached},
                     today=TODAY).id


def build_township(path: Path) -> tuple[Database, dict[str, str]]:
    """Returns the database and {letter: resident id}."""
    db = make_db(path, role="township")
    return db, add_story(db)


def add_story(db: Database) -> dict[str, str]:
    """The story told above, added to a township's database; returns {letter: resident id}."""
    _places(db)
    ids = {
        # grid G01 (village 柳溪村)
        "A": _person(db, "张一", G1, ["solitary_elder"], id_number="11010519491231002X"),
        "B": _person(db, "李二", G1, ["left_behind_child"], birth=D(2014, 3, 5)),
        "C": _person(db, "王三", G1, ["empty_nest_elder"]),
        "D": _person(db, "赵四", G1, ["solitary_elder", "severely_disabled"]),
        "M": _person(db, "赵四", G1, ["solitary_elder"]),  # D registered twice; merged into D below
        "E": _person(db, "刘五", G1, ["child_in_difficulty"], birth=D(2008, 9, 15)),  # 18 on 2026-09-15
        "F": _person(db, "陈六", G1, ["left_behind_child"], birth=D(2015, 1, 1)),
        # grid G02 (village 桃源村; 吴十 lives in 石桥村)
        "G": _person(db, "杨七", G2, ["solitary_elder"]),
        "H": _person(db, "黄八", G2, ["left_behind_elder"], registered=D(2026, 9, 25)),
        "I": _person(db, "周九", G2, ["severely_disabled"]),
        "J": _person(db, "吴十", G2, ["solitary_elder"], village=V3),
        "K": _person(db, "郑十一", G2, ["left_behind_child"], birth=D(2010, 10, 10)),  # 16 on 2026-10-10
        "L": _person(db, "孙十二", G2, ["child_in_difficulty"], birth=D(2008, 8, 1)),  # 18 on 2026-08-01
        "N": _person(db, "钱十四", G2, ["solitary_elder"], registered=D(2026, 10, 3)),
    }
    i = ids
    _visit(db, i["A"], D(2026, 9, 10), WANG)
    _visit(db, i["B"], D(2026, 8, 5), WANG)
    _visit(db, i["B"], D(2026, 9, 5), WANG, "phone")  # B's September: a phone call only
    _visit(db, i["C"], D(2026, 8, 1), WANG)
    _visit(db, i["C"], D(2026, 9, 12), WANG, "phone", reached=False)  # nobody answered
    _visit(db, i["D"], D(2026, 9, 3), WANG)
    _visit(db, i["D"], D(2026, 9, 20), WANG)
    _visit(db, i["M"], D(2026, 9, 25), WANG)  # logged on the duplicate: shows on D
    _visit(db, i["E"], D(2026, 8, 20), WANG)
    _visit(db, i["E"], D(2026, 9, 16), WANG, "proxy")  # through the school: not seen
    _visit(db, i["F"], D(2026, 9, 2), WANG)
    _visit(db, i["G"], D(2026, 8, 10), LI)
    delete_visit(db, _visit(db, i["H"], D(2026, 9, 27), LI))  # logged by mistake, deleted
    _visit(db, i["I"], D(2026, 9, 10), LI)
    _visit(db, i["J"], D(2026, 9, 11), LI, "video")
    _visit(db, i["K"], D(2026, 9, 8), LI)
    _visit(db, i["L"], D(2026, 8, 25), LI)

    merge_residents(db, i["D"], i["M"])
    change_risk(db, i["D"], "high", "跌倒", assessed_on=D(2026, 8, 20))
    change_risk(db, i["I"], "emergency", "无人照料", assessed_on=D(2026, 9, 28))
    change_risk(db, i["J"], "high", "独居生病", assessed_on=D(2026, 8, 1))
    change_risk(db, i["J"], "medium", "已好转", assessed_on=D(2026, 9, 10))
    change_risk(db, i["K"], "high", "监护缺失", assessed_on=D(2026, 10, 5))  # after September

    close_case(db, i["F"], "moved_away", D(2026, 9, 15))  # mid-month: still counts in September
    close_case(db, i["L"], "aged_out", D(2026, 9, 5))
    close_case(db, i["G"], "deceased", D(2026, 8, 20))  # before September: not a key person

    open_referral(db, i["F"], "school", "辍学风险", opened_on=D(2026, 9, 3))  # still open
    r2 = open_referral(db, i["K"], "clinic", "体检", opened_on=D(2026, 8, 15))
    close_referral(db, r2.id, "已体检", closed_on=D(2026, 9, 20))  # closed before the report day
    r3 = open_referral(db, i["K"], "police", "寻找父母", opened_on=D(2026, 9, 1))
    close_referral(db, r3.id, "已联系", closed_on=D(2026, 10, 2))  # closed after September: open on 09-30
    open_referral(db, i["G"], "minzheng", "丧葬补助", opened_on=D(2026, 8, 1))  # G is no key person
    return ids


def set_counts(db: Database, since: dt.date = TODAY, **counts: str) -> None:
    """The township's policy from `since`, with these methods counting "always", "reached" or "never"."""
    from storage.register.policy_set import changed_policy, current_policy, set_policy

    set_policy(db, changed_policy(current_policy(db), counts=counts), today=since)
