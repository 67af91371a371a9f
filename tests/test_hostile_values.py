"""Issue #19, item 6: every value of every event is checked before anything is written.

Each attack is a bundle forged with the project's own writer (signed by a worker device,
encrypted to the township, as a device with the public key file could make one), holding
one event with one hostile value. Merged in one run beside an honest bundle: each hostile
bundle is refused with one line naming its record type and field, the honest one merges,
exit status 1; afterwards every reader (dump, report, conflicts, Home) still works.
"""

from __future__ import annotations

import datetime as dt
import json
import random

import pytest
from sqlmodel import select

from storage.core.models import Resident
from storage.sync.dump import dump_lines
from storage.sync.export import export_bundle
from storage.sync.merge import merge_paths
from tests.sync_helpers import clerk_elder, elder, make_township
from tests.test_export_merge import _device, _signed_by_worker

# Han characters that do not compress (a name of one character repeated is refused for what it unpacks to)
_RNG = random.Random(19)
NINE_HUNDRED_KB = "".join(chr(_RNG.randrange(0x4E00, 0x9FA5)) for _ in range(300_000))
ELDER = {"name": "王五", "categories": ["solitary_elder"], "birth_date": "1945-03-03", "grid_code": "330521101-G02",
         "township_code": "330521101", "status": "active"}

ASSESSED = {"resident_id": "r0", "assessed_on": "2026-11-20", "assessor": "李强", "economy": "mild", "health": "none",
            "education": "na", "housing": "none", "employment": "na", "social": "moderate", "notes": {}}

# (what the attack is, record type, the fields of its one event, the words the refusal must hold)
ATTACKS = [
    ("name {}", "resident", {**ELDER, "name": {}}, "wrong type in Name"),
    ("name []", "resident", {**ELDER, "name": []}, "wrong type in Name"),
    ("900 KB name", "resident", {**ELDER, "name": NINE_HUNDRED_KB}, "too long for Name"),
    ("birth date [2020,1,1]", "resident", {**ELDER, "birth_date": [2020, 1, 1]}, "wrong type in Birth date"),
    ("birth date 5", "resident", {**ELDER, "birth_date": 5}, "wrong type in Birth date"),
    ("birth date 0001-01-01", "resident", {**ELDER, "birth_date": "0001-01-01"}, "out of range in Birth date"),
    ("categories 5", "resident", {**ELDER, "categories": 5}, "wrong type in Categories"),
    ("categories [{}]", "resident", {**ELDER, "categories": [{}]}, "wrong type in Categories"),
    ("unknown category", "resident", {**ELDER, "categories": ["vip"]}, "unknown code in Categories"),
    ("category twice", "resident", {**ELDER, "categories": ["solitary_elder", "solitary_elder"]},
     "invalid value in Categories"),
    ("grade 10^30", "resident", {**ELDER, "disability_grade": 10**30}, "out of range in Disability grade"),
    ("grade 9", "resident", {**ELDER, "disability_grade": 9}, "unknown code in Disability grade"),
    ("visit interval -100,000,000", "resident", {**ELDER, "visit_frequency_days": -100_000_000},
     "out of range in Visit every (days)"),
    ("unknown status", "resident", {**ELDER, "status": "zombie"}, "unknown code in Case status"),
    ("check digit", "resident", {**ELDER, "id_number": "110105194912310021"}, "invalid value in ID number"),
    ("sex", "resident", {**ELDER, "sex": "X"}, "unknown code in Sex"),
    # a case's closing remark (schema 10): one line of at most 200 characters, nothing a terminal would execute
    ("closing remark of 201 characters", "resident", {**ELDER, "status": "closed", "close_note": "迁" * 201},
     "too long for Remark on closing"),
    ("closing remark with ESC", "resident", {**ELDER, "status": "closed", "close_note": "迁出\x1b[2J\x1b]52;c;eA==\x07"},
     "invalid value in Remark on closing"),
    ("closing remark over two lines", "resident", {**ELDER, "close_note": "迁出\r\n已核实"},
     "invalid value in Remark on closing"),
    ("closing remark reversed", "resident", {**ELDER, "close_note": "迁出\u202e已核实"}, "invalid value in Remark on closing"),
    ("closing remark a number", "resident", {**ELDER, "close_note": 5}, "wrong type in Remark on closing"),
    ("derived field", "resident", {**ELDER, "risk_level": "low"}, "sets Risk level"),
    ("deleted \"false\"", "resident", {"deleted": "false"}, "wrong type in Deleted"),
    ("visit date 20261101", "visit", {"resident_id": "r0", "visit_date": 20261101}, "wrong type in Visit date"),
    ("visit date 9999-12-31", "visit", {"resident_id": "r0", "visit_date": "9999-12-31"}, "out of range in Visit date"),
    ("unknown method", "visit", {"resident_id": "r0", "visit_date": "2026-11-01", "method": "telepathy"},
     "unknown code in Visit method"),
    ("unknown risk level", "visit", {"resident_id": "r0", "visit_date": "2026-11-01", "risk_after": "doom"},
     "unknown code in After the visit"),
    ("observations of objects", "visit", {"resident_id": "r0", "observations": {"health": {"a": 1}}},
     "wrong type in Observations"),
    ("resident id ../", "visit", {"resident_id": "../../etc/passwd"}, "invalid value in Resident"),
    ("unknown referral status", "referral", {"resident_id": "r0", "agency": "police", "status": "lost"},
     "unknown code in Status"),
    ("unknown agency", "referral", {"resident_id": "r0", "agency": "fbi"}, "unknown code in Referred to"),
    ("unknown risk", "risk", {"resident_id": "r0", "level": "extreme"}, "unknown code in Risk level"),
    ("unknown field", "visit", {"resident_id": "r0", "shoe_size": 42}, "sets shoe_size"),
    # the six-dimension assessment and the referral's follow-up (plans2)
    ("unknown grade", "assessment", {**ASSESSED, "economy": "terrible"}, "unknown code in Economy"),
    ("grade 5", "assessment", {**ASSESSED, "health": 5}, "wrong type in Health"),
    ("note of an unknown dimension", "assessment", {**ASSESSED, "notes": {"mood": "低落"}}, "unknown code in Notes"),
    ("note of 201 characters", "assessment", {**ASSESSED, "notes": {"economy": "债" * 201}}, "too long for Notes"),
    ("note a number", "assessment", {**ASSESSED, "notes": {"economy": 5}}, "invalid value in Notes"),
    ("assessment of visit ../", "assessment", {**ASSESSED, "visit_id": "../../x"}, "invalid value in Visit"),
    ("assessment dated 20261101", "assessment", {**ASSESSED, "assessed_on": 20261101}, "wrong type in Assessed on"),
    ("unknown referral level", "referral", {"resident_id": "r0", "agency": "police", "level": "federal"},
     "unknown code in Level"),
    ("department of 101 characters", "referral", {"resident_id": "r0", "agency": "police", "department": "办" * 101},
     "too long for Department"),
    ("deadline 2026-02-30", "referral", {"resident_id": "r0", "agency": "police", "due_on": "2026-02-30"},
     "wrong type in Follow up by"),
    ("deadline 9999-12-31", "referral", {"resident_id": "r0", "agency": "police", "due_on": "9999-12-31"},
     "out of range in Follow up by"),
]
# (what, the event's own keys changed) on an honest resident event
SHAPES = [
    ("record id ../", {"record_id": "../../etc/passwd"}, "an id of the wrong form"),
    ("record id of 5,000 characters", {"record_id": "a" * 5000}, "an id of the wrong form"),
    ("event id of another device", {"id": "0123456789abcdef-99"}, "is not one this device gives"),
    ("base clock above its own", {"base_hlc": 10**6}, "is malformed (base_hlc)"),
    ("author of 900 KB", {"author": NINE_HUNDRED_KB}, "written in the name of"),
]


# the clock's horizon: 2100-01-01T00:00:00Z in milliseconds, shifted past the 16 bits of the counter
HORIZON = int(dt.datetime(2100, 1, 1, tzinfo=dt.timezone.utc).timestamp() * 1000) << 16


def _event(device: str, n: int, kind: str, fields: dict, **keys) -> dict:
    ev = {"id": f"{device}-{n}", "record_type": kind, "record_id": f"r{n}", "hlc": n, "device_id": device,
          "fields": fields, "base_hlc": 0, "author": "李强"}
    ev.update(keys)
    if "hlc" in keys and "id" not in keys:
        ev["id"] = f"{device}-{keys['hlc']}"
    return ev


def _readers_work(db_path, capsys) -> None:
    """dump, report, conflicts from the command line and Home's figures: none of them fails."""
    from storage.core.db import open_database
    from storage.register.home import home_data
    from tui.cli import main

    for command in (["dump"], ["report", "--month", "2026-11"], ["conflicts"]):
        assert main(["--db", str(db_path), "--lang", "en", *command]) == 0, command
    capsys.readouterr()
    db = open_database(db_path)
    try:
        home_data(db, dt.date(2026, 11, 24))
    finally:
        db.dispose()


def test_every_hostile_value_refuses_its_bundle_and_the_others_merge(tmp_path, capsys):
    """Before: exit 70 and every good bundle rolled back (name {}, birth date [2020,1,1], grade 10^30), or
    accepted (birth date 5, visit date 20261101, categories 5, unknown codes, "deleted":"false", ../ ids)
    and then report, dump, conflicts or Home crashing forever after."""
    from tui.cli import main

    t = make_township(tmp_path)
    a, b = t.worker("王芳", "G01"), t.worker("李强", "G02")
    elder(a, "张三")
    good = export_bundle(a, tmp_path / "a").path
    device = _device(b)
    bad = {}
    forged = [(what, _event(device, 1000 + n, record_type, fields), words)
              for n, (what, record_type, fields, words) in enumerate(ATTACKS, start=1)]
    forged += [(what, {**_event(device, 2000 + n, "resident", dict(ELDER)), **keys}, words)
               for n, (what, keys, words) in enumerate(SHAPES, start=1)]
    for n, (what, ev, words) in enumerate(forged, start=1):
        path = _signed_by_worker(t, b, "李强", [ev], tmp_path / f"bad-{n:02d}.gcb")
        bad[path.name] = (what, words)
    paths = sorted(tmp_path.glob("bad-*.gcb")) + [good]
    before = {name for name in bad}
    assert main(["--db", str(t.db.path), "--lang", "en", "merge", *map(str, paths)]) == 1
    out = capsys.readouterr().out
    for name, (what, words) in bad.items():
        line = next((x for x in out.splitlines() if name in x), "")
        assert "REFUSED" in line and words in line, (what, line)
        assert len(line) < 300, what  # one line, never the value itself
    assert before
    with t.db.session() as s:
        assert s.exec(select(Resident.name)).all() == ["张三"]
    _readers_work(t.db.path, capsys)


def test_a_clock_of_2_63_is_refused_and_later_writes_still_work(tmp_path, capsys):
    """Item 3. Before: merged with exit 0; the next roster import failed with OverflowError, and after one
    return bundle no worker could save a visit."""
    from storage.core.models import Identity
    from storage.register.visits import log_visit

    t = make_township(tmp_path)
    b = t.worker("李强", "G02")
    device = _device(b)
    for n, stamp in enumerate((2**63 - 1, HORIZON, HORIZON + (86_400_000 << 16)), start=1):
        ev = _event(device, 0, "resident", dict(ELDER), hlc=stamp)
        path = _signed_by_worker(t, b, "李强", [ev], tmp_path / f"clock-{n}.gcb")
        report = merge_paths(t.db, [path])
        assert report.bundles[0].status == "refused", stamp
        assert report.bundles[0].message.endswith("a Resident record carries a clock beyond the year 2100.")
    with t.db.session() as s:
        assert s.get(Identity, 1).last_hlc < HORIZON
    # the last clock below the horizon is accepted, and writes go on after it
    ev = _event(device, 0, "resident", dict(ELDER), hlc=HORIZON - 1)
    path = _signed_by_worker(t, b, "李强", [ev], tmp_path / "edge.gcb")
    assert merge_paths(t.db, [path]).bundles[0].status == "new"
    r = clerk_elder(t, "赵六")
    log_visit(t.db, r.id, {"visit_date": dt.date(2026, 11, 24)}, today=dt.date(2026, 11, 24))
    with t.db.session() as s:
        assert s.get(Identity, 1).last_hlc < 2**63 - 1
    _readers_work(t.db.path, capsys)


def test_a_clock_set_past_2100_writes_events_a_township_accepts():
    from storage.core import hlc

    far = int(dt.datetime(2150, 1, 1, tzinfo=dt.timezone.utc).timestamp() * 1000)  # a laptop whose clock says 2150
    stamp = hlc.tick(0, far)
    assert stamp < HORIZON
    for _ in range(70_000):  # past one millisecond's counter
        stamp = hlc.tick(stamp, far)
    assert stamp < HORIZON


def test_the_township_policy_is_checked_in_the_return_bundle(tmp_path, capsys):
    """A policy value the app cannot use, from a township bundle, is refused at the worker: before, "abc" or
    an interval of -100,000,000 reached a worker's Home through the return bundle and broke it."""
    from storage.core.models import Identity
    from storage.core.private_keys import private_keys
    from storage.register.policy import DEFAULT_POLICY, POLICY_ID, policy_value
    from storage.sync.bundle_file import write_bundle

    t = make_township(tmp_path)
    w = t.worker("王芳", "G01")
    with w.session() as s:
        worker = s.get(Identity, 1)
    with t.db.session() as s:
        town = s.get(Identity, 1)
    keys = private_keys(t.db.path)
    good = policy_value(DEFAULT_POLICY)
    good["since"] = "2026-11-01"
    values = [("abc", "invalid value in Value"), ({**good, "every": {"low": -100_000_000}}, "invalid value in Value"),
              ({**good, "counts": {"proxy": "reached"}}, "invalid value in Value"), ([1, 2], "invalid value in Value"),
              ("a setting no release writes", "an id of the wrong form"), ("an id not its own", "malformed (id)"),
              ("an author of 900 KB", "malformed (author)")]
    for n, (value, words) in enumerate(values, start=1):
        setting = "policy.evil" if value == "a setting no release writes" else POLICY_ID
        ev = _event(town.device_id, 10 + n, "setting", {"value": value}, record_id=setting, author="镇")
        # a township relays others' events: each must still have the id its device gave, and an author's name
        if value == "an id not its own":
            ev = {**ev, "fields": {"value": good}, "id": f"{town.device_id}-{10 + n + 1}"}
        if value == "an author of 900 KB":
            ev = {**ev, "fields": {"value": good}, "author": NINE_HUNDRED_KB}
        manifest = {"kind": "township", "township_code": "330521101", "grid_code": worker.grid_code,
                    "device_id": town.device_id, "worker": "镇", "seq": n, "age_recipient": town.device_age_recipient,
                    "sign_public": town.township_sign_public}
        path = write_bundle(tmp_path / f"policy-{n}.gcb", manifest, [ev], worker.device_age_recipient,
                            keys.township_sign_secret).path
        report = merge_paths(w, [path])
        assert report.bundles[0].status == "refused", value
        assert words in report.bundles[0].message and "Setting" in report.bundles[0].message
    ev = _event(town.device_id, 99, "setting", {"value": good}, record_id=POLICY_ID, author="镇")
    manifest = {"kind": "township", "township_code": "330521101", "grid_code": worker.grid_code,
                "device_id": town.device_id, "worker": "镇", "seq": 9, "age_recipient": town.device_age_recipient,
                "sign_public": town.township_sign_public}
    path = write_bundle(tmp_path / "policy-good.gcb", manifest, [ev], worker.device_age_recipient,
                        keys.township_sign_secret).path
    assert merge_paths(w, [path]).bundles[0].status == "new"
    _readers_work(w.path, capsys)


def test_refused_values_change_nothing_not_even_the_clock(tmp_path):
    from storage.core.models import Identity

    t = make_township(tmp_path)
    b = t.worker("李强", "G02")
    device = _device(b)
    with t.db.session() as s:
        clock_before = s.get(Identity, 1).last_hlc
    before = list(dump_lines(t.db))
    events = [_event(device, n, "resident", dict(ELDER), record_id=f"r{n}", hlc=clock_before + 10**9 + n)
              for n in range(1, 4)]
    events[-1]["fields"] = {**ELDER, "categories": ["vip"]}  # the last of three is bad
    path = _signed_by_worker(t, b, "李强", events, tmp_path / "b.gcb")
    assert merge_paths(t.db, [path]).bundles[0].code == "bad_event"
    assert list(dump_lines(t.db)) == before
    with t.db.session() as s:
        assert s.get(Identity, 1).last_hlc == clock_before


def test_the_local_writer_refuses_what_a_merge_would(tmp_path):
    """A closing remark past its limit, or holding a control character: the writer says so by its field and
    writes nothing, rather than an event that every township would then refuse. A line break or tab typed
    or pasted into the remark is a space (the remark is one line)."""
    from storage.core.errors import ValidationError
    from storage.register.field_rules import event_refusal
    from storage.register.resident_rules import MAX_CLOSE_NOTE
    from storage.register.residents import close_case

    t = make_township(tmp_path)
    r = clerk_elder(t, "张三")
    before = list(dump_lines(t.db))
    for note in ("走访" * MAX_CLOSE_NOTE, "迁出\x1b[31m", "迁出\u202e"):
        with pytest.raises(ValidationError) as caught:
            close_case(t.db, r.id, "moved_away", note=note, today=dt.date(2026, 11, 24))
        assert caught.value.field == "close_note"
    assert list(dump_lines(t.db)) == before
    closed = close_case(t.db, r.id, "moved_away", note=" 随子女\n迁往\t杭州 ", today=dt.date(2026, 11, 24))
    assert closed.close_note == "随子女 迁往 杭州"
    with t.db.session() as s:
        from storage.core.models import Event

        last = s.exec(select(Event).order_by(Event.hlc.desc())).first()
    assert event_refusal(json.loads(last.model_dump_json())) is None


def test_every_value_the_demo_writes_passes_the_checks(tmp_path):
    """The checks refuse nothing an honest device writes: every event of a demo grid."""
    from storage.core.db import open_database
    from storage.core.models import Event
    from storage.demo.build import generate
    from storage.register.field_rules import event_refusal

    db = open_database(tmp_path / "demo.db")
    generate(db, seed=7, scale="grid")
    with db.session() as s:
        events = s.exec(select(Event)).all()
    refused = [(ev.record_type, event_refusal(json.loads(ev.model_dump_json()))) for ev in events]
    assert len(events) > 1000
    assert [r for r in refused if r[1] is not None] == []


def test_an_acknowledgement_of_an_emergency_is_checked_in_the_return_bundle(tmp_path, capsys):
    """The township's acknowledgements (plans2) reach workers in return bundles: a time the readers cannot
    subtract, a note past the form's limit, an id that is no finding's key are refused there, a good one merged."""
    from storage.core.models import EmergencyAck, Identity
    from storage.core.private_keys import private_keys
    from storage.sync.bundle_file import write_bundle

    t = make_township(tmp_path)
    w = t.worker("王芳", "G01")
    r = elder(w, "张三")
    with w.session() as s:
        worker = s.get(Identity, 1)
    with t.db.session() as s:
        town = s.get(Identity, 1)
    keys = private_keys(t.db.path)
    good = {"resident_id": r.id, "acknowledged_at": "2026-11-24T09:30:00+00:00", "acknowledged_by": "李文书", "note": ""}
    values = [({**good, "acknowledged_at": "abc"}, "visit:v1", "invalid value in Acknowledged at"),
              ({**good, "acknowledged_at": "9999-12-31T23:00:00-05:00"}, "visit:v1", "invalid value in Acknowledged at"),
              ({**good, "acknowledged_at": 1764000000}, "visit:v1", "wrong type in Acknowledged at"),
              ({**good, "note": "已" * 201}, "visit:v1", "too long for Note"),
              ({**good, "acknowledged_by": {}}, "visit:v1", "wrong type in Acknowledged by"),
              (good, "v1", "an id of the wrong form"), (good, "visit:", "an id of the wrong form")]

    def bundle(n: int, fields: dict, record_id: str):
        ev = _event(town.device_id, 10 + n, "emergency_ack", fields, record_id=record_id, author="李文书")
        manifest = {"kind": "township", "township_code": "330521101", "grid_code": worker.grid_code,
                    "device_id": town.device_id, "worker": "李文书", "seq": n, "age_recipient": town.device_age_recipient,
                    "sign_public": town.township_sign_public}
        return write_bundle(tmp_path / f"ack-{n}.gcb", manifest, [ev], worker.device_age_recipient,
                            keys.township_sign_secret).path

    for n, (fields, record_id, words) in enumerate(values, start=1):
        outcome = merge_paths(w, [bundle(n, fields, record_id)]).bundles[0]
        assert (outcome.status, outcome.code) == ("refused", "bad_event"), (fields, record_id)
        assert words in outcome.message and "Acknowledgement of an emergency" in outcome.message, outcome.message
    with w.session() as s:
        assert s.exec(select(EmergencyAck)).all() == []
    assert merge_paths(w, [bundle(99, good, "visit:v1")]).bundles[0].status == "new"
    with w.session() as s:
        assert s.get(EmergencyAck, "visit:v1").acknowledged_by == "李文书"
    _readers_work(w.path, capsys)
