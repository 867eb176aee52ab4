"""app.domain.skp: worked examples of every transition, the plan checks and every cascade rule."""
from datetime import date
from decimal import Decimal

import pytest

from app.domain import skp as S


# --------------------------------------------------------------------------- transitions
@pytest.mark.parametrize("current,action,expected", [
    ("DRAFT", "SUBMIT", "SUBMITTED"),
    ("RETURNED", "SUBMIT", "SUBMITTED"),
    ("DRAFT", "EDIT", "DRAFT"),
    ("RETURNED", "EDIT", "RETURNED"),
    ("SUBMITTED", "APPROVE", "APPROVED"),
    ("APPROVED", "REVISE", "DRAFT"),
])
def test_allowed_transitions(current, action, expected):
    assert S.next_status(current, action) == expected


def test_return_needs_a_note():
    with pytest.raises(S.SkpError) as err:
        S.next_status("SUBMITTED", "RETURN", "   ")
    assert str(err.value) == "Catatan pengembalian wajib diisi."
    assert S.next_status("SUBMITTED", "RETURN", "Target terlalu rendah") == "RETURNED"
    with pytest.raises(S.SkpError):
        S.next_status("SUBMITTED", "RETURN", "x" * (S.NOTE_MAX + 1))


@pytest.mark.parametrize("current,action,fragment", [
    ("SUBMITTED", "SUBMIT", "Diajukan tidak dapat diajukan"),
    ("APPROVED", "SUBMIT", "Disetujui tidak dapat diajukan"),
    ("APPROVED", "EDIT", "melalui revisi"),
    ("SUBMITTED", "EDIT", "Draf atau Dikembalikan"),
    ("DRAFT", "APPROVE", "sedang diajukan"),
    ("RETURNED", "RETURN", "sedang diajukan"),
    ("APPROVED", "APPROVE", "sedang diajukan"),
    ("DRAFT", "REVISE", "sudah disetujui"),
    ("SUBMITTED", "REVISE", "sudah disetujui"),
])
def test_refused_transitions(current, action, fragment):
    with pytest.raises(S.SkpError) as err:
        S.next_status(current, action, "catatan")
    assert fragment in err.value.message


def test_unknown_status_or_action():
    with pytest.raises(S.SkpError):
        S.next_status("REJECTED", "SUBMIT")
    with pytest.raises(S.SkpError):
        S.next_status("DRAFT", "DELETE")


def test_editable_and_allowed_actions():
    assert S.is_editable("DRAFT") and S.is_editable("RETURNED")
    assert not S.is_editable("SUBMITTED") and not S.is_editable("APPROVED")
    assert S.allowed_actions("SUBMITTED") == {"APPROVE", "RETURN"}
    assert S.allowed_actions("APPROVED") == {"REVISE"}


def test_who_decides():
    # The superior snapshot decides; nobody decides their own SKP, not even BKD.
    assert S.may_decide(20, False, 30, 20) is None
    assert S.may_decide(30, False, 30, 20) == S.MSG_OWN_SKP
    assert "atasan langsung" in S.may_decide(21, False, 30, 20)
    assert "atasan langsung" in S.may_decide(21, True, 30, 20)  # BKD only at the top of the tree
    assert S.may_decide(None, True, 1, None) is None
    assert S.may_decide(1, True, 1, None) == S.MSG_OWN_SKP
    assert S.may_decide(5, False, 1, None) is not None


def test_in_force():
    assert S.in_force(2, 2)
    assert not S.in_force(1, 2)  # deactivated in revision 2, approved
    assert not S.in_force(None, 2)  # added in a revision not yet approved
    assert not S.in_force(None, None)


# --------------------------------------------------------------------------- validators
def test_rhk_values():
    clean, errors = S.rhk_values({"kind": " utama ", "name": "  Layanan  ", "parent_id": "7", "goal_id": None})
    assert errors == {} and clean == {"kind": "UTAMA", "name": "Layanan", "parent_id": 7, "goal_id": None}
    _, errors = S.rhk_values({"kind": "LAIN", "name": "", "parent_id": "x", "goal_id": True})
    assert set(errors) == {"kind", "name", "parent_id", "goal_id"}
    _, errors = S.rhk_values({"name": "x" * (S.NAME_MAX + 1)})
    assert "maksimal" in errors["name"][0]
    assert S.rhk_values({"name": "Ubah nama"}) == ({"name": "Ubah nama"}, {})  # an edit names some keys


@pytest.mark.parametrize("aspect,value,unit,ok", [
    ("KUANTITAS", "12", "laporan", True),
    ("KUANTITAS", "0", "laporan", False),
    ("KUALITAS", "100", "%", True),
    ("KUALITAS", "100,5", "%", False),
    ("WAKTU", "12", "bulan", True),
    ("WAKTU", "-1", "bulan", False),
    ("BIAYA", "0", "rupiah", True),
    ("BIAYA", "1500000.50", "rupiah", True),
    ("KUANTITAS", "1.005", "dokumen", False),
    ("KUANTITAS", "abc", "dokumen", False),
    ("KUANTITAS", float("nan"), "dokumen", False),
])
def test_indicator_targets(aspect, value, unit, ok):
    clean, errors = S.indicator_values({"aspect": aspect, "name": "Indikator", "target_value": value,
                                        "target_unit": unit})
    assert (errors == {}) == ok, errors
    if ok:
        assert clean["target_value"] == Decimal(str(value).replace(",", "."))


def test_indicator_edit_checks_the_target_against_the_stored_aspect():
    _, errors = S.indicator_values({"target_value": 0}, current={"aspect": "KUANTITAS", "target_unit": "laporan"})
    assert "lebih besar dari 0" in errors["target_value"][0]
    assert S.indicator_values({"target_value": 0}, current={"aspect": "BIAYA", "target_unit": "rupiah"})[1] == {}
    _, errors = S.indicator_values({"aspect": "MUTU"})
    assert "Kuantitas" in errors["aspect"][0]


def test_goal_values_and_year():
    clean, errors = S.goal_values({"year": "2027", "unit_id": None, "code": "K1", "name": "Kota sehat"})
    assert errors == {} and clean["year"] == 2027
    _, errors = S.goal_values({"year": 1999, "code": "", "name": None})
    assert set(errors) == {"year", "code", "name"}
    assert S.to_year(True) is None and S.to_year("２０２７") is None


# --------------------------------------------------------------------------- plan checks
IND = S.IndicatorFacts("KUANTITAS", "Jumlah laporan", Decimal(12), "laporan")


def rhk(kind="UTAMA", number=1, parent=None, goal=None, active=True, indicators=(IND,)):
    return S.RhkFacts(id=number, kind=kind, number=number, name="Layanan kesehatan", active=active,
                      parent_id=parent, goal_id=goal, indicators=indicators)


def test_plan_needs_an_active_rhk_utama():
    assert S.plan_errors([rhk()]) == []
    assert S.plan_errors([]) == ["SKP harus memuat sekurang-kurangnya satu RHK utama."]
    assert S.plan_errors([rhk(kind="TAMBAHAN")]) == ["SKP harus memuat sekurang-kurangnya satu RHK utama."]
    assert S.plan_errors([rhk(active=False), rhk(kind="TAMBAHAN", number=2)])[0].startswith("SKP harus")


def test_plan_needs_indicators_and_sensible_targets():
    problems = S.plan_errors([rhk(indicators=())])
    assert problems == ["RHK utama 1 (Layanan kesehatan) belum memiliki indikator kinerja."]
    zero = S.IndicatorFacts("KUALITAS", "Kepuasan", Decimal(0), "%")
    assert "Target harus lebih besar dari 0." in S.plan_errors([rhk(indicators=(zero,))])[0]
    # An inactive RHK is not checked.
    assert S.plan_errors([rhk(), rhk(number=2, active=False, indicators=())]) == []


# --------------------------------------------------------------------------- cascade
def staff_ctx(**kw):
    base = dict(year=2027, opd_head=False, superior_name="Kabid A", superior_skp_approved=True,
                parent_ids=frozenset({101, 102}), goal_ids=frozenset({9}))
    base.update(kw)
    return S.CascadeContext(**base)


def head_ctx(**kw):
    base = dict(year=2027, opd_head=True, superior_name="Sekda", superior_skp_approved=True,
                parent_ids=frozenset({1}), goal_ids=frozenset({9, 10}))
    base.update(kw)
    return S.CascadeContext(**base)


def test_below_the_head_names_an_rhk_in_force_of_the_superior():
    assert S.cascade_errors(rhk(parent=101), staff_ctx()) == []
    assert S.cascade_errors(rhk(parent=None), staff_ctx()) == [
        "RHK utama 1: Pilih RHK atasan langsung (Kabid A) yang diintervensi."]
    # Another superior's RHK (someone else's superior, another OPD): not in the superior's plan.
    assert S.cascade_errors(rhk(parent=555), staff_ctx()) == [
        "RHK utama 1: RHK atasan yang diintervensi harus RHK yang berlaku dalam SKP tahun 2027 atasan langsung "
        "(Kabid A)."]
    assert S.link_errors(555, None, staff_ctx())["parent_id"][0].startswith("RHK atasan yang diintervensi")


def test_below_the_head_waits_for_the_superiors_approved_plan():
    ctx = staff_ctx(superior_skp_approved=False, parent_ids=frozenset())
    assert "belum disetujui" in S.cascade_errors(rhk(parent=None), ctx)[0]
    assert "belum disetujui" in S.link_errors(101, None, ctx)["parent_id"][0]
    ctx = staff_ctx(superior_name=None, superior_skp_approved=False, parent_ids=frozenset())
    assert "belum ditetapkan" in S.cascade_errors(rhk(parent=None), ctx)[0]


def test_below_the_head_names_no_goal():
    problems = S.cascade_errors(rhk(parent=101, goal=9), staff_ctx())
    assert len(problems) == 1 and "hanya dipilih oleh kepala OPD" in problems[0]


def test_the_opd_head_names_a_goal_of_their_opd():
    assert S.cascade_errors(rhk(goal=9), head_ctx()) == []
    assert "Pilih sasaran strategis" in S.cascade_errors(rhk(goal=None), head_ctx())[0]
    assert "OPD sendiri" in S.cascade_errors(rhk(goal=77), head_ctx())[0]  # another OPD's goal
    problems = S.cascade_errors(rhk(goal=9, parent=1), head_ctx())
    assert len(problems) == 1 and "bukan dengan RHK atasan" in problems[0]


def test_check_submission_combines_plan_and_cascade():
    assert S.check_submission([rhk(parent=101)], staff_ctx()) == []
    problems = S.check_submission([rhk(parent=None), rhk(kind="TAMBAHAN", number=1, parent=999)], staff_ctx())
    assert len(problems) == 2 and "utama 1" in problems[0] and "tambahan 1" in problems[1]
    # Inactive RHK are not cascaded.
    assert S.check_submission([rhk(parent=101), rhk(number=2, parent=None, active=False)], staff_ctx()) == []


def test_is_opd_head():
    assert S.is_opd_head(2, 1, True)  # kepala dinas under the Sekda (another OPD)
    assert S.is_opd_head(1, None, False)  # the Sekda, top of the tree
    assert not S.is_opd_head(2, 2, True)  # a kepala bidang under the kepala dinas


def test_goal_rules():
    city = S.GoalFacts(1, 2027, None)
    assert S.goal_errors(city, None) == {}
    assert "tidak mengacu" in S.goal_errors(S.GoalFacts(2, 2027, None, 1), city)["parent_id"][0]
    assert S.goal_errors(S.GoalFacts(3, 2027, 5, 1), city) == {}
    assert "harus mengacu" in S.goal_errors(S.GoalFacts(3, 2027, 5, None), None)["parent_id"][0]
    other_opd_goal = S.GoalFacts(4, 2027, 6, 1)
    assert "kota" in S.goal_errors(S.GoalFacts(3, 2027, 5, 4), other_opd_goal)["parent_id"][0]
    last_year = S.GoalFacts(7, 2026, None)
    assert "2027" in S.goal_errors(S.GoalFacts(3, 2027, 5, 7), last_year)["parent_id"][0]


# --------------------------------------------------------------------------- window
def test_planning_window():
    start, end = S.default_window(2027)
    assert (start, end) == (date(2027, 1, 1), date(2027, 1, 31))
    assert S.window_error(2027, date(2027, 1, 31), start, end) is None
    message = S.window_error(2027, date(2027, 2, 1), start, end)
    assert "1 Januari 2027 sampai 31 Januari 2027" in message and "revisi" in message
    assert S.window_error(2027, date(2026, 12, 31), start, end) is not None


def test_reference_day():
    assert S.reference_day(2027, date(2026, 12, 15)) == date(2027, 1, 1)
    assert S.reference_day(2027, date(2027, 6, 1)) == date(2027, 6, 1)
    assert S.reference_day(2026, date(2027, 2, 1)) == date(2026, 12, 31)
