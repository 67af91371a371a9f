"""The numbers missing from one sender's bundles (DESIGN: "bundle 7 from device X is missing")."""

from __future__ import annotations

from collections.abc import Iterable


def missing_numbers(received: Iterable[tuple[int, bool]]) -> list[int]:
    """Every number below the highest received and not received, `received` being (seq, full) pairs.

    A full bundle carries everything its device wrote before it, so a number below it is missing no more:
    the clerk's remedy for a bundle lost on a stick is to ask the worker for a full export.
    """
    got: set[int] = set()
    after = 0
    for seq, full in received:
        got.add(seq)
        if full:
            after = max(after, seq)
    return [n for n in range(after + 1, max(got, default=0)) if n not in got]
