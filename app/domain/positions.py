"""Position (jabatan) kinds, levels, eselons and kelas jabatan rules."""

from __future__ import annotations

from app.domain.golongan import PNS_GOLONGAN, golongan_rank

POSITION_KINDS: tuple[str, ...] = (
    "JPT",
    "ADMINISTRATOR",
    "PENGAWAS",
    "PELAKSANA",
    "JF_KEAHLIAN",
    "JF_KETERAMPILAN",
)

POSITION_KIND_LABELS: dict[str, str] = {
    "JPT": "Jabatan Pimpinan Tinggi",
    "ADMINISTRATOR": "Jabatan Administrator",
    "PENGAWAS": "Jabatan Pengawas",
    "PELAKSANA": "Jabatan Pelaksana",
    "JF_KEAHLIAN": "Jabatan Fungsional Keahlian",
    "JF_KETERAMPILAN": "Jabatan Fungsional Keterampilan",
}

LEVELS_BY_KIND: dict[str, tuple[str, ...]] = {
    "JPT": ("Utama", "Madya", "Pratama"),
    "ADMINISTRATOR": (),
    "PENGAWAS": (),
    "PELAKSANA": (),
    "JF_KEAHLIAN": ("Ahli Pertama", "Ahli Muda", "Ahli Madya", "Ahli Utama"),
    "JF_KETERAMPILAN": ("Pemula", "Terampil", "Mahir", "Penyelia"),
}

ESELONS: tuple[str, ...] = (
    "I.a", "I.b", "II.a", "II.b", "III.a", "III.b", "IV.a", "IV.b", "V.a", "V.b",
)

ESELONS_BY_KIND: dict[str, tuple[str, ...]] = {
    "JPT": ("I.a", "I.b", "II.a", "II.b"),
    "ADMINISTRATOR": ("III.a", "III.b"),
    "PENGAWAS": ("IV.a", "IV.b", "V.a", "V.b"),
    "PELAKSANA": (),
    "JF_KEAHLIAN": (),
    "JF_KETERAMPILAN": (),
}

KELAS_JABATAN_MIN = 1
KELAS_JABATAN_MAX = 17

# (first, last) PNS golongan, inclusive, keyed by (kind, level).
_TYPICAL_RANGES: dict[tuple[str, str | None], tuple[str, str]] = {
    ("JPT", "Utama"): ("IV/e", "IV/e"),
    ("JPT", "Madya"): ("IV/d", "IV/e"),
    ("JPT", "Pratama"): ("IV/c", "IV/d"),
    ("ADMINISTRATOR", None): ("III/d", "IV/b"),
    ("PENGAWAS", None): ("III/b", "III/d"),
    ("PELAKSANA", None): ("II/a", "III/b"),
    ("JF_KEAHLIAN", "Ahli Pertama"): ("III/a", "III/b"),
    ("JF_KEAHLIAN", "Ahli Muda"): ("III/c", "III/d"),
    ("JF_KEAHLIAN", "Ahli Madya"): ("IV/a", "IV/c"),
    ("JF_KEAHLIAN", "Ahli Utama"): ("IV/d", "IV/e"),
    ("JF_KETERAMPILAN", "Pemula"): ("II/a", "II/a"),
    ("JF_KETERAMPILAN", "Terampil"): ("II/b", "II/d"),
    ("JF_KETERAMPILAN", "Mahir"): ("III/a", "III/b"),
    ("JF_KETERAMPILAN", "Penyelia"): ("III/c", "III/d"),
}


def _kind_label(kind: str) -> str:
    return POSITION_KIND_LABELS.get(kind, kind)


def validate_position(
    kind: str,
    level: str | None,
    eselon: str | None,
    kelas_jabatan: int | None,
    kelas_required: bool = True,
) -> dict[str, list[str]]:
    """Validate a position; returns {field: [Indonesian messages]} for fields with errors.

    Fields are "kind", "level", "eselon" and "kelas_jabatan"; an empty dict means valid.
    `kelas_required=False`: an empty kelas jabatan means "not set yet" (BKD sets it).
    """
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    level = (level or "").strip() or None
    eselon = (eselon or "").strip() or None

    if not kind:
        add("kind", "Jenis jabatan wajib diisi.")
    elif kind not in POSITION_KINDS:
        add("kind", "Jenis jabatan tidak dikenal.")
    else:
        label = _kind_label(kind)
        levels = LEVELS_BY_KIND[kind]
        if levels:
            if level is None:
                add("level", f"Jenjang jabatan wajib diisi untuk {label}.")
            elif level not in levels:
                add(
                    "level",
                    f"Jenjang {level} tidak berlaku untuk {label}. "
                    f"Jenjang yang berlaku: {', '.join(levels)}.",
                )
        elif level is not None:
            add("level", f"{label} tidak memiliki jenjang; kosongkan isian jenjang.")

        if eselon is not None:
            allowed = ESELONS_BY_KIND[kind]
            if eselon not in ESELONS:
                add("eselon", f"Eselon {eselon} tidak dikenal.")
            elif not allowed:
                add("eselon", f"{label} tidak memiliki eselon; kosongkan isian eselon.")
            elif eselon not in allowed:
                add(
                    "eselon",
                    f"Eselon {eselon} tidak sesuai untuk {label}. "
                    f"Eselon yang berlaku: {', '.join(allowed)}.",
                )

    if kelas_jabatan is None:
        if kelas_required:
            add("kelas_jabatan", "Kelas jabatan wajib diisi.")
    elif isinstance(kelas_jabatan, bool) or not isinstance(kelas_jabatan, int):
        # floats (also inf and nan) are not a kelas
        add("kelas_jabatan", "Kelas jabatan harus berupa bilangan bulat.")
    elif not KELAS_JABATAN_MIN <= kelas_jabatan <= KELAS_JABATAN_MAX:
        add(
            "kelas_jabatan",
            f"Kelas jabatan harus antara {KELAS_JABATAN_MIN} dan {KELAS_JABATAN_MAX}.",
        )

    return errors


def typical_golongan(kind: str, level: str | None) -> list[str]:
    """Realistic PNS golongan codes (ascending) for a position; empty if the combination is unknown."""
    key = (kind, level if LEVELS_BY_KIND.get(kind) else None)
    span = _TYPICAL_RANGES.get(key)
    if span is None:
        return []
    first, last = golongan_rank(span[0]), golongan_rank(span[1])
    return [code for code, _ in PNS_GOLONGAN[first - 1:last]]
