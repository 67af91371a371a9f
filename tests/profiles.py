"""How many random cases the randomised tests run: one table, chosen by GRIDCARE_TEST_PROFILE.

Each randomised test comes twice: a quick one in every run (`python -m pytest -n 4`, a developer's
loop) and a `slow` one that .ci/run runs instead (`-m "not quick_twin"`) at the sizes docs/design.md §5
names for CI. GRIDCARE_TEST_PROFILE=thorough raises the slow ones to the on-demand sizes:

    GRIDCARE_TEST_PROFILE=thorough python -m pytest -n 2 -m slow tests/test_merge_laws.py

One size overrides the table for a one-off run: GRIDCARE_HYPOTHESIS_EXAMPLES (every property test)
and GRIDCARE_KILLS (the kill harness's kills during saves; a third of them during merges).
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings

PROFILE = os.environ.get("GRIDCARE_TEST_PROFILE", "ci")
if PROFILE not in ("ci", "thorough"):
    raise pytest.UsageError(f"GRIDCARE_TEST_PROFILE is ci (the default) or thorough, not {PROFILE!r}")

# name: (every run, ci, thorough). CI's sizes of the merge laws and the kill harness are docs/design.md §5's
# ("a few hundred", "a few dozen"); the others were cut to keep .ci/run within 15 minutes on two cores
SIZES = {
    "merge_laws": (6, 200, 10_000),  # random edit histories on two workers and the township (§5: 10,000 on demand)
    "merge_laws_pg": (2, 30, 1_000),  # the same histories merged into PostgreSQL too, compared with SQLite's bytes
    "hostile": (5, 50, 5_000),  # merge-law histories with a hostile enrolled device and an impostor among them
    "fold": (25, 100, 10_000),  # random event sets folded in any order and batching
    "roster": (25, 60, 5_000),  # per roster fuzz test (three: random bytes, mutated files, odd cells): 300 in all
    "values": (15, 60, 5_000),
    "fresh_state": (40, 150, 5_000),  # batches of new records derived in SQL (either engine) and by the Python fold, compared  # per value-law test (two): hostile values in events, payload lines of any shape
    "bundle": (100, 500, 10_000),  # mutated bundle files
    # any JSON in a change's JSON fields: the checks against the columns' readers (pure), then whole merges
    "json_law": (300, 3_000, 50_000),
    "json_bundles": (4, 40, 1_000),  # per test (two): a township (SQLite), a county (PostgreSQL)
    "kills": (3, 30, 1_000),  # SIGKILLs during saves and exports; a third as many during merges (§5: 1,000)
}


def size(name: str, *, slow: bool) -> int:
    """How many cases `name` runs: the quick size, or the slow one for this profile (an override wins)."""
    override = os.environ.get("GRIDCARE_KILLS" if name == "kills" else "GRIDCARE_HYPOTHESIS_EXAMPLES")
    if slow and override:
        return int(override)
    quick, ci, thorough = SIZES[name]
    return thorough if slow and PROFILE == "thorough" else ci if slow else quick


def property_settings(name: str, *, slow: bool) -> settings:
    """Hypothesis settings for a property test: its size, no deadline (a loaded machine is slow)."""
    return settings(max_examples=size(name, slow=slow), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def quick_and_slow(name: str, make_test, *, parts: int = 1):
    """The quick test and the `slow` one from `make_test(settings)`, which builds a fresh @given test.

    Both must be bound to module names starting with `test_`: `test_x, test_x_at_scale = quick_and_slow(...)`.
    `parts` > 1 cuts the slow one into that many tests, each running its share of the cases (together
    the full size): a test much longer than the others would otherwise keep one worker busy long
    after the others are done, and the run waits for it.
    """
    quick = pytest.mark.quick_twin(make_test(property_settings(name, slow=False)))
    full = property_settings(name, slow=True)
    share = settings(full, max_examples=-(-full.max_examples // parts))  # (rounded up: never fewer in all)
    return (quick, *(pytest.mark.slow(make_test(full if parts == 1 else share)) for _ in range(parts)))


def given_case(strategy, case):
    """`make_test` for quick_and_slow: `case(value)` as a @given test of values drawn from `strategy`."""
    return lambda sized: sized(given(strategy)(case))
