"""A link valid for 2 hours is valid for 2 real hours, also when the clocks change in the night."""

from datetime import UTC, datetime, timedelta

import pytest

from tests.accounts.test_password_reset import RESET_PATH
from tests.conftest import OBERHAUSEN, submit
from tests.factories import delivered, make_user

pytestmark = pytest.mark.clock


@pytest.mark.parametrize(
    "asked_at",
    [datetime(2027, 3, 28, 1, 30, tzinfo=OBERHAUSEN), datetime(2027, 10, 31, 1, 30, tzinfo=OBERHAUSEN)],
    ids=["spring forward", "fall back"],
)
def test_a_reset_link_asked_for_at_01_30_works_for_2_real_hours(app, client, time_machine, asked_at):
    make_user(app, username="lena", email="lena@example.org")
    time_machine.move_to(asked_at, tick=False)
    assert submit(client, "/password/forgot", {"identifier": "lena@example.org"}).status_code == 200
    (mail,) = delivered(app)  # the worker looks the address up and mints the link now
    assert mail.startswith("To: lena@example.org")
    path, _lang = RESET_PATH.search(mail).groups()
    expires = asked_at.astimezone(UTC) + timedelta(
        hours=app.config["RESET_LINK_HOURS"]
    )  # 04:30 or the second 02:30
    time_machine.move_to(expires - timedelta(minutes=1), tick=False)
    assert app.test_client().get(path).status_code == 200
    time_machine.move_to(expires + timedelta(minutes=1), tick=False)
    assert app.test_client().get(path).status_code == 410
