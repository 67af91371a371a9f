"""A township's bundle to the county whose change holds a JSON field of the wrong shape (SQLite, then PostgreSQL).

The township's key is enrolled at the county and signs the bundle (its laptop compromised, or the file edited
before signing): for every JSON column of every record, the shapes of tests/hostile_shapes.py, and a setting's
value (the visit policy, which a township's bundle carries), the county refuses the bundle in one line naming the
file, the record and the field, with nothing changed; a value meaning "none" merges and reads back as none.
Afterwards `gridcare dump`, `gridcare report` and `gridcare policy` still read the county, on either engine: the
checks are the township's (storage/register/field_rules.py), run by the one merge (storage/sync/merge.py).
"""

from __future__ import annotations

import pytest
from sqlmodel import select

from storage.core.keys import read_county_key_file
from storage.core.models import Assessment, Event, Identity, Resident, Visit
from storage.core.private_keys import private_keys
from storage.register.policy import DEFAULT_POLICY, POLICY_ID, policy_value
from storage.sync.merge import merge_paths
from tests import county_helpers, hostile_shapes
from tests.hostile_shapes import setting_shapes
from tests.profiles import quick_and_slow
from tests.test_hostile_json_bundles import CHANGE_SHAPES, _base, _cases, drawn, refusal_words


class TownshipForger:
    """The township's own device, writing bundles to the county of whatever changes it likes, signed with its key."""

    def __init__(self, t, folder):
        with t.db.session() as s:
            self.ident = s.get(Identity, 1)
        self.county = read_county_key_file(folder.parent / "county.pub").age_recipient
        self.secret = private_keys(t.db.local_path).device_sign_secret
        self.folder = folder
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
        manifest = {"kind": "to_county", "schema_version": 5, "township_code": i.township_code,
                    "township_name": i.township_name, "county_code": "330521", "grid_code": None,
                    "device_id": i.device_id, "worker": i.worker_name, "seq": self.seq, "full": False,
                    "age_recipient": i.device_age_recipient, "sign_public": i.device_sign_public,
                    "created_at": "2026-11-24T00:00:00+00:00", "counts": {}, "enroll_proof": i.enroll_proof}
        with monkeypatch.context() as m:
            m.setattr(bundle_file, "_dumps", hostile_shapes.hostile_dumps)
            return bundle_file.write_bundle(self.folder / name, manifest, events, self.county, self.secret).path


def _readers_work(target: str, capsys) -> None:
    from tui.cli import main

    for command in (["dump"], ["report"], ["report", "--month", "2026-11"], ["policy"]):
        assert main(["--db", target, "--lang", "en", *command]) == 0, (command, capsys.readouterr())
    capsys.readouterr()


def test_every_wrong_shape_of_every_json_field_in_a_township_bundle_is_refused_at_the_county(
        tmp_path, db_target, capsys, monkeypatch):
    county = county_helpers.make_county(db_target, tmp_path / "county.pub")
    t = county_helpers.busy_township(tmp_path, "330521101", tmp_path / "county.pub", n=1, county=county)
    try:
        assert merge_paths(county, [t.to_county(tmp_path / "up")]).refused == []
        with county.session() as s:
            resident = s.exec(select(Resident.id)).first()
        (tmp_path / "bad").mkdir()
        forger = TownshipForger(t, tmp_path / "bad")
        cases = [(rt, f, label, what, value, words, f"a1b2c3d4e5f6{n:04x}")
                 for n, (rt, f, label, what, value, words) in enumerate(_cases())]
        good = policy_value(DEFAULT_POLICY)
        cases += [("setting", "value", "Value", what, value, words, POLICY_ID)
                  for what, value, words in setting_shapes()]
        cases.append(("setting", "value", "Value", "null", None, None, POLICY_ID))
        paths, expected = [], {}
        for n, (record_type, name, label, what, value, words, record_id) in enumerate(cases):
            fields = {"value": value} if record_type == "setting" else {**_base(record_type, resident), name: value}
            ev = forger.change(record_type, record_id, fields)
            path = forger.bundle(f"county-{n:03d}.gcb", [ev], monkeypatch)
            paths.append(path)
            expected[path.name] = (f"{record_type}.{name} {what}", words, label, record_type, record_id, name)
        before = county_helpers.record_dump(county)
        refused = [p for p in paths if expected[p.name][1]]
        report = merge_paths(county, refused)
        for outcome in report.bundles:
            what, words, label, *_rest = expected[outcome.file]
            assert (outcome.status, outcome.code) == ("refused", "bad_event"), (what, outcome.message)
            assert outcome.message.startswith(outcome.file) and refusal_words(words, label) in outcome.message, (
                what, outcome.message)
            assert "\n" not in outcome.message and len(outcome.message) < 300, what
        assert len(report.bundles) == len(refused)
        assert county_helpers.record_dump(county) == before
        _readers_work(db_target, capsys)
        # the shapes meaning "none" merge, and read back as none
        merged = [p for p in paths if not expected[p.name][1]]
        report = merge_paths(county, merged)
        assert [(b.file, b.status) for b in report.bundles] == [(p.name, "new") for p in merged]
        models = {"resident": Resident, "visit": Visit, "assessment": Assessment}
        with county.session() as s:
            for p in merged:
                what, _words, _label, record_type, record_id, name = expected[p.name]
                if record_type in models:
                    assert getattr(s.get(models[record_type], record_id), name) in ([], {}), what
        _readers_work(db_target, capsys)
        # a good policy after them all still merges
        ev = forger.change("setting", POLICY_ID, {"value": {**good, "since": "2026-11-01"}})
        assert merge_paths(county, [forger.bundle("policy.gcb", [ev], monkeypatch)]).bundles[0].status == "new"
        _readers_work(db_target, capsys)
    finally:
        county.dispose()
        t.close()


def test_a_change_of_the_wrong_shape_in_a_township_bundle_is_refused_at_the_county(tmp_path, db_target, capsys,
                                                                                     monkeypatch):
    county = county_helpers.make_county(db_target, tmp_path / "county.pub")
    t = county_helpers.busy_township(tmp_path, "330521101", tmp_path / "county.pub", n=1, county=county)
    try:
        assert merge_paths(county, [t.to_county(tmp_path / "up")]).refused == []
        (tmp_path / "bad").mkdir()
        forger = TownshipForger(t, tmp_path / "bad")
        with county.session() as s:
            resident = s.exec(select(Resident.id)).first()
        paths = {}
        for n, (what, keys) in enumerate(CHANGE_SHAPES):
            ev = forger.change("resident", "a1b2c3d4e5f6ffff", _base("resident", resident))
            ev = list(ev.items()) if keys is None else {k: v for k, v in {**ev, **keys}.items() if v is not ...}
            paths[forger.bundle(f"change-{n:02d}.gcb", [ev], monkeypatch).name] = what
        before = county_helpers.record_dump(county)
        report = merge_paths(county, [tmp_path / "bad" / name for name in paths])
        assert len(report.bundles) == len(paths)
        for outcome in report.bundles:
            if paths[outcome.file] == "author null":  # read as no name, as every release has (storage/sync/event_line.py)
                assert outcome.status == "new", outcome.message
                continue
            assert outcome.status == "refused" and outcome.code in ("bad_event", "not_allowed"), (
                paths[outcome.file], outcome.message)
            assert outcome.message.startswith(outcome.file) and "\n" not in outcome.message
        after = county_helpers.record_dump(county).splitlines()
        assert [x for x in after if x not in before.splitlines()] == [x for x in after if "a1b2c3d4e5f6ffff" in x]
        with county.session() as s:
            assert s.exec(select(Event.author).where(Event.record_id == "a1b2c3d4e5f6ffff")).all() == [""]
        _readers_work(db_target, capsys)
    finally:
        county.dispose()
        t.close()


def test_a_policy_set_by_a_name_of_control_characters_is_printed_as_one_line(tmp_path, db_target, capsys, monkeypatch):
    """The policy's value is a JSON object whose `set_by` is any text of 200 characters: from a township's bundle,
    `gridcare policy` at the county printed an ESC sequence, a carriage return and a line break as they came
    (the terminal's screen cleared, its title set, a line of the policy's own drawn by the bundle)."""
    from tui.cli import main

    county = county_helpers.make_county(db_target, tmp_path / "county.pub")
    t = county_helpers.busy_township(tmp_path, "330521101", tmp_path / "county.pub", n=1, county=county)
    try:
        assert merge_paths(county, [t.to_county(tmp_path / "up")]).refused == []
        (tmp_path / "bad").mkdir()
        forger = TownshipForger(t, tmp_path / "bad")
        name = "镇\x1b[2J\x1b]0;owned\x07\r\nAt any risk level, nobody is due.\u202e"
        value = {**policy_value(DEFAULT_POLICY), "since": "2026-11-01", "set_by": name}
        ev = forger.change("setting", POLICY_ID, {"value": value})
        assert merge_paths(county, [forger.bundle("policy.gcb", [ev], monkeypatch)]).bundles[0].status == "new"
        capsys.readouterr()
        assert main(["--db", db_target, "--lang", "en", "policy"]) == 0
        out = capsys.readouterr().out
        assert not any(ch in out for ch in "\x1b\x07\r\u202e"), out
        assert "  Set by: 镇?[2J?]0;owned???At any risk level, nob…" in out.splitlines()
    finally:
        county.dispose()
        t.close()


def test_a_correction_giving_none_in_any_shape_reads_back_as_none_at_the_county(tmp_path, db_target, capsys,
                                                                                  monkeypatch):
    """A later change of a record the county holds (folded from the stored changes, not derived in SQL as a new
    record's is) giving null, "" or spaces for a JSON field: the record reads back with no codes, no notes."""
    county = county_helpers.make_county(db_target, tmp_path / "county.pub")
    t = county_helpers.busy_township(tmp_path, "330521101", tmp_path / "county.pub", n=1, county=county)
    try:
        assert merge_paths(county, [t.to_county(tmp_path / "up")]).refused == []
        (tmp_path / "bad").mkdir()
        forger = TownshipForger(t, tmp_path / "bad")
        with county.session() as s:
            resident = s.exec(select(Resident.id)).first()
            visit = s.exec(select(Visit).where(Visit.resident_id == resident)).first()
            base = s.exec(select(Event.hlc).where(Event.record_id == visit.id)).first()
        nothing = [None, "", "  "]
        first = forger.change("visit", "a1b2c3d4e5f6aaaa", {**_base("visit", resident), "hazards": ["fire"],
                                                              "needs": ["daily_care"], "services": ["counselling"],
                                                              "observations": {"health": "血压偏高"}})
        later = {**forger.change("visit", "a1b2c3d4e5f6aaaa", {"hazards": None, "needs": "", "services": "  ",
                                                                "observations": "  "}), "base_hlc": first["hlc"]}
        edits = [{**forger.change("resident", resident, {"categories": value, "flags": value}), "base_hlc": base}
                 for value in nothing]
        report = merge_paths(county, [forger.bundle("first.gcb", [first], monkeypatch),
                                      forger.bundle("later.gcb", [later, *edits], monkeypatch)])
        assert [b.status for b in report.bundles] == ["new", "new"], [b.message for b in report.bundles]
        with county.session() as s:
            v = s.get(Visit, "a1b2c3d4e5f6aaaa")
            assert (v.hazards, v.needs, v.services, v.observations) == ([], [], [], {})
            r = s.get(Resident, resident)
            assert (r.categories, r.flags) == ([], [])
        _readers_work(db_target, capsys)
    finally:
        county.dispose()
        t.close()


@pytest.fixture
def pg_county(tmp_path, pg_url):
    """A PostgreSQL county that merged a township's first bundle, and that township's device turned forger
    (one for all the examples drawn: each bundle adds a record of its own)."""
    county = county_helpers.make_county(pg_url, tmp_path / "county.pub")
    t = county_helpers.busy_township(tmp_path, "330521101", tmp_path / "county.pub", n=1, county=county)
    try:
        assert merge_paths(county, [t.to_county(tmp_path / "up")]).refused == []
        (tmp_path / "bad").mkdir()
        with county.session() as s:
            resident = s.exec(select(Resident.id)).first()
        yield pg_url, county, resident, TownshipForger(t, tmp_path / "bad")
    finally:
        county.dispose()
        t.close()


def _drawn_county_bundle(pg_county, capsys, field, value):
    """Drawn values of every JSON field, each in a bundle of its own: refused with nothing changed, or merged and
    every reader still reading (PostgreSQL's JSON takes what SQLite's text does not, and the other way round)."""
    url, county, resident, forger = pg_county
    record_type, name = field
    ev = forger.change(record_type, f"f1b2c3d4e5f6{forger.clock % 65536:04x}", {**_base(record_type, resident), name: value})
    before = county_helpers.record_dump(county)
    with pytest.MonkeyPatch.context() as m:
        outcome = merge_paths(county, [forger.bundle(f"drawn-{forger.seq}.gcb", [ev], m)]).bundles[0]
    if outcome.status == "refused":
        assert outcome.code == "bad_event", outcome.message
        assert county_helpers.record_dump(county) == before
    else:
        assert outcome.status == "new", outcome.message
    _readers_work(url, capsys)


test_any_value_in_a_township_bundle_at_a_postgresql_county_is_refused_or_read, test_drawn_county_bundles_at_scale = (
    pytest.mark.postgres(t) for t in quick_and_slow("json_bundles", drawn(_drawn_county_bundle)))
