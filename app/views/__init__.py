"""Menu and view registration."""
from flask import current_app, g


def pending_decisions() -> int:
    """Activities awaiting the current user's decision (menu badge), once per request."""
    if "ek_pending" not in g:
        from sqlalchemy import func, select

        from app.extensions import db
        from app.models import Activity
        from app.security import ROLE_ATASAN, ROLE_ADMIN, ROLE_BKD, role_names
        from app.services.activities import current_actor, queue_clause

        count = 0
        if role_names() & {ROLE_ATASAN, ROLE_BKD, ROLE_ADMIN}:
            count = db.session.scalar(select(func.count()).select_from(Activity).where(queue_clause(current_actor())))
        g.ek_pending = count or 0
    return g.ek_pending


def register_views(appbuilder) -> None:
    from app.api.masterdata import ActivityCatalogApi, EmployeeApi, PositionApi, UnitApi
    from app.views.activities import ActivityView, ApprovalQueueView, OverdueReportView
    from app.views.masterdata import (
        ActivityCatalogView, AuditLogView, EmployeeView, HolidayView, ParameterView, PeriodView, PositionView,
        SubmitExceptionView, SuperiorOverrideView, UnitView,
    )

    work = "Kinerja"
    appbuilder.add_view(ActivityView, "Aktivitas Harian", icon="fa-tasks", category=work, category_icon="fa-briefcase")
    from app.views.my_activities import MyActivitiesView

    appbuilder.add_view(MyActivitiesView, "Aktivitas Saya", icon="fa-calendar-day", category=work)
    appbuilder.add_view(ApprovalQueueView, "Persetujuan Aktivitas", icon="fa-check-square", category=work)
    appbuilder.add_view(OverdueReportView, "Keterlambatan Persetujuan", icon="fa-hourglass-end", category=work)
    from app.views.queue import QueueView

    appbuilder.add_view(QueueView, "Antrean Persetujuan", icon="fa-inbox", category=work)

    cat = "Data Induk"
    appbuilder.add_view(UnitView, "Unit Kerja", icon="fa-sitemap", category=cat, category_icon="fa-database")
    appbuilder.add_view(PositionView, "Jabatan", icon="fa-id-badge", category=cat)
    appbuilder.add_view(EmployeeView, "Pegawai", icon="fa-users", category=cat)
    appbuilder.add_view(SuperiorOverrideView, "Atasan Pengganti", icon="fa-user-clock", category=cat)
    appbuilder.add_view(ActivityCatalogView, "Katalog Uraian Tugas", icon="fa-list", category=cat)
    appbuilder.add_view(HolidayView, "Hari Libur", icon="fa-calendar", category=cat)
    appbuilder.add_view(PeriodView, "Periode", icon="fa-calendar-check", category=cat)

    settings = "Pengaturan"
    appbuilder.add_view(ParameterView, "Parameter", icon="fa-sliders-h", category=settings, category_icon="fa-cogs")
    appbuilder.add_view(SubmitExceptionView, "Pengecualian Batas Pengajuan", icon="fa-door-open", category=settings)

    # The audit log sits under Laporan, and the follow-up under Penilaian (below): at 1366 px the
    # navbar holds every role's categories on one row (issue 10 item 4).
    appbuilder.add_view(AuditLogView, "Log Audit", icon="fa-clipboard-list", category="Laporan",
                        category_icon="fa-file-alt")
    for api in (UnitApi, PositionApi, EmployeeApi, ActivityCatalogApi):
        appbuilder.add_api(api)
    from app.api.activities import ActivityApi

    appbuilder.add_api(ActivityApi)
    from app.api.skp import RhkApi, RhkIndicatorApi, SkpApi, StrategicGoalApi

    for api in (SkpApi, RhkApi, RhkIndicatorApi, StrategicGoalApi):  # SKP tahunan (issue 12)
        appbuilder.add_api(api)
    # SKP tahunan pages (issue 12 item 1): plan one's own, approve, detail and list, strategic goals.
    from app.views.skp import MySkpView, SkpApprovalView, StrategicGoalView

    appbuilder.add_view(MySkpView, "SKP Saya", icon="fa-file-alt", category="SKP", category_icon="fa-clipboard-list")
    appbuilder.add_view(SkpApprovalView, "Persetujuan SKP", icon="fa-check-double", category="SKP")
    appbuilder.add_link("Daftar SKP", href="/persetujuan-skp/daftar", icon="fa-list", category="SKP")
    appbuilder.add_view(StrategicGoalView, "Sasaran Strategis", icon="fa-star", category="SKP")
    # Realisasi SKP (issue 12 item 3): the employee's realisation per indicator and period.
    from app.views.realisation import RealisationView

    appbuilder.add_view(RealisationView, "Realisasi SKP", icon="fa-tasks", category="SKP")
    # Printable SKP and periodic evaluation (issue 12 item 4): A4 PDFs, linked from their pages.
    from app.views.documents import DocumentView

    appbuilder.add_view_no_menu(DocumentView)
    # Matriks peran hasil (issue 12 item 2): the cascade per OPD with its gaps, page and API.
    from app.api.cascade import CascadeApi
    from app.views.cascade import CascadeView

    appbuilder.add_view(CascadeView, "Matriks Peran Hasil", icon="fa-project-diagram", category="SKP",
                        category_icon="fa-bullseye")
    appbuilder.add_api(CascadeApi)
    # Pertukaran BKN (issue 12 item 6): SKP and predikat export for BKN e-Kinerja, predikat import.
    from app.views.bkn import BknView

    appbuilder.add_view(BknView, "Pertukaran BKN", icon="fa-exchange-alt", category="SKP")

    # Scores, TPP, attendance and evaluations.
    from app.views.recap import RecapView

    appbuilder.add_view(RecapView, "Rekap Kinerja dan TPP", icon="fa-calculator", category=work)
    appbuilder.add_link("Hitung Ulang Rekap", href="/recapview/recompute/", icon="fa-sync", category=work)
    from app.views.attendance import AttendanceImportView, AttendanceView

    appbuilder.add_view(AttendanceView, "Data Kehadiran", icon="fa-calendar-day", category="Kehadiran",
                        category_icon="fa-user-check")
    appbuilder.add_view(AttendanceImportView, "Impor Kehadiran", icon="fa-file-import", category="Kehadiran")
    from app.views.evaluation import (
        DistributionReportView, EvaluationView, OrgPredikatView, SanctionView, TppRateView,
    )

    appbuilder.add_view(EvaluationView, "Penilaian Periodik", icon="fa-star-half-alt", category="Penilaian",
                        category_icon="fa-star")
    appbuilder.add_view(OrgPredikatView, "Predikat Organisasi", icon="fa-building", category="Penilaian")
    appbuilder.add_view(DistributionReportView, "Distribusi Predikat", icon="fa-chart-bar", category="Penilaian")
    appbuilder.add_view(TppRateView, "Tabel TPP per Kelas", icon="fa-money-bill", category="Pengaturan")
    appbuilder.add_view(SanctionView, "Hukuman Disiplin", icon="fa-gavel", category="Pengaturan")

    # Reports, master-data import and dashboards.
    from app.api.reports import ReportApi
    from app.views.reports import ReportView

    appbuilder.add_view(ReportView, "Unduh Laporan Excel", icon="fa-file-excel", category="Laporan",
                        category_icon="fa-file-alt")
    appbuilder.add_api(ReportApi)
    from app.views.master_import import MasterImportView

    appbuilder.add_view(MasterImportView, "Impor Data Induk", icon="fa-file-upload", category="Data Induk")
    from app.views.dashboard import DashboardView

    appbuilder.add_view(DashboardView, "Dasbor", icon="fa-chart-line", category="Laporan", category_icon="fa-file-alt")

    # Follow-up (tindak lanjut): rules, candidates and decisions, talent box, vacancies, potential.
    from app.api.followup import FollowupApi
    from app.views.followup import FollowupView, PotentialView, TalentBoxView, VacancyView

    followup = "Penilaian"  # tindak lanjut follows the evaluation: one menu, after a separator
    appbuilder.add_separator(followup)
    appbuilder.add_view(FollowupView, "Aturan dan Kandidat", icon="fa-award", category=followup)
    appbuilder.add_view(TalentBoxView, "Kotak Talenta", icon="fa-th", category=followup)
    appbuilder.add_view(VacancyView, "Kandidat Jabatan Lowong", icon="fa-user-plus", category=followup)
    appbuilder.add_view(PotentialView, "Nilai Potensi", icon="fa-chart-bar", category=followup)
    appbuilder.add_api(FollowupApi)

    current_app.jinja_env.globals["pending_decisions"] = pending_decisions

    # Notifications: the bell's page and the e-mail digest setting (no menu entry: the bell).
    from app.services.notifications import bell_count
    from app.views.notifications import NotificationView

    appbuilder.add_view_no_menu(NotificationView)
    current_app.jinja_env.globals["notification_count"] = bell_count
