"""FAB's Rison argument check (app/api_speed.py): the schema is checked against the meta-schema
once per process, not on every request, and invalid arguments are still refused with 400."""
from __future__ import annotations

import jsonschema


def test_rison_schema_checked_once_and_invalid_q_still_refused(api_as, monkeypatch):
    client, headers = api_as("bkd")
    checks = []
    original = jsonschema.validators.Draft202012Validator.check_schema

    def counting(cls, schema, *args, **kwargs):
        checks.append(id(schema))
        return original.__func__(cls, schema, *args, **kwargs)

    for cls in {jsonschema.validators.validator_for({}), jsonschema.validators.Draft202012Validator,
                jsonschema.validators.Draft7Validator, jsonschema.validators.Draft4Validator}:
        monkeypatch.setattr(cls, "check_schema", classmethod(counting))
    for _ in range(3):
        resp = client.get("/api/v1/activity/?q=(page_size:5,order_column:id,order_direction:desc)", headers=headers)
        assert resp.status_code == 200
    assert len(checks) <= 1  # at most the first request of this process checks the schema

    resp = client.get("/api/v1/activity/?q=(filters:x)", headers=headers)
    assert resp.status_code == 400
    resp = client.get("/api/v1/activity/?q=(page:tiga)", headers=headers)
    assert resp.status_code == 400


def test_activity_list_logs_no_filter_warnings(api_as, caplog):
    """FAB rebuilt its filters per request and warned six times about the time columns."""
    import logging

    client, headers = api_as("bkd")
    with caplog.at_level(logging.WARNING):
        resp = client.get("/api/v1/activity/?q=(page_size:5)", headers=headers)
    assert resp.status_code == 200
    assert not [r for r in caplog.records if "Filter type not supported" in r.getMessage()]


def test_column_filters_converted_once_per_data_model(api_as, world, monkeypatch):
    """FAB converted every column of the model into filters several times per list request;
    the conversion is kept per data model, and the filters still filter (status, date)."""
    from flask_appbuilder.models.sqla.filters import SQLAFilterConverter

    from tests.test_lookups_ondemand import _activities

    _activities(world, 3)  # drafts
    client, headers = api_as("bkd")
    url = "/api/v1/activity/?q=(filters:!((col:status,opr:eq,value:{s})),page_size:5)"
    client.get(url.format(s="APPROVED"), headers=headers)
    calls = []
    original = SQLAFilterConverter.convert
    monkeypatch.setattr(SQLAFilterConverter, "convert", lambda self, col: calls.append(col) or original(self, col))
    seen = {}
    for status in ("DRAFT", "APPROVED"):
        seen[status] = {r["status"] for r in client.get(url.format(s=status), headers=headers).get_json()["result"]}
    assert seen["DRAFT"] == {"DRAFT"} and seen["APPROVED"] <= {"APPROVED"}
    assert calls == []
