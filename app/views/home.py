"""The landing page: the user's tasks per role (issue 10 item 1; app.services.home)."""
from flask import redirect, url_for
from flask_appbuilder import IndexView, expose
from flask_login import current_user

from app.formatting import format_number
from app.models.periods import PERIOD_STATES
from app.security import current_employee
from app.services.activities import current_actor
from app.formatting import format_date as format_short_date
from app.services.home import home_for

# (key, permission, view, endpoint): links shown only to who may open them.
LINKS = (
    ("add", "can_add", "ActivityView", "ActivityView.add"),
    ("edit", "can_edit", "ActivityView", None),
    ("mine", "can_list", "ActivityView", "ActivityView.list"),
    ("queue", "can_list", "ApprovalQueueView", "ApprovalQueueView.list"),
    ("decide", "can_decide", "ApprovalQueueView", None),
    ("overdue", "can_index", "OverdueReportView", "OverdueReportView.index"),
    ("periods", "can_list", "PeriodView", "PeriodView.list"),
    ("attendance", "can_index", "AttendanceImportView", "AttendanceImportView.index"),
    ("dashboard", "can_index", "DashboardView", "DashboardView.index"),
    ("reports", "can_index", "ReportView", "ReportView.index"),
    # The phone pages of the daily loop, preferred where the user may open them.
    ("my_add", "can_add", "MyActivitiesView", "MyActivitiesView.index"),
    ("my", "can_index", "MyActivitiesView", "MyActivitiesView.index"),
    ("my_edit", "can_edit", "MyActivitiesView", None),
    ("queue_page", "can_index", "QueueView", "QueueView.index"),
    # SKP tahunan (app/views/skp.py): one's own plan and the superior's approvals.
    ("skp_mine", "can_index", "MySkpView", "MySkpView.index"),
    ("skp_queue", "can_index", "SkpApprovalView", "SkpApprovalView.index"),
)
# key shown on the page -> the phone page that serves it first
PREFERRED = {"add": "my_add", "mine": "my", "queue": "queue_page"}


_format_minutes = format_number  # 1234 -> '1.234' (app.formatting)


def _skp_pending() -> int:
    """Submitted SKP waiting for the current user's decision (app.services.skp's queue)."""
    from sqlalchemy import func, select

    from app.extensions import db
    from app.models import Skp
    from app.services.skp import approval_queue_clause

    return db.session.scalar(select(func.count()).select_from(Skp).where(approval_queue_clause(current_actor()))) or 0


class HomeView(IndexView):
    index_template = "home.html"

    @expose("/")
    def index(self):
        if not current_user.is_authenticated:
            return redirect(self.appbuilder.get_url_for_login)
        sm = self.appbuilder.sm
        can = {key: sm.has_access(perm, view) for key, perm, view, _ in LINKS}
        urls = {key: url_for(ep) for key, _, _, ep in LINKS if ep and can[key]}
        for key, phone in PREFERRED.items():
            if phone in urls:
                urls[key] = urls[phone]
        return self.render_template(
            self.index_template, appbuilder=self.appbuilder, employee=current_employee(),
            home=home_for(current_actor()), can=can, urls=urls, fmt=format_short_date, num=_format_minutes,
            period_states=PERIOD_STATES, skp_pending=_skp_pending() if can["skp_queue"] else 0)
