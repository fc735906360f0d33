from datetime import time, timedelta

import click
from flask import current_app
from sqlalchemy import select

from mentoring import clock
from mentoring.accounts import services as accounts
from mentoring.accounts.models import User
from mentoring.consultations import services as consultations
from mentoring.consultations.models import CallDirection, ContactMode
from mentoring.extensions import db
from mentoring.reference import services as reference
from mentoring.security import Role
from mentoring.web import bp

DEMO_PASSWORD = "sonnige-wiese-2026"  # noqa: S105  (documented demo password, refused in production)

DEMO_USERS = (
    ("coordinator", Role.COORDINATOR, "Koordinierungsstelle"),
    ("expert", Role.EXPERT, "Sabine Kaya"),
    ("mentor", Role.MENTOR, "Ayşe (Mentorin)"),
    ("parent", Role.PARENT, "Lena"),
    ("familie", Role.PARENT, "Familie Yılmaz"),
    ("bewerberin", Role.MENTOR, "Mariam (Bewerberin)"),
)

# Experts with weekly series over the next four weeks: (username, name, profession, languages,
# [(weekday, start hour, end hour, mode, topics)]).
DEMO_EXPERTS = (
    (
        "expert",
        "Sabine Kaya",
        "Hebamme",
        ["de", "tr"],
        [
            (1, 9, 11, ContactMode.PHONE, ["pregnancy", "feeding", "sleep"]),
            (3, 14, 16, ContactMode.ONLINE, ["crying", "sleep"]),
        ],
    ),
    (
        "olena",
        "Olena Petrenko",
        "Kinderkrankenschwester",
        ["uk", "ru", "de"],
        [
            (0, 10, 12, ContactMode.ONLINE, ["feeding", "crying", "language"]),
            (2, 15, 17, ContactMode.PHONE, ["sleep", "kita"]),
        ],
    ),
    (
        "ahmad",
        "Ahmad Rahimi",
        "Familienberater",
        ["ar", "fa", "de", "en"],
        [
            (1, 16, 18, ContactMode.PHONE, ["money", "kita", "school-start"]),
            (4, 9, 11, ContactMode.ONLINE, ["money", "language"]),
        ],
    ),
)


def seed_demo_slots() -> int:
    """Weekly series for the demo experts, once: an expert who has series keeps them."""
    created = 0
    first = clock.today() + timedelta(days=1)
    for username, name, profession, languages, rules in DEMO_EXPERTS:
        user = ensure_demo_user(username, Role.EXPERT, name)
        profile = consultations.expert_profile_of(user)
        consultations.update_profile(profile, profession, languages, "+492088250")
        if consultations.expert_series(profile):
            continue
        for weekday, start, end, mode, topics in rules:
            spec = consultations.SlotSpec(
                mode=mode,
                languages=languages,
                topics=topics,
                call_direction=CallDirection.EXPERT_CALLS,
                min_notice_hours=2,
                horizon_days=60,
                cancel_deadline_hours=2,
            )
            _series, count = consultations.create_series(
                profile,
                weekday,
                time(start),
                time(end),
                30,
                first,
                first + timedelta(days=27),
                [],
                spec,
            )
            created += count
    return created


def ensure_demo_user(username: str, role: Role, display_name: str) -> User:
    user = db.session.scalars(select(User).where(User.username == username)).first()
    if user is None:
        user = accounts.create_user(
            accounts.NewAccount(
                username=username,
                password=DEMO_PASSWORD,
                locale=current_app.config["DEFAULT_LOCALE"],
                display_name=display_name,
            ),
            role,
        )
    return user


def seed_demo_mentor() -> None:
    """The demo mentor is vetted and active, so parents see suggestions at once."""

    from mentoring.mentorships import vetting
    from mentoring.mentorships.models import MentorStatus

    user = db.session.scalars(select(User).where(User.username == "mentor")).one()
    profile = vetting.mentor_profile_of(user)
    if profile.status != MentorStatus.APPLICANT:
        return
    profile.languages = ["tr", "de"]
    profile.districts = ["mitte-styrum", "alstaden-lirich"]
    profile.age_groups = ["0-1", "1-3"]
    profile.topics = ["sleep", "kita", "feeding"]
    profile.contact_modes = ["in-person", "phone"]
    profile.capacity = 2
    profile.introduction = "Ich habe zwei Kinder und weiß, wie anstrengend die ersten Jahre sind."
    coordinator = db.session.scalars(select(User).where(User.username == "coordinator")).one()
    today = clock.today()
    facts = vetting.Vetting(today.replace(day=1), today.replace(day=1), has_relevant_entry=False)
    vetting.activate(profile, coordinator, facts, today)
    profile.shares = ["phone"]
    profile.availability = ["0-evening", "2-morning", "5-afternoon"]
    user.phone = "+4917600000001"
    seed_demo_mentoring(profile, coordinator)
    seed_demo_learning(profile, coordinator)


def seed_demo_learning(profile, coordinator: User) -> None:
    """The demo mentor's qualification record (the basic training, an exchange meeting) and two
    sessions to come: an exchange meeting the mentor booked, and a training with places left."""
    from datetime import time, timedelta

    from mentoring.mentorships import qualification
    from mentoring.mentorships.models import LearningKind

    today = clock.today()
    qualification.add_entry(
        profile, coordinator, LearningKind.TRAINING, today.replace(day=1), "Grundkurs", today
    )
    qualification.add_entry(
        profile,
        coordinator,
        LearningKind.EXCHANGE,
        today - timedelta(days=40),
        "Schlaf im ersten Jahr",
        today,
    )
    exchange = qualification.publish_session(
        coordinator,
        qualification.SessionSpec(
            LearningKind.EXCHANGE,
            "Kita-Eingewöhnung begleiten",
            clock.at(today + timedelta(days=9), time(18)),
            120,
            "Familienzentrum Styrum, Raum 2",
            False,
            12,
        ),
        clock.utcnow(),
    )
    qualification.book(profile, exchange.id, clock.utcnow())
    qualification.publish_session(
        coordinator,
        qualification.SessionSpec(
            LearningKind.TRAINING,
            "Kinderschutz: Anzeichen erkennen",
            clock.at(today + timedelta(days=16), time(10)),
            180,
            "https://video.example.org/fortbildung",
            True,
            20,
        ),
        clock.utcnow(),
    )


def seed_demo_mentoring(profile, coordinator: User) -> None:
    """The demo family has the demo mentor, a logged first contact and a meeting time to book, and
    the mentor asked the office for advice about them (answered); another family, entered by the
    office, waits to be matched."""
    from datetime import time, timedelta

    from mentoring.consultations.models import ContactMode
    from mentoring.mentorships import concerns, meetings, relationship, vetting
    from mentoring.mentorships import services as mentoring
    from mentoring.mentorships.matching import Need

    family = db.session.scalars(select(User).where(User.username == "familie")).one()
    family.locale, family.phone = "tr", "+4917600000002"
    need = Need(
        languages=frozenset({"tr"}), district="mitte-styrum", age_group="1-3", topics=frozenset({"sleep"})
    )
    match = mentoring.request_mentor(family, profile.id, need, mentoring.Asking(shares=("phone",)), 5)
    mentoring.accept(profile, match.id)
    first = relationship.ContactEntry(
        clock.today(), "phone", 25, ["sleep"], "Erstes Kennenlernen am Telefon."
    )
    relationship.log_contact(profile, match.id, first)
    starts_at = clock.at(clock.today() + timedelta(days=3), time(17))
    meetings.publish_meeting(profile, starts_at, 60, ContactMode.PHONE)
    asked = clock.utcnow() - timedelta(days=1)
    concern = concerns.raise_concern(
        profile,
        match.id,
        "Die Mutter wirkt sehr erschöpft und schläft kaum. Wie kann ich sie gut unterstützen?",
        asked,
    )
    concerns.office_answers(
        coordinator,
        concern.id,
        "Danke, dass Sie schreiben. Wir rufen Sie morgen an und überlegen gemeinsam, welche Hilfe passt.",
        asked + timedelta(hours=3),
    )
    waiting = mentoring.Family(name="Familie Demir", locale="tr", phone="+4917600000003")
    mentoring.enter_for_family(coordinator, waiting, need, "", "midwife")
    # Lena's request waits for the mentor's answer: the mentor reads her need before accepting.
    lena = db.session.scalars(select(User).where(User.username == "parent")).one()
    lena_need = Need(
        languages=frozenset({"de", "tr"}),
        district="alstaden-lirich",
        age_group="0-1",
        topics=frozenset({"feeding"}),
        contact_mode="in-person",
        language_levels=(("de", "little"), ("tr", "native")),  # shown on the mentor's request card
    )
    asking = mentoring.Asking(note="Unser Baby trinkt schlecht, ich würde gern jemanden treffen.")
    mentoring.request_mentor(lena, profile.id, lena_need, asking, current_app.config["MENTOR_ANSWER_DAYS"])
    # A new applicant waits for vetting: on the office's start page, the list and the digest.
    applicant = db.session.scalars(select(User).where(User.username == "bewerberin")).one()
    applicant.phone, applicant.locale = "+4917600000004", "ar"
    applicant_profile = vetting.mentor_profile_of(applicant)
    applicant_profile.languages, applicant_profile.districts = ["ar", "de"], ["osterfeld"]
    seed_demo_group(profile.id, coordinator, need)


def seed_demo_group(mentor_id: int, coordinator: User, need) -> None:
    """A parents' group led by the demo mentor, meeting this morning for the first time, with one
    family the office placed; parents asking in Turkish or German see it with its free places."""
    from datetime import time

    from mentoring.mentorships import groups
    from mentoring.mentorships import services as mentoring

    plan = groups.CohortPlan(
        name="Eltern-AG Styrum",
        languages=("tr", "de"),
        district="mitte-styrum",
        starts_on=clock.today(),
        weeks=20,
        meets_at=time(9, 30),
        place="Familienzentrum Styrum, Hauptstraße 5",
        capacity=current_app.config["GROUP_MAX_FAMILIES"],
        mentor_id=mentor_id,
    )
    cohort = groups.create_cohort(plan)
    family = mentoring.Family(name="Familie Yıldız", locale="tr", phone="+4917600000005")
    waiting = mentoring.enter_for_family(coordinator, family, need, "", "family_centre")
    groups.assign_to_cohort(waiting.id, cohort.id)


# (German title, German description, provider, kind, ages, districts, cost, translated titles)
DemoOffer = tuple[str, str, str, str, list[str], list[str], str, dict[str, str]]
DEMO_OFFERS: tuple[DemoOffer, ...] = (
    (
        "Krabbelgruppe",
        "Spielen, singen und andere Eltern treffen. Ohne Anmeldung.",
        "Familienzentrum Osterfeld",
        "group",
        ["0-1", "1-3"],
        ["osterfeld"],
        "free",
        {"tr": "Emekleme grubu", "bg": "Група за пълзене", "uk": "Група для малюків"},
    ),
    (
        "Babymassage",
        "Fünf Treffen für Eltern mit Babys bis sechs Monate.",
        "Hebammenpraxis Mitte",
        "course",
        ["0-1"],
        ["mitte-styrum"],
        "reduced",
        {"ar": "تدليك الرضع", "tr": "Bebek masajı"},
    ),
    (
        "Elterncafé",
        "Kaffee, Fragen, Austausch. Dolmetscherinnen für Türkisch und Arabisch.",
        "Stadtteilbüro Ost",
        "drop-in",
        ["pregnancy", "0-1", "1-3", "3-6"],
        ["ost"],
        "free",
        {"tr": "Ebeveyn kafesi", "ar": "مقهى الأهل"},
    ),
    (
        "Erziehungsberatung",
        "Vertrauliche Beratung für Eltern, auch am Telefon.",
        "Beratungsstelle der Stadt",
        "counselling",
        ["3-6", "6-10", "10-14", "14-18"],
        [],
        "free",
        {"uk": "Консультації для батьків"},
    ),
    (
        "Hausbesuche nach der Geburt",
        "Eine Familienhebamme kommt zu Ihnen nach Hause.",
        "Frühe Hilfen",
        "home-visit",
        ["pregnancy", "0-1"],
        [],
        "free",
        {"ru": "Визиты на дом после родов"},
    ),
    (
        "Ausbildungslotsen",
        "Hilfe bei Bewerbung und Berufswahl.",
        "Jobcenter und Schulen",
        "counselling",
        ["14-18", "work"],
        ["sterkrade-mitte", "sterkrade-nord"],
        "free",
        {},
    ),
)


def seed_demo_offers() -> None:
    """A few offers for the guide, so the district grid has numbers and gaps."""

    from mentoring.offers.models import Cost, Offer, OfferKind
    from mentoring.offers.services import search_text

    if db.session.scalar(select(Offer.id).limit(1)) is not None:
        return
    for title, description, provider, kind, ages, districts, cost, titles in DEMO_OFFERS:
        offer = Offer(
            titles={"de": title, **titles},
            descriptions={"de": description},
            provider=provider,
            kind=OfferKind(kind),
            age_groups=ages,
            districts=districts,
            cost=Cost(cost),
            languages=["de"],
            valid_from=clock.today(),
        )
        offer.search_text = search_text(offer)
        db.session.add(offer)


def seed_demo_survey() -> int:
    """Answers of the last quarter, released and sealed the way real ones are, so the dashboard has
    survey results to show; returns how many answers there are."""
    import random

    from mentoring.reference.models import AGE_GROUP_LABELS
    from mentoring.surveys import release
    from mentoring.surveys.models import InvitationCount, PooledAnswer, SurveyResponse
    from mentoring.surveys.periods import period_of, previous
    from mentoring.surveys.questionnaire import VERSION

    if db.session.scalar(select(SurveyResponse.id).limit(1)) or db.session.scalar(
        select(PooledAnswer.id).limit(1)
    ):
        return 0
    today = clock.today()
    period = previous(period_of(today))
    pick = random.Random(2026)  # noqa: S311 (demo data, not a secret)
    districts: list[str | None] = [d.key for d in reference.list_districts()] or [None]
    ages = [str(key.value) for key in AGE_GROUP_LABELS]
    counts: dict[tuple[str, str, str, str], int] = {}
    for n in range(80):
        context = (
            "consultation" if n % 3 else "mentoring",
            pick.choice(["de", "de", "de", "tr", "tr", "ar", "uk", "ru"]),
            pick.choice(districts),
            pick.choice(ages),
        )
        key = (context[0], context[1], context[2] or "", context[3])
        counts[key] = counts.get(key, 0) + 1
        if n % 5 == 4:
            continue  # one in five did not answer
        score = min(5, max(1, round(pick.gauss(4.1, 0.9))))
        db.session.add(
            PooledAnswer(
                questionnaire=VERSION,
                period=period,
                service=context[0],
                locale=context[1],
                district=context[2],
                age_group=context[3],
                satisfaction=score,
                language_ok=min(5, score + pick.choice([0, 0, 1])),
                knows_help=max(1, score - pick.choice([0, 1])),
                booking_easy=score,
                recommend=score,
                comment=pick.choice(["", "", "", "Danke für die Hilfe.", "Mehr Termine am Abend, bitte."]),
            )
        )
    for (service, locale, district, age_group), sent in counts.items():
        db.session.add(
            InvitationCount(
                period=period,
                service=service,
                locale=locale,
                district=district,
                age_group=age_group,
                sent=sent,
            )
        )
    db.session.flush()
    return release.release_answers(today).released


@bp.cli.command("seed-demo")
def seed_demo() -> None:
    """Create demo accounts, districts and topics; running it again changes nothing."""
    if not current_app.config.get("ALLOW_DEMO_SEED", False):
        raise click.ClickException("Demo data is not allowed in this environment.")
    try:
        districts, topics = reference.load_reference_file(current_app.config["MUNICIPALITY_DATA_FILE"])
    except reference.ReferenceDataError as error:
        raise click.ClickException(str(error)) from error
    for username, role, display_name in DEMO_USERS:
        ensure_demo_user(username, role, display_name)
    slots = seed_demo_slots()
    seed_demo_mentor()
    seed_demo_offers()
    answers = seed_demo_survey()
    db.session.commit()
    click.echo(f"{districts} districts and {topics} topics loaded, {slots} consultation times created.")
    if answers:
        click.echo(f"{answers} survey answers of the last quarter released.")
    click.echo(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for username, role, _name in DEMO_USERS:
        click.echo(f"  {role.value:<12} {username}")


@bp.cli.command("load-reference")
@click.argument("path", required=False)
def load_reference(path: str | None) -> None:
    """Load districts and topics from the municipality's data file (or PATH)."""
    try:
        districts, topics = reference.load_reference_file(
            path or current_app.config["MUNICIPALITY_DATA_FILE"]
        )
    except reference.ReferenceDataError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"{districts} districts and {topics} topics loaded.")
