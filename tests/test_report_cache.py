"""Kept report files (app/services/report_cache.py): a city or OPD file is built once and served
again while the period's recap rows are unchanged and the file is young enough; a recompute,
another scope, another request or a file past its time builds anew. One employee's files are
never kept."""
from __future__ import annotations

import io
import os

import pytest
from openpyxl import load_workbook

from tests.test_reports import PERIOD, Y, M, data  # noqa: F401 (fixture)


@pytest.fixture
def builds(app, tmp_path, monkeypatch):
    """Counts the files built (app.services.reports.generate), in a cache folder of this test."""
    from app.services import reports

    app.config.update(REPORT_CACHE_DIR=str(tmp_path / "cache"), REPORT_CACHE_SECONDS=120)
    made = []
    real = reports.generate

    def counting(req, *args, **kwargs):
        made.append((req.kind, req.opd.id if req.opd is not None else None, req.employee is not None))
        return real(req, *args, **kwargs)

    monkeypatch.setattr(reports, "generate", counting)
    return made


def _rows(resp) -> list:
    assert resp.status_code == 200, resp.data[:200]
    return [tuple(c.value for c in row) for row in load_workbook(io.BytesIO(resp.data)).active.iter_rows()]


def test_city_file_built_once_then_served_until_a_recompute(data, world, login_as, builds, app):
    from app.extensions import db
    from app.models import Recap
    from app.services.recap import recompute_period

    c = login_as("bkd")
    first = c.get("/reports/download", query_string={"kind": "recap", "period": PERIOD})
    again = c.get("/reports/download", query_string={"kind": "recap", "period": PERIOD})
    assert _rows(first) == _rows(again) and builds == [("recap", None, False)]
    assert again.headers["X-Report-Rows"] == first.headers["X-Report-Rows"]
    assert again.headers["Content-Disposition"] == first.headers["Content-Disposition"]
    assert len(os.listdir(app.config["REPORT_CACHE_DIR"])) == 1
    # the payroll is another file; the same file through the API is the kept one
    c.get("/reports/download", query_string={"kind": "payroll", "period": PERIOD})
    assert builds[-1] == ("payroll", None, False)
    # a recompute changes the rows: the next download is built from them
    staff = world.employee("staff_a")
    staff.name = "Nama Baru"
    db.session.commit()
    recompute_period(Y, M)
    db.session.commit()
    fresh = _rows(c.get("/reports/download", query_string={"kind": "recap", "period": PERIOD}))
    assert len(builds) == 3 and any("Nama Baru" in str(cell) for row in fresh for cell in row)
    assert db.session.query(Recap).filter(Recap.name.like("%Nama Baru%")).count() == 1


def test_scope_and_request_are_part_of_the_key(data, world, login_as, builds):
    opd = world.unit("Dinas Kesehatan").id
    ask = {"kind": "recap", "period": PERIOD, "opd": opd}
    login_as("operator").get("/reports/download", query_string=ask)  # the operator's own OPD
    login_as("bkd").get("/reports/download", query_string=ask)  # unscoped: another key
    login_as("bkd").get("/reports/download", query_string={**ask, "kind": "distribution"})
    assert builds == [("recap", opd, False), ("recap", opd, False), ("distribution", opd, False)]
    login_as("operator").get("/reports/download", query_string=ask)
    assert len(builds) == 3  # the operator's kept file


def test_not_kept_for_one_employee_past_its_time_or_when_off(data, world, login_as, builds, app):
    c = login_as("bkd")
    ask = {"kind": "recap", "period": PERIOD, "employee": world.employee("staff_a").id}
    c.get("/reports/download", query_string=ask)
    c.get("/reports/download", query_string=ask)
    assert builds == [("recap", None, True)] * 2
    city = {"kind": "recap", "period": PERIOD}
    c.get("/reports/download", query_string=city)
    folder = app.config["REPORT_CACHE_DIR"]
    (kept,) = os.listdir(folder)
    os.utime(os.path.join(folder, kept), (0, 0))  # past REPORT_CACHE_SECONDS
    c.get("/reports/download", query_string=city)
    assert builds[-2:] == [("recap", None, False)] * 2 and len(os.listdir(folder)) == 1
    app.config["REPORT_CACHE_SECONDS"] = 0
    c.get("/reports/download", query_string=city)
    assert len(builds) == 5


def test_an_opd_file_follows_its_own_rows_only(data, world, login_as, builds):
    """The key of an OPD's file counts the rows of that OPD (the rows the file holds): a change
    in another OPD keeps it, a change in the OPD builds it anew."""
    from datetime import datetime

    from app.extensions import db
    from app.models import Recap

    dinkes, disdik = world.unit("Dinas Kesehatan").id, world.unit("Dinas Pendidikan dan Kebudayaan").id
    ask = {"kind": "recap", "period": PERIOD, "opd": dinkes}
    c = login_as("bkd")
    c.get("/reports/download", query_string=ask)
    assert builds == [("recap", dinkes, False)]

    def touch(opd_id):
        row = db.session.query(Recap).filter(Recap.opd_id == opd_id).first()
        assert row is not None, opd_id
        row.computed_at = datetime(2030, 1, 1, opd_id % 60)
        db.session.commit()

    touch(disdik)
    c.get("/reports/download", query_string=ask)
    assert len(builds) == 1  # another OPD's rows: the kept file
    touch(dinkes)
    c.get("/reports/download", query_string=ask)
    assert len(builds) == 2
