"""What start-up loads before Home's first figures: never SQLAlchemy (the start-up target of docs/design.md §4).

The TUI builds the command-line parser, imports the app, and reads Home's figures with the stdlib
sqlite3 driver before the ~0.4 s import of SQLModel; a module-level import in any module on that
path that pulls SQLAlchemy in would silently add it to every start-up. The CLI's commands, in
turn, never load Textual.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]

BEFORE_FIRST_DATA = """
import sys
from tui.cli import _app_args
_app_args(["--db", "t.db"])
import tui.app, tui.startup, screens.home, storage.register.home
print(sorted({m.split('.')[0] for m in sys.modules} & {'sqlalchemy', 'sqlmodel', 'pypinyin', 'openpyxl', 'cryptography', 'pyrage'}))
# what start-up leaves for later: the commands' modules, a form's widgets, Home's figures read after the first ones
print(sorted(m for m in sys.modules if m.startswith(('tui.cmd_', 'textual.widgets._text_area', 'textual.widgets._checkbox',
                                                      'storage.register.benefit_lists', 'storage.register.duplicate'))))
"""

CLI_COMMAND = """
import sys
from tui.cli import build_parser
import tui.cmd_sync, tui.cmd_report, tui.cmd_roster, tui.cmd_setup, tui.cmd_maint, storage.sync.merge, storage.reports.files
build_parser()
print('textual' in sys.modules)
"""


# the app started as a person starts it, up to where the TUI would open (tui/cli.py main)
APP_START = """
import sys
import tui.cli
def opened(args, milestone=None):
    print(args.command, getattr(args, "db", None), sorted(m for m in sys.modules if m.startswith("tui.cmd_")))
    return 0
tui.cli.run_tui = opened
tui.cli.main(sys.argv[1:])
"""


def _run(code: str) -> str:
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_nothing_before_homes_first_figures_loads_sqlalchemy_or_a_heavy_library():
    assert _run(BEFORE_FIRST_DATA) == "[]\n[]"


def test_the_cli_commands_do_not_load_textual():
    assert _run(CLI_COMMAND) == "False"


# Home's quick read as the TUI runs it (tui/startup.py quick_home), on a real file: the reads it defers to inside
# the function (a township's conflicts and duplicates, a worker's drafts) load their modules only then
READ_HOME = """
import datetime as dt, sys
from pathlib import Path
from storage.register.home import quick_reader, read_home
path = Path(sys.argv[1])
raw, role = quick_reader(path)
data = read_home(raw, dt.date(2026, 11, 24), drafts_of=path)
print(role, sorted({m.split('.')[0] for m in sys.modules} & {'sqlalchemy', 'sqlmodel', 'pypinyin', 'openpyxl'}))
"""


def test_homes_quick_read_of_a_township_loads_no_sqlalchemy(tmp_path):
    """A township's Home counted its conflicts with a function of a module importing the models: SQLModel
    (~0.4 s) was loaded before Home's first figures, at every start of a township's app (bench: data shown
    0.56 s -> 0.87 s against 0.35 s for the stack alone)."""
    from tests.sync_helpers import clerk_elder, make_township

    township = make_township(tmp_path)
    clerk_elder(township, "王秀英")
    township.db.dispose()
    out = subprocess.run([sys.executable, "-c", READ_HOME, str(tmp_path / "township.db")], cwd=ROOT,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "township []"


def test_starting_the_app_builds_no_commands_parsers():
    """Every start of the app built the parsers of the 25 commands, importing their 13 modules (~50 ms before the
    first paint, bench/m_startup.py) for arguments the app never has: `gridcare [--db] [--lang] [--plain]` is read
    without them, and anything else still by the full parser."""
    out = subprocess.run([sys.executable, "-c", APP_START, "--db", "t.db", "--lang", "en"], cwd=ROOT,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "None t.db []"


def test_what_the_app_reads_without_the_commands_is_what_the_full_parser_reads():
    from tui.cli import _app_args, build_parser

    for argv in ([], ["--db", "t.db"], ["--db=sync", "--lang", "en"], ["--pl"], ["--la", "zh_CN", "--db", "x"]):
        quick = _app_args(argv)
        assert quick is not None and vars(quick) == vars(build_parser().parse_args(argv)), argv
    # a command, help, the version or a mistake: the full parser's to read and to say what is wrong
    for argv in (["sync"], ["--db", "t.db", "report"], ["-h"], ["--he"], ["--version"], ["--lang", "xx"], ["--"]):
        assert _app_args(argv) is None, argv


# the start-up's quick read as the app runs it (tui/startup.py), then what it leaves for after the first paint
QUICK_HOME = """
import datetime as dt, sys
from pathlib import Path
from tui.startup import Startup
start = Startup(Path(sys.argv[1]))
role, data = start.quick_home(dt.date(2026, 11, 24))
late = ('storage.register.benefit_lists', 'storage.register.duplicate_sql')
print(role, data.later, [m for m in late if m in sys.modules])
start.quick_later(data)
print([m for m in late if m in sys.modules])
"""


def test_the_benefit_lists_and_the_duplicates_are_read_after_homes_first_figures(tmp_path):
    """Home's first figures waited for the benefit lists and the duplicates' count (~35 ms of a township's start,
    bench/m_startup.py), which are two tabs not open and one line: they are read once the first figures are shown."""
    from tests.sync_helpers import clerk_elder, make_township

    township = make_township(tmp_path)
    clerk_elder(township, "王秀英")
    township.db.dispose()
    out = subprocess.run([sys.executable, "-c", QUICK_HOME, str(tmp_path / "township.db")], cwd=ROOT,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    first, then = out.stdout.strip().splitlines()
    assert first == "township True []"
    assert then == "['storage.register.benefit_lists', 'storage.register.duplicate_sql']"
