"""Parents' comments for the programme office, and the public "You said, we did" page."""

import csv
import io

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from mentoring.audit import audit
from mentoring.extensions import db
from mentoring.i18n.languages import KNOWN_LANGUAGES
from mentoring.reference.choices import age_group_choices, district_names
from mentoring.security import Role, public, query_values, role_required
from mentoring.surveys import bp, changes, comments
from mentoring.surveys.changes import REQUIRED_LOCALE, ChangeEntry
from mentoring.surveys.comment_forms import TRANSLATED, ChangeForm, CommentStateForm, DeleteForm
from mentoring.surveys.kanon import ALL
from mentoring.surveys.models import CommentStatus, SurveyResponse
from mentoring.surveys.redaction import Placeholders, redact


@bp.app_context_processor
def backlog_context() -> dict:
    # A callable, so only the page that shows the count runs its one statement.
    return {"comment_backlog": comments.comment_backlog}


# Parents' comments --------------------------------------------------------------------------------


def placeholders() -> Placeholders:
    return Placeholders(name=_("[name]"), phone=_("[phone]"), email=_("[e-mail]"))


def context_labels() -> dict[str, dict[str, str]]:
    return {
        "service": {"consultation": _("Consultation hours"), "mentoring": _("Mentor parents")},
        "locale": {code: lang.native_name for code, lang in KNOWN_LANGUAGES.items()},
        "district": district_names(),
        "age_group": dict(age_group_choices("")[1:]),
    }


def quarter_label(period: str) -> str:
    year, _sep, quarter = period.partition("-Q")
    return _("Q%(number)s %(year)s", number=quarter, year=year)


def context_text(field: str, value: str | None, labels: dict[str, dict[str, str]]) -> str:
    if value == ALL:
        return _("all, merged for privacy")
    if not value:
        return _("Not given")
    return labels[field].get(value, value)


def chosen_filter() -> comments.CommentFilter:
    """From the query string; unknown values are dropped rather than an error."""
    status = request.args.get("status", "")
    theme = request.args.get("theme", "")
    return comments.CommentFilter(
        status=CommentStatus(status) if status in CommentStatus.__members__.values() else None,
        theme=theme if theme in comments.THEMES or theme == comments.NO_THEME else None,
    )


def state_form(response: SurveyResponse) -> CommentStateForm:
    return CommentStateForm(
        formdata=None,
        data={"status": response.comment_status.value, "theme": response.comment_theme or ""},
    )


def render_comments(failed: tuple[str, CommentStateForm] | None = None):
    chosen = chosen_filter()
    asked = request.args.get("page", "1")
    found = comments.comment_page(chosen, int(asked) if asked.isdigit() and len(asked) < 7 else 1)
    names = comments.known_names()
    shown = placeholders()
    forms = {response.id: state_form(response) for response in found.comments}
    if failed is not None:
        forms[failed[0]] = failed[1]
    args = query_values(request.args, drop=frozenset({"page", "lang"}))
    return render_template(
        "surveys/comments.html",
        found=found,
        texts={response.id: redact(response.comment, names, shown) for response in found.comments},
        forms=forms,
        failed=failed[0] if failed else None,
        chosen=chosen,
        themes=comments.THEMES,
        no_theme=comments.NO_THEME,
        statuses=comments.STATUS_LABELS,
        labels=context_labels(),
        quarter_label=quarter_label,
        context_text=context_text,
        args=args,
        next_url=url_for(".comments", page=found.page + 1, **args) if found.page < found.pages else None,
        previous_url=url_for(".comments", page=found.page - 1, **args) if found.page > 1 else None,
    ), (422 if failed else 200)


@bp.get("/coordinator/survey-comments", endpoint="comments")
@role_required(Role.COORDINATOR)
def comments_page():
    chosen = chosen_filter()
    audit("comments_viewed", detail=f"status={chosen.status or ''} theme={chosen.theme or ''}")
    db.session.commit()  # first: a commit expires what was loaded before it
    return render_comments()


@bp.post("/coordinator/survey-comments/<response_id>")
@role_required(Role.COORDINATOR)
def mark_comment(response_id: str):
    response = comments.get_comment(response_id)
    if response is None:
        abort(404)
    form = CommentStateForm()
    if not form.validate_on_submit():
        db.session.rollback()
        return render_comments((response.id, form))
    comments.mark(response, CommentStatus(form.status.data), form.theme.data or None)
    audit("comment_marked", f"comment:{response.id}", f"status={form.status.data} theme={form.theme.data}")
    db.session.commit()
    flash(_("Saved."), "success")
    return redirect(url_for(".comments", _anchor=f"comment-{response_id}", **query_values(request.args)), 303)


def safe_cell(value: str) -> str:
    """Spreadsheets run cells that start with = + - @ as formulas; such text gets a leading quote."""
    return "'" + value if value[:1] in {"=", "+", "-", "@", "\t", "\r"} else value


@bp.get("/coordinator/survey-comments.csv")
@role_required(Role.COORDINATOR)
def comments_csv():
    """The filtered comments, redacted as on the page; UTF-8 with a BOM for spreadsheets."""
    chosen = chosen_filter()
    found = comments.all_comments(chosen)
    audit("comments_exported", detail=f"status={chosen.status or ''} theme={chosen.theme or ''}")
    db.session.commit()
    names, shown, labels = comments.known_names(), placeholders(), context_labels()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            _("Quarter"),
            _("Service"),
            _("Language"),
            _("District"),
            _("Age of the child"),
            _("Theme"),
            _("Status"),
            _("Comment"),
        ]
    )
    for response in found:
        theme = comments.THEMES.get(response.comment_theme or "", "")
        writer.writerow(
            [
                quarter_label(response.period),
                context_text("service", response.service, labels),
                context_text("locale", response.locale, labels),
                context_text("district", response.district, labels),
                context_text("age_group", response.age_group, labels),
                str(theme),
                str(comments.STATUS_LABELS[response.comment_status]),
                safe_cell(redact(response.comment, names, shown)),
            ]
        )
    return Response(
        "\ufeff" + out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="parent-comments.csv"'},
    )


# You said, we did ------------------------------------------------------------------------------------


@bp.get("/you-said-we-did")
@public
def you_said_we_did():
    entries = changes.list_entries()
    locale = str(get_locale())
    return render_template(
        "surveys/you_said_we_did.html",
        entries=entries,
        locale=locale,
        written=changes.written_locales(entries),
        languages=KNOWN_LANGUAGES,
    )


@bp.get("/coordinator/you-said-we-did")
@role_required(Role.COORDINATOR)
def manage_changes():
    return render_template("surveys/changes.html", entries=changes.list_entries(), languages=KNOWN_LANGUAGES)


def change_form_for(entry: ChangeEntry | None) -> ChangeForm:
    if request.method == "POST" or entry is None:
        return ChangeForm()
    data: dict[str, object] = {"done_on": entry.done_on}
    for text in entry.texts:
        data |= {f"title_{text.locale}": text.title, f"body_{text.locale}": text.body}
    return ChangeForm(formdata=None, data=data)


@bp.route("/coordinator/you-said-we-did/new", methods=["GET", "POST"])
@bp.route("/coordinator/you-said-we-did/<int:entry_id>", methods=["GET", "POST"])
@role_required(Role.COORDINATOR)
def edit_change(entry_id: int | None = None):
    entry = changes.get_entry(entry_id) if entry_id is not None else None
    if entry_id is not None and entry is None:
        abort(404)
    form = change_form_for(entry)
    if form.validate_on_submit() and form.done_on.data is not None:
        if entry is None:
            entry = ChangeEntry()
            db.session.add(entry)
        changes.fill_entry(entry, form.done_on.data, form.texts())
        db.session.flush()
        audit("change_saved", f"change:{entry.id}", ",".join(sorted(form.texts())))
        db.session.commit()
        flash(_("The entry is saved."), "success")
        return redirect(url_for(".manage_changes"), 303)
    return render_template(
        "surveys/change_edit.html",
        form=form,
        entry=entry,
        translated=TRANSLATED,
        delete_form=DeleteForm(formdata=None),
        required_locale=REQUIRED_LOCALE,
    ), (422 if form.errors else 200)


@bp.post("/coordinator/you-said-we-did/<int:entry_id>/delete")
@role_required(Role.COORDINATOR)
def delete_change(entry_id: int):
    entry = changes.get_entry(entry_id)
    if entry is None:
        abort(404)
    if not DeleteForm().validate_on_submit():
        abort(400)
    db.session.delete(entry)
    audit("change_deleted", f"change:{entry_id}")
    db.session.commit()
    flash(_("The entry is deleted."), "success")
    return redirect(url_for(".manage_changes"), 303)
