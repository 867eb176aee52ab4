"""Realisation sums of a period (app.domain.realisation), worked examples."""
from datetime import date
from decimal import Decimal

from app.domain.realisation import WorkRow, achievement_pct, sum_work

NOV1, NOV30 = date(2026, 11, 1), date(2026, 11, 30)


def test_approved_work_of_the_month_per_rhk_and_non_skp_apart():
    rows = [
        WorkRow(1, "APPROVED", date(2026, 11, 2), Decimal("1"), 60),
        WorkRow(1, "APPROVED", date(2026, 11, 30), Decimal("2.5"), 90),
        WorkRow(2, "APPROVED", date(2026, 11, 3), Decimal("1"), 45),
        WorkRow(1, "SUBMITTED", date(2026, 11, 4), Decimal("1"), None),   # not approved: nowhere
        WorkRow(1, "RETURNED", date(2026, 11, 4), Decimal("1"), None),
        WorkRow(1, "APPROVED", date(2026, 10, 31), Decimal("1"), 120),    # other month: nowhere
        WorkRow(None, "APPROVED", date(2026, 11, 5), Decimal("3"), 30),   # non-SKP
        WorkRow(9, "APPROVED", date(2026, 11, 6), Decimal("1"), 15),      # RHK not in the plan: non-SKP
        WorkRow(None, "REJECTED", date(2026, 11, 6), Decimal("1"), 0),
    ]
    work = sum_work(rows, [1, 2, 3], NOV1, NOV30)
    # RHK 1: 60 + 90 = 150 minutes, volume 1 + 2.5 = 3.5, two activities
    assert (work.of(1).count, work.of(1).volume, work.of(1).minutes) == (2, Decimal("3.5"), 150)
    assert (work.of(2).count, work.of(2).volume, work.of(2).minutes) == (1, Decimal("1"), 45)
    assert (work.of(3).count, work.of(3).minutes) == (0, 0)  # a plan RHK without work is listed with zeros
    # non-SKP: 30 + 15 = 45 minutes over two activities, volume 3 + 1 = 4
    assert (work.non_skp.count, work.non_skp.volume, work.non_skp.minutes) == (2, Decimal("4"), 45)
    total = work.skp_total
    assert (total.count, total.volume, total.minutes) == (3, Decimal("4.5"), 195)


def test_approved_without_recognised_minutes_counts_zero_minutes():
    work = sum_work([WorkRow(1, "APPROVED", date(2026, 11, 2), Decimal("1"), None)], [1], NOV1, NOV30)
    assert (work.of(1).count, work.of(1).minutes) == (1, 0)


def test_achievement_against_the_target():
    assert achievement_pct(Decimal("9"), Decimal("12")) == Decimal("75.00")
    assert achievement_pct(Decimal("2"), Decimal("3")) == Decimal("66.67")  # 66.666… half up
    assert achievement_pct(None, Decimal("12")) is None
    assert achievement_pct(Decimal("5"), Decimal("0")) is None
