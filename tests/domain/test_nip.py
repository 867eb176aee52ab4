"""Worked examples for NIP parsing and validation."""

from datetime import date

import pytest

from app.domain.nip import (
    EMPLOYEE_KIND_LABELS,
    EMPLOYEE_KINDS,
    NipError,
    NipInfo,
    make_nip,
    parse_nip,
    validate_nip,
)

# 1987-03-15 born, CPNS January 2010, male, sequence 2.
VALID_PNS = "198703152010011002"
# 1990-12-01 born, CPNS March 2019, female, sequence 15.
VALID_FEMALE = "199012012019032015"


def test_kinds_and_labels():
    assert EMPLOYEE_KINDS == ("PNS", "CPNS", "PPPK")
    assert set(EMPLOYEE_KIND_LABELS) == set(EMPLOYEE_KINDS)
    assert "Perjanjian Kerja" in EMPLOYEE_KIND_LABELS["PPPK"]


def test_parse_valid_pns():
    info = parse_nip(VALID_PNS)
    assert info == NipInfo(
        birth_date=date(1987, 3, 15), cpns_start=date(2010, 1, 1), sex="L", sequence=2
    )


def test_parse_valid_female():
    info = parse_nip(VALID_FEMALE)
    assert info.birth_date == date(1990, 12, 1)
    assert info.cpns_start == date(2019, 3, 1)
    assert info.sex == "P"
    assert info.sequence == 15


def test_nip_info_is_frozen():
    info = parse_nip(VALID_PNS)
    with pytest.raises(AttributeError):
        info.sex = "P"  # type: ignore[misc]


@pytest.mark.parametrize(
    "nip",
    ["19870315201001100", "1987031520100110021", "", "1987 03152010011002"],
)
def test_parse_wrong_length_or_spaces(nip):
    with pytest.raises(NipError) as exc:
        parse_nip(nip)
    assert str(exc.value) == "NIP harus terdiri dari 18 digit angka."


@pytest.mark.parametrize("nip", ["19870315201001100A", "1987-3152010011002", "١٩٨٧٠٣١٥٢٠١٠٠١١٠٠٢"])
def test_parse_non_digits(nip):
    with pytest.raises(NipError, match="18 digit angka"):
        parse_nip(nip)


def test_nip_error_is_value_error():
    assert issubclass(NipError, ValueError)


@pytest.mark.parametrize(
    "nip",
    [
        "198702312010011002",  # 31 February
        "198702292010011002",  # 1987 is not a leap year
        "198713012010011002",  # month 13
        "198700152010011002",  # month 00
        "198703002010011002",  # day 00
    ],
)
def test_parse_impossible_birth_date(nip):
    with pytest.raises(NipError) as exc:
        parse_nip(nip)
    assert str(exc.value) == "Tanggal lahir pada NIP (digit 1-8) tidak valid."


def test_parse_leap_day_birth_is_valid():
    assert parse_nip("198802292010011002").birth_date == date(1988, 2, 29)


@pytest.mark.parametrize("nip", ["198703152010001002", "198703152010131002"])
def test_parse_impossible_cpns_month(nip):
    with pytest.raises(NipError) as exc:
        parse_nip(nip)
    assert "pengangkatan CPNS" in str(exc.value)
    assert "tidak valid" in str(exc.value)


def test_parse_cpns_before_age_18():
    # Born March 1987: 18th birthday in March 2005; February 2005 is too early.
    with pytest.raises(NipError) as exc:
        parse_nip("198703152005021002")
    assert "18 tahun" in str(exc.value)


def test_parse_cpns_in_month_of_18th_birthday_allowed():
    # Born 31 March 1987, CPNS March 2005: month of the 18th birthday is allowed.
    info = parse_nip("198703312005031002")
    assert info.cpns_start == date(2005, 3, 1)


def test_parse_cpns_long_before_birth():
    with pytest.raises(NipError, match="18 tahun"):
        parse_nip("198703151980011002")


@pytest.mark.parametrize("digit", ["0", "3", "9"])
def test_parse_bad_sex_digit(digit):
    nip = VALID_PNS[:14] + digit + VALID_PNS[15:]
    with pytest.raises(NipError) as exc:
        parse_nip(nip)
    assert "jenis kelamin" in str(exc.value)
    assert "digit 15" in str(exc.value)


def test_parse_sequence_000():
    with pytest.raises(NipError) as exc:
        parse_nip("198703152010011000")
    assert str(exc.value) == "Nomor urut pada NIP (digit 16-18) tidak boleh 000."


def test_parse_sequence_999():
    assert parse_nip("198703152010011999").sequence == 999


# --- validate_nip -------------------------------------------------------------


@pytest.mark.parametrize("kind", ["PNS", "CPNS"])
def test_validate_valid(kind):
    assert validate_nip(VALID_PNS, kind) == []


def test_validate_strips_surrounding_whitespace():
    assert validate_nip("  198703152010011002\n", "PNS") == []


@pytest.mark.parametrize("value", [None, "", "   "])
@pytest.mark.parametrize("kind", ["PNS", "CPNS", "PPPK"])
def test_validate_required(value, kind):
    assert validate_nip(value, kind) == ["NIP wajib diisi."]


def test_validate_does_not_remove_inner_separators():
    assert validate_nip("19870315 201001 1 002", "PNS") == [
        "NIP harus terdiri dari 18 digit angka."
    ]


def test_validate_wrong_length():
    assert validate_nip("1987031520100110", "PNS") == ["NIP harus terdiri dari 18 digit angka."]


def test_validate_pns_rules_apply_to_cpns():
    assert validate_nip("198702312010011002", "CPNS") == [
        "Tanggal lahir pada NIP (digit 1-8) tidak valid."
    ]


def test_validate_pppk_exempt_from_pns_pattern():
    # Impossible birth date, month 00, sex digit 5, sequence 000: fine for PPPK.
    assert validate_nip("198702312021005000", "PPPK") == []
    assert validate_nip("198702312021005000", "PNS") != []


@pytest.mark.parametrize("nip", ["12345", "12345678901234567X", "1234567890123456789"])
def test_validate_pppk_requires_18_digits(nip):
    assert validate_nip(nip, "PPPK") == ["NIP harus terdiri dari 18 digit angka."]


def test_validate_pppk_ignores_birth_date_and_sex():
    assert validate_nip(VALID_PNS, "PPPK", birth_date=date(2000, 1, 1), sex="P") == []


def test_validate_birth_date_match():
    assert validate_nip(VALID_PNS, "PNS", birth_date=date(1987, 3, 15)) == []


def test_validate_birth_date_mismatch():
    assert validate_nip(VALID_PNS, "PNS", birth_date=date(1987, 3, 16)) == [
        "Tanggal lahir pada NIP tidak sesuai dengan tanggal lahir pegawai."
    ]


def test_validate_sex_match_and_mismatch():
    assert validate_nip(VALID_PNS, "PNS", sex="L") == []
    assert validate_nip(VALID_FEMALE, "CPNS", sex="P") == []
    assert validate_nip(VALID_PNS, "PNS", sex="P") == [
        "Jenis kelamin pada NIP tidak sesuai dengan jenis kelamin pegawai."
    ]


def test_validate_both_mismatches_reported():
    errors = validate_nip(VALID_PNS, "PNS", birth_date=date(1990, 1, 1), sex="P")
    assert len(errors) == 2
    assert any("Tanggal lahir" in e for e in errors)
    assert any("Jenis kelamin" in e for e in errors)


def test_validate_unknown_kind():
    errors = validate_nip(VALID_PNS, "HONORER")
    assert len(errors) == 1
    assert "Jenis kepegawaian tidak dikenal" in errors[0]


# --- make_nip -----------------------------------------------------------------


def test_make_nip_round_trip():
    nip = make_nip(date(1987, 3, 15), date(2010, 1, 1), "L", 2)
    assert nip == VALID_PNS
    assert make_nip(date(1990, 12, 1), date(2019, 3, 20), "P", 15) == VALID_FEMALE


def test_make_nip_rejects_invalid_input():
    with pytest.raises(NipError, match="18 tahun"):
        make_nip(date(2000, 6, 1), date(2017, 1, 1), "L", 1)
    with pytest.raises(NipError):
        make_nip(date(1987, 3, 15), date(2010, 1, 1), "X", 1)
    with pytest.raises(NipError):
        make_nip(date(1987, 3, 15), date(2010, 1, 1), "L", 0)
    with pytest.raises(NipError):
        make_nip(date(1987, 3, 15), date(2010, 1, 1), "L", 1000)
