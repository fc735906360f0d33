"""One-tap answers in the reminder; interpreter requests; discreet messages as the servers get them."""

import re
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
import time_machine
from flask_babel import force_locale, gettext
from sqlalchemy import select

from mentoring import clock
from mentoring.clock import utcnow
from mentoring.consultations.models import Booking, BookingStatus, InterpreterRequest, Slot, WaitlistEntry
from mentoring.extensions import db
from mentoring.notifications.models import OutboxMessage
from tests.conftest import log_in, submit
from tests.factories import PARENT, book_in_db, make_expert, make_slot, make_user, text_as_sent

LINK = re.compile(r"http://localhost(/r/\w+/(?:coming|not-coming)/\w+)\?lang=\w+")


def reminder_links(app, booking_id: int) -> dict[str, str]:
    with app.app_context():
        booking = db.session.get(Booking, booking_id)
        reminder = db.session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.recipient == booking.email, OutboxMessage.cancel_key.is_not(None)
            )
        ).one()
        links = LINK.findall(text_as_sent(reminder))
    return {
        "coming": next(x for x in links if "/coming/" in x),
        "not": next(x for x in links if "/not-coming/" in x),
    }


def booked(app, **contact):
    slot = make_slot(
        app,
        make_expert(app, username="sabine"),
        starts_in=timedelta(days=3),
        cancel_deadline_hours=24,
        min_notice_hours=2,
    )
    booking_id, _token = book_in_db(app, slot, email="ayla@example.org", phone=None, **contact)
    return slot, booking_id


@pytest.mark.clock
def test_ill_be_there_is_saved_and_shown_to_the_expert(app, client):
    slot, booking_id = booked(app)
    links = reminder_links(app, booking_id)
    page = app.test_client().get(links["coming"])
    assert page.status_code == 200
    with app.app_context():
        assert db.session.get(Booking, booking_id).says_coming is True
    log_in(client, "sabine")
    with app.app_context():
        day = clock.local_date(db.session.get(Slot, slot).starts_at).isoformat()  # the agenda's day
    assert "Said: I'll be there" in client.get(f"/expert/agenda?day={day}&lang=en").text


def test_i_cant_come_frees_the_seat_at_once_even_after_the_deadline_and_is_no_no_show(app):
    slot, booking_id = booked(app)
    links = reminder_links(app, booking_id)
    client = app.test_client()
    # Someone waits for this time.
    assert (
        submit(
            client,
            "/waitlist",
            {"name": "Ioana", "phone": "0176 11112222", "locale": "ro", "weeks": "4", "consent": "y"},
        ).status_code
        == 303
    )
    # Ten hours before: past the 24-hour deadline for cancelling online, still bookable for others.
    with time_machine.travel(utcnow() + timedelta(days=3) - timedelta(hours=10), tick=False):
        ask = client.get(links["not"])
        assert ask.status_code == 200
        with app.app_context():
            assert (
                db.session.get(Booking, booking_id).status == BookingStatus.CONFIRMED
            )  # the link alone: nothing
        assert submit(client, links["not"], page=links["not"]).status_code == 200
    with app.app_context():
        assert db.session.get(Booking, booking_id).status == BookingStatus.CANCELLED_BY_PARENT
        hold = db.session.scalars(select(Booking).where(Booking.status == BookingStatus.HELD)).one()
        assert hold.name == "Ioana" and hold.slot_id == slot
        assert db.session.scalars(select(WaitlistEntry)).one().status == "offered"


def test_reminder_links_are_single_purpose_and_end_with_the_appointment(app):
    _slot, booking_id = booked(app)
    links = reminder_links(app, booking_id)
    client = app.test_client()
    swapped = links["coming"].replace("/coming/", "/not-coming/")
    assert client.get(swapped).status_code == 410  # a "yes" link cannot cancel
    assert client.get(links["coming"][:-3] + "abc").status_code == 410
    assert client.get("/r/NOPE/coming/123").status_code == 410
    with time_machine.travel(utcnow() + timedelta(days=3, minutes=1), tick=False):
        assert client.get(links["not"]).status_code == 410
    with app.app_context():
        assert db.session.get(Booking, booking_id).status == BookingStatus.CONFIRMED


def test_an_interpreter_is_offered_when_the_expert_does_not_speak_the_parents_language(app):
    slot = make_slot(app, make_expert(app, username="sabine"), languages=["de"])
    parent = app.test_client()
    assert 'name="interpreter"' in parent.get(f"/consultations/slots/{slot}/book?lang=ar").text
    assert 'name="interpreter"' not in parent.get(f"/consultations/slots/{slot}/book?lang=de").text
    missing = submit(
        parent,
        f"/consultations/slots/{slot}/book",
        PARENT | {"interpreter": "y"},
        page=f"/consultations/slots/{slot}/book?lang=ar",
    )
    assert missing.status_code == 422 and 'href="#interpreter_language"' in missing.text
    ok = submit(
        parent,
        f"/consultations/slots/{slot}/book",
        PARENT | {"interpreter": "y", "interpreter_language": "ar", "interpreter_mode": "video"},
    )
    assert ok.status_code == 303
    with app.app_context():
        request = db.session.scalars(select(InterpreterRequest)).one()
        assert (request.language, request.mode, request.is_arranged) == ("ar", "video", False)
    make_user(app, role="coordinator", username="office")
    office = log_in(app, "office")
    queue = office.get("/coordinator/interpreters")
    assert "العربية" in queue.text and "<td>&lt;5</td>" in queue.text  # counted, one is too few to show
    assert (
        submit(
            office, f"/coordinator/interpreters/{request.id}/arranged", page="/coordinator/interpreters"
        ).status_code
        == 303
    )
    with app.app_context():
        assert db.session.get(InterpreterRequest, request.id).is_arranged
    assert office.get("/coordinator/interpreters/99999/arranged").status_code == 405


def test_discreet_messages_say_nothing_about_topic_or_programme(app, runner, smtp_server, sms_gateway):
    slot = make_slot(
        app,
        make_expert(app, username="sabine", display_name="Sabine Kaya"),
        topics=["sleep"],
        starts_in=timedelta(days=3),
    )
    book_in_db(app, slot, name="Ayla", email="ayla@example.org", phone=None, discreet=True)
    other = make_slot(app, make_expert(app, username="olena"), topics=["money"], starts_in=timedelta(days=4))
    _id, sms_token = book_in_db(app, other, name="Ayla", phone="+4917612345678", discreet=True)
    with app.app_context():
        programme = app.config["PROGRAMME_NAME"]
    assert "sent" in runner.invoke(args=["outbox", "send"]).output
    with time_machine.travel(utcnow() + timedelta(days=3, hours=12), tick=False):  # the reminders
        runner.invoke(args=["outbox", "send"])
    mails = [message_from_bytes(e.content, policy=policy.default) for e in smtp_server.messages]
    parent_mails = [m for m in mails if m["To"] == "ayla@example.org"]
    assert len(parent_mails) == 2  # confirmation and reminder
    for mail in parent_mails:
        text = mail.get_body(("plain",)).get_content() + mail.get_body(("html",)).get_content()
        for word in (programme, "Sabine", "Schlaf", "sleep", "Beratung", "Sprechstunde", "Elternberatung"):
            assert word not in text and word not in mail["Subject"] and word not in mail["From"], word
        assert mail["From"].startswith("Termin")
    assert len(sms_gateway.received) == 2
    for sms in sms_gateway.received:
        for word in (programme, "Olena", "Geld", "money", "Beratung"):
            assert word not in sms["text"], word
    ics = app.test_client().get(f"/booking/{sms_token}/calendar.ics").data.decode()
    with app.test_request_context(), force_locale("de"):
        neutral = gettext("Appointment")
    assert f"SUMMARY:{neutral}" in ics and "Olena" not in ics and programme not in ics


def test_the_interpreter_languages_hide_a_rare_language_like_the_dashboard(app):
    """Info 6: one request for Persian in twelve months is one family; the page must not say "1"."""
    from mentoring.consultations import interpreters as interpreter_rules

    slot = make_slot(app, make_expert(app), capacity=8)
    for n in range(7):
        book_in_db(app, slot, name=f"Familie {n}", phone=f"+4917600000{n:03d}")
    with app.app_context():
        bookings = db.session.scalars(select(Booking).order_by(Booking.id)).all()
        for booking in bookings[:6]:
            interpreter_rules.request_interpreter(booking, "ar", "phone")
        interpreter_rules.request_interpreter(bookings[6], "fa", "phone")
        db.session.commit()
    make_user(app, role="coordinator", username="office", password="Kirschbaum-Laterne-7")
    page = log_in(app, "office", "Kirschbaum-Laterne-7").get("/coordinator/interpreters")
    assert page.status_code == 200
    rows = re.findall(r'<tr><th scope="row" lang="(\w+)">[^<]*</th><td>([^<]*)</td></tr>', page.text)
    assert rows == [("ar", "6"), ("fa", "&lt;5")]
