from flask import render_template
from sqlalchemy import text

from mentoring.extensions import db
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
    """For the load balancer: 200 when the database answers, 503 otherwise."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any database failure means: take this instance out
        db.session.rollback()
        return {"status": "unavailable"}, 503
    return {"status": "ok"}
