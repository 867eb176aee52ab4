"""Permission matrix: role × view/API endpoint × row in scope / out of scope.

Each role's test walks every endpoint of the master data and collects every mismatch, so
one failing run names all of them. Out-of-scope edits and deletes typed by hand must be
refused (403/404), change nothing and leave a refusal row in the audit log.
"""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    ActivityCatalog, AuditLog, Employee, Holiday, Period, Position, SuperiorOverride, Unit,
)

ROLES = ["admin", "bkd", "operator", "pegawai", "atasan", "auditor", "keuangan"]
MODELS = ["Unit", "Position", "Employee", "SuperiorOverride", "ActivityCatalog", "Holiday", "Period",
          "Activity", "Parameter", "SubmitException", "AuditLog"]
VIEW_URL = {
    "Unit": "unitview", "Position": "positionview", "Employee": "employeeview",
    "SuperiorOverride": "superioroverrideview", "ActivityCatalog": "activitycatalogview",
    "Holiday": "holidayview", "Period": "periodview", "Activity": "activityview",
    "Parameter": "parameterview", "SubmitException": "submitexceptionview", "AuditLog": "auditlogview",
}
# Views that never edit or delete (a period is closed and reopened, never edited; the
# audit log is read-only): those endpoints are 403 for everybody.
NO_EDIT = {"Period", "AuditLog"}
NO_ADD = {"AuditLog"}
API_URL = {"Unit": "unit", "Position": "position", "Employee": "employee", "ActivityCatalog": "activity-catalog"}

# Permission per role and model: None, "R" (read) or "W" (read and write).
_MASTER = ["Unit", "Position", "Employee", "SuperiorOverride", "ActivityCatalog", "Holiday", "Period"]
PERM = {
    "admin": {**dict.fromkeys(MODELS, "W"), "AuditLog": "R"},
    "bkd": {**dict.fromkeys(_MASTER, "W"), "Activity": "R", "Parameter": "W", "SubmitException": "W",
            "AuditLog": "R"},
    "operator": {"Unit": "R", "Position": "W", "Employee": "W", "SuperiorOverride": "W",
                 "ActivityCatalog": "R", "Holiday": "R", "Period": "R", "Activity": "W", "Parameter": None,
                 "SubmitException": "R", "AuditLog": None},
    "pegawai": {**dict.fromkeys(_MASTER, "R"), "Activity": "W", "Parameter": None, "SubmitException": None,
                "AuditLog": None},
    # holds Pegawai and the derived Atasan
    "atasan": {**dict.fromkeys(_MASTER, "R"), "Activity": "W", "Parameter": None, "SubmitException": None,
               "AuditLog": None},
    "auditor": dict.fromkeys(MODELS, "R"),
    "keuangan": {"Unit": "R", "Position": "R", "Employee": "R", "SuperiorOverride": None,
                 "ActivityCatalog": None, "Holiday": "R", "Period": "R", "Activity": None, "Parameter": None,
                 "SubmitException": None, "AuditLog": None},
}
CITY_WIDE = {
    "admin": set(MODELS), "bkd": set(MODELS), "auditor": set(MODELS),
    "keuangan": {"Unit", "Position", "Employee"},
}
# reference data without row scope
UNSCOPED_MODELS = {"ActivityCatalog", "Holiday", "Period", "Parameter", "SubmitException", "AuditLog"}


def _activity(employee, superior):
    """A submitted activity of `employee` awaiting `superior` (rows written directly)."""
    from datetime import datetime, time

    from app.models import Activity

    item = Activity(employee=employee, date=date(2026, 11, 16), description="Menyusun laporan", volume=1,
                    start_time=time(8), end_time=time(9), claimed_minutes=60, status="SUBMITTED",
                    submitted_at=datetime(2026, 11, 16, 3), superior=superior, review_due=date(2026, 11, 19))
    db.session.add(item)
    return item


def sample_rows(world):
    """(in-scope id, out-of-scope id) per model for the Dinas Kesehatan users."""
    from app.models import Parameter, SubmitException

    staff_a, staff_b = world.employee("staff_a"), world.employee("staff_b")
    act_in = _activity(staff_a, world.employee("kabid_a"))
    act_out = _activity(staff_b, world.employee("kadis_b"))
    param = Parameter(year=2026, key="max_minutes_per_day", value="420")
    exc = SubmitException(unit=world.unit("Dinas Kesehatan"), date_from=date(2026, 11, 2),
                          date_to=date(2026, 11, 6), open_until=date(2026, 11, 30), reason="Gangguan jaringan")
    db.session.add_all([param, exc])
    o_in = SuperiorOverride(employee=staff_a, superior=world.employee("kabid_a"),
                            valid_from=date(2026, 1, 1), reason="Uji cakupan")
    o_out = SuperiorOverride(employee=staff_b, superior=world.employee("kadis_b"),
                             valid_from=date(2026, 1, 1), reason="Uji cakupan")
    db.session.add_all([o_in, o_out])
    db.session.commit()
    catalog = db.session.scalars(select(ActivityCatalog)).first()
    holiday = db.session.scalars(select(Holiday)).first()
    period = db.session.scalars(select(Period)).first()
    return {
        "Unit": (world.unit("Dinas Kesehatan").id, world.unit("Dinas Pendidikan dan Kebudayaan").id),
        "Position": (world.position("Pengelola Data Kesehatan").id, world.position("Pengadministrasi Perkantoran").id),
        "Employee": (staff_a.id, staff_b.id),
        "SuperiorOverride": (o_in.id, o_out.id),
        "ActivityCatalog": (catalog.id, None),
        "Holiday": (holiday.id, None),
        "Period": (period.id, None),
        "Activity": (act_in.id, act_out.id),
        "Parameter": (param.id, None),
        "SubmitException": (exc.id, None),
        "AuditLog": (db.session.scalars(select(AuditLog.id)).first(), None),
    }


def expected(role, model, endpoint, in_scope):
    perm = PERM[role][model]
    need = "W" if endpoint in ("edit", "add", "delete", "put", "api_delete") else "R"
    if perm is None or (need == "W" and perm != "W"):
        return 403
    if (endpoint in ("edit", "delete") and model in NO_EDIT) or (endpoint == "add" and model in NO_ADD):
        return 403
    if in_scope or model in CITY_WIDE.get(role, set()) or model in UNSCOPED_MODELS:
        if model == "Activity" and endpoint == "edit":
            return 302  # a submitted activity is not editable: back to its page with a message
        return 200
    return 404


def snapshot(model_name, pk):
    from app.models import Activity, Parameter, SubmitException

    model = {"Unit": Unit, "Position": Position, "Employee": Employee, "SuperiorOverride": SuperiorOverride,
             "ActivityCatalog": ActivityCatalog, "Holiday": Holiday, "Period": Period, "Activity": Activity,
             "Parameter": Parameter, "SubmitException": SubmitException, "AuditLog": AuditLog}[model_name]
    db.session.expire_all()
    row = db.session.get(model, pk)
    return None if row is None else {c.key: getattr(row, c.key) for c in row.__mapper__.column_attrs}


@pytest.mark.parametrize("role", ROLES)
def test_page_matrix(role, world, login_as):
    rows = sample_rows(world)
    client = login_as(role)
    problems = []

    def check(label, got, want):
        if got != want:
            problems.append(f"{label}: {got} (diharapkan {want})")

    for model in MODELS:
        base = "/" + VIEW_URL[model]
        in_id, out_id = rows[model]
        perm = PERM[role][model]
        check(f"{model} list", client.get(f"{base}/list/").status_code, 200 if perm else 403)
        check(f"{model} add", client.get(f"{base}/add").status_code, expected(role, model, "add", True))
        for pk, inside in ((in_id, True), (out_id, False)):
            if pk is None:
                continue
            tag = "in" if inside else "out"
            check(f"{model} show {tag}", client.get(f"{base}/show/{pk}").status_code,
                  expected(role, model, "show", inside))
            check(f"{model} edit {tag}", client.get(f"{base}/edit/{pk}").status_code,
                  expected(role, model, "edit", inside))
        # Delete and edit of an out-of-scope row typed by hand: refused, nothing changes.
        target = out_id if out_id is not None else in_id
        want = expected(role, model, "delete", out_id is None)
        if want != 200:
            before = snapshot(model, target)
            refusals = db.session.scalar(select(func.count()).select_from(AuditLog)
                                         .where(AuditLog.action.like("DITOLAK%")))
            check(f"{model} delete", client.post(f"{base}/delete/{target}").status_code, want)
            check(f"{model} edit POST", client.post(f"{base}/edit/{target}", data={"name": "X"}).status_code, want)
            if snapshot(model, target) != before:
                problems.append(f"{model}: data berubah setelah permintaan yang ditolak")
            after = db.session.scalar(select(func.count()).select_from(AuditLog)
                                      .where(AuditLog.action.like("DITOLAK%")))
            if after < refusals + 2:
                problems.append(f"{model}: penolakan tidak tercatat di log audit")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("role", ROLES)
def test_api_matrix(role, world, api_as):
    rows = sample_rows(world)
    client, headers = api_as(role)
    problems = []

    def check(label, got, want):
        if got != want:
            problems.append(f"{label}: {got} (diharapkan {want})")

    for model, res in API_URL.items():
        in_id, out_id = rows[model]
        perm = PERM[role][model]
        resp = client.get(f"/api/v1/{res}/", headers=headers)
        check(f"{model} GET list", resp.status_code, 200 if perm else 403)
        if resp.status_code == 200 and out_id is not None and model not in CITY_WIDE.get(role, set()):
            ids = resp.get_json()["ids"]
            if out_id in ids:
                problems.append(f"{model} list memuat baris di luar cakupan")
        for pk, inside in ((in_id, True), (out_id, False)):
            if pk is None:
                continue
            tag = "in" if inside else "out"
            check(f"{model} GET {tag}", client.get(f"/api/v1/{res}/{pk}", headers=headers).status_code,
                  expected(role, model, "show", inside))
        target = out_id if out_id is not None else in_id
        want = expected(role, model, "put", out_id is None)
        if want != 200:
            before = snapshot(model, target)
            check(f"{model} PUT", client.put(f"/api/v1/{res}/{target}", json={"name": "X"}, headers=headers).status_code, want)
            check(f"{model} DELETE", client.delete(f"/api/v1/{res}/{target}", headers=headers).status_code, want)
            if snapshot(model, target) != before:
                problems.append(f"{model}: data berubah setelah permintaan API yang ditolak")
    assert not problems, "\n".join(problems)


def test_api_requires_jwt_not_cookie(login_as):
    """The API is CSRF-exempt, so a browser session must not open it."""
    client = login_as("admin")
    assert client.get("/api/v1/employee/").status_code == 401


def test_anonymous_is_sent_to_login(client):
    resp = client.get("/employeeview/list/")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


@pytest.mark.parametrize("role", ROLES)
def test_notification_pages_for_every_role(role, login_as, client):
    """The bell's page and the own e-mail setting: every logged-in role, nobody anonymous."""
    c = login_as(role)
    assert c.get("/notifications/").status_code == 200
    assert c.get("/notifications/settings").status_code == 200
    for url in ("/notifications/", "/notifications/settings"):
        resp = client.get(url)
        assert resp.status_code == 302 and "/login" in resp.headers["Location"]


# Antrean Persetujuan (app/views/queue.py): superiors and BKD (top of the tree) only.
QUEUE_PAGE = {"admin": 200, "bkd": 200, "atasan": 200, "operator": 403, "pegawai": 403, "auditor": 403,
              "keuangan": 403}


@pytest.mark.parametrize("role", ROLES)
def test_queue_page_matrix(role, world, login_as):
    client = login_as(role)
    want = QUEUE_PAGE[role]
    assert client.get("/antrean/").status_code == want
    before = db.session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action.like("DITOLAK%")))
    resp = client.post("/antrean/setujui-terpilih", data={"ids": ["999999"]})
    assert resp.status_code == (302 if want == 200 else 403)
    after = db.session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action.like("DITOLAK%")))
    assert after == before + 1  # the unknown id (allowed roles) or the page (others) is a logged refusal


# --------------------------------------------------------------------------- LOOKUP: relation lookups of the pages
_JSON_HTML = {"\\u003c": "<", "\\u003e": ">", "\\u0026": "&", "\\u0027": "'", '\\"': '"'}


def _selects(html: str) -> dict[str, dict]:
    """Every <select> of a page, also of the list search widget (FAB embeds its filter fields
    as JSON): name -> {"options": option values, "lookup": the on-demand lookup URL or None}."""
    import html as html_lib
    import re

    for escaped, plain in _JSON_HTML.items():
        html = html.replace(escaped, plain)
    out: dict[str, dict] = {}
    for m in re.finditer(r'<select([^>]*)>(.*?)</select>', html, re.S):
        name = re.search(r'\bname="([^"]+)"', m.group(1))
        if not name:
            continue
        url = re.search(r'\bdata-lookup-url="([^"]+)"', m.group(1))
        entry = out.setdefault(name.group(1), {"options": set(), "lookup": None})
        entry["options"] |= set(re.findall(r'<option[^>]*value="([^"]*)"', m.group(2))) - {"", "__None"}
        if url:
            entry["lookup"] = html_lib.unescape(url.group(1))
    return out


def lookup_ids(client, url: str, extra=None) -> set[str]:
    """Every id the lookup endpoint offers, page by page (nothing searched)."""
    ids, page = set(), 1
    while True:
        resp = client.get(url, query_string={"q": "", "page": page, **(extra or {})})
        assert resp.status_code == 200, (url, resp.status_code)
        body = resp.get_json()
        ids |= {r["id"] for r in body["results"]}
        if not body["pagination"]["more"]:
            return ids
        page += 1


def _current_ids(dm, pk, col) -> set[str]:
    row = db.session.get(dm.obj, pk)
    value = getattr(row, col, None)
    values = value if isinstance(value, list) else [value] if value is not None else []
    return {str(v.id) for v in values}


@pytest.mark.parametrize("role", ROLES)
def test_page_lookups_stay_in_scope(role, app, world, login_as):
    """Add/edit form dropdowns and list search widgets of every ModelView offer only rows in
    the role's scope (expected ids computed in tests/test_lookups_scope.py): an embedded
    dropdown by its <option>s; a relation of a large table holds no rows beyond the edited row's
    own value and its lookup endpoint answers, page by page, only ids in scope."""
    from flask_appbuilder import ModelView

    from app.models import Activity
    from tests.test_lookups_scope import expected_ids

    sample_rows(world)
    db.session.add(Activity(employee=world.employee("staff_a"), date=date(2026, 11, 17), description="Draf",
                            volume=1, claimed_minutes=60, status="DRAFT"))
    db.session.commit()
    client = login_as(role)
    all_units = [str(u.id) for u in db.session.scalars(select(Unit))]
    db.session.commit()
    problems, checked, looked_up = [], 0, 0
    for view in app.appbuilder.baseviews:
        if not isinstance(view, ModelView):
            continue
        dm, base = view.datamodel, view.route_base
        pages = [("search", f"{base}/list/", view.search_columns, None), ("add", f"{base}/add", view.add_columns, None)]
        if any(dm.is_relation(c) for c in view.edit_columns or []):
            pk_col = dm.obj.__mapper__.primary_key[0]
            candidates = list(db.session.scalars(select(pk_col).order_by(pk_col).limit(6)))
            db.session.commit()  # no read transaction open while the refusals write the audit log
            for pk in candidates:
                if client.get(f"{base}/edit/{pk}").status_code == 200:
                    pages.append(("edit", f"{base}/edit/{pk}", view.edit_columns, pk))
                    break
        for purpose, url, columns, pk in pages:
            rel = {c: dm.get_related_model(c) for c in columns or [] if dm.is_relation(c)}
            if not rel:
                continue
            resp = client.get(url)
            if resp.status_code != 200:
                continue
            selects = _selects(resp.get_data(as_text=True))
            for col, model in rel.items():
                if col not in selects:
                    continue
                checked += 1
                want = {str(i) for i in expected_ids(world, role, dm.obj, col, model, purpose)}
                found = selects[col]
                if found["lookup"]:
                    current = _current_ids(dm, pk, col) if pk is not None else set()
                    db.session.commit()
                    if found["options"] - current:
                        problems.append(f"{type(view).__name__} {purpose} {col}: halaman memuat "
                                        f"{sorted(found['options'] - current)}")
                    depends = getattr(view, "lookup_depends", {}).get(col)
                    offered = set()
                    for extra in ([{depends: u} for u in all_units] if depends else [None]):
                        offered |= lookup_ids(client, found["lookup"], extra)
                    looked_up += 1
                    leaked = offered - want
                else:
                    leaked = found["options"] - want
                if leaked:
                    problems.append(f"{type(view).__name__} {purpose} {col}: di luar cakupan {sorted(leaked)}")
    assert not problems, "\n".join(problems)
    assert checked, "tidak ada pilihan relasi yang diperiksa"
    if role != "keuangan":
        assert looked_up, "tidak ada lookup yang diperiksa"


# Aktivitas Saya (app/views/my_activities.py): whoever records own work (Pegawai, also held by
# the operator and the superior of the world) and Admin (every permission); others are refused.
MINE_PAGE = {"admin": True, "bkd": False, "operator": True, "pegawai": True, "atasan": True, "auditor": False,
             "keuangan": False}


@pytest.mark.parametrize("role", ROLES)
def test_my_activities_page_matrix(role, login_as):
    client = login_as(role)
    allowed = MINE_PAGE[role]
    assert client.get("/aktivitas-saya/").status_code == (200 if allowed else 403)
    for path in ("/aktivitas-saya/catat", "/aktivitas-saya/ajukan"):
        got = client.post(path, data={"tanggal": "2026-11-17"}).status_code
        assert (got != 403) == allowed, f"{role} POST {path}: {got}"


# --------------------------------------------------------------------------- Tindak Lanjut (issue 12 item 5)
# Pages and API of app/views/followup.py and app/api/followup.py: Admin/BKD/Auditor read the city,
# the Operator OPD reads their OPD (another OPD's talent box or position: 404), others nothing;
# rules and potential scores are written by BKD/Admin, decisions by BKD only.
FOLLOWUP_READ = {"admin": 200, "bkd": 200, "auditor": 200, "operator": 200, "pegawai": 403, "atasan": 403,
                 "keuangan": 403}
FOLLOWUP_WRITE = {"admin": True, "bkd": True, "auditor": False, "operator": False, "pegawai": False,
                  "atasan": False, "keuangan": False}


def _followup_rows(world):
    import json

    from app.models import FollowupRule

    rule = FollowupRule(year=2026, code="SB2", name="Sangat baik dua kali", kind="REWARD",
                        predikat=json.dumps(["SANGAT_BAIK"]), min_periods=2, action="Piagam", active=True)
    db.session.add(rule)
    db.session.commit()
    return {"rule": rule.id, "other_opd": world.unit("Dinas Pendidikan dan Kebudayaan").id,
            "own_opd": world.unit("Dinas Kesehatan").id,
            "vacant": world.position("Kepala Puskesmas Arjuno").id,
            "other_position": world.position("Pengadministrasi Perkantoran").id}


@pytest.mark.parametrize("role", ROLES)
def test_followup_page_matrix(role, world, login_as):
    rows = _followup_rows(world)
    client = login_as(role)
    read, write = FOLLOWUP_READ[role], FOLLOWUP_WRITE[role]
    problems = []

    def check(label, got, want):
        if got != want:
            problems.append(f"{label}: {got} (diharapkan {want})")

    for url in ("/tindak-lanjut/", f"/tindak-lanjut/aturan/{rows['rule']}/kandidat", "/tindak-lanjut/keputusan",
                "/kotak-talenta/", f"/kotak-talenta/?opd={rows['own_opd']}", "/jabatan-lowong/",
                f"/jabatan-lowong/?jabatan={rows['vacant']}", "/nilai-potensi/"):
        check(f"GET {url}", client.get(url).status_code, read)
    city_only = 200 if role in ("admin", "bkd", "auditor") else (404 if read == 200 else 403)
    check("kotak talenta OPD lain", client.get(f"/kotak-talenta/?opd={rows['other_opd']}").status_code, city_only)
    check("jabatan OPD lain", client.get(f"/jabatan-lowong/?jabatan={rows['other_position']}").status_code,
          200 if city_only == 200 else city_only)  # held post: a message for the city, else out of scope
    check("GET aturan/baru", client.get("/tindak-lanjut/aturan/baru").status_code, 200 if write else 403)
    check("GET aturan/ubah", client.get(f"/tindak-lanjut/aturan/{rows['rule']}/ubah").status_code,
          200 if write else 403)
    check("GET templat potensi", client.get("/nilai-potensi/templat").status_code, 200 if write else 403)
    if not write:
        before = db.session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action.like("DITOLAK%")))
        check("POST aturan/hapus", client.post(f"/tindak-lanjut/aturan/{rows['rule']}/hapus").status_code, 403)
        check("POST nilai-potensi/simpan", client.post("/nilai-potensi/simpan", data={"score": "1"}).status_code, 403)
        check("POST nilai-potensi/upload", client.post("/nilai-potensi/upload", data={}).status_code, 403)
        check("POST nilai-potensi/confirm", client.post("/nilai-potensi/confirm", data={"token": "x" * 32}).status_code,
              403)
        after = db.session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action.like("DITOLAK%")))
        if after < before + 2:
            problems.append("penolakan tindak lanjut tidak tercatat di log audit")
    # a decision: BKD only (Admin too is refused by the service: a personnel decision)
    got = client.post(f"/tindak-lanjut/aturan/{rows['rule']}/putuskan",
                      data={"employee_id": world.employee("staff_a").id, "period": "2026-11",
                            "decision": "ACCEPTED", "note": "x"}).status_code
    check("POST putuskan", got, 302 if role == "bkd" else 403)  # bkd: not a candidate -> back with a message
    from app.models import FollowupRule

    db.session.expire_all()
    if not write and db.session.get(FollowupRule, rows["rule"]) is None:
        problems.append("aturan terhapus oleh peran tanpa hak")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("role", ROLES)
def test_followup_api_matrix(role, world, api_as):
    rows = _followup_rows(world)
    client, headers = api_as(role)
    read, write = FOLLOWUP_READ[role], FOLLOWUP_WRITE[role]
    problems = []

    def check(label, got, want):
        if got != want:
            problems.append(f"{label}: {got} (diharapkan {want})")

    for url in ("/api/v1/followup/rules", f"/api/v1/followup/rules/{rows['rule']}/candidates",
                "/api/v1/followup/decisions", "/api/v1/followup/talent-box"):
        check(f"GET {url}", client.get(url, headers=headers).status_code, read)
    city_only = 200 if role in ("admin", "bkd", "auditor") else (404 if read == 200 else 403)
    check("talent-box OPD lain", client.get(f"/api/v1/followup/talent-box?opd={rows['other_opd']}",
                                            headers=headers).status_code, city_only)
    check("PUT rule", client.put(f"/api/v1/followup/rules/{rows['rule']}", json={"name": "Ubah"},
                                 headers=headers).status_code, 200 if write else 403)
    check("POST rule (kosong)", client.post("/api/v1/followup/rules", json={}, headers=headers).status_code,
          422 if write else 403)
    check("POST decision", client.post(f"/api/v1/followup/rules/{rows['rule']}/decisions", json={
        "employee_id": world.employee("staff_a").id, "period": "2026-11", "decision": "ACCEPTED", "note": "x"},
        headers=headers).status_code, 422 if role == "bkd" else 403)  # bkd: not a candidate
    check("DELETE rule", client.delete(f"/api/v1/followup/rules/{rows['rule']}", headers=headers).status_code,
          200 if write else 403)
    assert not problems, "\n".join(problems)


# --------------------------------------------------------------------------- SKP tahunan REST API
# role -> (may read, sees every row, approve the in-scope SUBMITTED SKP, approve the other OPD's,
#          change an RHK / indicator out of scope). The in-scope row is staff_a's (Dinkes, superior
#          kabid_a), the other row staff_b's (Disdik, superior kadis_b).
SKP_API = {
    "admin": (True, True, 403, 403, 403),  # every permission, but not the superior and not the planner
    "bkd": (True, True, 403, 403, 403),  # approves at the top of the tree only
    "auditor": (True, True, 403, 403, 403),
    "operator": (True, False, 403, 403, 404),  # plans for the OPD, decides nothing
    "pegawai": (True, False, 403, 403, 404),
    "atasan": (True, False, 200, 404, 404),  # kabid_a: the superior of staff_a
    "keuangan": (False, False, 403, 403, 403),
}


def skp_rows(world):
    """A submitted SKP with one RHK and indicator for staff_a (in scope) and staff_b (out)."""
    from app.models import Rhk, RhkIndicator, Skp, StrategicGoal

    rows = {}
    for key, superior in (("staff_a", "kabid_a"), ("staff_b", "kadis_b")):
        emp = world.employee(key)
        skp = Skp(employee=emp, year=2027, status="SUBMITTED", revision=1, position=emp.position,
                  unit_id=emp.unit_id, opd_id=emp.unit.opd_id, superior=world.employee(superior))
        rhk = Rhk(skp=skp, kind="UTAMA", number=1, name=f"RHK {key}")
        ind = RhkIndicator(rhk=rhk, number=1, aspect="KUANTITAS", name="Laporan", target_value=12,
                           target_unit="laporan")
        db.session.add_all([skp, rhk, ind])
        db.session.flush()
        rows[key] = {"skp": skp.id, "rhk": rhk.id, "rhk-indicator": ind.id}
    goal = StrategicGoal(year=2027, code="K1", name="Kota sehat")
    db.session.add(goal)
    db.session.commit()
    rows["goal"] = goal.id
    return rows["staff_a"], rows["staff_b"], rows["goal"]


@pytest.mark.parametrize("role", ROLES)
def test_skp_api_matrix(role, world, api_as):
    from app.models import Rhk, RhkIndicator, Skp

    mine, other, goal = skp_rows(world)
    client, headers = api_as(role)
    read, city, approve_in, approve_out, write_out = SKP_API[role]
    problems = []

    def check(label, got, want):
        if got != want:
            problems.append(f"{label}: {got} (diharapkan {want})")

    for res in ("skp", "rhk", "rhk-indicator"):
        resp = client.get(f"/api/v1/{res}/", headers=headers)
        check(f"{res} GET list", resp.status_code, 200 if read else 403)
        if resp.status_code == 200:
            ids = set(resp.get_json()["ids"])
            check(f"{res} list memuat baris sendiri", mine[res] in ids, True)
            check(f"{res} list memuat baris lain", other[res] in ids, city)
        check(f"{res} GET in", client.get(f"/api/v1/{res}/{mine[res]}", headers=headers).status_code,
              200 if read else 403)
        check(f"{res} GET out", client.get(f"/api/v1/{res}/{other[res]}", headers=headers).status_code,
              (200 if city else 404) if read else 403)
    check("goal GET", client.get(f"/api/v1/strategic-goal/{goal}", headers=headers).status_code,
          200 if read else 403)
    refusals = db.session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action.like("DITOLAK%")))
    db.session.commit()
    # Out of scope or not one's own to decide / plan: refused, nothing changes.
    check("skp approve out", client.post(f"/api/v1/skp/{other['skp']}/approve", headers=headers).status_code,
          approve_out)
    check("rhk PUT out", client.put(f"/api/v1/rhk/{other['rhk']}", json={"name": "X"}, headers=headers).status_code,
          write_out)
    check("rhk-indicator DELETE out", client.delete(f"/api/v1/rhk-indicator/{other['rhk-indicator']}",
                                                    headers=headers).status_code, write_out)
    check("goal DELETE (city goal, not BKD)", client.delete(f"/api/v1/strategic-goal/{goal}",
                                                            headers=headers).status_code,
          200 if role in ("admin", "bkd") else 403)
    db.session.expire_all()
    check("skp out unchanged", db.session.get(Skp, other["skp"]).status, "SUBMITTED")
    check("rhk out unchanged", db.session.get(Rhk, other["rhk"]).name, "RHK staff_b")
    check("indicator out kept", db.session.get(RhkIndicator, other["rhk-indicator"]) is not None, True)
    after = db.session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action.like("DITOLAK%")))
    db.session.commit()
    check("penolakan tercatat", after >= refusals + 3, True)
    # The in-scope SKP: only its superior approves it.
    check("skp approve in", client.post(f"/api/v1/skp/{mine['skp']}/approve", headers=headers).status_code,
          approve_in)
    db.session.expire_all()
    check("skp in status", db.session.get(Skp, mine["skp"]).status, "APPROVED" if approve_in == 200 else "SUBMITTED")
    assert not problems, "\n".join(problems)


# --------------------------------------------------------------------------- Matriks Peran Hasil (issue 12 item 2)
# app/views/cascade.py and app/api/cascade.py, scoped by app.security.cascade_reach: Admin/BKD/Auditor any
# OPD, the Operator OPD, Pegawai and Atasan their own OPD only (another OPD: 403, logged), Keuangan nothing.
CASCADE_OTHER_OPD = {"admin": 200, "bkd": 200, "auditor": 200, "operator": 403, "pegawai": 403, "atasan": 403,
                     "keuangan": 403}


@pytest.mark.parametrize("role", ROLES)
def test_cascade_matrix(role, world, login_as, api_as):
    own, other = world.unit("Dinas Kesehatan").id, world.unit("Dinas Pendidikan dan Kebudayaan").id
    own_status = 403 if role == "keuangan" else 200
    client = login_as(role)
    api, headers = api_as(role)
    refusals = db.session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action.like("DITOLAK%")))
    db.session.commit()
    got = {
        "page own": client.get(f"/matriks-peran-hasil/?opd={own}").status_code,
        "download own": client.get(f"/matriks-peran-hasil/unduh?opd={own}").status_code,
        "api own": api.get(f"/api/v1/cascade/?opd={own}", headers=headers).status_code,
        "page other": client.get(f"/matriks-peran-hasil/?opd={other}").status_code,
        "download other": client.get(f"/matriks-peran-hasil/unduh?opd={other}").status_code,
        "api other": api.get(f"/api/v1/cascade/?opd={other}", headers=headers).status_code,
    }
    want = {k: (own_status if k.endswith("own") else CASCADE_OTHER_OPD[role]) for k in got}
    assert got == want
    after = db.session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action.like("DITOLAK%")))
    if role in ("operator", "pegawai", "atasan"):
        assert after >= refusals + 3, "penolakan matriks peran hasil tidak tercatat di log audit"


# --------------------------------------------------------------------------- SKP pages (issue 12 item 1)
# app/views/skp.py per role: (SKP Saya, Persetujuan SKP, detail of the in-scope SKP, detail of the
# other OPD's, Sasaran Strategis, approve the in-scope SUBMITTED SKP, approve the other's, change
# the other's RHK). Rows of skp_rows(): staff_a's (Dinkes, superior kabid_a) and staff_b's (Disdik).
SKP_PAGES = {
    "admin": (200, 200, 200, 200, 200, 403, 403, 403),  # every permission, but neither superior nor planner
    "bkd": (403, 200, 200, 200, 200, 403, 403, 403),  # decides at the top of the tree only
    "auditor": (403, 403, 200, 200, 200, 403, 403, 403),
    "operator": (200, 403, 200, 404, 200, 403, 403, 404),
    "pegawai": (200, 403, 200, 404, 200, 403, 403, 404),
    "atasan": (200, 200, 200, 404, 200, 302, 404, 404),  # kabid_a: Pegawai and the derived Atasan
    "keuangan": (403, 403, 403, 403, 403, 403, 403, 403),
}


@pytest.mark.parametrize("role", ROLES)
def test_skp_page_matrix(role, world, login_as):
    from app.models import Rhk, Skp

    mine, other, _goal = skp_rows(world)
    client = login_as(role)
    want = dict(zip(("mine", "queue", "show in", "show out", "goals", "approve in", "approve out", "rhk out"),
                    SKP_PAGES[role]))
    problems = []

    def check(label, got):
        if got != want[label]:
            problems.append(f"{label}: {got} (diharapkan {want[label]})")

    check("mine", client.get("/skp-saya/?tahun=2027").status_code)
    check("queue", client.get("/persetujuan-skp/").status_code)
    check("show in", client.get(f"/persetujuan-skp/{mine['skp']}").status_code)
    check("show out", client.get(f"/persetujuan-skp/{other['skp']}").status_code)
    check("goals", client.get("/sasaran-strategis/?tahun=2027").status_code)
    refusals = db.session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action.like("DITOLAK%")))
    db.session.commit()
    check("approve out", client.post(f"/persetujuan-skp/{other['skp']}/setujui").status_code)
    check("rhk out", client.post(f"/skp-saya/rhk/{other['rhk']}/ubah", data={"name": "X"}).status_code)
    db.session.expire_all()
    if db.session.get(Skp, other["skp"]).status != "SUBMITTED" or db.session.get(Rhk, other["rhk"]).name != "RHK staff_b":
        problems.append("baris di luar cakupan berubah")
    after = db.session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action.like("DITOLAK%")))
    db.session.commit()
    if after < refusals + 2:
        problems.append("penolakan halaman SKP tidak tercatat di log audit")
    check("approve in", client.post(f"/persetujuan-skp/{mine['skp']}/setujui").status_code)
    db.session.expire_all()
    if (db.session.get(Skp, mine["skp"]).status == "APPROVED") != (want["approve in"] == 302):
        problems.append("status SKP dalam cakupan tidak sesuai")
    assert not problems, "\n".join(problems)


# --------------------------------------------------------------------------- printable documents (issue 12 item 4)
# app/views/documents.py: the SKP and evaluation PDFs of the in-scope rows (staff_a, Dinkes) and the
# other OPD's (staff_b, Disdik): out of scope 404 and logged; Keuangan has no permission (403).
DOCUMENTS = {"admin": (200, 200), "bkd": (200, 200), "auditor": (200, 200), "operator": (200, 404),
             "pegawai": (200, 404), "atasan": (200, 404), "keuangan": (403, 403)}


@pytest.mark.parametrize("role", ROLES)
def test_document_matrix(role, world, login_as):
    from app.models import Evaluation

    mine, other, _goal = skp_rows(world)
    period = db.session.scalars(select(Period)).first()
    evaluations = {}
    for key, evaluator in (("staff_a", "kabid_a"), ("staff_b", "kadis_b")):
        ev = Evaluation(employee=world.employee(key), period=period, rating_hasil_kerja="SESUAI",
                        rating_perilaku="SESUAI", predikat="BAIK", evaluator=world.employee(evaluator))
        db.session.add(ev)
        db.session.flush()
        evaluations[key] = ev.id
    db.session.commit()
    client = login_as(role)
    refusals = db.session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action.like("DITOLAK%")))
    db.session.commit()
    got = {
        "skp in": client.get(f"/dokumen/skp/{mine['skp']}.pdf").status_code,
        "skp out": client.get(f"/dokumen/skp/{other['skp']}.pdf").status_code,
        "evaluation in": client.get(f"/dokumen/evaluasi/{evaluations['staff_a']}.pdf").status_code,
        "evaluation out": client.get(f"/dokumen/evaluasi/{evaluations['staff_b']}.pdf").status_code,
    }
    in_status, out_status = DOCUMENTS[role]
    assert got == {"skp in": in_status, "skp out": out_status, "evaluation in": in_status,
                   "evaluation out": out_status}
    after = db.session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action.like("DITOLAK%")))
    assert after >= refusals + sum(1 for status in got.values() if status != 200), "penolakan dokumen tidak tercatat"


# --------------------------------------------------------------------------- Realisasi SKP (issue 12 item 3)
# app/views/realisation.py per role: (own page, read staff_a's SKP, read staff_b's (other OPD),
# staff_b's evidence, save staff_a's indicator, save staff_b's indicator). Writing is the employee's
# own only; reading follows the SKP scope; Keuangan has no permission.
REALISATION = {
    "admin": (200, 200, 200, 200, 404, 404),  # every permission, but no SKP of its own
    "bkd": (403, 200, 200, 200, 403, 403),
    "auditor": (403, 200, 200, 200, 403, 403),
    "operator": (200, 200, 404, 404, 404, 404),
    "pegawai": (200, 200, 404, 404, 302, 404),  # staff_a
    "atasan": (200, 200, 404, 404, 404, 404),  # kabid_a reads the subordinate's, writes none
    "keuangan": (403, 403, 403, 403, 403, 403),
}


@pytest.mark.parametrize("role", ROLES)
def test_realisation_matrix(role, world, login_as, tmp_path):
    from app.models import Rhk, RhkIndicator, RhkRealisation, Skp

    world.app.config["UPLOAD_FOLDER"] = str(tmp_path)
    (tmp_path / "0123456789abcdef0123456789abcdef.pdf").write_bytes(b"%PDF-1.4")
    period = db.session.scalar(select(Period).where(Period.year == 2026, Period.month == 11))
    rows = {}
    for key, superior in (("staff_a", "kabid_a"), ("staff_b", "kadis_b")):
        emp = world.employee(key)
        skp = Skp(employee=emp, year=2026, status="APPROVED", revision=1, approved_revision=1,
                  position=emp.position, unit_id=emp.unit_id, opd_id=emp.unit.opd_id,
                  superior=world.employee(superior))
        rhk = Rhk(skp=skp, kind="UTAMA", number=1, name=f"RHK {key}", approved_revision=1, active=True)
        ind = RhkIndicator(rhk=rhk, number=1, aspect="KUANTITAS", name="Laporan", target_value=12,
                           target_unit="laporan")
        real = RhkRealisation(indicator=ind, period=period, value=1, evidence_file="0123456789abcdef0123456789abcdef.pdf",
                              evidence_name="bukti.pdf")
        db.session.add_all([skp, rhk, ind, real])
        db.session.flush()
        rows[key] = {"skp": skp.id, "ind": ind.id, "real": real.id}
    db.session.commit()
    mine, other = rows["staff_a"], rows["staff_b"]
    client = login_as(role)
    refusals = db.session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action.like("DITOLAK%")))
    db.session.commit()
    form = {"periode": str(period.id), "value": "7"}
    got = (
        client.get(f"/realisasi-skp/?periode={period.id}").status_code,
        client.get(f"/realisasi-skp/skp/{mine['skp']}?periode={period.id}").status_code,
        client.get(f"/realisasi-skp/skp/{other['skp']}?periode={period.id}").status_code,
        client.get(f"/realisasi-skp/bukti/{other['real']}").status_code,
        client.post(f"/realisasi-skp/simpan/{mine['ind']}", data=form).status_code,
        client.post(f"/realisasi-skp/simpan/{other['ind']}", data=form).status_code,
    )
    assert got == REALISATION[role]
    db.session.expire_all()
    assert db.session.get(RhkRealisation, other["real"]).value == 1, "realisasi di luar cakupan berubah"
    after = db.session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action.like("DITOLAK%")))
    assert after >= refusals + sum(1 for status in got if status == 404), "penolakan realisasi tidak tercatat"


# --------------------------------------------------------------------------- Pertukaran BKN (issue 12 item 6)
# app/views/bkn.py: export for Admin/BKD/Auditor (city or any OPD) and the Operator OPD (own OPD; another
# OPD 404), the predikat import for BKD and Admin only; every refusal logged.
BKN = {  # role -> (page, export city/own, export other OPD, import upload)
    "admin": (200, 200, 200, 200), "bkd": (200, 200, 200, 200), "auditor": (200, 200, 200, 403),
    "operator": (200, 200, 404, 403), "pegawai": (403, 403, 403, 403), "atasan": (403, 403, 403, 403),
    "keuangan": (403, 403, 403, 403),
}


@pytest.mark.parametrize("role", ROLES)
def test_bkn_exchange_matrix(role, world, login_as):
    from app.models import BknPredikat

    client = login_as(role)
    other = world.unit("Dinas Pendidikan dan Kebudayaan").id
    refusals = db.session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action.like("DITOLAK%")))
    db.session.commit()
    got = (client.get("/pertukaran-bkn/").status_code, client.get("/pertukaran-bkn/ekspor?tahun=2026").status_code,
           client.get(f"/pertukaran-bkn/ekspor?tahun=2026&opd={other}").status_code,
           client.post("/pertukaran-bkn/upload", data={}).status_code)
    assert got == BKN[role]
    assert client.post("/pertukaran-bkn/confirm", data={"token": "x" * 32}).status_code in (
        (302,) if BKN[role][3] == 200 else (403,))
    denied = sum(1 for g in got if g in (403, 404))
    after = db.session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action.like("DITOLAK%")))
    assert after >= refusals + denied
    assert db.session.scalar(select(func.count(BknPredikat.id))) == 0
