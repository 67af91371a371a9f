"""Hybrid logical clock.

A timestamp is one integer: wall-clock milliseconds shifted left 16 bits plus a
counter. It never goes backwards on a device, and after a merge it is ahead of
every event merged, so a laptop whose clock says 2001 still orders its new
edits after what it has seen. Ties between devices are broken by device id.
"""

from __future__ import annotations

import time

COUNTER_BITS = 16
COUNTER_MASK = (1 << COUNTER_BITS) - 1


def pack(ms: int, counter: int) -> int:
    return (ms << COUNTER_BITS) | counter


def wall_ms(hlc: int) -> int:
    return hlc >> COUNTER_BITS


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def tick(last: int, physical_ms: int | None = None) -> int:
    """The next timestamp for a local event, strictly after `last`."""
    physical = now_ms() if physical_ms is None else physical_ms
    last_ms, last_counter = last >> COUNTER_BITS, last & COUNTER_MASK
    if physical > last_ms:
        return pack(physical, 0)
    if last_counter < COUNTER_MASK:
        return pack(last_ms, last_counter + 1)
    return pack(last_ms + 1, 0)


def observe(last: int, remote: int) -> int:
    """Clock state after receiving an event stamped `remote`."""
    return max(last, remote)
