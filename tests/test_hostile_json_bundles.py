"""A worker's bundle whose change holds a JSON field of the wrong shape, merged at the township.

The device is enrolled and signs the bundle (a compromised laptop, or a program that edited its file before
signing): for every JSON column of every record (a resident's categories and flags; a visit's observations,
hazards, needs and services; an assessment's notes) and every shape of tests/hostile_shapes.py, the merge
refuses the bundle in one line naming the file, the record and the field, and changes nothing; a value that
means "none" (null, "") merges and reads back as none. Afterwards every reader still reads every record:
`gridcare dump`, `gridcare report`, the resident's page, Home. (The same values arriving in a database column
are tests/test_hostile_json.py's.)
"""

from __future__ import annotations

import datetime as dt
import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import select

from storage.core.models import Assessment, Identity, Resident, Visit
from storage.sync.dump import dump_lines
from storage.sync.export import export_bundle
from storage.sync.merge import merge_paths
from tests import hostile_shapes
from tests.hostile_shapes import DICT_FIELDS, LIST_FIELDS, WHOLE, dict_shapes, list_shapes
from tests.profiles import quick_and_slow
from tests.sync_helpers import elder, make_township

TODAY = dt.date(2026, 11, 24)
GRID = "330521101-G01"


def _base(record_type: str, resident_id: str) -> dict:
    """The fields an honest first change of the record gives."""
    if record_type == "resident":
        return {"name": "王五", "categories": ["solitary_elder"], "birth_date": "1945-03-03", "grid_code": GRID,
                "township_code": "330521101", "status": "active", "registered_on": "2026-11-01"}
    if record_type == "visit":
        return {"resident_id": resident_id, "visit_date": "2026-11-20", "method": "home", "visitor": "王芳"}
    return {"resident_id": resident_id, "assessed_on": "2026-11-20", "assessor": "王芳", "economy": "mild",
            "health": "none", "education": "na", "housing": "none", "employment": "na", "social": "moderate"}


class Forger:
    """The worker's own device, writing bundles of whatever changes it likes, signed with its key."""

    def __init__(self, t, worker, folder):
        from storage.core.keys import read_public_key_file
        from storage.core.private_keys import private_keys

        with worker.session() as s:
            self.ident = s.get(Identity, 1)
        self.township = read_public_key_file(t.key).age_recipient
        self.secret = private_keys(worker.path).device_sign_secret
        self.folder = folder
        self.db = worker
        self.clock = self.ident.last_hlc + 10**6
        self.seq = 100

    def change(self, record_type: str, record_id: str, fields: dict) -> dict:
        self.clock += 1
        device = self.ident.device_id
        return {"id": f"{device}-{self.clock}", "record_type": record_type, "record_id": record_id, "hlc": self.clock,
                "device_id": device, "base_hlc": 0, "author": self.ident.worker_name, "fields": fields}

    def bundle(self, name: str, events: list[dict], monkeypatch):
        from storage.sync import bundle_file

        self.seq += 1
        i = self.ident
        manifest = {"kind": "worker", "township_code": "330521101", "grid_code": i.grid_code, "device_id": i.device_id,
                    "worker": i.worker_name, "seq": self.seq, "age_recipient": i.device_age_recipient,
                    "sign_public": i.device_sign_public, "enroll_proof": i.enroll_proof}
        with monkeypatch.context() as m:
            m.setattr(bundle_file, "_dumps", hostile_shapes.hostile_dumps)
            return bundle_file.write_bundle(self.folder / name, manifest, events, self.township, self.secret).path


@pytest.fixture
def grid(tmp_path):
    """A township that merged a worker's resident; the worker's device, turned forger."""
    t = make_township(tmp_path)
    w = t.worker("王芳", "G01")
    r = elder(w, "张三")
    assert merge_paths(t.db, [export_bundle(w, tmp_path / "out").path]).refused == []
    (tmp_path / "bad").mkdir()
    return t, r, Forger(t, w, tmp_path / "bad")


def refusal_words(words: str, label: str) -> str:
    """What the refusal's line says: the reason and the field's label; a malformed line, the line's number."""
    return words if words in WHOLE else f"{words} {label}"


def _cases():
    for record_type, name, label, code in LIST_FIELDS:
        for what, value, words in list_shapes(code):
            yield record_type, name, label, what, value, words
    for record_type, name, label, key in DICT_FIELDS:
        for what, value, words in dict_shapes(key):
            yield record_type, name, label, what, value, words


def _readers_work(db, capsys) -> list[str]:
    """dump, report and conflicts from the command line, every record read, each resident's page (its visits'
    lines as drawn) and each visit as its correction form opens it, Home."""
    from screens.visit_values import visit_values
    from storage.register.home import home_data
    from storage.register.profile import resident_profile
    from tui.cli import main
    from tui.resident_lines import visit_lines

    for command in (["dump"], ["report", "--month", "2026-11"], ["conflicts"]):
        assert main(["--db", str(db.path), "--lang", "en", *command]) == 0, (command, capsys.readouterr())
    out = capsys.readouterr().out
    with db.session() as s:
        residents = s.exec(select(Resident)).all()
        visits = s.exec(select(Visit)).all()
        s.exec(select(Assessment)).all()
    for r in residents:
        drawn = "\n".join(line.plain if hasattr(line, "plain") else line.renderable.plain  # (Text, or Padding of one)
                          for line in visit_lines(resident_profile(db, r.id, today=TODAY)))
        assert "None" not in drawn and "True" not in drawn, drawn  # a note as Python spells it (health: None)
    for v in visits:
        visit_values(db, v.resident_id, v.id, TODAY)
    home_data(db, TODAY)
    return out.splitlines()


def test_every_wrong_shape_of_every_json_field_refuses_its_bundle_alone(grid, tmp_path, capsys, monkeypatch):
    from tui.cli import main

    t, r, forger = grid
    refused, merged = {}, {}
    for n, (record_type, name, label, what, value, words) in enumerate(_cases()):
        record_id = f"a1b2c3d4e5f6{n:04x}"
        ev = forger.change(record_type, record_id, {**_base(record_type, r.id), name: value})
        path = forger.bundle(f"shape-{n:03d}.gcb", [ev], monkeypatch)
        (refused if words else merged)[path.name] = (f"{record_type}.{name} {what}", words, label, record_type,
                                                     record_id, name)
    before = list(dump_lines(t.db))
    assert main(["--db", str(t.db.path), "--lang", "en", "merge", *sorted(map(str, (tmp_path / "bad").iterdir()))]) == 1
    out = capsys.readouterr().out.splitlines()
    for file, (what, words, label, *_rest) in refused.items():
        lines = [x for x in out if file in x]
        assert len(lines) == 1 and "REFUSED" in lines[0] and refusal_words(words, label) in lines[0], (what, lines)
        assert len(lines[0]) < 300, what  # one line: never the value itself
    for file, (what, *_rest) in merged.items():
        assert not [x for x in out if file in x and "REFUSED" in x], what
    # what merged is the records of the shapes meaning "none", each read back as none
    models = {"resident": Resident, "visit": Visit, "assessment": Assessment}
    with t.db.session() as s:
        for what, _words, _label, record_type, record_id, name in merged.values():
            row = s.get(models[record_type], record_id)
            assert row is not None and getattr(row, name) in ([], {}), what
    after = list(dump_lines(t.db))
    assert len(after) == len(before) + len(merged)  # each merged shape one record, nothing else
    _readers_work(t.db, capsys)


def test_a_wrong_shape_among_honest_changes_refuses_the_whole_bundle_and_changes_nothing(grid, capsys, monkeypatch):
    """The bad change the last of three: the two before it, a new resident and a visit, are not written either."""
    t, r, forger = grid
    with t.db.session() as s:
        clock = s.get(Identity, 1).last_hlc
    before = list(dump_lines(t.db))
    for n, (record_type, name, label, what, value, words) in enumerate(c for c in _cases() if c[5]):
        honest = [forger.change("resident", f"b1b2c3d4e5f6{n:04x}", _base("resident", r.id)),
                  forger.change("visit", f"c1b2c3d4e5f6{n:04x}", _base("visit", r.id))]
        bad = forger.change(record_type, f"d1b2c3d4e5f6{n:04x}", {**_base(record_type, r.id), name: value})
        path = forger.bundle(f"mixed-{n:03d}.gcb", [*honest, bad], monkeypatch)
        outcome = merge_paths(t.db, [path]).bundles[0]
        assert (outcome.status, outcome.code) == ("refused", "bad_event"), what
        assert outcome.message.startswith(path.name) and refusal_words(words, label) in outcome.message, (what, outcome.message)
    assert list(dump_lines(t.db)) == before
    with t.db.session() as s:
        assert s.get(Identity, 1).last_hlc == clock
    _readers_work(t.db, capsys)


def test_a_correction_to_a_wrong_shape_is_refused_and_the_record_keeps_its_value(grid, monkeypatch):
    """A later change (a correction, base > 0) of a record the township holds, setting one field only."""
    t, r, forger = grid
    honest = forger.change("visit", "e1b2c3d4e5f60001", {**_base("visit", r.id), "hazards": ["fire"],
                                                         "observations": {"health": "血压偏高"}})
    assert merge_paths(t.db, [forger.bundle("visit.gcb", [honest], monkeypatch)]).refused == []
    corrections = [("resident", r.id, f, v) for _t, f, _l, c in LIST_FIELDS[:2] for _w, v, words in list_shapes(c) if words]
    corrections += [("visit", honest["record_id"], f, v) for rt, f, _l, c in LIST_FIELDS + DICT_FIELDS if rt == "visit"
                    for _w, v, words in (list_shapes(c) if f != "observations" else dict_shapes(c)) if words]
    before = list(dump_lines(t.db))
    for n, (record_type, record_id, name, value) in enumerate(corrections):
        ev = {**forger.change(record_type, record_id, {name: value}), "base_hlc": honest["hlc"]}
        outcome = merge_paths(t.db, [forger.bundle(f"fix-{n:03d}.gcb", [ev], monkeypatch)]).bundles[0]
        assert outcome.code == "bad_event", (name, value if len(repr(value)) < 80 else type(value))
    assert list(dump_lines(t.db)) == before
    with t.db.session() as s:
        v = s.get(Visit, honest["record_id"])
        assert (v.hazards, v.observations) == (["fire"], {"health": "血压偏高"})
        assert s.get(Resident, r.id).categories == ["solitary_elder"]


# any JSON value, biased towards the codes the fields know, to nest them where a list or object is expected
_CODES = [c for _t, _f, _l, c in LIST_FIELDS + DICT_FIELDS] + ["vip", ""]
_LEAF = (st.none() | st.booleans() | st.integers(-(2**65), 2**65) | st.floats(allow_nan=True)
         | st.text(max_size=6) | st.sampled_from(_CODES))
_JSON = st.recursive(_LEAF, lambda inner: st.lists(inner, max_size=4)
                     | st.dictionaries(st.text(max_size=6) | st.sampled_from(_CODES), inner, max_size=4), max_leaves=12)
_FIELDS = [(t, f) for t, f, _l, _c in LIST_FIELDS + DICT_FIELDS]


def _checks_or_column(field, value):
    """The law under the merge: a value the checks let through (as `clean` leaves it, and as it comes back from
    the database's JSON) is one the column's reader reads (storage/core/models/columns.py); never one that makes
    every later read of the record the damaged database's line."""
    from storage.core.models import RECORD_TABLES
    from storage.register.field_rules import judged

    record_type, name = field
    ev = {"id": "d0-1", "record_type": record_type, "record_id": "a1", "hlc": 1, "device_id": "d0", "base_hlc": 0,
          "author": "王芳", "fields": {**_base(record_type, "a1b2c3d4e5f60000"), name: value}}
    problem, fields = judged(ev)
    if problem is not None:
        assert problem.field == name
        return
    stored = json.loads(json.dumps(fields[name]))
    column = RECORD_TABLES[record_type].__table__.c[name]  # type: ignore[attr-defined]
    read = column.type.process_result_value(stored, None)
    assert read == stored or (stored is None and read in ([], {}))
    assert not any(isinstance(x, float) and math.isnan(x) for x in (read.values() if isinstance(read, dict) else read))
    # nothing a form never writes: codes of the field's list, notes as text
    assert all(type(x) is str for x in (read.values() if isinstance(read, dict) else read)), read


def _drawn_bundle(grid, capsys, monkeypatch, field, value):
    """The whole path for drawn values: the bundle is refused with nothing changed, or merged and read."""
    t, r, forger = grid
    record_type, name = field
    forger.clock += 10
    ev = forger.change(record_type, f"f1b2c3d4e5f6{forger.clock % 65536:04x}", {**_base(record_type, r.id), name: value})
    before = list(dump_lines(t.db))
    outcome = merge_paths(t.db, [forger.bundle(f"drawn-{forger.seq}.gcb", [ev], monkeypatch)]).bundles[0]
    if outcome.status == "refused":
        assert outcome.code == "bad_event", outcome.message
        assert list(dump_lines(t.db)) == before
    else:
        assert outcome.status == "new", outcome.message
    _readers_work(t.db, capsys)


def drawn(case):
    """`make_test` for quick_and_slow: `case` given a field and any JSON value for it (other arguments: fixtures)."""
    return lambda sized: sized(given(field=st.sampled_from(_FIELDS), value=_JSON)(case))


test_whatever_a_change_holds_the_checks_refuse_it_or_the_column_reads_it_back, test_checks_or_column_at_scale = (
    quick_and_slow("json_law", drawn(_checks_or_column)))
test_a_merged_bundle_of_any_value_leaves_every_reader_working, test_drawn_bundles_at_scale = (
    quick_and_slow("json_bundles", drawn(_drawn_bundle)))


# the change itself of the wrong shape: its fields not an object, its keys of the wrong JSON type
CHANGE_SHAPES = [("fields a list", {"fields": [["name", "王五"]]}), ("fields a string", {"fields": "{\"name\":\"王五\"}"}),
                 ("fields a number", {"fields": 5}), ("fields null", {"fields": None}),
                 ("fields a list of objects", {"fields": [{"name": "王五"}]}), ("record type a number", {"record_type": 1}),
                 ("record type a list", {"record_type": ["resident"]}), ("record id an object", {"record_id": {"id": 1}}),
                 ("record id a number", {"record_id": 12345}), ("clock a string", {"hlc": "123"}),
                 ("clock a fraction", {"hlc": 1.5}), ("clock a list", {"hlc": [1]}), ("base clock an object", {"base_hlc": {}}),
                 ("base clock true", {"base_hlc": True}), ("author a list", {"author": ["王芳"]}),
                 ("author null", {"author": None}), ("device an object", {"device_id": {"id": "x"}}),
                 ("id a number", {"id": 7}), ("no fields", {"fields": ...}), ("no record type", {"record_type": ...}),
                 ("a change that is a list", None)]


@pytest.mark.parametrize(("what", "keys"), CHANGE_SHAPES, ids=[w for w, _k in CHANGE_SHAPES])
def test_a_change_of_the_wrong_shape_refuses_its_bundle_and_changes_nothing(grid, capsys, monkeypatch, what, keys):
    t, r, forger = grid
    ev = forger.change("resident", "a1b2c3d4e5f6ffff", _base("resident", r.id))
    if keys is None:
        ev = list(ev.items())  # the line a JSON array, not an object
    else:
        ev = {k: v for k, v in {**ev, **keys}.items() if v is not ...}
    before = list(dump_lines(t.db))
    outcome = merge_paths(t.db, [forger.bundle("change.gcb", [ev], monkeypatch)]).bundles[0]
    # (an author of another shape is another worker's name: refused as written in it)
    assert outcome.status == "refused" and outcome.code in ("bad_event", "not_allowed"), (what, outcome.message)
    assert outcome.message.startswith("change.gcb: ") and "\n" not in outcome.message, outcome.message
    assert list(dump_lines(t.db)) == before
    _readers_work(t.db, capsys)


def test_every_wrong_shape_in_the_townships_return_bundle_is_refused_at_the_worker(grid, tmp_path, capsys, monkeypatch):
    """The other way: the township's bundle for a grid (its laptop compromised), merged on the worker's laptop."""
    from storage.core.private_keys import private_keys
    from storage.sync import bundle_file

    t, r, forger = grid
    worker = forger.ident
    with t.db.session() as s:
        town = s.get(Identity, 1)
    secret = private_keys(t.db.path).township_sign_secret
    w_db = forger.db
    clock, paths, expected = town.last_hlc + 10**6, [], {}
    for n, (record_type, name, label, what, value, words) in enumerate(_cases()):
        clock += 1
        ev = {"id": f"{town.device_id}-{clock}", "record_type": record_type, "record_id": f"a1b2c3d4e5f6{n:04x}",
              "hlc": clock, "device_id": town.device_id, "base_hlc": 0, "author": town.worker_name,
              "fields": {**_base(record_type, r.id), name: value}}
        manifest = {"kind": "township", "township_code": "330521101", "grid_code": worker.grid_code,
                    "device_id": town.device_id, "worker": town.worker_name, "seq": 100 + n,
                    "age_recipient": town.device_age_recipient, "sign_public": town.township_sign_public}
        with monkeypatch.context() as m:
            m.setattr(bundle_file, "_dumps", hostile_shapes.hostile_dumps)
            path = bundle_file.write_bundle(tmp_path / f"back-{n:03d}.gcb", manifest, [ev], worker.device_age_recipient,
                                            secret).path
        paths.append(path)
        expected[path.name] = (f"{record_type}.{name} {what}", words, label)
    before = list(dump_lines(w_db))
    report = merge_paths(w_db, [p for p in paths if expected[p.name][1]])
    for outcome in report.bundles:
        what, words, label = expected[outcome.file]
        assert (outcome.status, outcome.code) == ("refused", "bad_event"), (what, outcome.message)
        assert outcome.message.startswith(outcome.file) and refusal_words(words, label) in outcome.message, what
    assert list(dump_lines(w_db)) == before
    report = merge_paths(w_db, [p for p in paths if not expected[p.name][1]])
    assert {b.status for b in report.bundles} == {"new"}, [b.message for b in report.bundles]
    _readers_work(w_db, capsys)

