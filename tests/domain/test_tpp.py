"""Discipline deduction, TPP computation and money rounding — worked by hand in the comments.

Rounding rule under test: each part is rounded to whole rupiah (half up) and every later line is
computed from the rounded lines.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from app.domain.money import format_pct, format_rupiah, round_pct, round_rupiah
from app.domain.tpp import (
    EARLY,
    EARLY_NO_RECORD,
    LATE,
    LATE_NO_RECORD,
    TK_DAY,
    AttendanceDay,
    Band,
    DeductionLine,
    TppParams,
    compute_tpp,
    deduction_breakdown,
    deduction_percent,
)

D = Decimal
MON = date(2024, 5, 13)


# --- money ----------------------------------------------------------------------------------
def test_round_rupiah_half_up():
    assert round_rupiah(D("10.5")) == 11  # banker's rounding would give 10
    assert round_rupiah(D("12.5")) == 13
    assert round_rupiah(D("10.49")) == 10
    assert round_rupiah(D("-10.5")) == -11
    assert round_rupiah(7) == 7
    with pytest.raises(TypeError):
        round_rupiah(10.5)


def test_round_pct_and_format():
    assert round_pct(D("66.665")) == D("66.67")
    assert round_pct(D("0.125")) == D("0.13")
    assert str(round_pct(100)) == "100.00"
    assert format_pct(D("66.665")) == "66,67%"
    assert format_rupiah(1234567) == "Rp1.234.567"


# --- deduction ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("minutes", "percent"),
    [(1, "0.5"), (15, "0.5"), (30, "0.5"), (31, "1"), (60, "1"), (61, "1.25"), (90, "1.25"), (91, "1.5"), (300, "1.5")],
)
def test_band_boundaries_late_and_early(minutes, percent):
    late = [AttendanceDay(MON, "HADIR", minutes_late=minutes, minutes_early=0)]
    early = [AttendanceDay(MON, "HADIR", minutes_late=0, minutes_early=minutes)]
    assert deduction_percent(late) == D(percent)
    assert deduction_percent(early) == D(percent)


def test_on_time_day_has_no_lines():
    assert deduction_breakdown([AttendanceDay(MON, "HADIR", 0, 0)]) == []
    assert deduction_percent([]) == D("0.00")


def test_month_example_breakdown():
    days = [
        AttendanceDay(date(2024, 5, 13), "HADIR", minutes_late=10, minutes_early=45),  # 0.5 + 1
        AttendanceDay(date(2024, 5, 14), "HADIR", minutes_late=95, minutes_early=0),  # 1.5
        AttendanceDay(date(2024, 5, 15), "HADIR", minutes_late=0, minutes_early=None),  # no check-out 1.5
        AttendanceDay(date(2024, 5, 16), "HADIR", has_record=False),  # 1.5 + 1.5
        AttendanceDay(date(2024, 5, 17), "TK"),  # 3
        AttendanceDay(date(2024, 5, 20), "SAKIT"),  # 0
        AttendanceDay(date(2024, 5, 21), "IZIN", minutes_late=50),  # 0: not a banded status
    ]
    # 1.5 + 1.5 + 1.5 + 3 + 3 = 10.50
    assert deduction_percent(days) == D("10.50")
    lines = deduction_breakdown(days)
    assert lines == [
        DeductionLine(date(2024, 5, 13), LATE, 10, D("0.5")),
        DeductionLine(date(2024, 5, 13), EARLY, 45, D("1")),
        DeductionLine(date(2024, 5, 14), LATE, 95, D("1.5")),
        DeductionLine(date(2024, 5, 15), EARLY_NO_RECORD, None, D("1.5")),
        DeductionLine(date(2024, 5, 16), LATE_NO_RECORD, None, D("1.5")),
        DeductionLine(date(2024, 5, 16), EARLY_NO_RECORD, None, D("1.5")),
        DeductionLine(date(2024, 5, 17), TK_DAY, None, D("3")),
    ]
    assert lines[-1].label == "Tidak masuk kerja tanpa keterangan (TK)"


def test_deduction_capped_at_100():
    # 34 TK days × 3% = 102% -> capped at 100.00 (the breakdown keeps all 34 lines).
    days = [AttendanceDay(date(2024, 1, 1) + timedelta(days=i), "TK") for i in range(34)]
    assert len(deduction_breakdown(days)) == 34
    assert deduction_percent(days) == D("100.00")
    # 33 TK days = 99% + a 10-minute late day 0.5% = 99.50, under the cap.
    assert deduction_percent(days[:33] + [AttendanceDay(date(2024, 3, 1), "HADIR", 10, 0)]) == D("99.50")


def test_custom_bands_and_tk():
    params = TppParams(
        late_bands=((1, 15, "0.25"), (16, None, "1")), early_bands=((1, None, "2"),), tk_percent=D("5")
    )
    days = [AttendanceDay(MON, "HADIR", 15, 1), AttendanceDay(MON + timedelta(days=1), "TK")]
    # 0.25 + 2 + 5 = 7.25
    assert deduction_percent(days, params) == D("7.25")


# --- compute_tpp ----------------------------------------------------------------------------
def test_pns_golongan_iii():
    # base 5,000,000; score 87.50; deduction 2.50
    # performance = 5,000,000 × 0.60 × 0.875 = 2,625,000
    # discipline  = 5,000,000 × 0.40 × 0.975 = 1,950,000
    # gross = 4,575,000; tax 5% = 228,750; health 1% = 45,750; net = 4,300,500
    r = compute_tpp(5_000_000, D("87.50"), D("2.50"), "PNS", "III", D("0"))
    assert (r.performance_part, r.discipline_part, r.subtotal) == (2_625_000, 1_950_000, 4_575_000)
    assert (r.gross, r.tax, r.health, r.net) == (4_575_000, 228_750, 45_750, 4_300_500)


def test_cpns_with_sanction_golongan_ii():
    # base 3,750,000; score 100; deduction 0; CPNS; sanction 25%
    # performance 2,250,000; discipline 1,500,000; subtotal 3,750,000
    # gross = 3,750,000 × 0.80 × 0.75 = 2,250,000; tax 0%; health 22,500; net 2,227,500
    r = compute_tpp(3_750_000, D("100"), D("0"), "CPNS", "II", D("25"))
    assert (r.gross, r.tax, r.health, r.net) == (2_250_000, 0, 22_500, 2_227_500)


def test_cpns_golongan_iii_with_deduction():
    # base 3,000,000; score 92.35; deduction 4.75; CPNS
    # performance = 1,800,000 × 0.9235 = 1,662,300; discipline = 1,200,000 × 0.9525 = 1,143,000
    # gross = 2,805,300 × 0.80 = 2,244,240; tax 5% = 112,212; health 22,442.40 -> 22,442
    # net = 2,244,240 − 112,212 − 22,442 = 2,109,586
    r = compute_tpp(3_000_000, D("92.35"), D("4.75"), "CPNS", "III", D("0"))
    assert (r.performance_part, r.discipline_part, r.gross) == (1_662_300, 1_143_000, 2_244_240)
    assert (r.tax, r.health, r.net) == (112_212, 22_442, 2_109_586)


def test_half_rupiah_parts_round_up_then_add():
    # base 2,000,020; score 87.50; deduction 1.25; PNS III
    # performance = 1,200,012 × 0.875 = 1,050,010.5 -> 1,050,011 (half up)
    # discipline  =   800,008 × 0.9875 = 790,007.9 -> 790,008
    # gross = 1,050,011 + 790,008 = 1,840,019 (from rounded parts; unrounded sum would be 1,840,018.4)
    # tax 5% = 92,000.95 -> 92,001; health 1% = 18,400.19 -> 18,400; net = 1,729,618
    r = compute_tpp(2_000_020, D("87.50"), D("1.25"), "PNS", "III", D("0"))
    assert (r.performance_part, r.discipline_part, r.gross) == (1_050_011, 790_008, 1_840_019)
    assert (r.tax, r.health, r.net) == (92_001, 18_400, 1_729_618)


def test_half_rupiah_tax_and_health():
    # base 1,000,010, score 100, no deduction: 600,006 + 400,004 = 1,000,010
    # tax 5% = 50,000.5 -> 50,001; health 10,000.1 -> 10,000; net 940,009
    r = compute_tpp(1_000_010, D("100"), D("0"), "PNS", "III", D("0"))
    assert (r.gross, r.tax, r.health, r.net) == (1_000_010, 50_001, 10_000, 940_009)
    # base 1,000,050, golongan IV: gross 1,000,050; tax 15% = 150,007.5 -> 150,008;
    # health 10,000.5 -> 10,001; net = 1,000,050 − 150,008 − 10,001 = 840,041
    r = compute_tpp(1_000_050, D("100"), D("0"), "PNS", "IV", D("0"))
    assert (r.tax, r.health, r.net) == (150_008, 10_001, 840_041)


def test_half_rupiah_gross_with_sanction():
    # base 1,000,002: performance 600,001.2 -> 600,001; discipline 400,000.8 -> 400,001
    # gross = 1,000,002 × 0.75 = 750,001.5 -> 750,002; golongan II tax 0; health 7,500.02 -> 7,500
    # net = 742,502
    r = compute_tpp(1_000_002, D("100"), D("0"), "PNS", "II", D("25"))
    assert (r.performance_part, r.discipline_part) == (600_001, 400_001)
    assert (r.gross, r.tax, r.health, r.net) == (750_002, 0, 7_500, 742_502)


def test_health_cap_golongan_iv():
    # base 30,000,000, score 100, no deduction: gross 30,000,000; tax 15% = 4,500,000
    # health 1% = 300,000 capped at 120,000 -> net 25,380,000 (uncapped: 25,200,000)
    capped = compute_tpp(30_000_000, D("100"), D("0"), "PNS", "IV", D("0"), TppParams(health_cap=120_000))
    assert (capped.health, capped.net) == (120_000, 25_380_000)
    plain = compute_tpp(30_000_000, D("100"), D("0"), "PNS", "IV", D("0"))
    assert (plain.health, plain.net) == (300_000, 25_200_000)


def test_pppk_and_custom_weights():
    # weights 0.70 / 0.30; base 4,000,000; score 90; deduction 5; PPPK mapped to group II
    # performance = 4,000,000 × 0.70 × 0.90 = 2,520,000; discipline = 4,000,000 × 0.30 × 0.95 = 1,140,000
    # gross 3,660,000 (no CPNS factor for PPPK); tax 0; health 36,600; net 3,623,400
    params = TppParams(weight_performance=D("0.70"), weight_discipline=D("0.30"))
    r = compute_tpp(4_000_000, D("90"), D("5"), "PPPK", "II", D("0"), params)
    assert (r.performance_part, r.discipline_part, r.gross, r.health, r.net) == (
        2_520_000, 1_140_000, 3_660_000, 36_600, 3_623_400,
    )


def test_zero_score_full_deduction_and_never_negative():
    r = compute_tpp(5_000_000, D("0"), D("100"), "PNS", "IV", D("0"))
    assert (r.gross, r.tax, r.health, r.net) == (0, 0, 0, 0)
    # A (silly but valid-looking) 100% tax: gross 1,000 − tax 1,000 − health 10 -> 0, not −10.
    params = TppParams(tax_rates={"I": 0, "II": 0, "III": 5, "IV": 100})
    assert compute_tpp(1_000, D("100"), D("0"), "PNS", "IV", D("0"), params).net == 0


def test_end_to_end_from_attendance():
    # Deduction: 3 TK days × 3% = 9% + one day 120 minutes late 1.5% = 10.50%.
    days = [AttendanceDay(MON + timedelta(days=i), "TK") for i in range(3)]
    days.append(AttendanceDay(date(2024, 5, 20), "HADIR", 120, 0))
    pct = deduction_percent(days)
    assert pct == D("10.50")
    # base 2,500,000; score 76.40; PNS III
    # performance = 1,500,000 × 0.764 = 1,146,000; discipline = 1,000,000 × 0.895 = 895,000
    # gross 2,041,000; tax 102,050; health 20,410; net 1,918,540
    r = compute_tpp(2_500_000, D("76.40"), pct, "PNS", "III")
    assert (r.gross, r.tax, r.health, r.net) == (2_041_000, 102_050, 20_410, 1_918_540)


def test_invalid_inputs():
    with pytest.raises(ValueError, match="Capaian kinerja"):
        compute_tpp(1_000, D("100.01"), D("0"), "PNS", "III")
    with pytest.raises(ValueError, match="Potongan disiplin"):
        compute_tpp(1_000, D("100"), D("-1"), "PNS", "III")
    with pytest.raises(ValueError, match="Jenis kepegawaian"):
        compute_tpp(1_000, D("100"), D("0"), "HONORER", "III")
    with pytest.raises(ValueError, match="Kelompok tarif PPh 21"):
        compute_tpp(1_000, D("100"), D("0"), "PNS", "V")
    with pytest.raises(ValueError, match="TPP dasar"):
        compute_tpp(-1, D("100"), D("0"), "PNS", "III")
    with pytest.raises(TypeError):
        compute_tpp(1_000, 99.5, D("0"), "PNS", "III")


# --- params ---------------------------------------------------------------------------------
def test_default_params_valid_and_hashable():
    p = TppParams()
    assert p.validate() == []
    assert p.tax_rates["IV"] == D("15") and p.late_bands[0] == Band(1, 30, D("0.5"))
    assert hash(p) == hash(TppParams())


def test_params_weights_must_sum_to_one():
    msgs = TppParams(weight_performance=D("0.60"), weight_discipline=D("0.50")).validate()
    assert msgs == ["Jumlah bobot kinerja (0.60) dan bobot disiplin (0.50) harus 1."]


def test_params_bad_bands():
    overlap = TppParams(late_bands=((1, 30, "0.5"), (25, 60, "1"), (61, None, "1.5"))).validate()
    assert any("tumpang tindih" in m for m in overlap)
    unordered = TppParams(early_bands=((31, 60, "1"), (1, 30, "0.5"), (61, None, "1.5"))).validate()
    assert any("dimulai dari 1 menit" in m for m in unordered)
    assert any("tumpang tindih atau tidak berurutan" in m for m in unordered)
    gap = TppParams(late_bands=((1, 30, "0.5"), (40, None, "1"))).validate()
    assert any("berlubang antara 30 dan 40" in m for m in gap)
    closed = TppParams(late_bands=((1, 30, "0.5"), (31, 90, "1"))).validate()
    assert any("tanpa batas atas" in m for m in closed)
    negative = TppParams(late_bands=((1, 30, "-0.5"), (31, None, "1"))).validate()
    assert any("tidak boleh negatif" in m for m in negative)


def test_params_negative_and_out_of_range():
    msgs = TppParams(
        tk_percent=D("-3"), cpns_factor=D("1.2"), health_rate=D("-1"), health_cap=-5,
        tax_rates={"I": 0, "II": 0, "III": 120},
    ).validate()
    assert "Potongan per hari TK tidak boleh negatif." in msgs
    assert "Faktor CPNS harus lebih dari 0 dan paling besar 1." in msgs
    assert "Tarif PPh 21 golongan IV belum diisi." in msgs
    assert "Tarif PPh 21 golongan III harus antara 0 dan 100%." in msgs
    assert "Tarif iuran kesehatan harus antara 0 dan 100%." in msgs
    assert "Batas iuran kesehatan tidak boleh negatif." in msgs
