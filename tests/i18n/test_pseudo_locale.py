"""Pseudo-locale: every translated string is wrapped in ⟦…⟧; visible text outside the markers is a
string someone forgot to mark for translation (or data, which is listed here on purpose)."""

import re
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import pytest
from babel.dates import get_day_names, get_month_names
from babel.support import NullTranslations
from flask import render_template
from flask_babel import Domain, force_locale
from sqlalchemy import select

from mentoring import clock
from mentoring.accounts import services as accounts
from mentoring.consultations.messages import manage_url, video_url
from mentoring.consultations.models import Booking
from mentoring.extensions import db
from mentoring.i18n.languages import KNOWN_LANGUAGES
from mentoring.mentorships.chores import Digest
from tests.conftest import log_in, submit
from tests.factories import FAILED_FORMS, PAGES

OPEN, CLOSE = "⟦", "⟧"
TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


class PseudoTranslations(NullTranslations):
    def ugettext(self, message):  # type: ignore[no-untyped-def]
        return f"{OPEN}{message}{CLOSE}"

    gettext = ugettext

    def ungettext(self, singular, plural, n):  # type: ignore[no-untyped-def]
        return f"{OPEN}{singular if n == 1 else plural}{CLOSE}"

    ngettext = ungettext


@pytest.fixture
def pseudo(monkeypatch):
    monkeypatch.setattr(Domain, "get_translations", lambda self: PseudoTranslations())


class VisibleText(HTMLParser):
    """Text a person sees or hears: text nodes (not script/style) and a few attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        if tag in {"script", "style"}:
            self.hidden += 1
        for name, value in attrs:
            if name in {"aria-label", "title", "alt", "placeholder"} and value:
                self.parts.append(value)

    def handle_endtag(self, tag):  # type: ignore[no-untyped-def]
        if tag in {"script", "style"}:
            self.hidden -= 1

    def handle_data(self, data):  # type: ignore[no-untyped-def]
        if not self.hidden:
            self.parts.append(data)


def unmarked(text: str, allowed: list[str]) -> list[str]:
    previous = None
    while previous != text:  # markers may nest (a translated string inside another's argument)
        previous, text = text, re.sub(f"{OPEN}[^{OPEN}{CLOSE}]*{CLOSE}", " ", text)
    for value in sorted(allowed, key=len, reverse=True):  # whole words only: "en" is no part of "often"
        text = re.sub(rf"(?<!\w){re.escape(value)}(?!\w)", " ", text)
    words = [word for word in re.split(r"\s+", text) if re.search(r"[^\W\d_]", word)]
    # Links and record ids ("mentor:12" in the audit log) are data, not UI text.
    return [
        word for word in words if not (word.startswith("/") or "=" in word or re.fullmatch(r"\w+:\d+", word))
    ]


def data_strings(app) -> list[str]:
    """Things that are data, not UI text: names people typed, brand, places, dates, languages."""
    values = [lang.native_name for lang in KNOWN_LANGUAGES.values()] + list(KNOWN_LANGUAGES)
    values += list(get_day_names("wide", locale="de").values()) + list(
        get_month_names("wide", locale="de").values()
    )
    values += list(get_month_names("abbreviated", locale="de").values())
    values += [app.config[key] for key in ("PROGRAMME_NAME", "MUNICIPALITY_NAME", "IMPRINT_ADDRESS")]
    values.append(app.config["VIDEO_BASE_URL"].rstrip("/"))
    with app.app_context():
        from mentoring.reference.models import District, Topic

        for district in db.session.scalars(select(District)):
            values += [district.name, district.key]
        for topic in db.session.scalars(select(Topic)):
            values += [*topic.names.values(), topic.key]
        from mentoring.reference.models import OfficeContact

        for office in db.session.scalars(select(OfficeContact)):  # typed by a coordinator
            values += [office.office_name, office.street, office.postcode_city, office.phone, office.email]
            values += list(office.hours.values())
        from mentoring.reference.settings import BUILTIN_REFERRALS

        values += [key for key, _label in BUILTIN_REFERRALS]  # keys, shown next to their names
        from mentoring.accounts.models import User

        values += [user.username for user in db.session.scalars(select(User))]
        for booking in db.session.scalars(select(Booking)):
            values += [booking.reference, booking.name, booking.phone or "", booking.email or ""]
            if booking.video_room:
                values.append(booking.video_room)
    values += ["Sabine Kaya", "Hebamme", "Ayla", "ayla@example.org", "http://localhost", "localhost", "Uhr"]
    values += ["Familie Demir", "Gutes Gespräch"]  # typed by a coordinator and a mentor
    values += ["Schlaf und Zahnen", "Rathaus", "Grundkurs"]  # a group session and a training, typed by the office
    values += ["Die Mutter wirkt sehr erschöpft.", "Rufen Sie uns an."]  # a concern and its answer
    values += ["Eltern-AG Styrum", "Familienzentrum Styrum", "Familie Yıldız"]  # a parents' group
    values += [
        "Krabbelgruppe",
        "Група за пълзене",
        "Spielen, singen, Eltern treffen.",
        "Familienzentrum Osterfeld",
    ]
    values += ["Akşam randevusu lütfen,", "Abendtermine", "Jetzt auch dienstags am Abend."]
    values += ["Akşam randevuları", "Artık salı akşamları da."]  # a comment and a "You said, we did" entry
    return [v for v in values if v]


def test_every_page_and_form_error_is_translatable(app, world, pseudo):
    allowed = data_strings(app)
    problems = []
    for who in PAGES:
        client = log_in(app, who) if who else app.test_client()
        requests = [("GET", path, None) for path in PAGES[who]] + [
            ("POST", p, d) for p, d in FAILED_FORMS.get(who, [])
        ]
        for method, path, data in requests:
            url = path.format(**world)
            response = client.get(url) if method == "GET" else submit(client, url, data, page="/")
            assert response.status_code < 500, url
            if "text/html" not in response.content_type or 300 <= response.status_code < 400:
                continue
            parser = VisibleText()
            parser.feed(response.text)
            words = unmarked(" ".join(parser.parts), allowed + ([who] if who else []))
            if words:
                problems.append(f"{method} {url} as {who or 'anonymous'}: {words[:8]}")
    assert problems == [], "\n".join(problems)


def test_every_message_template_is_translatable(app, world, pseudo):
    allowed = data_strings(app)
    templates = sorted(
        str(path.relative_to(TEMPLATES))
        for folder in ("emails", "sms")
        for path in (TEMPLATES / folder).rglob("*.*")
        if not path.name.startswith("_")
    )
    assert len(templates) > 25
    problems = []
    with app.test_request_context(), force_locale("de"):
        booking = db.session.scalars(select(Booking)).first()
        user = accounts.find_user_by_username("theparent")
        invitation = type("Invitation", (), {"display_name": "Sabine Kaya"})()
        match = SimpleNamespace(
            mentor=SimpleNamespace(user=user),
            parent=user,
            expires_at=booking.slot.starts_at,
            languages=["tr"],
            language_levels={"tr": "native"},
            district=None,
            age_group="1-3",
            topics=[],
            contact_mode="phone",
            note="Krank",
        )
        context = {
            "booking": booking,
            "slot": booking.slot,
            "expert": booking.slot.expert,
            "manage_url": manage_url(booking, "token"),
            "video_url": video_url(booking),
            "user": user,
            "person": user,
            "match": match,
            "digest": Digest(
                unmatched=[(match, 8)],
                no_contact=[(match, 15)],
                certificates=[(match.mentor, clock.local_date(booking.slot.starts_at))],
                applicants=[(match.mentor, 3)],
            ),
            "sender": "theparent",
            "text": "Krank",
            "matching_link": "http://localhost/x",
            "service": "mentoring",
            "entry": SimpleNamespace(name="Ayla"),
            "leave_url": "http://localhost/x",
            "coming_url": "http://localhost/x",
            "not_coming_url": "http://localhost/x",
            "kind": "reminder",
            "expires_at": booking.slot.starts_at,
            "mentorings_link": "http://localhost/x",
            "mentors_link": "http://localhost/x",
            "link": "http://localhost/x",
            "hours": 2,
            "days": 14,
            "invitation": invitation,
            "cohort": SimpleNamespace(name="Eltern-AG Styrum", starts_on=clock.local_date(booking.slot.starts_at)),
        }
        booking.cancel_reason = "Krank"
        booking.hold_until = booking.slot.starts_at
        allowed += ["Krank", "theparent", "/x", "http://localhost/x", "Türkçe"]
        for name in templates:
            text = render_template(name, **context)
            if name.endswith(".html"):
                parser = VisibleText()
                parser.feed(text)
                text = " ".join(parser.parts)
            words = unmarked(text, [*allowed, context["manage_url"], context["video_url"] or ""])
            if words:
                problems.append(f"{name}: {words[:8]}")
        db.session.rollback()
    assert problems == [], "\n".join(problems)
