"""The guide to offers counts an offer until the end of its last day in Oberhausen, at any hour."""

from datetime import timedelta

import pytest

from mentoring.extensions import db
from mentoring.reference.services import load_reference_file
from tests.conftest import night_params
from tests.factories import gaps_row, make_offer

pytestmark = pytest.mark.clock
TEENS = 6  # the column of 14 to 18 years in the prevention chain


@pytest.mark.parametrize("pinned_clock", night_params(), indirect=True)
def test_an_offer_counts_through_its_last_local_day_and_from_its_first(
    app, client, login_as, pinned_clock, today
):
    with app.app_context():
        load_reference_file(app.config["MUNICIPALITY_DATA_FILE"])
        db.session.commit()
    yesterday, tomorrow = today - timedelta(days=1), today + timedelta(days=1)
    teens = {"districts": ["sterkrade-nord"], "age_groups": ["14-18"]}
    make_offer(app, "Jugendtreff bis heute", valid_until=today, **teens)
    make_offer(app, "Jugendtreff bis gestern", valid_until=yesterday, **teens)
    make_offer(app, "Jugendtreff ab morgen", valid_from=tomorrow, **teens)
    make_offer(app, "Babytreff ab heute", valid_from=today, districts=["sterkrade-nord"], age_groups=["0-1"])
    parent = app.test_client()
    teenagers = parent.get("/offers?district=sterkrade-nord&age_group=14-18").text
    assert "Jugendtreff bis heute" in teenagers
    assert "Jugendtreff bis gestern" not in teenagers and "Jugendtreff ab morgen" not in teenagers
    assert "Babytreff ab heute" in parent.get("/offers?district=sterkrade-nord&age_group=0-1").text
    login_as("coordinator")
    row = gaps_row(client.get("/coordinator/offers/gaps?lang=en").text, "Sterkrade-Nord")
    assert (row[1], row[TEENS]) == (1, 1)
