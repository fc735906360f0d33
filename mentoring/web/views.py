from flask import render_template

from mentoring.reference.settings import office_contact
from mentoring.security import public
from mentoring.web import bp


@bp.get("/")
@public
def start():
    return render_template("web/start.html")


@bp.get("/privacy")
@public
def privacy():
    return render_template("web/privacy.html", office=office_contact())


@bp.get("/imprint")
@public
def imprint():
    return render_template("web/imprint.html", office=office_contact())


@bp.get("/health")
@public
def health():
    """Liveness: 200 while the process answers (systemd, the proxy). Readiness is `/ready` (ops)."""
    return {"status": "ok"}
