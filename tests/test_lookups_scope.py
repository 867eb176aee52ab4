"""Relation lookups never leak rows outside the user's scope (issue 8 item 2).

For EVERY REST resource of the app (`ModelRestApi` in `appbuilder.baseviews`) and every role,
each relation column of `_info` add_columns/edit_columns (also paged, and with a `filter`
argument) returns only ids the role may see. The expected ids are computed here from the
database by the scope rules of design section 1 written out in plain Python (not through
app.security), so a lookup built from the wrong scope is caught.

`expected_ids()` is shared with the page matrix in tests/test_permissions.py (form dropdowns
and list search widgets, looked up on demand through app/views/lookups.py) and with
tests/test_lookups_ondemand.py.
"""
from __future__ import annotations

import prison
import pytest
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select

from app.extensions import db
from app.models import Activity, ActivityCatalog, Employee, Position, Unit

ROLES = ["admin", "bkd", "operator", "pegawai", "atasan", "auditor", "keuangan"]
ROLE_EMPLOYEE = {"operator": "op_a", "pegawai": "staff_a", "atasan": "kabid_a"}
CITY_WIDE = {"admin", "bkd", "auditor"}
KEUANGAN_CITY_WIDE = {"Unit", "Position", "Employee"}
# City-wide reference data: any role allowed to open the form may pick from all of it.
REFERENCE = {"ActivityCatalog", "PositionKind", "Period", "Holiday"}


def _pk(model):
    return sa_inspect(model).primary_key[0]


def _all(model) -> set:
    return set(db.session.scalars(select(_pk(model))))


def _me(world, role):
    key = ROLE_EMPLOYEE.get(role)
    return world.employee(key) if key else None


def expected_ids(world, role: str, owner_model, column: str, related_model, purpose: str) -> set:
    """Ids a lookup of `owner_model.column` (pointing at `related_model`) may offer to `role`;
    purpose is "add", "edit" or "search"."""
    name = related_model.__name__
    me = _me(world, role)
    if owner_model is Activity and purpose in ("add", "edit"):
        if column == "employee":  # whom the role may enter activities for
            ids = set()
            if me is not None and me.active:
                ids.add(me.id)
            if role == "operator":
                ids |= {e.id for e in db.session.scalars(select(Employee))
                        if e.active and e.unit is not None and e.unit.opd_id == me.unit.opd_id}
            return ids
        if column == "catalog":
            return {c.id for c in db.session.scalars(select(ActivityCatalog)) if c.active}
    if role in CITY_WIDE or name in REFERENCE:
        return _all(related_model)
    if role == "keuangan":
        return _all(related_model) if name in KEUANGAN_CITY_WIDE else set()
    if me is None:
        return set()
    opd = me.unit.opd_id
    if name == "Unit":
        return {u.id for u in db.session.scalars(select(Unit)) if u.opd_id == opd}
    if name == "Position":
        return {p.id for p in db.session.scalars(select(Position)) if p.unit is not None and p.unit.opd_id == opd}
    if name == "Employee":
        employees = list(db.session.scalars(select(Employee)))
        ids = {me.id}
        if role == "operator":
            ids |= {e.id for e in employees if e.unit is not None and e.unit.opd_id == opd}
        if role == "atasan":
            ids |= {e.id for e in employees if e.superior_id == me.id}
        return ids
    return set()  # FAB's users, roles, permissions: administrators only


@pytest.fixture
def outsiders(world):
    """Rows a lookup must leave out: an inactive employee of Dinas Kesehatan (no entry for
    them) and an inactive catalog item (not offered for new work)."""
    template = world.employee("staff_a")
    db.session.add(Employee(nip="199512122019031010", name="Pegawai Nonaktif", sex="L", birth_date=template.birth_date,
                            kind="PNS", golongan="III/a", position=template.position, unit=template.unit,
                            bank_name="Bank Jatim", bank_account="0099", active=False))
    db.session.add(ActivityCatalog(code="U-999", description="Uraian lama", output_unit="dokumen", norm_minutes=30,
                                   active=False))
    db.session.commit()


def api_resources(app):
    from flask_appbuilder.api import ModelRestApi

    return [v for v in app.appbuilder.baseviews if isinstance(v, ModelRestApi)]


def _relation_columns(api, columns) -> dict:
    return {c: api.datamodel.get_related_model(c) for c in columns or [] if api.datamodel.is_relation(c)}


def test_every_resource_is_covered(app):
    names = {api.resource_name for api in api_resources(app)}
    assert {"activity", "activity-catalog", "unit", "position", "employee"} <= names


@pytest.mark.parametrize("role", ROLES)
def test_api_info_lookups_stay_in_scope(role, app, world, outsiders, api_as):
    client, headers = api_as(role)
    problems, checked = [], 0
    for api in api_resources(app):
        add_rel = _relation_columns(api, api.add_columns)
        edit_rel = _relation_columns(api, api.edit_columns)
        if not add_rel and not edit_rel:
            continue
        owner = api.datamodel.obj
        url = f"{api.route_base}/_info"
        paging = {"page": 0, "page_size": 100}
        variants = [
            {"keys": ["add_columns", "edit_columns"]},
            {"keys": ["add_columns", "edit_columns"], "add_columns": {c: paging for c in add_rel},
             "edit_columns": {c: paging for c in edit_rel}},
            {"keys": ["add_columns", "edit_columns"], "add_columns": {c: {**paging, "filter": "a"} for c in add_rel},
             "edit_columns": {c: {**paging, "filter": "a"} for c in edit_rel}},
        ]
        for args in variants:
            resp = client.get(url, query_string={"q": prison.dumps(args)}, headers=headers)
            if resp.status_code in (400, 403):  # no info permission, or an argument FAB refuses
                continue
            assert resp.status_code == 200, (api.resource_name, resp.status_code)
            body = resp.get_json()
            for purpose, rel in (("add", add_rel), ("edit", edit_rel)):
                for info in body.get(f"{purpose}_columns", []):
                    if info["name"] not in rel:
                        continue
                    checked += 1
                    got = {v["id"] for v in info.get("values", [])}
                    want = expected_ids(world, role, owner, info["name"], rel[info["name"]], purpose)
                    leaked = got - want
                    if leaked:
                        problems.append(f"{api.resource_name} {purpose} {info['name']}: di luar cakupan {sorted(leaked)}")
                    if info.get("count", 0) > len(want):
                        problems.append(f"{api.resource_name} {purpose} {info['name']}: jumlah {info['count']} "
                                        f"melebihi cakupan ({len(want)})")
    assert not problems, "\n".join(problems)
    if role != "keuangan":  # every other role may at least open the activity or master-data info
        assert checked, "tidak ada lookup relasi yang diperiksa"


def test_pegawai_activity_info_holds_only_oneself(world, outsiders, api_as):
    """The reported leak: `_info` of /api/v1/activity gave a Pegawai every employee."""
    client, headers = api_as("pegawai")
    q = prison.dumps({"keys": ["add_columns", "edit_columns"], "add_columns": {"employee": {"page_size": 100}}})
    body = client.get("/api/v1/activity/_info", query_string={"q": q}, headers=headers).get_json()
    employee = next(c for c in body["add_columns"] if c["name"] == "employee")
    assert [v["id"] for v in employee["values"]] == [world.employee("staff_a").id]
    catalog = next(c for c in body["add_columns"] if c["name"] == "catalog")
    assert all(v["value"] != "U-999 - Uraian lama" for v in catalog["values"])


def test_operator_catalog_positions_only_own_opd(world, api_as):
    client, headers = api_as("operator")
    q = prison.dumps({"keys": ["add_columns"], "add_columns": {"allowed_positions": {"page_size": 100}}})
    resp = client.get("/api/v1/activity-catalog/_info", query_string={"q": q}, headers=headers)
    if resp.status_code == 403:
        pytest.skip("operator has no info permission on the catalog")
    positions = next(c for c in resp.get_json()["add_columns"] if c["name"] == "allowed_positions")
    got = {v["id"] for v in positions["values"]}
    assert world.position("Pengadministrasi Perkantoran").id not in got  # Dinas Pendidikan
    assert world.position("Pengelola Data Kesehatan").id in got
