"""Widgets shared by the panel's list pages (no app imports: app.auth uses them too)."""
from flask_appbuilder.widgets import ListWidget


class EkListWidget(ListWidget):
    """FAB's list with light rows: no <script> per row (widgets/ek_list.html), so 100 rows
    stay well under 150 KB of HTML."""

    template = "widgets/ek_list.html"
