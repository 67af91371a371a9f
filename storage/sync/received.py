"""The bundles this database has received, read back: the numbers missing from each sender's sequence."""

from __future__ import annotations

from sqlalchemy import select

from storage.core.bundle_gaps import missing_numbers
from storage.core.db import Database
from storage.core.models import BundleReceived, Device, Identity, Township


def missing_bundles(db: Database) -> list[tuple[str, str, int]]:
    """Gaps in each sender's bundle numbers: (device, worker or township, seq).

    A township's workers' devices, a county's townships: a township numbers its bundles
    to the grids across all its grids, so a grid sees gaps that are other grids' bundles,
    not lost ones; its bundles to the county have a sequence of their own.
    """
    with db.session() as s:
        rows = s.execute(select(BundleReceived.device_id, BundleReceived.seq, BundleReceived.full)).all()
        ident = s.get(Identity, 1)
        if ident is not None and ident.role == "county":
            names = dict(s.execute(select(Township.id, Township.name)).all())
            workers = {d.device_id: township_label(names.get(d.township_code), d.township_code)
                       for d in s.execute(select(Device).where(Device.kind == "township")).scalars()}
        else:
            workers = {d.device_id: d.worker_name for d in s.execute(select(Device).where(
                Device.kind == "worker", Device.status == "approved")).scalars()}
    seqs: dict[str, list[tuple[int, bool]]] = {}
    for device, seq, full in rows:
        if device in workers:
            seqs.setdefault(device, []).append((seq, bool(full)))
    gaps = []
    for device, got in sorted(seqs.items()):
        gaps += [(device, workers.get(device, ""), n) for n in missing_numbers(got)]
    return gaps


def township_label(name: str | None, code: str) -> str:
    """A township as a county names it: its name and its code (新市镇 330521101), the code alone before a name."""
    return f"{name} {code}" if name else code
