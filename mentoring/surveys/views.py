"""The parent's survey page, the expert's QR code for it, and the coordinators' dashboard with CSV."""

import csv
import io
from datetime import date

from flask import Response, abort, current_app, render_template, request
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from mentoring.audit import audit
from mentoring.clock import today, zone
from mentoring.consultations import booking as booking_rules
from mentoring.consultations.services import expert_profile_of
from mentoring.extensions import db
from mentoring.forms import filled
from mentoring.i18n.languages import KNOWN_LANGUAGES
from mentoring.ratelimits import rate_limit
from mentoring.reference.choices import age_group_choices, district_names, referral_names
from mentoring.security import Role, public, role_required
from mentoring.surveys import bp, reports, services
from mentoring.surveys.charts import bar_chart
from mentoring.surveys.forms import DIMENSION_LABELS, DashboardForm, ResendForm, default_period, survey_form
from mentoring.surveys.questionnaire import QUESTIONS

SURVEY_PROBLEMS = {
    "unknown": _l("We do not know this link. Please check that you copied all of it."),
    "used": _l("This survey has already been answered. Thank you!"),
    "expired": _l("This survey link has expired. Thank you for your time anyway."),
}


@bp.route("/survey/<token>", methods=["GET", "POST"])
@rate_limit("SURVEY_RATE_LIMIT")
@public
def answer(token: str):
    try:
        services.open_invitation(token)
    except services.SurveyError as error:
        return render_template("surveys/closed.html", message=SURVEY_PROBLEMS[error.code]), 410
    form = survey_form()
    if form.validate_on_submit():
        try:
            services.submit(token, form.answers(), form.comment.data or "")
        except services.SurveyError as error:
            db.session.rollback()
            if error.code in SURVEY_PROBLEMS:
                return render_template("surveys/closed.html", message=SURVEY_PROBLEMS[error.code]), 410
            form.satisfaction.errors.append(_("Please check your answers."))
        else:
            db.session.commit()
            return render_template("surveys/thanks.html")
    db.session.rollback()  # the invitation row was locked for the check only
    return render_template("surveys/answer.html", form=form, questions=QUESTIONS), (
        422 if form.errors else 200
    )


@bp.route("/expert/bookings/<int:booking_id>/survey", methods=["GET", "POST"])
@rate_limit("SURVEY_RESEND_RATE_LIMIT")
@role_required(Role.EXPERT)
def survey_for_parent(booking_id: int):
    """The parent answers on their own phone: the expert never sees the link, nor whether or when the
    parent answered; they may send it once more to the parent's own phone or e-mail."""
    booking = booking_rules.get_expert_booking(expert_profile_of(current_user), booking_id)
    if booking is None:
        abort(404)
    form = ResendForm()
    sent = False
    if form.validate_on_submit():
        services.resend_for_booking(booking)
        audit("survey_resent", subject=booking.reference)
        db.session.commit()
        sent = True
    return render_template("surveys/for_parent.html", booking=booking, form=form, sent=sent)


# The coordinators' dashboard --------------------------------------------------------------------

COLUMN_LABELS = {
    "families": _l("Families reached"),
    "bookings": _l("Bookings made"),
    "attended": _l("Attended"),
    "no_show": _l("Did not come"),
    "cancelled": _l("Cancelled"),
    "requests": _l("Mentor requests"),
    "active": _l("Active mentorings"),
    "completed": _l("Completed mentorings"),
    "median_days": _l("Median days to a match"),
    "invitations": _l("Survey invitations"),
    "responses": _l("Survey responses"),
    "response_rate": _l("Response rate (%)"),
    "satisfaction": _l("Satisfaction (1–5)"),
    "language_ok": _l("Own language (1–5)"),
    "knows_help": _l("Knows where to find help (1–5)"),
    "booking_easy": _l("Booking was easy (1–5)"),
    "recommend": _l("Would recommend (1–5)"),
}
SERVICE_LABELS = {"consultation": _l("Consultation hours"), "mentoring": _l("Mentor parents")}


def key_labels(by: str, keys: list[str]) -> dict[str, str]:
    """Readable names for the row keys of a dimension; "" is "not given"."""
    labels: dict[str, str] = {reports.UNKNOWN: _("Not given"), "total": _("Total")}
    if by == "month":
        for key in keys:
            if len(key) == 7 and key[:4].isdigit() and key[5:].isdigit():
                labels[key] = format_date(date(int(key[:4]), int(key[5:]), 1), "MMMM y")
    elif by == "district":
        labels |= district_names()
    elif by == "language":
        labels |= {code: lang.native_name for code, lang in KNOWN_LANGUAGES.items()}
    elif by == "age_group":
        labels |= dict(age_group_choices("")[1:])
    elif by == "referral":
        labels |= referral_names()
    elif by == "service":
        labels |= {key: str(label) for key, label in SERVICE_LABELS.items()}
    return labels


def dashboard_tables(form: DashboardForm) -> tuple[reports.Table, reports.Table]:
    period = reports.Period(filled(form.date_from.data), filled(form.date_to.data))  # a validated form
    threshold = current_app.config["SUPPRESSION_THRESHOLD"]
    participation = reports.suppress(reports.participation(period, form.by.data, zone()), threshold)
    survey = reports.suppress(reports.survey_results(period, form.by.data), threshold)
    return participation, survey


def dashboard_form() -> DashboardForm:
    args = (
        request.args if request.args.get("date_from") or request.args.get("by") else default_period(today())
    )
    return DashboardForm(MultiDict(args))


@bp.get("/coordinator/dashboard")
@role_required(Role.COORDINATOR)
def dashboard():
    form = dashboard_form()
    if not form.validate():
        return render_template("surveys/dashboard.html", form=form, tables=None), 422
    participation, survey = dashboard_tables(form)
    labels = key_labels(form.by.data, [r.key for r in participation.rows + survey.rows])
    hidden = f"<{max(current_app.config['SUPPRESSION_THRESHOLD'], 5)}"
    charts = {
        "families": bar_chart(participation.rows, "families", labels, hidden),
        "bookings": bar_chart(participation.rows, "bookings", labels, hidden),
        "satisfaction": bar_chart(survey.rows, "satisfaction", labels, hidden, scale_max=5),
    }
    return render_template(
        "surveys/dashboard.html",
        form=form,
        tables={"participation": participation, "survey": survey},
        labels=labels,
        column_labels=COLUMN_LABELS,
        dimension_label=dict(DIMENSION_LABELS)[form.by.data],
        charts=charts,
        csv_args=request.args.to_dict() or default_period(today()),
        threshold=max(current_app.config["SUPPRESSION_THRESHOLD"], 5),
    )


def safe_cell(value: object) -> object:
    """Spreadsheets run cells that start with = + - @ as formulas; such text gets a leading quote."""
    if isinstance(value, str) and value[:1] in {"=", "+", "-", "@", "\t", "\r"}:
        return "'" + value
    return value


@bp.get("/coordinator/dashboard.csv")
@role_required(Role.COORDINATOR)
def dashboard_csv():
    """The same table as on the page, suppressed cells left empty; UTF-8 with a BOM for spreadsheets."""
    form = dashboard_form()
    if not form.validate() or request.args.get("table", "participation") not in {"participation", "survey"}:
        abort(400)
    participation, survey = dashboard_tables(form)
    table = survey if request.args.get("table") == "survey" else participation
    labels = key_labels(form.by.data, [r.key for r in table.rows])
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [str(dict(DIMENSION_LABELS)[form.by.data]), *(str(COLUMN_LABELS[c]) for c in table.columns)]
    )
    for row in [*table.rows, table.total]:
        cells = ["" if (value := reports.shown(row, c)) is None else value for c in table.columns]
        writer.writerow([safe_cell(labels.get(row.key, row.key)), *cells])
    name = f"{request.args.get('table', 'participation')}-{form.date_from.data}-{form.date_to.data}.csv"
    return Response(
        "\ufeff" + out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
