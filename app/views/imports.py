"""The upload → preview → confirm flow shared by the attendance and master-data imports.

A subclass names its entity, its upload store, its upload form (and confirmation form when it
carries more than the token) and maximum size, and says how to preview,
what to keep with the stored upload, how to import and where to go afterwards; the flow
(size check, refusals logged, all-or-nothing import, the stored file discarded) is here once.

A request body above Flask's MAX_CONTENT_LENGTH is refused by Werkzeug before the form is
read (413); the blueprint of every import page answers it with the upload form and the
reason next to the file field, in Indonesian.
"""
from __future__ import annotations

import os

from flask import current_app, flash, g, redirect, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.exceptions import RequestEntityTooLarge
from wtforms import HiddenField
from wtforms.validators import DataRequired

from app.extensions import db
from app.imports.common import format_size
from app.security import log_refusal
from app.services import Conflict, Forbidden, ServiceError, ValidationFailed
from app.services.activities import current_actor


class ConfirmForm(FlaskForm):
    """The confirmation of a stored upload: its token only."""

    token = HiddenField(validators=[DataRequired()])


class ImportFlowView(BaseView):
    default_view = "index"
    entity = ""
    default_filename = "berkas"
    uploads = None  # app.imports.common.UploadStore
    service = None  # module with ImportRefused
    upload_form = None  # FlaskForm class with a `file` field (and what the preview needs)
    confirm_form = ConfirmForm  # a subclass of ConfirmForm when the confirmation carries more

    # -- what a subclass provides
    def _max_bytes(self) -> int:
        raise NotImplementedError

    def _blank_form(self):
        """The upload form without request data (the page, and shown again with a 413 message)."""
        return self.upload_form(formdata=None)

    def _upload_form(self):
        return self.upload_form()

    def _confirm_form(self):
        return self.confirm_form()

    def _blank_confirm_form(self, token, **data):
        """The confirmation form of the preview page."""
        return self.confirm_form(formdata=None, token=token, **data)

    def _confirm_options(self, form, meta: dict) -> dict:
        """What the confirmation must carry besides the token, merged into `meta` for
        `_import`; raise ValidationFailed when it is missing or does not match."""
        return {}

    def _preview_stored(self, meta: dict, data: bytes, actor, token: str):
        """The preview page of a stored upload again (after a refused confirmation), or None."""
        return None

    def _render_form(self, form):
        raise NotImplementedError

    def _render_preview(self, preview, token=None):
        raise NotImplementedError

    def _preview(self, form, filename: str, data: bytes, actor):
        """The preview of the uploaded file (may raise Forbidden / ValidationFailed)."""
        raise NotImplementedError

    def _upload_meta(self, form, filename: str) -> dict:
        """What to keep with the stored upload for the confirm step."""
        raise NotImplementedError

    def _import(self, meta: dict, data: bytes, actor):
        raise NotImplementedError

    def _done(self, result):
        """Flash the result and return the redirect after a successful import."""
        raise NotImplementedError

    # -- the flow
    @expose("/")
    @has_access
    def index(self):
        return self._render_form(self._blank_form())

    def create_blueprint(self, appbuilder, endpoint=None, static_folder=None):
        blueprint = super().create_blueprint(appbuilder, endpoint=endpoint, static_folder=static_folder)
        blueprint.register_error_handler(RequestEntityTooLarge, self._too_large)
        return blueprint

    def _too_large(self, err):
        limit = current_app.config.get("MAX_CONTENT_LENGTH") or self._max_bytes()
        message = f"Berkas terlalu besar: unggahan paling besar {format_size(limit)}. Bagi data menjadi beberapa berkas."
        if not current_user.is_authenticated:  # the form is for logged-in importers only
            return message, 413
        if "user" not in g:  # refused by the CSRF check, before Flask-AppBuilder's before_request
            g.user = current_user
        form = self._blank_form()
        form.file.errors = [message]
        return self._render_form(form), 413

    @expose("/upload", methods=["POST"])
    @has_access
    def upload(self):
        form = self._upload_form()
        if not form.validate():
            return self._render_form(form)
        storage = form.file.data
        data = storage.stream.read(self._max_bytes() + 1)
        if len(data) > self._max_bytes():
            form.file.errors = [f"Berkas terlalu besar (paling besar {self._max_bytes() // (1024 * 1024)} MB)."]
            return self._render_form(form)
        filename = os.path.basename((storage.filename or self.default_filename).replace("\\", "/"))[:255]
        actor = current_actor()
        try:
            preview = self._preview(form, filename, data, actor)
        except Forbidden as err:
            log_refusal(403, self.entity, None, err.message)
            flash(err.message, "danger")
            return redirect(url_for(".index"))
        except ValidationFailed as err:
            for messages in err.errors.values():
                for m in messages:
                    flash(m, "danger")
            return self._render_form(form)
        token = self.uploads.store(actor.user_id, self._upload_meta(form, filename), data) if preview.ok else None
        return self._render_preview(preview, token)

    @expose("/confirm", methods=["POST"])
    @has_access
    def confirm(self):
        form = self._confirm_form()
        actor = current_actor()
        stored = self.uploads.load(actor.user_id, form.token.data) if form.validate() else None
        if stored is None:
            flash("Unggahan tidak ditemukan atau sudah kedaluwarsa. Unggah ulang berkasnya.", "warning")
            return redirect(url_for(".index"))
        meta, data = stored
        try:
            result = self._import({**meta, **self._confirm_options(form, meta)}, data, actor)
            db.session.commit()
        except self.service.ImportRefused as err:
            db.session.rollback()
            self.uploads.discard(actor.user_id, form.token.data)
            flash("Berkas tidak lagi lolos pemeriksaan; tidak ada data yang diimpor.", "danger")
            return self._render_preview(err.preview)
        except Forbidden as err:
            db.session.rollback()
            log_refusal(403, self.entity, None, err.message)
            flash(err.message, "danger")
            return redirect(url_for(".index"))
        except (ValidationFailed, Conflict) as err:
            # a choice the confirmation did not carry, or data changed since the preview: the
            # upload stays, and the page shows the preview as it is now
            db.session.rollback()
            for messages in (err.errors.values() if isinstance(err, ValidationFailed) else [[err.message]]):
                for m in messages:
                    flash(m, "danger")
            page = self._preview_stored(meta, data, actor, form.token.data)
            return page if page is not None else redirect(url_for(".index"))
        except ServiceError as err:
            db.session.rollback()
            flash(err.message, "danger")
            return redirect(url_for(".index"))
        self.uploads.discard(actor.user_id, form.token.data)
        return self._done(result)
