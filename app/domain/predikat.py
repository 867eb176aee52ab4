"""Ratings and predikat kinerja of the periodic evaluation (PermenPAN-RB 6/2022).

Predikat matrix (design section 4), rows = rating hasil kerja, columns = rating perilaku:

    hasil kerja \\ perilaku | DI_BAWAH      | SESUAI          | DI_ATAS
    DI_ATAS                | KURANG        | BAIK            | SANGAT_BAIK
    SESUAI                 | KURANG        | BAIK            | BAIK
    DI_BAWAH               | SANGAT_KURANG | BUTUH_PERBAIKAN | BUTUH_PERBAIKAN

Rating perilaku from the seven BerAKHLAK values (``perilaku_from_values``): every value must be
rated; the rating given to the most values wins (plurality); when two or three ratings tie for
the most values the result is SESUAI. Examples: 4×DI_ATAS + 3×SESUAI -> DI_ATAS;
3×DI_ATAS + 3×DI_BAWAH + 1×SESUAI -> SESUAI; 3×DI_BAWAH + 2×SESUAI + 2×DI_ATAS -> DI_BAWAH.
It is the suggestion the form pre-fills; the superior sets the final rating perilaku.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

# --- ratings --------------------------------------------------------------------------------
DI_ATAS = "DI_ATAS"
SESUAI = "SESUAI"
DI_BAWAH = "DI_BAWAH"
RATINGS = (DI_ATAS, SESUAI, DI_BAWAH)
RATING_LABELS = {
    DI_ATAS: "Di Atas Ekspektasi",
    SESUAI: "Sesuai Ekspektasi",
    DI_BAWAH: "Di Bawah Ekspektasi",
}

# --- predikat -------------------------------------------------------------------------------
SANGAT_BAIK = "SANGAT_BAIK"
BAIK = "BAIK"
BUTUH_PERBAIKAN = "BUTUH_PERBAIKAN"
KURANG = "KURANG"
SANGAT_KURANG = "SANGAT_KURANG"

PREDIKAT_ORDER = (SANGAT_BAIK, BAIK, BUTUH_PERBAIKAN, KURANG, SANGAT_KURANG)  # best first
PREDIKAT_LABELS = {
    SANGAT_BAIK: "Sangat Baik",
    BAIK: "Baik",
    BUTUH_PERBAIKAN: "Butuh Perbaikan",
    KURANG: "Kurang/Misconduct",
    SANGAT_KURANG: "Sangat Kurang",
}

# (hasil kerja, perilaku) -> predikat
PREDIKAT_MATRIX: Mapping[tuple[str, str], str] = {
    (DI_ATAS, DI_BAWAH): KURANG,
    (DI_ATAS, SESUAI): BAIK,
    (DI_ATAS, DI_ATAS): SANGAT_BAIK,
    (SESUAI, DI_BAWAH): KURANG,
    (SESUAI, SESUAI): BAIK,
    (SESUAI, DI_ATAS): BAIK,
    (DI_BAWAH, DI_BAWAH): SANGAT_KURANG,
    (DI_BAWAH, SESUAI): BUTUH_PERBAIKAN,
    (DI_BAWAH, DI_ATAS): BUTUH_PERBAIKAN,
}

# --- BerAKHLAK core values ------------------------------------------------------------------
BERORIENTASI_PELAYANAN = "BERORIENTASI_PELAYANAN"
AKUNTABEL = "AKUNTABEL"
KOMPETEN = "KOMPETEN"
HARMONIS = "HARMONIS"
LOYAL = "LOYAL"
ADAPTIF = "ADAPTIF"
KOLABORATIF = "KOLABORATIF"
BERAKHLAK_VALUES = (
    BERORIENTASI_PELAYANAN, AKUNTABEL, KOMPETEN, HARMONIS, LOYAL, ADAPTIF, KOLABORATIF,
)
BERAKHLAK_LABELS = {
    BERORIENTASI_PELAYANAN: "Berorientasi Pelayanan",
    AKUNTABEL: "Akuntabel",
    KOMPETEN: "Kompeten",
    HARMONIS: "Harmonis",
    LOYAL: "Loyal",
    ADAPTIF: "Adaptif",
    KOLABORATIF: "Kolaboratif",
}


def _check_rating(rating: str, what: str) -> None:
    if rating not in RATINGS:
        raise ValueError(f"Rating {what} tidak dikenal: {rating!r}.")


def predikat(hasil_kerja: str, perilaku: str) -> str:
    """Predikat kinerja from the two ratings, per the matrix above."""
    _check_rating(hasil_kerja, "hasil kerja")
    _check_rating(perilaku, "perilaku")
    return PREDIKAT_MATRIX[(hasil_kerja, perilaku)]


def predikat_rank(code: str) -> int:
    """0 for SANGAT_BAIK ... 4 for SANGAT_KURANG (lower is better)."""
    try:
        return PREDIKAT_ORDER.index(code)
    except ValueError:
        raise ValueError(f"Predikat tidak dikenal: {code!r}.") from None


def perilaku_from_values(ratings: Mapping[str, str]) -> str:
    """Suggested rating perilaku from the seven BerAKHLAK value ratings (see module docstring)."""
    unknown = sorted(set(ratings) - set(BERAKHLAK_VALUES))
    if unknown:
        raise ValueError(f"Nilai BerAKHLAK tidak dikenal: {', '.join(unknown)}.")
    missing = [BERAKHLAK_LABELS[v] for v in BERAKHLAK_VALUES if v not in ratings]
    if missing:
        raise ValueError(f"Rating perilaku belum diisi untuk: {', '.join(missing)}.")
    for value, rating in ratings.items():
        _check_rating(rating, f"perilaku {BERAKHLAK_LABELS[value]}")
    counts = Counter(ratings.values())
    most = max(counts.values())
    leaders = [r for r in RATINGS if counts.get(r, 0) == most]
    return leaders[0] if len(leaders) == 1 else SESUAI
