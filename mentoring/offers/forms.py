from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import StringField, TextAreaField

from mentoring.forms import (
    BaseForm,
    CheckboxesField,
    ChoiceField,
    LocalDateField,
    filled,
    max_length,
    optional,
    required,
    select_choices,
)
from mentoring.i18n.languages import KNOWN_LANGUAGES
from mentoring.offers.models import CHAIN_LABELS, COST_LABELS, KIND_LABELS

TRANSLATED = tuple(code for code in KNOWN_LANGUAGES if code != "de")


class OfferForm(BaseForm):
    """One offer: typed by a coordinator or read from a CSV row (the same rules for both)."""

    title_de = StringField(_l("Title in German"), [required(), max_length(150)])
    description_de = TextAreaField(_l("Description in German"), [required(), max_length(2000)])
    provider = StringField(_l("Provider"), [required(), max_length(120)])
    kind = ChoiceField(_l("Kind of offer"), [required()], choices=select_choices(list(KIND_LABELS.items())))
    age_groups = CheckboxesField(_l("For which ages"), choices=select_choices(list(CHAIN_LABELS.items())))
    districts = CheckboxesField(
        _l("Districts (optional)"), choices=[], description=_l("None chosen means the whole city.")
    )
    address = StringField(_l("Address (optional)"), [optional(), max_length(200)])
    opening_times = TextAreaField(_l("Opening times (optional)"), [optional(), max_length(500)])
    contact = StringField(
        _l("Contact: phone, e-mail or web address (optional)"), [optional(), max_length(200)]
    )
    cost = ChoiceField(_l("Cost"), [required()], choices=select_choices(list(COST_LABELS.items())))
    languages = CheckboxesField(_l("Languages spoken there (optional)"), choices=[])
    topics = CheckboxesField(_l("Topics (optional)"), choices=[])
    valid_from = LocalDateField(_l("Valid from"), [required()])
    valid_until = LocalDateField(
        _l("Valid until (optional)"), [optional()], description=_l("After this day the offer disappears.")
    )

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not self.age_groups.data and not self.age_groups.errors:
            self.age_groups.errors.append(_("Please choose at least one age."))
            valid = False
        if valid and self.valid_until.data and self.valid_until.data < filled(self.valid_from.data):
            self.valid_until.errors.append(_("The end cannot be before the start."))
            valid = False
        return valid

    def translations(self) -> tuple[dict[str, str], dict[str, str]]:
        titles = {"de": self.title_de.data}
        descriptions = {"de": self.description_de.data}
        for code in TRANSLATED:
            if self[f"title_{code}"].data:
                titles[code] = self[f"title_{code}"].data
            if self[f"description_{code}"].data:
                descriptions[code] = self[f"description_{code}"].data
        return titles, descriptions


for _code in TRANSLATED:
    setattr(
        OfferForm,
        f"title_{_code}",
        StringField(
            _l("Title in %(language)s", language=KNOWN_LANGUAGES[_code].native_name),
            [optional(), max_length(150)],
        ),
    )
    setattr(
        OfferForm,
        f"description_{_code}",
        TextAreaField(
            _l("Description in %(language)s", language=KNOWN_LANGUAGES[_code].native_name),
            [optional(), max_length(2000)],
        ),
    )


class ImportForm(BaseForm):
    pass  # the file is read from request.files; the form carries the CSRF token
