"""Hybrid logical clock.

A timestamp is one integer: wall-clock milliseconds shifted left 16 bits plus a
counter. It never goes backwards on a device, and after a merge it is ahead of
every event merged, so a laptop whose clock says 2001 still orders its new
edits after what it has seen. Ties between devices are broken by device id.

The horizon (issue #19): a clock is accepted from a bundle only below HORIZON, the first
instant of the year 2100, whatever the reader's own clock says, so the same bundle is
accepted or refused on every township. A laptop whose clock is years wrong (2001, 2035)
still merges; a stamp of 2^63 - 1, which no clock can follow, does not. The local clock
believes no wall clock past LOCAL_CEILING_MS, a year before the horizon, so a device whose
clock says 2150 keeps writing events the township accepts (the counter and the milliseconds
after the ceiling give it some 2 * 10^15 more stamps before the horizon).

A merged stamp moves the local clock at most to OBSERVE_CEILING (2099-01-01): were it to follow a
stamp of HORIZON - 1, the next local tick would be HORIZON itself and everything the device wrote
after would be refused everywhere. Honest stamps stay below the ceiling until the year 2099; an
event stamped between the ceiling and the horizon is stored and folded like any other, and a later
local edit of that record orders before it (storage/core/derive.py stamp_event keeps its base below
its own clock, so the edit is a conflict shown for review, not a malformed event).
"""

from __future__ import annotations

import time

COUNTER_BITS = 16
COUNTER_MASK = (1 << COUNTER_BITS) - 1
HORIZON_MS = 4_102_444_800_000  # 2100-01-01T00:00:00Z
LOCAL_CEILING_MS = HORIZON_MS - 365 * 86_400_000  # 2099-01-01T00:00:00Z


def pack(ms: int, counter: int) -> int:
    return (ms << COUNTER_BITS) | counter


HORIZON = pack(HORIZON_MS, 0)  # stamps from a bundle must be below this
OBSERVE_CEILING = pack(LOCAL_CEILING_MS, 0)  # the furthest a merged stamp moves the local clock


def wall_ms(hlc: int) -> int:
    return hlc >> COUNTER_BITS


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def within_horizon(stamp: int) -> bool:
    return 0 <= stamp < HORIZON


def tick(last: int, physical_ms: int | None = None) -> int:
    """The next timestamp for a local event, strictly after `last`."""
    physical = min(now_ms() if physical_ms is None else physical_ms, LOCAL_CEILING_MS)
    last_ms, last_counter = last >> COUNTER_BITS, last & COUNTER_MASK
    if physical > last_ms:
        return pack(physical, 0)
    if last_counter < COUNTER_MASK:
        return pack(last_ms, last_counter + 1)
    return pack(last_ms + 1, 0)


def observe(last: int, remote: int) -> int:
    """Clock state after receiving an event stamped `remote` (a merge accepts only stamps below HORIZON).

    Capped at OBSERVE_CEILING so that no merged stamp leaves this device without stamps to write with.
    """
    return max(last, min(remote, OBSERVE_CEILING))
