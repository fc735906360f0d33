from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField

from mentoring.forms import (
    BaseForm,
    ChoiceField,
    LocalDateField,
    RadiosField,
    filled,
    max_length,
    optional,
    required,
    select_choices,
)
from mentoring.reference.choices import PREFER_NOT_TO_SAY
from mentoring.surveys.questionnaire import COMMENT_MAX, QUESTIONS, Question


def scale_choices(question: Question) -> list[tuple[str, str]]:
    """1 … 5 with the words of both ends; optional questions can be left out."""
    scale = [
        (str(n), f"{n} – {question.low}" if n == 1 else f"{n} – {question.high}" if n == 5 else str(n))
        for n in range(1, 6)
    ]
    return scale if question.required else [*scale, ("", str(PREFER_NOT_TO_SAY))]


class SurveyForm(BaseForm):
    comment = TextAreaField(
        _l("Anything else you would like to tell us? (optional)"),
        [optional(), max_length(COMMENT_MAX)],
        description=_l("Please do not write names. We read this to make the help better."),
    )

    def answers(self) -> dict[str, int | None]:
        return {q.key: int(self[q.key].data) if self[q.key].data else None for q in QUESTIONS}


for _question in QUESTIONS:
    setattr(
        SurveyForm,
        _question.key,
        RadiosField(_question.text, [required()] if _question.required else [], choices=[], default=""),
    )


def survey_form() -> SurveyForm:
    form = SurveyForm()
    for question in QUESTIONS:
        form[question.key].choices = scale_choices(question)
    return form


class ResendForm(BaseForm):
    """The expert's one button: send the survey again to the parent's own phone or e-mail."""


DIMENSION_LABELS = [
    ("month", _l("Month")),
    ("district", _l("District")),
    ("language", _l("Language")),
    ("age_group", _l("Age of the child")),
    ("referral", _l("Referred by")),
    ("service", _l("Service")),
]
# Survey results are published per sealed quarter: a month or a referral would only split it.
SURVEY_DIMENSION_LABELS = [
    pair for pair in DIMENSION_LABELS if pair[0] in {"district", "language", "age_group", "service"}
]
MAX_PERIOD_DAYS = 3 * 366
FIRST_YEAR, LAST_YEAR = 2000, 2099


class DashboardForm(BaseForm):
    """Filters from the query string; a bookmarkable page. Participation is counted by whole
    months (the dates are widened to the months they fall in); the survey by sealed quarter."""

    class Meta:
        csrf = False

    date_from = LocalDateField(_l("From"), [required()])
    date_to = LocalDateField(_l("Until"), [required()])
    by = ChoiceField(_l("Show by"), [required()], choices=select_choices(DIMENSION_LABELS))
    quarter = ChoiceField(_l("Quarter"), choices=[])
    survey_by = ChoiceField(
        _l("Show survey results by"), [required()], choices=select_choices(SURVEY_DIMENSION_LABELS)
    )

    def set_quarters(self, quarters: list[tuple[str, object]]) -> None:
        """The sealed quarters, newest first; none yet: the survey part stays empty."""
        self.quarter.choices = select_choices(quarters) if quarters else select_choices([("", "–")])

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        start, end = filled(self.date_from.data), filled(self.date_to.data)
        for bound in (self.date_from, self.date_to):
            if not FIRST_YEAR <= filled(bound.data).year <= LAST_YEAR:
                bound.errors.append(_("Please choose a date between 2000 and 2099."))
                return False
        if end < start:
            self.date_to.errors.append(_("The end cannot be before the start."))
            return False
        if (end - start).days > MAX_PERIOD_DAYS:
            self.date_to.errors.append(_("Please choose at most three years."))
            return False
        return True


def default_filters(today: date, newest_quarter: str | None) -> dict[str, str]:
    """The last twelve whole months up to today, by month; the newest sealed quarter by district."""
    start = date(today.year - 1, today.month, 1)
    return {
        "date_from": start.isoformat(),
        "date_to": today.isoformat(),
        "by": "month",
        "quarter": newest_quarter or "",
        "survey_by": "district",
    }
