"""The programme office's account search: literal terms, and an audit log that names nobody."""

from sqlalchemy import select

from mentoring.audit import AuditEntry
from mentoring.extensions import db
from tests.conftest import log_in
from tests.factories import make_user

PASSWORD = "Kirschbaum-Laterne-7"


def test_percent_and_underscore_in_the_search_match_only_themselves(app):
    make_user(app, username="lena", display_name="Lena Kowalski")
    make_user(app, username="zeynep", display_name="Zeynep 100% Mama")
    make_user(app, username="ali_b", display_name="Ali B.")
    make_user(app, role="coordinator", username="office", password=PASSWORD)
    office = log_in(app, "office", PASSWORD)
    everyone = office.get("/coordinator/users?q=%")
    assert "Zeynep 100% Mama" in everyone.text and "Lena Kowalski" not in everyone.text
    one = office.get("/coordinator/users?q=_")
    assert "ali_b" in one.text and "Lena Kowalski" not in one.text and "Zeynep" not in one.text
    assert "Lena Kowalski" in office.get("/coordinator/users?q=kowal").text


def test_the_audit_log_keeps_that_someone_searched_but_not_the_name_searched_for(app):
    make_user(app, username="lena", display_name="Lena Kowalski")
    make_user(app, role="coordinator", username="office", password=PASSWORD)
    office = log_in(app, "office", PASSWORD)
    office.get("/coordinator/users?q=Kowalski")
    office.get("/coordinator/users?q=kowalski ")
    office.get("/coordinator/users")
    with app.app_context():
        details = [e.detail for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert len(details) == 3 and all("kowal" not in d.lower() for d in details)
    assert details[0] == details[1] and details[0].startswith("search:")  # the same term, the same value
    assert details[2] == ""  # the plain list
    assert "kowal" not in office.get("/coordinator/audit").text.lower()
