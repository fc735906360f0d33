"""The city's settings coordinators keep without editing files: office, districts, topics, referrals."""

import json

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from mentoring.audit import audit
from mentoring.extensions import db
from mentoring.forms import filled
from mentoring.i18n.locale import shipped_languages
from mentoring.reference import services as reference
from mentoring.reference import settings as city
from mentoring.reference.models import District, ReferralSource, Topic
from mentoring.security import Role, role_required
from mentoring.web import bp
from mentoring.web.settings_forms import (
    district_form,
    office_form,
    referral_form,
    texts,
    topic_form,
)


def changes(old: dict, new: dict) -> str:
    """The audit detail: these settings are not personal, so old and new values are kept."""
    return json.dumps({"old": old, "new": new}, ensure_ascii=False, sort_keys=True)


def saved(action: str, subject: str, old: dict, new: dict):
    audit(action, subject, changes(old, new))
    db.session.commit()
    flash(_("The settings are saved."), "success")
    return redirect(url_for(".settings"), 303)


def form_page(template: str, form, **context):
    return render_template(f"web/settings/{template}", form=form, **context), (422 if form.errors else 200)


@bp.get("/coordinator/settings")
@role_required(Role.COORDINATOR)
def settings():
    return render_template(
        "web/settings/index.html",
        office=city.office_contact(),
        districts=city.all_districts(),
        topics=reference.list_all_topics(),
        referrals=city.referrals(),
    )


@bp.route("/coordinator/settings/office", methods=["GET", "POST"])
@role_required(Role.COORDINATOR)
def settings_office_page():
    office = city.office_contact()
    initial: dict = {}
    if office is not None:
        initial = {name: getattr(office, name) for name in city.OFFICE_FIELDS}
        initial |= {f"hours_{code}": text for code, text in office.hours.items()}
    form = office_form(data=initial)
    if form.validate_on_submit():
        values = {name: filled(form[name].data) for name in city.OFFICE_FIELDS}
        old, new = city.save_office_contact(values, texts(form, "hours"))
        return saved("office_changed", "office", old, new)
    return form_page("office.html", form)


@bp.route("/coordinator/settings/districts/new", methods=["GET", "POST"])
@bp.route("/coordinator/settings/districts/<int:district_id>", methods=["GET", "POST"])
@role_required(Role.COORDINATOR)
def settings_district(district_id: int | None = None):
    district = None
    if district_id is not None:
        district = db.session.get(District, district_id)
        if district is None:
            abort(404)
        initial: dict = {"name": district.name, "position": district.position, "active": district.is_active}
    else:
        initial = {"position": city.next_position(District), "active": True}
    form = district_form(new=district is None, data=initial)
    if form.validate_on_submit():
        key = district.key if district is not None else form["key"].data
        try:
            old, new = city.save_district(
                district_id, key, form["name"].data, form["position"].data, bool(form["active"].data)
            )
        except city.SettingsError:
            db.session.rollback()
            form["key"].errors.append(_("This key is already used."))
        else:
            return saved("district_changed" if district else "district_added", f"district:{key}", old, new)
    return form_page("district.html", form, district=district)


@bp.route("/coordinator/settings/topics/<int:topic_id>", methods=["GET", "POST"])
@role_required(Role.COORDINATOR)
def settings_topic(topic_id: int):
    topic = db.session.get(Topic, topic_id)
    if topic is None:
        abort(404)
    initial: dict = {f"name_{code}": name for code, name in topic.names.items()}
    initial |= {"position": topic.position, "active": topic.is_active}
    form = topic_form(data=initial)
    if form.validate_on_submit():
        old, new = city.save_topic(
            topic, texts(form, "name"), form["position"].data, bool(form["active"].data)
        )
        return saved("topic_changed", f"topic:{topic.key}", old, new)
    return form_page("topic.html", form, topic=topic)


@bp.route("/coordinator/settings/referrals/new", methods=["GET", "POST"])
@bp.route("/coordinator/settings/referrals/<key>", methods=["GET", "POST"])
@role_required(Role.COORDINATOR)
def settings_referral(key: str | None = None):
    source = None
    if key is not None:
        source = city.referral(key)
        if source is None:
            abort(404)
        # A built-in source not yet renamed shows its name in every language.
        names = source.names or {lang.code: source.name_in(lang.code) for lang in shipped_languages()}
        initial: dict = {f"name_{code}": name for code, name in names.items()}
        initial |= {"position": source.position, "active": source.is_active}
    else:
        initial = {"position": city.next_position(ReferralSource), "active": True}
    form = referral_form(new=source is None, data=initial)
    if form.validate_on_submit():
        chosen = source.key if source is not None else form["key"].data
        try:
            old, new = city.save_referral(
                chosen,
                texts(form, "name"),
                form["position"].data,
                bool(form["active"].data),
                new=source is None,
            )
        except city.SettingsError:
            db.session.rollback()
            form["key"].errors.append(_("This key is already used."))
        else:
            return saved("referral_changed" if source else "referral_added", f"referral:{chosen}", old, new)
    return form_page("referral.html", form, source=source)
