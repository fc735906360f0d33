"""Small view helpers shared by the parent and expert pages of this domain."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from mentoring.consultations.booking import BookingError, Contact
from mentoring.i18n.languages import KNOWN_LANGUAGES
from mentoring.i18n.locale import shipped_languages
from mentoring.reference import services as reference
from mentoring.reference.models import AGE_GROUP_LABELS


def zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def local_day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), zone())
    return start, datetime.combine(day + timedelta(days=1), time(0), zone())


def today() -> date:
    return datetime.now(zone()).date()


def topic_choices() -> list[tuple[str, str]]:
    locale = str(get_locale())
    return [(t.key, t.name_in(locale, current_app.config["DEFAULT_LOCALE"])) for t in reference.list_topics()]


def topic_names() -> dict[str, str]:
    return dict(topic_choices())


def spoken_language_choices() -> list[tuple[str, str]]:
    return [(code, lang.native_name) for code, lang in KNOWN_LANGUAGES.items()]


def message_language_choices() -> list[tuple[str, str]]:
    return [(lang.code, lang.native_name) for lang in shipped_languages()]


def district_choices(blank_label: str) -> list[tuple[str, str]]:
    return [("", blank_label)] + [(d.key, d.name) for d in reference.list_districts()]


def age_group_choices(blank_label: str) -> list[tuple[str, str]]:
    return [("", blank_label)] + [(key.value, str(label)) for key, label in AGE_GROUP_LABELS.items()]


PREFER_NOT_TO_SAY = _l("Prefer not to say")


def booking_refused(error: BookingError) -> str:
    return {
        "full": _("This time has just been taken. Please choose another one."),
        "unavailable": _("This time can no longer be booked. Please choose another one."),
        "overlap": _("You already have an appointment at this time."),
        "too_many": _("You already have the most appointments we allow at once. Please cancel one first."),
        "too_late": _("It is too late to change this appointment. Please call the programme office."),
        "audience": _("Only the families of this mentor parent can book this time."),
    }[error.code]


def contact_from(form, user_id: int | None = None) -> Contact:  # type: ignore[no-untyped-def]
    """The parent's details from a checked BookingForm (web page or API) or WaitlistForm."""
    note = getattr(form, "note", None)
    survey = getattr(form, "survey_consent", None)
    return Contact(
        name=form.name.data,
        phone=form.phone.data or None,
        email=form.email.data or None,
        locale=form.locale.data,
        district=form.district.data or None,
        age_group=form.age_group.data or None,
        note=(note.data or "") if note is not None else "",
        user_id=user_id,
        privacy_version=current_app.config["PRIVACY_NOTICE_VERSION"],
        survey_consent=bool(survey.data) if survey is not None else False,
        discreet=bool(form.discreet.data),
    )
