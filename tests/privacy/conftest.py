"""Zeynep, who has left traces everywhere, and the tools to look for them (the deletion and export tests)."""

from datetime import timedelta
from pathlib import Path

from sqlalchemy import MetaData, select

from mentoring.accounts import services as accounts
from mentoring.consultations.models import Booking
from mentoring.extensions import db
from mentoring.mentorships import services as mentoring
from mentoring.surveys import services as surveys
from tests.conftest import log_in, submit
from tests.factories import PARENT, TURKISH_FAMILY, make_expert, make_mentor, make_slot, make_user

PASSWORD = "Kirschbaum-Laterne-7"
NAME = "Zeynep Quellwasser"
EMAIL = "zeynep.quellwasser@example.org"
PHONE = "+4917655501234"
# What must be found nowhere: her name, address and number, and the coordinator's search term.
TRACES = ("quellwasser", EMAIL, "17655501234", "55501234")

WAITLIST = {
    "name": NAME,
    "phone": "0176 55501234",
    "email": EMAIL,
    "locale": "de",
    "topic": "",
    "language": "",
    "mode": "",
    "weeks": "4",
    "district": "",
    "age_group": "",
    "consent": "y",
}


def everything_in_the_database(app) -> str:
    """Every value of every column of every table, as a dump would show it (reflected, not the models)."""
    with app.app_context():
        metadata = MetaData()
        metadata.reflect(bind=db.engine)
        values = []
        with db.engine.connect() as connection:
            for table in metadata.sorted_tables:
                for row in connection.execute(select(table)):
                    values.extend(f"{table.name}.{value}" for value in row if value is not None)
    return "\n".join(values).lower()


def traces_in(text: str) -> list[str]:
    text = text.lower()
    return [trace for trace in TRACES if trace.lower() in text]


def lines_with_traces(dump: str) -> list[str]:
    return [line for line in dump.splitlines() if traces_in(line)]


def join_waitlist(app, client=None, **changes) -> None:
    response = submit(client or app.test_client(), "/waitlist", WAITLIST | changes)
    assert response.status_code == 303, response.text[:300]


def sent_files(app) -> str:
    folder = Path(app.config["MAIL_FILE_DIR"])
    files = sorted(folder.glob("*.eml")) if folder.exists() else []
    return "\n".join(path.read_bytes().decode("utf-8", "replace") for path in files)


def zeynep_with_everything(app) -> tuple[int, int]:
    """Zeynep has an account, a booking (note, interpreter) of the only seat, waits for the same
    time, asked for a mentor, has a survey invitation; Elena waits after her; the office searched
    for her name. Returns (slot id, mentoring match id)."""
    mentor = make_mentor(app, username="ayse")
    make_user(app, username="zeynep", password=PASSWORD, display_name=NAME, email=EMAIL, phone=PHONE)
    expert = make_expert(app, username="sabine", email="sabine@example.org", languages=("de", "tr"))
    slot = make_slot(app, expert, starts_in=timedelta(days=4), languages=["de", "tr"])
    zeynep = log_in(app, "zeynep", PASSWORD)
    booked = submit(
        zeynep,
        f"/consultations/slots/{slot}/book",
        PARENT
        | {
            "name": NAME,
            "phone": "0176 55501234",
            "email": EMAIL,
            "note": "Quellwasser: Sorgen wegen Schlaf",
            "interpreter": "y",
            "interpreter_language": "tr",
            "interpreter_mode": "phone",
        },
    )
    assert booked.status_code == 303, booked.text[:300]
    join_waitlist(app, zeynep)  # the only seat is hers, so she waits for another
    join_waitlist(app, name="Elena", phone="0176 33334444", email="")
    with app.app_context():
        user = accounts.find_user_by_username("zeynep")
        user.survey_consent = True
        match = mentoring.request_mentor(
            user,
            mentor,
            TURKISH_FAMILY,
            mentoring.Asking(note="Familie Quellwasser, zwei Kinder", survey_consent=True),
            5,
        )
        assert surveys.invite_for_mentoring(match, "3m") is not None
        match_id = match.id
        booking = db.session.scalars(select(Booking).where(Booking.user_id == user.id)).one()
        assert booking.interpreter is not None and booking.note
        db.session.commit()
    make_user(app, role="coordinator", username="office", password=PASSWORD, email="office@example.org")
    with app.app_context():
        from mentoring.mentorships import messages as mentoring_messages
        from mentoring.mentorships.chores import Digest
        from mentoring.mentorships.models import MentoringMatch

        # The office's daily digest lists her as waiting for a mentor, by name.
        match = db.session.get(MentoringMatch, match_id)
        assert mentoring_messages.coordinator_digest(Digest(unmatched=[(match, 8)])) == 1
        db.session.commit()
    assert "Quellwasser" in log_in(app, "office", PASSWORD).get("/coordinator/users?q=Quellwasser").text
    assert lines_with_traces(everything_in_the_database(app))  # the dump does find her before
    return slot, match_id
