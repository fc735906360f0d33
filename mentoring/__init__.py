"""The platform: mentor parents and consultation hours for municipal prevention programmes."""

import importlib.util
import sys
from importlib import import_module
from types import ModuleType
from typing import Any

from flask import Flask
from werkzeug.routing import IntegerConverter

from mentoring import paths

ROOT = paths.root()

# The modules that declare routes and commands, named here rather than imported by each domain's
# __init__ (which holds only its blueprint and seams), so no package and its views import each other.
ROUTE_MODULES = (
    "mentoring.web.views",
    "mentoring.web.settings_views",
    "mentoring.web.interpreter_views",
    "mentoring.web.cli",
    "mentoring.accounts.views",
    "mentoring.i18n.views",
    "mentoring.consultations.views",
    "mentoring.consultations.expert_views",
    "mentoring.consultations.interpreter_views",
    "mentoring.consultations.topic_views",
    "mentoring.consultations.waitlist_views",
    "mentoring.api.views",
    "mentoring.mentorships.views",
    "mentoring.mentorships.mentor_views",
    "mentoring.mentorships.group_views",
    "mentoring.mentorships.coordinator_views",
    "mentoring.mentorships.learning_views",
    "mentoring.mentorships.concern_views",
    "mentoring.surveys.views",
    "mentoring.surveys.comment_views",
    "mentoring.offers.views",
    "mentoring.privacy.views",
)


def config_module() -> ModuleType:
    """The top-level `config.py`: imported from the checkout, or loaded from the installed wheel."""
    if not paths.installed():
        if str(paths.CHECKOUT) not in sys.path:  # e.g. the `mentoring` command run from elsewhere
            sys.path.append(str(paths.CHECKOUT))
        import config

        return config
    if "config" in sys.modules and getattr(sys.modules["config"], "__file__", None) == str(
        paths.BUNDLE / "config.py"
    ):
        return sys.modules["config"]
    spec = importlib.util.spec_from_file_location("config", paths.BUNDLE / "config.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["config"] = module
    spec.loader.exec_module(module)
    return module


def load_config(app: Flask, config: str | type | None, overrides: dict[str, Any] | None) -> None:
    CONFIGS = config_module().CONFIGS

    # No name means production: a forgotten MENTORING_ENV must never start the demo's settings.
    config_class = CONFIGS[config or "production"] if not isinstance(config, type) else config
    app.config.from_object(config_class)
    if overrides:
        app.config.update(overrides)
    finalise = getattr(config_class, "finalise", None)
    if finalise is not None:  # fills in (development's own key) or refuses to start (production)
        finalise(app.config)


class DatabaseIntConverter(IntegerConverter):
    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


def create_app(config: str | type | None = None, overrides: dict[str, Any] | None = None) -> Flask:
    """Build the app: config → extensions → blueprints → CLI → error pages."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(paths.instance()),
    )
    load_config(app, config, overrides)
    # An id in a URL is a database integer: a larger number is "not found", not a database error.
    app.url_map.converters["int"] = DatabaseIntConverter
    if app.config["TRUSTED_PROXY_COUNT"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        count = app.config["TRUSTED_PROXY_COUNT"]
        # Flask's documented way to add WSGI middleware; mypy refuses any assignment to a method.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)  # type: ignore[method-assign]

    from mentoring.accounts.sessions import check_session, load_user
    from mentoring.extensions import babel, csrf, db, login_manager, migrate
    from mentoring.i18n.locale import init_i18n, select_locale, select_timezone
    from mentoring.ratelimits import init_rate_limits
    from mentoring.security import init_security

    db.init_app(app)
    with app.app_context():
        from mentoring.db import tune_sqlite

        tune_sqlite(db.engine)  # connects lazily: no I/O here
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    init_i18n(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = None  # the login page itself says what to do
    login_manager.session_protection = None  # server-side sessions instead (accounts.sessions)
    login_manager.user_loader(load_user)
    app.before_request(check_session)  # before the access check, which asks who is logged in
    init_security(app)

    from mentoring import (  # noqa: F401  (models: every table, for Alembic and the app)
        accounts,
        api,
        consultations,
        i18n,
        mentorships,
        models,
        offers,
        privacy,
        surveys,
        web,
    )

    for module in ROUTE_MODULES:  # each declares its routes on its domain's blueprint
        import_module(module)
    from mentoring.accounts.cli import users_cli
    from mentoring.consultations.cli import consultations_cli
    from mentoring.i18n.cli import i18n_cli
    from mentoring.mentorships.cli import mentoring_cli
    from mentoring.notifications.cli import outbox_cli
    from mentoring.privacy.cli import retention_cli
    from mentoring.surveys.cli import surveys_cli
    from mentoring.web.context import register_template_helpers
    from mentoring.web.errors import register_error_pages
    from mentoring.web.static_files import init_static_files
    from mentoring.worker import worker_command

    app.register_blueprint(web.bp)
    app.register_blueprint(accounts.bp)
    app.register_blueprint(i18n.bp)
    app.register_blueprint(consultations.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(mentorships.bp)
    app.register_blueprint(surveys.bp)
    app.register_blueprint(offers.bp)
    app.register_blueprint(privacy.bp)
    app.cli.add_command(users_cli)
    app.cli.add_command(consultations_cli)
    app.cli.add_command(outbox_cli)
    app.cli.add_command(i18n_cli)
    app.cli.add_command(mentoring_cli)
    app.cli.add_command(surveys_cli)
    app.cli.add_command(retention_cli)
    app.cli.add_command(worker_command)
    register_template_helpers(app)
    init_static_files(app)
    init_rate_limits(app)  # after the blueprints: it wraps the views that declare limits
    register_error_pages(app)
    from mentoring.ops import init_ops

    init_ops(app)  # /ready, /metrics, request metrics and (LOG_FORMAT=json) JSON logs
    if app.config.get("LOOPBACK_ONLY"):
        app.before_request(refuse_other_machines)
    return app


def refuse_other_machines() -> None:
    """The demo (known logins, seeded data) answers only this machine unless DEV_ALLOW_REMOTE=1."""
    from flask import abort, request

    if request.remote_addr not in config_module().LOOPBACK_ADDRESSES:
        abort(403)
