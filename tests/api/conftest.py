import pytest

from mentoring.extensions import db
from mentoring.reference.services import load_reference_file


@pytest.fixture(autouse=True)
def municipality_data(app):
    """The demo municipality's districts and topics, as `flask seed-demo` loads them."""
    with app.app_context():
        load_reference_file(app.config["MUNICIPALITY_DATA_FILE"])
        db.session.commit()
