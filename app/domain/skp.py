"""SKP tahunan (Sasaran Kinerja Pegawai, PermenPAN-RB 6/2022, design section 9): workflow,
plan checks and cascade rules. Plain Python (no Flask, no models).

Workflow:
    DRAFT -> SUBMITTED -> APPROVED
                       -> RETURNED (note required) -> SUBMITTED again
    APPROVED -> REVISE -> DRAFT with revision + 1

An APPROVED SKP changes only through a revision. During the revision the approved plan stays
in force: the SKP keeps `approved_revision` (the last approved revision) and each RHK keeps
its own `approved_revision`; an RHK is in force when its approved_revision equals the SKP's
(see `in_force`). The next approval stamps the new revision on every active RHK, so RHK added
in the revision come into force then and RHK deactivated in it go out of force then.

Cascade (matriks peran hasil):
- every RHK of an employee below the OPD head names (parent_id) an RHK in force of the SKP of
  the employee's superior for the same year (never another superior's RHK; across OPD only
  where the superior line itself crosses it);
- every RHK of the OPD head names (goal_id) a goal of their own OPD for that year;
- every OPD goal names a city goal (the Wali Kota's) of the same year; a city goal names none.

Who acts (owner, operator, superior, BKD) and the planning window are applied by
app.services.skp with the facts computed here.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Iterable, Mapping, Optional

from app.domain.calendar import format_date_id

# --- statuses and actions ---------------------------------------------------------------------
DRAFT = "DRAFT"
SUBMITTED = "SUBMITTED"
APPROVED = "APPROVED"
RETURNED = "RETURNED"
STATUSES = (DRAFT, SUBMITTED, APPROVED, RETURNED)
STATUS_LABELS = {DRAFT: "Draf", SUBMITTED: "Diajukan", APPROVED: "Disetujui", RETURNED: "Dikembalikan"}

SUBMIT = "SUBMIT"
APPROVE = "APPROVE"
RETURN = "RETURN"
REVISE = "REVISE"
EDIT = "EDIT"
ACTIONS = (SUBMIT, APPROVE, RETURN, REVISE, EDIT)
ACTION_LABELS = {SUBMIT: "Ajukan", APPROVE: "Setujui", RETURN: "Kembalikan", REVISE: "Mulai Revisi",
                 EDIT: "Ubah"}
_ACTION_PASSIVE = {SUBMIT: "diajukan", APPROVE: "disetujui", RETURN: "dikembalikan", REVISE: "direvisi",
                   EDIT: "diubah"}

EDITABLE_STATUSES = frozenset({DRAFT, RETURNED})
_TRANSITIONS = {
    (DRAFT, SUBMIT): SUBMITTED,
    (RETURNED, SUBMIT): SUBMITTED,
    (DRAFT, EDIT): DRAFT,
    (RETURNED, EDIT): RETURNED,
    (SUBMITTED, APPROVE): APPROVED,
    (SUBMITTED, RETURN): RETURNED,
    (APPROVED, REVISE): DRAFT,
}

KINDS = ("UTAMA", "TAMBAHAN")
KIND_LABELS = {"UTAMA": "Utama", "TAMBAHAN": "Tambahan"}
ASPECTS = ("KUANTITAS", "KUALITAS", "WAKTU", "BIAYA")
ASPECT_LABELS = {"KUANTITAS": "Kuantitas", "KUALITAS": "Kualitas", "WAKTU": "Waktu", "BIAYA": "Biaya"}
# A cost target may be zero (no budget); every other aspect needs a positive target.
ZERO_TARGET_ASPECTS = frozenset({"BIAYA"})
PERCENT_UNITS = frozenset({"%", "persen", "persentase"})

NAME_MAX = 1000
UNIT_MAX = 50
CODE_MAX = 30
NOTE_MAX = 1000
TARGET_MAX = Decimal("999999999999.99")

MSG_EDIT_LOCKED = ("SKP hanya dapat diubah selama berstatus Draf atau Dikembalikan; SKP yang sudah disetujui "
                   "diubah melalui revisi.")
MSG_NOTE_REQUIRED = "Catatan pengembalian wajib diisi."
MSG_NOTE_MAX = f"Catatan terlalu panjang: maksimal {NOTE_MAX} karakter."
MSG_OWN_SKP = "Anda tidak dapat menyetujui atau mengembalikan SKP Anda sendiri."


class SkpError(Exception):
    """A refused transition or rule; ``str(err)`` / ``err.message`` is Indonesian."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


def is_editable(status: str) -> bool:
    """RHK and indicators change only while the SKP is a draft or was returned."""
    return status in EDITABLE_STATUSES


def allowed_actions(status: str) -> frozenset[str]:
    return frozenset(a for (s, a) in _TRANSITIONS if s == status)


def next_status(current: str, action: str, note: Optional[str] = None) -> str:
    """Status after `action` on an SKP in `current`; SkpError if refused (RETURN needs a note)."""
    if current not in STATUSES:
        raise SkpError(f"Status SKP tidak dikenal: {current!r}.")
    if action not in ACTIONS:
        raise SkpError(f"Tindakan tidak dikenal: {action!r}.")
    result = _TRANSITIONS.get((current, action))
    if result is None:
        msg = f"SKP berstatus {STATUS_LABELS[current]} tidak dapat {_ACTION_PASSIVE[action]}."
        if action == EDIT:
            msg += " " + MSG_EDIT_LOCKED
        elif action == REVISE:
            msg += " Revisi hanya dapat dimulai pada SKP yang sudah disetujui."
        elif action in (APPROVE, RETURN):
            msg += " Hanya SKP yang sedang diajukan yang dapat diputuskan."
        raise SkpError(msg)
    if action == RETURN and not (note or "").strip():
        raise SkpError(MSG_NOTE_REQUIRED)
    if note is not None and len(note.strip()) > NOTE_MAX:
        raise SkpError(MSG_NOTE_MAX)
    return result


def may_decide(actor_employee_id: Optional[int], actor_is_bkd: bool, skp_employee_id: int,
               superior_id: Optional[int]) -> Optional[str]:
    """Who approves or returns a submitted SKP: the superior snapshot taken at submission
    (pejabat penilai); BKD at the top of the tree (no superior). Nobody decides their own SKP.
    Returns the Indonesian reason of a refusal, or None."""
    if actor_employee_id is not None and actor_employee_id == skp_employee_id:
        return MSG_OWN_SKP
    if superior_id is not None and actor_employee_id == superior_id:
        return None
    if superior_id is None and actor_is_bkd:
        return None
    return "Hanya atasan langsung (pejabat penilai) pegawai yang dapat menyetujui atau mengembalikan SKP ini."


def in_force(rhk_approved_revision: Optional[int], skp_approved_revision: Optional[int]) -> bool:
    """Is an RHK part of the approved plan in force (the last approved revision of its SKP)?"""
    return skp_approved_revision is not None and rhk_approved_revision == skp_approved_revision


# --- validators (one per entity: pages, API and imports) ----------------------------------------
def _text(values: Mapping[str, Any], key: str, limit: int, label: str, errors: dict, required=True):
    raw = values.get(key)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if required:
            errors.setdefault(key, []).append(f"{label} wajib diisi.")
        return None
    if not isinstance(raw, str):
        errors.setdefault(key, []).append("Harus berupa teks.")
        return None
    text = raw.strip()
    if len(text) > limit:
        errors.setdefault(key, []).append(f"{label} terlalu panjang: maksimal {limit} karakter.")
        return None
    return text


def to_id(raw: Any) -> Optional[int]:
    """A row id (JSON number or digits) or None; bool and other types are not ids."""
    if raw is None or isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw if 0 < raw < 2 ** 31 else None
    if isinstance(raw, str) and raw.strip().isascii() and raw.strip().isdigit():
        value = int(raw.strip())
        return value if 0 < value < 2 ** 31 else None
    return None


def _optional_id(values: Mapping[str, Any], key: str, label: str, errors: dict) -> Optional[int]:
    raw = values.get(key)
    if raw is None or raw == "":
        return None
    value = to_id(raw)
    if value is None:
        errors.setdefault(key, []).append(f"Pilih {label} yang valid.")
    return value


def _choice(values: Mapping[str, Any], key: str, choices: tuple, message: str, errors: dict) -> Any:
    raw = values.get(key)
    value = raw.strip().upper() if isinstance(raw, str) else raw
    if value not in choices:
        errors.setdefault(key, []).append(message)
    return value


def rhk_values(values: Mapping[str, Any]) -> tuple[dict, dict[str, list[str]]]:
    """Clean values of an RHK (kind, name, parent_id, goal_id) and the field errors.
    Only keys present in `values` are returned (an edit may change some of them)."""
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    if "kind" in values:
        clean["kind"] = _choice(values, "kind", KINDS, "Jenis RHK harus Utama atau Tambahan.", errors)
    if "name" in values:
        clean["name"] = _text(values, "name", NAME_MAX, "Rencana hasil kerja", errors)
    if "parent_id" in values:
        clean["parent_id"] = _optional_id(values, "parent_id", "RHK atasan", errors)
    if "goal_id" in values:
        clean["goal_id"] = _optional_id(values, "goal_id", "sasaran strategis", errors)
    return clean, errors


def to_target(raw: Any) -> Optional[Decimal]:
    """A target value (number or text with '.' or ',' as decimal mark) or None if unreadable."""
    if raw is None or isinstance(raw, bool):
        return None
    try:
        value = Decimal(str(raw).strip().replace(",", ".")) if isinstance(raw, (int, float, str, Decimal)) else None
    except InvalidOperation:
        return None
    if value is None or not value.is_finite():
        return None
    return value


def target_errors(aspect: Optional[str], value: Optional[Decimal], unit: Optional[str]) -> list[str]:
    """A target must be a sensible number for its aspect: positive (a cost may be 0), at most
    two decimals, and at most 100 when the unit is a percentage."""
    if value is None:
        return ["Target harus berupa angka (gunakan titik atau koma desimal)."]
    if value < 0 or (value == 0 and aspect not in ZERO_TARGET_ASPECTS):
        return ["Target harus lebih besar dari 0."]
    if value > TARGET_MAX:
        return ["Target terlalu besar."]
    if value != value.quantize(Decimal("0.01")):
        return ["Target paling banyak dua angka di belakang koma."]
    if unit is not None and unit.strip().lower() in PERCENT_UNITS and value > 100:
        return ["Target dalam persen paling besar 100."]
    return []


def indicator_values(values: Mapping[str, Any], current: Optional[Mapping[str, Any]] = None
                     ) -> tuple[dict, dict[str, list[str]]]:
    """Clean values of an indicator (aspect, name, target_value, target_unit) and the field
    errors; `current` holds the stored values of an edit (the target is checked against the
    aspect and unit it will have)."""
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    current = current or {}
    if "aspect" in values:
        clean["aspect"] = _choice(values, "aspect", ASPECTS, "Aspek harus Kuantitas, Kualitas, Waktu atau Biaya.",
                                  errors)
    if "name" in values:
        clean["name"] = _text(values, "name", NAME_MAX, "Indikator", errors)
    if "target_unit" in values:
        clean["target_unit"] = _text(values, "target_unit", UNIT_MAX, "Satuan target", errors)
    if "target_value" in values:
        value = to_target(values.get("target_value"))
        problems = target_errors(clean.get("aspect", current.get("aspect")), value,
                                 clean.get("target_unit", current.get("target_unit")))
        if problems:
            errors.setdefault("target_value", []).extend(problems)
        clean["target_value"] = value
    return clean, errors


MSG_YEAR = "Tahun harus antara 2000 dan 2100."


def to_year(raw: Any) -> Optional[int]:
    """A year 2000..2100 (number or digits), or None."""
    year = int(raw.strip()) if isinstance(raw, str) and raw.strip().isascii() and raw.strip().isdigit() else raw
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
        return None
    return year


def goal_values(values: Mapping[str, Any]) -> tuple[dict, dict[str, list[str]]]:
    """Clean values of a strategic goal (year, unit_id, parent_id, code, name, indicator)."""
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    if "year" in values:
        year = to_year(values.get("year"))
        if year is None:
            errors.setdefault("year", []).append(MSG_YEAR)
        clean["year"] = year
    if "unit_id" in values:
        clean["unit_id"] = _optional_id(values, "unit_id", "OPD", errors)
    if "parent_id" in values:
        clean["parent_id"] = _optional_id(values, "parent_id", "sasaran Wali Kota", errors)
    if "code" in values:
        clean["code"] = _text(values, "code", CODE_MAX, "Kode sasaran", errors)
    if "name" in values:
        clean["name"] = _text(values, "name", NAME_MAX, "Nama sasaran", errors)
    if "indicator" in values:
        clean["indicator"] = _text(values, "indicator", NAME_MAX, "Indikator sasaran", errors, required=False)
    return clean, errors


# --- facts for the plan and cascade checks -----------------------------------------------------
@dataclass(frozen=True)
class IndicatorFacts:
    aspect: str
    name: str
    target_value: Optional[Decimal]
    target_unit: str


@dataclass(frozen=True)
class RhkFacts:
    id: Optional[int]
    kind: str
    number: int
    name: str
    active: bool = True
    parent_id: Optional[int] = None
    goal_id: Optional[int] = None
    indicators: tuple[IndicatorFacts, ...] = ()


@dataclass(frozen=True)
class GoalFacts:
    id: int
    year: int
    unit_id: Optional[int]  # None: a city goal
    parent_id: Optional[int] = None


@dataclass(frozen=True)
class CascadeContext:
    """What the cascade rules of one SKP depend on.

    - opd_head: the employee heads their OPD (their post's parent post is outside the OPD, or
      there is none): their RHK name goals, not a superior's RHK;
    - superior_name: for messages (None at the top of the tree);
    - superior_skp_approved: the superior has an approved SKP for the year;
    - parent_ids: RHK in force of that SKP (the only RHK an RHK may intervene in);
    - goal_ids: the goals of the employee's OPD for the year."""

    year: int
    opd_head: bool
    superior_name: Optional[str] = None
    superior_skp_approved: bool = False
    parent_ids: frozenset = field(default_factory=frozenset)
    goal_ids: frozenset = field(default_factory=frozenset)


def is_opd_head(position_opd: Optional[int], parent_position_opd: Optional[int], has_parent: bool) -> bool:
    """The holder of a post heads the OPD when the post has no parent post or its parent post
    belongs to another OPD (a kepala dinas under the Sekda)."""
    return not has_parent or parent_position_opd != position_opd


def link_errors(parent_id: Optional[int], goal_id: Optional[int], ctx: CascadeContext) -> dict[str, list[str]]:
    """The links an RHK names (parent RHK, goal), checked against the cascade context; a
    missing link is not reported here (a draft may lack it; `cascade_errors` reports it)."""
    errors: dict[str, list[str]] = {}
    if ctx.opd_head:
        if parent_id is not None:
            errors["parent_id"] = ["Kepala OPD mengaitkan RHK dengan sasaran strategis OPD, bukan dengan RHK "
                                   "atasan."]
        if goal_id is not None and goal_id not in ctx.goal_ids:
            errors["goal_id"] = [f"Sasaran strategis harus sasaran OPD sendiri untuk tahun {ctx.year}."]
        return errors
    if goal_id is not None:
        errors["goal_id"] = ["Sasaran strategis hanya dipilih oleh kepala OPD; RHK di bawahnya mengintervensi RHK "
                             "atasan langsung."]
    if parent_id is not None and parent_id not in ctx.parent_ids:
        if ctx.superior_name is None:
            errors["parent_id"] = ["Atasan langsung belum ditetapkan, sehingga RHK atasan yang diintervensi belum "
                                   "dapat dipilih."]
        elif not ctx.superior_skp_approved:
            errors["parent_id"] = [f"SKP tahun {ctx.year} atasan langsung ({ctx.superior_name}) belum disetujui; RHK "
                                   f"atasan baru dapat dipilih setelah SKP atasan disetujui."]
        else:
            errors["parent_id"] = [f"RHK atasan yang diintervensi harus RHK yang berlaku dalam SKP tahun {ctx.year} "
                                   f"atasan langsung ({ctx.superior_name})."]
    return errors


def cascade_errors(rhk: RhkFacts, ctx: CascadeContext) -> list[str]:
    """The cascade rule of one RHK (see module doc); [] when it holds."""
    label = f"RHK {KIND_LABELS.get(rhk.kind, rhk.kind).lower()} {rhk.number}"
    problems = [m for msgs in link_errors(rhk.parent_id, rhk.goal_id, ctx).values() for m in msgs]
    if ctx.opd_head and rhk.goal_id is None:
        problems.append(f"Pilih sasaran strategis (Renstra) OPD tahun {ctx.year} yang didukung.")
    elif not ctx.opd_head and rhk.parent_id is None:
        if ctx.superior_name is None:
            problems.append("Atasan langsung belum ditetapkan, sehingga RHK atasan yang diintervensi belum dapat "
                            "dipilih.")
        elif not ctx.superior_skp_approved:
            problems.append(f"SKP tahun {ctx.year} atasan langsung ({ctx.superior_name}) belum disetujui; RHK atasan "
                            f"baru dapat dipilih setelah SKP atasan disetujui.")
        else:
            problems.append(f"Pilih RHK atasan langsung ({ctx.superior_name}) yang diintervensi.")
    return [f"{label}: {m}" for m in problems]


def plan_errors(rhks: Iterable[RhkFacts]) -> list[str]:
    """What a plan needs before it is submitted: at least one active RHK utama, every active
    RHK at least one indicator, every target sensible for its aspect."""
    active = [r for r in rhks if r.active]
    problems = []
    if not any(r.kind == "UTAMA" for r in active):
        problems.append("SKP harus memuat sekurang-kurangnya satu RHK utama.")
    for r in active:
        label = f"RHK {KIND_LABELS.get(r.kind, r.kind).lower()} {r.number}"
        if not r.indicators:
            problems.append(f"{label} ({r.name[:60]}) belum memiliki indikator kinerja.")
        for i in r.indicators:
            for msg in target_errors(i.aspect, i.target_value, i.target_unit):
                problems.append(f"{label}, indikator {i.name[:60]}: {msg}")
    return problems


def check_submission(rhks: Iterable[RhkFacts], ctx: CascadeContext) -> list[str]:
    """Every check of a submission: the plan and the cascade of each active RHK."""
    rhks = list(rhks)
    problems = plan_errors(rhks)
    for r in rhks:
        if r.active:
            problems.extend(cascade_errors(r, ctx))
    return problems


def goal_errors(goal: GoalFacts, parent: Optional[GoalFacts]) -> dict[str, list[str]]:
    """A city goal (unit None) names no parent; an OPD goal names a city goal of its year."""
    if goal.unit_id is None:
        if goal.parent_id is not None:
            return {"parent_id": ["Sasaran Wali Kota (kota) tidak mengacu pada sasaran lain."]}
        return {}
    if goal.parent_id is None or parent is None:
        return {"parent_id": [f"Sasaran OPD harus mengacu pada sasaran Wali Kota tahun {goal.year}."]}
    if parent.unit_id is not None or parent.year != goal.year:
        return {"parent_id": [f"Sasaran OPD harus mengacu pada sasaran Wali Kota (kota) tahun {goal.year}."]}
    return {}


# --- planning window ------------------------------------------------------------------------------
def default_window(year: int) -> tuple[date, date]:
    """The default planning window of a year: 1–31 January (PermenPAN-RB 6/2022: the SKP is
    set at the start of the year)."""
    return date(year, 1, 1), date(year, 1, 31)


def window_error(year: int, today: date, start: date, end: date) -> Optional[str]:
    """Refusal message when a new SKP is created or submitted outside the year's window."""
    if start <= today <= end:
        return None
    return (f"Masa penyusunan SKP tahun {year} yang ditetapkan BKD adalah {format_date_id(start)} sampai "
            f"{format_date_id(end)}; di luar masa itu SKP tidak dapat dibuat atau diajukan. SKP yang sudah "
            f"disetujui diubah melalui revisi.")


def reference_day(year: int, today: date) -> date:
    """The day the superior line of a year's SKP is read on: today, within that year."""
    return min(max(today, date(year, 1, 1)), date(year, 12, 31))
