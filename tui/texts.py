"""Presentation words and styles that several screens and the CLI show: one wording for one thing.

Screens import this module, never a `tui.cmd_*` CLI module or one another for a label
(a screen importing the CLI, or two screens importing each other, made circles).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from storage.core.i18n import N_, _, ngettext
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
    """One line per bundle of a merge."""
    if b.status == "refused":
        return _("REFUSED  {message}").format(message=b.message)
    if b.status == "already":
        return _("already merged  {file} (device {device}, bundle {seq})").format(file=b.file, device=b.device_id[:8], seq=b.seq)
    return ngettext("new  {file} ({worker}, bundle {seq}): {n} new change",
                    "new  {file} ({worker}, bundle {seq}): {n} new changes", b.events_new).format(
        file=b.file, worker=b.worker, seq=b.seq, n=b.events_new)


def describe_totals(report: MergeReport) -> list[str]:
    """What the merge added and updated, new devices to check, bundles missing."""
    lines = [_("Records added: {added}; updated: {updated}; conflicts to review: {conflicts}; possible duplicate residents: {dups}.").format(
        added=report.added, updated=report.updated, conflicts=report.conflicts, dups=report.duplicates)]
    for device, worker, fp in report.new_devices:
        lines.append(_("New device {device} ({worker}), key fingerprint {fp}: check it with the worker.").format(
            device=device[:8], worker=worker, fp=fp))
    for device, worker, seq in report.missing:
        lines.append(_("Device {device}… ({worker}) bundle {seq} missing.").format(device=device[:8], worker=worker, seq=seq))
    return lines
