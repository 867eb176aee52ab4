"""Worked examples for the line of command and superior resolution."""

import random
from datetime import date

import pytest

from app.domain.hierarchy import (
    OrgSnapshot,
    Override,
    ancestors,
    resolve_all,
    resolve_superior,
    subordinates_of,
    would_create_cycle,
)

D = date(2024, 5, 15)

# Positions of a small Pemkot Malang slice:
#   1 Sekda
#   2 Kepala Dinas Pendidikan          (parent 1)
#   3 Sekretaris Dinas                 (parent 2)
#   4 Kasubag Umum dan Kepegawaian     (parent 3)
#   5 Pengadministrasi Umum            (parent 4)
#   6 Kepala Bidang SD                 (parent 2)
#   7 Kepala Seksi Kurikulum SD        (parent 6)
#   8 Analis Kurikulum                 (parent 7)
#   9 Guru (teachers)                  (parent 2)
POSITION_PARENT = {1: None, 2: 1, 3: 2, 4: 3, 5: 4, 6: 2, 7: 6, 8: 7, 9: 2}


def make_org(holders, overrides=None, parent=None):
    """Build a snapshot from {position: [employees]}."""
    employee_position = {e: p for p, es in holders.items() for e in es}
    return OrgSnapshot(
        employee_position=employee_position,
        position_parent=dict(POSITION_PARENT if parent is None else parent),
        position_holders={p: list(es) for p, es in holders.items()},
        overrides=overrides or {},
    )


FULL = {1: [100], 2: [200], 3: [300], 4: [400], 5: [500, 501], 6: [600], 7: [700], 8: [800], 9: [900, 901]}


def check_all(org, on=D):
    """resolve_all must agree with resolve_superior for every employee."""
    everything = resolve_all(on, org)
    assert set(everything) == set(org.employee_position)
    for e in org.employee_position:
        assert everything[e] == resolve_superior(e, on, org), e
    return everything


# --- default superior ---------------------------------------------------------


def test_parent_position_holder():
    org = make_org(FULL)
    assert resolve_superior(500, D, org) == 400
    assert resolve_superior(400, D, org) == 300
    assert resolve_superior(300, D, org) == 200
    assert resolve_superior(200, D, org) == 100
    assert resolve_superior(800, D, org) == 700
    check_all(org)


def test_top_sekda_has_no_superior():
    org = make_org(FULL)
    assert resolve_superior(100, D, org) is None
    assert check_all(org)[100] is None


def test_vacant_post_goes_one_level_up():
    holders = dict(FULL)
    holders[4] = []  # Kasubag vacant
    org = make_org(holders)
    assert resolve_superior(500, D, org) == 300
    assert resolve_superior(501, D, org) == 300
    check_all(org)


def test_two_vacant_levels():
    holders = dict(FULL)
    holders[7] = []  # Kasi vacant
    holders[6] = []  # Kabid vacant
    org = make_org(holders)
    assert resolve_superior(800, D, org) == 200
    check_all(org)


def test_all_posts_above_vacant_means_none():
    org = make_org({5: [500]})
    assert resolve_superior(500, D, org) is None
    assert check_all(org) == {500: None}


def test_several_holders_smallest_id():
    org = make_org({1: [100], 2: [205, 203, 204], 3: [300]})
    assert resolve_superior(300, D, org) == 203
    check_all(org)


def test_colleagues_in_same_position_are_not_superiors():
    org = make_org(FULL)
    assert resolve_superior(501, D, org) == 400
    assert resolve_superior(900, D, org) == 200


def test_no_position_means_none():
    org = make_org(FULL)
    org.employee_position[999] = None
    assert resolve_superior(999, D, org) is None
    assert check_all(org)[999] is None


def test_unknown_parent_position_is_top():
    org = make_org({2: [200], 3: [300]}, parent={2: 77, 3: 2})  # 77 not in the map
    assert resolve_superior(200, D, org) is None
    assert resolve_superior(300, D, org) == 200


# --- overrides ----------------------------------------------------------------


def test_override_wins_within_dates_boundaries_inclusive():
    ov = Override(superior_id=600, valid_from=date(2024, 5, 1), valid_to=date(2024, 5, 31))
    org = make_org(FULL, overrides={900: [ov]})
    assert resolve_superior(900, date(2024, 5, 1), org) == 600
    assert resolve_superior(900, date(2024, 5, 31), org) == 600
    assert resolve_superior(900, date(2024, 4, 30), org) == 200
    assert resolve_superior(900, date(2024, 6, 1), org) == 200
    assert resolve_superior(901, date(2024, 5, 15), org) == 200  # other teacher unaffected
    for on in (date(2024, 4, 30), date(2024, 5, 1), date(2024, 5, 31), date(2024, 6, 1)):
        check_all(org, on)


def test_open_ended_override():
    org = make_org(FULL, overrides={800: [Override(300, date(2024, 1, 1), None)]})
    assert resolve_superior(800, date(2023, 12, 31), org) == 700
    assert resolve_superior(800, date(2030, 1, 1), org) == 300


def test_plt_override_for_vacant_post():
    # Kasubag vacant; Sekretaris is Plt for the staff, overriding the one-level-up rule
    # only where set, and the override points at whoever BKD named.
    holders = dict(FULL)
    holders[4] = []
    ov = Override(superior_id=600, valid_from=date(2024, 1, 1), valid_to=None)
    org = make_org(holders, overrides={500: [ov]})
    assert resolve_superior(500, D, org) == 600
    assert resolve_superior(501, D, org) == 300
    check_all(org)


def test_several_overrides_latest_valid_from_wins():
    ovs = [
        Override(600, date(2024, 1, 1), None),
        Override(300, date(2024, 5, 10), date(2024, 5, 20)),
        Override(700, date(2024, 3, 1), date(2024, 12, 31)),
    ]
    org = make_org(FULL, overrides={800: ovs})
    assert resolve_superior(800, D, org) == 300
    assert resolve_superior(800, date(2024, 5, 21), org) == 700
    assert resolve_superior(800, date(2024, 2, 1), org) == 600
    check_all(org)


def test_several_overrides_same_start_highest_superior_id():
    ovs = [Override(300, date(2024, 5, 1), None), Override(600, date(2024, 5, 1), None)]
    org = make_org(FULL, overrides={800: ovs})
    assert resolve_superior(800, D, org) == 600
    org2 = make_org(FULL, overrides={800: list(reversed(ovs))})
    assert resolve_superior(800, D, org2) == 600


def test_override_to_self_ignored():
    org = make_org(FULL, overrides={500: [Override(500, date(2024, 1, 1), None)]})
    assert resolve_superior(500, D, org) == 400
    check_all(org)


def test_override_to_self_falls_back_to_other_valid_override():
    ovs = [Override(500, date(2024, 5, 1), None), Override(300, date(2024, 1, 1), None)]
    org = make_org(FULL, overrides={500: ovs})
    assert resolve_superior(500, D, org) == 300


def test_override_to_inactive_employee_ignored():
    org = make_org(FULL, overrides={500: [Override(12345, date(2024, 1, 1), None)]})
    assert resolve_superior(500, D, org) == 400
    check_all(org)


def test_override_gives_sekda_a_superior():
    org = make_org(FULL, overrides={100: [Override(200, date(2024, 1, 1), None)]})
    assert resolve_superior(100, D, org) == 200


# --- cycle guard --------------------------------------------------------------


def test_cycle_in_positions_returns_none():
    parent = {1: 2, 2: 3, 3: 1, 4: 3}
    org = make_org({1: [10], 4: [40]}, parent=parent)
    # 1 -> 2 (vacant) -> 3 (vacant) -> 1 (own position again): stop.
    assert resolve_superior(10, D, org) is None
    # 4 -> 3 -> 1: holder 10 is found before the loop closes.
    assert resolve_superior(40, D, org) == 10
    check_all(org)


def test_cycle_with_colleague_in_own_position():
    parent = {1: 2, 2: 1}
    org = make_org({1: [10, 11], 2: []}, parent=parent)
    assert resolve_superior(10, D, org) is None
    check_all(org)


def test_self_parent_position():
    org = make_org({1: [10]}, parent={1: 1})
    assert resolve_superior(10, D, org) is None
    check_all(org)


def test_cycle_above_staffed_post():
    parent = {5: 4, 4: 3, 3: 2, 2: 3}
    org = make_org({5: [50], 3: [30], 2: [20]}, parent=parent)
    assert resolve_superior(50, D, org) == 30
    assert resolve_superior(30, D, org) == 20
    assert resolve_superior(20, D, org) == 30
    check_all(org)


def test_cached_walk_leading_back_to_own_position_is_a_cycle():
    # 3 -> 2 (vacant) -> 1 (held by 10) -> 2: resolving 30 first caches "2 leads to 1";
    # for 10 that cache would point back at its own post, which is a loop, not a superior.
    org = make_org({3: [30], 2: [], 1: [10]}, parent={3: 2, 2: 1, 1: 2})
    assert list(org.employee_position) == [30, 10]
    assert resolve_all(D, org) == {30: 10, 10: None}
    check_all(org)


def test_resolve_all_matches_single_resolution_on_random_graphs():
    rng = random.Random(20240515)
    for _ in range(300):
        n = rng.randint(1, 12)
        parent = {p: (rng.randint(1, n + 1) if rng.random() < 0.85 else None) for p in range(1, n + 1)}
        holders: dict[int, list[int]] = {p: [] for p in range(1, n + 1)}
        emp = 1000
        for p in holders:
            for _ in range(rng.choice([0, 0, 1, 1, 2])):
                holders[p].append(emp)
                emp += 1
        org = make_org(holders, parent=parent)
        employees = list(org.employee_position)
        for e in employees:
            if rng.random() < 0.2:
                org.overrides[e] = [Override(rng.choice(employees + [1]), date(2024, 5, rng.randint(1, 28)), None)]
        check_all(org)


def test_resolve_all_ten_thousand_employees():
    # A deep, wide tree: 1 Sekda, 70 OPD heads, 5 levels below each, many staff.
    parent: dict[int, int | None] = {1: None}
    holders: dict[int, list[int]] = {1: [1]}
    next_pos, next_emp = 2, 2
    for _ in range(70):
        head = next_pos
        parent[head] = 1
        holders[head] = [next_emp]
        next_pos += 1
        next_emp += 1
        prev = head
        for depth in range(5):
            parent[next_pos] = prev
            holders[next_pos] = [] if depth == 2 else [next_emp]  # a vacant level
            if depth != 2:
                next_emp += 1
            prev = next_pos
            next_pos += 1
        staff_pos = next_pos
        parent[staff_pos] = prev
        holders[staff_pos] = list(range(next_emp, next_emp + 140))
        next_emp += 140
        next_pos += 1
    org = make_org(holders, parent=parent)
    assert len(org.employee_position) > 10_000
    result = resolve_all(D, org)
    assert len(result) == len(org.employee_position)
    assert result[1] is None
    # Spot-check with the single resolver.
    for e in list(org.employee_position)[::97]:
        assert result[e] == resolve_superior(e, D, org)


class CountingMapping(dict):
    """A dict that counts lookups, to prove the walk is memoised."""

    lookups = 0

    def get(self, key, default=None):
        type(self).lookups += 1
        return super().get(key, default)


def test_resolve_all_memoises_walk_per_position():
    # 10,000 staff under 50 vacant levels below a staffed head: a naive walk per
    # employee would need about 500,000 parent lookups.
    parent = CountingMapping({0: None})
    for p in range(1, 51):
        parent[p] = p - 1
    holders = {0: [1], 50: list(range(2, 10_002))}
    org = OrgSnapshot(
        employee_position={e: p for p, es in holders.items() for e in es},
        position_parent=parent,
        position_holders=holders,
        overrides={},
    )
    CountingMapping.lookups = 0
    result = resolve_all(D, org)
    assert CountingMapping.lookups < 200
    assert result[1] is None
    assert all(result[e] == 1 for e in range(2, 10_002))


# --- would_create_cycle -------------------------------------------------------

TREE = {1: None, 2: 1, 3: 2, 4: 3, 5: 1}


def test_cycle_self():
    assert would_create_cycle(3, 3, TREE) is True


def test_cycle_direct():
    assert would_create_cycle(2, 3, TREE) is True  # 3's parent is 2


def test_cycle_deep():
    assert would_create_cycle(1, 4, TREE) is True  # 4 -> 3 -> 2 -> 1


def test_no_cycle_moves():
    assert would_create_cycle(4, 5, TREE) is False
    assert would_create_cycle(5, 4, TREE) is False
    assert would_create_cycle(2, 5, TREE) is False
    assert would_create_cycle(3, None, TREE) is False  # becoming a root
    assert would_create_cycle(3, 99, TREE) is False  # parent unknown to the map


def test_new_row_never_cycles():
    assert would_create_cycle(None, 4, TREE) is False
    assert would_create_cycle(None, None, TREE) is False


def test_pre_existing_cycle_terminates():
    broken = {1: 2, 2: 3, 3: 1, 10: None}
    assert would_create_cycle(10, 1, broken) is False
    assert would_create_cycle(1, 3, broken) is True
    assert would_create_cycle(2, 2, {2: 2}) is True


# --- helpers ------------------------------------------------------------------


def test_subordinates_of():
    org = make_org(FULL)
    subs = subordinates_of(resolve_all(D, org))
    assert subs[400] == [500, 501]
    assert subs[200] == [300, 600, 900, 901]
    assert 500 not in subs


def test_ancestors():
    assert list(ancestors(5, POSITION_PARENT)) == [4, 3, 2, 1]
    assert list(ancestors(1, {1: 2, 2: 3, 3: 1})) == [2, 3]
