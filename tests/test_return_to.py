"""Issue 10 item 5 on the admin lists: after a refused edit or delete, a delete, a list action or a
decision the user is back on the list with its filters, sort, page and page size, even when
pages of other views were opened in between (app/views/return_to.py), through the real pages."""
from __future__ import annotations

from datetime import date, datetime, time

import pytest

from app.extensions import db
from app.models import Activity

TODAY = date(2026, 11, 18)  # a Wednesday
MINE = "/activityview/list/?_oc_ActivityView=date&_od_ActivityView=asc&psize_ActivityView=2&page_ActivityView=1"
QUEUE = "/approvalqueueview/list/?_oc_ApprovalQueueView=date&_od_ApprovalQueueView=desc&psize_ApprovalQueueView=2"


@pytest.fixture(autouse=True)
def fixed_today(app):
    app.config["FIXED_TODAY"] = TODAY


def make(world, status, day=TODAY, start=8, text="Kegiatan", **kw):
    item = Activity(employee=world.employee("staff_a"), date=day, description=text, volume=1,
                    start_time=time(start), end_time=time(start + 1), claimed_minutes=60, status=status, **kw)
    db.session.add(item)
    db.session.commit()
    return item.id


def submitted(world, start, text):
    return make(world, "SUBMITTED", day=date(2026, 11, 17), start=start, text=text,
                submitted_at=datetime(2026, 11, 17, 2), superior=world.employee("kabid_a"),
                review_due=date(2026, 11, 23))


def status(pk):
    db.session.expire_all()
    item = db.session.get(Activity, pk)
    return item.status if item is not None else None


def on_list(client, url):
    resp = client.get(url)
    assert resp.status_code == 200, (url, resp.status_code, resp.headers.get("Location"))


def flashes(client) -> list[str]:
    with client.session_transaction() as s:
        return [m for _, m in s.get("_flashes", [])]


@pytest.fixture
def rows(world):
    return {
        "approved": make(world, "APPROVED", day=date(2026, 11, 16), text="Sudah disetujui",
                         superior=world.employee("kabid_a")),
        "draft": make(world, "DRAFT", start=10, text="Draf yang dihapus"),
        "draft2": make(world, "DRAFT", start=12, text="Draf yang diajukan"),
    }


def test_refused_edit_returns_to_the_filtered_list(login_as, rows):
    pegawai = login_as("pegawai")
    on_list(pegawai, MINE)
    resp = pegawai.get(f"/activityview/edit/{rows['approved']}")
    assert resp.status_code == 302 and resp.headers["Location"] == MINE
    assert flashes(pegawai), "the reason is shown on the list"
    assert status(rows["approved"]) == "APPROVED"


def test_refused_delete_returns_to_the_filtered_list(login_as, rows):
    pegawai = login_as("pegawai")
    on_list(pegawai, MINE)
    resp = pegawai.post(f"/activityview/delete/{rows['approved']}")
    assert resp.status_code == 302 and resp.headers["Location"] == MINE
    assert status(rows["approved"]) == "APPROVED"


def test_delete_and_action_return_to_the_filtered_list(login_as, rows):
    pegawai = login_as("pegawai")
    on_list(pegawai, MINE)
    resp = pegawai.post(f"/activityview/delete/{rows['draft']}")
    assert resp.status_code == 302 and resp.headers["Location"] == MINE
    assert status(rows["draft"]) is None
    resp = pegawai.post("/activityview/action_post", data={"action": "submit", "rowid": [str(rows["draft2"])]})
    assert resp.status_code == 302 and resp.headers["Location"] == MINE
    assert status(rows["draft2"]) == "SUBMITTED"


def test_other_pages_in_between_do_not_lose_the_list(login_as, rows):
    """FAB's one history stack lost the list when other pages were opened in between."""
    pegawai = login_as("pegawai")
    on_list(pegawai, MINE)
    on_list(pegawai, "/unitview/list/?psize_UnitView=5")  # another list, another view
    assert pegawai.get("/").status_code == 200
    assert pegawai.get(f"/activityview/show/{rows['approved']}").status_code == 200
    resp = pegawai.get(f"/activityview/edit/{rows['approved']}")  # refused
    assert resp.status_code == 302 and resp.headers["Location"] == MINE
    resp = pegawai.post(f"/activityview/delete/{rows['approved']}")  # refused
    assert resp.status_code == 302 and resp.headers["Location"] == MINE


def test_queue_approve_and_decide_return_to_the_filtered_queue(world, login_as):
    one, two = submitted(world, 8, "Rekap data posyandu"), submitted(world, 10, "Entri data imunisasi")
    atasan = login_as("atasan")
    on_list(atasan, QUEUE)
    resp = atasan.post("/approvalqueueview/action_post", data={"action": "approve", "rowid": [str(one)]})
    assert resp.status_code == 302 and resp.headers["Location"] == QUEUE
    assert status(one) == "APPROVED"
    assert atasan.get(f"/approvalqueueview/decide/{two}").status_code == 200
    resp = atasan.post(f"/approvalqueueview/decide/{two}",
                       data={"decision": "RETURN", "note": "Lampirkan bukti"})
    assert resp.status_code == 302 and resp.headers["Location"] == QUEUE, resp.headers.get("Location")
    assert status(two) == "RETURNED"


def test_only_this_views_list_is_a_target(login_as, rows):
    """A remembered URL is a path of this view's list, never another host or page."""
    pegawai = login_as("pegawai")
    for planted in ("//evil.example/activityview/list/", "https://evil.example/", "/logout/"):
        with pegawai.session_transaction() as s:
            s["ek_lists"] = {"ActivityView": planted}
        resp = pegawai.get(f"/activityview/edit/{rows['approved']}")
        assert resp.status_code == 302 and resp.headers["Location"] == "/activityview/list/", planted


def test_a_bare_list_is_remembered_too(login_as, rows):
    pegawai = login_as("pegawai")
    on_list(pegawai, MINE)
    on_list(pegawai, "/activityview/list/")  # filters cleared: the plain list is where the user is
    resp = pegawai.get(f"/activityview/edit/{rows['approved']}")
    assert resp.headers["Location"] == "/activityview/list/"


def test_session_cookie_stays_small(login_as, rows):
    """The lists live in the cookie session next to FAB's own history: after many long filtered
    lists of many views it still fits a browser's 4 KB cookie (else the login would be lost)."""
    pegawai = login_as("pegawai")
    views = ["ActivityView", "UnitView", "PositionView", "EmployeeView", "HolidayView", "PeriodView"]
    shown = 0
    for view in views:
        for size in (25, 50, 100):
            words = "%20".join(["pelayanan"] * (size // 5))
            url = f"/{view.lower()}/list/?_flt_2_name={words}&psize_{view}={size}&page_{view}=0"
            shown += pegawai.get(url).status_code == 200
    assert shown >= 6
    cookie = pegawai.get_cookie("session")
    assert cookie is not None and len(cookie.value) < 4000, len(cookie.value)
    with pegawai.session_transaction() as s:
        assert 1 <= len(s["ek_lists"]) <= 4
