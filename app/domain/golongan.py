"""Golongan (rank) of PNS, CPNS and PPPK employees."""

from __future__ import annotations

PNS_GOLONGAN: list[tuple[str, str]] = [
    ("I/a", "Juru Muda"),
    ("I/b", "Juru Muda Tingkat I"),
    ("I/c", "Juru"),
    ("I/d", "Juru Tingkat I"),
    ("II/a", "Pengatur Muda"),
    ("II/b", "Pengatur Muda Tingkat I"),
    ("II/c", "Pengatur"),
    ("II/d", "Pengatur Tingkat I"),
    ("III/a", "Penata Muda"),
    ("III/b", "Penata Muda Tingkat I"),
    ("III/c", "Penata"),
    ("III/d", "Penata Tingkat I"),
    ("IV/a", "Pembina"),
    ("IV/b", "Pembina Tingkat I"),
    ("IV/c", "Pembina Utama Muda"),
    ("IV/d", "Pembina Utama Madya"),
    ("IV/e", "Pembina Utama"),
]

PPPK_GOLONGAN: list[str] = [
    "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX",
    "X", "XI", "XII", "XIII", "XIV", "XV", "XVI", "XVII",
]

# Entry ranks of a CPNS by education (SD, SMP, SMA, D-I, D-III, S-1, S-2, S-3).
CPNS_ENTRY_GOLONGAN: list[str] = ["I/a", "I/c", "II/a", "II/b", "II/c", "III/a", "III/b", "III/c"]

PANGKAT: dict[str, str] = dict(PNS_GOLONGAN)
_PNS_RANK: dict[str, int] = {code: i for i, (code, _) in enumerate(PNS_GOLONGAN, start=1)}
_PPPK_RANK: dict[str, int] = {code: i for i, code in enumerate(PPPK_GOLONGAN, start=1)}

MSG_REQUIRED = "Golongan wajib diisi."
MSG_UNKNOWN_KIND = "Jenis kepegawaian tidak dikenal. Pilih salah satu dari: PNS, CPNS, PPPK."


def _label(code: str) -> str:
    """Display label 'III/a - Penata Muda'."""
    return f"{code} - {PANGKAT[code]}"


def golongan_choices(kind: str) -> list[tuple[str, str]]:
    """(code, label) choices for the given employee kind; empty for an unknown kind."""
    if kind == "PNS":
        return [(code, _label(code)) for code, _ in PNS_GOLONGAN]
    if kind == "CPNS":
        return [(code, _label(code)) for code in CPNS_ENTRY_GOLONGAN]
    if kind == "PPPK":
        return [(code, f"Golongan {code}") for code in PPPK_GOLONGAN]
    return []


def validate_golongan(kind: str, golongan: str | None) -> list[str]:
    """Return Indonesian error messages for a golongan of the given kind (empty = valid)."""
    if kind not in ("PNS", "CPNS", "PPPK"):
        return [MSG_UNKNOWN_KIND]
    code = (golongan or "").strip()
    if not code:
        return [MSG_REQUIRED]
    allowed = {c for c, _ in golongan_choices(kind)}
    if code in allowed:
        return []
    if kind == "CPNS" and code in _PNS_RANK:
        return [
            f"Golongan {code} bukan golongan awal pengangkatan CPNS. "
            f"Golongan yang berlaku: {', '.join(CPNS_ENTRY_GOLONGAN)}."
        ]
    return [f"Golongan {code} tidak berlaku untuk pegawai {kind}."]


def golongan_rank(code: str) -> int:
    """Ordinal of a PNS golongan: I/a = 1 ... IV/e = 17. Raises ValueError if unknown."""
    try:
        return _PNS_RANK[code]
    except KeyError:
        raise ValueError(f"Golongan PNS {code!r} tidak dikenal.") from None


def golongan_group(code: str) -> str:
    """Group ("I".."IV") of a PNS golongan. Raises ValueError if unknown."""
    golongan_rank(code)  # validates
    return code.split("/", 1)[0]


def pppk_tax_group(code: str) -> str:
    """PNS tax group ("I".."IV") equivalent of a PPPK golongan. Raises ValueError if unknown."""
    try:
        rank = _PPPK_RANK[code]
    except KeyError:
        raise ValueError(f"Golongan PPPK {code!r} tidak dikenal.") from None
    if rank <= 4:
        return "I"
    if rank <= 8:
        return "II"
    if rank <= 12:
        return "III"
    return "IV"
