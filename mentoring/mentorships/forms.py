from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField

from mentoring.forms import (
    BaseForm,
    CheckboxesField,
    ChoiceField,
    LocalDateField,
    RadiosField,
    WholeNumberField,
    max_length,
    number_range,
    optional,
    required,
    select_choices,
)
from mentoring.mentorships.models import ContactPreference

CONTACT_LABELS = [
    (ContactPreference.IN_PERSON.value, _l("Meeting in person")),
    (ContactPreference.PHONE.value, _l("By phone")),
    (ContactPreference.VIDEO.value, _l("By video")),
]


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

    def validate(self, extra_validators=None) -> bool:  # type: ignore[no-untyped-def]
        valid = super().validate(extra_validators)
        if not self.languages.data and not self.languages.errors:
            self.languages.errors.append(_("Please choose at least one language."))
            return False
        return valid


class VettingForm(BaseForm):
    training_on = LocalDateField(_l("Training completed on (optional)"), [optional()])
    certificate_seen_on = LocalDateField(
        _l("Extended certificate of conduct seen, issued on (optional)"),
        [optional()],
        description=_l("Only the date is stored, never the certificate."),
    )
    relevant_entry = RadiosField(
        _l("Does the certificate list a relevant conviction?"),
        [required()],
        choices=select_choices([("no", _l("No")), ("yes", _l("Yes"))]),
        default="no",
    )
    decision = RadiosField(
        _l("Decision"),
        [required()],
        choices=select_choices([("activate", _l("Activate")), ("reject", _l("Reject"))]),
        default="activate",
    )
    reason = TextAreaField(_l("Reason (needed when you reject)"), [optional(), max_length(500)])

    def validate(self, extra_validators=None) -> bool:  # type: ignore[no-untyped-def]
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

    def validate(self, extra_validators=None) -> bool:  # type: ignore[no-untyped-def]
        valid = super().validate(extra_validators)
        if not self.languages.data and not self.languages.errors:
            self.languages.errors.append(_("Please choose at least one language."))
            return False
        return valid


class RequestForm(BaseForm):
    note = TextAreaField(_l("A short message to the mentor parent (optional)"), [optional(), max_length(500)])


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
