"""TPP (Tambahan Penghasilan Pegawai) per employee per period — design section 4.

Discipline deduction (percent of the discipline part):
- for each attendance day with a banded status (HADIR): the late-arrival band and, separately,
  the early-leave band (defaults 1–30 min 0.5%, 31–60 1%, 61–90 1.25%, >90 1.5%); a missing
  check-in or check-out (``minutes_late`` / ``minutes_early`` is None) counts as "no record",
  1.5%; ``has_record=False`` means neither was recorded: 1.5% + 1.5%;
- each TK day (tanpa keterangan): 3%;
- IZIN, SAKIT, CUTI, DL: no deduction;
- total capped at 100%.
The caller passes only the working days of the period.

Money (all whole rupiah, ROUND_HALF_UP, computed with Decimal). Rounding happens at each
displayed line, and every later line is computed from the rounded earlier lines, so the payroll
list adds up exactly:
    performance = round(base × weight_performance × work_score / 100)
    discipline  = round(base × weight_discipline × (100 − deduction) / 100)
    gross       = round((performance + discipline) × factor × (100 − sanction) / 100)
                  factor = cpns_factor (0.80) for CPNS, 1 otherwise
    tax         = round(gross × tax rate of the group / 100)          (I, II 0%; III 5%; IV 15%)
    health      = min(round(gross × health_rate / 100), health_cap)   (cap only when set)
    net         = max(0, gross − tax − health)
Tax group: PNS/CPNS use the group of the golongan ("III/b" -> "III"); PPPK use the mapping of
``app.domain.golongan.pppk_tax_group``. The caller passes the group.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from types import MappingProxyType

from app.domain.money import HUNDRED, round_pct, round_rupiah, to_decimal
from app.domain.scores import HADIR, TK

PNS = "PNS"
CPNS = "CPNS"
PPPK = "PPPK"
EMPLOYEE_KINDS = (PNS, CPNS, PPPK)

# Deduction line kinds.
LATE = "LATE"
EARLY = "EARLY"
LATE_NO_RECORD = "LATE_NO_RECORD"
EARLY_NO_RECORD = "EARLY_NO_RECORD"
TK_DAY = "TK"
DEDUCTION_KIND_LABELS = {
    LATE: "Terlambat masuk",
    EARLY: "Pulang sebelum waktunya",
    LATE_NO_RECORD: "Tidak ada rekaman absen masuk",
    EARLY_NO_RECORD: "Tidak ada rekaman absen pulang",
    TK_DAY: "Tidak masuk kerja tanpa keterangan (TK)",
}


@dataclass(frozen=True)
class Band:
    """Minutes from ``min_minutes`` to ``max_minutes`` inclusive (None = no upper bound)."""

    min_minutes: int
    max_minutes: int | None
    percent: Decimal

    def __post_init__(self) -> None:
        object.__setattr__(self, "percent", to_decimal(self.percent))

    def contains(self, minutes: int) -> bool:
        return minutes >= self.min_minutes and (self.max_minutes is None or minutes <= self.max_minutes)

    def label(self) -> str:
        if self.max_minutes is None:
            return f"lebih dari {self.min_minutes - 1} menit"
        return f"{self.min_minutes}–{self.max_minutes} menit"


DEFAULT_BANDS: tuple[Band, ...] = (
    Band(1, 30, Decimal("0.5")),
    Band(31, 60, Decimal("1")),
    Band(61, 90, Decimal("1.25")),
    Band(91, None, Decimal("1.5")),
)


def _bands(value) -> tuple[Band, ...]:
    return tuple(b if isinstance(b, Band) else Band(*b) for b in value)


def validate_bands(bands: Iterable[Band], name: str) -> list[str]:
    """Bands must start at 1 minute, be ordered, contiguous, non-overlapping, non-negative and
    end with an open band (so every minute count has exactly one band)."""
    bands = tuple(bands)
    errors: list[str] = []
    if not bands:
        return [f"Rentang potongan {name} belum diisi."]
    for b in bands:
        if b.percent < 0:
            errors.append(f"Persentase potongan {name} ({b.label()}) tidak boleh negatif.")
        if b.min_minutes < 1:
            errors.append(f"Rentang potongan {name} harus dimulai dari minimal 1 menit.")
        if b.max_minutes is not None and b.max_minutes < b.min_minutes:
            errors.append(f"Rentang potongan {name} {b.min_minutes}–{b.max_minutes} menit terbalik.")
    if bands[0].min_minutes != 1:
        errors.append(f"Rentang potongan {name} pertama harus dimulai dari 1 menit.")
    for prev, cur in zip(bands, bands[1:]):
        if prev.max_minutes is None:
            errors.append(f"Rentang potongan {name} tanpa batas atas harus menjadi rentang terakhir.")
            break
        if cur.min_minutes <= prev.max_minutes:
            errors.append(
                f"Rentang potongan {name} tumpang tindih atau tidak berurutan: "
                f"{prev.label()} dan {cur.label()}."
            )
        elif cur.min_minutes > prev.max_minutes + 1:
            errors.append(
                f"Rentang potongan {name} berlubang antara {prev.max_minutes} dan {cur.min_minutes} menit."
            )
    if bands[-1].max_minutes is not None:
        errors.append(f"Rentang potongan {name} terakhir harus tanpa batas atas (lebih dari N menit).")
    return errors


@dataclass(frozen=True)
class TppParams:
    weight_performance: Decimal = Decimal("0.60")
    weight_discipline: Decimal = Decimal("0.40")
    late_bands: tuple[Band, ...] = DEFAULT_BANDS
    early_bands: tuple[Band, ...] = DEFAULT_BANDS
    no_record_percent: Decimal = Decimal("1.5")
    tk_percent: Decimal = Decimal("3")
    max_deduction_percent: Decimal = Decimal("100")
    banded_statuses: frozenset[str] = frozenset({HADIR})
    cpns_factor: Decimal = Decimal("0.80")
    tax_rates: Mapping[str, Decimal] = field(
        default_factory=lambda: {"I": Decimal("0"), "II": Decimal("0"), "III": Decimal("5"), "IV": Decimal("15")}
    )
    health_rate: Decimal = Decimal("1")
    health_cap: int | None = None

    def __post_init__(self) -> None:
        for name in ("weight_performance", "weight_discipline", "no_record_percent", "tk_percent",
                     "max_deduction_percent", "cpns_factor", "health_rate"):
            object.__setattr__(self, name, to_decimal(getattr(self, name)))
        object.__setattr__(self, "late_bands", _bands(self.late_bands))
        object.__setattr__(self, "early_bands", _bands(self.early_bands))
        object.__setattr__(self, "banded_statuses", frozenset(self.banded_statuses))
        object.__setattr__(
            self, "tax_rates", MappingProxyType({k: to_decimal(v) for k, v in self.tax_rates.items()})
        )

    def __hash__(self) -> int:  # tax_rates is a read-only mapping; hash its items
        return hash(tuple((f, getattr(self, f)) for f in self.__dataclass_fields__ if f != "tax_rates")
                    + tuple(sorted(self.tax_rates.items())))

    def validate(self) -> list[str]:
        """Indonesian messages for a parameter set that does not add up (empty = valid)."""
        errors: list[str] = []
        for label, w in (("kinerja", self.weight_performance), ("disiplin", self.weight_discipline)):
            if not Decimal(0) <= w <= Decimal(1):
                errors.append(f"Bobot {label} harus antara 0 dan 1.")
        if self.weight_performance + self.weight_discipline != Decimal(1):
            errors.append(
                f"Jumlah bobot kinerja ({self.weight_performance}) dan bobot disiplin "
                f"({self.weight_discipline}) harus 1."
            )
        errors.extend(validate_bands(self.late_bands, "terlambat"))
        errors.extend(validate_bands(self.early_bands, "pulang cepat"))
        if self.no_record_percent < 0:
            errors.append("Potongan tanpa rekaman absen tidak boleh negatif.")
        if self.tk_percent < 0:
            errors.append("Potongan per hari TK tidak boleh negatif.")
        if not Decimal(0) <= self.max_deduction_percent <= HUNDRED:
            errors.append("Batas potongan disiplin harus antara 0 dan 100%.")
        if not Decimal(0) < self.cpns_factor <= Decimal(1):
            errors.append("Faktor CPNS harus lebih dari 0 dan paling besar 1.")
        for group in ("I", "II", "III", "IV"):
            if group not in self.tax_rates:
                errors.append(f"Tarif PPh 21 golongan {group} belum diisi.")
        for group, rate in self.tax_rates.items():
            if not Decimal(0) <= rate <= HUNDRED:
                errors.append(f"Tarif PPh 21 golongan {group} harus antara 0 dan 100%.")
        if not Decimal(0) <= self.health_rate <= HUNDRED:
            errors.append("Tarif iuran kesehatan harus antara 0 dan 100%.")
        if self.health_cap is not None and self.health_cap < 0:
            errors.append("Batas iuran kesehatan tidak boleh negatif.")
        return errors


# --- discipline deduction -------------------------------------------------------------------
@dataclass(frozen=True)
class AttendanceDay:
    date: date
    status: str
    minutes_late: int | None = 0  # None: no check-in record
    minutes_early: int | None = 0  # None: no check-out record
    has_record: bool = True  # False: no attendance record at all that day


@dataclass(frozen=True)
class DeductionLine:
    date: date
    kind: str
    minutes: int | None
    percent: Decimal

    @property
    def label(self) -> str:
        return DEDUCTION_KIND_LABELS[self.kind]


def _band_percent(minutes: int, bands: tuple[Band, ...]) -> Decimal:
    for b in bands:
        if b.contains(minutes):
            return b.percent
    raise ValueError(f"Tidak ada rentang potongan untuk {minutes} menit; periksa parameter TPP.")


def deduction_breakdown(
    attendance_days: Iterable[AttendanceDay], params: TppParams = TppParams()
) -> list[DeductionLine]:
    """Every deduction line, day by day (uncapped; ``deduction_percent`` applies the cap)."""
    lines: list[DeductionLine] = []
    for day in sorted(attendance_days, key=lambda a: a.date):
        if day.status == TK:
            lines.append(DeductionLine(day.date, TK_DAY, None, params.tk_percent))
            continue
        if day.status not in params.banded_statuses:
            continue
        for minutes, bands, kind, no_record_kind in (
            (day.minutes_late, params.late_bands, LATE, LATE_NO_RECORD),
            (day.minutes_early, params.early_bands, EARLY, EARLY_NO_RECORD),
        ):
            if not day.has_record or minutes is None:
                lines.append(DeductionLine(day.date, no_record_kind, None, params.no_record_percent))
            elif minutes < 0:
                raise ValueError(f"Menit keterlambatan/pulang cepat tanggal {day.date} tidak boleh negatif.")
            elif minutes > 0:
                lines.append(DeductionLine(day.date, kind, minutes, _band_percent(minutes, bands)))
    return lines


def deduction_percent(attendance_days: Iterable[AttendanceDay], params: TppParams = TppParams()) -> Decimal:
    """Σ of the breakdown, capped at ``max_deduction_percent`` (100), two decimals."""
    total = sum((line.percent for line in deduction_breakdown(attendance_days, params)), Decimal(0))
    return round_pct(min(total, params.max_deduction_percent))


# --- TPP ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TppResult:
    base: int
    performance_part: int
    discipline_part: int
    subtotal: int  # performance + discipline, before CPNS factor and sanction
    gross: int
    tax: int
    health: int
    net: int


def _check_pct(value: Decimal, what: str) -> Decimal:
    value = to_decimal(value)
    if not Decimal(0) <= value <= HUNDRED:
        raise ValueError(f"{what} harus antara 0 dan 100%, bukan {value}.")
    return value


def compute_tpp(
    base: int,
    work_score: Decimal,
    deduction_pct: Decimal,
    employee_kind: str,
    tax_group: str,
    sanction_pct: Decimal = Decimal("0"),
    params: TppParams = TppParams(),
) -> TppResult:
    """TPP of one employee for one period; see the module docstring for formulas and rounding."""
    if isinstance(base, bool) or not isinstance(base, int) or base < 0:
        raise ValueError("Besaran TPP dasar harus bilangan bulat rupiah yang tidak negatif.")
    if employee_kind not in EMPLOYEE_KINDS:
        raise ValueError(f"Jenis kepegawaian tidak dikenal: {employee_kind!r}.")
    if tax_group not in params.tax_rates:
        raise ValueError(f"Kelompok tarif PPh 21 tidak dikenal: {tax_group!r}.")
    score = _check_pct(work_score, "Capaian kinerja")
    deduction = _check_pct(deduction_pct, "Potongan disiplin")
    sanction = _check_pct(sanction_pct, "Potongan hukuman disiplin")

    b = Decimal(base)
    performance = round_rupiah(b * params.weight_performance * score / HUNDRED)
    discipline = round_rupiah(b * params.weight_discipline * (HUNDRED - deduction) / HUNDRED)
    subtotal = performance + discipline
    factor = params.cpns_factor if employee_kind == CPNS else Decimal(1)
    gross = round_rupiah(Decimal(subtotal) * factor * (HUNDRED - sanction) / HUNDRED)
    tax = round_rupiah(Decimal(gross) * params.tax_rates[tax_group] / HUNDRED)
    health = round_rupiah(Decimal(gross) * params.health_rate / HUNDRED)
    if params.health_cap is not None:
        health = min(health, params.health_cap)
    net = max(0, gross - tax - health)
    return TppResult(base, performance, discipline, subtotal, gross, tax, health, net)
