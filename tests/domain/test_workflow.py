"""Activity workflow: every (status, action) pair, notes, entry checks."""

from datetime import date, time
from decimal import Decimal

import pytest

from app.domain.workflow import (
    ACTIONS,
    APPROVE,
    APPROVED,
    CORRECT,
    DELETE,
    DRAFT,
    EDIT,
    REJECT,
    REJECTED,
    RETURN,
    RETURNED,
    STATUS_LABELS,
    STATUSES,
    SUBMIT,
    SUBMITTED,
    WorkflowError,
    WorkflowParams,
    allowed_actions,
    check_activity_entry,
    claimed_minutes,
    is_editable,
    is_locked,
    next_status,
)

NOTE = "Lengkapi bukti dukung."

# The complete allowed table; every other (status, action) pair must be refused.
ALLOWED = {
    (DRAFT, SUBMIT): SUBMITTED,
    (DRAFT, EDIT): DRAFT,
    (DRAFT, DELETE): DRAFT,
    (RETURNED, SUBMIT): SUBMITTED,
    (RETURNED, EDIT): RETURNED,
    (RETURNED, DELETE): RETURNED,
    (SUBMITTED, APPROVE): APPROVED,
    (SUBMITTED, RETURN): RETURNED,
    (SUBMITTED, REJECT): REJECTED,
    (APPROVED, CORRECT): APPROVED,
    (REJECTED, CORRECT): REJECTED,
}
FORBIDDEN = [(s, a) for s in STATUSES for a in ACTIONS if (s, a) not in ALLOWED]


def test_table_covers_all_35_pairs():
    assert len(ALLOWED) + len(FORBIDDEN) == 5 * 7 == 35
    assert len(FORBIDDEN) == 24


@pytest.mark.parametrize(("status", "action"), sorted(ALLOWED))
def test_allowed_transition(status, action):
    assert next_status(status, action, note=NOTE) == ALLOWED[(status, action)]


@pytest.mark.parametrize(("status", "action"), FORBIDDEN)
def test_forbidden_transition_names_status_in_indonesian(status, action):
    with pytest.raises(WorkflowError) as exc:
        next_status(status, action, note=NOTE)
    assert f"berstatus {STATUS_LABELS[status]} tidak dapat" in str(exc.value)
    assert exc.value.status == status and exc.value.action == action


def test_forbidden_messages_examples():
    with pytest.raises(WorkflowError, match="^Aktivitas berstatus Disetujui tidak dapat diubah"):
        next_status(APPROVED, EDIT)
    with pytest.raises(WorkflowError, match="^Aktivitas berstatus Draf tidak dapat disetujui.$"):
        next_status(DRAFT, APPROVE)
    with pytest.raises(WorkflowError, match="Koreksi BKD hanya"):
        next_status(SUBMITTED, CORRECT, note=NOTE)


@pytest.mark.parametrize("note", [None, "", "   \n"])
def test_return_reject_correct_need_a_note(note):
    with pytest.raises(WorkflowError, match="Catatan pengembalian wajib diisi"):
        next_status(SUBMITTED, RETURN, note=note)
    with pytest.raises(WorkflowError, match="Alasan penolakan wajib diisi"):
        next_status(SUBMITTED, REJECT, note=note)
    with pytest.raises(WorkflowError, match="Catatan koreksi BKD wajib diisi"):
        next_status(APPROVED, CORRECT, note=note)


def test_submit_approve_need_no_note():
    assert next_status(DRAFT, SUBMIT) == SUBMITTED
    assert next_status(SUBMITTED, APPROVE) == APPROVED


def test_full_cycle_return_then_resubmit():
    s = next_status(DRAFT, SUBMIT)
    s = next_status(s, RETURN, note=NOTE)
    s = next_status(s, EDIT)
    s = next_status(s, SUBMIT)
    assert next_status(s, APPROVE) == APPROVED


def test_bkd_correction_targets():
    assert next_status(APPROVED, CORRECT, note="Salah input volume", target=RETURNED) == RETURNED
    assert next_status(REJECTED, CORRECT, note="Ditolak keliru", target=APPROVED) == APPROVED
    assert next_status(APPROVED, CORRECT, note="Kembali ke atasan", target=SUBMITTED) == SUBMITTED
    with pytest.raises(WorkflowError, match="tidak dapat mengubah status menjadi Draf"):
        next_status(APPROVED, CORRECT, note="x", target=DRAFT)
    with pytest.raises(WorkflowError, match="hanya dapat dipilih pada koreksi BKD"):
        next_status(SUBMITTED, APPROVE, target=REJECTED)


def test_unknown_status_or_action():
    with pytest.raises(WorkflowError, match="Status aktivitas tidak dikenal"):
        next_status("ARCHIVED", SUBMIT)
    with pytest.raises(WorkflowError, match="Tindakan tidak dikenal"):
        next_status(DRAFT, "PUBLISH")


def test_helpers():
    assert allowed_actions(DRAFT) == {SUBMIT, EDIT, DELETE}
    assert allowed_actions(SUBMITTED) == {APPROVE, RETURN, REJECT}
    assert allowed_actions(APPROVED) == {CORRECT}
    assert is_editable(RETURNED) and not is_editable(SUBMITTED)
    assert is_locked(APPROVED) and is_locked(REJECTED) and not is_locked(DRAFT)


# --- claimed minutes ------------------------------------------------------------------------
def test_claimed_minutes_from_norm():
    # 30 min × 3 documents = 90, times ignored when a norm exists.
    assert claimed_minutes(30, 3, time(8, 0), time(8, 10)) == 90
    # 45 × 1.5 = 67.5 -> 68 (half up); 25 × 0.5 = 12.5 -> 13; 20 × 1.2 = 24.
    assert claimed_minutes(45, Decimal("1.5"), None, None) == 68
    assert claimed_minutes(25, Decimal("0.5"), None, None) == 13
    assert claimed_minutes(20, Decimal("1.2"), None, None) == 24


def test_claimed_minutes_from_times():
    # 08:00–10:30 = 150 minutes; 13:15–13:45 = 30; end before start -> 0.
    assert claimed_minutes(None, None, time(8, 0), time(10, 30)) == 150
    assert claimed_minutes(None, 1, time(13, 15), time(13, 45)) == 30
    assert claimed_minutes(None, 1, time(10, 0), time(9, 0)) == 0
    with pytest.raises(ValueError, match="Jam mulai"):
        claimed_minutes(None, 1, None, time(9, 0))


# --- entry checks ---------------------------------------------------------------------------
# Activity Fri 3 May 2024, 5-day unit, deadline 2 working days -> Tue 7 May.
FRI = date(2024, 5, 3)
DEADLINE = date(2024, 5, 7)


def entry(**kw):
    args = dict(
        activity_date=FRI, today=date(2024, 5, 6), deadline=DEADLINE, claimed=120,
        start=time(8, 0), end=time(10, 0),
    )
    args.update(kw)
    return check_activity_entry(**args)


def test_clean_entry_has_no_errors():
    assert entry() == {}
    assert entry(today=DEADLINE) == {}  # the deadline day itself is still on time


def test_future_date():
    errors = entry(activity_date=date(2024, 5, 7), deadline=date(2024, 5, 9))
    assert errors == {"date": ["Tanggal aktivitas tidak boleh melebihi hari ini."]}


def test_deadline_passed_and_exception():
    errors = entry(today=date(2024, 5, 8))
    assert list(errors) == ["date"]
    assert "3 Mei 2024" in errors["date"][0] and "paling lambat 7 Mei 2024" in errors["date"][0]
    assert entry(today=date(2024, 5, 8), exception_granted=True) == {}


def test_closed_period():
    assert entry(period_open=False) == {"date": ["Periode bulan aktivitas ini sudah ditutup."]}


def test_end_not_after_start():
    assert entry(start=time(9, 0), end=time(9, 0))["end_time"] == ["Jam selesai harus setelah jam mulai."]
    assert "end_time" in entry(start=time(10, 0), end=time(9, 0), claimed=0)


def test_claimed_must_be_positive():
    assert entry(claimed=0) == {"claimed_minutes": ["Menit kerja yang diklaim harus lebih dari 0."]}


def test_daily_cap():
    # 390 already claimed + 60 = 450 = cap: allowed.
    assert entry(claimed=60, minutes_claimed_other=390) == {}
    # 400 + 60 = 460 > 450: refused, 50 minutes left.
    msg = entry(claimed=60, minutes_claimed_other=400)["claimed_minutes"][0]
    assert "460 menit" in msg and "450 menit per hari" in msg and "sisa yang dapat diklaim 50 menit" in msg
    # A custom cap of 480 accepts the same entry.
    assert entry(claimed=60, minutes_claimed_other=400, params=WorkflowParams(max_minutes_per_day=480)) == {}


def test_overlap():
    # 08:00–10:00 against 07:00–08:00 and 10:00–11:00: touching is not overlapping.
    assert entry(other_ranges=[(time(7, 0), time(8, 0)), (time(10, 0), time(11, 0))]) == {}
    errors = entry(other_ranges=[(time(9, 30), time(11, 0)), (time(7, 0), time(12, 0))])
    assert errors["start_time"] == [
        "Rentang waktu 08.00–10.00 bertumpang tindih dengan aktivitas lain pada 09.30–11.00.",
        "Rentang waktu 08.00–10.00 bertumpang tindih dengan aktivitas lain pada 07.00–12.00.",
    ]


def test_several_errors_at_once():
    errors = entry(today=date(2024, 5, 9), claimed=500, other_ranges=[(time(8, 30), time(9, 0))])
    assert set(errors) == {"date", "claimed_minutes", "start_time"}


def test_workflow_params_validate():
    assert WorkflowParams().validate() == []
    assert WorkflowParams(2, 450, 3) == WorkflowParams()
    msgs = WorkflowParams(submit_deadline_workdays=-1, max_minutes_per_day=0, review_deadline_workdays=-2).validate()
    assert len(msgs) == 3 and any("tidak boleh negatif" in m for m in msgs)
