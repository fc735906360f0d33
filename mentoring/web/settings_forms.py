"""The city's settings forms: the office's contact, a district, a topic, a referral source.

Fields per language are made when the form is, so every shipped language gets one; German is
always required (other languages fall back to it).
"""

import re

import phonenumbers
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, Field, StringField, TextAreaField
from wtforms.validators import InputRequired, ValidationError

from mentoring.forms import (
    BaseForm,
    WholeNumberField,
    max_length,
    number_range,
    optional,
    required,
    valid_email,
)
from mentoring.i18n.locale import shipped_languages

KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_-]{1,19}$")


def phone_as_typed(form: BaseForm, field: Field) -> None:
    """A number people can dial; kept as the office writes it (0208 825-9376)."""
    try:
        number = phonenumbers.parse(field.data or "", "DE")
    except phonenumbers.NumberParseException as error:
        raise ValidationError(_l("This phone number looks wrong. Example: 0208 123456")) from error
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(_l("This phone number looks wrong. Example: 0208 123456"))


def key_shape(form: BaseForm, field: Field) -> None:
    field.data = (field.data or "").lower()
    if not KEY_PATTERN.match(field.data):
        raise ValidationError(_l("Use 2 to 20 small letters, digits, _ and -, starting with a letter."))


def language_fields(
    prefix: str, label: str, limit: int, all_required: bool = False, area: bool = False
) -> dict:
    """One field per shipped language, named prefix_<code>; German (or every language) required."""
    fields = {}
    for language in shipped_languages():
        needed = all_required or language.code == "de"
        checks = [required(_("Please enter the text in this language.")) if needed else optional()]
        kind = TextAreaField if area else StringField
        fields[f"{prefix}_{language.code}"] = kind(
            _("%(what)s (%(language)s)", what=label, language=language.native_name),
            [*checks, max_length(limit)],
            render_kw={"lang": language.code, "dir": language.direction},
        )
    return fields


def place_fields() -> dict:
    return {
        "position": WholeNumberField(
            _l("Place in the lists"),
            [InputRequired(message=_l("Please fill in this field.")), number_range(0, 999)],
            description=_l("Smaller numbers come first."),
        ),
        "active": BooleanField(_l("Shown in the choices")),
    }


def build(name: str, fields: dict, **kwargs: object) -> BaseForm:
    form_class = type(name, (BaseForm,), fields)
    return form_class(**kwargs)


def texts(form: BaseForm, prefix: str) -> dict[str, str]:
    return {lang.code: form[f"{prefix}_{lang.code}"].data or "" for lang in shipped_languages()}


def office_form(**kwargs: object) -> BaseForm:
    fields: dict = {
        "office_name": StringField(_l("Name of the office"), [required(), max_length(120)]),
        "street": StringField(_l("Street and number"), [required(), max_length(120)]),
        "postcode_city": StringField(_l("Postcode and town"), [required(), max_length(120)]),
        "phone": StringField(
            _l("Phone number"),
            [required(), max_length(32), phone_as_typed],
            render_kw={"type": "tel", "inputmode": "tel", "dir": "ltr"},
        ),
        "email": StringField(
            _l("E-mail address"),
            [required(), max_length(254), valid_email],
            render_kw={"type": "email", "inputmode": "email", "dir": "ltr"},
        ),
    }
    fields |= language_fields("hours", _("Opening hours"), 500, area=True)
    return build("OfficeForm", fields, **kwargs)


def key_field() -> dict:
    """The short key of a new district or referral source; it is what records refer to."""
    return {
        "key": StringField(
            _l("Short key"),
            [required(), max_length(20), key_shape],
            description=_l("It cannot change later."),
        )
    }


def district_form(new: bool, **kwargs: object) -> BaseForm:
    fields: dict = key_field() if new else {}
    fields["name"] = StringField(_l("Name"), [required(), max_length(80)])
    return build("DistrictForm", fields | place_fields(), **kwargs)


def topic_form(**kwargs: object) -> BaseForm:
    fields = language_fields("name", _("Name"), 60, all_required=True)
    return build("TopicForm", fields | place_fields(), **kwargs)


def referral_form(new: bool, **kwargs: object) -> BaseForm:
    fields: dict = key_field() if new else {}
    fields |= language_fields("name", _("Name"), 60)
    return build("ReferralForm", fields | place_fields(), **kwargs)
