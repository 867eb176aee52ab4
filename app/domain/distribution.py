"""Predikat distribution check against the organisation predikat (SE MenPAN-RB 3/2023).

BKD sets each OPD's organisation predikat for the period; the employees' predikat in that OPD
must fit it (design section 4). Shares are "employees with predikat X / all employees with a
predikat in that OPD". Comparisons are exact (count × 100 against limit × total, no rounding),
so "at most 70%" passes at exactly 70% and fails at 70.01%; percentages in messages are rounded
to two decimals for display only. An OPD without rated employees has no violations.

Rules (every number is a ``DistributionParams`` field with this default):
    ISTIMEWA         ISTIMEWA_MAX_SB      share SANGAT_BAIK <= 70%
    BAIK             BAIK_MAX_BAIK        share BAIK <= 70%
                     BAIK_MIN_BP_K        count BUTUH_PERBAIKAN + KURANG >= 1
    BUTUH_PERBAIKAN  BP_MIN_BP            share BUTUH_PERBAIKAN >= 60%
                     BP_MAX_SB            share SANGAT_BAIK <= 10%
    KURANG           K_MIN_K              share KURANG >= 60%
                     K_MIN_BP             share BUTUH_PERBAIKAN >= 10%
                     K_MAX_SB             share SANGAT_BAIK <= 10%
    SANGAT_KURANG    SK_MIN_SK            share SANGAT_KURANG >= 60%
                     SK_MIN_K_BP          share KURANG + BUTUH_PERBAIKAN >= 10%
                     SK_NO_SB             count SANGAT_BAIK <= 0 (none)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from app.domain.money import HUNDRED, format_pct, round_pct, to_decimal
from app.domain.predikat import (
    BAIK,
    BUTUH_PERBAIKAN,
    KURANG,
    PREDIKAT_LABELS,
    PREDIKAT_ORDER,
    SANGAT_BAIK,
    SANGAT_KURANG,
)

# --- organisation predikat ------------------------------------------------------------------
ORG_ISTIMEWA = "ISTIMEWA"
ORG_BAIK = "BAIK"
ORG_BUTUH_PERBAIKAN = "BUTUH_PERBAIKAN"
ORG_KURANG = "KURANG"
ORG_SANGAT_KURANG = "SANGAT_KURANG"
ORG_PREDIKAT = (ORG_ISTIMEWA, ORG_BAIK, ORG_BUTUH_PERBAIKAN, ORG_KURANG, ORG_SANGAT_KURANG)
ORG_PREDIKAT_LABELS = {
    ORG_ISTIMEWA: "Istimewa",
    ORG_BAIK: "Baik",
    ORG_BUTUH_PERBAIKAN: "Butuh Perbaikan",
    ORG_KURANG: "Kurang",
    ORG_SANGAT_KURANG: "Sangat Kurang",
}

# --- rule codes -----------------------------------------------------------------------------
ISTIMEWA_MAX_SB = "ISTIMEWA_MAX_SB"
BAIK_MAX_BAIK = "BAIK_MAX_BAIK"
BAIK_MIN_BP_K = "BAIK_MIN_BP_K"
BP_MIN_BP = "BP_MIN_BP"
BP_MAX_SB = "BP_MAX_SB"
K_MIN_K = "K_MIN_K"
K_MIN_BP = "K_MIN_BP"
K_MAX_SB = "K_MAX_SB"
SK_MIN_SK = "SK_MIN_SK"
SK_MIN_K_BP = "SK_MIN_K_BP"
SK_NO_SB = "SK_NO_SB"

MAX = "MAX"
MIN = "MIN"
PERCENT = "PERCENT"
COUNT = "COUNT"


@dataclass(frozen=True)
class DistributionParams:
    istimewa_max_sangat_baik_pct: Decimal = Decimal("70")
    baik_max_baik_pct: Decimal = Decimal("70")
    baik_min_bp_or_kurang_count: int = 1
    bp_min_bp_pct: Decimal = Decimal("60")
    bp_max_sangat_baik_pct: Decimal = Decimal("10")
    kurang_min_kurang_pct: Decimal = Decimal("60")
    kurang_min_bp_pct: Decimal = Decimal("10")
    kurang_max_sangat_baik_pct: Decimal = Decimal("10")
    sk_min_sk_pct: Decimal = Decimal("60")
    sk_min_kurang_or_bp_pct: Decimal = Decimal("10")
    sk_max_sangat_baik_count: int = 0

    def __post_init__(self) -> None:
        for name, value in vars(self).items():
            if name.endswith("_pct"):
                object.__setattr__(self, name, to_decimal(value))

    def validate(self) -> list[str]:
        errors = []
        for name, value in vars(self).items():
            if name.endswith("_pct") and not Decimal(0) <= value <= HUNDRED:
                errors.append(f"Batas persentase {name} harus antara 0 dan 100.")
            if name.endswith("_count") and value < 0:
                errors.append(f"Batas jumlah {name} tidak boleh negatif.")
        return errors


@dataclass(frozen=True)
class Violation:
    """One broken rule: code, Indonesian message and the figures behind it."""

    rule: str
    message: str
    predikat: tuple[str, ...]  # employee predikat codes counted by the rule
    kind: str  # MAX or MIN
    unit: str  # PERCENT or COUNT
    limit: Decimal | int
    actual_count: int
    total: int
    actual_percent: Decimal


def _names(codes: tuple[str, ...]) -> str:
    return " atau ".join(PREDIKAT_LABELS[c] for c in codes)


def check_distribution(
    org_predikat: str,
    counts: Mapping[str, int],
    params: DistributionParams = DistributionParams(),
) -> list[Violation]:
    """Violations of the rules of ``org_predikat`` for employee predikat ``counts``."""
    if org_predikat not in ORG_PREDIKAT:
        raise ValueError(f"Predikat organisasi tidak dikenal: {org_predikat!r}.")
    unknown = sorted(set(counts) - set(PREDIKAT_ORDER))
    if unknown:
        raise ValueError(f"Predikat pegawai tidak dikenal: {', '.join(unknown)}.")
    if any(n < 0 for n in counts.values()):
        raise ValueError("Jumlah pegawai per predikat tidak boleh negatif.")
    total = sum(counts.values())
    if total == 0:
        return []

    p = params
    org_label = ORG_PREDIKAT_LABELS[org_predikat]
    violations: list[Violation] = []

    def rule(code: str, codes: tuple[str, ...], kind: str, unit: str, limit) -> None:
        n = sum(counts.get(c, 0) for c in codes)
        pct = round_pct(Decimal(n) * HUNDRED / Decimal(total))
        if unit == PERCENT:
            ok = n * HUNDRED <= limit * total if kind == MAX else n * HUNDRED >= limit * total
            bound = format_pct(limit)
            actual = f"{n} dari {total} pegawai ({format_pct(pct)})"
        else:
            ok = n <= limit if kind == MAX else n >= limit
            bound = f"{limit} pegawai"
            actual = f"{n} dari {total} pegawai"
        if ok:
            return
        if unit == COUNT and kind == MAX and limit == 0:
            requirement = f"tidak boleh ada pegawai berpredikat {_names(codes)}"
        elif kind == MAX:
            requirement = f"pegawai berpredikat {_names(codes)} paling banyak {bound}"
        else:
            requirement = f"pegawai berpredikat {_names(codes)} paling sedikit {bound}"
        message = f"Predikat organisasi {org_label}: {requirement}, saat ini {actual}."
        violations.append(Violation(code, message, codes, kind, unit, limit, n, total, pct))

    if org_predikat == ORG_ISTIMEWA:
        rule(ISTIMEWA_MAX_SB, (SANGAT_BAIK,), MAX, PERCENT, p.istimewa_max_sangat_baik_pct)
    elif org_predikat == ORG_BAIK:
        rule(BAIK_MAX_BAIK, (BAIK,), MAX, PERCENT, p.baik_max_baik_pct)
        rule(BAIK_MIN_BP_K, (BUTUH_PERBAIKAN, KURANG), MIN, COUNT, p.baik_min_bp_or_kurang_count)
    elif org_predikat == ORG_BUTUH_PERBAIKAN:
        rule(BP_MIN_BP, (BUTUH_PERBAIKAN,), MIN, PERCENT, p.bp_min_bp_pct)
        rule(BP_MAX_SB, (SANGAT_BAIK,), MAX, PERCENT, p.bp_max_sangat_baik_pct)
    elif org_predikat == ORG_KURANG:
        rule(K_MIN_K, (KURANG,), MIN, PERCENT, p.kurang_min_kurang_pct)
        rule(K_MIN_BP, (BUTUH_PERBAIKAN,), MIN, PERCENT, p.kurang_min_bp_pct)
        rule(K_MAX_SB, (SANGAT_BAIK,), MAX, PERCENT, p.kurang_max_sangat_baik_pct)
    else:
        rule(SK_MIN_SK, (SANGAT_KURANG,), MIN, PERCENT, p.sk_min_sk_pct)
        rule(SK_MIN_K_BP, (KURANG, BUTUH_PERBAIKAN), MIN, PERCENT, p.sk_min_kurang_or_bp_pct)
        rule(SK_NO_SB, (SANGAT_BAIK,), MAX, COUNT, p.sk_max_sangat_baik_count)
    return violations
