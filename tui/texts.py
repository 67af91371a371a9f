"""Presentation words and styles that several screens and the CLI show: one wording for one thing.

Screens import this module, never a `tui.cmd_*` CLI module or one another for a label
(a screen importing the CLI, or two screens importing each other, made circles).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from storage.core.i18n import N_, _, ngettext
from storage.core.text import printable
from storage.register.categories import RISK_LEVELS, label

if TYPE_CHECKING:
    from storage.sync.export import ExportResult
    from storage.sync.merge import BundleOutcome, MergeReport

SEX_LABELS: dict[str, str] = {"M": N_("Male"), "F": N_("Female")}
RISK_STYLES: dict[str, str] = {"emergency": "bold red", "high": "dark_orange", "medium": "yellow", "low": "green"}


def risk_text(code: str) -> Text:
    """A risk level in its words and colour, for a table cell."""
    return Text(label(RISK_LEVELS, code), style=RISK_STYLES.get(code, ""))


def describe_export(result: ExportResult) -> str:
    return ngettext("Bundle {seq} written: {file} ({n} change).", "Bundle {seq} written: {file} ({n} changes).",
                    result.events).format(seq=result.seq, file=result.path, n=result.events)


def describe_outcome(b: BundleOutcome) -> str:
    """One line per bundle; everything in it that came from the file is made printable."""
    if b.status == "refused":
        return _("REFUSED  {message}").format(message=printable(b.message))
    if b.status == "waiting":
        return _("WAITING  {message}").format(message=printable(b.message))
    if b.status == "already":
        return _("already merged  {file} (device {device}, bundle {seq})").format(
            file=printable(b.file), device=printable(b.device_id[:8]), seq=b.seq)
    return ngettext("new  {file} ({worker}, bundle {seq}): {n} new change",
                    "new  {file} ({worker}, bundle {seq}): {n} new changes", b.events_new).format(
        file=printable(b.file), worker=printable(b.worker, limit=20), seq=b.seq, n=b.events_new)


def describe_totals(report: MergeReport) -> list[str]:
    """What the merge added and updated, new devices, bundles missing; everything from the files printable."""
    lines = [_("Records added: {added}; updated: {updated}; conflicts to review: {conflicts}; possible duplicate residents: {dups}.").format(
        added=report.added, updated=report.updated, conflicts=report.conflicts, dups=report.duplicates)]
    for device, worker, fp in report.new_devices:
        lines.append(_("Device {device} ({worker}) enrolled with its code; key fingerprint {fp}.").format(
            device=printable(device[:8]), worker=printable(worker, limit=20), fp=fp))
    for device, worker, seq in report.missing:
        lines.append(_("Device {device}… ({worker}) bundle {seq} missing.").format(
            device=printable(device[:8]), worker=printable(worker, limit=20), seq=seq))
    return lines


# --- devices (gridcare devices, the Devices screen) ---------------------------------------

STATUS_LABELS = {"approved": N_("approved"), "revoked": N_("revoked"), "waiting": N_("awaiting approval"),
                 "rejected": N_("rejected")}
ENROLLED_BY = {"code": N_("enrollment code"), "clerk": N_("approved by the clerk"),
               "first use": N_("before enrollment (first use)")}


def device_rows(views) -> list[list[str]]:
    """The cells of the devices table, shared by the CLI and the devices screen."""
    # deferred: Babel, which this module otherwise spares the CLI's start (tests/test_startup_imports.py)
    from tui.formatting import format_datetime

    rows = []
    for v in views:
        def bundle(when, seq):
            if when is None:
                return ""
            text = format_datetime(when, "short")
            return _("{date} (no. {seq})").format(date=text, seq=seq) if seq else text

        rows.append([_(STATUS_LABELS.get(v.status, v.status)), printable(v.device_id, limit=16),
                     printable(v.grid_code, limit=16), printable(v.worker, limit=20), v.fingerprint,
                     bundle(v.first_seen, v.first_seq), bundle(v.last_seen, v.last_seq)])
    return rows


def device_columns() -> list[str]:
    return [_("Status"), _("Device"), _("Grid"), _("Worker"), _("Key fingerprint"), _("First bundle"), _("Last bundle")]
