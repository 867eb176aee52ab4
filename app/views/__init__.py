"""Menu and view registration."""


def register_views(appbuilder) -> None:
    from app.api.masterdata import ActivityCatalogApi, EmployeeApi, PositionApi, UnitApi
    from app.views.masterdata import (
        ActivityCatalogView, AuditLogView, EmployeeView, HolidayView, PeriodView, PositionView,
        SuperiorOverrideView, UnitView,
    )

    cat = "Data Induk"
    appbuilder.add_view(UnitView, "Unit Kerja", icon="fa-sitemap", category=cat, category_icon="fa-database")
    appbuilder.add_view(PositionView, "Jabatan", icon="fa-id-badge", category=cat)
    appbuilder.add_view(EmployeeView, "Pegawai", icon="fa-users", category=cat)
    appbuilder.add_view(SuperiorOverrideView, "Atasan Pengganti", icon="fa-user-clock", category=cat)
    appbuilder.add_view(ActivityCatalogView, "Katalog Uraian Tugas", icon="fa-list", category=cat)
    appbuilder.add_view(HolidayView, "Hari Libur", icon="fa-calendar", category=cat)
    appbuilder.add_view(PeriodView, "Periode", icon="fa-calendar-check", category=cat)
    appbuilder.add_view(AuditLogView, "Log Audit", icon="fa-clipboard-list", category="Audit",
                        category_icon="fa-shield-alt")
    for api in (UnitApi, PositionApi, EmployeeApi, ActivityCatalogApi):
        appbuilder.add_api(api)
