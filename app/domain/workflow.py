"""Activity (aktivitas harian) workflow: status transitions and entry rule checks.

Design section 3:
    DRAFT -> SUBMITTED -> APPROVED (locked)
                       -> RETURNED (note required) -> SUBMITTED again
                       -> REJECTED (reason required, final)
APPROVED and REJECTED change only through a BKD correction (CORRECT), which needs a note.

Transition table (anything else raises ``WorkflowError``):

    DRAFT     : SUBMIT -> SUBMITTED, EDIT -> DRAFT, DELETE -> DRAFT (caller removes the row)
    RETURNED  : SUBMIT -> SUBMITTED, EDIT -> RETURNED, DELETE -> RETURNED (caller removes it)
    SUBMITTED : APPROVE -> APPROVED, RETURN -> RETURNED (note), REJECT -> REJECTED (reason)
    APPROVED  : CORRECT (note) -> target status (default: stays APPROVED, a data correction)
    REJECTED  : CORRECT (note) -> target status (default: stays REJECTED)

A BKD correction may move the item to APPROVED, REJECTED, RETURNED (back to the employee) or
SUBMITTED (back to the superior's queue); never to DRAFT.

Who may act (owner, superior, escalation, BKD) is decided by the services and the security
module, not here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, time
from decimal import ROUND_HALF_UP, Decimal

from app.domain.calendar import format_date_id
from app.domain.money import to_decimal

# --- statuses -------------------------------------------------------------------------------
DRAFT = "DRAFT"
SUBMITTED = "SUBMITTED"
APPROVED = "APPROVED"
RETURNED = "RETURNED"
REJECTED = "REJECTED"

STATUSES = (DRAFT, SUBMITTED, APPROVED, RETURNED, REJECTED)
STATUS_LABELS = {
    DRAFT: "Draf",
    SUBMITTED: "Diajukan",
    APPROVED: "Disetujui",
    RETURNED: "Dikembalikan",
    REJECTED: "Ditolak",
}

# --- actions --------------------------------------------------------------------------------
SUBMIT = "SUBMIT"
APPROVE = "APPROVE"
RETURN = "RETURN"
REJECT = "REJECT"
EDIT = "EDIT"
DELETE = "DELETE"
CORRECT = "CORRECT"

ACTIONS = (SUBMIT, APPROVE, RETURN, REJECT, EDIT, DELETE, CORRECT)
ACTION_LABELS = {
    SUBMIT: "Ajukan",
    APPROVE: "Setujui",
    RETURN: "Kembalikan",
    REJECT: "Tolak",
    EDIT: "Ubah",
    DELETE: "Hapus",
    CORRECT: "Koreksi BKD",
}
# Passive verb for "... tidak dapat <verb>".
_ACTION_PASSIVE = {
    SUBMIT: "diajukan",
    APPROVE: "disetujui",
    RETURN: "dikembalikan",
    REJECT: "ditolak",
    EDIT: "diubah",
    DELETE: "dihapus",
    CORRECT: "dikoreksi",
}

EDITABLE_STATUSES = frozenset({DRAFT, RETURNED})
LOCKED_STATUSES = frozenset({APPROVED, REJECTED})
CORRECTION_TARGETS = frozenset({APPROVED, REJECTED, RETURNED, SUBMITTED})

_TRANSITIONS: dict[tuple[str, str], str] = {
    (DRAFT, SUBMIT): SUBMITTED,
    (RETURNED, SUBMIT): SUBMITTED,
    (DRAFT, EDIT): DRAFT,
    (RETURNED, EDIT): RETURNED,
    (DRAFT, DELETE): DRAFT,
    (RETURNED, DELETE): RETURNED,
    (SUBMITTED, APPROVE): APPROVED,
    (SUBMITTED, RETURN): RETURNED,
    (SUBMITTED, REJECT): REJECTED,
    (APPROVED, CORRECT): APPROVED,
    (REJECTED, CORRECT): REJECTED,
}
_NOTE_REQUIRED = {
    RETURN: "Catatan pengembalian wajib diisi.",
    REJECT: "Alasan penolakan wajib diisi.",
    CORRECT: "Catatan koreksi BKD wajib diisi.",
}

MSG_EDIT_LOCKED = "Aktivitas hanya dapat diubah atau dihapus selama berstatus Draf atau Dikembalikan."


class WorkflowError(Exception):
    """A refused transition; ``str(err)`` / ``err.message`` is the Indonesian message."""

    def __init__(self, message: str, status: str | None = None, action: str | None = None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.action = action


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


def allowed_actions(status: str) -> frozenset[str]:
    """Actions permitted on an item in ``status`` (independent of who acts)."""
    return frozenset(a for (s, a) in _TRANSITIONS if s == status)


def is_editable(status: str) -> bool:
    return status in EDITABLE_STATUSES


def is_locked(status: str) -> bool:
    return status in LOCKED_STATUSES


def next_status(current: str, action: str, note: str | None = None, target: str | None = None) -> str:
    """Status after ``action`` on an item in ``current``; raises ``WorkflowError`` if refused.

    ``note`` is required (non-blank) for RETURN, REJECT and CORRECT. ``target`` is only for
    CORRECT: the status the BKD correction moves the item to (default: unchanged).
    """
    if current not in STATUSES:
        raise WorkflowError(f"Status aktivitas tidak dikenal: {current!r}.", current, action)
    if action not in ACTIONS:
        raise WorkflowError(f"Tindakan tidak dikenal: {action!r}.", current, action)
    result = _TRANSITIONS.get((current, action))
    if result is None:
        msg = f"Aktivitas berstatus {STATUS_LABELS[current]} tidak dapat {_ACTION_PASSIVE[action]}."
        if action in (EDIT, DELETE):
            msg += " " + MSG_EDIT_LOCKED
        elif action == CORRECT:
            msg += " Koreksi BKD hanya untuk aktivitas yang sudah Disetujui atau Ditolak."
        raise WorkflowError(msg, current, action)
    if action in _NOTE_REQUIRED and not (note or "").strip():
        raise WorkflowError(_NOTE_REQUIRED[action], current, action)
    if target is not None:
        if action != CORRECT:
            raise WorkflowError("Status tujuan hanya dapat dipilih pada koreksi BKD.", current, action)
        if target not in CORRECTION_TARGETS:
            raise WorkflowError(
                f"Koreksi BKD tidak dapat mengubah status menjadi {status_label(target)}.",
                current,
                action,
            )
        return target
    return result


# --- parameters -----------------------------------------------------------------------------
@dataclass(frozen=True)
class WorkflowParams:
    submit_deadline_workdays: int = 2
    max_minutes_per_day: int = 450
    review_deadline_workdays: int = 3

    def validate(self) -> list[str]:
        """Indonesian messages for values that do not make sense (empty list = valid)."""
        errors: list[str] = []
        if self.submit_deadline_workdays < 0:
            errors.append("Batas pengajuan (hari kerja) tidak boleh negatif.")
        if self.review_deadline_workdays < 0:
            errors.append("Batas persetujuan atasan (hari kerja) tidak boleh negatif.")
        if not 1 <= self.max_minutes_per_day <= 24 * 60:
            errors.append("Batas menit per hari harus antara 1 dan 1440 menit.")
        return errors


# --- entry checks ---------------------------------------------------------------------------
FIELD_DATE = "date"
FIELD_START = "start_time"
FIELD_END = "end_time"
FIELD_MINUTES = "claimed_minutes"


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def _hhmm(t: time) -> str:
    """Indonesian time in messages: time(9, 0) -> '09.00' (as app/formatting.py shows it)."""
    return t.strftime("%H.%M")


def claimed_minutes(
    norm_minutes: int | Decimal | None,
    volume: int | Decimal | None,
    start: time | None,
    end: time | None,
) -> int:
    """Claimed minutes of an activity.

    With a catalog norm: norm × volume, rounded half up to whole minutes (volume may be a
    Decimal such as 1.5). Without a norm: end − start in minutes (0 if end is not after start;
    ``check_activity_entry`` reports that). Ranges do not cross midnight.
    """
    if norm_minutes is not None:
        product = to_decimal(norm_minutes) * to_decimal(volume if volume is not None else 0)
        return int(product.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if start is None or end is None:
        raise ValueError("Jam mulai dan jam selesai wajib diisi bila uraian tugas tidak memiliki norma waktu.")
    return max(0, _minutes(end) - _minutes(start))


def _add(errors: dict[str, list[str]], field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def check_activity_entry(
    *,
    activity_date: date,
    today: date,
    deadline: date,
    claimed: int,
    params: WorkflowParams = WorkflowParams(),
    start: time | None = None,
    end: time | None = None,
    exception_granted: bool = False,
    period_open: bool = True,
    minutes_claimed_other: int = 0,
    other_ranges: Iterable[tuple[time, time]] = (),
) -> dict[str, list[str]]:
    """Pure rule checks for creating/editing/submitting one activity.

    Returns ``{field: [Indonesian messages]}``; an empty dict means the entry is acceptable.
    Fields: ``date``, ``start_time``, ``end_time``, ``claimed_minutes``.

    - ``deadline``: last day to submit (``calendar.submit_deadline``); it is past when
      ``today > deadline`` and BKD granted no exception (``exception_granted``);
    - ``minutes_claimed_other``: minutes already claimed the same day by the employee's other
      (non-rejected) activities; the total may not exceed ``params.max_minutes_per_day``;
    - ``other_ranges``: (start, end) of the employee's other activities that day; ranges are
      half-open, so 08:00–09:00 and 09:00–10:00 do not overlap.
    """
    errors: dict[str, list[str]] = {}

    if activity_date > today:
        _add(errors, FIELD_DATE, "Tanggal aktivitas tidak boleh melebihi hari ini.")
    if not period_open:
        _add(errors, FIELD_DATE, "Periode bulan aktivitas ini sudah ditutup.")
    if today > deadline and not exception_granted:
        _add(
            errors,
            FIELD_DATE,
            f"Batas waktu pengajuan aktivitas tanggal {format_date_id(activity_date)} sudah lewat "
            f"(paling lambat {format_date_id(deadline)}). Pengecualian hanya dapat dibuka oleh BKD.",
        )

    times_ok = start is not None and end is not None
    if times_ok and _minutes(end) <= _minutes(start):
        _add(errors, FIELD_END, "Jam selesai harus setelah jam mulai.")
        times_ok = False

    if claimed <= 0:
        _add(errors, FIELD_MINUTES, "Menit kerja yang diklaim harus lebih dari 0.")
    else:
        total = minutes_claimed_other + claimed
        cap = params.max_minutes_per_day
        if total > cap:
            left = max(0, cap - minutes_claimed_other)
            _add(
                errors,
                FIELD_MINUTES,
                f"Jumlah menit kerja pada tanggal ini menjadi {total} menit, melebihi batas "
                f"{cap} menit per hari (sisa yang dapat diklaim {left} menit).",
            )

    if times_ok:
        s, e = _minutes(start), _minutes(end)
        for o_start, o_end in other_ranges:
            if s < _minutes(o_end) and _minutes(o_start) < e:
                _add(
                    errors,
                    FIELD_START,
                    f"Rentang waktu {_hhmm(start)}–{_hhmm(end)} bertumpang tindih dengan "
                    f"aktivitas lain pada {_hhmm(o_start)}–{_hhmm(o_end)}.",
                )
    return errors


# --- field limits: ONE validator for the form, the API and any import ------------------------
DESCRIPTION_MAX = 2000  # characters of the activity description
NOTE_MAX = 1000  # decision notes, return notes, reject reasons, BKD correction reasons, evaluation notes
LINK_MAX = 500  # evidence link (column String(500))
VOLUME_MAX = Decimal("1000")  # output units of one activity (a day's work)
MINUTES_MAX = 24 * 60

MSG_TEXT = "Harus berupa teks."
MSG_VOLUME_NUMBER = "Volume harus berupa angka."
MSG_VOLUME_POSITIVE = "Volume harus lebih dari 0."
MSG_VOLUME_MAX = f"Volume paling banyak {VOLUME_MAX}."
MSG_VOLUME_PLACES = "Volume paling banyak dua angka di belakang koma."
MSG_DESCRIPTION_MAX = f"Uraian kegiatan paling panjang {DESCRIPTION_MAX} karakter."
MSG_LINK_MAX = f"Tautan bukti paling panjang {LINK_MAX} karakter."
MSG_NOTE_MAX = f"Catatan paling panjang {NOTE_MAX} karakter."
MSG_MINUTES = f"Menit harus bilangan bulat antara 0 dan {MINUTES_MAX}."


def to_volume(raw: object) -> Decimal | None:
    """A volume as typed (form text, JSON number or string, Decimal) as a finite Decimal, or
    None when it is not a finite number (NaN, Infinity, text, booleans)."""
    if raw is None or isinstance(raw, bool):
        return None
    if isinstance(raw, Decimal):
        value = raw
    elif isinstance(raw, (int, float, str)):
        text = str(raw).strip()
        if not text or len(text) > 40:
            return None
        try:
            value = Decimal(text)
        except ArithmeticError:
            return None
    else:
        return None
    return value if value.is_finite() else None


def volume_errors(raw: object) -> list[str]:
    """Messages for one volume value (empty list = acceptable)."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return [MSG_VOLUME_POSITIVE]
    value = to_volume(raw)
    if value is None:
        return [MSG_VOLUME_NUMBER]
    if value <= 0:
        return [MSG_VOLUME_POSITIVE]
    if value > VOLUME_MAX:
        return [MSG_VOLUME_MAX]
    if value != value.quantize(Decimal("0.01")):
        return [MSG_VOLUME_PLACES]
    return []


def text_errors(value: object, limit: int, message: str) -> list[str]:
    """Messages for an optional text value: it must be text and at most `limit` characters."""
    if value is None:
        return []
    if not isinstance(value, str):
        return [MSG_TEXT]
    return [message] if len(value.strip()) > limit else []


def note_errors(note: object) -> list[str]:
    """Decision notes, return notes, reject reasons, BKD correction reasons, evaluation notes."""
    return text_errors(note, NOTE_MAX, MSG_NOTE_MAX)


def minutes_errors(value: object) -> list[str]:
    """Claimed minutes set by hand (BKD correction): a whole number 0..1440."""
    if value is None:
        return []
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MINUTES_MAX:
        return [MSG_MINUTES]
    return []


def activity_field_errors(values: dict) -> dict[str, list[str]]:
    """Type, length and range of the typed fields of one activity (description, volume,
    evidence link): the one validator the form, the API and any import call (through
    app.services.activities.check_entry). Keys absent from `values` are not checked."""
    errors: dict[str, list[str]] = {}
    checks = {
        "description": lambda v: text_errors(v, DESCRIPTION_MAX, MSG_DESCRIPTION_MAX),
        "volume": volume_errors,
        "evidence_link": lambda v: text_errors(v, LINK_MAX, MSG_LINK_MAX),
    }
    for name, check in checks.items():
        if name in values:
            found = check(values[name])
            if found:
                errors[name] = found
    return errors
