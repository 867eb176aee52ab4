"""e-Kinerja Kota Malang. `create_app()` only wires the pieces together."""
from __future__ import annotations

import logging

from flask import Flask
from flask_appbuilder import AppBuilder

from app import api_messages, api_speed
from app.extensions import configure_engine, csrf, db, mail, migrate


def create_app(config: object | str = "config.Config") -> Flask:
    app = Flask(__name__)
    app.config.from_object(config)
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=logging.INFO)

    from app import models  # noqa: F401  (registers every table in the metadata)
    from app.services import audit, organisation

    db.init_app(app)
    migrate.init_app(app, db, directory=app.config["MIGRATIONS_DIR"], render_as_batch=True)
    mail.init_app(app)
    csrf.init_app(app)  # before the views: FAB exempts its API blueprints from it
    audit.register_listeners()
    organisation.register_listeners()

    api_messages.install()  # before FAB builds its API schemas
    api_speed.install()  # FAB's Rison schema checked once per process, not per request
    with app.app_context():
        configure_engine(db.engine)
        appbuilder = AppBuilder(update_perms=False)
        appbuilder.init_app(app, db.session)
        from app.views import register_views

        register_views(appbuilder)
        appbuilder.post_init()

    from app import cli, errors, headers, i18n, static_assets

    static_assets.register(app)  # compression, fingerprinted static URLs, manifest and icon
    cli.register(app)
    errors.register(app)
    api_messages.register(app)
    headers.register(app)
    i18n.register(app)
    return app
