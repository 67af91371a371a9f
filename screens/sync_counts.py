"""What the Sync screen says a worker's next bundle carries: each kind of record counted in words, as a worker
counts them ("302 人、3,734 次探访", not "317 events")."""

from __future__ import annotations

from collections.abc import Callable

from storage.core.i18n import _, ngettext
from storage.sync.export import WITHDRAWN
from tui.formatting import format_number
from tui.item_lines import ItemLines

# what the next bundle carries, counted as a worker counts them ("302 名关爱对象", not "317 events")
KIND_COUNTS: dict[str, Callable[[int], str]] = {
    "resident": lambda n: ngettext("{n} resident", "{n} residents", n),
    "visit": lambda n: ngettext("{n} visit", "{n} visits", n),
    "referral": lambda n: ngettext("{n} referral", "{n} referrals", n),
    "risk": lambda n: ngettext("{n} risk level change", "{n} risk level changes", n),
    "assessment": lambda n: ngettext("{n} six-dimension assessment", "{n} six-dimension assessments", n),
    "benefit": lambda n: ngettext("{n} assistance or subsidy record", "{n} assistance or subsidy records", n),
    "grid": lambda n: ngettext("{n} grid record", "{n} grid records", n),
    "township": lambda n: ngettext("{n} township record", "{n} township records", n),
    "village": lambda n: ngettext("{n} village record", "{n} village records", n),
    "setting": lambda n: ngettext("{n} setting", "{n} settings", n),
    "emergency_ack": lambda n: ngettext("{n} acknowledgement of an emergency", "{n} acknowledgements of emergencies", n),
    # entered and deleted again before any bundle (storage/sync/export.py pending_counts): they go, as deleted
    WITHDRAWN: lambda n: ngettext("{n} record entered and deleted again (sent as deleted, counted nowhere)",
                                  "{n} records entered and deleted again (sent as deleted, counted nowhere)", n),
}
# the order a worker reads them in: people first, then what was done for them
KIND_ORDER = list(KIND_COUNTS)


def pending_lines(pending: dict[str, int]) -> ItemLines:
    """"待导出：302 人、3,734 次探访。" — each count in words, joined as the language joins lists,
    wrapped between the counts (never "690⏎次六维度评估")."""
    parts = []
    for kind in sorted(pending, key=lambda k: KIND_ORDER.index(k) if k in KIND_ORDER else len(KIND_ORDER)):
        n = pending[kind]
        words = KIND_COUNTS.get(kind, lambda n: ngettext("{n} other record", "{n} other records", n))(n)
        parts.append(words.format(n=format_number(n)))
    return ItemLines.from_template(_("Ready to go: {items}."), parts)


def pending_text(pending: dict[str, int]) -> str:
    return str(pending_lines(pending))
