import time
from datetime import date

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import InputRequired, ValidationError

from mentoring.consultations.models import CallDirection, ContactMode
from mentoring.consultations.seats import Contact
from mentoring.forms import (
    BaseForm,
    CheckboxesField,
    ChoiceField,
    LocalDateField,
    LocalTimeField,
    RadiosField,
    WholeNumberField,
    email_field,
    max_length,
    number_range,
    optional,
    phone_field,
    required,
    select_choices,
)
from mentoring.i18n.languages import KNOWN_LANGUAGES
from mentoring.reference.choices import WEEKDAY_LABELS

MODE_LABELS = [
    (ContactMode.PHONE.value, _l("By phone")),
    (ContactMode.ONLINE.value, _l("Online (video)")),
]
CALL_LABELS = [
    (CallDirection.EXPERT_CALLS.value, _l("I call the parent")),
    (CallDirection.PARENT_CALLS.value, _l("The parent calls me")),
]


def number(label: str, low: int, high: int, default: int, description: str | None = None) -> WholeNumberField:
    return WholeNumberField(
        label,
        [InputRequired(message=_l("Please fill in this field.")), number_range(low, high)],
        default=default,
        description=description,
        render_kw={"inputmode": "numeric"},
    )


class ContactForm(BaseForm):
    """Who the parent is and how to reach them: for a booking and for the waitlist."""

    name = StringField(
        _l("Your name or a nickname"),
        [required(_l("Please tell us how we may call you.")), max_length(80)],
        render_kw={"autocomplete": "name", "dir": "auto"},
    )
    phone = phone_field()
    email = email_field()
    locale = ChoiceField(_l("Language for messages to you"), [required()], choices=[])
    district = ChoiceField(_l("Where do you live? (optional)"), choices=[])
    age_group = ChoiceField(_l("How old is your child? (optional)"), choices=[])
    consent = BooleanField(
        _l("I have read the privacy notice and agree that my details are stored for this appointment."),
        [InputRequired(message=_l("Please agree to the privacy notice, otherwise we cannot book."))],
    )
    discreet = BooleanField(
        _l("Discreet messages (optional)"),
        description=_l(
            "E-mails, SMS and the calendar entry then only say 'Appointment': no topic, no programme name."
        ),
    )

    def validate(self, extra_validators=None) -> bool:
        # Here, not in a field validator: Optional() ends the field checks when it is empty.
        valid = super().validate(extra_validators)
        if not (self.phone.data or self.email.data) and not (self.phone.errors or self.email.errors):
            self.email.errors.append(
                _("Please give a phone number or an e-mail address, so we can reach you.")
            )
            return False
        return valid

    def contact(self, user_id: int | None = None) -> Contact:
        """The parent's checked details, as the booking and waitlist services take them."""
        note = getattr(self, "note", None)
        survey = getattr(self, "survey_consent", None)
        return Contact(
            name=self.name.data,
            phone=self.phone.data or None,
            email=self.email.data or None,
            locale=self.locale.data,
            district=self.district.data or None,
            age_group=self.age_group.data or None,
            note=(note.data or "") if note is not None else "",
            user_id=user_id,
            privacy_version=current_app.config["PRIVACY_NOTICE_VERSION"],
            survey_consent=bool(survey.data) if survey is not None else False,
            discreet=bool(self.discreet.data),
        )


INTERPRETER_MODES = [("phone", _l("By phone")), ("video", _l("By video"))]


class BookingForm(ContactForm):
    note = TextAreaField(
        _l("What would you like to talk about? (optional)"),
        [optional(), max_length(500)],
        description=_l("A few words are enough. Please do not write anything you want to keep private."),
    )
    survey_consent = BooleanField(
        _l("You may send me a short survey afterwards (optional, anonymous)."),
    )
    interpreter = BooleanField(_l("I would like an interpreter (free)"))
    interpreter_language = ChoiceField(
        _l("Language for the interpreter"),
        choices=select_choices(
            [
                ("", _l("Choose a language")),
                *((code, lang.native_name) for code, lang in KNOWN_LANGUAGES.items()),
            ]
        ),
    )
    interpreter_mode = RadiosField(
        _l("The interpreter joins"), choices=select_choices(INTERPRETER_MODES), default="phone"
    )

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.interpreter.data and not self.interpreter_language.data:
            self.interpreter_language.errors.append(_("Please choose the language for the interpreter."))
            return False
        return valid


WAIT_WEEKS = [("2", _l("the next 2 weeks")), ("4", _l("the next 4 weeks")), ("8", _l("the next 8 weeks"))]


class WaitlistForm(ContactForm):
    """The same few details as a booking, and what time would fit."""

    topic = ChoiceField(_l("Topic (optional)"), choices=[])
    language = ChoiceField(_l("Language (optional)"), choices=[])
    mode = ChoiceField(_l("How (optional)"), choices=[])
    weeks = RadiosField(_l("Any time in"), [required()], choices=select_choices(WAIT_WEEKS), default="4")


class SlotSettingsForm(BaseForm):
    mode = RadiosField(
        _l("How do you talk?"), [required()], choices=select_choices(MODE_LABELS), default="phone"
    )
    call_direction = RadiosField(
        _l("Who calls?"), choices=select_choices(CALL_LABELS), default="expert_calls"
    )
    call_number = phone_field(_l("Number parents call (only if the parent calls you)"))
    languages = CheckboxesField(_l("Languages you speak in this consultation"), choices=[])
    topics = CheckboxesField(_l("Topics"), choices=[])
    capacity = number(_l("Places per time"), 1, 50, 1)
    min_notice_hours = number(
        _l("Minimum notice in hours"), 0, 168, 12, _l("How long before the time a booking is still possible.")
    )
    horizon_days = number(_l("Bookable how many days ahead"), 1, 365, 60)
    cancel_deadline_hours = number(_l("Parents can cancel up to how many hours before"), 0, 168, 12)

    def validate_languages(self, field) -> None:
        if not field.data:
            raise ValidationError(_l("Please choose at least one language."))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if (
            self.mode.data == ContactMode.PHONE
            and self.call_direction.data == CallDirection.PARENT_CALLS
            and not self.call_number.data
            and not self.call_number.errors
        ):
            self.call_number.errors.append(_("Please give the number parents should call."))
            return False
        return valid


class SlotForm(SlotSettingsForm):
    day = LocalDateField(_l("Date"), [InputRequired(message=_l("Please enter a date like 30.11.2026."))])
    start_time = LocalTimeField(
        _l("Start time"), [InputRequired(message=_l("Please enter a time like 09:30."))]
    )
    minutes = number(_l("Length in minutes"), 5, 240, 30)


class SeriesForm(SlotSettingsForm):
    weekday = ChoiceField(_l("Weekday"), [required()], choices=select_choices(WEEKDAY_LABELS))
    start_time = LocalTimeField(_l("From"), [InputRequired(message=_l("Please enter a time like 09:30."))])
    end_time = LocalTimeField(_l("Until"), [InputRequired(message=_l("Please enter a time like 09:30."))])
    minutes = number(_l("Length of each appointment in minutes"), 5, 240, 30)
    first_date = LocalDateField(
        _l("First date"), [InputRequired(message=_l("Please enter a date like 30.11.2026."))]
    )
    last_date = LocalDateField(
        _l("Last date"), [InputRequired(message=_l("Please enter a date like 30.11.2026."))]
    )
    skipped = TextAreaField(
        _l("Days off (optional)"),
        [optional(), max_length(2000)],
        description=_l("One date per line, for example public holidays: 24.12.2026"),
    )

    def skipped_dates(self) -> list[date]:
        return parse_dates(self.skipped.data or "")

    def validate_skipped(self, field) -> None:
        try:
            parse_dates(field.data or "")
        except ValueError as error:
            raise ValidationError(_l("Please enter a date like 30.11.2026.")) from error


def parse_dates(text: str) -> list[date]:
    """Dates one per line (or separated by spaces), as 30.11.2026 or 2026-11-30."""
    dates = []
    for word in text.split():
        for pattern in ("%d.%m.%Y", "%Y-%m-%d"):
            try:
                dates.append(date(*time.strptime(word, pattern)[:3]))
                break
            except ValueError:
                continue
        else:
            raise ValueError(word)
    return dates


class ReasonForm(BaseForm):
    reason = TextAreaField(
        _l("Reason for the parent"),
        [required(_l("Please give a short reason. The parent will read it.")), max_length(500)],
    )


class DayOffForm(ReasonForm):
    day = LocalDateField(_l("Date"), [InputRequired(message=_l("Please enter a date like 30.11.2026."))])


class ExpertProfileForm(BaseForm):
    profession = StringField(
        _l("Your profession"),
        [required(_l("Please enter your profession.")), max_length(80)],
        description=_l("For example: midwife, paediatric nurse, family counsellor"),
    )
    languages = CheckboxesField(_l("Languages you speak"), choices=[])
    call_number = phone_field(_l("Phone number for parents (optional)"))


class MoveForm(BaseForm):
    slot_id = WholeNumberField(_l("New time"), [InputRequired(message=_l("Please choose a new time."))])


class TopicForm(BaseForm):
    key = StringField(
        _l("Short key (letters and -)"),
        [required(), max_length(40)],
        description=_l("Used in links, for example: sleep"),
    )
