""" "You said, we did": coordinators write entries (German required), families read them in their
language or in German, marked as German."""

from datetime import date

import pytest
from sqlalchemy import func, select

from mentoring.audit import AuditEntry
from mentoring.extensions import db
from mentoring.surveys.changes import ChangeEntry, ChangeText
from tests.conftest import csrf_token, log_in, submit
from tests.factories import make_user

NEW = "/coordinator/you-said-we-did/new?lang=en"
GERMAN = {
    "done_on": "15.11.2026",
    "title_de": "Abendtermine",
    "body_de": "Sie wünschten Termine am Abend.\n\nJetzt gibt es sie dienstags.",
}


@pytest.fixture
def office(app, client):
    make_user(app, role="coordinator", username="office")
    log_in(client, "office")
    return client


def entry_ids(app) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(select(ChangeEntry.id)))


def test_an_entry_in_german_and_turkish_is_read_in_each_language_with_german_as_fallback(app, office):
    saved = submit(
        office, NEW, GERMAN | {"title_tr": "Akşam randevuları", "body_tr": "Akşam randevu istediniz."}
    )
    assert saved.status_code == 303
    visitor = app.test_client()
    turkish = visitor.get("/you-said-we-did?lang=tr").text
    assert '<h2 id="change-' in turkish and "Akşam randevuları</h2>" in turkish
    assert "Abendtermine" not in turkish
    english = visitor.get("/you-said-we-did?lang=en").text
    assert 'lang="de" dir="ltr">Abendtermine</h2>' in english
    assert "Not yet translated: shown in German." in english
    assert (
        "<p>Sie wünschten Termine am Abend.</p>" in english
        and "<p>Jetzt gibt es sie dienstags.</p>" in english
    )
    arabic = visitor.get("/you-said-we-did?lang=ar").text
    assert '<html lang="ar" dir="rtl">' in arabic
    assert 'lang="de" dir="ltr">Abendtermine</h2>' in arabic
    # Which languages exist, each a link that works without JavaScript.
    assert 'href="/you-said-we-did?lang=de" lang="de" dir="ltr">Deutsch</a>' in english
    assert 'href="/you-said-we-did?lang=tr" lang="tr" dir="ltr">Türkçe</a>' in english
    with app.app_context():
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "change_saved")).one()
        assert entry.detail == "de,tr"


def test_the_turkish_page_marks_nothing_as_german(app, office):
    submit(office, NEW, GERMAN | {"title_tr": "Akşam randevuları", "body_tr": "Akşam randevu istediniz."})
    article = (
        app.test_client().get("/you-said-we-did?lang=tr").text.split("<article", 1)[1].split("</article>")[0]
    )
    assert 'lang="de"' not in article
    assert "Akşam randevu istediniz." in article


def test_german_is_required_and_a_title_needs_its_text(app, office):
    answer = submit(office, NEW, {"done_on": "31.02.2026", "title_tr": "Başlık"})
    assert answer.status_code == 422
    assert "There is a problem" in answer.text
    for field in ("done_on", "title_de", "body_de", "body_tr"):
        assert f'href="#{field}"' in answer.text, field
    assert "Please write the text too, or leave out the title." in answer.text
    assert entry_ids(app) == []


def test_an_entry_is_changed_and_deleted_and_both_are_audited(app, office):
    submit(office, NEW, GERMAN | {"title_tr": "Akşam", "body_tr": "Metin"})
    [entry_id] = entry_ids(app)
    edit = f"/coordinator/you-said-we-did/{entry_id}?lang=en"
    assert 'value="Akşam"' in office.get(edit).text
    changed = submit(office, edit, GERMAN | {"title_de": "Termine am Abend", "done_on": "2026-11-20"})
    assert changed.status_code == 303
    with app.app_context():
        entry = db.session.get(ChangeEntry, entry_id)
        assert (entry.done_on, entry.locales) == (date(2026, 11, 20), ["de"])  # Turkish left out: gone
        assert entry.text_in("tr").title == "Termine am Abend"
    deleted = submit(office, f"/coordinator/you-said-we-did/{entry_id}/delete", page=edit)
    assert deleted.status_code == 303
    assert entry_ids(app) == []
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ChangeText)) == 0
        actions = list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions == ["change_saved", "change_saved", "change_deleted"]
    assert "Nothing here yet" in app.test_client().get("/you-said-we-did?lang=en").text
    assert office.get(edit).status_code == 404


def test_the_public_page_is_linked_from_the_thanks_page_and_every_footer(app, client):
    page = client.get("/you-said-we-did?lang=en")
    assert page.status_code == 200
    assert 'href="/you-said-we-did">You said, we did</a>' in client.get("/?lang=en").text
    with app.test_request_context():
        from flask import render_template

        assert 'href="/you-said-we-did"' in render_template("surveys/thanks.html")


@pytest.mark.parametrize("role", [None, "parent", "mentor", "expert"])
def test_only_coordinators_keep_the_entries(app, client, login_as, role):
    submit_as = make_user(app, role="coordinator", username="office")
    office = log_in(app, submit_as)
    submit(office, NEW, GERMAN)
    [entry_id] = entry_ids(app)
    if role:
        login_as(role)
    token = csrf_token(client, "/")
    for method, path in [
        ("GET", "/coordinator/you-said-we-did"),
        ("GET", "/coordinator/you-said-we-did/new"),
        ("GET", f"/coordinator/you-said-we-did/{entry_id}"),
        ("POST", f"/coordinator/you-said-we-did/{entry_id}"),
        ("POST", f"/coordinator/you-said-we-did/{entry_id}/delete"),
    ]:
        answer = client.open(path, method=method, data={"csrf_token": token, **GERMAN})
        if role is None:
            assert answer.status_code == 302 and "/login" in answer.headers["Location"], path
        else:
            assert answer.status_code == 403, path
    assert entry_ids(app) == [entry_id]
    assert client.get("/you-said-we-did").status_code == 200
