"""`gridcare enroll`, `gridcare devices [approve ID --grid CODE | revoke ID | reject ID]` (township)."""

from __future__ import annotations

import argparse

from storage.core.i18n import _
from tui.texts import device_columns, device_rows


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("enroll", parents=[common], help=_("township: a one-time enrollment code for a worker's device"),
                       description=_("Make a one-time enrollment code for a grid worker's new device. Read it to the "
                                     "worker, who gives it to `gridcare init --enroll-code`; the device's first bundle "
                                     "proves it, and the device is enrolled for this grid only."))
    p.add_argument("--grid", required=True, metavar=_("CODE"), help=_("the grid, e.g. G01"))
    p.add_argument("--worker", required=True, metavar=_("NAME"), help=_("the worker's name"))
    p.set_defaults(func=cmd_enroll)

    p = sub.add_parser("devices", parents=[common], help=_("township: enrolled devices and devices awaiting approval"),
                       description=_("List the devices whose bundles this township merges, and those waiting for "
                                     "approval, with their key fingerprints."))
    actions = p.add_subparsers(dest="devices_command", metavar=_("ACTION"))
    q = actions.add_parser("approve", parents=[common], help=_("approve a waiting device for its grid"),
                           description=_("Approve a waiting device for one grid, after checking its key fingerprint "
                                         "with the worker (in person or by phone). Its waiting bundles are merged."))
    q.add_argument("device", metavar="ID", help=_("device id or key fingerprint (its first characters will do)"))
    q.add_argument("--grid", required=True, metavar=_("CODE"), help=_("the grid it writes, e.g. G01"))
    q = actions.add_parser("revoke", parents=[common], help=_("revoke a device (a lost laptop); its later bundles are refused"),
                           description=_("Revoke a device, e.g. a lost laptop: its bundles are refused from now on, and "
                                         "bundles for its grid are no longer encrypted to it. A waiting device is rejected."))
    q.add_argument("device", metavar="ID", help=_("device id or key fingerprint (its first characters will do)"))
    q = actions.add_parser("reject", parents=[common], help=_("reject a device awaiting approval"),
                           description=_("Reject a device awaiting approval: its bundles are refused."))
    q.add_argument("device", metavar="ID", help=_("device id or key fingerprint (its first characters will do)"))
    p.set_defaults(func=cmd_devices)


def cmd_enroll(args: argparse.Namespace) -> int:
    from storage.core.db import open_database
    from storage.core.text import printable
    from storage.sync.devices import enroll
    from tui.cli import db_path

    code, view = enroll(open_database(db_path(args), create=False), args.grid, args.worker)
    print(_("Enrollment code for {worker}, grid {grid}: {code}").format(
        worker=printable(view.worker), grid=view.grid_code, code=code))
    print(_("Read it to the worker. It works once, for this grid only, and is not stored here: if it is lost, "
            "enroll again. On the worker's laptop: gridcare init --role worker ... --grid-code {grid} "
            "--enroll-code {code}").format(grid=view.grid_code, code=code))
    return 0


def _print_list(db) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from storage.core.text import printable
    from storage.sync.devices import enrollments, list_devices
    from tui.formatting import format_datetime

    views = list_devices(db)
    console = Console()
    if not views:
        console.print(_("No devices yet: enroll each worker (gridcare enroll --grid CODE --worker NAME)."), markup=False)
    else:
        table = Table(*device_columns())
        for row in device_rows(views):
            table.add_row(*(Text(cell) for cell in row))
        console.print(table)
    codes = enrollments(db)
    if codes:
        console.print(_("Enrollment codes not used yet:"), markup=False)
        for e in codes:
            console.print(_("  grid {grid}, {worker}, made {date}").format(
                grid=e.grid_code, worker=printable(e.worker, limit=20), date=format_datetime(e.created_at, "short")),
                markup=False)


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
    if action == "approve":
        view, files = devices.approve(db, args.device, args.grid)
        print(_("Device {device} ({worker}) approved for grid {grid}; key fingerprint {fp}.").format(
            device=view.device_id[:8], worker=printable(view.worker, limit=20), grid=view.grid_code, fp=view.fingerprint))
        if files:
            from storage.sync.merge import merge_paths
            from tui.cmd_sync import print_merge_report

            return print_merge_report(merge_paths(db, files))
        return 0
    view = devices.revoke(db, args.device, only_waiting=action == "reject")
    message = (_("Device {device} ({worker}, grid {grid}) revoked: its bundles are refused from now on.")
               if view.status == "revoked" else
               _("Device {device} ({worker}, grid {grid}) rejected: its bundles are refused."))
    print(message.format(device=view.device_id[:8], worker=printable(view.worker, limit=20),
                         grid=printable(view.grid_code, limit=16)))
    return 0
