"""`gridcare duplicates`: what the duplicates screen shows and does (c, then d), from the command line.

The two records of a pair carry the same ID number, so they are named by their record ids, which the list
prints; `merge` takes the record to keep first, as the screen's columns read.
"""

from __future__ import annotations

import argparse

from storage.core.i18n import _, ngettext


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("duplicates", parents=[common], help=_("residents registered twice: list, merge, undo"),
                       description=_("Residents who may be registered twice (the same ID number; or the same name, "
                                     "birth date and village). Without a command: the pairs, each with the record "
                                     "proposed to keep first, and the merges made."))
    p.add_argument("--full-ids", action="store_true", help=_("print full ID numbers (default: masked)"))
    actions = p.add_subparsers(dest="action", metavar=_("COMMAND"))
    m = actions.add_parser("merge", parents=[common], help=_("merge the second record into the first, kept"),
                           description=_("Merge DUPLICATE into KEEP: its visits, referrals and risk history show "
                                         "under KEEP; undo puts them back."))
    m.add_argument("keep", metavar=_("KEEP"), help=_("record id of the resident to keep"))
    m.add_argument("duplicate", metavar=_("DUPLICATE"), help=_("record id of the record merged into it"))
    u = actions.add_parser("undo", parents=[common], help=_("undo a merge"),
                           description=_("Undo the merge of DUPLICATE: it is a resident of its own again."))
    u.add_argument("duplicate", metavar=_("DUPLICATE"), help=_("record id of the record merged"))
    p.set_defaults(func=cmd_duplicates)


def _who(r, full_ids: bool) -> str:
    from storage.core.glyphs import narrow
    from storage.core.text import printable
    from storage.register.idnumbers import mask_id

    number = (r.id_number if full_ids else mask_id(r.id_number)) if r.id_number else ""
    visits = ngettext("{n} visit", "{n} visits", r.visits).format(n=r.visits)
    return narrow(" · ").join(printable(p, limit=40) for p in (r.id, r.name, number, r.grid, r.village, visits) if p)


def cmd_duplicates(args: argparse.Namespace) -> int:
    from storage.core.db import open_database
    from storage.register.duplicates import REASONS, merge_residents, refuse_at_worker, review, undo_merge
    from tui.cli import db_path

    db = open_database(db_path(args), create=False)
    if args.action in ("merge", "undo"):
        refuse_at_worker(db)
    if args.action == "merge":
        merge_residents(db, args.keep, args.duplicate)
        print(_("Merged; the visits of both now show under the kept resident."))
        return 0
    if args.action == "undo":
        undo_merge(db, args.duplicate)
        print(_("Merge undone."))
        return 0
    pairs, merged = review(db)
    if not pairs:
        print(_("No possible duplicates."))
    for pair, keep, other in pairs:
        print(_(REASONS[pair.reason]))
        print("  " + _("keep:  {record}").format(record=_who(keep, args.full_ids)))
        print("  " + _("merge: {record}").format(record=_who(other, args.full_ids)))
        print("  " + _("gridcare duplicates merge {keep} {duplicate}").format(keep=keep.id, duplicate=other.id))
    if merged:
        print(_("Merges made (undo: gridcare duplicates undo DUPLICATE):"))
        for m in merged:
            kept = _who(m.kept, args.full_ids) if m.kept else m.duplicate.id
            print("  " + _("{duplicate} → {kept}").format(duplicate=_who(m.duplicate, args.full_ids), kept=kept))
    return 0
