"""Plain functions that put things in the database the way the app would, with real commits."""

import itertools
from datetime import timedelta

from flask import Flask

from mentoring.accounts import services
from mentoring.extensions import db
from mentoring.mentorships.matching import Need
from mentoring.security import Role

DEMO_PASSWORD = "sunny-garden-72"
# A family that needs a Turkish speaker in Mitte/Styrum for a toddler.
TURKISH_FAMILY = Need(languages=frozenset({"tr"}), district="mitte-styrum", age_group="1-3")
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
        profile = consultations.expert_profile_of(user)
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


def load_municipality(app: Flask) -> None:
    """The demo municipality's districts and topics, as `flask seed-demo` loads them.

    Tests ask for the `municipality_data` fixture; this is for fixtures that build on it.
    """
    from mentoring.reference.services import load_reference_file

    with app.app_context():
        load_reference_file(app.config["MUNICIPALITY_DATA_FILE"])
        db.session.commit()


def make_mentor(app: Flask, username: str = "ayse", capacity: int = 1, status=None, **fields) -> int:  # type: ignore[no-untyped-def]
    """A mentor account with a profile (active unless `status` says otherwise); returns the profile id."""
    from mentoring.mentorships import vetting
    from mentoring.mentorships.models import MentorStatus

    make_user(app, role="mentor", username=username)
    with app.app_context():
        profile = vetting.mentor_profile_of(services.find_user_by_username(username))
        profile.languages = fields.pop("languages", ["tr", "de"])
        profile.districts = fields.pop("districts", ["mitte-styrum"])
        profile.capacity = capacity
        profile.status = status if status is not None else MentorStatus.ACTIVE
        for key, value in fields.items():
            setattr(profile, key, value)
        db.session.commit()
        return profile.id


def activate_mentor(app: Flask, username: str) -> int:
    """An active Turkish-speaking profile in Mitte/Styrum for an existing mentor account."""
    from mentoring.mentorships import vetting
    from mentoring.mentorships.models import MentorStatus

    with app.app_context():
        profile = vetting.mentor_profile_of(services.find_user_by_username(username))
        profile.languages, profile.districts, profile.status = ["tr"], ["mitte-styrum"], MentorStatus.ACTIVE
        db.session.commit()
        return profile.id


def active_match(app: Flask, mentor_id: int, parent: str = "lena", **asking) -> int:  # type: ignore[no-untyped-def]
    """A parent account that asked this mentor and was accepted; returns the match id."""
    from mentoring.mentorships import services as mentoring
    from mentoring.mentorships.models import MentorProfile

    make_user(app, username=parent, phone="0176 1234567", email=f"{parent}@example.org")
    with app.app_context():
        user = services.find_user_by_username(parent)
        match = mentoring.request_mentor(user, mentor_id, TURKISH_FAMILY, mentoring.Asking(**asking), 5)
        mentoring.accept(db.session.get(MentorProfile, mentor_id), match.id)
        db.session.commit()
        return match.id


def contact_entry(on=None, note: str = "Schlaf besprochen"):  # type: ignore[no-untyped-def]
    """A 30-minute phone contact about sleep (today unless `on` says otherwise)."""
    from mentoring import clock
    from mentoring.mentorships import relationship

    return relationship.ContactEntry(
        on=on or clock.today(), mode="phone", minutes=30, topics=["sleep"], note=note
    )


def mentoring_cast(app: Flask) -> None:
    """The districts and topics, and ayse (mentor, Turkish), office (coordinator) and lena (parent)."""
    load_municipality(app)
    make_user(app, role="mentor", username="ayse", email="ayse@example.org", locale="tr")
    make_user(app, role="coordinator", username="office")
    make_user(app, username="lena", email="lena@example.org", phone="0176 1234567")


def expert_slots(app: Flask, experts: range, slots_each: int = 2) -> list[int]:
    """Experts `expert<k>` (k in `experts`), each with `slots_each` slots, interleaved in time.

    Slot j of expert k starts 2 days + (j * 10 + k) hours from now, so a second call with the next
    range of experts puts their slots between the first ones, on the same first page.
    """
    from datetime import timedelta

    slots = []
    for k in experts:
        expert = make_expert(app, username=f"expert{k}", display_name=f"Expert Nummer {k}")
        for j in range(slots_each):
            slots.append(make_slot(app, expert, starts_in=timedelta(days=2, hours=j * 10 + k)))
    return slots


def waiting_families(app: Flask, numbers: range) -> None:
    """Parents `family<n>` who asked the programme office for a Turkish-speaking mentor."""
    from mentoring.mentorships import services as mentoring

    for n in numbers:
        make_user(app, username=f"family{n}", display_name=f"Familie Nummer {n}")
        with app.app_context():
            parent = services.find_user_by_username(f"family{n}")
            mentoring.ask_programme_office(parent, TURKISH_FAMILY, mentoring.Asking())
            db.session.commit()


def active_mentors(app: Flask, numbers: range) -> list[int]:
    """Active mentors `mentor<n>` with one free place each, who fit TURKISH_FAMILY."""
    ids = []
    for n in numbers:
        make_user(app, role="mentor", username=f"mentor{n}", display_name=f"Mentorin Nummer {n}")
        ids.append(activate_mentor(app, f"mentor{n}"))
    return ids


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
    from mentoring.consultations.booking import book_slot
    from mentoring.consultations.seats import Contact

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
        "/booking/{expired}",
        "/you-said-we-did",
    ],
    "theparent": [
        "/home",
        "/account",
        "/account/password",
        "/account/sessions",
        "/coordinator/users",
        "/mentoring",
        "/mentoring?languages=de&languages=tr&level-de=little&level-tr=native",
        "/mentoring?languages=tr&level-tr=fluent",  # a forged level: the error summary
        "/account/data",
    ],
    "thementor": [
        "/home",
        "/mentor/profile",
        "/mentor/requests",
        "/mentor/away",
        "/mentor/meetings",
        "/mentor/families/{match}",
        "/mentor/learning",
        "/mentor/families/{match}/concern",
        "/mentor/concerns/{concern}",
        "/mentor/contacts/{contact}/edit",
        "/mentor/groups",
        "/mentor/groups/meetings/{group_meeting}",
    ],
    "groupmember": ["/mentoring", "/mentoring/become-mentor"],
    "thementee": ["/mentoring", "/consultations/slots/{meeting}/book"],
    "sabine": [
        "/home",
        "/expert/agenda?view=week",
        "/expert/series",
        "/expert/slots/new",
        "/expert/series/new",
        "/expert/profile",
        "/expert/calendar-feed",
        "/expert/bookings/{booking}/survey",
    ],
    "thecoordinator": [
        "/home",
        "/coordinator/users",
        "/coordinator/users/{user_id}/reset-link",
        "/coordinator/invitations",
        "/coordinator/topics",
        "/coordinator/mentors",
        "/coordinator/mentors/{mentor_profile}",
        "/coordinator/matching",
        "/coordinator/mentorings",
        "/coordinator/families/new",
        "/coordinator/groups",
        "/coordinator/groups/new",
        "/coordinator/groups/{cohort}",
        "/coordinator/dashboard",
        "/coordinator/dashboard?date_from=2026-11-30&date_to=2026-11-01&by=district",
        "/coordinator/offers",
        "/coordinator/offers/new",
        "/coordinator/offers/{offer}",
        "/coordinator/offers/import",
        "/coordinator/offers/gaps",
        "/coordinator/survey-comments",
        "/coordinator/you-said-we-did",
        "/coordinator/you-said-we-did/new",
        "/coordinator/you-said-we-did/{change}",
        "/coordinator/interpreters",
        "/coordinator/audit",
        "/coordinator/settings",
        "/coordinator/settings/office",
        "/coordinator/settings/districts/new",
        "/coordinator/settings/referrals/new",
        "/coordinator/settings/referrals/kita",
        "/coordinator/group-sessions",
        "/coordinator/group-sessions/{group_session}",
        "/coordinator/concerns",
        "/coordinator/concerns/{concern}",
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
        ("/coordinator/users/{user_id}/reset-link", {"reason": ""}),
        ("/coordinator/topics", {"key": "Bad Key"}),
        ("/coordinator/families/new", {"name": "Familie Demir"}),
        ("/coordinator/families/new", {"name": "Familie Demir", "languages": "tr", "level-tr": "fluent"}),
        ("/coordinator/mentors/{mentor_profile}", {"training_on": "31.02.2026"}),
        ("/coordinator/mentors/{mentor_profile}/message", {"text": ""}),
        ("/coordinator/groups/new", {"name": "Eltern-AG", "weeks": "99", "starts_on": "31.02.2026"}),
        ("/coordinator/offers/new", {"title_de": "", "valid_until": "31.02.2026"}),
        ("/coordinator/you-said-we-did/new", {"done_on": "31.02.2026", "title_tr": "Başlık"}),
        ("/coordinator/group-sessions", {"topic": "", "capacity": "0"}),
        ("/coordinator/concerns/{concern}", {"body": ""}),
    ],
    "theparent": [
        ("/account/password", {"new_password": "x"}),
        ("/account/delete", {"password": "x"}),
        ("/account", {"email": "new@example.org", "locale": "de", "current_password": "x"}),
    ],
    "groupmember": [("/mentoring/become-mentor", {"username": "a b", "password": "kurz"})],
    "thementor": [
        ("/mentor/profile", {"capacity": "99"}),
        ("/mentor/away", {"first_day": "2026-13-01"}),
        ("/mentor/meetings", {"minutes": "5"}),
        ("/mentor/groups/meetings/{group_meeting}", {"present": "999"}),
        ("/mentor/families/{match}", {"on": "2099-01-01", "mode": "phone", "minutes": "30"}),
        ("/mentor/families/{match}/concern", {"body": ""}),
        ("/mentor/concerns/{concern}", {"body": ""}),
        ("/mentor/contacts/{contact}/edit", {"on": "2099-01-01", "mode": "phone", "minutes": "30"}),
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

    from mentoring.mentorships.vetting import Vetting

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


def survey_invitations(
    app: Flask, count: int, district: str = "ost", locale: str = "de", **fields
) -> list[int]:  # type: ignore[no-untyped-def]
    """`count` consultation invitations as an attended booking makes them; returns their ids."""
    from mentoring.surveys import services as surveys

    with app.app_context():
        ids = []
        for n in range(count):
            recipient = surveys.Recipient(
                locale,
                f"parent{n}-{district}-{locale}@example.org",
                None,
                district,
                fields.get("age_group", "1-3"),
            )
            invitation = surveys.invite(
                f"booking:{district}:{locale}:{n}:{fields}", surveys.CONSULTATION, recipient
            )
            assert invitation is not None
            ids.append(invitation.id)
        db.session.commit()
        return ids


def survey_token(app: Flask, invitation_id: int) -> str:
    """A link to the invitation as the outbox makes it when the message is sent; returns its token."""
    from mentoring.surveys import services as surveys

    with app.app_context():
        link = surveys.make_link(str(invitation_id))
        db.session.commit()
        assert link is not None
        return link.split("/survey/")[1].split("?")[0]


def text_as_sent(message) -> str:  # type: ignore[no-untyped-def]
    """The text of an outbox message as the backend would get it, its sealed links opened (inside an
    app context); the row itself holds only placeholders."""
    from mentoring.notifications.services import as_sent

    outgoing = as_sent(message)
    assert outgoing is not None
    return outgoing.body_text


def delivered(app: Flask) -> list[str]:
    """Run the outbox worker once; the texts the file backend delivered in this run, oldest first
    (e-mails as their plain-text part, SMS as written)."""
    import email
    import shutil
    from email import policy
    from pathlib import Path

    from mentoring.notifications.services import deliver_due_messages

    shutil.rmtree(app.config["MAIL_FILE_DIR"], ignore_errors=True)
    with app.app_context():
        deliver_due_messages(app.config["OUTBOX_MAX_ATTEMPTS"])
    folder = Path(app.config["MAIL_FILE_DIR"])
    texts = []
    for path in sorted(folder.glob("*")) if folder.exists() else []:
        if path.name.endswith("-email.eml"):
            message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
            body = message.get_body(("plain",))  # type: ignore[attr-defined]
            texts.append(f"To: {message['To']}\nSubject: {message['Subject']}\n\n{body.get_content()}")
        else:
            texts.append(path.read_text("utf-8"))
    return texts


def make_group_session(app: Flask, starts_in=None, capacity: int = 4, **overrides) -> int:  # type: ignore[no-untyped-def]
    """An exchange meeting the office published (by `office`, made if missing); returns its id."""
    from mentoring.clock import utcnow
    from mentoring.mentorships import qualification
    from mentoring.mentorships.models import LearningKind

    with app.app_context():
        exists = services.find_user_by_username("office") is not None
    if not exists:
        make_user(app, role="coordinator", username="office")
    with app.app_context():
        office = services.find_user_by_username("office")
        fields = {
            "kind": LearningKind.EXCHANGE,
            "topic": "Schlaf und Zahnen",
            "starts_at": utcnow().replace(microsecond=0) + (starts_in or timedelta(days=7)),
            "minutes": 120,
            "place": "Rathaus, Raum 3",
            "is_online": False,
            "capacity": capacity,
        } | overrides
        session = qualification.publish_session(office, qualification.SessionSpec(**fields), utcnow())
        db.session.commit()
        return session.id
