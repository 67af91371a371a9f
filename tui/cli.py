"""The `gridcare` command: parses arguments, then opens the TUI or runs a command.

Exit status: 0 success, 1 a user error (one translated line, no traceback),
2 bad arguments (argparse's, and a date or month option that cannot be read), 70 a bug (traceback in the log file).
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from rich.cells import cell_len

from storage.core.errors import UserError
from storage.core.i18n import _, choose_language, set_language
from storage.core.paths import default_db_path, log_file

if TYPE_CHECKING:
    from storage.core.restoring import RestoreRequest
    from tui.app import Milestone

# Each module defines `register(subparsers, common)`; the order is the order of --help.
COMMAND_MODULES = [
    "tui.cmd_setup",
    "tui.cmd_maint",
    "tui.cmd_sync",
    "tui.cmd_devices",
    "tui.cmd_roster",
    "tui.cmd_benefits",
    "tui.cmd_visit",
    "tui.cmd_case",
    "tui.cmd_duplicates",
    "tui.cmd_report",
    "tui.cmd_policy",
    "tui.cmd_places",
    "tui.cmd_emergencies",
]

EXIT_USER_ERROR = 1
EXIT_BAD_ARGUMENTS = 2  # argparse's own
EXIT_BUG = 70

log = logging.getLogger("gridcare")


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("gridcare")
    except PackageNotFoundError:
        return "0+unknown"


class _VersionAction(argparse.Action):
    """--version, looked up only when asked for: the metadata scan costs ~40 ms of every start-up."""

    def __call__(self, parser, namespace, values, option_string=None):
        print(f"gridcare {_version()}")  # on stdout, as argparse's own version action
        parser.exit()


def _pre_scan_lang(argv: list[str]) -> str | None:
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return None


class _Formatter(argparse.HelpFormatter):
    """argparse's help, with its section headings ended by the language's colon ("选项：", not "选项:"), and
    measured in terminal cells: argparse counts characters, so 路径 (two characters, four cells) pushed the help
    out of line and Chinese help ran past 80 columns."""

    def add_argument(self, action: argparse.Action) -> None:
        super().add_argument(action)
        if action.help is not argparse.SUPPRESS:
            widest = max(cell_len(self._format_action_invocation(a)) for a in (action, *self._iter_indented_subactions(action)))
            self._action_max_length = max(self._action_max_length, widest + self._current_indent)

    def _format_action(self, action: argparse.Action) -> str:
        text = super()._format_action(action)
        head = " " * self._current_indent + self._format_action_invocation(action)
        if not action.help or not text.startswith(head) or cell_len(head) == len(head):
            return text
        first, _nl, rest = text.partition("\n")
        help_at = min(self._action_max_length + 2, self._max_help_position)
        said = first[len(head):].lstrip(" ")
        if not said:  # argparse already put the help on the next line
            return text
        if cell_len(head) + 2 <= help_at:
            first = head + " " * (help_at - cell_len(head)) + said
        else:
            first = head + "\n" + " " * help_at + said
        return first + "\n" + rest

    def _format_usage(self, usage, actions, groups, prefix) -> str:
        width = self._width
        try:  # argparse wraps the usage by characters: narrowed until its lines fit in cells
            for narrower in range(0, width // 2, 2):
                self._width = width - narrower
                text = super()._format_usage(usage, actions, groups, prefix)
                if all(cell_len(line) <= width for line in text.splitlines()):
                    break
            return text
        finally:
            self._width = width

    def _split_lines(self, text: str, width: int) -> list[str]:
        from tui.line_breaks import wrap

        return wrap(" ".join(text.split()), width)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        from tui.line_breaks import wrap

        return "\n".join(indent + line for line in wrap(" ".join(text.split()), width - len(indent)))

    class _Section(argparse.HelpFormatter._Section):  # argparse writes the ":" itself
        def format_help(self) -> str:
            text = super().format_help()
            colon = _(": ").strip()
            if self.heading and colon != ":":
                text = text.replace(f"{self.heading}:\n", f"{self.heading}{colon}\n", 1)
            return text


class _Parser(argparse.ArgumentParser):
    """Every parser of gridcare's, subcommands' too (add_subparsers makes them of this class)."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)


def build_parser() -> argparse.ArgumentParser:
    parser, common = _top_parser()
    sub = parser.add_subparsers(dest="command", metavar=_("COMMAND"))
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub, common)
    return parser


def _top_parser(parser_class: type[_Parser] | None = None) -> tuple[_Parser, _Parser]:
    """gridcare's own options, without the commands: (the parser, the options every command shares)."""
    common = _Parser(add_help=False)
    common.add_argument("--db", metavar=_("PATH"), default=argparse.SUPPRESS,
                        help=_("database file, or a server's URL such as postgresql://user@host/db "
                               "(default: $GRIDCARE_DB, else the user data folder)"))
    common.add_argument("--lang", metavar="zh_CN|en", default=argparse.SUPPRESS, type=_language,
                        help=_("interface language (default: $GRIDCARE_LANG, else the system's, else zh_CN)"))
    common.add_argument("--plain", action="store_true", default=argparse.SUPPRESS,
                        help=_("narrow glyphs only, for the old Windows console (default: on there; $GRIDCARE_PLAIN=1/0)"))
    parser = (parser_class or _Parser)(
        prog="gridcare",
        parents=[common],
        description=_("gridcare: visits to key persons, for grid workers and township clerks."),
    )
    parser.add_argument("--version", action=_VersionAction, nargs=0,
                        help=_("show program's version number and exit"))
    return parser, common


class _NotTheApp(Exception):
    """The arguments are not a plain start of the app: the full parser reads them (and says what is wrong)."""


class _AppParser(_Parser):
    def error(self, message: str) -> NoReturn:  # argparse's exits: here the full parser takes over, and says it
        raise _NotTheApp(message)


def _app_args(argv: list[str]) -> argparse.Namespace | None:
    """The arguments of `gridcare [--db PATH] [--lang L] [--plain]` (the app), read without the commands' parsers;
    None for anything else (a command, --help, --version, a mistake), which build_parser()'s parser reads.

    Building every command's parser imports their 13 modules: ~50 ms of each start of the app, before its first
    paint, for arguments the app never has (bench/m_startup.py)."""
    if any(a.startswith(("-h", "--h", "--v")) for a in argv):  # argparse takes --he, --vers… for --help, --version
        return None
    try:
        args = _top_parser(_AppParser)[0].parse_args(argv)
    except _NotTheApp:
        return None
    args.command = None
    return args


def _language(text: str) -> str:
    """--lang's value: one of ours (zh_CN, zh, en, en_US…); another was taken silently and the words stayed Chinese."""
    from storage.core.i18n import normalize_language

    if not normalize_language(text):
        raise argparse.ArgumentTypeError(_("unknown language {lang}: zh_CN or en").format(lang=text))
    return text


def row_count(text: str) -> int:
    """--limit's value: a number of rows, 1 or more (-5 showed every row of the audit, and all but the last 5 of
    each of the report's lists)."""
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(_("a number of rows, 1 or more (not {text})").format(text=text))
    return n


def db_path(args: argparse.Namespace) -> Path | str:
    """The database to open: a file's path, or a server's URL (kept as text: a Path would mangle '//')."""
    from storage.core.db import is_server_target

    given = db_given(args)
    if given and is_server_target(given):
        return given
    return Path(given).expanduser() if given else default_db_path()


def db_given(args: argparse.Namespace) -> str | None:
    """The database the person named (--db, else $GRIDCARE_DB); None: the default place."""
    return getattr(args, "db", None) or os.environ.get("GRIDCARE_DB")


def setup_logging() -> Path | None:
    """Log to a file (never personal data); a bug's traceback goes there."""
    path = log_file()
    if path.exists() and not path.is_file():  # a named pipe there: opening it waited for a reader, every command hung
        return None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.FileHandler(path, encoding="utf-8")
    except OSError:
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    return path


def run_tui(args: argparse.Namespace, milestone: Milestone | None = None) -> int:
    from tui.app import make_app

    path = db_path(args)
    if db_given(args) and isinstance(path, Path) and not path.parent.is_dir():
        from storage.core.text import printable

        # a slip in the path would open an empty database on its first-use form, as if the register were lost
        print(_("gridcare: there is no folder {folder}: check the path given with --db (a new database is made in "
                "a folder that is there).").format(folder=printable(str(path.parent))), file=sys.stderr)
        return EXIT_USER_ERROR
    notice: tuple[str, str] | None = None
    while True:
        app = make_app(path, lang=getattr(args, "lang", None), milestone=milestone, notice=notice)
        request = app.run()
        # an exception nothing caught: Textual drew its traceback on the terminal, which is gone with the window
        crash = getattr(app, "_exception", None)
        if crash is not None:
            log.error("unexpected error in the tui", exc_info=crash)
            print(_("gridcare: an unexpected error occurred; the details are in {log}.").format(log=log_file()),
                  file=sys.stderr)
            return EXIT_BUG
        if request is None:
            return app.return_code or 0
        # the 备份与恢复 screen asked for a restore (screens/backups.py): the app is closed, its lock released
        notice, milestone = restore_between_runs(app.db_path, request), None


def restore_between_runs(path: Path, request: RestoreRequest) -> tuple[str, str]:
    """The restore the app asked for, as `gridcare restore` does it (storage/core/restoring.py), said on the
    terminal and in the log; returns what Home says when the app opens again: (text, notice severity).
    A refusal (a damaged backup, another window open) is said there too: the worker may have no console."""
    from storage.core.errors import as_user_error
    from storage.core.i18n import moment_text
    from storage.core.restoring import restore_database, restored_lines, restored_notice

    print(_("Restoring from {file}…").format(file=request.backup), flush=True)  # seconds on a township's file
    try:
        done = restore_database(path, request.backup)
    except Exception as exc:
        known = exc if isinstance(exc, UserError) else as_user_error(exc)  # a full disk, a file held elsewhere
        if known is None:
            raise  # a bug: main() logs its traceback
        log.info("restore from the app refused: %s", known)
        said = _("Nothing was restored: {message}").format(message=known)
        print(said, file=sys.stderr)
        return said, "error"
    for line in restored_lines(done):
        print(line)
    log.info("restored %s from %s; the previous database kept as %s", path, done.source, done.aside)
    when = moment_text(done.taken_at) if done.taken_at is not None else ""
    return restored_notice(done, when), "information"


def main(argv: list[str] | None = None, *, milestone: Milestone | None = None) -> int:
    """`milestone`: a start-up hook for the TUI (bench/apps/gridcare_app.py times the start-up with it)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    from storage.core.platform import configure_std_streams

    configure_std_streams()
    from storage.core import glyphs

    glyphs.set_plain(glyphs.wanted("--plain" in argv))
    if glyphs.plain():
        from tui.plain import plain_console_streams

        plain_console_streams()
    set_language(choose_language(_pre_scan_lang(argv)))
    try:
        args = _app_args(argv) or build_parser().parse_args(argv)
    except UserError as exc:  # a date or month option that is not one (tui/date_options.py): a bad argument, in one
        # line (argparse's usage above it says nothing about how to write a date); nothing is opened yet, so a value
        # the data refuses (a month not begun) is the command's to say, exit 1
        _say_error(exc)
        return EXIT_BAD_ARGUMENTS
    if getattr(args, "lang", None):
        set_language(choose_language(args.lang))
    log_path = setup_logging()
    try:
        if args.command is None:
            return run_tui(args, milestone)
        from storage.core.db_scope import disposed_at_end

        with disposed_at_end():  # its connections closed now, not when collected (a server's stayed open)
            return int(args.func(args) or 0)
    except UserError as exc:
        _say_error(_named(exc, args) or exc)
        return EXIT_USER_ERROR
    except BrokenPipeError:
        # the reader went away (`gridcare dump | head`): not an error of ours

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print(_("gridcare: interrupted; nothing was half-written."), file=sys.stderr)
        return 130
    except Exception as exc:
        from storage.core.errors import as_user_error

        known = as_user_error(exc)  # a full disk, a read-only place, a database busy elsewhere
        if known is not None:
            known = _named(exc, args) or known
            log.info("%s: %s (%s)", args.command or "tui", known, type(exc).__name__)
            _say_error(known)
            return EXIT_USER_ERROR
        log.exception("unexpected error in %s", args.command or "tui")
        print(_("gridcare: an unexpected error occurred; the details are in {log}.").format(log=log_path or "-"),
              file=sys.stderr)
        return EXIT_BUG


def _say_error(message: object) -> None:
    """The one line of a refusal, on stderr. It may name a file the user typed, whose name whoever made the file chose
    (one on a USB stick holding ESC ] 52, which writes the clipboard): its control characters are said as '?', as
    every text from data is (storage/core/text.py printable); a line feed a message holds on purpose is kept."""
    from storage.core.text import printable

    print(_("gridcare: {message}").format(message=printable(message, multiline=True)), file=sys.stderr)


def _named(exc: BaseException, args: argparse.Namespace) -> UserError | None:
    """A value of the database that is not JSON, said naming its row (storage/core/unreadable.py)."""
    from storage.core.unreadable import named_damage

    return named_damage(exc, db_path(args))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
