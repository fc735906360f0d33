"""Choice lists every domain's forms share: topics, districts, age groups, languages, weekdays, referrals.

Each list is built once here, in the current request's language, so a form in any domain offers the
same options in the same order.
"""

from flask import current_app
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from mentoring.i18n.languages import KNOWN_LANGUAGES
from mentoring.i18n.locale import shipped_languages
from mentoring.reference import services as reference
from mentoring.reference import settings
from mentoring.reference.models import AGE_GROUP_LABELS

PREFER_NOT_TO_SAY = _l("Prefer not to say")

WEEKDAY_LABELS = [
    ("0", _l("Monday")),
    ("1", _l("Tuesday")),
    ("2", _l("Wednesday")),
    ("3", _l("Thursday")),
    ("4", _l("Friday")),
    ("5", _l("Saturday")),
    ("6", _l("Sunday")),
]


def topic_choices() -> list[tuple[str, str]]:
    locale = str(get_locale())
    return [(t.key, t.name_in(locale, current_app.config["DEFAULT_LOCALE"])) for t in reference.list_topics()]


def topic_names() -> dict[str, str]:
    """Every topic's name, hidden ones too: old records keep showing theirs."""
    locale, fallback = str(get_locale()), current_app.config["DEFAULT_LOCALE"]
    return {t.key: t.name_in(locale, fallback) for t in reference.list_all_topics()}


def district_names() -> dict[str, str]:
    """Every district's name, hidden ones too: old records keep showing theirs."""
    return {d.key: d.name for d in settings.all_districts()}


def referral_choices() -> list[tuple[str, str]]:
    """The referral sources a form offers (not the hidden ones)."""
    return [(r.key, r.label) for r in settings.referrals() if r.is_active]


def referral_names() -> dict[str, str]:
    """Every referral source's name, hidden ones too: old requests keep their label."""
    return {r.key: r.label for r in settings.referrals()}


def spoken_language_choices() -> list[tuple[str, str]]:
    return [(code, lang.native_name) for code, lang in KNOWN_LANGUAGES.items()]


def message_language_choices() -> list[tuple[str, str]]:
    return [(lang.code, lang.native_name) for lang in shipped_languages()]


def district_choices(blank_label: str) -> list[tuple[str, str]]:
    return [("", blank_label)] + [(d.key, d.name) for d in reference.list_districts()]


def age_group_choices(blank_label: str) -> list[tuple[str, str]]:
    return [("", blank_label)] + [(key.value, str(label)) for key, label in AGE_GROUP_LABELS.items()]
