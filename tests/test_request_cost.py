"""SQL statements per API request of the load test's month-end mix (issue 11 item 6).

Every API request paid for FAB's Public-role check (the role, then all its permissions: two
statements), the JWT user with its roles and groups (three lazy loads) and the employee with
its unit (two): seven statements before the request's own work; now one (the Public role is
built in, the user, roles, token version and employee come in one statement). Counted with an
engine event listener, never timed. The security properties stay: the user, its roles, its token
version and its employee are still read on every request, so changes take effect at once.
"""
from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import event

from tests.conftest import NIPS
from tests.test_lookups_ondemand import _activities


@contextmanager
def counted():
    from app.extensions import db

    seen: list[str] = []

    def _count(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", _count)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", _count)


def month_list(filters: str = "") -> str:
    return f"/api/v1/activity/?q=(filters:!({filters}(col:date,opr:gt,value:'2026-10-31')),page_size:25)"


@pytest.mark.parametrize("role, budget", [
    # token version with the user, roles, groups' roles and own employee+unit (also the row the
    # filter names), the page (not full: no count); the Public check reads no table
    ("pegawai", 2),
    ("atasan", 2),
    ("operator", 2),
    ("bkd", 2),
])
def test_activity_list_statements(app, world, api_as, role, budget):
    c, headers = api_as(role)
    me = world.employee({"pegawai": "staff_a", "atasan": "kabid_a"}.get(role, "op_a")).id
    url = {"pegawai": month_list(f"(col:employee,opr:rel_o_m,value:{me}),"),
           "atasan": month_list(f"(col:status,opr:eq,value:SUBMITTED),(col:superior,opr:rel_o_m,value:{me}),")
           }.get(role, month_list())
    assert c.get(url, headers=headers).status_code == 200  # warm: first-request work is not per request
    with counted() as seen:
        resp = c.get(url, headers=headers)
    assert resp.status_code == 200
    assert len(seen) <= budget, "\n".join(" ".join(s.split())[:90] for s in seen)


def test_one_statement_for_user_roles_and_public_check(app, world, api_as):
    c, headers = api_as("pegawai")
    c.get(month_list(), headers=headers)
    with counted() as seen:
        assert c.get(month_list(), headers=headers).status_code == 200
    assert not [s for s in seen if "FROM ab_role" in s.split("WHERE")[0] and "ab_user." not in s]
    users = [s for s in seen if "ab_user_role" in s or "ab_user_group" in s or "FROM ab_user" in s]
    assert len(users) == 1 and "employee" in users[0] and "auth_state" in users[0]
    assert not [s for s in seen if " ".join(s.split()).startswith("SELECT employee.id, employee.nip")]  # none alone


def test_employee_change_seen_on_the_next_request(app, world, api_as):
    """The employee row read with the token is fresh on every request: an operator moved to
    another OPD no longer sees the old OPD's activities on the next request."""
    from app.extensions import db

    _activities(world, 3)  # drafts of staff_a (Dinas Kesehatan) in the month
    c, headers = api_as("operator")
    staff_list = month_list(f"(col:employee,opr:rel_o_m,value:{world.employee('staff_a').id}),")
    assert c.get(staff_list, headers=headers).get_json()["count"] >= 3
    operator = world.employee("op_a")
    operator.unit_id, operator.position_id = world.unit("Dinas Pendidikan dan Kebudayaan").id, None
    db.session.commit()
    body = c.get(staff_list, headers=headers).get_json()
    assert body["result"] == [] and body["count"] == 0


def test_role_removal_takes_effect_on_the_next_request(app, world, api_as):
    from app.extensions import db
    from flask_appbuilder.security.sqla.models import User

    c, headers = api_as("pegawai")
    assert c.get(month_list(), headers=headers).status_code == 200
    user = db.session.query(User).filter_by(username=NIPS["staff_a"][0]).one()
    user.roles = []
    db.session.commit()
    assert c.get(month_list(), headers=headers).status_code == 403


def test_public_role_is_built_in_and_checked_without_a_query(app, world, monkeypatch):
    """FAB asks before every API call whether the Public role (anonymous visitors) has the
    permission. The role is built in (FAB_ROLES), so the answer reads no table; a grant to it in
    the tables opens nothing, as for every built-in role; anonymous calls stay refused."""
    from app.extensions import db

    sm = app.appbuilder.sm
    pv = sm.find_permission_view_menu("can_get", "ActivityApi")
    public = sm.find_role(sm.auth_role_public)
    public.permissions.append(pv)
    db.session.commit()
    with counted() as seen:
        assert sm.is_item_public("can_get", "ActivityApi") is False
    assert seen == []
    assert app.test_client().get(month_list()).status_code == 401
    monkeypatch.setitem(sm.builtin_roles, sm.auth_role_public, [("ActivityApi", "can_get")])
    assert sm.is_item_public("can_get", "ActivityApi") is True
    assert sm.is_item_public("can_delete", "ActivityApi") is False


def test_list_reuses_relation_aliases(app, world, api_as, monkeypatch):
    """FAB aliased the joined relations (employee, superior, ...) anew in every list and count
    query, rebuilding a proxy column per table column each time; the aliases are kept per process
    (app/api_speed.py) and the rows stay the same."""
    from sqlalchemy.orm import util as orm_util

    c, headers = api_as("atasan")
    me = world.employee("kabid_a").id
    url = month_list(f"(col:superior,opr:rel_o_m,value:{me}),")
    first = c.get(url, headers=headers).get_json()
    made = []
    original = orm_util.AliasedClass.__init__

    def counting(self, *args, **kwargs):
        made.append(args[0] if args else None)
        original(self, *args, **kwargs)

    monkeypatch.setattr(orm_util.AliasedClass, "__init__", counting)
    second = c.get(url, headers=headers).get_json()
    assert made == []
    assert second["count"] == first["count"] and second["result"] == first["result"]
    assert {"employee.id", "superior.id"} <= set(second["list_columns"])


def test_a_page_that_is_not_full_is_not_counted(app, world, api_as):
    """The superior's queue and an employee's day fit on one page: their count is the page."""
    c, headers = api_as("atasan")
    me = world.employee("kabid_a").id
    url = month_list(f"(col:status,opr:eq,value:SUBMITTED),(col:superior,opr:rel_o_m,value:{me}),")
    c.get(url, headers=headers)
    with counted() as seen:
        body = c.get(url, headers=headers).get_json()
    assert body["count"] == len(body["result"]) < 25 and body["count_bounded"] is False
    assert not [s for s in seen if "count(" in s.lower()], seen


def test_api_list_count_is_bounded_and_pages_still_count(app, world, api_as):
    """At most max(LIST_COUNT_BOUND, (page + 10) x page size) rows are counted, without the
    list's joins; the answer says when the count stopped at its bound."""
    _activities(world, 300)
    app.config["LIST_COUNT_BOUND"] = 50
    c, headers = api_as("bkd")
    first = c.get(month_list(), headers=headers).get_json()
    assert first["count"] == 250 and first["count_bounded"] is True and len(first["result"]) == 25
    with counted() as seen:
        deep = c.get(month_list().replace("page_size:25", "page:11,page_size:25"), headers=headers).get_json()
    assert len(deep["result"]) == 25 and deep["count"] > 275 and deep["count_bounded"] is False
    counts = [s for s in seen if "count(" in s.lower()]
    assert len(counts) == 1 and " JOIN " not in counts[0].upper(), counts
    app.config["LIST_COUNT_BOUND"] = 10_000
    exact = c.get(month_list(), headers=headers).get_json()
    assert exact["count"] == deep["count"] and exact["count_bounded"] is False
    last = c.get(month_list().replace("page_size:25", f"page:{exact['count'] // 25},page_size:25"),
                 headers=headers).get_json()
    assert last["count"] == exact["count"] and len(last["result"]) == exact["count"] % 25


def test_a_count_that_reached_its_bound_is_kept_per_scope(app, world, api_as):
    """The operator's OPD month list counted the same 10,000 rows on every request (the largest
    single cost of the month-end load): a count that reached its bound is kept for
    LIST_COUNT_CACHE_SECONDS, per count statement and its values (so per scope and filters);
    an exact count below the bound is always counted afresh."""
    _activities(world, 300)
    app.config.update(LIST_COUNT_BOUND=50, LIST_COUNT_CACHE_SECONDS=60)

    def count_statements(role, url=month_list()):
        c, headers = api_as(role)
        with counted() as seen:
            body = c.get(url, headers=headers).get_json()
        return body, len([s for s in seen if "count(" in s.lower()])

    body, counts = count_statements("operator")
    assert (body["count"], body["count_bounded"], counts) == (250, True, 1)
    body, counts = count_statements("operator")  # kept: no count
    assert (body["count"], body["count_bounded"], len(body["result"]), counts) == (250, True, 25, 0)
    # another scope or other filters are another statement: counted
    assert count_statements("bkd")[1] == 1 and count_statements("bkd")[1] == 0
    other = month_list("(col:status,opr:eq,value:DRAFT),")
    assert count_statements("operator", other)[1] == 1
    # a kept count ends with its time
    kept = app.extensions["ek_bounded_counts"]
    for key in kept:
        kept[key] = 0
    assert count_statements("operator")[1] == 1
    # below the bound the count is exact and counted every time
    app.config["LIST_COUNT_BOUND"] = 1000
    assert count_statements("operator") == count_statements("operator")
    body, counts = count_statements("operator")
    assert (body["count"], body["count_bounded"], counts) == (300, False, 1)
    # 0: never kept
    app.config.update(LIST_COUNT_BOUND=50, LIST_COUNT_CACHE_SECONDS=0)
    kept.clear()
    assert [count_statements("operator")[1] for _ in range(2)] == [1, 1] and not kept


def test_entry_and_submission_read_parameters_and_calendar_once(app, world, api_as):
    """One submission read the year's parameters three times and the holidays twice."""
    from datetime import date

    app.config["FIXED_TODAY"] = date(2026, 11, 18)
    c, headers = api_as("pegawai")
    body = {"date": "2026-11-18", "volume": 1, "description": "Uji", "start_time": "08:00", "end_time": "09:00"}
    with counted() as seen:
        created = c.post("/api/v1/activity/", headers=headers, json=body)
    assert created.status_code == 201, created.get_json()
    assert len([s for s in seen if "FROM parameter" in s]) == 1
    with counted() as seen:
        resp = c.post(f"/api/v1/activity/{created.get_json()['id']}/submit", headers=headers, json={})
    assert resp.status_code == 200, resp.get_json()
    assert len([s for s in seen if "FROM parameter" in s]) == 1
    assert len([s for s in seen if "FROM holiday" in s]) <= 2  # the activity's day and today


def test_entry_and_submission_statements(app, world, api_as):
    """An entry was 12 statements and a submission 18: the own employee read again for the
    body's employee, the exception and its unit chain read before the deadline (where no exception
    matters), the return date read again on submit, the submitting employee's position read
    again, the overrides read twice and the committed row read back for the answer."""
    from datetime import date

    app.config["FIXED_TODAY"] = date(2026, 11, 18)
    c, headers = api_as("pegawai")
    body = {"date": "2026-11-18", "volume": 1, "description": "Uji", "start_time": "08:00", "end_time": "09:00"}
    c.post("/api/v1/activity/", headers=headers, json=dict(body, start_time="07:00", end_time="07:30"))  # warm
    with counted() as seen:
        created = c.post("/api/v1/activity/", headers=headers, json=body)
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["result"]["employee"]["id"] == world.employee("staff_a").id
    # token+user+employee, parameters, holidays, the day's activities, the period, insert, audit
    assert len(seen) <= 7, "\n".join(" ".join(s.split())[:90] for s in seen)
    assert not [s for s in seen if "submit_exception" in s]
    with counted() as seen:
        resp = c.post(f"/api/v1/activity/{created.get_json()['id']}/submit", headers=headers, json={})
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["status"] == "SUBMITTED" and resp.get_json()["version"] == 2
    # ... + the activity, the position chain, its holders, their overrides, the superior's week,
    # update, audit
    assert len(seen) <= 12, "\n".join(" ".join(s.split())[:90] for s in seen)
    assert len([s for s in seen if "FROM superior_override" in s]) == 1


def test_a_change_in_the_same_transaction_is_read_back(app, world):
    from datetime import date

    from app.extensions import db
    from app.models import Holiday, Parameter
    from app.services import calendar, parameters

    assert "max_minutes_per_day" not in parameters.stored(2026)
    db.session.add(Parameter(year=2026, key="max_minutes_per_day", value="420"))
    assert parameters.stored(2026)["max_minutes_per_day"] == 420  # flushed, then read again
    window = (date(2026, 12, 1), date(2026, 12, 31))
    assert date(2026, 12, 24) not in calendar.holidays_between(*window)
    db.session.execute(Holiday.__table__.insert().values(date=date(2026, 12, 24), name="Cuti bersama"))
    assert date(2026, 12, 24) in calendar.holidays_between(*window)
    db.session.rollback()
    assert "max_minutes_per_day" not in parameters.stored(2026)
