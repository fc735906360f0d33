"""Why a mentor parent fits, in plain words of the reader's language."""

from flask_babel import gettext as _

from mentoring.i18n.languages import KNOWN_LANGUAGES
from mentoring.mentorships.forms import CONTACT_LABELS, LANGUAGE_LEVEL_LABELS
from mentoring.mentorships.matching import Reason
from mentoring.mentorships.models import MentoringMatch
from mentoring.reference.models import AGE_GROUP_LABELS, AgeGroup


def describe(reasons: tuple[Reason, ...], districts: dict[str, str], topics: dict[str, str]) -> list[str]:
    contact = dict(CONTACT_LABELS)
    lines = []
    for reason in reasons:
        if reason.kind == "languages":
            names = ", ".join(
                KNOWN_LANGUAGES[code].native_name for code in reason.values if code in KNOWN_LANGUAGES
            )
            lines.append(_("Speaks %(languages)s", languages=names))
        elif reason.kind == "district":
            lines.append(
                _(
                    "Meets families in %(district)s",
                    district=districts.get(reason.values[0], reason.values[0]),
                )
            )
        elif reason.kind == "age_group":
            label = (
                AGE_GROUP_LABELS.get(AgeGroup(reason.values[0]))
                if reason.values[0] in set(AgeGroup)
                else None
            )
            lines.append(_("Experienced with: %(age)s", age=label or reason.values[0]))
        elif reason.kind == "topics":
            lines.append(
                _("Knows about: %(topics)s", topics=", ".join(topics.get(t, t) for t in reason.values))
            )
        elif reason.kind == "contact_mode":
            lines.append(_("Keeps in touch: %(mode)s", mode=contact.get(reason.values[0], reason.values[0])))
    return lines


def describe_need(
    match: MentoringMatch, districts: dict[str, str], topics: dict[str, str]
) -> list[tuple[str, str]]:
    """What the family asked for, as (label, value) lines a mentor may read before accepting.

    Only the need: never the family's phone, e-mail or address (those follow the acceptance).
    """
    lines = []
    levels, level_names = match.language_levels or {}, dict(LANGUAGE_LEVEL_LABELS)
    names = [
        _(
            "%(language)s (%(level)s)",
            language=KNOWN_LANGUAGES[code].native_name,
            level=level_names[levels[code]],
        )
        if levels.get(code) in level_names
        else KNOWN_LANGUAGES[code].native_name
        for code in match.languages
        if code in KNOWN_LANGUAGES
    ]
    if names:
        lines.append((_("Languages"), ", ".join(names)))
    if match.age_group:
        label = AGE_GROUP_LABELS.get(AgeGroup(match.age_group)) if match.age_group in set(AgeGroup) else None
        lines.append((_("Age of the child"), str(label or match.age_group)))
    if match.topics:
        lines.append((_("Topics"), ", ".join(topics.get(t, t) for t in match.topics)))
    if match.district:
        lines.append((_("District"), districts.get(match.district, match.district)))
    if match.contact_mode:
        contact = dict(CONTACT_LABELS)
        lines.append((_("Keeping in touch"), str(contact.get(match.contact_mode, match.contact_mode))))
    return lines
