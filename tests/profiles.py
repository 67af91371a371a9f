"""How many random cases the randomised tests run: one table, chosen by GRIDCARE_TEST_PROFILE.

Each randomised test comes twice: a quick one in every run (`python -m pytest -n 4`, a developer's
loop) and a `slow` one that .ci/run's second pytest call (`-m slow`) runs at the sizes docs/design.md §5
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
    "pg_fresh": (40, 150, 5_000),  # batches of new records derived by PostgreSQL and by the Python fold, compared  # per value-law test (two): hostile values in events, payload lines of any shape
    "bundle": (100, 500, 10_000),  # mutated bundle files
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
    the full size): a test much longer than the others would otherwise keep one of `-n 2`'s two
    workers busy long after the other is done, and the slow run waits for it.
    """
    quick = pytest.mark.quick_twin(make_test(property_settings(name, slow=False)))
    full = property_settings(name, slow=True)
    share = settings(full, max_examples=-(-full.max_examples // parts))  # (rounded up: never fewer in all)
    return (quick, *(pytest.mark.slow(make_test(full if parts == 1 else share)) for _ in range(parts)))


def given_case(strategy, case):
    """`make_test` for quick_and_slow: `case(value)` as a @given test of values drawn from `strategy`."""
    return lambda sized: sized(given(strategy)(case))


# Seconds each slow test took in one CI-sized run (-n 2 --dist worksteal, 2-core machine at load ~2,
# 2026-12-02, with tests/shared_sql_cache.py): only their proportions are used, to split the slow run
# between the two workers (slow_order). A test missing here counts as short; a stale figure costs time,
# never a check.
SLOW_SECONDS = {
    "test_kills_during_saves_and_exports_lose_nothing[at_scale]": 39,
    "test_the_same_laws_hold_on_postgresql_at_scale": 28,
    "test_township_scale": 21,
    "test_merge_laws_at_scale_second_half": 20,
    "test_merge_laws_at_scale": 18,
    "test_fold_at_scale": 10,
    "test_kills_during_merges_leave_no_half_merged_bundle[at_scale]": 10,
    "test_derived_on_the_server_at_scale": 9,
    "test_hostile_device_at_scale": 9,
    "test_hostile_values_at_scale": 8,
    "test_payload_lines_at_scale": 7,
    "test_fuzzed_mutations_at_scale": 5,
    "test_odd_cells_at_scale": 4,
    "test_random_bytes_at_scale": 2,
    "test_mutated_files_at_scale": 2,
}


# The longest tests of the quick run (`-m "not slow"`, -n 4 on two cores, 2026-12-03: 16–63 s each, the median
# test well under one): run first, so that none of them starts last and keeps one worker busy after the rest
# are done (quick_order). Names of test functions; a name missing costs time at most, never a check.
QUICK_LONGEST = (
    "test_every_worker_screen_follows_f2_at_once", "test_every_clerk_screen_follows_f2_at_once",
    "test_every_county_screen_follows_f2_at_once", "test_the_forms_give_what_the_model_says",
    "test_no_screen_hands_a_hostile_escape_sequence_to_the_terminal", "test_a_county_on_a_file_from_the_command_line",
    "test_registered_on_screen_with_a_past_date_the_november_visit_counts",
    "test_resident_actions_change_risk_refer_follow_up_and_close",
    "test_three_townships_into_a_postgresql_county_in_any_order_give_the_sqlite_county_bytes",
    "test_a_half_typed_registration_is_kept_and_offered_back", "test_a_county_on_postgresql_from_the_command_line",
    "test_a_list_near_the_bottom_of_the_visit_form_opens_below_its_field_and_above_the_footer",
)


def quick_order(items: list) -> list:
    """The quick run's tests with the longest first (QUICK_LONGEST, in its order), the rest as collected."""
    rank = {name: n for n, name in enumerate(QUICK_LONGEST)}
    return sorted(items, key=lambda item: rank.get(getattr(item, "originalname", item.name), len(rank)))


def slow_order(items: list) -> list:
    """The slow tests in an order whose two halves take about as long, each half longest first.

    .ci/run runs them with `-n 2 --dist worksteal`: one worker starts with the first len // 2 items,
    the other with the rest, and an idle worker takes the unstarted end of the other's list (the
    short tests). Collection order had put the two halves of the merge laws one after the other,
    and xdist's default schedule sends tests two at a time: one worker could get both.
    """
    ranked = sorted(items, key=lambda item: -SLOW_SECONDS.get(item.name, 0))
    caps = (len(items) // 2, len(items) - len(items) // 2)
    halves: tuple[list, list] = ([], [])
    sums = [0, 0]
    for item in ranked:  # each to the half with less to do, while it has room
        side = 0 if (sums[0] <= sums[1] and len(halves[0]) < caps[0]) or len(halves[1]) >= caps[1] else 1
        halves[side].append(item)
        sums[side] += SLOW_SECONDS.get(item.name, 0)
    return halves[0] + halves[1]

