"""The "no value" rule, model-based (issue #12): whatever the forms hand to storage reaches the township intact.

A worker registers residents of every category with every optional field blank (""),
None, filled, odd (a rare Han character outside the BMP such as 𠮷, full-width digits,
spaces, markup-like brackets) or at its maximum length, exactly in the shape the forms
produce (the keys and value types of ResidentFormScreen.values() and
VisitFormScreen.values(), converted by the forms' own conversion: the resident form hands
its values over as they are, the visit form through `visit_fields`); edits them, clearing
fields too; logs visits with referrals; exports now and then. Every bundle is then merged
into a fresh township, in a random order, with repeats. The township's dump of those
records must equal the worker's, and no state row may hold None where its column has a
default. test_field_blockers_app.py checks on the real app that values() has this shape.

    GRIDCARE_HYPOTHESIS_EXAMPLES=2000 pytest tests/test_no_value_laws.py
"""

from __future__ import annotations

import atexit
import datetime as dt
import json
import os
import random
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from screens.resident_form import INPUTS, LISTS, SELECTS
from screens.visit_form import visit_fields
from storage.core.db import open_database
from storage.core.errors import UserError, ValidationError, ValidationErrors
from storage.core.models import Resident
from storage.core.schema import record_spec
from storage.register.categories import (
    CATEGORIES,
    CHILD_CATEGORIES,
    CHILD_SUBTYPES,
    ELDER_CATEGORIES,
    FLAGS,
    HAZARDS,
    NEEDS,
    OBSERVATION_DIMENSIONS,
    PARENT_STATUSES,
    REFERRAL_AGENCIES,
    RISK_LEVELS,
    SERVICES,
    VISIT_METHODS,
)
from storage.register.idnumbers import fake_id_number
from storage.register.resident_rules import MAX_NOTES, MAX_TEXT
from storage.register.residents import register_resident, update_resident
from storage.register.visits import log_visit
from storage.sync.dump import dump_lines
from storage.sync.export import export_bundle
from storage.sync.merge import merge_paths
from tests.sync_helpers import make_township

EXAMPLES = int(os.environ.get("GRIDCARE_HYPOTHESIS_EXAMPLES", "25"))
SCRATCH = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
TODAY = dt.date(2026, 11, 24)
TYPES = ("resident", "visit", "referral", "risk", "conflict")

# what people type: common and rare Han (𠮷 and 𡈽 are outside the BMP), full-width digits and letters,
# the full-width space, middle dots, Latin with accents, and text that looks like markup
ODD = "张王李芳建国老人𠮷𡈽〇１２３Ａｂ　 ·・éñ[]/b-'\"#"
text = st.text(alphabet=ODD, min_size=1, max_size=12)


def _blank_or(filled: st.SearchStrategy, max_len: int) -> st.SearchStrategy:
    """A text input: blank, None (what a caller other than the form may send), spaces, filled, odd, at its limit."""
    return st.one_of(st.just(""), st.none(), st.sampled_from([" ", "\u3000", " \u3000 "]), filled,
                     st.just("𠮷" * max_len), st.just("长" * (max_len - 1) + "１"))


PHONES = st.sampled_from(["13800001234", "１３８００００１２３４", "138 0000 1234", "0571-88887777", "+86 139 1234 5678"])
TEXTS = {name: _blank_or(text, MAX_TEXT) for name in ("address", "guardian_name", "guardian_relation", "father_name",
                                                       "mother_name")}
TEXTS["phone"] = TEXTS["guardian_phone"] = st.one_of(st.just(""), st.none(), st.just(" "), PHONES)
TEXTS["visit_frequency_days"] = st.one_of(st.just(""), st.none(), st.sampled_from(["1", "30", "366", "７"]))
NOTES = st.one_of(st.just(""), st.just("  \n "), st.text(alphabet=ODD + "\n", max_size=40), st.just("记" * MAX_NOTES))
NAMES = st.text(alphabet="张王李芳建国老𠮷𡈽　 ·・Mary", min_size=1, max_size=MAX_TEXT).filter(
    lambda n: any(ch not in " \u3000·・" for ch in n))
GROUPS = {"child": [c for c in CATEGORIES if c in CHILD_CATEGORIES], "elder": sorted(ELDER_CATEGORIES),
          "disabled": ["severely_disabled"]}
BORN = {"child": (2012, 2020), "elder": (1930, 1960), "disabled": (1950, 2000)}


def _choice(table: dict) -> st.SearchStrategy:
    return st.one_of(st.none(), st.sampled_from(sorted(table)))


@st.composite
def new_resident(draw) -> tuple[dict, str]:
    """(the resident form's values(), the risk chosen) for a registration the register should accept."""
    group = draw(st.sampled_from(sorted(GROUPS)))
    year = draw(st.integers(*BORN[group]))
    born = dt.date(year, draw(st.integers(1, 12)), draw(st.integers(1, 28)))
    sex = draw(st.sampled_from("MF"))
    number = draw(st.one_of(st.none(), st.just(fake_id_number(random.Random(draw(st.integers(0, 10**6))), born, sex,
                                                                 "330521"))))
    values: dict = {name: draw(TEXTS[name]) if name in TEXTS else "" for name in INPUTS}
    values["name"] = draw(NAMES)
    values["id_number"] = number or draw(st.sampled_from(["", " "]))
    # with an ID number the form fills the birth date in; without one a child needs it, an elder may have it
    values["birth_date"] = born.isoformat() if number or group == "child" or draw(st.booleans()) else ""
    values["disability_card"] = (number + draw(st.sampled_from("1234567")) + draw(st.sampled_from("12"))) if (
        number and group == "disabled" and draw(st.booleans())) else ""
    values["sex"] = sex if number and draw(st.booleans()) else None if number else draw(st.sampled_from([None, sex]))
    for name, table in SELECTS.items():
        if name != "sex":
            values[name] = draw(_choice(table))
    values["categories"] = draw(st.lists(st.sampled_from(GROUPS[group]), min_size=1, unique=True))
    values["flags"] = draw(st.lists(st.sampled_from(sorted(LISTS["flags"])), unique=True))
    values["notes"] = draw(NOTES)
    _as_the_form_reads_them(values)
    return values, draw(st.sampled_from(sorted(RISK_LEVELS)))


def _as_the_form_reads_them(values: dict) -> None:
    # ResidentFormScreen.values(): every Input's text stripped; a caller other than the form may send None
    for name in INPUTS:
        if isinstance(values[name], str):
            values[name] = values[name].strip()


EDITABLE_BY_HAND = [*TEXTS, "id_number", "disability_card", "sex", "child_subtype", "father_status", "mother_status",
                    "flags", "notes"]


@st.composite
def edit(draw) -> dict:
    """Changes typed into the edit form: any of the free fields filled, changed or cleared."""
    changes = {}
    for name in draw(st.lists(st.sampled_from(EDITABLE_BY_HAND), min_size=1, max_size=6, unique=True)):
        if name in TEXTS:
            changes[name] = draw(TEXTS[name])
        elif name in ("id_number", "disability_card"):
            changes[name] = draw(st.sampled_from(["", " "]))  # cleared: a new one would have to match the person
        elif name == "sex":
            changes[name] = None
        elif name == "flags":
            changes[name] = draw(st.lists(st.sampled_from(sorted(FLAGS)), unique=True))
        elif name == "notes":
            changes[name] = draw(NOTES)
        else:
            changes[name] = draw(_choice(SELECTS[name] if name in SELECTS else CHILD_SUBTYPES))
    _as_the_form_reads_them({n: changes.get(n) for n in INPUTS} | changes)
    return {k: (v.strip() if isinstance(v, str) and k in INPUTS else v) for k, v in changes.items()}


def form_values_of(r: Resident) -> dict:
    """What the edit form shows for a saved resident (ResidentFormScreen._fields), read back by values()."""
    values = {name: "" if getattr(r, name) is None else str(getattr(r, name)) for name in INPUTS}
    for name, table in SELECTS.items():
        values[name] = getattr(r, name) if getattr(r, name) in table else None
    for name in LISTS:
        values[name] = list(getattr(r, name))
    values["notes"] = r.notes
    return values


@st.composite
def visit(draw) -> dict:
    """The visit form's values(): its keys, as its widgets give them."""
    day = TODAY - dt.timedelta(days=draw(st.integers(0, 300)))
    agency = draw(_choice(REFERRAL_AGENCIES))
    return {
        "visit_date": day.isoformat(), "method": draw(st.sampled_from(sorted(VISIT_METHODS))),
        "visitor": draw(st.one_of(st.just(""), st.just("王芳"), text)), "met_with": draw(_blank_or(text, 200)) or "",
        "contact_made": draw(st.booleans()),
        "observations": draw(st.dictionaries(st.sampled_from(sorted(OBSERVATION_DIMENSIONS)),
                                             st.one_of(st.just(""), st.just("  "), text), max_size=3)),
        "hazards": draw(st.lists(st.sampled_from(sorted(HAZARDS)), unique=True, max_size=3)),
        "needs": draw(st.lists(st.sampled_from(sorted(NEEDS)), unique=True, max_size=3)),
        "services": draw(st.lists(st.sampled_from(sorted(SERVICES)), unique=True, max_size=3)),
        "referral_agency": agency, "referral_reason": draw(text) if agency else "",
        "risk_after": draw(st.sampled_from(sorted(RISK_LEVELS))), "mandatory_report": draw(st.booleans()),
        "next_touched": False,
        "next_visit_on": draw(st.sampled_from(["", (day + dt.timedelta(days=30)).isoformat()])),
        "notes": draw(NOTES),
    }


OPS = st.lists(st.one_of(
    st.tuples(st.just("register"), new_resident()),
    st.tuples(st.just("edit"), st.integers(0, 9), edit()),
    st.tuples(st.just("visit"), st.integers(0, 9), visit()),
    st.tuples(st.just("export")),
), min_size=3, max_size=14)

_TEMPLATE: dict[str, Path] = {}


def _template() -> Path:
    """A fresh township and its worker, with real keys: built once, copied per example."""
    if "path" not in _TEMPLATE:
        folder = Path(tempfile.mkdtemp(prefix="gridcare-novalue-", dir=SCRATCH))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        t = make_township(folder)
        t.worker("王芳", "G01").dispose()
        t.db.dispose()
        _TEMPLATE["path"] = folder
    return _TEMPLATE["path"]


def _export(worker, out: Path, bundles: list[Path]) -> None:
    try:
        bundles.append(export_bundle(worker, out).path)
    except UserError:  # nothing new since the last bundle
        pass


def _dump(db) -> list[str]:
    return [line for line in dump_lines(db) if json.loads(line)["type"] in TYPES]


def _no_none_where_a_default_is(db) -> None:
    for line in _dump(db):
        record = json.loads(line)
        if record["type"] == "conflict":
            continue
        for name, spec in record_spec(record["type"]).items():
            assert spec.optional or record[name] is not None, (record["type"], name)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(ops=OPS, order=st.randoms(use_true_random=False), repeats=st.integers(0, 3))
def test_what_the_forms_save_merges_into_the_township_unchanged(ops, order, repeats):
    folder = Path(tempfile.mkdtemp(prefix="ex-", dir=SCRATCH))
    try:
        shutil.copytree(_template(), folder, dirs_exist_ok=True)
        worker, town = open_database(folder / "G01.db"), open_database(folder / "township.db")
        residents: list[str] = []
        bundles: list[Path] = []
        saved = 0
        for op in ops:
            try:
                if op[0] == "register":
                    values, risk = op[1]
                    residents.append(register_resident(worker, values, risk_level=risk, today=TODAY).id)
                elif op[0] == "edit" and residents:
                    rid = residents[op[1] % len(residents)]
                    with worker.session() as s:
                        shown = form_values_of(s.get(Resident, rid))
                    update_resident(worker, rid, {**shown, **op[2]}, today=TODAY)
                elif op[0] == "visit" and residents:
                    fields, referral = visit_fields(op[2])
                    log_visit(worker, residents[op[1] % len(residents)], fields, referral=referral, today=TODAY)
                elif op[0] == "export":
                    _export(worker, folder / "out", bundles)
                    continue
                else:
                    continue
                saved += 1
                event(f"saved {op[0]}")
            except (ValidationError, ValidationErrors) as exc:
                event(f"refused {op[0]}: {sorted(exc.by_field()) if isinstance(exc, ValidationErrors) else exc.field}")
                continue  # refused at entry, as the form would show it: nothing written
        _export(worker, folder / "out", bundles)
        _no_none_where_a_default_is(worker)
        sequence = bundles + [order.choice(bundles) for _ in range(repeats)]
        order.shuffle(sequence)
        report = merge_paths(town, sequence)
        assert report.refused == [], [b.message for b in report.refused]
        assert _dump(town) == _dump(worker)
        worker.dispose()
        town.dispose()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# --- the model above, checked against the real forms (Pilot) ----------------------------------------------

HANDFUL = [
    {"name": " 𠮷 田\u3000 ", "address": "\u3000东村 １２号 ", "guardian_name": "  ", "phone": "１３８ ００００ １２３４",
     "father_name": "[/b]", "notes": "  \n  ", "categories": ["solitary_elder"], "birth_date": "1949-12-31"},
    {"name": "阿依古丽 ・ 买买提", "id_number": " 11010519491231002X ", "mother_name": "长" * MAX_TEXT,
     "visit_frequency_days": "７", "categories": ["empty_nest_elder"], "flags": [sorted(FLAGS)[0]]},
    {"name": "Mary  Ann", "birth_date": "2016-05-01", "guardian_relation": "祖母", "categories": ["left_behind_child"],
     "child_subtype": sorted(CHILD_SUBTYPES)[0], "father_status": sorted(PARENT_STATUSES)[0]},
]


def test_the_forms_give_what_the_model_says(tmp_path):
    """values() of the real forms, for a handful of odd entries: the shape the property test feeds storage.

    The new-resident form reads back exactly what was typed, stripped; once saved, the edit form
    shows what `form_values_of` says, and saving it unchanged writes nothing (None met "" here before).
    """
    import asyncio

    from textual.widgets import Input, Select, SelectionList, TextArea

    from screens.resident_form import ResidentFormScreen
    from storage.core.models import Event
    from tests.pilot_helpers import on_screen
    from tests.pilot_helpers import settle as at_rest
    from tui.app import make_app

    shutil.copytree(_template(), tmp_path / "w")
    worker = open_database(tmp_path / "w" / "G01.db")

    async def settle(pilot, screen: str) -> None:
        try:
            await on_screen(pilot, screen)
        except AssertionError:  # say why the form did not go on: its errors beside the fields
            shown = [str(label.render()) for label in pilot.app.screen.query("Label.error")]
            raise AssertionError(f"{screen}: {[m for m in shown if m]}") from None

    async def run() -> None:
        app = make_app(worker.path, lang="en", today=TODAY)
        async with app.run_test(size=(100, 40)) as pilot:
            await settle(pilot, "HomeScreen")
            for typed in HANDFUL:
                app.push_screen(ResidentFormScreen(), app._open_resident)  # as Home's n does
                await settle(pilot, "ResidentFormScreen")
                form = app.screen
                for name, value in typed.items():
                    if name in INPUTS:
                        form.query_one(f"#{name}", Input).value = value
                    elif name in SELECTS:
                        form.query_one(f"#{name}", Select).value = value
                    elif name in LISTS:
                        for code in value:
                            form.query_one(f"#{name}", SelectionList).select(code)
                    else:
                        form.query_one("#notes", TextArea).text = value
                await at_rest(pilot)
                expected = {name: "" for name in INPUTS} | {name: None for name in SELECTS} | {n: [] for n in LISTS}
                # a registration also gives its first risk level (kept in its draft; the form hands it to
                # register_resident apart from the fields)
                expected |= {"notes": "", "risk_level": "low", "registered_on": TODAY.isoformat()} | typed
                if typed.get("id_number"):  # the form fills birth date and sex in from the number
                    expected |= {"birth_date": "1949-12-31", "sex": "F"}
                _as_the_form_reads_them(expected)
                assert form.values() == expected
                await pilot.press("ctrl+s")
                await settle(pilot, "ResidentScreen")
                rid = app.screen.resident_id
                with worker.session() as s:
                    saved = s.get(Resident, rid)
                    events = len(s.exec(select(Event)).all())
                await pilot.press("e")
                await settle(pilot, "ResidentFormScreen")
                assert app.screen.values() == form_values_of(saved)
                await pilot.press("ctrl+s")
                await settle(pilot, "ResidentScreen")
                with worker.session() as s:
                    assert len(s.exec(select(Event)).all()) == events  # nothing changed, nothing written
                await pilot.press("escape")
                await settle(pilot, "HomeScreen")

    asyncio.run(run())
    with worker.session() as s:
        names = sorted(s.exec(select(Resident.name)).all())
    assert names == sorted(["𠮷田", "阿依古丽·买买提", "Mary Ann"])
    town = open_database(tmp_path / "w" / "township.db")
    assert merge_paths(town, [export_bundle(worker, tmp_path / "out").path]).refused == []
    assert _dump(town) == _dump(worker)
