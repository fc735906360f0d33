from sqlalchemy import func, select

from mentoring.accounts.models import User
from mentoring.consultations.models import Slot
from mentoring.extensions import db
from mentoring.reference.models import District, Topic
from mentoring.web.cli import DEMO_EXPERTS, DEMO_PASSWORD, DEMO_USERS
from tests.conftest import log_in


def counts(app) -> tuple[int, int, int, int]:
    with app.app_context():
        return tuple(
            db.session.scalar(select(func.count()).select_from(model))
            for model in (User, District, Topic, Slot)
        )


def test_seed_demo_is_idempotent_and_every_demo_login_works(app, runner):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert DEMO_PASSWORD in first.output
    after_first = counts(app)
    demo_accounts = len({name for name, *_ in DEMO_USERS} | {name for name, *_ in DEMO_EXPERTS})
    # + the waiting family the office entered on their behalf and the family it placed in the
    # parents' group (accounts without a password)
    assert after_first[:3] == (demo_accounts + 2, 6, 8)
    assert after_first[3] > 50  # weekly series over four weeks for several experts
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert counts(app) == after_first
    for username, _role, display_name in DEMO_USERS:
        client = log_in(app, username, DEMO_PASSWORD)
        assert display_name in client.get("/home").text, username


def test_seeded_topics_have_a_name_in_every_shipped_language(app, runner):
    runner.invoke(args=["seed-demo"])
    with app.app_context():
        for topic in db.session.scalars(select(Topic)):
            assert set(app.config["LANGUAGES"]) <= set(topic.names), topic.key


def test_demo_data_is_refused_where_it_is_not_allowed(app, runner):
    app.config["ALLOW_DEMO_SEED"] = False
    try:
        result = runner.invoke(args=["seed-demo"])
    finally:
        app.config["ALLOW_DEMO_SEED"] = True
    assert result.exit_code != 0
    assert counts(app)[0] == 0


def test_a_broken_municipality_file_is_reported_and_nothing_is_loaded(app, runner, tmp_path):
    broken = tmp_path / "city.json"
    broken.write_text('{"districts": [{"name": "no key"}]}')
    result = runner.invoke(args=["load-reference", str(broken)])
    assert result.exit_code != 0
    assert "key" in result.output
    assert counts(app)[1] == 0
