"""Coordinators keep the list of consultation topics, named in every shipped language."""

import json
import re

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from wtforms import StringField

from mentoring.audit import audit
from mentoring.consultations import bp
from mentoring.consultations.forms import TopicForm
from mentoring.extensions import db
from mentoring.forms import max_length, required
from mentoring.i18n.locale import shipped_languages
from mentoring.reference import services as reference
from mentoring.security import Role, role_required

KEY_PATTERN = re.compile(r"^[a-z][a-z0-9-]{1,39}$")


def topic_form():
    """The form has one name field per shipped language, so a topic is never half translated."""

    class Form(TopicForm):
        pass

    for language in shipped_languages():
        setattr(
            Form,
            f"name_{language.code}",
            StringField(
                language.native_name,
                [required(_("Please enter the name in this language.")), max_length(60)],
                render_kw={"lang": language.code, "dir": language.direction},
            ),
        )
    return Form()


@bp.route("/coordinator/topics", methods=["GET", "POST"])
@role_required(Role.COORDINATOR)
def topics():
    form = topic_form()
    if form.validate_on_submit():
        key = form.key.data.lower()
        if not KEY_PATTERN.match(key):
            form.key.errors.append(_("Use small letters, digits and -, starting with a letter."))
        else:
            names = {lang.code: form[f"name_{lang.code}"].data for lang in shipped_languages()}
            try:
                reference.add_topic(key, names)
            except reference.TopicError:
                db.session.rollback()
                form.key.errors.append(_("This key is already used."))
            else:
                detail = json.dumps({"new": {"names": names}}, ensure_ascii=False)
                audit("topic_added", f"topic:{key}", detail)
                db.session.commit()
                flash(_("The topic is added."), "success")
                return redirect(url_for(".topics"), 303)
    return render_template(
        "consultations/topics.html",
        form=form,
        topics=reference.list_all_topics(),
        languages=shipped_languages(),
    ), (422 if form.errors else 200)


@bp.post("/coordinator/topics/<int:topic_id>/active")
@role_required(Role.COORDINATOR)
def topic_active(topic_id: int):
    topic = reference.set_topic_active(topic_id, request.form.get("active") == "yes")
    if topic is None:
        abort(404)
    audit("topic_changed", f"topic:{topic.key}", json.dumps({"new": {"active": topic.is_active}}))
    db.session.commit()
    return redirect(url_for(".topics"), 303)
