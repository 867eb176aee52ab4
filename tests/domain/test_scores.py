"""Monthly work score. Holidays as in test_calendar: May 2024 weekday holidays 1, 9, 10, 23, 24."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from app.domain.predikat import DI_ATAS, DI_BAWAH, SESUAI
from app.domain.scores import (
    RatingThresholds,
    ScoreParams,
    employee_working_days,
    monthly_work_score,
    recognised_minutes,
    suggest_rating_hasil_kerja,
    target_minutes,
    work_score,
)

MAY = {date(2024, 5, d) for d in (1, 9, 10, 23, 24)}
JUNE = {date(2024, 6, 1), date(2024, 6, 17), date(2024, 6, 18)}
REDUCING = ScoreParams().reducing_statuses


def test_target_minutes():
    assert target_minutes(18) == 18 * 300 == 5400
    assert target_minutes(22, ScoreParams(effective_minutes_per_day=330)) == 7260
    assert target_minutes(0) == 0
    with pytest.raises(ValueError):
        target_minutes(-1)


def test_recognised_minutes_capped_per_day():
    # 500 -> 450, 300, 450 (= cap), 451 -> 450: 450 + 300 + 450 + 450 = 1650.
    minutes = {date(2024, 5, 2): 500, date(2024, 5, 3): 300, date(2024, 5, 6): 450, date(2024, 5, 7): 451}
    assert recognised_minutes(minutes, 450) == 1650
    assert recognised_minutes({}, 450) == 0
    with pytest.raises(ValueError):
        recognised_minutes({date(2024, 5, 2): -5}, 450)


def test_work_score_examples():
    # 1650 / 5400 × 100 = 30.5555… -> 30.56
    assert work_score(1650, 5400) == Decimal("30.56")
    # 4000 / 4500 × 100 = 88.888… -> 88.89
    assert work_score(4000, 4500) == Decimal("88.89")
    # exactly the target, and above the target: both 100.00
    assert work_score(5400, 5400) == Decimal("100.00")
    assert work_score(8100, 5400) == Decimal("100.00")
    assert work_score(0, 5400) == Decimal("0.00")


def test_work_score_half_up_edge():
    # 2469 / 20000 × 100 = 12.345 exactly -> 12.35 half up (banker's rounding would give 12.34).
    assert work_score(2469, 20000) == Decimal("12.35")
    # 2467 / 20000 × 100 = 12.335 -> 12.34
    assert work_score(2467, 20000) == Decimal("12.34")


def test_work_score_zero_target_counts_as_100():
    assert work_score(0, 0) == Decimal("100.00")
    assert str(work_score(0, 0)) == "100.00"


def test_employee_working_days_minus_authorised_absence():
    # May 2024, 5-day: 18 working days. CUTI 2 May, SAKIT 3 May, DL 6 May reduce (−3);
    # IZIN 7 May and TK 8 May do not; CUTI on Sat 4 May is not a working day anyway. 18 − 3 = 15.
    status = {
        date(2024, 5, 2): "CUTI", date(2024, 5, 3): "SAKIT", date(2024, 5, 4): "CUTI",
        date(2024, 5, 6): "DL", date(2024, 5, 7): "IZIN", date(2024, 5, 8): "TK",
        date(2024, 5, 13): "HADIR",
    }
    days = employee_working_days(2024, 5, 5, MAY, status, REDUCING)
    assert len(days) == 15
    assert target_minutes(len(days)) == 4500
    # If BKD decides DL does not reduce the target: 18 − 2 = 16.
    assert len(employee_working_days(2024, 5, 5, MAY, status, {"CUTI", "SAKIT"})) == 16


def test_whole_month_leave_gives_score_100():
    status = {date(2024, 5, 1) + timedelta(days=i): "CUTI" for i in range(31)}
    result = monthly_work_score(2024, 5, 5, MAY, status, {}, 450)
    assert (result.working_days, result.target_minutes, result.recognised_minutes) == (0, 0, 0)
    assert result.score == Decimal("100.00") and result.suggested_rating == DI_ATAS


def test_monthly_work_score_six_day_unit():
    # June 2024, 6-day unit: 22 working days; CUTI 3 and 4 June -> 20 days, target 6000.
    # Approved: 5 June 480 (capped 450), 6 June 300, 7 June 420, Sat 8 June 240 -> 1410.
    # 1410 / 6000 × 100 = 23.50 -> DI_BAWAH.
    status = {date(2024, 6, 3): "CUTI", date(2024, 6, 4): "CUTI"}
    minutes = {date(2024, 6, 5): 480, date(2024, 6, 6): 300, date(2024, 6, 7): 420, date(2024, 6, 8): 240}
    result = monthly_work_score(2024, 6, 6, JUNE, status, minutes, 450)
    assert result.working_days == 20 and result.target_minutes == 6000
    assert result.recognised_minutes == 1410
    assert result.score == Decimal("23.50") and result.suggested_rating == DI_BAWAH


def test_monthly_work_score_five_day_full_month():
    # May 2024, 5-day, no absence: 18 days, target 5400. 17 days × 300 + one day 270 = 5370.
    # 5370 / 5400 × 100 = 99.444… -> 99.44 -> SESUAI.
    days = employee_working_days(2024, 5, 5, MAY, {}, REDUCING)
    minutes = {d: 300 for d in days[:-1]} | {days[-1]: 270}
    result = monthly_work_score(2024, 5, 5, MAY, {}, minutes, 450)
    assert (result.target_minutes, result.recognised_minutes) == (5400, 5370)
    assert result.score == Decimal("99.44") and result.suggested_rating == SESUAI


@pytest.mark.parametrize(
    ("score", "expected"),
    [("100.00", DI_ATAS), ("99.99", SESUAI), ("80.00", SESUAI), ("79.99", DI_BAWAH), ("0", DI_BAWAH)],
)
def test_suggest_rating_default_thresholds(score, expected):
    assert suggest_rating_hasil_kerja(Decimal(score)) == expected


def test_suggest_rating_custom_thresholds():
    t = RatingThresholds(di_atas_min=Decimal("95"), sesuai_min=Decimal("70"))
    assert suggest_rating_hasil_kerja(Decimal("95.00"), t) == DI_ATAS
    assert suggest_rating_hasil_kerja(Decimal("94.99"), t) == SESUAI
    assert suggest_rating_hasil_kerja(Decimal("69.99"), t) == DI_BAWAH


def test_params_validate():
    assert ScoreParams().validate() == []
    msgs = ScoreParams(effective_minutes_per_day=0, reducing_statuses={"CUTI", "HADIR", "LIBUR"}).validate()
    assert any("Menit kerja efektif" in m for m in msgs)
    assert any("tidak dikenal: LIBUR" in m for m in msgs)
    assert any("HADIR" in m and "tidak boleh mengurangi" in m for m in msgs)
    msgs = RatingThresholds(di_atas_min=Decimal("80"), sesuai_min=Decimal("90")).validate()
    assert msgs == ["Ambang nilai rating Sesuai Ekspektasi tidak boleh lebih tinggi dari ambang Di Atas Ekspektasi."]
    assert RatingThresholds(di_atas_min=Decimal("101")).validate()
