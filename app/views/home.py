"""The landing page: who you are, your unit, your superior and what you may open."""
from flask_appbuilder import IndexView, expose
from flask_login import current_user
from sqlalchemy import func, select

from app.extensions import db
from app.security import current_employee, role_names, scope_clause


def _count(model) -> int:
    q = select(func.count()).select_from(model)
    clause = scope_clause(model)
    if clause is not None:
        q = q.where(clause)
    return db.session.scalar(q) or 0


class HomeView(IndexView):
    index_template = "home.html"

    @expose("/")
    def index(self):
        from app.models import Employee, Position, Unit

        ctx = {}
        if current_user.is_authenticated:
            ctx = {
                "employee": current_employee(),
                "roles": sorted(role_names()),
                "counts": [
                    ("Unit kerja", _count(Unit)),
                    ("Jabatan", _count(Position)),
                    ("Pegawai", _count(Employee)),
                ],
            }
        return self.render_template(self.index_template, appbuilder=self.appbuilder, **ctx)
