from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, PasswordField, StringField, TextAreaField
from wtforms.validators import AnyOf

from mentoring.accounts.passwords import MIN_LENGTH, password_problem
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
    username_shape,
)
from mentoring.mentorships.models import ContactPreference
from mentoring.reference.choices import WEEKDAY_LABELS

CONTACT_LABELS = [
    (ContactPreference.IN_PERSON.value, _l("Meeting in person")),
    (ContactPreference.PHONE.value, _l("By phone")),
    (ContactPreference.VIDEO.value, _l("By video")),
]


DAY_PARTS = [("morning", _l("mornings")), ("afternoon", _l("afternoons")), ("evening", _l("evenings"))]
SHARE_LABELS = [("phone", _l("My phone number")), ("email", _l("My e-mail address"))]
END_LABELS = [
    ("goals_met", _l("The goals are reached")),
    ("not_fitting", _l("It does not fit")),
    ("no_time", _l("No time any more")),
    ("moved_away", _l("Moved away")),
    ("no_contact", _l("We could not reach each other")),
    ("other", _l("Another reason")),
]
LOG_MODE_LABELS = [*CONTACT_LABELS, ("message", _l("By message"))]
LANGUAGE_LEVEL_LABELS = [("little", _l("a little")), ("well", _l("well")), ("native", _l("mother tongue"))]
LEVEL_PREFIX = "level-"


def has_a_language(form) -> bool:
    """Sharing a language is the one hard rule of matching: a family and a mentor name at least one."""
    if not form.languages.data and not form.languages.errors:
        form.languages.errors.append(_("Please choose at least one language."))
        return False
    return True


class MentorProfileForm(BaseForm):
    languages = CheckboxesField(_l("Languages you speak"), choices=[])
    districts = CheckboxesField(_l("Districts where you can meet families"), choices=[])
    age_groups = CheckboxesField(_l("Ages of children you have experience with"), choices=[])
    topics = CheckboxesField(_l("Topics you know about"), choices=[])
    contact_modes = CheckboxesField(
        _l("How you like to keep in touch"), choices=select_choices(CONTACT_LABELS)
    )
    capacity = WholeNumberField(
        _l("How many families at the same time"), [required(), number_range(1, 10)], default=2
    )
    introduction = TextAreaField(
        _l("A few words about you (optional)"),
        [optional(), max_length(1000)],
        description=_l("Families read this. For example: your children, what helped you."),
    )
    availability = CheckboxesField(_l("When you are usually free (optional)"), choices=[])
    shares = CheckboxesField(
        _l("What your families may see once you accept"), choices=select_choices(SHARE_LABELS)
    )

    def validate(self, extra_validators=None) -> bool:
        return super().validate(extra_validators) & has_a_language(self)


CONVICTION_MISSING = _l("Please answer whether the certificate lists a relevant conviction.")
DECISION_MISSING = _l("Please choose: activate or reject.")


class VettingForm(BaseForm):
    training_on = LocalDateField(_l("Training completed on (optional)"), [optional()])
    certificate_seen_on = LocalDateField(
        _l("Extended certificate of conduct seen, issued on (optional)"),
        [optional()],
        description=_l("Only the date is stored, never the certificate."),
    )
    # Nothing is chosen beforehand: the coordinator answers both questions themselves.
    relevant_entry = RadiosField(
        _l("Does the certificate list a relevant conviction?"),
        [required(CONVICTION_MISSING), AnyOf(["no", "yes"], message=CONVICTION_MISSING)],
        choices=select_choices([("no", _l("No")), ("yes", _l("Yes"))]),
        validate_choice=False,
    )
    decision = RadiosField(
        _l("Decision"),
        [required(DECISION_MISSING), AnyOf(["activate", "reject"], message=DECISION_MISSING)],
        choices=select_choices([("activate", _l("Activate")), ("reject", _l("Reject"))]),
        validate_choice=False,
    )
    reason = TextAreaField(_l("Reason (needed when you reject)"), [optional(), max_length(500)])

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.decision.data == "reject" and not self.reason.data:
            self.reason.errors.append(_("Please give a reason."))
            return False
        return valid


class NeedForm(BaseForm):
    """What a family looks for; sent by GET, so the suggestions are a page one can bookmark."""

    class Meta:
        csrf = False

    languages = CheckboxesField(_l("Languages you speak"), choices=[])
    district = ChoiceField(_l("Where do you live? (optional)"), choices=[])
    age_group = ChoiceField(_l("How old is your child? (optional)"), choices=[])
    topics = CheckboxesField(_l("What would you like help with? (optional)"), choices=[])
    contact_mode = ChoiceField(_l("How would you like to keep in touch? (optional)"), choices=[])
    # How well the family speaks each ticked language (optional): `level-<code>` next to each box.
    level_data: dict[str, str]
    language_levels: dict[str, str]

    def process(self, formdata=None, obj=None, data=None, extra_filters=None, **kwargs) -> None:
        formdata = self.meta.wrap_formdata(self, formdata)
        self.level_data = {
            key.removeprefix(LEVEL_PREFIX): value
            for key, value in (formdata.items() if formdata else ())
            if key.startswith(LEVEL_PREFIX) and value
        }
        self.language_levels = {}
        super().process(formdata, obj, data=data, extra_filters=extra_filters, **kwargs)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators) & has_a_language(self)
        return valid & check_levels(self)


def check_levels(form: NeedForm) -> bool:
    """Keep the level of each ticked language; a level next to an unticked box is ignored."""
    known = dict(LANGUAGE_LEVEL_LABELS)
    ticked = form.languages.data or []
    levels = {code: form.level_data[code] for code in ticked if code in form.level_data}
    if any(level not in known for level in levels.values()):
        form.languages.errors.append(_("Please choose how well you speak a language from the list."))
        return False
    form.language_levels = levels
    return True


class DeclineForm(BaseForm):
    reason = ChoiceField(
        _l("Why not?"),
        [required()],
        choices=select_choices(
            [
                ("no_time", _l("I have no time at the moment")),
                ("not_fitting", _l("I do not fit this family")),
                ("other", _l("Another reason")),
            ]
        ),
    )


def availability_choices() -> list[tuple[str, str]]:
    return [
        (f"{day}-{part}", _("%(day)s, %(part)s", day=day_label, part=part_label))
        for day, day_label in WEEKDAY_LABELS
        for part, part_label in DAY_PARTS
    ]


class AskingForm(BaseForm):
    """What a family adds to a request: a note, what the mentor may see, who told them about us."""

    note = TextAreaField(_l("A short message to the mentor parent (optional)"), [optional(), max_length(500)])
    shares = CheckboxesField(
        _l("What the mentor parent may see once they accept"), choices=select_choices(SHARE_LABELS)
    )
    survey_consent = BooleanField(_l("You may send me a short survey later (optional, anonymous)."))
    referral = ChoiceField(
        _l("Who told you about us? (optional)"), choices=[]
    )  # the view sets the choices: referral sources are the city's settings


class FamilyForm(NeedForm):
    """A coordinator enters a family's request on their behalf."""

    class Meta:
        csrf = True

    name = StringField(_l("Name of the family"), [required(), max_length(80)])
    phone = phone_field()
    email = email_field()
    locale = ChoiceField(_l("Language for messages"), [required()], choices=[])
    referral = ChoiceField(
        _l("Who referred the family?"), [required()], choices=[]
    )  # set by the view, like AskingForm's
    note = TextAreaField(_l("Note for the mentor parent (optional)"), [optional(), max_length(500)])
    survey_consent = BooleanField(_l("The family agrees to get a short anonymous survey later."))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not self.phone.data and not self.email.data and not self.phone.errors:
            self.phone.errors.append(_("Please give a phone number or an e-mail address."))
            return False
        return valid


class AssignForm(BaseForm):
    mentor_id = WholeNumberField(_l("Mentor parent"), [required()])


class ApplicantMessageForm(BaseForm):
    """A short message from the office to an applicant, sent to the phone or e-mail they gave."""

    text = TextAreaField(_l("Your message"), [required(), max_length(1000)])


class StatusForm(BaseForm):
    status = RadiosField(
        _l("Change the status"),
        [required()],
        choices=select_choices(
            [("active", _l("Active")), ("paused", _l("Paused")), ("retired", _l("Retired"))]
        ),
    )


class AwayForm(BaseForm):
    first_day = LocalDateField(_l("First day away"), [required()])
    last_day = LocalDateField(_l("Last day away"), [required()])


class ContactLogForm(BaseForm):
    on = LocalDateField(_l("Date"), [required()])
    mode = RadiosField(_l("How"), [required()], choices=select_choices(LOG_MODE_LABELS), default="phone")
    minutes = WholeNumberField(_l("Minutes"), [required(), number_range(0, 600)], default=30)
    topics = CheckboxesField(_l("Topics (optional)"), choices=[])
    note = TextAreaField(
        _l("Private note (optional)"),
        [optional(), max_length(1000)],
        description=_l("Only you can read this note."),
    )
    # Set by the "Save this contact?" page: the mentor saw the summary and saves it.
    confirmed = HiddenField()


class EndForm(BaseForm):
    reason = ChoiceField(_l("Why does the mentoring end?"), [required()], choices=select_choices(END_LABELS))


class TrialForm(BaseForm):
    fits = RadiosField(
        _l("Does it fit?"),
        [required()],
        choices=select_choices(
            [("yes", _l("Yes, we go on")), ("no", _l("No, I would like another mentor parent"))]
        ),
    )


class MeetingForm(BaseForm):
    day = LocalDateField(_l("Date"), [required()])
    start_time = LocalTimeField(_l("Start time"), [required()])
    minutes = WholeNumberField(_l("Length in minutes"), [required(), number_range(15, 180)], default=60)
    mode = RadiosField(
        _l("How"),
        [required()],
        choices=select_choices([("phone", _l("By phone")), ("online", _l("By video"))]),
        default="phone",
    )


LEARNING_LABELS = [
    ("training", _l("Training")),
    ("exchange", _l("Exchange meeting")),
    ("supervision", _l("Supervision")),
]


class LearningEntryForm(BaseForm):
    kind = RadiosField(_l("What"), [required()], choices=select_choices(LEARNING_LABELS), default="exchange")
    on = LocalDateField(_l("Date"), [required()])
    topic = StringField(_l("Topic (optional)"), [optional(), max_length(200)])


class GroupSessionForm(BaseForm):
    kind = RadiosField(_l("What"), [required()], choices=select_choices(LEARNING_LABELS), default="exchange")
    topic = StringField(_l("Topic"), [required(), max_length(200)])
    day = LocalDateField(_l("Date"), [required()])
    start_time = LocalTimeField(_l("Start time"), [required()])
    minutes = WholeNumberField(_l("Length in minutes"), [required(), number_range(15, 480)], default=120)
    place = StringField(
        _l("Place or video link"),
        [required(), max_length(200)],
        description=_l("Mentor parents who booked see this."),
    )
    is_online = BooleanField(_l("It takes place online"))
    capacity = WholeNumberField(_l("Places"), [required(), number_range(1, 200)], default=12)


class AttendanceForm(BaseForm):
    attended = CheckboxesField(_l("Who came"), choices=[])


class SeatForm(BaseForm):
    """Book or cancel a place: nothing to fill in but the CSRF token."""


class WithdrawMeetingForm(BaseForm):
    reason = StringField(_l("A short word for the family (optional)"), [optional(), max_length(200)])


class ConcernForm(BaseForm):
    body = TextAreaField(
        _l("What worries you, or what would you like advice on?"),
        [required(), max_length(4000)],
        description=_l("Only you and the programme office can read this."),
    )


class ConcernReplyForm(BaseForm):
    body = TextAreaField(_l("Your message"), [required(), max_length(4000)])


class CohortForm(BaseForm):
    """The office plans a parents' group; the service checks the mentors and the number of places."""

    name = StringField(_l("Name of the group"), [required(), max_length(80)])
    languages = CheckboxesField(_l("Languages of the group"), choices=[])
    district = ChoiceField(_l("District (optional)"), choices=[])
    starts_on = LocalDateField(_l("First meeting on"), [required()])
    meets_at = LocalTimeField(_l("Meeting time"), [required()])
    weeks = WholeNumberField(_l("Number of weekly meetings"), [required(), number_range(1, 52)], default=20)
    place = StringField(
        _l("Place or link of the meetings"),
        [required(), max_length(120)],
        description=_l("For example: Familienzentrum, Hauptstraße 5, or “online”."),
    )
    capacity = WholeNumberField(_l("Number of families"), [required(), number_range(1, 50)], default=10)
    mentor_id = ChoiceField(_l("Mentor parent leading the group"), [required()], choices=[])
    co_mentor_id = ChoiceField(_l("Second mentor parent (optional)"), choices=[])

    def validate(self, extra_validators=None) -> bool:
        return super().validate(extra_validators) & has_a_language(self)


class PlaceFamilyForm(BaseForm):
    match_id = ChoiceField(_l("Waiting family"), [required()], choices=[])


class CohortAttendanceForm(BaseForm):
    present = CheckboxesField(_l("Families who came"), choices=[])


class BecomeMentorForm(BaseForm):
    """The invited family's mentor application, filled in from what they told us before."""

    display_name = StringField(_l("Your name or nickname"), [required(), max_length(80)])
    languages = CheckboxesField(_l("Languages you speak"), choices=[])
    district = ChoiceField(_l("Where do you live? (optional)"), choices=[])
    username = StringField(
        _l("Username for your mentor account"),
        [required(), max_length(40), username_shape],
        description=_l("A new account for your work as a mentor parent; your family account stays as it is."),
        render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"},
    )
    password = PasswordField(
        _l("Password"),
        [required(), max_length(128)],
        description=_l("At least %(min)d characters. A short sentence is easy to remember.", min=MIN_LENGTH),
        render_kw={"autocomplete": "new-password"},
    )

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators) & has_a_language(self)
        if self.password.data and password_problem(self.password.data, self.username.data or ""):
            self.password.errors.append(
                _(
                    "Please choose a password of at least %(min)d characters that is hard to guess.",
                    min=MIN_LENGTH,
                )
            )
            return False
        return valid
