from tests.conftest import log_in
from tests.factories import get_user


def test_create_coordinator_command_makes_an_account_that_can_log_in(app, client, runner):
    result = runner.invoke(
        args=["users", "create-coordinator", "Office", "--name", "Programme office"],
        input="river-stone-4411\nriver-stone-4411\n",
    )
    assert result.exit_code == 0, result.output
    assert get_user(app, "office").role == "coordinator"
    log_in(client, "office", "river-stone-4411")
    assert client.get("/coordinator/users").status_code == 200


def test_create_coordinator_refuses_a_taken_name_and_a_weak_password(app, runner):
    args = ["users", "create-coordinator", "office"]
    assert runner.invoke(args=args, input="river-stone-4411\nriver-stone-4411\n").exit_code == 0
    taken = runner.invoke(args=args, input="river-stone-4411\nriver-stone-4411\n")
    assert taken.exit_code != 0 and "already taken" in taken.output
    weak = runner.invoke(args=["users", "create-coordinator", "other"], input="123456\n123456\n")
    assert weak.exit_code != 0 and "too weak" in weak.output
    assert get_user(app, "other") is None
