"""Text a hostile bundle brings never reaches the clerk's terminal as an escape sequence.

A worker's device (enrolled, then turned hostile, or a worker pasting from anywhere) may write a name, an
address, notes or a referral's reason holding ESC sequences: the township merges them, as it merges any
text a field may hold. Every screen that shows them must draw them as '?', not hand them to the terminal,
where OSC 52 writes the clipboard and CSI 2J clears the screen. Checked on what Textual writes to the
terminal for each screen, at 80×24.
"""

from __future__ import annotations

import datetime as dt
import io

from rich.console import Console

from screens.benefits import BenefitsScreen
from screens.conflicts import ConflictsScreen
from screens.devices import DevicesScreen
from screens.duplicates import DuplicatesScreen
from screens.paired_helper import PairedHelperScreen
from screens.reports import ReportsScreen
from screens.resident import ResidentScreen
from screens.resident_form import ResidentFormScreen
from screens.residents import ResidentsScreen
from screens.sync import SyncScreen
from screens.villages import VillagesScreen
from screens.visit_form import VisitFormScreen
from storage.register.idnumbers import check_char
from storage.register.pairing import set_paired_helper
from storage.register.referrals import open_referral
from storage.register.residents import register_resident, update_resident
from storage.register.visits import log_visit
from storage.sync.export import export_bundle
from storage.sync.merge import merge_paths
from tests.pilot_helpers import run_async, settle, started
from tests.sync_helpers import make_township
from tui.app import make_app

TODAY = dt.date(2026, 12, 2)
CLIPBOARD = "\x1b]52;c;ZXZpbA==\x07"
CLEAR = "\x1b[2J"
C1 = "\x9b2J"
HOSTILE = ("\x1b]52", CLEAR, "\x9b")  # Rich drops the BEL that ends OSC 52: the rest still reaches the terminal
# where the hostile text is on screen at 80×24, as drawn
SHOWN = {"helper": "张?]52", "resident": "王?[2J芳", "duplicates": "王?[2J芳", "conflicts": "新村?]52", "residents": "王?[2J芳"}
ID = "33052119440312002" + check_char("33052119440312002")


def _resident(db, rid):
    from storage.core.models import Resident

    with db.session() as s:
        return s.get(Resident, rid)


def _terminal_output(app) -> str:
    """What Textual writes to the terminal for the whole screen."""
    update = app.screen._compositor.render_update(full=True)
    out = io.StringIO()
    Console(file=out, force_terminal=True, width=200, color_system="truecolor").print(update)
    return out.getvalue()


def _township(tmp_path):
    t = make_township(tmp_path)
    worker = t.worker("王芳", "G01")
    fields = {"name": f"王{CLEAR}芳", "id_number": ID, "categories": ["solitary_elder"],
              "address": f"东村{CLIPBOARD}1号", "notes": f"备注{C1}", "guardian_name": f"李{CLEAR}"}
    r = register_resident(worker, fields, today=TODAY)
    other = t.worker("李明", "G02")
    register_resident(other, {**fields, "address": "西村2号"}, today=TODAY)  # the same card in another grid
    set_paired_helper(worker, r.id, f"张{CLIPBOARD}", "13900003333", f"村委会{C1}", today=TODAY)
    log_visit(worker, r.id, {"visit_date": TODAY, "notes": f"看望{CLIPBOARD}", "met_with": f"本人{C1}"}, today=TODAY)
    open_referral(worker, r.id, "minzheng", f"申请{CLEAR}低保", today=TODAY)
    bundles = [export_bundle(w, tmp_path / w.path.stem).path for w in (worker, other)]
    assert merge_paths(t.db, bundles).refused == []
    # the clerk and the worker both change the address, unseen by each other: a conflict to review
    update_resident(t.db, r.id, {"address": "东村2号"}, today=TODAY)
    update_resident(worker, r.id, {"address": f"新村{CLIPBOARD}"}, today=TODAY)
    assert merge_paths(t.db, [export_bundle(worker, tmp_path / "again").path]).conflicts >= 1
    return t, r.id


@run_async
async def test_no_screen_hands_a_hostile_escape_sequence_to_the_terminal(tmp_path):
    t, rid = _township(tmp_path)
    app = make_app(t.db.path, lang="zh_CN", today=TODAY)
    screens = {"home": None, "residents": ResidentsScreen, "resident": lambda: ResidentScreen(rid),
               "edit": lambda: ResidentFormScreen(rid), "visit": lambda: VisitFormScreen(rid),
               "benefits": lambda: BenefitsScreen(rid), "duplicates": DuplicatesScreen, "conflicts": ConflictsScreen,
               "reports": ReportsScreen, "villages": VillagesScreen, "devices": DevicesScreen, "sync": SyncScreen,
               "helper": PairedHelperScreen}
    leaked = {}
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        for name, screen in screens.items():
            if screen is not None:
                app.push_screen(screen() if name != "helper" else PairedHelperScreen(_resident(t.db, rid)))
                await settle(pilot)
            out = _terminal_output(app)
            found = [seq for seq in HOSTILE if seq in out]
            if found:
                leaked[name] = found
            if name in SHOWN:  # the value is on screen, its escape drawn as '?'
                assert SHOWN[name] in out, name
            if screen is not None:
                app.pop_screen()
                await settle(pilot)
    assert leaked == {}
