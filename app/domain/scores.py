"""Monthly work score (capaian kinerja) per employee per period — design section 4.

    working days  = weekdays of the month (5- or 6-day unit) − holidays
                    − days whose attendance status reduces the target (CUTI, SAKIT, DL)
    target        = working days × effective_minutes_per_day (300)
    recognised    = Σ over days of min(cap, approved claimed minutes that day)  (cap 450)
    work score %  = min(100, recognised / target × 100), 2 decimals half up;
                    target 0 (a whole month of authorised absence) -> 100.00

Recognised minutes count every day with approved work (a Saturday or a leave day too); only
the target is limited to working days.

Suggested rating hasil kerja (the superior decides; this is only the hint shown next to the
score), thresholds are parameters (``RatingThresholds``), defaults:
    score >= 100.00 -> DI_ATAS   (the full monthly target reached; the score is capped at 100,
                                  so this is the highest measurable result)
    score >=  80.00 -> SESUAI
    otherwise       -> DI_BAWAH
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from app.domain.calendar import working_days_in_month
from app.domain.money import HUNDRED, round_pct, to_decimal
from app.domain.predikat import DI_ATAS, DI_BAWAH, SESUAI

# Attendance statuses imported from the city's attendance system.
HADIR = "HADIR"
IZIN = "IZIN"
SAKIT = "SAKIT"
CUTI = "CUTI"
DL = "DL"
TK = "TK"
ATTENDANCE_STATUSES = (HADIR, IZIN, SAKIT, CUTI, DL, TK)
ATTENDANCE_LABELS = {
    HADIR: "Hadir",
    IZIN: "Izin",
    SAKIT: "Sakit",
    CUTI: "Cuti",
    DL: "Dinas Luar",
    TK: "Tanpa Keterangan",
}



@dataclass(frozen=True)
class RatingThresholds:
    """Minimum work score for each suggested rating hasil kerja."""

    di_atas_min: Decimal = Decimal("100")
    sesuai_min: Decimal = Decimal("80")

    def __post_init__(self) -> None:
        object.__setattr__(self, "di_atas_min", to_decimal(self.di_atas_min))
        object.__setattr__(self, "sesuai_min", to_decimal(self.sesuai_min))

    def validate(self) -> list[str]:
        errors = []
        for name, value in (("Di Atas Ekspektasi", self.di_atas_min), ("Sesuai Ekspektasi", self.sesuai_min)):
            if not Decimal(0) <= value <= HUNDRED:
                errors.append(f"Ambang nilai untuk rating {name} harus antara 0 dan 100.")
        if self.sesuai_min > self.di_atas_min:
            errors.append(
                "Ambang nilai rating Sesuai Ekspektasi tidak boleh lebih tinggi dari ambang Di Atas Ekspektasi."
            )
        return errors


@dataclass(frozen=True)
class ScoreParams:
    effective_minutes_per_day: int = 300
    reducing_statuses: frozenset[str] = frozenset({CUTI, SAKIT, DL})
    rating_thresholds: RatingThresholds = field(default_factory=RatingThresholds)

    def __post_init__(self) -> None:
        object.__setattr__(self, "reducing_statuses", frozenset(self.reducing_statuses))

    def validate(self) -> list[str]:
        errors = []
        if not 1 <= self.effective_minutes_per_day <= 24 * 60:
            errors.append("Menit kerja efektif per hari harus antara 1 dan 1440 menit.")
        unknown = sorted(self.reducing_statuses - set(ATTENDANCE_STATUSES))
        if unknown:
            errors.append(f"Status kehadiran tidak dikenal: {', '.join(unknown)}.")
        wrong = sorted(self.reducing_statuses & {HADIR, TK})
        if wrong:
            errors.append(
                f"Status {', '.join(wrong)} tidak boleh mengurangi hari kerja; "
                "hanya ketidakhadiran yang sah (misalnya CUTI, SAKIT, DL)."
            )
        errors.extend(self.rating_thresholds.validate())
        return errors


def target_minutes(working_days: int, params: ScoreParams = ScoreParams()) -> int:
    if working_days < 0:
        raise ValueError("Jumlah hari kerja tidak boleh negatif.")
    return working_days * params.effective_minutes_per_day


def recognised_minutes(minutes_by_day: Mapping[date, int], cap: int) -> int:
    """Σ over days of min(cap, minutes that day); minutes are the APPROVED claimed minutes."""
    total = 0
    for day, minutes in minutes_by_day.items():
        if minutes < 0:
            raise ValueError(f"Menit kerja tanggal {day} tidak boleh negatif.")
        total += min(cap, minutes)
    return total


def work_score(recognised: int, target: int) -> Decimal:
    """min(100, recognised / target × 100), two decimals half up; target 0 -> 100.00."""
    if recognised < 0 or target < 0:
        raise ValueError("Menit kerja dan target tidak boleh negatif.")
    if target == 0:
        return round_pct(HUNDRED)
    return round_pct(min(HUNDRED, Decimal(recognised) * HUNDRED / Decimal(target)))


def employee_working_days(
    year: int,
    month: int,
    workdays_per_week: int,
    holidays: Collection[date],
    attendance_status_by_day: Mapping[date, str],
    reducing_statuses: Collection[str],
) -> list[date]:
    """Working days of the unit's month minus the days of authorised absence."""
    return [
        d
        for d in working_days_in_month(year, month, workdays_per_week, holidays)
        if attendance_status_by_day.get(d) not in reducing_statuses
    ]


def suggest_rating_hasil_kerja(score: Decimal, thresholds: RatingThresholds = RatingThresholds()) -> str:
    """DI_ATAS / SESUAI / DI_BAWAH suggested from the work score (see module docstring)."""
    score = to_decimal(score)
    if score >= thresholds.di_atas_min:
        return DI_ATAS
    if score >= thresholds.sesuai_min:
        return SESUAI
    return DI_BAWAH


@dataclass(frozen=True)
class WorkScore:
    """Every input and output of one employee's monthly score (for the recap row)."""

    working_days: int
    target_minutes: int
    recognised_minutes: int
    score: Decimal
    suggested_rating: str


def monthly_work_score(
    year: int,
    month: int,
    workdays_per_week: int,
    holidays: Collection[date],
    attendance_status_by_day: Mapping[date, str],
    approved_minutes_by_day: Mapping[date, int],
    max_minutes_per_day: int,
    params: ScoreParams = ScoreParams(),
) -> WorkScore:
    """Convenience: the whole section-4 computation for one employee and month."""
    days = employee_working_days(
        year, month, workdays_per_week, holidays, attendance_status_by_day, params.reducing_statuses
    )
    target = target_minutes(len(days), params)
    recognised = recognised_minutes(approved_minutes_by_day, max_minutes_per_day)
    score = work_score(recognised, target)
    return WorkScore(len(days), target, recognised, score, suggest_rating_hasil_kerja(score, params.rating_thresholds))
