"""tests/run_order.py: under worksteal each worker's part starts with its share of the long tests, and no test is
lost or run twice."""

from __future__ import annotations

from dataclasses import dataclass

from tests.run_order import LONG_SECONDS, longest_first, spread_order, worksteal_parts


@dataclass
class Item:
    name: str
    originalname: str


def _items(short: int) -> list[Item]:
    long = [Item(name, name.split("[")[0]) for name in LONG_SECONDS]
    plain = [Item(f"test_{n}", f"test_{n}") for n in range(short)]
    return plain[: short // 2] + long[::-1] + plain[short // 2:]  # as collected: long ones anywhere


def test_each_part_starts_with_its_long_tests_and_the_parts_take_about_as_long():
    items = _items(1000)
    ordered = spread_order(items, 4)
    assert sorted(i.name for i in ordered) == sorted(i.name for i in items)
    start, loads = 0, []
    for size in worksteal_parts(len(items), 4):
        part = ordered[start:start + size]
        start += size
        seconds = [LONG_SECONDS.get(i.name, 0) for i in part]
        heads = [s for s in seconds if s]
        assert seconds[: len(heads)] == sorted(heads, reverse=True)  # its long tests first, longest first
        loads.append(sum(heads))
    assert max(loads) - min(loads) <= max(LONG_SECONDS.values())
    assert sum(worksteal_parts(1001, 4)) == 1001 and worksteal_parts(10, 4) == [2, 2, 3, 3]
    # the short tests keep their collection order (a module's tests together)
    short = [i.name for i in ordered if i.name not in LONG_SECONDS]
    assert short == [i.name for i in items if i.name not in LONG_SECONDS]


def test_a_run_of_another_kind_starts_with_the_longest():
    ordered = longest_first(_items(10))
    assert ordered[0].name == max(LONG_SECONDS, key=LONG_SECONDS.get)
    assert [LONG_SECONDS.get(i.name, 0) for i in ordered][len(LONG_SECONDS):] == [0] * 10
