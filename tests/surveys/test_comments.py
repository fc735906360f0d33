"""The coordinators' comments page: released comments of sealed quarters only, their generalised
context, redaction, theme and status, the export and the backlog count."""

import csv
import io

import pytest
from sqlalchemy import select

from mentoring.audit import AuditEntry
from mentoring.clock import utcnow
from mentoring.extensions import db
from mentoring.surveys import comments
from mentoring.surveys.kanon import ALL
from mentoring.surveys.models import CommentStatus, PooledAnswer, SurveyPeriod, SurveyResponse
from tests.conftest import csrf_token, log_in, submit
from tests.factories import make_user

PAGE = "/coordinator/survey-comments?lang=en"


def seal(app, *periods: str) -> None:
    with app.app_context():
        db.session.add_all([SurveyPeriod(period=period, sealed_at=utcnow()) for period in periods])
        db.session.commit()


def released(app, comment: str, period: str = "2026-Q3", **context) -> str:
    """A released response with this comment; returns its id."""
    values = {
        "questionnaire": "2026-1",
        "period": period,
        "service": "consultation",
        "locale": "tr",
        "district": ALL,
        "age_group": None,
        "satisfaction": 4,
        "comment": comment,
    } | context
    with app.app_context():
        response = SurveyResponse(**values)
        db.session.add(response)
        db.session.commit()
        return response.id


@pytest.fixture
def office(app, client, municipality_data):
    make_user(app, role="coordinator", username="office")
    log_in(client, "office")
    return client


def test_only_released_comments_of_sealed_quarters_are_shown_newest_quarter_first(app, office):
    seal(app, "2026-Q2", "2026-Q3")
    released(app, "Older quarter comment", period="2026-Q2")
    released(app, "Newer quarter comment", period="2026-Q3")
    released(app, "Running quarter comment", period="2026-Q4")  # not sealed
    released(app, "")  # no comment
    with app.app_context():
        db.session.add(
            PooledAnswer(
                questionnaire="2026-1",
                period="2026-Q3",
                service="consultation",
                locale="de",
                comment="Pool comment",
            )
        )
        db.session.commit()
    page = office.get(PAGE).text
    assert "Pool comment" not in page
    assert "Running quarter comment" not in page
    assert page.index("Newer quarter comment") < page.index("Older quarter comment")
    assert "2 comments" in page
    with app.app_context():
        assert comments.comment_backlog() == 2


def test_the_context_shown_is_the_generalised_one(app, office):
    seal(app, "2026-Q3")
    released(app, "Die Zeiten passen nicht", locale="de", district="osterfeld", age_group=ALL, service=ALL)
    page = office.get(PAGE).text
    article = page[page.index("Die Zeiten passen nicht") - 600 :]
    assert "Q3 2026" in article
    assert "Osterfeld" in article
    assert article.count("all, merged for privacy") == 2  # service and age group
    assert 'lang="de"><p>Die Zeiten' in page


def test_names_numbers_and_addresses_are_redacted_on_the_page_and_in_the_export(app, office):
    make_user(app, username="skaya", display_name="Sabine Kaya")
    seal(app, "2026-Q3")
    released(app, "Frau Kaya war toll, ruf mich an 0176/1234567 oder ayla@example.org")
    page = office.get(PAGE).text
    assert "Frau [name] war toll, ruf mich an [phone] oder [e-mail]" in page
    assert "1234567" not in page and "ayla@example.org" not in page
    export = office.get("/coordinator/survey-comments.csv?lang=en")
    assert export.status_code == 200 and export.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(export.text.lstrip("\ufeff"))))
    assert rows[0][-1] == "Comment"
    assert rows[1][-1] == "Frau [name] war toll, ruf mich an [phone] oder [e-mail]"
    assert rows[1][:4] == ["Q3 2026", "Consultation hours", "Türkçe", "all, merged for privacy"]
    with app.app_context():
        actions = list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions == ["comments_viewed", "comments_exported"]


def test_a_comment_gets_a_theme_and_a_status_audited_without_its_text(app, office):
    seal(app, "2026-Q3")
    response_id = released(app, "Mehr Termine am Abend bitte")
    token = csrf_token(office, PAGE)
    refused = office.post(f"/coordinator/survey-comments/{response_id}", data={"status": "read"})
    assert refused.status_code == 400  # no CSRF token
    saved = office.post(
        f"/coordinator/survey-comments/{response_id}?status=new&lang=en",
        data={"csrf_token": token, "status": "acted_on", "theme": "appointments"},
    )
    assert saved.status_code == 303
    assert saved.headers["Location"].endswith(f"status=new&lang=en#comment-{response_id}")
    with app.app_context():
        response = db.session.get(SurveyResponse, response_id)
        assert (response.comment_status, response.comment_theme) == (CommentStatus.ACTED_ON, "appointments")
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "comment_marked")).one()
        assert entry.subject == f"comment:{response_id}"
        assert "Termine" not in entry.detail and "Abend" not in entry.detail
        assert comments.comment_backlog() == 0
    assert "Acted on · Appointments and times" in office.get(PAGE).text


def test_an_unknown_theme_or_status_is_refused_with_the_error_summary(app, office):
    seal(app, "2026-Q3")
    response_id = released(app, "Gut")
    answer = submit(
        office,
        f"/coordinator/survey-comments/{response_id}?lang=en",
        {"status": "done", "theme": "x"},
        page=PAGE,
    )
    assert answer.status_code == 422
    assert "There is a problem" in answer.text
    assert f'href="#status-{response_id}"' in answer.text and f'href="#theme-{response_id}"' in answer.text
    with app.app_context():
        assert db.session.get(SurveyResponse, response_id).comment_status == CommentStatus.NEW


def test_comments_not_published_cannot_be_marked(app, office):
    seal(app, "2026-Q3")
    unsealed = released(app, "Noch nicht", period="2026-Q4")
    empty = released(app, "")
    for response_id in (unsealed, empty, "not-an-id"):
        answer = submit(office, f"/coordinator/survey-comments/{response_id}", {"status": "read"}, page=PAGE)
        assert answer.status_code == 404


def test_filters_by_status_and_theme(app, office):
    seal(app, "2026-Q3")
    released(app, "Erster Kommentar")
    second = released(app, "Zweiter Kommentar")
    with app.app_context():
        comments.mark(db.session.get(SurveyResponse, second), CommentStatus.READ, "staff")
        db.session.commit()
    assert "Erster" in office.get(PAGE + "&status=new").text
    assert "Zweiter" not in office.get(PAGE + "&status=new").text
    assert "Zweiter" in office.get(PAGE + "&theme=staff").text
    assert "Erster" not in office.get(PAGE + "&theme=staff").text
    assert "Erster" in office.get(PAGE + "&theme=none").text
    assert "2 comments" in office.get(PAGE + "&status=bogus&theme=bogus").text  # unknown: no filter


def test_pages_take_the_same_number_of_statements_however_many_comments(app, office, count_queries):
    seal(app, "2026-Q3")
    for n in range(3):
        released(app, f"Kommentar {n}")
    with count_queries() as few:
        assert office.get(PAGE).status_code == 200
    for n in range(3, 45):
        released(app, f"Kommentar {n}")
    with count_queries() as many:
        page = office.get(PAGE)
    assert page.status_code == 200
    assert many.count == few.count, many
    assert "Page 1 of 3" in page.text
    assert "Page 3 of 3" in office.get(PAGE + "&page=3").text
    assert "Page 3 of 3" in office.get(PAGE + "&page=99").text


def test_the_backlog_shows_on_the_coordinators_start_page(app, office):
    seal(app, "2026-Q3")
    released(app, "Eins")
    released(app, "Zwei")
    read = released(app, "Drei")
    with app.app_context():
        comments.mark(db.session.get(SurveyResponse, read), CommentStatus.READ, None)
        db.session.commit()
    home = office.get("/home?lang=en").text
    assert "2 new parent comments" in home
    assert 'href="/coordinator/survey-comments?status=new"' in home


@pytest.mark.parametrize("role", ["parent", "mentor", "expert"])
def test_other_roles_may_not_open_or_mark_comments(app, client, login_as, role):
    seal(app, "2026-Q3")
    response_id = released(app, "Geheim")
    login_as(role)
    assert client.get("/coordinator/survey-comments").status_code == 403
    assert client.get("/coordinator/survey-comments.csv").status_code == 403
    token = csrf_token(client, "/")
    marked = client.post(
        f"/coordinator/survey-comments/{response_id}", data={"csrf_token": token, "status": "read"}
    )
    assert marked.status_code == 403
    assert "Geheim" not in client.get("/home").text


def test_anonymous_visitors_are_sent_to_log_in(app, client):
    for path in ("/coordinator/survey-comments", "/coordinator/survey-comments.csv"):
        answer = client.get(path)
        assert answer.status_code == 302 and "/login" in answer.headers["Location"]
