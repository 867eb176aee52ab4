"""Pertukaran BKN (issue 12 item 6): export of the SKP and periodic predikat for upload to BKN
e-Kinerja, and the import of predikat from a BKN e-Kinerja export (upload -> preview ->
all-or-nothing confirm, app.views.imports.ImportFlowView). Thin: app.services.bkn decides."""
from __future__ import annotations

from flask import current_app, flash, redirect, request, send_file, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.security.decorators import permission_name
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired

from app.domain import bkn as dom
from app.domain import predikat as PR
from app.imports.bkn import COLUMNS
from app.imports.common import PREVIEW_FIRST_ROWS, UploadStore, preview_slice
from app.reports.common import XLSX_MIMETYPE
from app.security import refuse
from app.services import Forbidden, NotFound, ValidationFailed
from app.services import bkn as svc
from app.services.activities import current_actor
from app.views.imports import ImportFlowView

UPLOADS = UploadStore("MASTER_UPLOAD_FOLDER", "bkn_uploads")
MAX_BYTES_DEFAULT = 5 * 1024 * 1024


class UploadForm(FlaskForm):
    file = FileField("Berkas ekspor BKN e-Kinerja (.xlsx)",
                     validators=[FileRequired(message="Pilih berkas ekspor BKN e-Kinerja yang akan diunggah.")])


class BknView(ImportFlowView):
    route_base = "/pertukaran-bkn"
    entity = "BknPredikat"
    default_filename = "ekspor-bkn"
    uploads = UPLOADS
    service = svc
    upload_form = UploadForm

    def _max_bytes(self) -> int:
        return int(current_app.config.get("BKN_IMPORT_MAX_BYTES", MAX_BYTES_DEFAULT))

    def _year(self) -> int:
        try:
            return svc.parse_year(request.args.get("tahun"))
        except ValidationFailed:
            return svc.parse_year(None)

    def _page(self, form=None, status=200):
        actor = current_actor()
        if not svc.can_export(actor):
            refuse(403, self.entity, None, svc.MSG_NO_EXPORT)
        year = self._year()
        return self.render_template(
            "bkn/index.html", year=year, opds=svc.opd_choices(actor), city_wide=svc._city_wide(),
            can_import=svc.can_import(actor), form=form or self._blank_form(), columns=COLUMNS,
            skp_columns=svc.SKP_COLUMNS, predikat_columns=svc.PREDIKAT_COLUMNS, accepted=dom.ACCEPTED,
            rows=svc.stored_predikat(actor, year), predikat_labels=PR.PREDIKAT_LABELS,
            max_mb=self._max_bytes() // (1024 * 1024)), status

    @expose("/")
    @has_access
    def index(self):
        return self._page()

    @expose("/ekspor")
    @has_access
    @permission_name("export")
    def export(self):
        try:
            out, name = svc.export_xlsx(current_actor(), request.args.get("tahun"), request.args.get("opd"))
        except (Forbidden, NotFound) as err:
            refuse(err.status, self.entity, None, err.message)
        except ValidationFailed as err:
            for msgs in err.errors.values():
                for m in msgs:
                    flash(m, "danger")
            return redirect(url_for(".index"))
        from app.extensions import db

        db.session.commit()  # the export's audit row
        return send_file(out, mimetype=XLSX_MIMETYPE, as_attachment=True, download_name=name)

    # -- the import flow (app.views.imports.ImportFlowView)
    def _render_form(self, form):
        return self._page(form)[0]

    def _render_preview(self, preview, token=None):
        shown, hidden_rows, hidden_errors = preview_slice(preview.rows())
        return self.render_template(
            "bkn/preview.html", preview=preview, counts=preview.counts, rows=shown, hidden_rows=hidden_rows,
            hidden_errors=hidden_errors, first_rows=PREVIEW_FIRST_ROWS, action_labels=svc.ACTION_LABELS,
            token=token if preview.ok else None, confirm_form=self._blank_confirm_form(token))

    def _preview(self, form, filename, data, actor):
        return svc.preview_import(filename, data, actor)

    def _upload_meta(self, form, filename):
        return {"filename": filename}

    def _import(self, meta, data, actor):
        return svc.import_predikat(meta["filename"], data, actor)

    def _done(self, result):
        flash(f"Predikat BKN e-Kinerja diimpor ({result['baru']} baru, {result['ubah']} diubah, "
              f"{result['tetap']} tetap).", "success")
        return redirect(url_for(".index"))
