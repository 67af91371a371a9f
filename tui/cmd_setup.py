"""`gridcare init`, `gridcare demo`, `gridcare dump`.

The storage modules a command runs are imported inside it: every start-up (the TUI's too) builds
this parser, and they would load SQLAlchemy before Home's first figures (tests/test_startup_imports.py).
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from storage.core.china_day import china_today
from storage.core.db import open_database
from storage.core.errors import UserError, ValidationError
from storage.core.i18n import _, join_list, join_sentences
from tui.cli import db_path, run_tui
from tui.progress import cli_progress

if TYPE_CHECKING:
    from storage.core.db import Database


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("init", parents=[common], help=_("set a database up for a county, a township or a grid worker"),
                       description=_("Set a database up for a county, a township (clerk) or a grid worker."))
    p.add_argument("--role", required=True, choices=["township", "worker", "county"],
                   help=_("township, worker or county"))
    p.add_argument("--township-code", metavar=_("CODE"), help=_("9-digit township code (worker: the key file's if left "
                                                                "out)"))
    p.add_argument("--township-name", metavar=_("NAME"), help=_("the township's name, e.g. Xinshi town (worker: the key "
                                                                "file's if left out)"))
    p.add_argument("--county-code", metavar=_("CODE"), help=_("county: 6-digit county code"))
    p.add_argument("--county-name", metavar=_("NAME"), help=_("county: the county's name"))
    p.add_argument("--county-key", metavar=_("FILE"), type=Path,
                   help=_("township: the county's public key file (county-CODE.pub), if you have it already"))
    p.add_argument("--grid-code", metavar=_("CODE"), help=_("worker: the grid's short code, e.g. G03"))
    p.add_argument("--grid-name", metavar=_("NAME"), help=_("worker: the grid's name"))
    p.add_argument("--worker", metavar=_("NAME"), help=_("worker: your name; township or county: the clerk's name "
                                                        "(optional)"))
    p.add_argument("--village-name", metavar=_("NAME"), help=_("worker: the grid's village, e.g. Liuxi village"))
    p.add_argument("--village-code", metavar=_("CODE"), help=_("worker: 12-digit village code (optional)"))
    p.add_argument("--township-key", metavar=_("FILE"), type=Path,
                   help=_("worker: the township's public key file (township-CODE.pub); "
                          "later with gridcare township-key if you do not have it yet"))
    p.add_argument("--enroll-code", metavar=_("CODE"),
                   help=_("worker: the one-time enrollment code from the clerk (gridcare enroll); township: the "
                          "county's code for this township, with --county-key"))
    p.add_argument("--key-out", metavar=_("FILE"), type=Path,
                   help=_("township or county: where to write the public key, a file or a folder (default: ./township-CODE.pub, "
                          "./county-CODE.pub)"))
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("county-key", parents=[common], help=_("township: learn the county's public key"),
                       description=_("Give this township database its county's public key file; bundles to the county are encrypted to it."))
    p.add_argument("file", type=Path, metavar=_("FILE"), help=_("the county's public key file (county-CODE.pub)"))
    p.add_argument("--enroll-code", metavar=_("CODE"),
                   help=_("the one-time enrollment code the county made for this township (gridcare enroll --township)"))
    p.add_argument("--replace", action="store_true",
                   help=_("replace the county key this township has (only when the county set its database up again)"))
    p.set_defaults(func=cmd_county_key)

    p = sub.add_parser("demo", parents=[common], help=_("fill the database with a realistic synthetic data set"),
                       description=_("Fill the database with a realistic synthetic data set (deterministic by seed)."))
    p.add_argument("--seed", type=int, default=1, help=_("random seed (default 1)"))
    p.add_argument("--scale", choices=["grid", "township", "county"], default="grid",
                   help=_("grid: 300 residents; township: 6,000; county: 120,000"))
    p.add_argument("--open", action="store_true", help=_("open the app on the database afterwards"))
    p.add_argument("--bundles", metavar=_("FOLDER"), type=Path,
                   help=_("township or county: write practice bundles from the demo's grid workers into FOLDER, to "
                          "merge on the Sync screen (--scale township writes them in any case, by default beside the "
                          "database: DATABASE.practice)"))
    p.set_defaults(func=cmd_demo, parser=p)

    p = sub.add_parser("public-key", parents=[common], help=_("township or county: write its public key file again"),
                       description=_("Write this township's (or county's) public key file again, to give to a new "
                                     "grid worker (or township) when the one written at set-up is lost. Only the "
                                     "public key: the private keys never leave this computer."))
    p.add_argument("--out", metavar=_("FILE"), type=Path,
                   help=_("a file, or a folder (default: township-CODE.pub or county-CODE.pub here)"))
    p.set_defaults(func=cmd_public_key)

    p = sub.add_parser("dump", parents=[common], help=_("write every current record as JSON Lines"),
                       description=_("Write every current record as JSON Lines in a stable order."))
    p.add_argument("--out", metavar=_("FILE"), type=Path, help=_("output file (default: standard output)"))
    p.set_defaults(func=cmd_dump)


def cmd_init(args: argparse.Namespace) -> int:
    from storage.core.identity import init_township, init_worker, key_path

    if args.role == "county":
        return _init_county(args)
    township = [flag for flag, value in (("--township-code", args.township_code), ("--township-name", args.township_name))
                if not value]
    if args.role == "township":
        if township:
            raise UserError(_("A township database needs {flags}.").format(flags=join_list(township)))
        key_out = key_path(args.key_out, f"township-{args.township_code}.pub")
        with _set_up(args) as db:
            try:
                ident, written, text = init_township(db, args.township_code, args.township_name, key_out,
                                                     args.county_key, enroll_code=args.enroll_code,
                                                     clerk_name=args.worker)
            except ValidationError as exc:
                raise UserError(exc.message) from None
        print(_("Township database ready: {path}").format(path=db.label))
        print(_("Public key written to {file}; give it to every grid worker. It reads:").format(file=written))
        print(text)
        if ident.county_code:
            print(_("Bundles to the county go to {name} ({code}).").format(name=ident.county_name, code=ident.county_code))
            _say_enrollment(ident)
        return 0
    # the clerk's key file names the township (storage/core/identity.py init_worker)
    missing = (township if not args.township_key else []) + [flag for flag, value in (("--grid-code", args.grid_code), ("--grid-name", args.grid_name),
                                                   ("--worker", args.worker)) if not value]
    if missing:
        raise UserError(_("A worker database needs {flags}.").format(flags=join_list(missing)))
    with _set_up(args) as db:
        try:
            ident = init_worker(db, args.township_code, args.township_name, args.grid_code, args.grid_name,
                                args.worker, args.township_key, village_code=args.village_code,
                                village_name=args.village_name, enroll_code=args.enroll_code)
        except ValidationError as exc:
            raise UserError(exc.message) from None
    print(_("Grid worker database ready: {path}").format(path=db.label))
    if not args.township_key:
        print(_("No township key yet: exports need it. Add it when the clerk gives you the file: "
                "gridcare township-key township-CODE.pub (or on the Sync screen)."))
    from storage.core.keys import fingerprint

    if ident.enroll_proof:
        print(_("Enrolled with the clerk's code: the township accepts this device's first bundle for grid {grid}.").format(
            grid=args.grid_code))
    else:
        print(_("No enrollment code given: the township holds this device's first bundle until the clerk approves it. "
                "Tell the clerk this key fingerprint: {fp}").format(fp=fingerprint(ident.device_sign_public)))
    return 0


@contextlib.contextmanager
def _set_up(args: argparse.Namespace) -> Iterator[Database]:
    """The database `init` sets up. A set-up refused (a mistyped enrollment code, another township's key) leaves
    no file it created behind: an empty database there looked set up to the next command."""
    from storage.core.paths import keys_file

    target = db_path(args)
    made: list[Path] = []
    if isinstance(target, Path):
        made = [p for p in (target, *(Path(f"{target}{s}") for s in ("-wal", "-shm", "-journal")), keys_file(target))
                if not p.exists()]
    db = open_database(target)
    try:
        yield db
    except BaseException:
        if isinstance(target, Path) and target in made:
            db.dispose()
            for p in made:
                p.unlink(missing_ok=True)
        raise


def _init_county(args: argparse.Namespace) -> int:
    from storage.core.identity import init_county, key_path

    missing = [flag for flag, value in (("--county-code", args.county_code), ("--county-name", args.county_name))
               if not value]
    if missing:
        raise UserError(_("A county database needs {flags}.").format(flags=join_list(missing)))
    key_out = key_path(args.key_out, f"county-{args.county_code}.pub")
    with _set_up(args) as db:
        try:
            _ident, written, text = init_county(db, args.county_code, args.county_name, key_out,
                                                admin_name=args.worker)
        except ValidationError as exc:
            raise UserError(exc.message) from None
    print(_("County database ready: {path}").format(path=db.label))
    print(_("Public key written to {file}; give it to every township of the county. It reads:").format(file=written))
    print(text)
    return 0


def cmd_county_key(args: argparse.Namespace) -> int:
    from storage.core.db import open_database
    from storage.core.identity import CountyKeyChanged, set_county_key
    from storage.core.keys import fingerprint
    from tui.cli import db_path

    try:
        ident = set_county_key(open_database(db_path(args), create=False), args.file, args.enroll_code,
                               replace=args.replace)
    except CountyKeyChanged as exc:
        raise UserError(join_sentences(str(exc), _("Then, to replace it: gridcare county-key FILE --replace"))) from None
    print(_("Bundles to the county now go to {name} ({code}); key fingerprint {fp}: check it with the county.").format(
        name=ident.county_name, code=ident.county_code, fp=fingerprint(ident.county_sign_public)))
    _say_enrollment(ident)
    return 0


def _say_enrollment(ident) -> None:
    from storage.core.keys import fingerprint

    if ident.enroll_proof:
        print(_("Enrolled with the county's code: the county accepts this township's first bundle."))
    else:
        print(_("No enrollment code from the county yet: the county holds this township's bundles until it approves "
                "them. Tell the county this key fingerprint: {fp}").format(fp=fingerprint(ident.device_sign_public)))


def cmd_demo(args: argparse.Namespace) -> int:
    from storage.demo.build import generate
    from storage.demo.practice import Kept, practice_target, write_practice

    if args.bundles is not None and args.scale == "grid":
        args.parser.error(_("--bundles makes practice bundles for a township: add --scale township."))
    db = open_database(db_path(args))
    folder = practice_target(db, args.scale, args.bundles)
    kept, today = Kept(), china_today()  # one day for the demo and its practice bundles
    with cli_progress(_("Generating demo data")) as progress:
        summary = generate(db, seed=args.seed, scale=args.scale, progress=progress, today=today,
                           built=kept if folder else None)
    print(_("Demo data in {path}: {residents} residents, {visits} visits.").format(
        path=db.label, residents=summary["residents"], visits=summary["visits"]))
    if folder is not None:
        practice = write_practice(db, kept, seed=args.seed, today=today, folder=folder)
        print(_("To practise merging: {n} bundles from the demo's grid workers are in {folder}. Merge that folder on "
                "the Sync screen (s on Home), or with gridcare merge: {visits} new visits, a changed phone, a conflict "
                "to review and an emergency to acknowledge come in.").format(
            n=len(practice.bundles), folder=practice.folder, visits=practice.visits))
    db.dispose()
    if args.open:
        return run_tui(args)
    return 0


def cmd_dump(args: argparse.Namespace) -> int:
    from storage.core.audit import record
    from storage.sync.dump import write_dump

    db = open_database(db_path(args), create=False)
    if args.out:
        from storage.core.files import atomic_text_writer

        with atomic_text_writer(args.out) as fh:
            n = write_dump(db, fh)
    else:
        n = write_dump(db, sys.stdout)
    record(db, "dump", str(args.out or "-"), {"records": n})
    return 0


def cmd_public_key(args: argparse.Namespace) -> int:
    from storage.core.identity import write_own_public_key

    written, text = write_own_public_key(open_database(db_path(args), create=False), args.out)
    print(_("Public key written to {file}. It reads:").format(file=written))
    print(text)
    return 0
