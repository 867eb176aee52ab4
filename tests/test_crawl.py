"""Crawl: every GET route of the app, for every role and anonymously, with valid and malformed
path arguments and malformed query parameters. Nothing may answer 5xx, and the API answers
JSON. One app and one database serve the whole module (the crawl only reads, apart from the
refusals it causes being logged)."""
from __future__ import annotations

from datetime import date, datetime, time

import pytest
from flask import got_request_exception
from sqlalchemy import select

from tests.conftest import LOGINS, NIPS, IsolatedClient, do_login, make_config

ROLES = ("admin", "bkd", "auditor", "keuangan", "operator", "pegawai", "atasan")
TODAY = date(2026, 11, 20)
BAD_IDS = (str(2**31), str(2**63 + 1), "-1", "abc", "²")
BAD_ID_ROLES = ("admin", "operator", "anonymous")
# Endpoints that change the client's session: called on a throwaway client.
SESSION_ENDPOINTS = {"AuthDBView.logout", "LocaleView.index"}
SKIP_ENDPOINTS = {"static", "appbuilder.static"}
FILE_TYPES = ("application/vnd.openxmlformats", "text/csv", "application/octet-stream", "image/", "application/pdf")


_last_exception: list = [None]


def _remember_exception(sender, exception, **extra):
    _last_exception[0] = exception


def _seed(world_app):
    """Rows of every model the views show, in and out of each role's scope."""
    from app.extensions import db
    from app.models import (
        Activity, Attendance, AttendanceImport, Employee, Evaluation, OrgPredikat, Parameter, Period, Recap,
        Sanction, SubmitException, SuperiorOverride, TppRate, Unit,
    )

    e = {k: db.session.scalars(select(Employee).filter_by(nip=v[0])).one() for k, v in NIPS.items()}
    period = db.session.scalars(select(Period)).first()

    def act(emp, day, status, superior=None):
        db.session.add(Activity(
            employee=emp, date=day, description="Kegiatan", volume=1, start_time=time(8), end_time=time(9),
            claimed_minutes=60, status=status, superior=superior, review_due=date(2026, 11, 20),
            submitted_at=datetime(2026, 11, 3, 2) if status != "DRAFT" else None,
            decided_at=datetime(2026, 11, 4, 2) if status in ("APPROVED", "RETURNED", "REJECTED") else None))

    for key, sup in (("staff_a", "kabid_a"), ("op_a", "kabid_a"), ("staff_b", "kadis_b")):
        for n, status in enumerate(("DRAFT", "SUBMITTED", "APPROVED", "RETURNED", "REJECTED")):
            act(e[key], date(2026, 11, 2 + n), status, e[sup])
    imp = AttendanceImport(year=2026, month=11, filename="hadir.csv", rows=2)
    db.session.add(imp)
    db.session.flush()
    for key in ("staff_a", "staff_b"):
        db.session.add(Attendance(employee=e[key], date=date(2026, 11, 2), status="HADIR", minutes_late=5,
                                  minutes_early=0, import_id=imp.id))
    for key in ("staff_a", "staff_b"):
        emp = e[key]
        db.session.add(Recap(
            period_id=period.id, employee_id=emp.id, nip=emp.nip, name=emp.name, unit_id=emp.unit_id,
            opd_id=emp.unit.opd_id, unit_name=emp.unit.name, employee_kind="PNS", golongan=emp.golongan,
            workdays_per_week=5, calendar_working_days=20, reduced_days=0, working_days=20, target_minutes=6000,
            recognised_minutes=60, work_score="1.00", deduction_pct=0, sanction_pct=0, base_tpp=0,
            performance_part=0, discipline_part=0, gross=0, tax=0, health=0, net=0, params="{}"))
        db.session.add(Evaluation(employee_id=emp.id, period_id=period.id, rating_hasil_kerja="SESUAI",
                                  rating_perilaku="SESUAI", predikat="BAIK"))
        db.session.add(Sanction(employee_id=emp.id, percent=5, valid_from=date(2026, 11, 1),
                                valid_to=date(2026, 12, 31), reason="Uji"))
    for name in ("Dinas Kesehatan", "Dinas Pendidikan dan Kebudayaan"):
        unit = db.session.scalars(select(Unit).filter_by(name=name)).one()
        db.session.add(OrgPredikat(unit_id=unit.id, period_id=period.id, predikat="BAIK"))
        db.session.add(SubmitException(unit=unit, date_from=date(2026, 11, 2), date_to=date(2026, 11, 6),
                                       open_until=date(2026, 11, 30), reason="Gangguan jaringan"))
    db.session.add(SuperiorOverride(employee=e["staff_b"], superior=e["kadis_b"], valid_from=date(2026, 1, 1),
                                    reason="Uji"))
    db.session.add(TppRate(year=2026, kelas_jabatan=6, amount=3_000_000))
    db.session.add(Parameter(year=2026, key="max_minutes_per_day", value="450"))
    db.session.commit()


@pytest.fixture(scope="module")
def crawl(databases):
    """(app, {role: logged-in client}) shared by the whole crawl."""
    from app import create_app
    from app.extensions import db

    uri = databases.clone()
    # Exceptions become answers as in production, so that a 500 is seen as a 500.
    app = create_app(make_config(uri, FIXED_TODAY=TODAY, PROPAGATE_EXCEPTIONS=False))
    app.test_client_class = IsolatedClient
    got_request_exception.connect(_remember_exception, app)
    ctx = app.app_context()
    ctx.push()
    _seed(app)
    clients = {role: do_login(app.test_client(), LOGINS[role]) for role in ROLES}
    clients["anonymous"] = app.test_client()
    yield app, clients
    db.session.remove()
    db.engine.dispose()
    ctx.pop()
    databases.drop(uri)


# --------------------------------------------------------------------------- route arguments
def _views_by_name(app) -> dict:
    return {type(v).__name__: v for v in app.appbuilder.baseviews}


def _first_id(model) -> int | None:
    from app.extensions import db

    return db.session.scalar(select(model.id).order_by(model.id.desc()).limit(1))


def _valid_args(app, rule) -> dict:
    """Valid values for the path arguments of one rule."""
    from app.models import Employee, Period
    from app.services import dashboard, reports

    view = _views_by_name(app).get(rule.endpoint.split(".")[0])
    values = {}
    for arg in rule.arguments:
        if arg == "pk":
            model = getattr(getattr(view, "datamodel", None), "obj", None)
            pk = _first_id(model) if model is not None else None
            values[arg] = pk if pk is not None else 1
        elif arg == "employee_id":
            values[arg] = _first_id(Employee)
        elif arg == "period_id":
            values[arg] = _first_id(Period)
        elif arg == "name" and rule.endpoint.startswith("DashboardView"):
            values[arg] = dashboard.CHART_NAMES[0]
        elif arg == "name":
            actions = list(getattr(view, "actions", {}) or {})
            values[arg] = actions[0] if actions else "muldelete"
        elif arg == "kind":
            values[arg] = sorted(reports.KINDS)[0]
        elif arg == "version":
            values[arg] = "v1"
        elif arg == "locale":
            values[arg] = "id"
        elif arg == "filename":
            values[arg] = "data.csv"
        elif arg == "group_by":
            values[arg] = "roles"
        elif arg == "period":
            values[arg] = "2026-11"
        elif arg == "nip":
            values[arg] = NIPS["staff_a"][0]
        else:
            values[arg] = "1"
    return values


def _get_rules(app):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" in rule.methods and rule.endpoint not in SKIP_ENDPOINTS:
            yield rule


def _build(app, rule, values) -> str:
    # Build by hand so that malformed values reach the converters as a client would send them.
    path = rule.rule
    for arg, value in values.items():
        conv = rule._converters[arg]
        token = {"IntegerConverter": "int", "UnicodeConverter": "string", "PathConverter": "path"}.get(
            type(conv).__name__)
        for form in (f"<{token}:{arg}>", f"<{arg}>"):
            path = path.replace(form, str(value))
    return path


def _fab_list_queries(v: str) -> list[str]:
    """Malformed Flask-AppBuilder list arguments of the list view `v`."""
    return [
        f"page_{v}=abc", f"page_{v}=²", f"page_{v}={10**20}", f"page_{v}=-3",
        f"psize_{v}=abc", f"psize_{v}={10**20}", f"psize_{v}=0",
        f"_oc_{v}=zz&_od_{v}=asc", f"_oc_{v}=id&_od_{v}=zz", f"_oc_{v}=__class__&_od_{v}=desc",
        "_flt_0_zz=1", "_flt_0_id=abc", "_flt_99_id=²", "_flt_1_date=2026-²1-01", f"_flt_0_id={2**63 + 1}",
    ]


def _filter_queries(view) -> list[str]:
    """A value no column holds in the first search filter of every search column of a list view."""
    return [f"_flt_0_{col}={value}" for col in (getattr(view, "search_columns", None) or [])
            for value in (2**63 + 1, "2026-²1-01")]


GENERIC_QUERIES = [
    "period=2026-²1", "period=²", "period=abc", f"period={2**63 + 1}", "opd=²", f"opd={2**64}", "opd=abc",
    "year=abc", "year=²", f"year={10**30}", "month=13", "month=²", f"employee={2**63 + 1}", "employee=²",
    "nip=²", "nip=%00", "pk=²", f"pk={10**30}", "sheet=zz", "kind=zz", "format=zz", "next=//evil.example",
    "q=(bad rison", "q=(page:abc)", "q=(page:100000000000000000000,page_size:10)",
    "q=(page_size:100000000000000000000)", "q=(filters:!((col:id,opr:eq,value:abc)))",
    f"q=(filters:!((col:id,opr:eq,value:{2**63 + 1})))", "q=(order_column:zz,order_direction:asc)",
    "q=(columns:!(zz))", "page=100000000000000000000", "page=abc", "page_size=100000000000000000000",
]
# Every malformed argument at once, for the roles the single-argument pass leaves out.
KITCHEN_SINK = "&".join(q for q in GENERIC_QUERIES if not q.startswith("q=")) + "&q=(bad rison"


def _problem(resp, url, who) -> str | None:
    """What is wrong with one answer, or None."""
    if resp.status_code >= 500:
        err, _last_exception[0] = _last_exception[0], None
        return f"{who} GET {url} -> {resp.status_code} {type(err).__name__}: {str(err)[:100]}"
    if url.startswith("/api/") and not url.startswith("/api/v1/_openapi"):
        ctype = resp.headers.get("Content-Type", "")
        if resp.status_code < 300 and ctype.startswith(FILE_TYPES):
            return None
        if not (resp.is_json and resp.get_json(silent=True) is not None):
            return f"{who} GET {url} -> {resp.status_code} not JSON: {resp.data[:80]!r}"
    return None


def _assert_clean(problems: list[str]) -> None:
    assert not problems, f"{len(problems)} bad answers:\n" + "\n".join(problems[:60])


def _api_clients(app) -> dict:
    headers = {}
    c = app.test_client()
    for role in ROLES:
        resp = c.post("/api/v1/security/login",
                      json={"username": LOGINS[role], "password": "rahasia", "provider": "db"})
        headers[role] = {"Authorization": f"Bearer {resp.get_json()['access_token']}"}
    headers["anonymous"] = {}
    return headers


def _client_for(app, clients, who, endpoint):
    if endpoint in SESSION_ENDPOINTS and who != "anonymous":
        return do_login(app.test_client(), LOGINS[who])
    return clients[who]


def test_every_get_route_with_valid_and_malformed_path_arguments(crawl):
    app, clients = crawl
    api_headers = _api_clients(app)
    calls, problems = 0, []
    for rule in _get_rules(app):
        valid = _valid_args(app, rule)
        urls = [_build(app, rule, valid)]
        for arg in rule.arguments:
            for bad in BAD_IDS:
                urls.append(_build(app, rule, {**valid, arg: bad}))
        for who in clients:
            headers = api_headers[who] if rule.rule.startswith("/api/") else {}
            for url in urls if who in BAD_ID_ROLES else urls[:1]:
                c = _client_for(app, clients, who, rule.endpoint)
                problems.append(_problem(c.get(url, headers=headers), url, who))
                calls += 1
    _assert_clean([p for p in problems if p])
    assert calls > 1000


def test_every_get_route_with_malformed_query_parameters(crawl):
    """Each malformed argument alone for a city-wide, an OPD and an own-data role; all of them
    at once for the other roles."""
    app, clients = crawl
    api_headers = _api_clients(app)
    calls, problems = 0, []
    views = _views_by_name(app)
    for rule in _get_rules(app):
        if rule.endpoint in SESSION_ENDPOINTS or set(rule.arguments) & {"pk", "filename", "employee_id"}:
            continue
        path = _build(app, rule, _valid_args(app, rule))
        view_name, method = rule.endpoint.split(".", 1)
        queries = _fab_list_queries(view_name) if method == "list" else GENERIC_QUERIES
        for who in ROLES:
            headers = api_headers[who] if rule.rule.startswith("/api/") else {}
            todo = queries if who in ("admin", "operator", "pegawai") else [KITCHEN_SINK]
            if who == "admin" and method == "list":
                todo = todo + _filter_queries(views.get(view_name))
            for query in todo:
                url = f"{path}?{query}"
                problems.append(_problem(clients[who].get(url, headers=headers), url, who))
                calls += 1
    _assert_clean([p for p in problems if p])
    assert calls > 1000
