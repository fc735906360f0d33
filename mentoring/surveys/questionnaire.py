"""The questionnaire: versioned; a new wording is a new version, so answers stay comparable."""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

VERSION = "2026-1"


@dataclass(frozen=True)
class Question:
    key: str  # the column in survey_responses
    text: object  # lazy string
    low: object  # label of 1
    high: object  # label of 5
    required: bool = False


AGREE_LOW, AGREE_HIGH = _l("Not true at all"), _l("Completely true")
QUESTIONS = (
    Question(
        "satisfaction",
        _l("All in all, how happy are you with the help?"),
        _l("Not happy"),
        _l("Very happy"),
        True,
    ),
    Question("language_ok", _l("I could talk in a language I understand well."), AGREE_LOW, AGREE_HIGH),
    Question("knows_help", _l("I know better now where to find help."), AGREE_LOW, AGREE_HIGH),
    Question("booking_easy", _l("Booking was easy."), AGREE_LOW, AGREE_HIGH),
    Question("recommend", _l("I would recommend it to other parents."), AGREE_LOW, AGREE_HIGH),
)
QUESTION_KEYS = tuple(q.key for q in QUESTIONS)
COMMENT_MAX = 1000
