"""`gridcare enroll`, `gridcare devices [approve ID --grid CODE | revoke ID | reject ID | withdraw --grid CODE]`
(township), and the county's twins: `enroll --township CODE`, `devices approve ID --township CODE`, `devices
withdraw --township CODE` (storage/sync/county_trust.py)."""

from __future__ import annotations

import argparse

from storage.core.i18n import _
from tui.texts import (
    approved_beside_text,
    codes_unused_text,
    device_columns,
    device_rows,
    other_key_notes,
    withdrawn_text,
)


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("enroll", parents=[common], help=_("township: a one-time enrollment code for a worker's device"),
                       description=_("Make a one-time enrollment code for a grid worker's new device. Read it to the "
                                     "worker, who gives it to `gridcare init --enroll-code`; the device's first bundle "
                                     "proves it, and the device is enrolled for this grid only."))
    p.add_argument("--grid", metavar=_("CODE"), help=_("the grid, e.g. G01"))
    p.add_argument("--worker", metavar=_("NAME"), help=_("the worker's name"))
    p.add_argument("--township", metavar=_("CODE"),
                   help=_("county: the 9-digit code of the township to enroll (instead of --grid and --worker)"))
    p.add_argument("--name", metavar=_("NAME"), help=_("county: the township's name, to recognise the code by"))
    p.set_defaults(func=cmd_enroll, parser=p)

    p = sub.add_parser("devices", parents=[common], help=_("township: enrolled devices and devices awaiting approval"),
                       description=_("List the devices whose bundles this township merges, and those waiting for "
                                     "approval, with their key fingerprints."))
    actions = p.add_subparsers(dest="devices_command", metavar=_("ACTION"))
    q = actions.add_parser("approve", parents=[common], help=_("approve a waiting device for its grid"),
                           description=_("Approve a waiting device for one grid, after checking its key fingerprint "
                                         "with the worker (in person or by phone). Its waiting bundles are merged."))
    q.add_argument("device", metavar="ID", help=_("device id or key fingerprint (its first characters will do)"))
    unit = q.add_mutually_exclusive_group(required=True)
    unit.add_argument("--grid", metavar=_("CODE"), help=_("the grid it writes, e.g. G01"))
    unit.add_argument("--township", metavar=_("CODE"), help=_("county: the township it speaks for, e.g. 330521101"))
    q = actions.add_parser("revoke", parents=[common], help=_("revoke a device (a lost laptop); its later bundles are refused"),
                           description=_("Revoke a device, e.g. a lost laptop: its bundles are refused from now on, and "
                                         "bundles for its grid are no longer encrypted to it. A waiting device is rejected."))
    q.add_argument("device", metavar="ID", help=_("device id or key fingerprint (its first characters will do)"))
    q = actions.add_parser("reject", parents=[common], help=_("reject a device awaiting approval"),
                           description=_("Reject a device awaiting approval: its bundles are refused."))
    q.add_argument("device", metavar="ID", help=_("device id or key fingerprint (its first characters will do)"))
    q = actions.add_parser("withdraw", parents=[common], help=_("withdraw enrollment codes not used yet"),
                           description=_("Withdraw the enrollment codes not used yet for a grid (or one worker's there): "
                                         "a code written down and lost, or one no longer needed. A device set up with "
                                         "it afterwards waits for approval."))
    unit = q.add_mutually_exclusive_group(required=True)
    unit.add_argument("--grid", metavar=_("CODE"), help=_("the grid, e.g. G01"))
    unit.add_argument("--township", metavar=_("CODE"), help=_("county: the township's 9-digit code"))
    q.add_argument("--worker", metavar=_("NAME"), help=_("only this worker's codes"))
    p.set_defaults(func=cmd_devices)


def cmd_enroll(args: argparse.Namespace) -> int:
    from storage.core.db import open_database
    from storage.core.text import printable
    from storage.sync.devices import enroll
    from tui.cli import db_path

    if args.township:
        return _enroll_township(args)
    missing = [flag for flag, value in (("--grid", args.grid), ("--worker", args.worker)) if not value]
    if missing:  # a bad argument (exit status 2, with the usage), as argparse's own are
        args.parser.error(_("Enrolling a worker's device needs {flags} (a county enrolls a township: --township CODE).")
                          .format(flags=", ".join(missing)))
    code, view = enroll(open_database(db_path(args), create=False), args.grid, args.worker)
    print(_("Enrollment code for {worker}, grid {grid}: {code}").format(
        worker=printable(view.worker), grid=view.grid_code, code=code))
    print(_("Read it to the worker. It works once, for this grid only, and is not stored here: if it is lost, "
            "enroll again. On the worker's laptop: gridcare init --role worker ... --grid-code {grid} "
            "--enroll-code {code}").format(grid=view.grid_code, code=code))
    return 0


def _enroll_township(args: argparse.Namespace) -> int:
    from storage.core.changes import load_identity
    from storage.core.db import open_database
    from storage.core.identity import county_key_file_name
    from storage.core.text import printable
    from storage.sync.county_trust import enroll_township
    from tui.cli import db_path

    db = open_database(db_path(args), create=False)
    code, view = enroll_township(db, args.township, args.name or "")
    with db.session() as s:
        county = load_identity(s).county_code or ""
    print(_("Enrollment code for township {township} {name}: {code}").format(
        township=view.grid_code, name=printable(view.worker, limit=20), code=code))
    # the key file by the name `init --role county` (or `public-key`) wrote it under, not a pattern the clerk must fill in
    print(_("Give it to the township's clerk with the county's key file. It works once, for this township only, and "
            "is not stored here: if it is lost, enroll again. At the township: gridcare county-key {file} "
            "--enroll-code {code}").format(file=_quoted(printable(county_key_file_name(db, county))), code=code))
    return 0


def _quoted(name: str) -> str:
    """A file's name as typed after a command: in double quotes if it holds a space (both shells take those)."""
    return f'"{name}"' if any(ch.isspace() for ch in name) else name


def _print_list(db) -> None:
    from storage.core.identity import get_identity
    from storage.core.text import printable
    from storage.sync.devices import enrollments, list_devices
    from tui.console import CliConsole
    from tui.formatting import format_moment

    ident = get_identity(db)
    county = ident is not None and ident.role == "county"
    views = list_devices(db)
    console = CliConsole()
    if not views:
        console.print(_("No townships yet: enroll each one (gridcare enroll --township CODE --name NAME).") if county
                      else _("No devices yet: enroll each worker (gridcare enroll --grid CODE --worker NAME)."),
                      markup=False)
    else:
        console.print(_devices_table(views, county, console))
        for note in other_key_notes(views):
            console.print(note, markup=False)
    codes = enrollments(db)
    if codes:
        console.print(_("Enrollment codes not used yet:"), markup=False)
        for e in codes:
            line = _("  township {township} {name}, made {date}") if county else _("  grid {grid}, {worker}, made {date}")
            console.print(line.format(grid=e.grid_code, township=e.grid_code, worker=printable(e.worker, limit=20),
                                      name=printable(e.worker, limit=20), date=format_moment(e.created_at)),
                          markup=False)


FIRST_BUNDLE = 5  # of device_columns: the column a clerk's terminal does without (the last bundle says more)


def _devices_table(views, county: bool, console):
    """The devices table, fitted to the terminal: at 80 columns (a clerk's) every cell was cut ("第一个数 …",
    "01:06（ …"); without the first bundle's column the rest fits, and the device id and the fingerprint, which
    the clerk reads out or types, are never cut."""
    from rich.table import Table
    from rich.text import Text

    titles = device_columns(county=county)
    rows = device_rows(views)
    for row in rows:  # the first characters do for `devices approve ID`, as its messages print it
        row[1] = row[1][:8]

    def table(keep: list[int]) -> Table:
        t = Table()
        for i in keep:
            t.add_column(titles[i], no_wrap=i in (1, 4))
        for row in rows:
            t.add_row(*(Text(row[i]) for i in keep))
        return t

    full = table(list(range(len(titles))))
    if console.measure(full, options=console.options.update_width(1000)).maximum <= console.width:
        return full
    return table([i for i in range(len(titles)) if i != FIRST_BUNDLE])


def _merge_waiting(db, files) -> int:
    """The bundles that waited for the device just approved, merged now."""
    if not files:
        return 0
    from storage.sync.merge import merge_paths
    from tui.cmd_sync import print_merge_report

    return print_merge_report(merge_paths(db, files))


def cmd_devices(args: argparse.Namespace) -> int:
    from storage.core.db import open_database
    from storage.core.text import printable
    from storage.sync import devices
    from tui.cli import db_path

    db = open_database(db_path(args), create=False)
    action = getattr(args, "devices_command", None)
    if action is None:
        _print_list(db)
        return 0
    if action == "approve" and args.township:
        from storage.sync.county_trust import approve_township

        view, files = approve_township(db, args.device, args.township)
        print(_("Device {device} approved for township {township}; key fingerprint {fp}.").format(
            device=view.device_id[:8], township=view.grid_code, fp=view.fingerprint))
        if view.other_keys:
            print(approved_beside_text(view))
        return _merge_waiting(db, files)
    if action == "approve":
        view, files = devices.approve(db, args.device, args.grid)
        print(_("Device {device} ({worker}) approved for grid {grid}; key fingerprint {fp}.").format(
            device=view.device_id[:8], worker=printable(view.worker, limit=20), grid=view.grid_code, fp=view.fingerprint))
        if view.codes_unused:
            print(codes_unused_text(view))
        return _merge_waiting(db, files)
    if action == "withdraw":
        views = devices.withdraw_codes(db, args.grid or args.township, args.worker)
        print(withdrawn_text(views))
        return 0
    view = devices.revoke(db, args.device, only_waiting=action == "reject")
    if view.kind == "township":  # at a county: a township's key, not a worker's grid
        message = (_("Township {township}'s key {fp} (device {device}) revoked: its bundles are refused from now on.")
                   if view.status == "revoked" else
                   _("Township {township}'s key {fp} (device {device}) rejected: its bundles are refused."))
        print(message.format(township=printable(view.grid_code, limit=12), fp=view.fingerprint,
                             device=view.device_id[:8]))
        return 0
    message = (_("Device {device} ({worker}, grid {grid}) revoked: its bundles are refused from now on.")
               if view.status == "revoked" else
               _("Device {device} ({worker}, grid {grid}) rejected: its bundles are refused."))
    print(message.format(device=view.device_id[:8], worker=printable(view.worker, limit=20),
                         grid=printable(view.grid_code, limit=16)))
    return 0
