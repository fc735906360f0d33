"""The coordinators' forms for parents' comments and for "You said, we did"."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import StringField, TextAreaField

from mentoring.forms import (
    BaseForm,
    ChoiceField,
    LocalDateField,
    max_length,
    optional,
    required,
    select_choices,
)
from mentoring.i18n.languages import KNOWN_LANGUAGES
from mentoring.surveys.changes import REQUIRED_LOCALE
from mentoring.surveys.comments import STATUS_LABELS, THEMES

TITLE_MAX = 150
BODY_MAX = 2000
TRANSLATED = tuple(code for code in KNOWN_LANGUAGES if code != REQUIRED_LOCALE)


class CommentStateForm(BaseForm):
    """A comment's theme and reading status (one small form per comment on the page)."""

    status = ChoiceField(
        _l("Status"),
        [required()],
        choices=select_choices([(status.value, label) for status, label in STATUS_LABELS.items()]),
    )
    theme = ChoiceField(
        _l("Theme"),
        choices=select_choices([("", _l("No theme yet")), *THEMES.items()]),
        default="",
    )


class ChangeForm(BaseForm):
    """One "You said, we did" entry: German required, the other languages optional."""

    done_on = LocalDateField(
        _l("Changed on"), [required()], description=_l("The day the change took effect.")
    )
    title_de = StringField(_l("Title in German"), [required(), max_length(TITLE_MAX)])
    body_de = TextAreaField(
        _l("What parents said and what we changed, in German"), [required(), max_length(BODY_MAX)]
    )

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for code in TRANSLATED:
            title, body = self[f"title_{code}"], self[f"body_{code}"]
            if title.data and not body.data and not body.errors:
                body.errors.append(_("Please write the text too, or leave out the title."))
                valid = False
            elif body.data and not title.data and not title.errors:
                title.errors.append(_("Please write a title too, or leave out the text."))
                valid = False
        return valid

    def texts(self) -> dict[str, tuple[str, str]]:
        """{locale: (title, text)} for every language written."""
        texts = {REQUIRED_LOCALE: (self.title_de.data, self.body_de.data)}
        for code in TRANSLATED:
            if self[f"title_{code}"].data:
                texts[code] = (self[f"title_{code}"].data, self[f"body_{code}"].data)
        return texts


for _code in TRANSLATED:
    setattr(
        ChangeForm,
        f"title_{_code}",
        StringField(
            _l("Title in %(language)s", language=KNOWN_LANGUAGES[_code].native_name),
            [optional(), max_length(TITLE_MAX)],
        ),
    )
    setattr(
        ChangeForm,
        f"body_{_code}",
        TextAreaField(
            _l("Text in %(language)s", language=KNOWN_LANGUAGES[_code].native_name),
            [optional(), max_length(BODY_MAX)],
        ),
    )


class DeleteForm(BaseForm):
    pass  # carries the CSRF token
