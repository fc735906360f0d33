"""Plain functions that put things in the database the way the app would, with real commits."""

import itertools

from flask import Flask

from mentoring.accounts import services
from mentoring.extensions import db
from mentoring.security import Role

DEMO_PASSWORD = "sunny-garden-72"
_numbers = itertools.count(1)


def make_user(
    app: Flask,
    role: str | Role = Role.PARENT,
    username: str | None = None,
    password: str = DEMO_PASSWORD,
    locale: str = "de",
    **fields: object,
) -> str:
    """Create an account and return its username."""
    role = Role(role)
    username = username or f"{role.value}{next(_numbers)}"
    with app.app_context():
        services.create_user(
            services.NewAccount(username=username, password=password, locale=locale, **fields),  # type: ignore[arg-type]
            role,
        )
        db.session.commit()
    return username


def get_user(app: Flask, username: str):  # type: ignore[no-untyped-def]
    """Load a user in a fresh app context; returns a detached object for assertions."""
    with app.app_context():
        user = services.find_user_by_username(username)
        if user is not None:
            db.session.expunge(user)
        return user


def make_expert(
    app: Flask, username: str | None = None, languages=("de",), email: str | None = None, **fields
) -> int:  # type: ignore[no-untyped-def]
    """An expert account with a profile; returns the profile id."""
    from mentoring.consultations import services as consultations

    username = make_user(app, role=Role.EXPERT, username=username, email=email, **fields)
    with app.app_context():
        user = services.find_user_by_username(username)
        profile = consultations.get_or_create_profile(user)
        consultations.update_profile(profile, "Hebamme", list(languages), None)
        db.session.commit()
        return profile.id


def make_slot(app: Flask, expert_id: int, starts_in=None, minutes: int = 30, **overrides) -> int:  # type: ignore[no-untyped-def]
    """A bookable slot `starts_in` from now (default two days); returns its id.

    A start in the past is allowed here (the service refuses it), for attendance tests.
    """
    from datetime import timedelta

    from mentoring.clock import utcnow
    from mentoring.consultations import services as consultations
    from mentoring.consultations.models import ContactMode, ExpertProfile

    spec = consultations.SlotSpec(
        mode=overrides.pop("mode", ContactMode.PHONE),
        languages=list(overrides.pop("languages", ["de"])),
        topics=list(overrides.pop("topics", ["sleep"])),
        **overrides,
    )
    starts_at = (utcnow() + (starts_in if starts_in is not None else timedelta(days=2))).replace(
        microsecond=0
    )
    with app.app_context():
        expert = db.session.get(ExpertProfile, expert_id)
        slot = consultations.new_slot(expert, starts_at, minutes, spec)
        db.session.add(slot)
        db.session.commit()
        return slot.id


PARENT = {
    "name": "Ayla",
    "phone": "0176 12345678",
    "email": "",
    "locale": "de",
    "district": "",
    "age_group": "",
    "note": "",
    "consent": "y",
}


def book_in_db(app: Flask, slot_id: int, **contact) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    """Book through the service with a real commit; returns (booking id, manage token)."""
    from mentoring.consultations.booking import Contact, book_slot

    values = {"name": "Ayla", "phone": "+4917612345678", "locale": "de", "privacy_version": "test"} | contact
    with app.app_context():
        booking, token = book_slot(slot_id, Contact(**values))
        db.session.commit()
        return booking.id, token


# Pages each kind of visitor opens (None: not logged in), and forms sent with mistakes; used by the
# pseudo-locale and accessibility walks. Placeholders come from the `world` fixture.
PAGES = {
    None: [
        "/",
        "/privacy",
        "/imprint",
        "/login",
        "/register",
        "/register/mentor",
        "/password/forgot",
        "/consultations",
        "/consultations/slots/{slot}/book",
        "/booking/{token}",
        "/booking/{token}/move",
        "/password/reset/{reset}",
        "/invitation/{invitation}",
        "/no-such-page",
        "/password/reset/expired",
        "/survey/{survey}",
        "/survey/not-a-real-link",
        "/offers",
        "/offers?district=osterfeld",
        "/offers?district=osterfeld&age_group=1-3",
        "/offers?q=Krabbel&topic=sleep",
        "/offers/print?district=osterfeld&age_group=1-3",
        "/waitlist",
        "/waitlist/{waitlist}",
        "/waitlist/{waitlist}/leave",
        "/booking/{held}",
        "{answer}",
        "/booking/{token}/delete",
    ],
    "theparent": [
        "/home",
        "/account",
        "/account/password",
        "/coordinator/users",
        "/mentoring",
        "/mentoring?languages=de&languages=tr",
        "/account/data",
    ],
    "thementor": [
        "/home",
        "/mentor/profile",
        "/mentor/requests",
        "/mentor/away",
        "/mentor/meetings",
        "/mentor/families/{match}",
    ],
    "thementee": ["/mentoring", "/consultations/slots/{meeting}/book"],
    "sabine": [
        "/home",
        "/expert/agenda?view=week",
        "/expert/series",
        "/expert/slots/new",
        "/expert/series/new",
        "/expert/profile",
        "/expert/calendar-feed",
    ],
    "thecoordinator": [
        "/home",
        "/coordinator/users",
        "/coordinator/invitations",
        "/coordinator/topics",
        "/coordinator/mentors",
        "/coordinator/mentors/{mentor_profile}",
        "/coordinator/matching",
        "/coordinator/mentorings",
        "/coordinator/families/new",
        "/coordinator/dashboard",
        "/coordinator/dashboard?date_from=2026-11-30&date_to=2026-11-01&by=district",
        "/coordinator/offers",
        "/coordinator/offers/new",
        "/coordinator/offers/{offer}",
        "/coordinator/offers/import",
        "/coordinator/offers/gaps",
        "/coordinator/interpreters",
        "/coordinator/audit",
    ],
}
FAILED_FORMS = {
    None: [
        ("/login", {}),
        ("/register", {"username": "a b"}),
        ("/password/forgot", {}),
        ("/consultations/slots/{slot}/book", {"phone": "12"}),
        ("/survey/{survey}", {"satisfaction": "9"}),
        ("/waitlist", {"phone": "12", "weeks": "9"}),
        ("/consultations/slots/{slot}/book", {"interpreter": "y"}),
    ],
    "sabine": [("/expert/series/new", {"weekday": "9"}), ("/expert/slots/new", {}), ("/expert/profile", {})],
    "thecoordinator": [
        ("/coordinator/invitations", {}),
        ("/coordinator/topics", {"key": "Bad Key"}),
        ("/coordinator/families/new", {"name": "Familie Demir"}),
        ("/coordinator/offers/new", {"title_de": "", "valid_until": "31.02.2026"}),
    ],
    "theparent": [("/account/password", {"new_password": "x"}), ("/account/delete", {"password": "x"})],
    "thementor": [
        ("/mentor/profile", {"capacity": "99"}),
        ("/mentor/away", {"first_day": "2026-13-01"}),
        ("/mentor/meetings", {"minutes": "5"}),
        ("/mentor/families/{match}", {"on": "2099-01-01", "mode": "phone", "minutes": "30"}),
    ],
}


def zero_argument_date_calls(path) -> list[str]:  # type: ignore[no-untyped-def]
    """The source lines (stripped) in a Python file that call `.date()` without arguments.

    On an aware datetime that is the date in the datetime's own zone -- UTC's day for an instant
    from utcnow() -- so only mentoring/clock.py may do it.
    """
    import ast
    from pathlib import Path

    source = Path(path).read_text(encoding="utf-8")
    lines = source.splitlines()
    return [
        lines[node.end_lineno - 1].strip()
        for node in ast.walk(ast.parse(source, filename=str(path)))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "date"
        and not node.args
        and not node.keywords
        and node.end_lineno is not None
    ]


def good_vetting(today):  # type: ignore[no-untyped-def]
    """What a coordinator records for a mentor who may start: training a month ago, a recent certificate."""
    from datetime import timedelta

    from mentoring.mentorships.services import Vetting

    return Vetting(
        training_on=today - timedelta(days=30),
        certificate_seen_on=today - timedelta(days=60),
        has_relevant_entry=False,
    )


def make_offer(app: Flask, title: str, **fields) -> int:  # type: ignore[no-untyped-def]
    """A free group offer in German for toddlers in Osterfeld, current from ten days ago; returns its id."""
    from datetime import timedelta

    from mentoring import clock
    from mentoring.offers.models import Cost, Offer, OfferKind

    with app.app_context():
        values = {
            "titles": {"de": title},
            "descriptions": {"de": "Spielen, singen, Eltern treffen."},
            "provider": "Familienzentrum Osterfeld",
            "kind": OfferKind.GROUP,
            "age_groups": ["1-3"],
            "districts": ["osterfeld"],
            "cost": Cost.FREE,
            "languages": ["de"],
            "valid_from": clock.today() - timedelta(days=10),
            "search_text": title.lower(),
        } | fields
        offer = Offer(**values)
        db.session.add(offer)
        db.session.commit()
        return offer.id


def gaps_row(html: str, district: str) -> list[int]:
    """The counts a coordinator reads in one district's row of the gaps grid, in the order of the chain."""
    import re

    row = re.search(rf'<th scope="row">{re.escape(district)}</th>(.*?)</tr>', html, re.S)
    assert row, f"no row for {district}"
    return [int(count) for count in re.findall(r"<td[^>]*>(?:<strong>)?(\d+)", row.group(1))]
