"""API fuzzing (issue 8.11): Schemathesis generates requests for every operation of the app's
own OpenAPI spec (/api/v1/_openapi), valid and invalid ones, with a JWT of every role. No
answer may be 5xx, and no answer may carry a row outside the role's scope (each returned id
is checked against `app.security.scope_clause` evaluated for that user).

Bounded: a few derandomized examples per operation and role, no shrinking, one database
for the module (writes are bounded by the number of examples)."""
from __future__ import annotations

import pytest
from flask import g
from hypothesis import HealthCheck, Phase, given, settings
from sqlalchemy import select

from tests.conftest import LOGINS, PASSWORD, IsolatedClient, make_config
from tests.test_crawl import TODAY, _seed

schemathesis = pytest.importorskip("schemathesis")
from schemathesis import GenerationMode  # noqa: E402

ROLES = ("pegawai", "atasan", "operator", "keuangan", "auditor", "bkd", "admin")
EXAMPLES = {GenerationMode.POSITIVE: 4, GenerationMode.NEGATIVE: 3}


@pytest.fixture(scope="module")
def fuzz_app(databases):
    from app import create_app
    from app.extensions import db

    uri = databases.clone()
    app = create_app(make_config(uri, FIXED_TODAY=TODAY, PROPAGATE_EXCEPTIONS=False))
    app.test_client_class = IsolatedClient
    ctx = app.app_context()
    ctx.push()
    _seed(app)
    yield app
    db.session.remove()
    db.engine.dispose()
    ctx.pop()
    databases.drop(uri)


def _tokens(app) -> dict[str, dict]:
    client = app.test_client()
    headers = {}
    for role in ROLES:
        resp = client.post("/api/v1/security/login",
                           json={"username": LOGINS[role], "password": PASSWORD, "provider": "db"})
        assert resp.status_code == 200, resp.get_json()
        headers[role] = {"Authorization": f"Bearer {resp.get_json()['access_token']}"}
    return headers


def _model_apis(app) -> dict[str, type]:
    """Route base of each model REST API -> its model."""
    from flask_appbuilder.api import ModelRestApi

    return {api.route_base: api.datamodel.obj for api in app.appbuilder.baseviews
            if isinstance(api, ModelRestApi)}


def scoped_ids(app, username: str, model) -> set[int]:
    """Ids of `model` that `username` may see: `scope_clause` evaluated in a request of that user."""
    from flask_appbuilder.security.sqla.models import User

    from app.extensions import db
    from app.security import scope_clause

    user = db.session.scalars(select(User).filter_by(username=username)).one()
    with app.test_request_context():
        for key in list(g):
            g.pop(key, None)
        g._login_user = g.user = user  # the user of this request for Flask-Login and FAB (no login event)
        clause = scope_clause(model)
        q = select(model.id) if clause is None else select(model.id).where(clause)
        ids = set(db.session.scalars(q))
        for key in list(g):
            g.pop(key, None)
    return ids


def _returned_ids(path: str, method: str, body) -> list:
    if not isinstance(body, dict):
        return []
    if method == "GET" and path.endswith("/") and isinstance(body.get("ids"), list):
        return body["ids"]
    return [body["id"]] if isinstance(body.get("id"), int) else []


def _problems_of(app, apis, role, case, resp) -> list[str]:
    where = f"{role} {case.method} {case.formatted_path} {str(case.query or '')[:80]}"
    if resp.status_code >= 500:
        body = getattr(case, "body", None)
        return [f"{where} {str(body)[:300]} -> {resp.status_code} {resp.content[:100]!r}"]
    try:
        body = resp.json()
    except ValueError:
        body = None
    if resp.status_code >= 400 and body is None:
        return [f"{where} -> {resp.status_code} without a JSON body"]
    base = next((b for b in apis if case.formatted_path.startswith(b + "/")), None)
    if resp.status_code >= 300 or base is None:
        return []
    ids = _returned_ids(case.formatted_path, case.method.upper(), body)
    if not ids:
        return []
    allowed = scoped_ids(app, LOGINS[role], apis[base])
    return [f"{where} -> row {i} of {apis[base].__name__} outside the scope of {role}"
            for i in ids if i not in allowed]


def _end_request(db) -> None:
    """What the end of a request does in production; the module keeps one app context."""
    db.session.remove()
    for key in list(g):
        g.pop(key, None)


def test_every_api_operation_with_every_role(fuzz_app):
    from app.extensions import db

    app = fuzz_app
    tokens = _tokens(app)
    apis = _model_apis(app)
    _end_request(db)
    schema = schemathesis.openapi.from_wsgi("/api/v1/_openapi", app, headers=tokens["admin"])
    _end_request(db)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 30
    problems: list[str] = []
    calls = [0]
    for operation in operations:
        for role in ROLES:
            for mode, examples in EXAMPLES.items():
                @settings(max_examples=examples, derandomize=True, deadline=None, database=None,
                          phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
                @given(case=operation.as_strategy(generation_mode=mode))
                def run(case):
                    _end_request(db)
                    resp = case.call(headers=tokens[role])
                    _end_request(db)
                    calls[0] += 1
                    problems.extend(_problems_of(app, apis, role, case, resp))

                run()
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:60])
    assert calls[0] > len(operations) * len(ROLES)
