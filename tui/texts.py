"""Presentation words and styles that several screens and the CLI show: one wording for one thing.

Screens import this module, never a `tui.cmd_*` CLI module or one another for a label
(a screen importing the CLI, or two screens importing each other, made circles).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.text import Text

from storage.core.i18n import N_, _, join_list, ngettext
from storage.core.offices import person_text
from storage.core.text import printable
from storage.register.categories import RISK_LEVELS, label
from tui.changed_texts import changed_lines
from tui.formatting import format_number  # counts as the tables beside these lines print them (5,483)
from tui.moved_texts import moved_lines

if TYPE_CHECKING:
    from storage.sync.export import ExportResult
    from storage.sync.merge import BundleOutcome, MergeReport

SEX_LABELS: dict[str, str] = {"M": N_("Male"), "F": N_("Female")}
RISK_STYLES: dict[str, str] = {"emergency": "bold red", "high": "dark_orange", "medium": "yellow", "low": "green"}


def risk_text(code: str) -> Text:
    """A risk level in its words and colour, for a table cell."""
    return Text(label(RISK_LEVELS, code), style=RISK_STYLES.get(code, ""))


def describe_export(result: ExportResult, *, name_apart: bool = False) -> str:
    """What an export wrote. `name_apart` (a screen): the file's name starts a line of its own, so a long folder
    wraps before it and never in it (the screen wrapped `…/gridcar` `e-330521101…`); the command line prints the
    path whole, to be copied."""
    file = f"{result.path.parent}{os.sep}\n{result.path.name}" if name_apart else str(result.path)
    if result.manifest.get("kind") == "township":  # back to a grid: all of its records each time, said so (walk F, 8)
        grid = str(result.manifest.get("grid_code") or "").split("-", 1)[-1]
        return ngettext("Bundle {seq} for grid {grid} written: {file} (all of the grid's records: {n} change).",
                        "Bundle {seq} for grid {grid} written: {file} (all of the grid's records: {n} changes).",
                        result.events).format(seq=result.seq, grid=grid, file=file,
                                              n=format_number(result.events))
    return ngettext("Bundle {seq} written: {file} ({n} change).", "Bundle {seq} written: {file} ({n} changes).",
                    result.events).format(seq=result.seq, file=file, n=format_number(result.events))


def describe_outcome(b: BundleOutcome) -> str:
    """One line per bundle; everything in it that came from the file is made printable."""
    if b.status == "refused":
        return _("REFUSED  {message}").format(message=printable(b.message))
    if b.status == "waiting":
        return _("WAITING  {message}").format(message=printable(b.message))
    if b.status == "own":
        return _("sent from here  {file}: {problem}").format(file=printable(b.file), problem=b.problem)
    if b.status == "already" and b.copy_of:  # not "merged before": its twin was, a moment ago
        return _("copy  {file}: the same bundle as {first}, merged in this run").format(
            file=printable(b.file), first=printable(b.copy_of))
    if b.status == "already":  # by whose it is, as a new one is named (walk F: 设备 bf94e42f beside 张丽's new one)
        if b.worker:
            return _("already merged  {file} ({worker}, bundle {seq})").format(
                file=printable(b.file), worker=person_text(b.worker, limit=20), seq=b.seq)
        return _("already merged  {file} (device {device}, bundle {seq})").format(
            file=printable(b.file), device=printable(b.device_id[:8]), seq=b.seq)
    return ngettext("new  {file} ({worker}, bundle {seq}): {n} new change",
                    "new  {file} ({worker}, bundle {seq}): {n} new changes", b.events_new).format(
        file=printable(b.file), worker=person_text(b.worker, limit=20), seq=b.seq, n=format_number(b.events_new))


def describe_totals(report: MergeReport) -> list[str]:
    """What the merge added and updated, new devices, bundles missing; everything from the files printable."""
    if report.at_worker:  # a worker reviews neither conflicts nor duplicates: the clerk does, at the township
        lines = [_("Records added: {added}; updated: {updated}.").format(added=format_number(report.added),
                                                                         updated=format_number(report.updated))]
        if report.conflicts:
            lines.append(ngettext(
                "{n} field was changed both here and at the township: the township's clerk decides which value "
                "stays, and the decision comes back in a later bundle.",
                "{n} fields were changed both here and at the township: the township's clerk decides which value "
                "stays, and the decision comes back in a later bundle.", report.conflicts).format(
                n=format_number(report.conflicts)))
    else:
        lines = [_("Records added: {added}; updated: {updated}; conflicts to review: {conflicts}; possible duplicate "
                   "residents: {dups}.").format(added=format_number(report.added),
                                                updated=format_number(report.updated),
                                                conflicts=format_number(report.conflicts),
                                                dups=format_number(report.duplicates))]
    for device, worker, fp, township in report.new_devices:
        if township:  # at a county: a township's key, enrolled with the code the county gave it
            lines.append(_("Township {township} ({worker}) enrolled with its code; key fingerprint {fp}.").format(
                township=printable(township, limit=32), worker=person_text(worker, limit=20), fp=fp))
            continue
        lines.append(_("Device {device} ({worker}) enrolled with its code; key fingerprint {fp}.").format(
            device=printable(device[:8]), worker=person_text(worker, limit=20), fp=fp))
    # said, or the worker wonders where a person went and registers them again
    here = [printable(name, limit=20) for name, kept_here in report.merged_away if kept_here]
    gone = [printable(name, limit=20) for name, kept_here in report.merged_away if not kept_here]
    if here:
        lines.append(_("Registered twice on this grid, merged by the township into the other record: {names}.")
                     .format(names=join_list(here)))
    if gone:
        lines.append(_("Registered twice, merged by the township into another grid's record: {names}. "
                       "That grid visits them now; they are no longer on this grid's list.").format(
            names=join_list(gone)))
    lines += moved_lines(report)
    lines += changed_lines(report)
    for b in report.bundles:
        if b.status == "new" and b.second_of_its_number:
            lines.append(_("Device {device}… ({worker}) sent two different bundles numbered {seq} (was an old copy of "
                           "its database put back?): both are merged, nothing is lost.").format(
                device=printable(b.device_id[:8]), worker=person_text(b.worker, limit=20), seq=b.seq))
    for device, worker, seq in report.missing:
        if report.at_county:  # `worker`: the township's name and code
            lines.append(_("Township {township}: bundle {seq} missing.").format(township=printable(worker, limit=30),
                                                                             seq=seq))
            continue
        lines.append(_("Device {device}… ({worker}) bundle {seq} missing.").format(
            device=printable(device[:8]), worker=person_text(worker, limit=20), seq=seq))
    if report.missing:  # what to do: a full bundle closes every gap below it (storage/core/bundle_gaps.py)
        lines.append(_("Cannot find a missing bundle? Ask the township to send everything again (gridcare export "
                       "--county --full): that bundle fills every gap before it.") if report.at_county else
                     _("Cannot find a missing bundle? Ask the worker to export again with \"{everything}\" ticked on "
                       "the Sync screen: that bundle fills every gap before it.").format(
                         everything=_("Everything, not only what is new")))
    return lines


def merge_lines(report) -> list[str]:
    """The merge's outcome on screen: the bundles listed above show each one's status, so the bundles merged
    (or merged before) are counted, and only those refused or waiting are named, with why; then the totals.
    A line per bundle was 160 lines for a township's 40, its figures far below at 80×24."""
    counted = {"new": 0, "already": 0, "own": 0}
    lines = []
    for b in report.bundles:
        if b.copy_of:
            lines.append(describe_outcome(b))
        elif b.status in counted:
            counted[b.status] += 1
        else:
            lines.append(describe_outcome(b))
    if counted["new"]:
        lines.append(ngettext("{n} new bundle merged.", "{n} new bundles merged.", counted["new"]).format(
            n=counted["new"]))
    if counted["already"]:
        lines.append(ngettext("{n} bundle was merged before.", "{n} bundles were merged before.",
                              counted["already"]).format(n=counted["already"]))
    if counted["own"]:
        lines.append(ngettext("{n} bundle was written on this computer: it is not merged here.",
                              "{n} bundles were written on this computer: they are not merged here.",
                              counted["own"]).format(n=counted["own"]))
    return lines + describe_totals(report)


# --- devices (gridcare devices, the Devices screen) ---------------------------------------

STATUS_LABELS = {"approved": N_("approved"), "revoked": N_("revoked"), "waiting": N_("awaiting approval"),
                 "rejected": N_("rejected")}
# at a county: a key awaiting approval for a township that has an approved key already (an impostor, or its
# replaced computer): not to be taken for a new township's (the notes under the list say more)
ANOTHER_KEY = N_("another key")
ENROLLED_BY = {"code": N_("enrollment code"), "clerk": N_("approved by the clerk"),
               "first use": N_("before enrollment (first use)"), "county": N_("approved by the county")}


def codes_unused_text(view) -> str:
    """After an approval: the worker's codes for the grid not used yet (storage/sync/devices.py approve)."""
    return ngettext("An enrollment code made for {worker} (grid {grid}) is still unused: it would enroll another "
                    "device for the grid. If it is not needed, withdraw it (w, or gridcare devices withdraw --grid "
                    "{grid}).",
                    "{n} enrollment codes made for {worker} (grid {grid}) are still unused: each would enroll another "
                    "device for the grid. If they are not needed, withdraw them (w, or gridcare devices withdraw "
                    "--grid {grid}).", view.codes_unused).format(
        n=view.codes_unused, worker=printable(view.worker, limit=20), grid=view.grid_code)


def withdrawn_text(views) -> str:
    """`devices withdraw`, and the Devices screen's: which codes no longer work."""
    return ngettext("{n} enrollment code withdrawn ({codes}): a device set up with it waits for approval.",
                    "{n} enrollment codes withdrawn ({codes}): a device set up with one waits for approval.",
                    len(views)).format(n=len(views), codes=_("; ").join(
        f"{v.grid_code} {printable(v.worker, limit=20)}" for v in views))  # no English comma inside the Chinese


def device_rows(views, *, screen: bool = False, today=None) -> list[list[str]]:
    """The cells of the devices table, shared by the CLI and the devices screen (`today`: the app's, for the year)."""
    # deferred: Babel, which this module otherwise spares the CLI's start (tests/test_startup_imports.py)
    from tui.formatting import format_day, format_moment

    rows = []
    for v in views:
        def bundle(when, seq):
            if when is None:
                return ""
            # the screen gives the day only, as the lists say it ("Dec 5", not Babel's short "12/5/26"): the hour of a
            # bundle matters little, and the row fits 80 with it
            text = (format_day(when.astimezone().date() if when.tzinfo else when.date(), today) if screen
                    else format_moment(when, today))
            return _("{date} (no. {seq})").format(date=text, seq=seq) if seq else text

        status = _(ANOTHER_KEY) if v.status == "waiting" and v.other_keys else _(STATUS_LABELS.get(v.status, v.status))
        rows.append([status, printable(v.device_id, limit=16),
                     _unit_cell(v), person_text(v.worker, limit=20), v.fingerprint,
                     bundle(v.first_seen, v.first_seq), bundle(v.last_seen, v.last_seq)])
    return [[row[i] for i in SCREEN_COLUMNS] for row in rows] if screen else rows


def other_key_notes(views) -> list[str]:
    """At a county, under the keys list: each township with a second key, awaiting approval or approved beside
    the first (storage/sync/county_trust.py other_keys_text)."""
    from storage.sync.county_trust import other_keys_text

    lines: list[str] = []
    both: set[str] = set()
    for v in views:
        if v.other_keys and v.status == "waiting":
            lines.append(other_keys_text(v.grid_code, v.other_keys, v.fingerprint))
        elif v.other_keys and v.status == "approved" and v.grid_code not in both:
            both.add(v.grid_code)
            lines.append(_("Township {township} has {n} approved keys ({fps}): if it replaced its computer, revoke "
                           "the old key.").format(
                township=printable(v.grid_code, limit=12), n=len(v.other_keys) + 1,
                fps=_("; ").join((v.fingerprint, *v.other_keys))))
    return lines


def approved_beside_text(view) -> str:
    """After a county approved a township's key while another is approved for it: which one to revoke."""
    return _("Township {township} still has its other approved key ({old}): if this key is its replaced computer's, "
             "revoke the old one (gridcare devices revoke {first}).").format(
        township=printable(view.grid_code, limit=12), old=_("; ").join(view.other_keys),
        first=view.other_keys[0].replace(" ", ""))


def _unit_cell(view) -> str:
    """A grid's code; at a county, a township's code and, once its records are here, its name."""
    code = printable(view.grid_code, limit=16)
    return f"{code} {printable(view.unit_name, limit=20)}" if view.unit_name else code


# the columns the Devices screen keeps at 80: who, and the fingerprint checked with them (the device id and the
# first bundle stay in `gridcare devices`; the fingerprint names the device as well as its id does)
SCREEN_COLUMNS = (0, 2, 3, 4, 6)


def device_columns(county: bool = False, *, screen: bool = False) -> list[str]:
    """The devices table's headings; a county's devices are its townships' databases."""
    if county:
        titles = [_("Status"), _("Device"), _("Township"), _("Sent by"), _("Key fingerprint"), _("First bundle"),
                  _("Last bundle")]
    else:
        titles = [_("Status"), _("Device"), _("Grid"), _("Worker"), _("Key fingerprint"), _("First bundle"),
                  _("Last bundle")]
    return [titles[i] for i in SCREEN_COLUMNS] if screen else titles


def two_lines(header: str, fits: int = 6) -> str:
    """A column title over two lines when it is wider than its figures: "紧急和\n高风险", "Open\nreferrals".

    Words stay whole (split at the space nearest the middle); Chinese, which has no spaces, is split in
    the middle. A title that fits in `fits` cells is left alone.
    """
    from rich.cells import cell_len

    if cell_len(header) <= fits or "\n" in header:
        return header
    if " " in header:
        spaces = [i for i, ch in enumerate(header) if ch == " "]
        cut = min(spaces, key=lambda i: abs(cell_len(header[:i]) - cell_len(header[i + 1:])))
        return header[:cut] + "\n" + header[cut + 1:]
    if cell_len(header) == len(header):  # one word in letters: not cut in two
        return header
    for tail in CHINESE_TAILS:  # the word that ends the title stays whole: "见到本人/人数", not "见到本/人人数"
        if header.endswith(tail) and len(header) > len(tail):
            return header[:-len(tail)] + "\n" + tail
    half = (len(header) + 1) // 2
    return header[:half] + "\n" + header[half:]


def wrapped_cell(text: str, width: int) -> Text:
    """A table cell's text from data over as many lines as it needs in `width` cells (words whole where there
    are spaces, no line starting with "，"); as_text's: never markup, no control characters."""
    from tui.as_text import as_text
    from tui.line_breaks import wrap

    return as_text("\n".join(wrap(str(as_text(text)), max(width, 4))))


def middle_cut(text: str, width: int) -> str:
    """`text` in at most `width` cells: when longer, a little of its start and the most of its end that fits,
    with "…" between them. A file's name ends with what tells it from its neighbours and starts with what they
    share (gridcare-330521101-G01-王芳-3f2a9c1e-0007-20261124.gcb: the grid, the worker, the device, the
    number, the day after the township's code)."""
    if cell_len(text) <= width:
        return text
    head_room = min(4, max(width - 1, 0) // 8)
    head = ""
    for ch in text:
        if cell_len(head + ch) > head_room:
            break
        head += ch
    tail = ""
    for ch in reversed(text[len(head):]):
        if cell_len(head + tail + ch) + 1 > width:
            break
        tail = ch + tail
    return head + "…" + tail


# the words column titles end in (GLOSSARY.md's own), longest first: a Chinese title is cut before one of them
CHINESE_TAILS = ("高风险", "数据包", "人数", "次数", "天数", "日期", "对象", "探访", "转介", "补贴")


class IndentedLines:
    """Lines whose leading spaces indent them also where they wrap (never markup: names are data).

    str() gives the lines as written, for a test or a copy to the clipboard.
    """

    def __init__(self, lines: list[str]) -> None:
        self.lines = list(lines)

    def __rich_console__(self, console, options):
        from rich.padding import Padding

        for line in self.lines:
            body = line.lstrip(" ")
            indent = len(line) - len(body)
            yield Padding(Text(body), (0, 0, 0, indent)) if indent else Text(body)

    def __str__(self) -> str:
        return "\n".join(self.lines)


def indented_lines(lines: list[str]) -> IndentedLines:
    return IndentedLines(lines)
