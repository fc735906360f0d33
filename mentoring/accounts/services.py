"""Account rules: registration, authentication, sessions, invitations and password resets.

Tokens in links and session ids are random; only their SHA-256 is stored, and the messages that
carry links hold them sealed (notifications.sealing), so a database leak opens no account. A one-time
link is used up by a conditional UPDATE (`claim`), which holds on SQLite as on PostgreSQL: of parallel
uses, one wins.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from mentoring import events, keys
from mentoring.accounts.models import Invitation, PasswordResetToken, User, UserSession
from mentoring.accounts.passwords import password_problem
from mentoring.clock import utcnow
from mentoring.extensions import db, rows_changed
from mentoring.links import public_url
from mentoring.notifications.services import queue_email, queue_message, queue_request
from mentoring.security import Role

SELF_REGISTER_ROLES = frozenset({Role.PARENT, Role.MENTOR})
STAFF_ROLES = frozenset({Role.COORDINATOR, Role.EXPERT})
# Coordinators may hand a reset link only to these, and only when they have no e-mail address
# (everyone else asks for a link on the login page, which goes to their own address).
COORDINATOR_RESET_ROLES = frozenset({Role.PARENT, Role.MENTOR})
# last_seen_at is written at most this often: no write per request; idle limits hold to the minute.
TOUCH_EVERY = timedelta(minutes=1)

# Compared against when a username is unknown, so both failures take the same time.
_DUMMY_HASH = generate_password_hash(secrets.token_hex(16))


class AccountError(Exception):
    """A rule was broken; `code` says which, the view turns it into a sentence."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class NewAccount:
    username: str
    password: str
    locale: str
    display_name: str = ""
    email: str | None = None
    phone: str | None = None


def normalise_username(username: str) -> str:
    return username.strip().lower()


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def find_user_by_username(username: str) -> User | None:
    return db.session.scalars(select(User).where(User.username == normalise_username(username))).first()


def create_user(account: NewAccount, role: Role) -> User:
    """Create an account; raise AccountError('username_taken' | 'weak_password').

    A taken username costs the same work as a free one, so the answer's time tells nothing more than
    its text: the password is hashed (the slow step) and the row inserted in both cases; the unique
    index on the username refuses the taken one, inside a savepoint so the caller's work stays."""
    username = normalise_username(account.username)
    if password_problem(account.password, username):
        raise AccountError("weak_password")
    user = User(
        username=username,
        password_hash=generate_password_hash(account.password),
        role=role,
        display_name=account.display_name.strip(),
        email=account.email or None,
        phone=account.phone or None,
        locale=account.locale,
    )
    try:
        with db.session.begin_nested():
            db.session.add(user)
    except IntegrityError:
        raise AccountError("username_taken") from None
    # The domains that keep a profile per role create it now, so no page has to on first visit.
    events.account_created.send(user)
    return user


def register(account: NewAccount, role: Role) -> User:
    """Parents and mentor applicants register themselves; other roles need an invitation."""
    if role not in SELF_REGISTER_ROLES:
        raise AccountError("role_not_open")
    return create_user(account, role)


def authenticate(username: str, password: str) -> User | None:
    """Return the user for a correct username and password, else None, in the same time."""
    user = find_user_by_username(username)
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.is_active:
        return None
    user.last_login_at = utcnow()
    return user


def tell_holder(user: User, template: str, email: str | None = None, phone: str | None = None) -> None:
    """A notice to the account's holder (by default its current e-mail, else its phone; none without)."""
    email = user.email if email is None else email
    phone = user.phone if phone is None else phone
    if email or phone:
        queue_message(email, phone, template, user.locale, user=user)


def set_password(user: User, new_password: str, keep_session: str | None = None) -> None:
    """Set a new password, end every session of this user but `keep_session`, and tell the holder."""
    if password_problem(new_password, user.username):
        raise AccountError("weak_password")
    user.password_hash = generate_password_hash(new_password)
    user.session_version += 1
    end_sessions(user, keep=keep_session)
    tell_holder(user, "accounts/password_changed")
    db.session.flush()


def change_password(user: User, current_password: str, new_password: str, keep_session: str | None) -> None:
    if not check_password_hash(user.password_hash, current_password):
        raise AccountError("wrong_password")
    set_password(user, new_password, keep_session)


def contact_changes(user: User, email: str | None, phone: str | None) -> bool:
    return (email or None) != user.email or (phone or None) != user.phone


def update_profile(
    user: User,
    display_name: str,
    email: str | None,
    phone: str | None,
    locale: str,
    current_password: str = "",
) -> bool:
    """Save the profile; returns whether the e-mail or phone changed. A new e-mail or phone needs
    the current password (AccountError 'wrong_password'): both lead to a new password, so a copied
    cookie alone must not change them. The old address or number is told, so the holder hears of a
    change they did not make."""
    old_email, old_phone = user.email, user.phone
    changed = contact_changes(user, email, phone)
    if changed and not check_password_hash(user.password_hash, current_password or ""):
        raise AccountError("wrong_password")
    user.display_name = display_name.strip()
    user.email = email or None
    user.phone = phone or None
    user.locale = locale
    if changed:
        tell_holder(user, "accounts/contact_changed", email=old_email or "", phone=old_phone or "")
    db.session.flush()
    return changed


# Sessions ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionLimits:
    """How long a login lasts: at most `absolute` after it began, and `idle` per role without use."""

    absolute: timedelta
    idle_staff: timedelta
    idle_family: timedelta

    def idle_for(self, role: Role) -> timedelta:
        return self.idle_staff if role in STAFF_ROLES else self.idle_family


class SessionEnded(Exception):
    """The cookie's session is over: `code` is 'gone' (logged out, revoked), 'idle' or 'expired'."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def start_session(user: User, label: str = "") -> str:
    """A new server-side session for `user`; returns the random id for the cookie (only its hash is kept)."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.add(
        UserSession(
            token_hash=hash_token(token), user_id=user.id, label=label[:40], created_at=now, last_seen_at=now
        )
    )
    db.session.flush()
    return token


def find_session(token: str) -> UserSession | None:
    """The session row with its user, in one statement (every logged-in request asks)."""
    return db.session.scalars(
        select(UserSession)
        .options(joinedload(UserSession.user))
        .where(UserSession.token_hash == hash_token(token))
    ).first()


def resume_session(user_id: str, token: str, limits: SessionLimits, now: datetime) -> tuple[User, bool]:
    """The user of a cookie's session while its row exists and is within the limits; raise SessionEnded.

    `user_id` is Flask-Login's `<id>:<session_version>`. Returns whether last_seen_at was written (at
    most once per TOUCH_EVERY), so the caller commits only then. An expired row is deleted.
    """
    row = find_session(token)
    if row is None:
        raise SessionEnded("gone")
    user = row.user
    if user_id != user.get_id() or not user.is_active:
        db.session.delete(row)
        db.session.flush()
        raise SessionEnded("gone")
    for code, ends_at in (
        ("expired", row.created_at + limits.absolute),
        ("idle", row.last_seen_at + limits.idle_for(user.role)),
    ):
        if now >= ends_at:
            db.session.delete(row)
            db.session.flush()
            raise SessionEnded(code)
    touched = now - row.last_seen_at >= TOUCH_EVERY
    if touched:
        row.last_seen_at = now
        db.session.flush()
    return user, touched


def end_session(token: str) -> None:
    """Logging out: the row goes, so a copy of the cookie opens nothing either."""
    db.session.execute(delete(UserSession).where(UserSession.token_hash == hash_token(token)))
    db.session.flush()


def end_session_of(user: User, session_id: int) -> None:
    """End one of the user's own sessions; raise AccountError('not_found') for anyone else's."""
    row = db.session.get(UserSession, session_id)
    if row is None or row.user_id != user.id:
        raise AccountError("not_found")
    db.session.delete(row)
    db.session.flush()


def end_sessions(user: User, keep: str | None = None) -> int:
    """End every session of `user` but the one with the id `keep`; returns how many ended."""
    statement = delete(UserSession).where(UserSession.user_id == user.id)
    if keep:
        statement = statement.where(UserSession.token_hash != hash_token(keep))
    result = db.session.execute(statement)
    db.session.flush()
    return int(getattr(result, "rowcount", 0) or 0)


def list_sessions(user: User) -> list[UserSession]:
    return list(
        db.session.scalars(
            select(UserSession)
            .where(UserSession.user_id == user.id)
            .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
        )
    )


def is_this_session(row: UserSession, token: str | None) -> bool:
    return token is not None and row.token_hash == hash_token(token)


# Invitations ---------------------------------------------------------------------------


def create_invitation(
    created_by: User, display_name: str, email: str | None, locale: str, days: int
) -> tuple[Invitation, str]:
    """A single-use link for an expert to join; returns the invitation and the raw token."""
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        token_hash=hash_token(token),
        role=Role.EXPERT,
        display_name=display_name.strip(),
        email=email or None,
        locale=locale,
        created_by_id=created_by.id,
        expires_at=utcnow() + timedelta(days=days),
    )
    db.session.add(invitation)
    db.session.flush()
    return invitation, token


def send_invitation(invitation: Invitation, token: str, days: int) -> str:
    """E-mail the invitation link (sealed in the outbox) when there is an address; returns the link."""
    link = public_url("accounts.accept_invitation", token=token, lang=invitation.locale)
    if invitation.email:
        queue_email(
            invitation.email,
            "accounts/invitation",
            invitation.locale,
            links={"link": link},
            invitation=invitation,
            days=days,
        )
    return link


def find_open_invitation(token: str, now: datetime | None = None) -> Invitation:
    """Raise AccountError('invalid_link') for unknown, used or expired invitations (reads only)."""
    invitation = db.session.scalars(
        select(Invitation).where(Invitation.token_hash == hash_token(token))
    ).first()
    if invitation is None or invitation.used_at or invitation.expires_at <= (now or utcnow()):
        raise AccountError("invalid_link")
    return invitation


def claim(model: type[Invitation] | type[PasswordResetToken], row_id: int, now: datetime) -> None:
    """Use up a one-time link: `UPDATE … SET used_at = now WHERE id = … AND used_at IS NULL AND not
    expired`. Exactly one of parallel uses changes the row; the others raise AccountError('invalid_link').
    SQLite ignores SELECT … FOR UPDATE, so this write, not a lock, decides."""
    claimed = rows_changed(
        update(model)
        .where(model.id == row_id, model.used_at.is_(None), model.expires_at > now)
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed != 1:
        raise AccountError("invalid_link")


def accept_invitation(token: str, account: NewAccount) -> User:
    """Use up the invitation, then create the invited account, in one transaction."""
    invitation = find_open_invitation(token)
    now = utcnow()
    claim(Invitation, invitation.id, now)
    user = create_user(account, invitation.role)
    invitation.used_at = now
    invitation.used_by_id = user.id
    db.session.flush()
    return user


def list_invitations() -> list[Invitation]:
    return list(db.session.scalars(select(Invitation).order_by(Invitation.created_at.desc())))


# Password reset ------------------------------------------------------------------------


def create_reset_token(user: User, hours: int) -> str:
    """Issue a reset link token for `user`; earlier unused ones stop working."""
    now = utcnow()
    for old in db.session.scalars(
        select(PasswordResetToken).where(
            PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None)
        )
    ):
        old.used_at = now
    token = secrets.token_urlsafe(32)
    db.session.add(
        PasswordResetToken(
            token_hash=hash_token(token), user_id=user.id, expires_at=now + timedelta(hours=hours)
        )
    )
    db.session.flush()
    return token


RESET_REQUEST = "password-reset"


def request_password_reset(identifier: str, hours: int) -> None:
    """'Forgot password': the same work whether or not the identifier has an account.

    One sealed request row, always; the outbox worker looks the identifier up (send_reset_links),
    so neither the answer nor its timing tells whether an account exists.
    """
    queue_request(RESET_REQUEST, {"identifier": identifier.strip().lower()[:254], "hours": str(hours)})


def send_reset_links(values: dict[str, str]) -> None:
    """The outbox worker's side of a reset request: a fresh link for each account the identifier
    names, e-mailed in the account's language; an unknown identifier gives nothing, and leaves nothing."""
    hours = int(values.get("hours", "2"))
    for user in users_for_reset(values.get("identifier", "")):
        token = create_reset_token(user, hours)
        assert user.email is not None  # users_for_reset finds only accounts with an e-mail
        queue_email(
            user.email,
            "accounts/password_reset",
            user.locale,
            links={"link": public_url("accounts.reset_password", token=token, lang=user.locale)},
            user=user,
            hours=hours,
        )


def users_for_reset(identifier: str) -> list[User]:
    """Accounts a 'forgot password' request may e-mail: by username or e-mail, with an e-mail."""
    identifier = identifier.strip().lower()
    if not identifier:
        return []
    query = select(User).where(
        User.email.is_not(None),
        (User.username == identifier) | (func.lower(User.email) == identifier),
    )
    return [user for user in db.session.scalars(query) if user.is_active]


def find_open_reset(token: str) -> PasswordResetToken:
    """Raise AccountError('invalid_link') for unknown, used or expired reset links (reads only)."""
    reset = db.session.scalars(
        select(PasswordResetToken).where(PasswordResetToken.token_hash == hash_token(token))
    ).first()
    if reset is None or reset.used_at or reset.expires_at <= utcnow():
        raise AccountError("invalid_link")
    return reset


def reset_password(token: str, new_password: str) -> User:
    """Use up the link, then set the password (every session of the account ends); of parallel
    uses of one link, one sets it."""
    reset = find_open_reset(token)
    if password_problem(new_password, reset.user.username):
        raise AccountError("weak_password")
    now = utcnow()
    claim(PasswordResetToken, reset.id, now)
    set_password(reset.user, new_password)
    reset.used_at = now
    db.session.flush()
    return reset.user


# Coordinators --------------------------------------------------------------------------


def like_pattern(text: str) -> str:
    """`text` anywhere, literally: its % and _ (and the escape character) match only themselves."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_term_ref(query: str) -> str:
    """What the audit log keeps of a search: a keyed hash of the term, as a number ("search:" and
    digits), or nothing for the plain list. The same term gives the same value, so a search can be
    confirmed by someone who knows the term, but the log names nobody."""
    term = query.strip().lower()
    return f"search:{int(keys.sign('audit-search', term)[:12], 16)}" if term else ""


def search_users(query: str = "", role: Role | None = None, limit: int = 100) -> list[User]:
    """Accounts whose username or name contains `query` (case-insensitive, % and _ literal)."""
    statement = select(User).order_by(User.username).limit(limit)
    if query.strip():
        like = like_pattern(query.strip().lower())
        statement = statement.where(
            User.username.like(like, escape="\\") | func.lower(User.display_name).like(like, escape="\\")
        )
    if role:
        statement = statement.where(User.role == role)
    return list(db.session.scalars(statement))


def get_user(user_id: int) -> User | None:
    return db.session.get(User, user_id)


def may_get_coordinator_reset_link(user: User) -> bool:
    return user.role in COORDINATOR_RESET_ROLES and not user.email and user.is_active


def create_coordinator_reset_link(user: User, hours: int) -> str:
    """A reset link a coordinator hands over, only for a parent or mentor parent without e-mail
    (AccountError 'not_allowed'): otherwise a coordinator could take over any account and read what
    only its holder may. The holder is told by SMS when they have a phone."""
    if not may_get_coordinator_reset_link(user):
        raise AccountError("not_allowed")
    token = create_reset_token(user, hours)
    tell_holder(user, "accounts/reset_link_made")
    return token
