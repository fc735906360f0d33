"""Parents see, download and delete their data; coordinators read the audit log."""

import json

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.security import check_password_hash

from mentoring.accounts import services as accounts
from mentoring.accounts.sessions import sign_out
from mentoring.audit import AUDIT_ACTIONS, audit_entries
from mentoring.clock import utcnow
from mentoring.consultations import booking as booking_rules
from mentoring.extensions import db
from mentoring.forms import BaseForm
from mentoring.privacy import bp, services
from mentoring.privacy.forms import DeleteAccountForm
from mentoring.ratelimits import rate_limit
from mentoring.security import Role, login_required, public, role_required, security_log


def json_download(data: dict, name: str) -> Response:
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{name}.json"', "Cache-Control": "no-store"},
    )


@bp.get("/account/data")
@login_required
def my_data():
    form = DeleteAccountForm(formdata=None) if current_user.role == Role.PARENT else None
    return render_template("privacy/my_data.html", data=services.user_data(current_user), form=form)


@bp.get("/account/data.json")
@login_required
def my_data_json():
    return json_download(services.user_data(current_user), "my-data")


@bp.post("/account/delete")
@rate_limit("LOGIN_RATE_LIMIT")
@role_required(Role.PARENT)
def delete_account():
    form = DeleteAccountForm()
    valid = form.validate_on_submit()
    if valid and not check_password_hash(current_user.password_hash, form.password.data):
        form.password.errors.append(_("This is not your password."))
        valid = False
    if not valid:
        return render_template("privacy/my_data.html", data=services.user_data(current_user), form=form), 422
    username = current_user.username
    services.forget_parent(current_user, utcnow())
    accounts.end_sessions(current_user)  # every browser of the account, not only this one
    sign_out()
    db.session.commit()
    security_log("account_deleted", username)
    flash(_("Your account and your details are deleted."), "success")
    return redirect(url_for("web.start"), 303)


@bp.get("/booking/<token>/data.json")
@public
def booking_data_json(token: str):
    booking = booking_rules.get_own_booking(token) or abort(404)
    return json_download(services.booking_data(booking), f"booking-{booking.reference}")


@bp.route("/booking/<token>/delete", methods=["GET", "POST"])
@public
def delete_booking(token: str):
    """Without an account: the booking's private link leads here; one button deletes the details."""
    booking = booking_rules.get_own_booking(token) or abort(404)
    if booking.anonymised_at is not None:
        return render_template("privacy/booking_deleted.html")
    if request.method == "POST":
        if not BaseForm().validate_on_submit():
            abort(400)
        services.forget_booking(booking, utcnow())
        db.session.commit()
        return render_template("privacy/booking_deleted.html")
    return render_template("privacy/delete_booking.html", booking=booking, token=token)


@bp.get("/coordinator/audit")
@role_required(Role.COORDINATOR)
def audit_log():
    return render_template("privacy/audit.html", entries=audit_entries(), action_labels=AUDIT_ACTIONS)
