"""Worked examples for position (jabatan) rules."""

import pytest

from app.domain.golongan import PNS_GOLONGAN
from app.domain.positions import (
    ESELONS,
    ESELONS_BY_KIND,
    LEVELS_BY_KIND,
    POSITION_KIND_LABELS,
    POSITION_KINDS,
    typical_golongan,
    validate_position,
)


def test_tables():
    assert POSITION_KINDS == (
        "JPT", "ADMINISTRATOR", "PENGAWAS", "PELAKSANA", "JF_KEAHLIAN", "JF_KETERAMPILAN",
    )
    assert POSITION_KIND_LABELS["JPT"] == "Jabatan Pimpinan Tinggi"
    assert POSITION_KIND_LABELS["JF_KETERAMPILAN"] == "Jabatan Fungsional Keterampilan"
    assert set(LEVELS_BY_KIND) == set(POSITION_KINDS) == set(ESELONS_BY_KIND)
    assert LEVELS_BY_KIND["JPT"] == ("Utama", "Madya", "Pratama")
    assert LEVELS_BY_KIND["PELAKSANA"] == ()
    assert ESELONS == ("I.a", "I.b", "II.a", "II.b", "III.a", "III.b", "IV.a", "IV.b", "V.a", "V.b")
    assert ESELONS_BY_KIND["JPT"] == ("I.a", "I.b", "II.a", "II.b")
    assert ESELONS_BY_KIND["PENGAWAS"] == ("IV.a", "IV.b", "V.a", "V.b")
    assert ESELONS_BY_KIND["JF_KEAHLIAN"] == ()


@pytest.mark.parametrize(
    "kind,level,eselon,kelas",
    [
        ("JPT", "Pratama", "II.b", 14),  # Kepala Dinas
        ("JPT", "Pratama", None, 14),
        ("ADMINISTRATOR", None, "III.a", 11),  # Sekretaris Dinas
        ("PENGAWAS", None, "IV.a", 9),  # Kepala Seksi
        ("PELAKSANA", None, None, 5),
        ("JF_KEAHLIAN", "Ahli Muda", None, 9),
        ("JF_KETERAMPILAN", "Terampil", None, 6),
        ("PELAKSANA", "", "", 1),  # empty strings count as "not given"
        ("JPT", "Utama", "I.a", 17),
    ],
)
def test_valid_positions(kind, level, eselon, kelas):
    assert validate_position(kind, level, eselon, kelas) == {}


def test_unknown_and_missing_kind():
    assert validate_position("HONORER", None, None, 5) == {"kind": ["Jenis jabatan tidak dikenal."]}
    assert validate_position("", None, None, 5) == {"kind": ["Jenis jabatan wajib diisi."]}


def test_level_required_for_kinds_with_levels():
    errors = validate_position("JF_KEAHLIAN", None, None, 9)
    assert errors == {
        "level": ["Jenjang jabatan wajib diisi untuk Jabatan Fungsional Keahlian."]
    }


def test_level_must_belong_to_kind():
    errors = validate_position("JF_KEAHLIAN", "Terampil", None, 9)
    assert list(errors) == ["level"]
    assert errors["level"][0].startswith(
        "Jenjang Terampil tidak berlaku untuk Jabatan Fungsional Keahlian."
    )


def test_level_not_allowed_for_kinds_without_levels():
    errors = validate_position("PENGAWAS", "Pratama", "IV.a", 9)
    assert list(errors) == ["level"]
    assert "tidak memiliki jenjang" in errors["level"][0]


def test_eselon_must_fit_kind():
    errors = validate_position("ADMINISTRATOR", None, "IV.a", 11)
    assert list(errors) == ["eselon"]
    assert errors["eselon"][0].startswith("Eselon IV.a tidak sesuai untuk Jabatan Administrator.")


def test_eselon_not_for_functional_or_pelaksana():
    errors = validate_position("JF_KETERAMPILAN", "Mahir", "IV.b", 7)
    assert errors == {
        "eselon": ["Jabatan Fungsional Keterampilan tidak memiliki eselon; kosongkan isian eselon."]
    }
    assert "eselon" in validate_position("PELAKSANA", None, "V.a", 5)


def test_eselon_unknown_code():
    assert validate_position("JPT", "Pratama", "II.c", 14) == {
        "eselon": ["Eselon II.c tidak dikenal."]
    }


@pytest.mark.parametrize("kelas", [0, 18, -3])
def test_kelas_out_of_range(kelas):
    assert validate_position("PELAKSANA", None, None, kelas) == {
        "kelas_jabatan": ["Kelas jabatan harus antara 1 dan 17."]
    }


def test_kelas_required_and_integer():
    assert validate_position("PELAKSANA", None, None, None) == {
        "kelas_jabatan": ["Kelas jabatan wajib diisi."]
    }
    assert validate_position("PELAKSANA", None, None, 5.5) == {  # type: ignore[arg-type]
        "kelas_jabatan": ["Kelas jabatan harus berupa bilangan bulat."]
    }
    assert "kelas_jabatan" in validate_position("PELAKSANA", None, None, True)  # type: ignore[arg-type]


def test_several_fields_reported_together():
    errors = validate_position("JPT", None, "III.a", 20)
    assert set(errors) == {"level", "eselon", "kelas_jabatan"}


def test_kelas_checked_even_for_unknown_kind():
    assert set(validate_position("X", None, None, 0)) == {"kind", "kelas_jabatan"}


@pytest.mark.parametrize(
    "kind,level,expected",
    [
        ("JPT", "Pratama", ["IV/c", "IV/d"]),
        ("JPT", "Madya", ["IV/d", "IV/e"]),
        ("ADMINISTRATOR", None, ["III/d", "IV/a", "IV/b"]),
        ("PENGAWAS", None, ["III/b", "III/c", "III/d"]),
        ("PELAKSANA", None, ["II/a", "II/b", "II/c", "II/d", "III/a", "III/b"]),
        ("JF_KEAHLIAN", "Ahli Pertama", ["III/a", "III/b"]),
        ("JF_KEAHLIAN", "Ahli Muda", ["III/c", "III/d"]),
        ("JF_KEAHLIAN", "Ahli Madya", ["IV/a", "IV/b", "IV/c"]),
        ("JF_KEAHLIAN", "Ahli Utama", ["IV/d", "IV/e"]),
        ("JF_KETERAMPILAN", "Pemula", ["II/a"]),
        ("JF_KETERAMPILAN", "Terampil", ["II/b", "II/c", "II/d"]),
        ("JF_KETERAMPILAN", "Mahir", ["III/a", "III/b"]),
        ("JF_KETERAMPILAN", "Penyelia", ["III/c", "III/d"]),
    ],
)
def test_typical_golongan(kind, level, expected):
    assert typical_golongan(kind, level) == expected


def test_typical_golongan_every_valid_combination_is_defined():
    codes = {c for c, _ in PNS_GOLONGAN}
    for kind in POSITION_KINDS:
        for level in LEVELS_BY_KIND[kind] or (None,):
            result = typical_golongan(kind, level)
            assert result, (kind, level)
            assert set(result) <= codes


def test_typical_golongan_unknown():
    assert typical_golongan("JF_KEAHLIAN", "Pemula") == []
    assert typical_golongan("JF_KEAHLIAN", None) == []
    assert typical_golongan("HONORER", None) == []
