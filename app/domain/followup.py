"""Follow-up (tindak lanjut) of the performance cycle: predikat history, BKD's rules, the talent
box (nine boxes) and the ranking of candidates for a vacant position. Plain Python.

Predikat history
    One entry per monthly period (year, month). The predikat of a period is that of the
    periodic Evaluation of that period; where there is none, the BKN e-Kinerja predikat of that
    month (BknPredikat with a month) fills it. Yearly BKN predikat (month NULL) are not periods.

Rules (FollowupRule)
    A rule names a set of predikat and `min_periods`. A streak is a run of periods whose
    predikat is in the set, each period the month right after the previous one (a month with no
    predikat, or one outside the set, ends the run; a run continues across the year boundary,
    December -> January). Every streak of at least `min_periods` periods whose LAST period lies
    in the rule's year makes the employee a candidate, with that last period. A decision
    recorded for any period of the streak decides the candidate (the streak may have grown
    since: it is still the same candidate).

Talent box (PermenPAN-RB 3/2020 manajemen talenta ASN, nine boxes)
    Performance of a year: the yearly BKN predikat of that year when imported (the official
    annual predikat), else the predikat of the LAST period of that year that has one.
    SANGAT_BAIK -> high (3), BAIK -> middle (2), BUTUH_PERBAIKAN / KURANG / SANGAT_KURANG -> low (1).
    Potential: the PotentialAssessment score of that year (0-100) against BKD's yearly
    parameters: below `potential_low_below` -> low (1), from `potential_high_from` -> high (3),
    between -> middle (2). The box (layout of PermenPAN-RB 3/2020)::

        potensi tinggi    |  6  |  8  |  9
        potensi menengah  |  3  |  5  |  7
        potensi rendah    |  1  |  2  |  4
                            kinerja rendah / menengah / tinggi

    Either level missing: no box. A higher box number is the better talent.

Vacancy candidates
    Eligible: an active PNS (the talent pool of PermenPAN-RB 3/2020 is for PNS; CPNS and PPPK are
    not promoted through it) whose golongan is at least the position's minimum golongan -- the
    first golongan of app.domain.positions.typical_golongan(kind, level) (no minimum where that
    mapping has none) -- and whose current position's kelas jabatan lies within
    `vacancy_kelas_band` kelas of the vacant position's kelas (|current - vacant| <= band).
    Ranked by talent box (higher first, none last), then predikat history score (higher first,
    none last), then golongan (higher first), then NIP (ascending) as the tie-break.
    History score: the mean of the points of the periods of the 12 months up to December of
    the year (SANGAT_BAIK 4, BAIK 3, BUTUH_PERBAIKAN 2, KURANG 1, SANGAT_KURANG 0), two decimals.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Iterable, Mapping, Optional, Sequence

from app.domain import predikat as PR
from app.domain.golongan import golongan_rank
from app.domain.positions import typical_golongan

Period = tuple[int, int]  # (year, month)

SOURCE_EVALUATION = "PENILAIAN"
SOURCE_BKN = "BKN"
SOURCE_LABELS = {SOURCE_EVALUATION: "Penilaian periodik", SOURCE_BKN: "Predikat BKN"}

KIND_REWARD = "REWARD"
KIND_DEVELOPMENT = "DEVELOPMENT"
KIND_SANCTION = "SANCTION"
KIND_LABELS = {KIND_REWARD: "Penghargaan", KIND_DEVELOPMENT: "Pengembangan", KIND_SANCTION: "Sanksi"}

ACCEPTED = "ACCEPTED"
DECLINED = "DECLINED"
DECISION_LABELS = {ACCEPTED: "Diterima", DECLINED: "Ditolak"}

LOW, MIDDLE, HIGH = 1, 2, 3
LEVEL_LABELS = {LOW: "Rendah", MIDDLE: "Menengah", HIGH: "Tinggi"}
PERFORMANCE_LEVEL = {PR.SANGAT_BAIK: HIGH, PR.BAIK: MIDDLE, PR.BUTUH_PERBAIKAN: LOW, PR.KURANG: LOW,
                     PR.SANGAT_KURANG: LOW}

# (performance level, potential level) -> box number (PermenPAN-RB 3/2020 layout)
BOX_OF = {
    (LOW, LOW): 1, (MIDDLE, LOW): 2, (LOW, MIDDLE): 3,
    (HIGH, LOW): 4, (MIDDLE, MIDDLE): 5, (LOW, HIGH): 6,
    (HIGH, MIDDLE): 7, (MIDDLE, HIGH): 8, (HIGH, HIGH): 9,
}
LEVELS_OF_BOX = {box: levels for levels, box in BOX_OF.items()}
# Indonesian names of the nine boxes (with the usual English 9-box name) and the follow-up
# PermenPAN-RB 3/2020 suggests for each.
BOX_NAMES = {
    9: "Bintang (Star)",
    8: "Potensi Tinggi (High Potential)",
    7: "Kinerja Tinggi (High Performer)",
    6: "Berlian Kasar (Rough Diamond)",
    5: "Pemain Inti (Core Player)",
    4: "Profesional Andal (Solid Professional)",
    3: "Belum Konsisten (Inconsistent Player)",
    2: "Kinerja Cukup (Average Performer)",
    1: "Perlu Perhatian (Talent Risk)",
}
BOX_ADVICE = {
    9: "Masuk kelompok rencana suksesi; dipromosikan dan dipertahankan.",
    8: "Masuk kelompok rencana suksesi; rotasi dan pengembangan kompetensi.",
    7: "Masuk kelompok rencana suksesi; rotasi dan pengembangan kompetensi.",
    6: "Rotasi dan pengembangan kompetensi; bimbingan kinerja.",
    5: "Pengembangan kompetensi; rotasi.",
    4: "Pengembangan kompetensi; dipertahankan pada jabatannya.",
    3: "Bimbingan kinerja dan konseling kinerja.",
    2: "Bimbingan kinerja dan pengembangan kompetensi.",
    1: "Konseling kinerja; diproses sesuai ketentuan bila tidak membaik.",
}
# Rows of the 3x3 grid, top to bottom (potential high first), columns performance low -> high.
GRID = ((6, 8, 9), (3, 5, 7), (1, 2, 4))

HISTORY_POINTS = {PR.SANGAT_BAIK: 4, PR.BAIK: 3, PR.BUTUH_PERBAIKAN: 2, PR.KURANG: 1, PR.SANGAT_KURANG: 0}
HISTORY_MONTHS = 12


def period_index(p: Period) -> int:
    return p[0] * 12 + (p[1] - 1)


def period_of_index(i: int) -> Period:
    return i // 12, i % 12 + 1


@dataclass(frozen=True)
class Entry:
    period: Period
    predikat: str
    source: str  # SOURCE_EVALUATION or SOURCE_BKN


def history(evaluations: Mapping[Period, str], bkn_monthly: Mapping[Period, str]) -> list[Entry]:
    """The predikat history of one employee, ordered by period: the evaluation's predikat, else
    the BKN predikat of that month."""
    entries = {p: Entry(p, code, SOURCE_EVALUATION) for p, code in evaluations.items() if code}
    for p, code in bkn_monthly.items():
        if code and p not in entries:
            entries[p] = Entry(p, code, SOURCE_BKN)
    return [entries[p] for p in sorted(entries)]


# --------------------------------------------------------------------------- rules
MSG_PREDIKAT_EMPTY = "Pilih sedikitnya satu predikat."
MSG_MIN_PERIODS = "Jumlah periode berturut-turut harus antara 1 dan 24."


@dataclass(frozen=True)
class Streak:
    first: Period
    last: Period
    length: int
    predikat: tuple[str, ...]  # the predikat of each period, in order

    def covers(self, p: Period) -> bool:
        return period_index(self.first) <= period_index(p) <= period_index(self.last)


def streaks(entries: Sequence[Entry], predikat_set: Iterable[str]) -> list[Streak]:
    """Runs of adjacent monthly periods whose predikat is in the set (no gap, no other predikat)."""
    wanted = set(predikat_set)
    runs: list[Streak] = []
    current: list[Entry] = []

    def close():
        if current:
            runs.append(Streak(current[0].period, current[-1].period, len(current),
                               tuple(e.predikat for e in current)))

    for entry in sorted(entries, key=lambda e: period_index(e.period)):
        if entry.predikat not in wanted:
            close()
            current = []
            continue
        if current and period_index(entry.period) != period_index(current[-1].period) + 1:
            close()
            current = []
        current.append(entry)
    close()
    return runs


def candidate_streaks(entries: Sequence[Entry], predikat_set: Iterable[str], min_periods: int,
                      year: int) -> list[Streak]:
    """The streaks making the employee a candidate of a rule of `year` (see module docstring)."""
    return [s for s in streaks(entries, predikat_set) if s.length >= min_periods and s.last[0] == year]


def decided_in(streak: Streak, decided_periods: Iterable[Period]) -> Optional[Period]:
    """The period of a decision already recorded for this streak, or None."""
    return next((p for p in sorted(decided_periods, key=period_index) if streak.covers(p)), None)


def validate_rule(predikat_codes: Iterable[str], min_periods) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    codes = list(predikat_codes or [])
    if not codes:
        errors["predikat"] = [MSG_PREDIKAT_EMPTY]
    else:
        unknown = [c for c in codes if c not in PR.PREDIKAT_ORDER]
        if unknown:
            errors["predikat"] = [f"Predikat tidak dikenal: {', '.join(map(str, unknown))}."]
    if isinstance(min_periods, bool) or not isinstance(min_periods, int) or not 1 <= min_periods <= 24:
        errors["min_periods"] = [MSG_MIN_PERIODS]
    return errors


def normalise_predikat(codes: Iterable[str]) -> list[str]:
    """The codes in the order of PREDIKAT_ORDER, without repeats."""
    wanted = set(codes)
    return [c for c in PR.PREDIKAT_ORDER if c in wanted]


# --------------------------------------------------------------------------- talent box
@dataclass(frozen=True)
class PotentialThresholds:
    low_below: Decimal
    high_from: Decimal

    def validate(self) -> list[str]:
        if self.low_below > self.high_from:
            return ["Batas potensi rendah harus lebih kecil atau sama dengan batas potensi tinggi."]
        return []


def year_performance(entries: Sequence[Entry], year: int, bkn_yearly: Optional[str] = None) -> Optional[str]:
    """The predikat standing for the year's performance (see module docstring)."""
    if bkn_yearly:
        return bkn_yearly
    of_year = [e for e in entries if e.period[0] == year]
    return max(of_year, key=lambda e: period_index(e.period)).predikat if of_year else None


def performance_level(predikat_code: Optional[str]) -> Optional[int]:
    return PERFORMANCE_LEVEL.get(predikat_code) if predikat_code else None


def potential_level(score, thresholds: PotentialThresholds) -> Optional[int]:
    if score is None:
        return None
    value = Decimal(str(score))
    if value < thresholds.low_below:
        return LOW
    if value >= thresholds.high_from:
        return HIGH
    return MIDDLE


def talent_box(perf_level: Optional[int], pot_level: Optional[int]) -> Optional[int]:
    if perf_level is None or pot_level is None:
        return None
    return BOX_OF[(perf_level, pot_level)]


def box_label(box: Optional[int]) -> str:
    return f"Kotak {box} — {BOX_NAMES[box]}" if box else "Belum dapat ditentukan"


def box_counts(boxes: Iterable[Optional[int]]) -> dict[int, int]:
    """Employees per box 1..9 (every box present, zero included)."""
    counted = Counter(b for b in boxes if b)
    return {b: counted.get(b, 0) for b in range(1, 10)}


# --------------------------------------------------------------------------- vacancy
def history_score(entries: Sequence[Entry], year: int, months: int = HISTORY_MONTHS) -> Optional[Decimal]:
    """Mean points of the periods of the `months` months ending December of `year`."""
    last = period_index((year, 12))
    points = [HISTORY_POINTS[e.predikat] for e in entries
              if last - months < period_index(e.period) <= last and e.predikat in HISTORY_POINTS]
    if not points:
        return None
    return (Decimal(sum(points)) / Decimal(len(points))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def minimum_golongan(kind: str, level: Optional[str]) -> Optional[str]:
    span = typical_golongan(kind, level)
    return span[0] if span else None


@dataclass(frozen=True)
class Applicant:
    employee_id: int
    nip: str
    kind: str  # PNS / CPNS / PPPK
    golongan: str
    kelas: Optional[int]  # kelas jabatan of the current position
    box: Optional[int]
    score: Optional[Decimal]


def ineligibility(a: Applicant, vacant_kelas: Optional[int], min_golongan: Optional[str], band: int) -> Optional[str]:
    """Why the applicant is not eligible, or None."""
    if a.kind != "PNS":
        return "Bukan PNS."
    if min_golongan is not None:
        try:
            if golongan_rank(a.golongan) < golongan_rank(min_golongan):
                return f"Golongan {a.golongan} di bawah golongan minimal {min_golongan}."
        except ValueError:
            return f"Golongan {a.golongan} tidak dikenal."
    if vacant_kelas is None:
        return "Kelas jabatan yang lowong belum ditetapkan."
    if a.kelas is None:
        return "Kelas jabatan pegawai belum ditetapkan."
    if abs(a.kelas - vacant_kelas) > band:
        return f"Kelas jabatan {a.kelas} di luar rentang {vacant_kelas} ± {band}."
    return None


def rank_key(a: Applicant):
    gol = golongan_rank(a.golongan) if a.kind == "PNS" else 0
    return (-(a.box or 0), -(a.score if a.score is not None else Decimal(-1)), -gol, a.nip)


def rank_applicants(applicants: Iterable[Applicant], vacant_kelas: Optional[int], min_golongan: Optional[str],
                    band: int) -> list[Applicant]:
    """The eligible applicants, best first (see module docstring)."""
    eligible = [a for a in applicants if ineligibility(a, vacant_kelas, min_golongan, band) is None]
    return sorted(eligible, key=rank_key)
