from datetime import date

from flask import current_app, jsonify, request
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from mentoring.api import bp
from mentoring.api.openapi import openapi_document
from mentoring.clock import local, parse_day, today
from mentoring.consultations import booking as booking_rules
from mentoring.consultations import messages as booking_messages
from mentoring.consultations import seats
from mentoring.consultations import slots as slot_rules
from mentoring.consultations.forms import BookingForm
from mentoring.consultations.models import ContactMode, Slot
from mentoring.extensions import csrf, db
from mentoring.i18n.languages import KNOWN_LANGUAGES
from mentoring.offers import services as offer_services
from mentoring.offers.models import CHAIN
from mentoring.ratelimits import rate_limit
from mentoring.reference import services as reference
from mentoring.reference.choices import (
    age_group_choices,
    district_choices,
    message_language_choices,
    topic_choices,
)
from mentoring.security import public

csrf.exempt(bp)  # no cookies are read here: nothing a forged cross-site request could use

MAX_RANGE_DAYS = 92


def problem(status: int, message: str, errors: dict | None = None):
    body: dict = {"error": {"code": status, "message": message}}
    if errors:
        body["error"]["fields"] = errors
    return jsonify(body), status


def slot_json(slot: Slot) -> dict:
    return {
        "id": slot.id,
        "starts_at": local(slot.starts_at).isoformat(),
        "ends_at": local(slot.ends_at).isoformat(),
        "mode": slot.mode.value,
        "languages": slot.languages,
        "topics": slot.topics,
        "expert": {"display_name": slot.expert.display_name, "profession": slot.expert.profession},
        "seats_left": slot.seats_left,
    }


@bp.after_request
def cors(response):
    origin = request.headers.get("Origin")
    if origin and origin in current_app.config["CORS_ORIGINS"]:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "Content-Type"
        response.headers["Vary"] = "Origin"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/openapi.json")
@public
def openapi():
    return jsonify(openapi_document())


def parse_date(name: str, errors: dict) -> date | None:
    value = request.args.get(name)
    if not value:
        return None
    day = parse_day(value)
    if day is None:  # not a date, or one too far from today to mean anything (9999-12-31)
        errors[name] = [_("Please use a date like 2026-11-30.")]
    return day


@bp.get("/slots")
@rate_limit("API_RATE_LIMIT", methods=("GET",))
@public
def list_slots():
    errors: dict[str, list[str]] = {}
    first, last = parse_date("from", errors), parse_date("to", errors)
    if first and last and (last < first or (last - first).days > MAX_RANGE_DAYS):
        errors["to"] = [_("Please choose an end date after the start date, at most 92 days later.")]
    language = request.args.get("language")
    if language and language not in KNOWN_LANGUAGES:
        errors["language"] = [_("Unknown language.")]
    mode = request.args.get("mode")
    if mode and mode not in {m.value for m in ContactMode}:
        errors["mode"] = [_("Please choose phone or online.")]
    topic = request.args.get("topic")
    if topic and topic not in {key for key, _name in topic_choices()}:
        errors["topic"] = [_("Unknown topic.")]
    if errors:
        return problem(422, _("Some values are not right."), errors)
    filters = slot_rules.SlotFilter(
        topic=topic or None,
        language=language or None,
        mode=ContactMode(mode) if mode else None,
        date_from=first,
        date_to=last,
    )
    return {"slots": [slot_json(slot) for slot in slot_rules.list_bookable_slots(filters, limit=500)]}


@bp.get("/offers")
@rate_limit("API_RATE_LIMIT", methods=("GET",))
@public
def list_offers():
    """Current offers, filtered by district and age group, texts in `lang` (German where missing)."""
    errors: dict[str, list[str]] = {}
    district = request.args.get("district")
    if district and district not in {d.key for d in reference.list_districts()}:
        errors["district"] = [_("Unknown district.")]
    age_group = request.args.get("age_group")
    if age_group and age_group not in CHAIN:
        errors["age_group"] = [_("Unknown age group.")]
    lang = request.args.get("lang") or "de"
    if lang not in KNOWN_LANGUAGES:
        errors["lang"] = [_("Unknown language.")]
    if errors:
        return problem(422, _("Some values are not right."), errors)
    found = offer_services.find_offers(
        offer_services.OfferFilter(district or None, age_group or None), today(), 500
    )
    return {"offers": [offer_json(offer, lang) for offer in found]}


def offer_json(offer, lang: str) -> dict:
    title, title_lang = offer.text("title", lang)
    description, description_lang = offer.text("description", lang)
    facts = offer.facts()
    return facts | {
        "id": offer.id,
        "title": title,
        "description": description,
        "text_language": title_lang if title_lang == description_lang else "de",
        "citywide": offer.is_citywide,
        "valid_from": offer.valid_from.isoformat(),
        "valid_until": offer.valid_until.isoformat() if offer.valid_until else None,
    }


BOOKING_FIELDS = ("name", "phone", "email", "language", "district", "age_group", "note")


def booking_form_from_json(data: dict) -> tuple[BookingForm, dict]:
    """Check the JSON body with the same form the web page uses, so the rules are one."""
    errors: dict[str, list[str]] = {}
    values: dict[str, str] = {}
    for name in BOOKING_FIELDS:
        value = data.get(name)
        if value is None:
            continue
        if not isinstance(value, str):
            errors[name] = [_("Please send text.")]
        else:
            values["locale" if name == "language" else name] = value
    if data.get("consent") is True:
        values["consent"] = "y"
    form = BookingForm(formdata=MultiDict(values), meta={"csrf": False})
    form.locale.choices = message_language_choices()
    form.district.choices = district_choices("")
    form.age_group.choices = age_group_choices("")
    return form, errors


@bp.post("/bookings")
@rate_limit("API_RATE_LIMIT")
@rate_limit("BOOKING_RATE_LIMIT")
@public
def create_booking():
    data = request.get_json(silent=True) if request.is_json else None
    if not request.is_json:
        return problem(415, _("Please send JSON (Content-Type: application/json)."))
    if not isinstance(data, dict):
        return problem(400, _("The request could not be understood. Please try again."))
    slot_id = data.get("slot_id")
    form, errors = booking_form_from_json(data)
    if not isinstance(slot_id, int) or isinstance(slot_id, bool) or not 0 < slot_id < 2**31:
        errors["slot_id"] = [_("Please choose a time.")]
    if not form.validate() or errors:
        for name, messages in form.errors.items():
            errors.setdefault("language" if name == "locale" else name, messages)
        return problem(422, _("Some values are not right."), errors)
    assert isinstance(slot_id, int)  # checked above: otherwise errors has "slot_id"
    slot = slot_rules.get_slot(slot_id)
    if slot is None:
        return problem(404, _("This page does not exist, or it has moved."))
    contact = form.contact()
    try:
        booking, token = booking_rules.book_slot(slot_id, contact)
    except seats.BookingError as error:
        db.session.rollback()
        return problem(409, str(error.message))
    db.session.commit()
    return {
        "reference": booking.reference,
        "manage_url": booking_messages.manage_url(booking, token),
        "starts_at": local(booking.slot.starts_at).isoformat(),
        "ends_at": local(booking.slot.ends_at).isoformat(),
        "mode": booking.slot.mode.value,
        "token": token,
    }, 201


@bp.post("/bookings/<reference>/cancel")
@rate_limit("API_RATE_LIMIT")
@public
def cancel_booking(reference: str):
    data = request.get_json(silent=True) if request.is_json else None
    if not request.is_json:
        return problem(415, _("Please send JSON (Content-Type: application/json)."))
    token = data.get("token") if isinstance(data, dict) else None
    booking = booking_rules.get_own_booking(token) if isinstance(token, str) else None
    # Reference and token must belong together; either wrong looks the same (no hint which).
    if not isinstance(token, str) or booking is None or booking.reference != reference:
        return problem(404, _("No booking with this reference and token."))
    try:
        booking_rules.cancel_by_parent(booking, token)
    except seats.BookingError as error:
        db.session.rollback()
        return problem(409, str(error.message))
    db.session.commit()
    return {"reference": booking.reference, "status": booking.status.value}
