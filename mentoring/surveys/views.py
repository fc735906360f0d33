"""The parent's survey page, the expert's QR code for it, and the coordinators' dashboard with CSV."""

import csv
import io
from datetime import date

from flask import Response, abort, current_app, render_template, request
from flask_babel import format_date, format_percent
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from mentoring import keys
from mentoring.audit import audit
from mentoring.clock import today, zone
from mentoring.consultations import booking as booking_rules
from mentoring.consultations.services import expert_profile_of
from mentoring.extensions import db
from mentoring.forms import filled
from mentoring.i18n.languages import KNOWN_LANGUAGES
from mentoring.mentorships import qualification
from mentoring.ratelimits import rate_limit
from mentoring.reference.choices import age_group_choices, district_names, referral_names
from mentoring.security import Role, public, role_required
from mentoring.surveys import bp, cellkey, reports, services
from mentoring.surveys.charts import bar_chart
from mentoring.surveys.forms import DIMENSION_LABELS, DashboardForm, ResendForm, default_filters, survey_form
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
    "mentors": _l("Active mentor parents"),
    "former_mentees": _l("Of them, once mentees themselves"),
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


def quarter_label(quarter: str) -> str:
    return _("Quarter %(number)s, %(year)s", number=quarter[-1], year=quarter[:4])


def key_labels(by: str, keys: list[str]) -> dict[str, str]:
    """Readable names for the row keys of a dimension; "" is "not given", "*" merged."""
    labels: dict[str, str] = {
        reports.UNKNOWN: _("Not given"),
        reports.TOTAL: _("Total"),
        reports.MERGED: _("Merged with others (privacy)"),
    }
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


def cellkey_secret() -> bytes:
    return cellkey.secret_for(keys.derive("cell-key"))


def threshold() -> int:
    return max(current_app.config["SUPPRESSION_THRESHOLD"], 5)


def participation_table(form: DashboardForm) -> reports.Table:
    period = reports.Period.whole_months(filled(form.date_from.data), filled(form.date_to.data))
    table = reports.participation(period, form.by.data, zone(), cellkey_secret())
    return reports.suppress(table, threshold())


def survey_table(form: DashboardForm) -> reports.Table | None:
    """The survey results of the chosen sealed quarter; None while no quarter is sealed."""
    if not form.quarter.data:
        return None
    results = reports.survey_results(form.quarter.data, form.survey_by.data, cellkey_secret(), threshold())
    return reports.suppress(results, threshold())


def dashboard_form() -> DashboardForm:
    """The filters, each missing one at its default; the quarters offered are the sealed ones."""
    quarters = reports.sealed_quarters()
    args = MultiDict(default_filters(today(), quarters[0] if quarters else None))
    for name in list(args):
        if name in request.args:
            args[name] = request.args[name]
    form = DashboardForm(args)
    form.set_quarters([(quarter, quarter_label(quarter)) for quarter in quarters])
    return form


def months_label(form: DashboardForm) -> str:
    first, last = reports.Period.whole_months(filled(form.date_from.data), filled(form.date_to.data)).months
    return first if first == last else f"{first} – {last}"


@bp.get("/coordinator/dashboard")
@role_required(Role.COORDINATOR)
def dashboard():
    form = dashboard_form()
    if not form.validate():
        return render_template("surveys/dashboard.html", form=form, tables=None), 422
    participation, survey = participation_table(form), survey_table(form)
    labels = key_labels(form.by.data, [r.key for r in participation.rows])
    survey_labels = key_labels(form.survey_by.data, [r.key for r in survey.rows]) if survey else {}
    hidden = f"<{threshold()}"
    charts = {
        "families": bar_chart(participation.rows, "families", labels, hidden),
        "bookings": bar_chart(participation.rows, "bookings", labels, hidden),
    }
    if survey:
        # A chart's labels are cut at 22 characters: the merged row gets a short name there.
        short = survey_labels | {reports.MERGED: _("Merged")}
        charts["satisfaction"] = bar_chart(survey.rows, "satisfaction", short, hidden, scale_max=5)
    dimension_labels = dict(DIMENSION_LABELS)
    share = reports.trained_share(*qualification.trained_counts(today()), threshold())
    return render_template(
        "surveys/dashboard.html",
        form=form,
        tables={
            "participation": participation,
            "survey": survey,
            "pathway": reports.suppress(reports.mentor_pathway(cellkey_secret()), threshold()),
        },
        labels=labels,
        survey_labels=survey_labels,
        column_labels=COLUMN_LABELS,
        dimension_label=dimension_labels[form.by.data],
        survey_dimension_label=dimension_labels[form.survey_by.data],
        quarter=quarter_label(form.quarter.data) if survey else None,
        months=months_label(form),
        charts=charts,
        csv_args={name: form[name].data for name in ("by", "quarter", "survey_by")}
        | {
            "date_from": filled(form.date_from.data).isoformat(),
            "date_to": filled(form.date_to.data).isoformat(),
        },
        threshold=threshold(),
        trained_share=format_percent(share / 100) if share is not None else None,
        answer_hours=reports.shown(
            reports.suppress(reports.concern_answer_table(), threshold()).total, "answer_hours"
        ),
        max_count_noise=cellkey.MAX_COUNT_NOISE,
        max_mean_noise=cellkey.MAX_MEAN_NOISE,
    )


def safe_cell(value: object) -> object:
    """Spreadsheets run cells that start with = + - @ as formulas; such text gets a leading quote."""
    if isinstance(value, str) and value[:1] in {"=", "+", "-", "@", "\t", "\r"}:
        return "'" + value
    return value


@bp.get("/coordinator/dashboard.csv")
@role_required(Role.COORDINATOR)
def dashboard_csv():
    """The same table as on the page, suppressed cells left empty; UTF-8 with a BOM for spreadsheets.
    Participation by whole months; the survey for one sealed quarter (404 while none is)."""
    form = dashboard_form()
    kind = request.args.get("table", "participation")
    if not form.validate() or kind not in {"participation", "survey"}:
        abort(400)
    if kind == "survey":
        table = survey_table(form)
        if table is None:
            abort(404)
        by, period = form.survey_by.data, form.quarter.data
    else:
        table, by = participation_table(form), form.by.data
        first, last = reports.Period.whole_months(
            filled(form.date_from.data), filled(form.date_to.data)
        ).months
        period = f"{first}-{last}"
    labels = key_labels(by, [r.key for r in table.rows])
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([str(dict(DIMENSION_LABELS)[by]), *(str(COLUMN_LABELS[c]) for c in table.columns)])
    for row in [*table.rows, table.total]:
        cells = ["" if (value := reports.shown(row, c)) is None else value for c in table.columns]
        writer.writerow([safe_cell(labels.get(row.key, row.key)), *cells])
    return Response(
        "\ufeff" + out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{kind}-{period}.csv"'},
    )
