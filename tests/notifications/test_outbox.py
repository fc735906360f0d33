import threading

from sqlalchemy import func, select

from mentoring.extensions import db
from mentoring.notifications import services
from mentoring.notifications.models import OutboxMessage, OutboxStatus


def queue_reset_mails(app, count: int) -> None:
    with app.app_context():
        for number in range(count):
            services.queue_email(
                f"parent{number}@example.org",
                "accounts/invitation",
                "de",
                invitation=type("Invitation", (), {"display_name": f"Parent {number}"})(),
                link="http://localhost/x",
                days=14,
            )
        db.session.commit()


def test_two_workers_at_once_deliver_every_message_exactly_once(app, smtp_server):
    queue_reset_mails(app, 30)
    results = []

    def worker():
        with app.app_context():
            results.append(services.deliver_due_messages(max_attempts=3))
            db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    recipients = sorted(rcpt for envelope in smtp_server.messages for rcpt in envelope.rcpt_tos)
    assert recipients == sorted(f"parent{n}@example.org" for n in range(30))
    assert sum(sent for sent, _failed in results) == 30
    with app.app_context():
        pending = db.session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status != OutboxStatus.SENT)
        )
    assert pending == 0


def test_messages_are_rendered_in_the_recipients_language(app):
    with app.app_context():
        message = services.queue_email(
            "a@example.org",
            "accounts/password_reset",
            "ar",
            user=type("User", (), {"name": "Ali"})(),
            link="http://localhost/password/reset/t?lang=ar",
            hours=2,
        )
        assert 'dir="rtl"' in message.body_html
        assert "Ali" in message.body_text
        assert "Set a new password" not in message.subject
        db.session.rollback()


def test_a_message_that_keeps_failing_is_given_up_after_the_last_attempt(app, smtp_server):
    queue_reset_mails(app, 1)
    smtp_server.stop()
    with app.app_context():
        message = db.session.scalars(select(OutboxMessage)).one()
        message.attempts = 2
        db.session.commit()
        assert services.deliver_due_messages(max_attempts=3) == (0, 1)
        message = db.session.scalars(select(OutboxMessage)).one()
        assert message.status == OutboxStatus.FAILED
        assert services.deliver_due_messages(max_attempts=3) == (0, 0)
