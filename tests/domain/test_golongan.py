"""Worked examples for golongan rules."""

import pytest

from app.domain.golongan import (
    CPNS_ENTRY_GOLONGAN,
    PNS_GOLONGAN,
    PPPK_GOLONGAN,
    golongan_choices,
    golongan_group,
    golongan_rank,
    pppk_tax_group,
    validate_golongan,
)


def test_pns_golongan_table():
    assert len(PNS_GOLONGAN) == 17
    assert PNS_GOLONGAN[0] == ("I/a", "Juru Muda")
    assert PNS_GOLONGAN[8] == ("III/a", "Penata Muda")
    assert PNS_GOLONGAN[13] == ("IV/b", "Pembina Tingkat I")
    assert PNS_GOLONGAN[-1] == ("IV/e", "Pembina Utama")
    assert dict(PNS_GOLONGAN)["IV/d"] == "Pembina Utama Madya"
    assert dict(PNS_GOLONGAN)["II/d"] == "Pengatur Tingkat I"


def test_pppk_golongan_table():
    assert len(PPPK_GOLONGAN) == 17
    assert PPPK_GOLONGAN[0] == "I"
    assert PPPK_GOLONGAN[8] == "IX"
    assert PPPK_GOLONGAN[-1] == "XVII"


def test_cpns_entry_golongan():
    assert CPNS_ENTRY_GOLONGAN == ["I/a", "I/c", "II/a", "II/b", "II/c", "III/a", "III/b", "III/c"]


def test_choices_pns():
    choices = golongan_choices("PNS")
    assert len(choices) == 17
    assert ("III/a", "III/a - Penata Muda") in choices
    assert choices[-1] == ("IV/e", "IV/e - Pembina Utama")


def test_choices_cpns_are_entry_ranks():
    choices = golongan_choices("CPNS")
    assert [c for c, _ in choices] == CPNS_ENTRY_GOLONGAN
    assert ("II/c", "II/c - Pengatur") in choices


def test_choices_pppk_and_unknown():
    assert [c for c, _ in golongan_choices("PPPK")] == PPPK_GOLONGAN
    assert golongan_choices("HONORER") == []


@pytest.mark.parametrize(
    "kind,code", [("PNS", "III/a"), ("PNS", "IV/e"), ("CPNS", "III/b"), ("PPPK", "IX"), ("PPPK", "XVII")]
)
def test_validate_ok(kind, code):
    assert validate_golongan(kind, code) == []


@pytest.mark.parametrize("kind", ["PNS", "CPNS", "PPPK"])
@pytest.mark.parametrize("code", [None, "", "  "])
def test_validate_required(kind, code):
    assert validate_golongan(kind, code) == ["Golongan wajib diisi."]


def test_validate_pppk_code_for_pns():
    assert validate_golongan("PNS", "IX") == ["Golongan IX tidak berlaku untuk pegawai PNS."]


def test_validate_pns_code_for_pppk():
    assert validate_golongan("PPPK", "III/a") == ["Golongan III/a tidak berlaku untuk pegawai PPPK."]


def test_validate_cpns_non_entry_rank():
    errors = validate_golongan("CPNS", "IV/a")
    assert len(errors) == 1
    assert "bukan golongan awal pengangkatan CPNS" in errors[0]


def test_validate_cpns_pppk_code():
    assert validate_golongan("CPNS", "V") == ["Golongan V tidak berlaku untuk pegawai CPNS."]


def test_validate_garbage_and_unknown_kind():
    assert validate_golongan("PNS", "III/f") == ["Golongan III/f tidak berlaku untuk pegawai PNS."]
    assert "tidak dikenal" in validate_golongan("HONORER", "III/a")[0]


def test_rank():
    assert golongan_rank("I/a") == 1
    assert golongan_rank("II/a") == 5
    assert golongan_rank("III/d") == 12
    assert golongan_rank("IV/e") == 17
    assert golongan_rank("III/a") < golongan_rank("III/b") < golongan_rank("IV/a")
    with pytest.raises(ValueError):
        golongan_rank("IX")


@pytest.mark.parametrize(
    "code,group", [("I/a", "I"), ("I/d", "I"), ("II/c", "II"), ("III/a", "III"), ("IV/e", "IV")]
)
def test_group(code, group):
    assert golongan_group(code) == group


def test_group_unknown():
    with pytest.raises(ValueError):
        golongan_group("V/a")


@pytest.mark.parametrize(
    "code,group",
    [
        ("I", "I"), ("IV", "I"),
        ("V", "II"), ("VIII", "II"),
        ("IX", "III"), ("XII", "III"),
        ("XIII", "IV"), ("XVII", "IV"),
    ],
)
def test_pppk_tax_group_boundaries(code, group):
    assert pppk_tax_group(code) == group


def test_pppk_tax_group_all_defined_and_unknown():
    assert [pppk_tax_group(c) for c in PPPK_GOLONGAN].count("IV") == 5
    with pytest.raises(ValueError):
        pppk_tax_group("XVIII")
    with pytest.raises(ValueError):
        pppk_tax_group("III/a")
