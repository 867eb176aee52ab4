"""NIP (Nomor Induk Pegawai) parsing and validation.

A PNS/CPNS NIP has 18 digits::

    YYYYMMDD  YYYYMM  S  NNN
    birth     CPNS    sex sequence
    date      start   (1 = laki-laki, 2 = perempuan)

PPPK numbers also have 18 digits but do not follow this pattern.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

EMPLOYEE_KINDS: tuple[str, ...] = ("PNS", "CPNS", "PPPK")
EMPLOYEE_KIND_LABELS: dict[str, str] = {
    "PNS": "Pegawai Negeri Sipil (PNS)",
    "CPNS": "Calon Pegawai Negeri Sipil (CPNS)",
    "PPPK": "Pegawai Pemerintah dengan Perjanjian Kerja (PPPK)",
}

NIP_LENGTH = 18
MIN_CPNS_AGE = 18

SEX_BY_DIGIT: dict[str, str] = {"1": "L", "2": "P"}
DIGIT_BY_SEX: dict[str, str] = {v: k for k, v in SEX_BY_DIGIT.items()}
SEX_LABELS: dict[str, str] = {"L": "laki-laki", "P": "perempuan"}

MSG_REQUIRED = "NIP wajib diisi."
MSG_LENGTH = "NIP harus terdiri dari 18 digit angka."
MSG_BIRTH_DATE = "Tanggal lahir pada NIP (digit 1-8) tidak valid."
MSG_CPNS_START = "Bulan dan tahun pengangkatan CPNS pada NIP (digit 9-14) tidak valid."
MSG_CPNS_TOO_YOUNG = (
    "Pengangkatan CPNS pada NIP (digit 9-14) tidak boleh sebelum pegawai berusia 18 tahun."
)
MSG_SEX_DIGIT = (
    "Digit jenis kelamin pada NIP (digit 15) harus 1 (laki-laki) atau 2 (perempuan)."
)
MSG_SEQUENCE = "Nomor urut pada NIP (digit 16-18) tidak boleh 000."
MSG_BIRTH_MISMATCH = "Tanggal lahir pada NIP tidak sesuai dengan tanggal lahir pegawai."
MSG_SEX_MISMATCH = "Jenis kelamin pada NIP tidak sesuai dengan jenis kelamin pegawai."
MSG_UNKNOWN_KIND = "Jenis kepegawaian tidak dikenal. Pilih salah satu dari: PNS, CPNS, PPPK."
MSG_UNKNOWN_SEX = "Jenis kelamin harus L (laki-laki) atau P (perempuan)."


@dataclass(frozen=True)
class NipInfo:
    """Information encoded in a PNS/CPNS NIP."""

    birth_date: date
    cpns_start: date  # first day of the month
    sex: str  # "L" or "P"
    sequence: int


class NipError(ValueError):
    """Raised when a NIP is invalid; str(e) is the Indonesian message."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


def _is_ascii_digits(value: str) -> bool:
    """True when value consists only of ASCII digits 0-9."""
    return value.isascii() and value.isdigit()


def _month_index(year: int, month: int) -> int:
    """Months since year 0, for year/month comparisons."""
    return year * 12 + (month - 1)


def parse_nip(nip: str) -> NipInfo:
    """Parse a PNS/CPNS NIP, raising NipError with an Indonesian message."""
    if not isinstance(nip, str) or len(nip) != NIP_LENGTH or not _is_ascii_digits(nip):
        raise NipError(MSG_LENGTH)

    try:
        birth = date(int(nip[0:4]), int(nip[4:6]), int(nip[6:8]))
    except ValueError:
        raise NipError(MSG_BIRTH_DATE) from None

    try:
        cpns_start = date(int(nip[8:12]), int(nip[12:14]), 1)
    except ValueError:
        raise NipError(MSG_CPNS_START) from None

    if _month_index(cpns_start.year, cpns_start.month) < _month_index(
        birth.year + MIN_CPNS_AGE, birth.month
    ):
        raise NipError(MSG_CPNS_TOO_YOUNG)

    sex = SEX_BY_DIGIT.get(nip[14])
    if sex is None:
        raise NipError(MSG_SEX_DIGIT)

    sequence = int(nip[15:18])
    if sequence == 0:
        raise NipError(MSG_SEQUENCE)

    return NipInfo(birth_date=birth, cpns_start=cpns_start, sex=sex, sequence=sequence)


def validate_nip(
    nip: str | None,
    kind: str,
    birth_date: date | None = None,
    sex: str | None = None,
) -> list[str]:
    """Return Indonesian error messages for a NIP of the given employee kind (empty = valid)."""
    value = (nip or "").strip()
    if not value:
        return [MSG_REQUIRED]

    if kind not in EMPLOYEE_KINDS:
        return [MSG_UNKNOWN_KIND]

    if kind == "PPPK":
        if len(value) != NIP_LENGTH or not _is_ascii_digits(value):
            return [MSG_LENGTH]
        return []

    try:
        info = parse_nip(value)
    except NipError as exc:
        return [str(exc)]

    errors: list[str] = []
    if birth_date is not None and birth_date != info.birth_date:
        errors.append(MSG_BIRTH_MISMATCH)
    if sex is not None and sex != info.sex:
        errors.append(MSG_SEX_MISMATCH)
    return errors


def make_nip(birth_date: date, cpns_start: date, sex: str, sequence: int) -> str:
    """Build a PNS/CPNS NIP; raises NipError if the result would be invalid."""
    digit = DIGIT_BY_SEX.get(sex)
    if digit is None:
        raise NipError(MSG_UNKNOWN_SEX)
    if not 1 <= sequence <= 999:
        raise NipError(MSG_SEQUENCE if sequence == 0 else "Nomor urut NIP harus antara 1 dan 999.")
    nip = (
        f"{birth_date.year:04d}{birth_date.month:02d}{birth_date.day:02d}"
        f"{cpns_start.year:04d}{cpns_start.month:02d}{digit}{sequence:03d}"
    )
    parse_nip(nip)  # enforce the same rules as validation
    return nip
