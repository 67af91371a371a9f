"""The order tests run in, so that no long test starts last and keeps one worker busy after the others are done.

.ci/run runs the quick tests and the slow ones in one call (`-n 4 --dist worksteal`): xdist's worksteal gives
each worker one consecutive part of the collection (part sizes as `worksteal_parts` computes them), and an idle
worker takes the unstarted end of the longest part. So the long tests are dealt out over the parts (each to the
part with the fewest seconds so far), each part starting with its long tests, longest first, and going on with
a consecutive run of the other tests in collection order (a module's tests together, as its fixtures like):
what is stolen from the end of a part is short.

Any other run (README's `pytest -n 4`, the default `--dist load`, which sends consecutive tests a few at a time)
starts with the long tests, longest first.
"""

from __future__ import annotations

# Seconds of the longest tests in .ci/run on a clean clone (2-core machine, 2026-12-03): the slow ones from its
# slow call (-n 2), the rest from its quick call (-n 4). Only their proportions are used; a test missing here
# counts as short, and a stale figure costs time, never a check. Keys: a test's name with its parameters, or
# the function's name for all of its parameters.
LONG_SECONDS = {
    # slow (the CI-sized property tests, the kill harness, the township-sized demo)
    "test_kills_during_saves_and_exports_lose_nothing[at_scale]": 69,
    "test_hostile_values_at_scale": 62,
    "test_the_same_laws_hold_on_postgresql_at_scale": 62,
    "test_merge_laws_at_scale_second_half": 39,
    "test_merge_laws_at_scale": 39,
    "test_township_scale": 23,
    "test_kills_during_merges_leave_no_half_merged_bundle[at_scale]": 13,
    "test_fold_at_scale": 13,
    "test_drawn_county_bundles_at_scale": 23,  # (measured 2026-12-05)
    "test_hostile_device_at_scale": 11,
    "test_derived_on_the_server_at_scale": 7,
    "test_payload_lines_at_scale": 6,
    # quick
    "test_every_worker_screen_follows_f2_at_once": 56,
    "test_every_clerk_screen_follows_f2_at_once": 28,
    "test_every_county_screen_follows_f2_at_once": 24,
    "test_the_forms_give_what_the_model_says": 20,
    "test_three_townships_into_a_postgresql_county_in_any_order_give_the_sqlite_county_bytes": 20,
    "test_no_screen_hands_a_hostile_escape_sequence_to_the_terminal": 17,
    "test_registered_on_screen_with_a_past_date_the_november_visit_counts": 14,
    "test_a_list_near_the_bottom_of_the_visit_form_opens_below_its_field_and_above_the_footer": 14,
    "test_resident_actions_change_risk_refer_follow_up_and_close": 14,
    "test_register_an_elder_edit_a_demo_resident_export_merge": 14,
    "test_a_county_on_a_file_from_the_command_line": 13,
    "test_register_a_resident_then_log_a_visit_and_see_it": 13,
    "test_the_new_resident_form_takes_the_assessment_at_registration": 12,
    "test_a_county_on_postgresql_from_the_command_line": 11,
    "test_every_wrong_shape_of_every_json_field_in_a_township_bundle_is_refused_at_the_county": 10,  # (2026-12-05)
    "test_the_visit_form_takes_an_assessment_by_keyboard_alone": 11,
    "test_a_half_filled_visit_survives_a_closed_terminal": 10,
    "test_a_half_typed_registration_is_kept_and_offered_back": 9,
}


def seconds(item) -> float:
    """The expected length of a test item: LONG_SECONDS's, else 0 (short)."""
    return LONG_SECONDS.get(item.name, LONG_SECONDS.get(getattr(item, "originalname", item.name), 0))


def longest_first(items: list) -> list:
    """The long tests first, longest first; the rest as collected (the sort is stable)."""
    return sorted(items, key=lambda item: -seconds(item))


def worksteal_parts(count: int, workers: int) -> list[int]:
    """How many consecutive items each worker starts with under `--dist worksteal` (xdist 3's first schedule
    sends each idle worker len(pending) // (idle workers left))."""
    sizes, left = [], count
    for i in range(workers):
        sizes.append(left // (workers - i))
        left -= sizes[-1]
    return sizes


def spread_order(items: list, workers: int) -> list:
    """`items` in worksteal's parts for `workers`: the long tests dealt out over the parts, longest first, each
    part starting with its own; the other tests fill the parts in collection order."""
    sizes = worksteal_parts(len(items), workers)
    long = sorted((item for item in items if seconds(item)), key=lambda item: -seconds(item))
    heads: list[list] = [[] for _ in sizes]
    load = [0.0] * len(sizes)
    for item in long:  # each to the part with the fewest seconds so far that has room
        open_parts = [p for p in range(len(sizes)) if len(heads[p]) < sizes[p]]
        part = min(open_parts, key=lambda p: (load[p], p))
        heads[part].append(item)
        load[part] += seconds(item)
    dealt = {id(item) for item in long}
    rest = iter([item for item in items if id(item) not in dealt])
    ordered: list = []
    for part, size in enumerate(sizes):
        ordered += heads[part] + [next(rest) for _ in range(size - len(heads[part]))]
    return ordered
