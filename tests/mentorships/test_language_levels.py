"""A family may say how well they speak each language they tick; the mentor parent reads it with the
need before accepting (request card, e-mail, SMS), in the mentor's own language. Matching ignores it."""

from sqlalchemy import select

from mentoring.extensions import db
from mentoring.mentorships.matching import Need, Offer, fit
from mentoring.mentorships.models import MentoringMatch
from mentoring.mentorships.reasons import describe_need
from mentoring.notifications.models import Channel, OutboxMessage
from tests.conftest import log_in, submit
from tests.factories import activate_mentor, make_user, mentoring_cast

LEVELS = "languages=tr&languages=de&level-tr=native&level-de=little&district=mitte-styrum"


def outbox_to(app, recipient: str) -> list[OutboxMessage]:
    with app.app_context():
        messages = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.recipient == recipient).order_by(OutboxMessage.id)
        ).all()
        db.session.expunge_all()
        return list(messages)


def the_match(app) -> MentoringMatch:
    with app.app_context():
        match = db.session.scalars(select(MentoringMatch)).one()
        db.session.expunge(match)
        return match


def ask(app, parent: str, mentor_id: int, query: str):
    client = log_in(app, parent)
    return submit(client, f"/mentoring/request/{mentor_id}?{query}", {"referral": ""}, page="/home")


def test_the_chosen_levels_reach_the_mentors_card_and_e_mail_in_her_language(app):
    mentoring_cast(app)
    mentor_id = activate_mentor(app, "ayse")  # Turkish-speaking, messages in Turkish

    page = log_in(app, "lena").get("/mentoring?lang=en&" + LEVELS)
    assert page.status_code == 200 and "ayse" in page.text
    assert '<option value="native" selected>' in page.text  # the choice survives the suggestion page
    assert ask(app, "lena", mentor_id, LEVELS).status_code == 303
    assert the_match(app).language_levels == {"tr": "native", "de": "little"}

    card = log_in(app, "ayse").get("/mentor/requests?lang=en").text
    assert "Deutsch (a little), Türkçe (mother tongue)" in card
    [mail] = outbox_to(app, "ayse@example.org")
    assert mail.locale == "tr"
    assert "Deutsch (biraz), Türkçe (ana dil)" in mail.body_text
    assert "Deutsch (biraz), Türkçe (ana dil)" in (mail.body_html or "")


def test_the_sms_names_the_levels_shortly_in_the_mentors_language(app):
    mentoring_cast(app)
    make_user(app, role="mentor", username="sms_only", phone="0176 7777777", locale="de")
    mentor_id = activate_mentor(app, "sms_only")
    assert ask(app, "lena", mentor_id, LEVELS).status_code == 303
    [sms] = outbox_to(app, "0176 7777777")
    assert sms.channel == Channel.SMS
    assert "Deutsch (ein wenig), Türkçe (Muttersprache)" in sms.body_text
    assert "1234567" not in sms.body_text  # still the need only, never the family's phone


def test_a_level_next_to_an_unticked_language_is_ignored(app):
    mentoring_cast(app)
    mentor_id = activate_mentor(app, "ayse")
    query = "languages=tr&level-tr=well&level-de=native&level-ar=little"
    assert ask(app, "lena", mentor_id, query).status_code == 303
    assert the_match(app).language_levels == {"tr": "well"}
    card = log_in(app, "ayse").get("/mentor/requests?lang=en").text
    assert "Türkçe (well)" in card and "Deutsch (" not in card


def test_a_forged_level_is_refused_with_a_clear_error_and_nothing_is_sent(app):
    mentoring_cast(app)
    mentor_id = activate_mentor(app, "ayse")
    parent = log_in(app, "lena")
    forged = "languages=tr&level-tr=fluent%3Cscript%3E"
    page = parent.get("/mentoring?lang=en&" + forged)
    assert page.status_code == 422
    assert "Please choose how well you speak a language from the list." in page.text
    assert "ayse" not in page.text and "<script>" not in page.text

    refused = ask(app, "lena", mentor_id, forged)
    assert refused.status_code == 303 and refused.headers["Location"].endswith("/mentoring")
    with app.app_context():
        assert db.session.scalars(select(MentoringMatch)).all() == []
    assert outbox_to(app, "ayse@example.org") == []


def test_the_coordinator_enters_levels_and_the_matching_page_shows_them(app):
    mentoring_cast(app)
    activate_mentor(app, "ayse")
    office = log_in(app, "office")
    family = {
        "name": "Familie Yılmaz",
        "phone": "0176 5554443",
        "email": "",
        "locale": "tr",
        "referral": "kita",
        "languages": ["tr", "de"],
        "level-tr": "native",
        "level-de": "well",
        "level-ar": "little",  # not ticked: ignored
    }
    entered = submit(office, "/coordinator/families/new", family)
    assert entered.status_code == 303, entered.text
    assert the_match(app).language_levels == {"tr": "native", "de": "well"}
    matching = office.get("/coordinator/matching?lang=en").text
    assert "Deutsch (well), Türkçe (mother tongue)" in matching

    forged = submit(office, "/coordinator/families/new", family | {"level-de": "perfect"})
    assert forged.status_code == 422
    assert "Please choose how well you speak a language from the list." in forged.text


def test_a_level_is_shown_but_never_scored(app):
    offer = Offer(mentor_id=1, languages=frozenset({"de"}))
    plain = fit(Need(languages=frozenset({"tr", "de"})), offer)
    little = fit(Need(languages=frozenset({"tr", "de"}), language_levels=(("de", "little"),)), offer)
    assert plain is not None and little is not None and plain.score == little.score
    with app.test_request_context("/?lang=en"):
        match = MentoringMatch(languages=["de", "tr"], language_levels={"de": "little", "tr": "sneaky"})
        assert dict(describe_need(match, {}, {}))["Languages"] == "Deutsch (a little), Türkçe"
