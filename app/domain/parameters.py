"""Yearly parameters: definitions, defaults, parsing and the typed parameter sets.

Stored as one JSON value per (year, key); a key without a stored value takes the default
below (the design's numbers, until the city's regulation sets others). Plain Python.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Callable, Mapping

from app.domain.scores import RatingThresholds, ScoreParams
from app.domain.tpp import Band, TppParams
from app.domain.workflow import WorkflowParams

ATTENDANCE_STATUSES = ("HADIR", "IZIN", "SAKIT", "CUTI", "DL", "TK")


class ParameterError(ValueError):
    """An unreadable or out-of-range value; the message is Indonesian."""


def _int(raw: Any, lo: int, hi: int) -> int:
    if isinstance(raw, bool) or not isinstance(raw, (int, str)):
        raise ParameterError("Nilai harus bilangan bulat.")
    try:
        value = int(str(raw).strip())
    except ValueError:
        raise ParameterError("Nilai harus bilangan bulat.") from None
    if not lo <= value <= hi:
        raise ParameterError(f"Nilai harus antara {lo} dan {hi}.")
    return value


def _dec(raw: Any, lo: Decimal, hi: Decimal) -> Decimal:
    try:
        value = Decimal(str(raw).strip().replace(",", "."))
    except (InvalidOperation, AttributeError):
        raise ParameterError("Nilai harus berupa angka (gunakan titik atau koma desimal).") from None
    if not value.is_finite() or not lo <= value <= hi:
        raise ParameterError(f"Nilai harus antara {lo} dan {hi}.")
    return value


def _statuses(raw: Any) -> list[str]:
    items = raw if isinstance(raw, list) else [s for s in str(raw).replace(";", ",").split(",")]
    result = sorted({str(s).strip().upper() for s in items if str(s).strip()})
    unknown = [s for s in result if s not in ATTENDANCE_STATUSES]
    if unknown:
        raise ParameterError(f"Status kehadiran tidak dikenal: {', '.join(unknown)}. "
                             f"Pilihan: {', '.join(ATTENDANCE_STATUSES)}.")
    return result


def _bands(raw: Any) -> list[list]:
    """Bands as [[min, max|null, percent], ...] (JSON text or a list)."""
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError:
            raise ParameterError("Pita potongan harus ditulis sebagai [[min, maks, persen], ...].") from None
    if not isinstance(raw, list) or not raw:
        raise ParameterError("Pita potongan harus ditulis sebagai [[min, maks, persen], ...].")
    result = []
    for row in raw:
        if not isinstance(row, (list, tuple)) or len(row) != 3:
            raise ParameterError("Setiap pita berisi tiga nilai: menit awal, menit akhir (atau null), persen.")
        lo = _int(row[0], 0, 1440)
        hi = None if row[1] in (None, "", "null") else _int(row[1], 0, 1440)
        pct = _dec(row[2], Decimal(0), Decimal(100))
        result.append([lo, hi, str(pct)])
    return result


def _rates(raw: Any) -> dict[str, str]:
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError:
            raise ParameterError('Tarif pajak ditulis sebagai {"I": 0, "II": 0, "III": 5, "IV": 15}.') from None
    if not isinstance(raw, dict) or set(raw) != {"I", "II", "III", "IV"}:
        raise ParameterError('Tarif pajak harus memuat golongan I, II, III dan IV, mis. {"I": 0, "II": 0, "III": 5, "IV": 15}.')
    return {k: str(_dec(v, Decimal(0), Decimal(100))) for k, v in raw.items()}


def _optional_int(raw: Any) -> int | None:
    if raw in (None, "", "null"):
        return None
    return _int(raw, 0, 100_000_000)


def _optional_date(raw: Any) -> str | None:
    """A date as ISO text (YYYY-MM-DD), or None (the default of the key)."""
    from datetime import date

    if raw in (None, "", "null"):
        return None
    if isinstance(raw, date):
        return raw.isoformat()
    try:
        return date.fromisoformat(str(raw).strip()).isoformat()
    except ValueError:
        raise ParameterError("Tanggal harus ditulis TTTT-BB-HH, mis. 2027-01-31.") from None


def _bool(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in ("1", "true", "ya", "yes"):
        return True
    if text in ("0", "false", "tidak", "no"):
        return False
    raise ParameterError("Nilai harus true (ya) atau false (tidak).")


@dataclass(frozen=True)
class ParamDef:
    key: str
    group: str
    label: str
    default: Any
    parse: Callable[[Any], Any]


_DEFS = [
    ParamDef("submit_deadline_workdays", "Alur aktivitas", "Batas pengajuan aktivitas (hari kerja setelah tanggal aktivitas)", 2, lambda v: _int(v, 0, 30)),
    ParamDef("max_minutes_per_day", "Alur aktivitas", "Batas menit kerja yang diklaim per hari", 450, lambda v: _int(v, 1, 1440)),
    ParamDef("review_deadline_workdays", "Alur aktivitas", "Batas keputusan atasan (hari kerja setelah pengajuan)", 3, lambda v: _int(v, 0, 30)),
    ParamDef("effective_minutes_per_day", "Capaian kinerja", "Menit kerja efektif per hari", 300, lambda v: _int(v, 1, 1440)),
    ParamDef("reducing_statuses", "Capaian kinerja", "Status kehadiran yang mengurangi hari kerja target", ["CUTI", "DL", "SAKIT"], _statuses),
    ParamDef("rating_di_atas_min", "Capaian kinerja", "Saran rating hasil kerja Di Atas Ekspektasi mulai capaian (%)", "100", lambda v: str(_dec(v, Decimal(0), Decimal(100)))),
    ParamDef("rating_sesuai_min", "Capaian kinerja", "Saran rating hasil kerja Sesuai Ekspektasi mulai capaian (%)", "80", lambda v: str(_dec(v, Decimal(0), Decimal(100)))),
    ParamDef("weight_performance", "TPP", "Bobot kinerja", "0.60", lambda v: str(_dec(v, Decimal(0), Decimal(1)))),
    ParamDef("weight_discipline", "TPP", "Bobot disiplin", "0.40", lambda v: str(_dec(v, Decimal(0), Decimal(1)))),
    ParamDef("late_bands", "TPP", "Pita potongan terlambat [[min, maks, persen], ...]", [[1, 30, "0.5"], [31, 60, "1"], [61, 90, "1.25"], [91, None, "1.5"]], _bands),
    ParamDef("early_bands", "TPP", "Pita potongan pulang cepat [[min, maks, persen], ...]", [[1, 30, "0.5"], [31, 60, "1"], [61, 90, "1.25"], [91, None, "1.5"]], _bands),
    ParamDef("no_record_percent", "TPP", "Potongan tanpa rekam kehadiran (%)", "1.5", lambda v: str(_dec(v, Decimal(0), Decimal(100)))),
    ParamDef("tk_percent", "TPP", "Potongan per hari tanpa keterangan (%)", "3", lambda v: str(_dec(v, Decimal(0), Decimal(100)))),
    ParamDef("cpns_factor", "TPP", "Faktor TPP CPNS", "0.80", lambda v: str(_dec(v, Decimal(0), Decimal(1)))),
    ParamDef("tax_rates", "TPP", "Tarif PPh 21 per golongan (%)", {"I": "0", "II": "0", "III": "5", "IV": "15"}, _rates),
    ParamDef("health_rate", "TPP", "Iuran kesehatan (% dari bruto)", "1", lambda v: str(_dec(v, Decimal(0), Decimal(100)))),
    ParamDef("health_cap", "TPP", "Batas iuran kesehatan per bulan (rupiah, kosong = tanpa batas)", None, _optional_int),
    # SKP (app.domain.skp): the planning window of the year; empty = 1–31 January of that year.
    ParamDef("skp_window_start", "SKP", "Awal masa penyusunan SKP (TTTT-BB-HH; kosong = 1 Januari tahun itu)", None, _optional_date),
    ParamDef("skp_window_end", "SKP", "Akhir masa penyusunan SKP (TTTT-BB-HH; kosong = 31 Januari tahun itu)", None, _optional_date),
    ParamDef("activity_requires_rhk", "SKP", "Aktivitas harian wajib dikaitkan dengan RHK SKP yang berlaku", False, _bool),
    # Follow-up (app.domain.followup): talent box potential levels and the vacancy kelas band.
    ParamDef("potential_low_below", "Tindak Lanjut", "Potensi rendah bila nilai asesmen di bawah", "60", lambda v: str(_dec(v, Decimal(0), Decimal(100)))),
    ParamDef("potential_high_from", "Tindak Lanjut", "Potensi tinggi mulai nilai asesmen", "80", lambda v: str(_dec(v, Decimal(0), Decimal(100)))),
    ParamDef("vacancy_kelas_band", "Tindak Lanjut", "Kandidat jabatan lowong: selisih kelas jabatan paling besar", 2, lambda v: _int(v, 0, 16)),
]
DEFINITIONS: dict[str, ParamDef] = {d.key: d for d in _DEFS}


def parse_value(key: str, raw: Any) -> Any:
    """The normalised value for `key`, or ParameterError with an Indonesian message."""
    if key not in DEFINITIONS:
        raise ParameterError("Kode parameter tidak dikenal.")
    if isinstance(raw, str) and raw.strip()[:1] in "[{":
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError:
            raise ParameterError("Nilai JSON tidak dapat dibaca.") from None
    return DEFINITIONS[key].parse(raw)


def effective(stored: Mapping[str, Any]) -> dict[str, Any]:
    """Defaults overlaid with the stored values of one year."""
    values = {k: d.default for k, d in DEFINITIONS.items()}
    values.update({k: v for k, v in stored.items() if k in DEFINITIONS})
    return values


def workflow_params(values: Mapping[str, Any]) -> WorkflowParams:
    return WorkflowParams(
        submit_deadline_workdays=int(values["submit_deadline_workdays"]),
        max_minutes_per_day=int(values["max_minutes_per_day"]),
        review_deadline_workdays=int(values["review_deadline_workdays"]),
    )


def score_params(values: Mapping[str, Any]) -> ScoreParams:
    return ScoreParams(
        effective_minutes_per_day=int(values["effective_minutes_per_day"]),
        reducing_statuses=frozenset(values["reducing_statuses"]),
        rating_thresholds=RatingThresholds(Decimal(str(values["rating_di_atas_min"])),
                                           Decimal(str(values["rating_sesuai_min"]))),
    )


def tpp_params(values: Mapping[str, Any]) -> TppParams:
    def bands(rows):
        return tuple(Band(int(lo), None if hi is None else int(hi), Decimal(str(p))) for lo, hi, p in rows)

    return TppParams(
        weight_performance=Decimal(str(values["weight_performance"])),
        weight_discipline=Decimal(str(values["weight_discipline"])),
        late_bands=bands(values["late_bands"]),
        early_bands=bands(values["early_bands"]),
        no_record_percent=Decimal(str(values["no_record_percent"])),
        tk_percent=Decimal(str(values["tk_percent"])),
        cpns_factor=Decimal(str(values["cpns_factor"])),
        tax_rates={k: Decimal(str(v)) for k, v in values["tax_rates"].items()},
        health_rate=Decimal(str(values["health_rate"])),
        health_cap=values["health_cap"],
    )


def validate_set(values: Mapping[str, Any]) -> list[str]:
    """Cross-field checks of a whole year (weights summing to 1, ordered bands, ...)."""
    messages: list[str] = []
    messages += workflow_params(values).validate()
    messages += score_params(values).validate()
    messages += tpp_params(values).validate()
    if Decimal(str(values["potential_low_below"])) > Decimal(str(values["potential_high_from"])):
        messages.append("Batas potensi rendah harus lebih kecil atau sama dengan batas potensi tinggi.")
    start, end = values.get("skp_window_start"), values.get("skp_window_end")
    if start and end and start > end:
        messages.append("Awal masa penyusunan SKP harus sebelum atau sama dengan akhirnya.")
    return messages


def skp_window(values: Mapping[str, Any], year: int) -> tuple[Any, Any]:
    """(first, last) day on which a new SKP of `year` may be created and submitted; an empty
    key takes the default of app.domain.skp.default_window (1–31 January)."""
    from datetime import date

    from app.domain.skp import default_window

    start, end = default_window(year)
    if values.get("skp_window_start"):
        start = date.fromisoformat(values["skp_window_start"])
    if values.get("skp_window_end"):
        end = date.fromisoformat(values["skp_window_end"])
    return start, end
