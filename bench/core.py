"""Measurements reported against a floor measured in the same run.

A figure alone says little on a shared, noisy machine; the ratio to a floor
taken minutes apart on the same machine says whether *our* code is the cost.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Figure:
    name: str
    samples: list[float]  # seconds, or bytes for memory
    unit: str = "s"

    @property
    def median(self) -> float:
        return statistics.median(self.samples)


@dataclass
class Result:
    name: str
    measured: Figure
    floor: Figure | None = None
    target_ratio: float | None = None  # measured / floor must stay under this
    target_abs: float | None = None  # or under this absolute value (same unit)
    note: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        if self.floor is None or self.floor.median == 0:
            return None
        return self.measured.median / self.floor.median

    @property
    def verdict(self) -> str:
        checks = []
        if self.target_ratio is not None and self.ratio is not None:
            checks.append(self.ratio <= self.target_ratio)
        if self.target_abs is not None:
            checks.append(self.measured.median <= self.target_abs)
        if not checks:
            return "-"
        return "met" if all(checks) else "MISSED"


def repeat(fn: Callable[[], object], times: int, *, warmup: int = 1) -> list[float]:
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(times):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def fmt(value: float, unit: str) -> str:
    if unit == "s":
        if value < 1e-3:
            return f"{value * 1e6:.0f} µs"
        if value < 1:
            return f"{value * 1e3:.1f} ms"
        return f"{value:.2f} s"
    if unit == "B":
        return f"{value / 2**20:.1f} MiB"
    return f"{value:g} {unit}"
