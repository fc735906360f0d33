"""Values and filters every template may use."""

from urllib.parse import urlencode

from flask import Flask, current_app, has_request_context, request
from flask_babel import format_date, format_datetime
from flask_login import current_user

from mentoring.qr import qr_svg
from mentoring.security import Role, role_label


def register_template_helpers(app: Flask) -> None:
    @app.context_processor
    def site_context() -> dict:
        return {
            "municipality_name": current_app.config["MUNICIPALITY_NAME"],
            "programme_name": current_app.config["PROGRAMME_NAME"],
            "Role": Role,
            "current_user": current_user,
            "switcher_next": path_without_lang(),
            "imprint_address": current_app.config["IMPRINT_ADDRESS"],
            "role_label": role_label,
        }

    app.jinja_env.globals["qr_svg"] = qr_svg
    app.jinja_env.filters["datetime"] = format_datetime
    app.jinja_env.filters["date"] = format_date
    app.jinja_env.add_extension("jinja2.ext.do")


def path_without_lang() -> str:
    """Where the language switcher returns to: this page, minus an explicit ?lang=."""
    if not has_request_context():  # e-mails are rendered by the outbox worker
        return "/"
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
    return request.path + (f"?{urlencode(args)}" if args else "")
