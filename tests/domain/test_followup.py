"""Worked examples of app.domain.followup on hand-made predikat histories."""
from decimal import Decimal

from app.domain import followup as FU
from app.domain.predikat import BAIK, BUTUH_PERBAIKAN, KURANG, SANGAT_BAIK, SANGAT_KURANG

SB_SET = [SANGAT_BAIK]
BAD_SET = [KURANG, SANGAT_KURANG]


def hist(evals, bkn=None):
    return FU.history(evals, bkn or {})


def test_history_evaluation_wins_and_bkn_fills_a_missing_month():
    h = hist({(2026, 1): SANGAT_BAIK, (2026, 3): BAIK}, {(2026, 2): SANGAT_BAIK, (2026, 3): KURANG})
    assert [(e.period, e.predikat, e.source) for e in h] == [
        ((2026, 1), SANGAT_BAIK, FU.SOURCE_EVALUATION),
        ((2026, 2), SANGAT_BAIK, FU.SOURCE_BKN),  # no evaluation in February: BKN's predikat
        ((2026, 3), BAIK, FU.SOURCE_EVALUATION),  # the evaluation wins over BKN's KURANG
    ]


def test_bkn_predikat_filling_a_missing_evaluation_completes_a_streak():
    evals = {(2026, 4): SANGAT_BAIK, (2026, 6): SANGAT_BAIK}
    assert FU.candidate_streaks(hist(evals), SB_SET, 2, 2026) == []
    streaks = FU.candidate_streaks(hist(evals, {(2026, 5): SANGAT_BAIK}), SB_SET, 2, 2026)
    assert [(s.first, s.last, s.length) for s in streaks] == [((2026, 4), (2026, 6), 3)]


def test_a_gap_month_breaks_the_streak():
    # Jan, Feb SB; March no predikat at all; April, May SB: two streaks of two, not one of four.
    h = hist({(2026, 1): SANGAT_BAIK, (2026, 2): SANGAT_BAIK, (2026, 4): SANGAT_BAIK, (2026, 5): SANGAT_BAIK})
    assert [(s.first, s.last, s.length) for s in FU.streaks(h, SB_SET)] == [
        ((2026, 1), (2026, 2), 2), ((2026, 4), (2026, 5), 2)]
    assert FU.candidate_streaks(h, SB_SET, 3, 2026) == []
    assert [s.last for s in FU.candidate_streaks(h, SB_SET, 2, 2026)] == [(2026, 2), (2026, 5)]


def test_another_predikat_breaks_the_streak():
    h = hist({(2026, 1): KURANG, (2026, 2): BAIK, (2026, 3): SANGAT_KURANG, (2026, 4): KURANG})
    assert [(s.first, s.last, s.predikat) for s in FU.candidate_streaks(h, BAD_SET, 2, 2026)] == [
        ((2026, 3), (2026, 4), (SANGAT_KURANG, KURANG))]  # KURANG and SANGAT_KURANG mixed count together


def test_streak_across_the_year_boundary_belongs_to_the_year_of_its_last_period():
    h = hist({(2025, 11): SANGAT_BAIK, (2025, 12): SANGAT_BAIK, (2026, 1): SANGAT_BAIK})
    s2026 = FU.candidate_streaks(h, SB_SET, 2, 2026)
    assert [(s.first, s.last, s.length) for s in s2026] == [((2025, 11), (2026, 1), 3)]
    assert FU.candidate_streaks(h, SB_SET, 2, 2025) == []  # its last period is in 2026
    # Dec -> Jan is adjacent; Nov -> Jan is not.
    h2 = hist({(2025, 11): SANGAT_BAIK, (2026, 1): SANGAT_BAIK})
    assert FU.candidate_streaks(h2, SB_SET, 2, 2026) == []


def test_a_decision_within_the_streak_decides_the_grown_streak():
    h = hist({(2026, m): SANGAT_BAIK for m in (2, 3, 4)})
    (streak,) = FU.candidate_streaks(h, SB_SET, 2, 2026)
    assert streak.last == (2026, 4)
    assert FU.decided_in(streak, [(2026, 3)]) == (2026, 3)  # decided when the streak ended in March
    assert FU.decided_in(streak, [(2026, 1), (2026, 5)]) is None


def test_validate_rule():
    assert FU.validate_rule([SANGAT_BAIK], 2) == {}
    assert "predikat" in FU.validate_rule([], 2)
    assert "predikat" in FU.validate_rule(["LUAR_BIASA"], 2)
    assert "min_periods" in FU.validate_rule([BAIK], 0)
    assert "min_periods" in FU.validate_rule([BAIK], 25)
    assert FU.normalise_predikat([KURANG, SANGAT_BAIK, KURANG]) == [SANGAT_BAIK, KURANG]


def test_talent_box_levels_and_boxes():
    t = FU.PotentialThresholds(Decimal(60), Decimal(80))
    assert FU.potential_level(Decimal("59.99"), t) == FU.LOW
    assert FU.potential_level(60, t) == FU.MIDDLE
    assert FU.potential_level(Decimal("79.99"), t) == FU.MIDDLE
    assert FU.potential_level(80, t) == FU.HIGH
    assert FU.potential_level(None, t) is None
    assert FU.performance_level(SANGAT_BAIK) == FU.HIGH
    assert FU.performance_level(BAIK) == FU.MIDDLE
    assert FU.performance_level(BUTUH_PERBAIKAN) == FU.LOW
    assert FU.performance_level(None) is None
    assert FU.talent_box(FU.HIGH, FU.HIGH) == 9
    assert FU.talent_box(FU.MIDDLE, FU.HIGH) == 8
    assert FU.talent_box(FU.HIGH, FU.MIDDLE) == 7
    assert FU.talent_box(FU.LOW, FU.HIGH) == 6
    assert FU.talent_box(FU.MIDDLE, FU.MIDDLE) == 5
    assert FU.talent_box(FU.HIGH, FU.LOW) == 4
    assert FU.talent_box(FU.LOW, FU.MIDDLE) == 3
    assert FU.talent_box(FU.MIDDLE, FU.LOW) == 2
    assert FU.talent_box(FU.LOW, FU.LOW) == 1
    assert FU.talent_box(None, FU.HIGH) is None
    assert sorted(b for row in FU.GRID for b in row) == list(range(1, 10))
    assert FU.box_label(9) == "Kotak 9 — Bintang (Star)"
    assert FU.box_counts([9, 9, 1, None]) == {1: 1, 2: 0, 3: 0, 4: 0, 5: 0, 6: 0, 7: 0, 8: 0, 9: 2}


def test_year_performance_yearly_bkn_else_last_period_of_the_year():
    h = hist({(2026, 1): SANGAT_BAIK, (2026, 6): KURANG, (2027, 1): SANGAT_BAIK})
    assert FU.year_performance(h, 2026) == KURANG  # the last period of 2026
    assert FU.year_performance(h, 2026, bkn_yearly=BAIK) == BAIK
    assert FU.year_performance(h, 2025) is None


def test_history_score_over_the_last_twelve_months():
    h = hist({(2025, 12): SANGAT_KURANG, (2026, 1): SANGAT_BAIK, (2026, 2): BAIK, (2026, 3): KURANG})
    assert FU.history_score(h, 2026) == Decimal("2.67")  # (4 + 3 + 1) / 3; December 2025 is outside
    assert FU.history_score(h, 2024) is None


def _a(nip, golongan="III/c", kelas=8, box=None, score=None, kind="PNS", eid=None):
    return FU.Applicant(eid or int(nip[-3:]), nip, kind, golongan, kelas, box,
                        None if score is None else Decimal(score))


def test_eligibility_golongan_kelas_and_kind():
    assert FU.minimum_golongan("PENGAWAS", None) == "III/b"
    assert FU.minimum_golongan("JF_KEAHLIAN", "Ahli Muda") == "III/c"
    assert FU.ineligibility(_a("199001012015011001", "III/a"), 9, "III/b", 2) == (
        "Golongan III/a di bawah golongan minimal III/b.")
    assert FU.ineligibility(_a("199001012015011001", "III/b", kelas=6), 9, "III/b", 2) == (
        "Kelas jabatan 6 di luar rentang 9 ± 2.")
    assert FU.ineligibility(_a("199001012015011001", "III/b", kelas=7), 9, "III/b", 2) is None
    assert FU.ineligibility(_a("199001012015011001", "III/b", kelas=11), 9, "III/b", 2) is None
    assert FU.ineligibility(_a("199001012015011001", "IX", kind="PPPK"), 9, "III/b", 2) == "Bukan PNS."
    assert FU.ineligibility(_a("199001012015011001", kelas=None), 9, None, 2) == (
        "Kelas jabatan pegawai belum ditetapkan.")


def test_ranking_box_then_history_then_golongan_then_nip():
    a = _a("199001012015011005", "III/c", box=9, score="3.00")
    b = _a("199001012015011004", "III/d", box=8, score="4.00")   # lower box loses despite history
    c = _a("199001012015011003", "III/c", box=9, score="3.50")   # same box, better history: first
    d = _a("199001012015011002", "IV/a", box=9, score="3.00")    # ties a on box and history, higher golongan
    e = _a("199001012015011001", "III/c", box=9, score="3.00")   # ties a completely: NIP decides
    f = _a("199001012015011006", "III/c", box=None, score="4.00")  # no box: last
    g = _a("199001012015011007", "II/d", box=9, score="4.00")    # not eligible (golongan)
    ranked = FU.rank_applicants([a, b, c, d, e, f, g], 9, "III/b", 2)
    assert [x.nip[-3:] for x in ranked] == ["003", "002", "001", "005", "004", "006"]


def test_ranking_missing_history_after_any_history():
    x = _a("199001012015011001", box=5, score=None)
    y = _a("199001012015011002", box=5, score="0.00")
    assert [r.nip for r in FU.rank_applicants([x, y], 8, None, 2)] == [y.nip, x.nip]
