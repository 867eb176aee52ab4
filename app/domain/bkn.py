"""Exchange with BKN e-Kinerja (issue 12 item 6): the words and codes of a predikat in a BKN
e-Kinerja export, and the checks of one imported row. Plain Python (no Flask)."""
from __future__ import annotations

import re
from typing import Any, Optional

from app.domain import predikat as PR

# BKN's words (Permenpan-RB 6/2022) and the codes of this system, normalised (upper case, single
# spaces, "_" and "-" read as spaces).
_WORDS = {
    "SANGAT BAIK": PR.SANGAT_BAIK, "BAIK": PR.BAIK, "BUTUH PERBAIKAN": PR.BUTUH_PERBAIKAN,
    "KURANG": PR.KURANG, "KURANG/MISCONDUCT": PR.KURANG, "KURANG / MISCONDUCT": PR.KURANG,
    "MISCONDUCT": PR.KURANG, "SANGAT KURANG": PR.SANGAT_KURANG,
}
ACCEPTED = ("Sangat Baik", "Baik", "Butuh Perbaikan", "Kurang (atau Kurang/Misconduct)", "Sangat Kurang")
MSG_PREDIKAT = ("PREDIKAT tidak dikenal: {value!r}. Gunakan Sangat Baik, Baik, Butuh Perbaikan, Kurang "
                "(Kurang/Misconduct) atau Sangat Kurang.")
MSG_YEAR = "TAHUN harus bilangan bulat antara 2000 dan 2100."
MSG_MONTH = "BULAN harus bilangan bulat 1 sampai 12, atau kosong untuk predikat tahunan."
YEAR_MIN, YEAR_MAX = 2000, 2100


def predikat_code(value: Any) -> Optional[str]:
    """The predikat code of BKN's word or this system's code; None when unknown."""
    if not isinstance(value, str):
        return None
    text = re.sub(r"\s+", " ", value.replace("_", " ").replace("-", " ")).strip().upper()
    return _WORDS.get(text)


def _whole(value: Any) -> Optional[int]:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, str) and re.fullmatch(r"[0-9]{1,4}", value.strip()):
        return int(value.strip())
    return None


def parse_year(value: Any) -> tuple[Optional[int], Optional[str]]:
    year = _whole(value)
    if year is None or not YEAR_MIN <= year <= YEAR_MAX:
        return None, MSG_YEAR
    return year, None


def parse_month(value: Any) -> tuple[Optional[int], Optional[str]]:
    """(month or None for a yearly predikat, error)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    month = _whole(value)
    if month is None or not 1 <= month <= 12:
        return None, MSG_MONTH
    return month, None
