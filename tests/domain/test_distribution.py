"""Distribution check: each of the eleven rule clauses passing and failing."""

from decimal import Decimal

import pytest

from app.domain.distribution import (
    BAIK_MAX_BAIK,
    BAIK_MIN_BP_K,
    BP_MAX_SB,
    BP_MIN_BP,
    ISTIMEWA_MAX_SB,
    K_MAX_SB,
    K_MIN_BP,
    K_MIN_K,
    ORG_BAIK,
    ORG_BUTUH_PERBAIKAN,
    ORG_ISTIMEWA,
    ORG_KURANG,
    ORG_PREDIKAT,
    ORG_SANGAT_KURANG,
    SK_MIN_K_BP,
    SK_MIN_SK,
    SK_NO_SB,
    DistributionParams,
    check_distribution,
)

SB, B, BP, K, SK = "SANGAT_BAIK", "BAIK", "BUTUH_PERBAIKAN", "KURANG", "SANGAT_KURANG"


def rules(org, counts):
    return [v.rule for v in check_distribution(org, counts)]


@pytest.mark.parametrize("org", ORG_PREDIKAT)
def test_empty_opd_has_no_violations(org):
    assert check_distribution(org, {}) == []
    assert check_distribution(org, {SB: 0, B: 0}) == []


def test_istimewa():
    # 7 of 10 Sangat Baik = 70% -> allowed (at most 70%).
    assert rules(ORG_ISTIMEWA, {SB: 7, B: 3}) == []
    # 8 of 10 = 80% -> violation.
    [v] = check_distribution(ORG_ISTIMEWA, {SB: 8, B: 2})
    assert v.rule == ISTIMEWA_MAX_SB
    assert (v.actual_count, v.total, v.actual_percent, v.limit) == (8, 10, Decimal("80.00"), Decimal("70"))
    assert v.message == (
        "Predikat organisasi Istimewa: pegawai berpredikat Sangat Baik paling banyak 70,00%, "
        "saat ini 8 dari 10 pegawai (80,00%)."
    )


def test_istimewa_exact_comparison_not_rounded():
    # 17501 / 25000 = 70.004% displays as 70,00% but is more than 70%: a violation.
    [v] = check_distribution(ORG_ISTIMEWA, {SB: 17501, B: 7499})
    assert v.actual_percent == Decimal("70.00")
    # 2333 / 3333 = 69.9969…% -> allowed.
    assert rules(ORG_ISTIMEWA, {SB: 2333, B: 1000}) == []


def test_baik():
    # 7 Baik of 10 (70%) and 1 Butuh Perbaikan -> allowed.
    assert rules(ORG_BAIK, {B: 7, SB: 2, BP: 1}) == []
    # A Kurang also satisfies "at least one BP or Kurang".
    assert rules(ORG_BAIK, {B: 5, SB: 4, K: 1}) == []
    # 8 Baik (80%) and none BP/Kurang -> both clauses fail.
    assert rules(ORG_BAIK, {B: 8, SB: 2}) == [BAIK_MAX_BAIK, BAIK_MIN_BP_K]
    # 7 Baik (70%, fine) + 3 Sangat Baik: only the "at least one" clause fails.
    [v] = check_distribution(ORG_BAIK, {B: 7, SB: 3})
    assert v.rule == BAIK_MIN_BP_K
    assert v.message == (
        "Predikat organisasi Baik: pegawai berpredikat Butuh Perbaikan atau Kurang/Misconduct "
        "paling sedikit 1 pegawai, saat ini 0 dari 10 pegawai."
    )
    # Sangat Kurang does not count for that clause.
    assert rules(ORG_BAIK, {B: 6, SB: 3, SK: 1}) == [BAIK_MIN_BP_K]


def test_butuh_perbaikan():
    # 6 BP of 10 (60%) and 1 SB (10%) -> allowed.
    assert rules(ORG_BUTUH_PERBAIKAN, {BP: 6, SB: 1, B: 3}) == []
    # 5 BP (50% < 60%) and 2 SB (20% > 10%) -> both fail.
    violations = check_distribution(ORG_BUTUH_PERBAIKAN, {BP: 5, SB: 2, B: 3})
    assert [v.rule for v in violations] == [BP_MIN_BP, BP_MAX_SB]
    assert "paling sedikit 60,00%, saat ini 5 dari 10 pegawai (50,00%)" in violations[0].message
    assert "paling banyak 10,00%, saat ini 2 dari 10 pegawai (20,00%)" in violations[1].message


def test_kurang():
    # 6 K (60%), 1 BP (10%), 1 SB (10%) -> allowed.
    assert rules(ORG_KURANG, {K: 6, BP: 1, SB: 1, B: 2}) == []
    # 6 K, no BP (0% < 10%), 2 SB (20% > 10%).
    assert rules(ORG_KURANG, {K: 6, SB: 2, B: 2}) == [K_MIN_BP, K_MAX_SB]
    # 5 K of 10 (50% < 60%), BP 10%.
    assert rules(ORG_KURANG, {K: 5, BP: 1, SK: 4}) == [K_MIN_K]


def test_sangat_kurang():
    # 6 SK (60%), 1 K (10%), no SB -> allowed; 1 BP instead of K also satisfies it.
    assert rules(ORG_SANGAT_KURANG, {SK: 6, K: 1, B: 3}) == []
    assert rules(ORG_SANGAT_KURANG, {SK: 6, BP: 1, B: 3}) == []
    # 5 SK (50%), 0 K/BP, 1 SB -> all three clauses fail.
    violations = check_distribution(ORG_SANGAT_KURANG, {SK: 5, SB: 1, B: 4})
    assert [v.rule for v in violations] == [SK_MIN_SK, SK_MIN_K_BP, SK_NO_SB]
    assert violations[2].message == (
        "Predikat organisasi Sangat Kurang: tidak boleh ada pegawai berpredikat Sangat Baik, "
        "saat ini 1 dari 10 pegawai."
    )


def test_custom_params():
    params = DistributionParams(istimewa_max_sangat_baik_pct=Decimal("80"))
    assert check_distribution(ORG_ISTIMEWA, {SB: 8, B: 2}, params) == []


def test_invalid_input():
    with pytest.raises(ValueError, match="Predikat organisasi tidak dikenal"):
        check_distribution("HEBAT", {SB: 1})
    with pytest.raises(ValueError, match="Predikat pegawai tidak dikenal"):
        check_distribution(ORG_BAIK, {"ISTIMEWA": 1})
    with pytest.raises(ValueError, match="negatif"):
        check_distribution(ORG_BAIK, {B: -1})


def test_params_validate():
    assert DistributionParams().validate() == []
    msgs = DistributionParams(bp_min_bp_pct=Decimal("120"), baik_min_bp_or_kurang_count=-1).validate()
    assert len(msgs) == 2
