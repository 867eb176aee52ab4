"""Predikat matrix (all nine cells), labels, order and the BerAKHLAK aggregation."""

import pytest

from app.domain.predikat import (
    BAIK,
    BERAKHLAK_LABELS,
    BERAKHLAK_VALUES,
    BUTUH_PERBAIKAN,
    DI_ATAS,
    DI_BAWAH,
    KURANG,
    PREDIKAT_LABELS,
    PREDIKAT_MATRIX,
    PREDIKAT_ORDER,
    RATING_LABELS,
    SANGAT_BAIK,
    SANGAT_KURANG,
    SESUAI,
    perilaku_from_values,
    predikat,
    predikat_rank,
)

# (hasil kerja, perilaku, predikat) — the design table row by row.
CELLS = [
    (DI_ATAS, DI_BAWAH, KURANG),
    (DI_ATAS, SESUAI, BAIK),
    (DI_ATAS, DI_ATAS, SANGAT_BAIK),
    (SESUAI, DI_BAWAH, KURANG),
    (SESUAI, SESUAI, BAIK),
    (SESUAI, DI_ATAS, BAIK),
    (DI_BAWAH, DI_BAWAH, SANGAT_KURANG),
    (DI_BAWAH, SESUAI, BUTUH_PERBAIKAN),
    (DI_BAWAH, DI_ATAS, BUTUH_PERBAIKAN),
]


@pytest.mark.parametrize(("hasil", "perilaku", "expected"), CELLS)
def test_matrix_cell(hasil, perilaku, expected):
    assert predikat(hasil, perilaku) == expected


def test_matrix_is_complete():
    assert len(PREDIKAT_MATRIX) == 9 and {c[:2] for c in CELLS} == set(PREDIKAT_MATRIX)


def test_unknown_rating():
    with pytest.raises(ValueError, match="Rating hasil kerja tidak dikenal"):
        predikat("BAGUS", SESUAI)
    with pytest.raises(ValueError, match="Rating perilaku tidak dikenal"):
        predikat(SESUAI, None)


def test_labels_and_order():
    assert PREDIKAT_ORDER == (SANGAT_BAIK, BAIK, BUTUH_PERBAIKAN, KURANG, SANGAT_KURANG)
    assert [PREDIKAT_LABELS[p] for p in PREDIKAT_ORDER] == [
        "Sangat Baik", "Baik", "Butuh Perbaikan", "Kurang/Misconduct", "Sangat Kurang",
    ]
    assert RATING_LABELS[DI_ATAS] == "Di Atas Ekspektasi"
    assert RATING_LABELS[SESUAI] == "Sesuai Ekspektasi"
    assert RATING_LABELS[DI_BAWAH] == "Di Bawah Ekspektasi"
    assert predikat_rank(SANGAT_BAIK) < predikat_rank(BAIK) < predikat_rank(SANGAT_KURANG) == 4
    with pytest.raises(ValueError):
        predikat_rank("ISTIMEWA")


def test_berakhlak_values():
    assert [BERAKHLAK_LABELS[v] for v in BERAKHLAK_VALUES] == [
        "Berorientasi Pelayanan", "Akuntabel", "Kompeten", "Harmonis", "Loyal", "Adaptif", "Kolaboratif",
    ]


def rated(*ratings):
    return dict(zip(BERAKHLAK_VALUES, ratings))


def test_perilaku_plurality():
    assert perilaku_from_values(rated(*[SESUAI] * 7)) == SESUAI
    # 4 DI_ATAS vs 3 SESUAI -> DI_ATAS
    assert perilaku_from_values(rated(DI_ATAS, DI_ATAS, DI_ATAS, DI_ATAS, SESUAI, SESUAI, SESUAI)) == DI_ATAS
    # 3 DI_BAWAH vs 2 SESUAI vs 2 DI_ATAS -> DI_BAWAH
    assert perilaku_from_values(rated(DI_BAWAH, DI_BAWAH, DI_BAWAH, SESUAI, SESUAI, DI_ATAS, DI_ATAS)) == DI_BAWAH


def test_perilaku_ties_go_to_sesuai():
    # 3 DI_ATAS, 3 DI_BAWAH, 1 SESUAI: tie between DI_ATAS and DI_BAWAH -> SESUAI
    assert perilaku_from_values(rated(DI_ATAS, DI_ATAS, DI_ATAS, DI_BAWAH, DI_BAWAH, DI_BAWAH, SESUAI)) == SESUAI
    # 3 DI_ATAS, 3 SESUAI, 1 DI_BAWAH -> SESUAI
    assert perilaku_from_values(rated(DI_ATAS, DI_ATAS, DI_ATAS, SESUAI, SESUAI, SESUAI, DI_BAWAH)) == SESUAI


def test_perilaku_incomplete_or_unknown():
    partial = rated(*[SESUAI] * 6)  # Kolaboratif missing
    with pytest.raises(ValueError, match="belum diisi untuk: Kolaboratif"):
        perilaku_from_values(partial)
    with pytest.raises(ValueError, match="Nilai BerAKHLAK tidak dikenal: JUJUR"):
        perilaku_from_values(rated(*[SESUAI] * 7) | {"JUJUR": SESUAI})
    with pytest.raises(ValueError, match="Rating perilaku Loyal tidak dikenal"):
        perilaku_from_values(rated(*[SESUAI] * 7) | {"LOYAL": "BAGUS"})
