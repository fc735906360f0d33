"""Write messages to the outbox, rendered in the recipient's language, and deliver them.

The outbox never holds a link that opens anything: links are sealed (`links=`, see
notifications.sealing) or made at sending (`late_link=`), and a row is blanked once it is sent,
cancelled or given up. One seam for every domain: pass the opening links as `links`, never in the
template context.
"""

import hashlib
import hmac
from collections.abc import Callable, Collection, Mapping
from datetime import datetime, timedelta

from flask import render_template
from flask_babel import force_locale
from sqlalchemy import ColumnElement, func, or_, select, update

from mentoring import keys
from mentoring.clock import utcnow
from mentoring.extensions import db, rows_changed
from mentoring.notifications import sealing
from mentoring.notifications.backends import DeliveryError, backend_for
from mentoring.notifications.models import Channel, OutboxMessage, OutboxStatus

# Where a message's link goes when the link is made only at sending time (late_link).
LINK_PLACEHOLDER = "[[link-made-when-sent]]"
LinkMaker = Callable[[str], str | None]
LINK_MAKERS: dict[str, LinkMaker] = {}
# Requests the worker turns into messages (or into nothing): see queue_request.
RequestHandler = Callable[[dict[str, str]], None]
REQUEST_HANDLERS: dict[str, RequestHandler] = {}

Links = Mapping[str, str | None]


def register_link_maker(kind: str, maker: LinkMaker) -> None:
    """`maker(argument)` makes the link of a message queued with late_link="<kind>:<argument>",
    just before it is sent, or returns None to withdraw the message. The outbox then never holds a
    link that opens anything: the body keeps LINK_PLACEHOLDER and only the sent copy has the link."""
    LINK_MAKERS[kind] = maker


def queue_email(
    recipient: str,
    template: str,
    locale: str,
    send_after: datetime | None = None,
    cancel_key: str | None = None,
    late_link: str | None = None,
    links: Links | None = None,
    **context: object,
) -> OutboxMessage:
    """Render `emails/<template>.{subject.txt,txt,html}` in the recipient's locale into the outbox.

    `links` are the template's values that open something (a manage or reset link): they are sealed,
    never stored in the body (see notifications.sealing). The caller commits: the message is stored
    with the change that caused it, or not at all.
    """
    context, sealed = seal_links(context, links)
    with force_locale(locale):
        subject = render_template(f"emails/{template}.subject.txt", **context).strip()
        body_text = render_template(f"emails/{template}.txt", **context)
        body_html = render_template(f"emails/{template}.html", **context)
    return add_to_outbox(
        OutboxMessage(
            channel=Channel.EMAIL,
            subject=" ".join(subject.split()),
            body_text=body_text,
            body_html=body_html,
            template=template,
            sealed=sealed,
        ),
        recipient,
        locale,
        send_after,
        cancel_key,
        late_link,
    )


def queue_sms(
    recipient: str,
    template: str,
    locale: str,
    send_after: datetime | None = None,
    cancel_key: str | None = None,
    late_link: str | None = None,
    links: Links | None = None,
    **context: object,
) -> OutboxMessage:
    """Render `sms/<template>.txt` in the recipient's locale into the outbox (caller commits)."""
    context, sealed = seal_links(context, links)
    with force_locale(locale):
        text = " ".join(render_template(f"sms/{template}.txt", **context).split())
    return add_to_outbox(
        OutboxMessage(channel=Channel.SMS, body_text=text, template=template, sealed=sealed),
        recipient,
        locale,
        send_after,
        cancel_key,
        late_link,
    )


def seal_links(context: dict[str, object], links: Links | None) -> tuple[dict[str, object], str | None]:
    """The template context with a placeholder for each link, and the links sealed (None: none)."""
    present = {name: value for name, value in (links or {}).items() if value}
    for name in links or {}:
        context[name] = sealing.placeholder(name) if name in present else None
    return context, sealing.seal(present) if present else None


def add_to_outbox(
    message: OutboxMessage,
    recipient: str,
    locale: str,
    send_after: datetime | None,
    cancel_key: str | None,
    late_link: str | None = None,
) -> OutboxMessage:
    if late_link is not None and late_link.partition(":")[0] not in LINK_MAKERS:
        raise ValueError(f"no link maker for {late_link}")
    message.recipient = recipient
    message.contact_ref = contact_ref(recipient)
    message.locale = locale
    message.send_after = send_after or utcnow()
    message.cancel_key = cancel_key
    message.late_link = late_link
    db.session.add(message)
    db.session.flush()
    return message


def queue_message(
    email: str | None,
    phone: str | None,
    template: str,
    locale: str,
    send_after: datetime | None = None,
    cancel_key: str | None = None,
    late_link: str | None = None,
    links: Links | None = None,
    **context: object,
) -> OutboxMessage:
    """E-mail when there is an address, otherwise SMS: families without e-mail still hear from us."""
    if email:
        return queue_email(email, template, locale, send_after, cancel_key, late_link, links, **context)
    if phone:
        return queue_sms(phone, template, locale, send_after, cancel_key, late_link, links, **context)
    raise ValueError("no e-mail and no phone to send to")


def register_request_handler(kind: str, handler: RequestHandler) -> None:
    """`handler(values)` runs in the outbox worker for a request queued with queue_request(kind, …):
    it queues the messages the request calls for (maybe none), in the worker's transaction."""
    REQUEST_HANDLERS[kind] = handler


def queue_request(kind: str, values: Mapping[str, str]) -> OutboxMessage:
    """A request for the worker, not a message: one row, the same whatever `values` hold.

    The values are sealed, so the row tells nothing. The worker hands them to the request's handler
    and then deletes the row; so a request that looks something up (a password reset) costs the web
    request the same work, whatever the lookup would find.
    """
    if kind not in REQUEST_HANDLERS:
        raise ValueError(f"no handler for {kind}")
    return add_to_outbox(
        OutboxMessage(channel=Channel.EMAIL, body_text="", request=kind, sealed=sealing.seal(values)),
        "",
        "",
        None,
        None,
    )


# What a sent, cancelled or failed row keeps: channel, template, status and times.
BLANK = {"recipient": "", "subject": "", "body_text": "", "body_html": None, "sealed": None}


def blank(message: OutboxMessage) -> None:
    """Forget what a message said and to whom; only its metadata stays (for the backlog, retention)."""
    for name, value in BLANK.items():
        setattr(message, name, value)


def cancel_pending(cancel_key: str) -> int:
    """Withdraw messages not yet sent under this key and blank them; returns how many."""
    return rows_changed(
        update(OutboxMessage)
        .where(OutboxMessage.cancel_key == cancel_key, OutboxMessage.status == OutboxStatus.PENDING)
        .values(status=OutboxStatus.CANCELLED, **BLANK)
    )


def withdraw_late_link(late_link: str) -> int:
    """Cancel and blank the unsent messages whose link would be made from `late_link`."""
    return rows_changed(
        update(OutboxMessage)
        .where(OutboxMessage.late_link == late_link, OutboxMessage.status == OutboxStatus.PENDING)
        .values(status=OutboxStatus.CANCELLED, **BLANK)
    )


def normalised_contact(contact: str) -> str:
    """An e-mail address in lower case, a phone number without spaces: one person, one form."""
    return "".join(contact.split()).lower()


def contact_ref(contact: str) -> str:
    """The keyed reference of a recipient: finds their messages, and leads back to nobody."""
    return keys.sign("contact", normalised_contact(contact))


def to_contacts(contacts: list[str]) -> ColumnElement[bool]:
    """The messages to any of these contacts: by their keyed reference (under the current key or a
    fallback) and, for rows written before the reference, by the recipient itself."""
    wanted = sorted({normalised_contact(c) for c in contacts if c and c.strip()})
    refs = [contact_ref_under(key, contact) for key in keys.candidates("contact") for contact in wanted]
    return OutboxMessage.contact_ref.in_(refs) | func.lower(OutboxMessage.recipient).in_(wanted)


def messages_for(user_id: int, late_links: Collection[str] = ()) -> list[OutboxMessage]:
    """For the data export: the messages to this account and those whose late link is one of
    `late_links` (a survey invitation of theirs), oldest first. Never by contact: anyone can type
    someone else's number into a form, and the export must not tell them what was sent to it."""
    found = OutboxMessage.user_id == user_id
    if late_links:
        found = found | OutboxMessage.late_link.in_(sorted(late_links))
    return list(db.session.scalars(select(OutboxMessage).where(found).order_by(OutboxMessage.id)))


def forget_messages_of(user_id: int) -> int:
    """An account is deleted: its messages are blanked and the unsent ones cancelled."""
    return forget_where(OutboxMessage.user_id == user_id)


def forget_recipients(contacts: list[str], keep_cancel_keys: Collection[str] = ()) -> int:
    """A person's data is deleted: every message to one of these contacts is blanked (recipient,
    subject, bodies, error, reference) and the unsent ones are cancelled, so nothing more goes out.

    Unsent messages under `keep_cancel_keys` stay: the reminders of bookings that still hold the
    contact (the person's other bookings, or someone else's who was given the same contact).
    Returns how many rows were blanked."""
    if not any(c and c.strip() for c in contacts):
        return 0
    found = to_contacts(contacts)
    if keep_cancel_keys:
        found = found & ~(
            (OutboxMessage.status == OutboxStatus.PENDING)
            & OutboxMessage.cancel_key.is_not(None)
            & OutboxMessage.cancel_key.in_(sorted(keep_cancel_keys))
        )
    return forget_where(found)


def forget_mentions(kinds: Collection[str], texts: Collection[str]) -> int:
    """Messages of these kinds that name someone whose data is deleted (the office's digest lists
    waiting families by name) are blanked, the unsent ones cancelled; returns how many."""
    named = [t for t in texts if t and len(t.strip()) >= 2]
    if not kinds or not named:
        return 0
    mentions = or_(*(OutboxMessage.body_text.contains(t, autoescape=True) for t in named))
    return forget_where(OutboxMessage.template.in_(sorted(kinds)) & mentions)


def forget_where(found: ColumnElement[bool]) -> int:
    blank = {"recipient": "", "subject": "", "body_text": "", "body_html": None, "last_error": None}
    cancelled = rows_changed(
        update(OutboxMessage)
        .where(found, OutboxMessage.status == OutboxStatus.PENDING)
        .values(status=OutboxStatus.CANCELLED, late_link=None, contact_ref=None, **blank)
        .execution_options(synchronize_session=False)
    )
    return cancelled + rows_changed(
        update(OutboxMessage)
        .where(found)
        .values(contact_ref=None, **blank)
        .execution_options(synchronize_session=False)
    )


def contact_ref_under(key: bytes, contact: str) -> str:
    """The reference an older key (SECRET_KEY_FALLBACKS) made for this normalised contact."""
    return hmac.new(key, contact.encode(), hashlib.sha256).hexdigest()


def retry_delay(attempts: int) -> timedelta:
    """Back off 1, 2, 4 … minutes, at most six hours, so a long mail outage costs little."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


class LostRace(Exception):
    """Another worker claimed the message first."""


def claim_due_message(now: datetime) -> OutboxMessage | None:
    """Take one due message so no other worker sends it: FOR UPDATE SKIP LOCKED on PostgreSQL.

    SQLite has one writer at a time, so the write that bumps `attempts` serialises workers there;
    a worker whose conditional update matched nothing lost the race (LostRace).
    """
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.send_after <= now)
        .order_by(OutboxMessage.send_after, OutboxMessage.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    message = db.session.scalars(query).first()
    if message is None:
        return None
    # Conditional update: a second SQLite worker that read the same row claims nothing.
    claimed = rows_changed(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message.id,
            OutboxMessage.attempts == message.attempts,
            OutboxMessage.status == OutboxStatus.PENDING,
        )
        .values(attempts=OutboxMessage.attempts + 1)
    )
    if not claimed:
        db.session.rollback()
        raise LostRace(message.id)
    db.session.refresh(message)
    return message


def as_sent(message: OutboxMessage) -> OutboxMessage | None:
    """The message as it is sent, in a copy that is never stored: its sealed links opened and its
    late link made now; None when the link's maker withdrew it."""
    values = sealing.unseal(message.sealed) if message.sealed else {}
    late = None
    if message.late_link:
        kind, _, argument = message.late_link.partition(":")
        late = LINK_MAKERS[kind](argument)
        if late is None:
            return None
    if not values and late is None:
        return message

    def fill(text: str, html: bool = False) -> str:
        if late is not None:
            text = text.replace(LINK_PLACEHOLDER, late)
        return sealing.fill(text, values, html)

    return OutboxMessage(
        id=message.id,
        channel=message.channel,
        recipient=message.recipient,
        locale=message.locale,
        subject=message.subject,
        sender=message.sender,
        body_text=fill(message.body_text),
        body_html=fill(message.body_html, html=True) if message.body_html else None,
    )


def handle_request(message: OutboxMessage) -> None:
    """Run a queued request's handler; the request row goes, whatever the handler did."""
    assert message.request is not None and message.sealed is not None
    try:
        values = sealing.unseal(message.sealed)
    except sealing.Unreadable:  # sealed under a key that has since been dropped: nothing to do
        values = None
    if values is not None:
        REQUEST_HANDLERS[message.request](values)
    db.session.delete(message)
    db.session.flush()


def deliver_due_messages(max_attempts: int, limit: int = 500) -> tuple[int, int]:
    """Send what is due, one committed transaction per message; returns (sent, failed attempts).

    A message is marked sent in the transaction that holds its lock, so two workers never
    both send it; a failed attempt is retried later with back-off until max_attempts. A row that is
    a request (queue_request) is handed to its handler, whose messages go out in this same run.
    """
    sent = failed = 0
    for _ in range(limit):
        now = utcnow()
        try:
            message = claim_due_message(now)
        except LostRace:
            continue
        if message is None:
            db.session.rollback()
            break
        if message.request:
            handle_request(message)
            db.session.commit()
            continue
        try:
            outgoing = as_sent(message)
        except sealing.Unreadable:  # its key was dropped from SECRET_KEY_FALLBACKS: it cannot be sent
            message.status = OutboxStatus.FAILED
            message.last_error = "sealed links unreadable: the key they were sealed with is gone"
            blank(message)
            db.session.commit()
            continue
        if outgoing is None:
            message.status = OutboxStatus.CANCELLED
            blank(message)
            db.session.commit()
            continue
        try:
            backend_for(message.channel).send(outgoing)
        except DeliveryError as error:
            failed += 1
            message.last_error = str(error)[:500]
            if message.attempts >= max_attempts:
                message.status = OutboxStatus.FAILED
                blank(message)
            else:
                message.send_after = now + retry_delay(message.attempts)
        else:
            sent += 1
            message.status = OutboxStatus.SENT
            message.sent_at = now
            message.last_error = None
            blank(message)  # the sent copy went to the backend only
        db.session.commit()
    return sent, failed
