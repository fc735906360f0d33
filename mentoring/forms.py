"""Field checks every domain's forms share: shape only (required, length, format)."""

import re
from collections.abc import Iterable
from datetime import date, time
from typing import TypeVar

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    Field,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    EqualTo,
    Length,
    NumberRange,
    Optional,
    StopValidation,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget, RadioInput

USERNAME_PATTERN = re.compile(r"^[\w.\-]{3,40}$")
T = TypeVar("T")


class BaseForm(FlaskForm):
    """Strips surrounding spaces from every text field; single-line fields (names, titles, search
    terms) also lose control characters and line breaks (`single_line`)."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            filters = unbound_field.kwargs.get("filters", [])
            field_class = unbound_field.field_class
            if field_class is PasswordField:
                pass
            elif issubclass(field_class, StringField) and not issubclass(field_class, TextAreaField):
                filters = [single_line, *filters]
            else:
                filters = [strip, *filters]
            return unbound_field.bind(form=form, filters=filters, **options)


def filled(value: T | None) -> T:
    """The value of a required field once its form has validated: by then it is never None."""
    if value is None:
        raise ValueError("a required field is empty although its form validated")
    return value


def strip(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


# C0 and C1 control characters (CR, LF, tab, NUL, ESC ...) and the Unicode line and paragraph
# separators. Format characters such as the zero-width non-joiner stay: Persian words need them.
LINE_BREAKING = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def single_line(value: object) -> object:
    """One line of text as typed, without control characters: each run of them becomes one space,
    so "Ayla\r\nBcc: x" is stored as "Ayla Bcc: x" and can never break a header or a CSV row."""
    if not isinstance(value, str):
        return value
    return LINE_BREAKING.sub(" ", value).strip()


def required(message: str | None = None) -> DataRequired:
    return DataRequired(message=message or _l("Please fill in this field."))


def max_length(limit: int) -> Length:
    return Length(max=limit, message=_l("Please use at most %(max)d characters.", max=limit))


def optional() -> Optional:
    return Optional()


def username_shape(form: FlaskForm, field: Field) -> None:
    if not USERNAME_PATTERN.match(field.data or ""):
        raise ValidationError(_l("Use 3 to 40 letters or digits. You may also use . _ and -, but no spaces."))


def valid_email(form: FlaskForm, field: Field) -> None:
    """Normalise the address (lower-case domain) or explain that it cannot be right."""
    if not field.data:
        field.data = None
        return
    try:
        field.data = validate_email(field.data, check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise ValidationError(_l("This e-mail address looks wrong. Example: name@example.org")) from error


def valid_phone(form: FlaskForm, field: Field) -> None:
    """Store phone numbers as +49…; German numbers may be typed without the country code."""
    if not field.data:
        field.data = None
        return
    try:
        number = phonenumbers.parse(field.data, "DE")
    except phonenumbers.NumberParseException as error:
        raise ValidationError(_l("This phone number looks wrong. Example: 0208 123456")) from error
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(_l("This phone number looks wrong. Example: 0208 123456"))
    field.data = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def confirm_field(other: str) -> PasswordField:
    return PasswordField(
        _l("Repeat the password"),
        [
            required(_l("Please enter the password a second time.")),
            EqualTo(other, message=_l("The two passwords are not the same.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )


def email_field() -> StringField:
    return StringField(
        _l("E-mail address (optional)"),
        [optional(), max_length(254), valid_email],
        # Addresses and numbers read left to right, also on a right-to-left page.
        render_kw={"autocomplete": "email", "type": "email", "inputmode": "email", "dir": "ltr"},
    )


def phone_field(label: str | None = None) -> StringField:
    return StringField(
        label or _l("Phone number (optional)"),
        [optional(), max_length(32), valid_phone],
        render_kw={"autocomplete": "tel", "type": "tel", "inputmode": "tel", "dir": "ltr"},
    )


def select_choices(pairs: list[tuple[str, object]]) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices (tuples in a field's constructor are deprecated)."""
    return [SelectChoice(value, label) for value, label in pairs]


def choice_values(choices: Iterable[object] | None) -> set[str]:
    values = set()
    for choice in choices or []:
        if isinstance(choice, SelectChoice):
            values.add(str(choice.value))
        elif isinstance(choice, tuple):
            values.add(str(choice[0]))
        else:
            values.add(str(choice))
    return values


class ChoiceField(SelectField):
    """A select whose 'not a valid choice' message is ours, so it is translated."""

    def pre_validate(self, form: FlaskForm) -> None:
        value = "" if self.data is None else self.data  # not sent at all: like the blank choice
        if str(value) not in choice_values(self.choices):
            raise ValidationError(_l("Please choose one of the options."))


class ParsedOnceMixin:
    """A value that could not be parsed gets one message, not a second from the range check."""

    process_errors: list[str]  # set by the WTForms field this is mixed into

    def pre_validate(self, form: FlaskForm) -> None:
        if self.process_errors:
            raise StopValidation()


class LocalDateField(ParsedOnceMixin, DateField):
    """A date field whose parse error is ours (translated); accepts 2026-11-30 and 30.11.2026."""

    data: date | None  # WTForms is untyped; None when left empty or not a date

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, format=["%Y-%m-%d", "%d.%m.%Y"], **kwargs)

    def process_formdata(self, valuelist):
        if valuelist and not "".join(valuelist).strip():
            # Left empty (or only spaces): no date; a required field says so itself, so spaces
            # must look empty to InputRequired too.
            self.raw_data = [""]
            self.data = None
            return
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(str(_l("Please enter a date like 30.11.2026."))) from error


class LocalTimeField(ParsedOnceMixin, TimeField):
    data: time | None  # WTForms is untyped; None when left empty or not a time

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(str(_l("Please enter a time like 09:30."))) from error


INT_LIMIT = 2**31 - 1  # the database's integer: a larger number would be an error there, not here


class WholeNumberField(ParsedOnceMixin, IntegerField):
    data: int | None  # WTForms is untyped; IntegerField's value, None when empty or not a number

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
            if self.data is not None and abs(self.data) > INT_LIMIT:
                raise ValueError("too large")
        except ValueError as error:
            self.data = None
            raise ValueError(str(_l("Please enter a whole number."))) from error


def number_range(low: int, high: int) -> NumberRange:
    return NumberRange(
        low, high, message=_l("Please enter a number from %(min)d to %(max)d.", min=low, max=high)
    )


class CheckboxesField(SelectMultipleField):
    """Several choices as checkboxes; unknown values get our translated message."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form: FlaskForm) -> None:
        allowed = choice_values(self.choices)
        if any(str(value) not in allowed for value in self.data or []):
            raise ValidationError(_l("Please choose one of the options."))


class RadiosField(ChoiceField):
    widget = ListWidget(prefix_label=False)
    option_widget = RadioInput()
